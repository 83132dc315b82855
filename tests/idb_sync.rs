//! The sync engine's IndexedDB operations in a real browser: a saved change and its
//! outbox entry, answers from the server, pulled pages, the quarantine, a wipe.
#![cfg(target_arch = "wasm32")]

use mimamori::store::Store;
use mimamori_core::calendar::CivilDate;
use mimamori_core::hlc::Hlc;
use mimamori_core::record::{Body, Change, DeviceId, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::resident::{Consent, LwwRecord, ResidentPatch};
use mimamori_core::settings::{DeviceSettings, TextSize};
use mimamori_core::sync::{ItemResult, PullResponse, PulledRecord, RejectCode};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(test: &str) -> (Store, String) {
    let name = format!("mimamori-sync-{test}-{}", js_sys::Math::random());
    (
        Store::open_named(&name, mimamori::store::SCHEMA_VERSION)
            .await
            .unwrap(),
        name,
    )
}

fn resident(n: u8, wall_ms: u64, name: &str) -> Change {
    Change {
        id: RecordId::new_v7(1_764_000_000_000, [n; 10]),
        district_id: DistrictId(1),
        author: UserId(3),
        device: DeviceId(4),
        stamp: Hlc {
            wall_ms,
            counter: 0,
            node: 4,
        },
        base: None,
        deleted: false,
        body: Body::Resident(ResidentPatch {
            name: Some(name.into()),
            assigned_volunteers: Some([UserId(3)].into_iter().collect()),
            consent: Some(Consent {
                date: CivilDate::new(2026, 11, 1).unwrap(),
                scope: "見守り".into(),
                taken_by: UserId(3),
            }),
            ..ResidentPatch::default()
        }),
    }
}

fn name_in(view: &serde_json::Value) -> String {
    view["fields"]["name"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[wasm_bindgen_test]
async fn a_saved_change_is_shown_and_waits_in_the_outbox() {
    let (store, name) = fresh("save").await;
    store
        .save_change(&resident(1, 10, "高崎 花子"), 1.0)
        .await
        .unwrap();
    assert_eq!(store.unsent_count().await.unwrap(), 1);
    let residents = store.records_of_kind(RecordKind::Resident).await.unwrap();
    assert_eq!(residents.len(), 1);
    assert_eq!(name_in(residents[0].view.as_ref().unwrap()), "高崎 花子");
    assert_eq!(store.next_batch(10).await.unwrap().len(), 1);
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn answers_empty_the_outbox_or_quarantine_and_doubtful_ones_change_nothing() {
    let (store, name) = fresh("answers").await;
    let (first, second) = (resident(1, 10, "一"), resident(2, 20, "二"));
    store.save_change(&first, 1.0).await.unwrap();
    store.save_change(&second, 2.0).await.unwrap();
    let sent = store.next_batch(10).await.unwrap();
    assert_eq!(sent, vec![first.clone(), second.clone()], "oldest first");

    let short = vec![ItemResult::Accepted {
        id: first.id,
        stamp: first.stamp,
    }];
    assert!(!store.apply_push_answer(&sent, &short).await.unwrap());
    assert_eq!(store.unsent_count().await.unwrap(), 2);

    let answer = vec![
        ItemResult::Accepted {
            id: first.id,
            stamp: first.stamp,
        },
        ItemResult::Rejected {
            id: second.id,
            stamp: second.stamp,
            code: RejectCode::WrongDistrict,
            message: "担当外".into(),
            fields: vec![],
        },
    ];
    assert!(store.apply_push_answer(&sent, &answer).await.unwrap());
    assert_eq!(store.unsent_count().await.unwrap(), 0);
    let quarantined = store.quarantined().await.unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].code, RejectCode::WrongDistrict);
    // The user reads the reason and discards it.
    store
        .discard_quarantined(&quarantined[0].change)
        .await
        .unwrap();
    assert!(store.quarantined().await.unwrap().is_empty());
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_pulled_page_keeps_pending_edits_visible_and_tombstones_remove() {
    let (store, name) = fresh("pull").await;
    let created = resident(1, 10, "旧姓");
    let mut server = LwwRecord::default();
    server.apply(
        ResidentPatch {
            name: Some("旧姓".into()),
            ..ResidentPatch::default()
        }
        .fields(),
        created.stamp,
        None,
    );
    // An edit made offline after the server's version.
    let mut edit = resident(1, 30, "新姓");
    edit.base = Some(created.stamp);
    store.save_change(&edit, 3.0).await.unwrap();

    let page = PullResponse {
        records: vec![PulledRecord {
            id: created.id,
            kind: RecordKind::Resident,
            district_id: DistrictId(1),
            seq: 7,
            tombstone: false,
            state: Some(serde_json::to_value(&server).unwrap()),
        }],
        cursor: 7,
        more: false,
    };
    store.apply_pull_page(&page).await.unwrap();
    assert_eq!(store.cursor().await.unwrap(), 7);
    let held = store.records_of_kind(RecordKind::Resident).await.unwrap();
    assert_eq!(held[0].seq, 7);
    assert_eq!(
        name_in(held[0].view.as_ref().unwrap()),
        "新姓",
        "the unsent edit still shows"
    );

    let gone = PullResponse {
        records: vec![PulledRecord {
            id: created.id,
            kind: RecordKind::Resident,
            district_id: DistrictId(1),
            seq: 9,
            tombstone: true,
            state: None,
        }],
        cursor: 9,
        more: false,
    };
    store.apply_pull_page(&gone).await.unwrap();
    assert!(store
        .records_of_kind(RecordKind::Resident)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.cursor().await.unwrap(), 9);
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_wipe_removes_the_users_data_and_keeps_the_phones_settings() {
    let (store, name) = fresh("wipe").await;
    store
        .save_settings(&DeviceSettings {
            text_size: TextSize::Large,
        })
        .await
        .unwrap();
    store
        .save_change(&resident(1, 10, "高崎 花子"), 1.0)
        .await
        .unwrap();
    store.wipe_user_data().await.unwrap();
    assert_eq!(store.unsent_count().await.unwrap(), 0);
    assert!(store
        .records_of_kind(RecordKind::Resident)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.load_settings().await.unwrap().text_size,
        TextSize::Large
    );
    store.close();
    Store::delete(&name).await.unwrap();
}
