//! The app's IndexedDB layer in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): `cargo xtask test` runs these.
#![cfg(target_arch = "wasm32")]

use mimamori::store::{
    Store, DRAFTS, LATEST, OUTBOX, QUARANTINE, RECORDS, SCHEMA_VERSION, SETTINGS, SYNC_META,
};
use mimamori_core::settings::{DeviceSettings, TextSize};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Each test uses a database of its own so that tests never see each other's data.
fn fresh_name(test: &str) -> String {
    format!("mimamori-test-{test}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn large_text_setting_survives_closing_and_reopening_the_database() {
    let name = fresh_name("settings");
    let store = Store::open_named(&name, SCHEMA_VERSION).await.unwrap();
    assert_eq!(
        store.load_settings().await.unwrap(),
        DeviceSettings::default()
    );
    store
        .save_settings(&DeviceSettings {
            text_size: TextSize::Large,
        })
        .await
        .unwrap();
    store.close();

    let reopened = Store::open_named(&name, SCHEMA_VERSION).await.unwrap();
    assert_eq!(
        reopened.load_settings().await.unwrap().text_size,
        TextSize::Large
    );
    // A one-time notice read is kept beside the settings, and leaves them as they were.
    assert!(!reopened.notice_read("home_screen").await.unwrap());
    reopened.mark_notice_read("home_screen").await.unwrap();
    assert!(reopened.notice_read("home_screen").await.unwrap());
    assert_eq!(
        reopened.load_settings().await.unwrap().text_size,
        TextSize::Large
    );
    reopened.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn upgrading_from_schema_1_keeps_data_and_adds_the_new_stores() {
    let name = fresh_name("upgrade");
    let v1 = Store::open_named(&name, 1).await.unwrap();
    assert_eq!(v1.version(), 1);
    assert_eq!(v1.store_names(), vec![SETTINGS.to_owned()]);
    v1.save_settings(&DeviceSettings {
        text_size: TextSize::Large,
    })
    .await
    .unwrap();
    v1.close();

    let current = Store::open_named(&name, SCHEMA_VERSION).await.unwrap();
    assert_eq!(current.version(), SCHEMA_VERSION);
    let mut stores = current.store_names();
    stores.sort();
    let mut expected = vec![
        DRAFTS, LATEST, OUTBOX, QUARANTINE, RECORDS, SETTINGS, SYNC_META,
    ];
    expected.sort_unstable();
    assert_eq!(stores, expected);
    assert_eq!(
        current.load_settings().await.unwrap().text_size,
        TextSize::Large
    );
    assert_eq!(current.unsent_count().await.unwrap(), 0);
    current.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn outbox_entries_round_trip_and_are_counted_as_unsent() {
    let name = fresh_name("outbox");
    let store = Store::open_named(&name, SCHEMA_VERSION).await.unwrap();
    let entry = serde_wasm_bindgen::to_value(&outbox_probe("0190f0a0-0000-7000-8000-000000000001"))
        .unwrap();
    store.put(OUTBOX, &entry, None).await.unwrap();
    // Writing the same id again replaces it: a retried save never doubles an entry.
    store.put(OUTBOX, &entry, None).await.unwrap();
    assert_eq!(store.unsent_count().await.unwrap(), 1);

    let back = store
        .get(OUTBOX, "0190f0a0-0000-7000-8000-000000000001")
        .await
        .unwrap()
        .unwrap();
    let note = js_sys::Reflect::get(&back, &JsValue::from_str("note")).unwrap();
    assert_eq!(note.as_string().as_deref(), Some("郵便物がたまっている"));
    assert_eq!(store.last_sync_ms().await.unwrap(), None);
    store.close();
    Store::delete(&name).await.unwrap();
}

#[derive(serde::Serialize)]
struct OutboxProbe {
    id: String,
    created_at: f64,
    note: String,
}

fn outbox_probe(id: &str) -> OutboxProbe {
    OutboxProbe {
        id: id.to_owned(),
        created_at: 1_764_000_000_000.0,
        note: "郵便物がたまっている".into(),
    }
}

#[wasm_bindgen_test]
async fn upgrading_from_schema_2_keeps_the_outbox() {
    let name = fresh_name("upgrade2");
    let v2 = Store::open_named(&name, 2).await.unwrap();
    let entry = serde_wasm_bindgen::to_value(&outbox_probe("0190f0a0-0000-7000-8000-000000000002"))
        .unwrap();
    v2.put(OUTBOX, &entry, None).await.unwrap();
    v2.close();

    let current = Store::open_named(&name, SCHEMA_VERSION).await.unwrap();
    assert_eq!(
        current.unsent_count().await.unwrap(),
        1,
        "nothing unsent is lost by an update"
    );
    current.close();
    Store::delete(&name).await.unwrap();
}
