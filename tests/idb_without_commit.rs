//! The store on a browser whose IndexedDB transactions cannot be told to commit (Safari
//! before 15, on iPhones that stopped updating there): every write still lands, through the
//! wait for the transaction to end by itself. Its own test binary, so that the browser's
//! `commit` can be taken away before the store first looks for it.
#![cfg(target_arch = "wasm32")]

use mimamori::store::{Draft, Session, Store};
use mimamori_core::account::Role;
use mimamori_core::api::Me;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{Consent, Outcome, ResidentPatch, VisitBody, VisitMethod};
use mimamori_core::record::{Body, DeviceId, DistrictId, RecordKind, UserId};
use mimamori_core::sync::ItemResult;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const NOW_MS: f64 = 1_764_000_000_000.0;
const VOLUNTEER: UserId = UserId(3);

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
    let name = format!("mimamori-no-commit-{}", js_sys::Math::random());
    let store = Store::open_named(&name, mimamori::store::SCHEMA_VERSION)
        .await
        .unwrap();
    store
        .save_session(&Session {
            token: "t".into(),
            me: Me {
                user_id: VOLUNTEER,
                device_id: DeviceId(4),
                login_id: "v1".into(),
                display_name: "ボランティア".into(),
                role: Role::Volunteer,
                districts: vec![DistrictId(1)],
                must_change_password: false,
            },
            districts: Vec::new(),
            people: Vec::new(),
            all_districts: Vec::new(),
        })
        .await
        .unwrap();
    let resident = Draft::new(Body::Resident(ResidentPatch {
        name: Some("古い 電話".into()),
        assigned_volunteers: Some([VOLUNTEER].into_iter().collect()),
        consent: Some(Consent {
            date: CivilDate::new(2025, 11, 1).unwrap(),
            scope: "見守り".into(),
            share_with_center: false,
            taken_by: VOLUNTEER,
        }),
        ..ResidentPatch::default()
    }));
    let resident = store
        .save_made_here(resident, NOW_MS, [1; 10])
        .await
        .unwrap();
    let visit = Draft::new(Body::Visit(VisitBody {
        resident_id: resident.id,
        visited_at_ms: NOW_MS as i64 - 60_000,
        visitors: vec![VOLUNTEER],
        method: VisitMethod::Met,
        outcome: Outcome::Fine,
        signs: Default::default(),
        needs: Default::default(),
        actions: Default::default(),
        referred_resources: vec![],
        resources_note: String::new(),
        follow_up: None,
        note: "お元気でした".into(),
    }));
    let visit = store
        .save_made_here(visit, NOW_MS + 1.0, [2; 10])
        .await
        .unwrap();
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
