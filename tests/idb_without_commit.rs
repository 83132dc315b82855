//! The store on a browser whose IndexedDB transactions cannot be told to commit (Safari
//! before 15, on iPhones that stopped updating there): every write still lands, through the
//! wait for the transaction to end by itself. Its own test binary, so that the browser's
//! `commit` can be taken away before the store first looks for it.
#![cfg(target_arch = "wasm32")]

use mimamori::store::Store;
use mimamori_core::record::RecordKind;
use mimamori_core::sync::ItemResult;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/idb.rs"]
mod support;
use support::{fresh, new_resident, save, visit_to, NOW_MS};

/// Takes `IDBTransaction.prototype.commit` away, as older Safari lacks it.
fn without_commit() {
    let class = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("IDBTransaction"))
        .expect("IndexedDB");
    let prototype = js_sys::Reflect::get(&class, &JsValue::from_str("prototype")).unwrap();
    js_sys::Reflect::delete_property(&prototype.into(), &JsValue::from_str("commit")).unwrap();
}

#[wasm_bindgen_test]
async fn saves_and_answers_land_without_transaction_commit() {
    without_commit();
    let (store, name) = fresh("no-commit").await;
    let resident = save(&store, new_resident("古い 電話"), NOW_MS).await;
    let visit = save(&store, visit_to(resident.id, "お元気でした"), NOW_MS + 1.0).await;
    assert_eq!(store.unsent_count().await.unwrap(), 2);
    assert_eq!(store.children_of(resident.id).await.unwrap().len(), 1);
    let latest = store.latest_children().await.unwrap();
    assert_eq!(
        latest.iter().map(|l| l.child.clone()).collect::<Vec<_>>(),
        vec![visit.id.to_string()]
    );

    let sent = store.next_batch(10).await.unwrap();
    let answer: Vec<ItemResult> = sent
        .iter()
        .map(|c| ItemResult::Accepted {
            id: c.id,
            stamp: c.stamp,
        })
        .collect();
    assert!(store.apply_push_answer("t", &sent, &answer).await.unwrap());
    assert_eq!(store.unsent_count().await.unwrap(), 0);
    assert_eq!(
        store
            .records_of_kind(RecordKind::Resident)
            .await
            .unwrap()
            .len(),
        1
    );
    store.close();
    Store::delete(&name).await.unwrap();
}
