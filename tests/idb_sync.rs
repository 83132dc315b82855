//! The sync engine's IndexedDB operations in a real browser: a change saved here and its
//! outbox entry, answers from the server, pulled pages, the quarantine, a wipe.
#![cfg(target_arch = "wasm32")]

use mimamori::store::{Draft, SaveError, Store};
use mimamori_core::kinds::{Category, ResidentPatch, ResourcePatch};
use mimamori_core::merge::lww::field_writes;
use mimamori_core::merge::LwwRecord;
use mimamori_core::record::{Body, Change, DeviceId, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::settings::{DeviceSettings, TextSize};
use mimamori_core::sync::{ItemResult, PullResponse, PulledRecord, RejectCode};
use mimamori_core::validate::Problem;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/idb.rs"]
mod support;
use support::{fresh, fresh_in, new_resident, save, visit_to, NOW_MS, PHONE, VOLUNTEER};

fn name_in(view: &serde_json::Value) -> String {
    view["fields"]["name"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[wasm_bindgen_test]
async fn a_saved_change_is_shown_and_waits_in_the_outbox() {
    let (store, name) = fresh("save").await;
    let saved = save(&store, new_resident("高崎 花子"), NOW_MS).await;
    assert_eq!(saved.author, VOLUNTEER, "the signed-in user is the author");
    assert_eq!(
        (saved.device, saved.district_id),
        (PHONE, Some(DistrictId(1)))
    );
    assert_eq!(store.unsent_count().await.unwrap(), 1);
    let residents = store.records_of_kind(RecordKind::Resident).await.unwrap();
    assert_eq!(residents.len(), 1);
    assert_eq!(name_in(residents[0].view.as_ref().unwrap()), "高崎 花子");
    assert_eq!(store.next_batch(10).await.unwrap(), vec![saved]);
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn answers_empty_the_outbox_or_quarantine_and_doubtful_ones_change_nothing() {
    let (store, name) = fresh("answers").await;
    let first = save(&store, new_resident("一"), NOW_MS).await;
    let second = save(&store, new_resident("二"), NOW_MS + 1.0).await;
    let sent = store.next_batch(10).await.unwrap();
    assert_eq!(sent, vec![first.clone(), second.clone()], "oldest first");

    let short = vec![ItemResult::Accepted {
        id: first.id,
        stamp: first.stamp,
    }];
    assert!(!store.apply_push_answer("t", &sent, &short).await.unwrap());
    assert_eq!(store.unsent_count().await.unwrap(), 2);

    let answer = vec![
        ItemResult::Accepted {
            id: first.id,
            stamp: first.stamp,
        },
        ItemResult::Rejected {
            id: Some(second.id),
            stamp: Some(second.stamp),
            code: RejectCode::WrongDistrict,
            message: "担当外".into(),
            fields: vec![],
        },
    ];
    assert!(store.apply_push_answer("t", &sent, &answer).await.unwrap());
    assert_eq!(store.unsent_count().await.unwrap(), 0);
    let quarantined = store.quarantined().await.unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].code, RejectCode::WrongDistrict);
    let shown = store.records_of_kind(RecordKind::Resident).await.unwrap();
    assert_eq!(
        shown
            .iter()
            .map(|r| name_in(r.view.as_ref().unwrap()))
            .collect::<Vec<_>>(),
        vec!["一"],
        "the refused resident is not listed as if saved"
    );
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
    // Another phone made the resident; this phone pulled it, then edits it offline while
    // the other phone changes it again.
    let created = Change {
        id: RecordId::new_v7(NOW_MS as u64 - 5_000, [1; 10]),
        district_id: Some(DistrictId(1)),
        author: UserId(9),
        device: DeviceId(9),
        stamp: mimamori_core::hlc::Hlc {
            wall_ms: NOW_MS as u64 - 5_000,
            counter: 0,
            node: 9,
        },
        base: None,
        deleted: false,
        body: new_resident("旧姓").body,
    };
    let mut server = LwwRecord::default();
    let Body::Resident(patch) = &created.body else {
        unreachable!()
    };
    server.apply(field_writes(patch), created.stamp, None);
    let page_of = |seq: i64, state: &LwwRecord| PullResponse {
        records: vec![PulledRecord {
            id: created.id,
            kind: RecordKind::Resident,
            district_id: Some(DistrictId(1)),
            seq,
            tombstone: false,
            state: Some(serde_json::to_value(state).unwrap()),
        }],
        cursor: seq,
        more: false,
    };
    assert!(store
        .apply_pull_page("t", &page_of(5, &server))
        .await
        .unwrap());
    // An edit made offline after the server's version.
    let edit = Draft {
        id: Some(created.id),
        base: Some(created.stamp),
        body: Body::Resident(ResidentPatch {
            name: Some("新姓".into()),
            ..ResidentPatch::default()
        }),
        district: None,
        corrects: None,
        deleted: false,
    };
    save(&store, edit, NOW_MS).await;

    // The other phone's note arrives.
    let note = ResidentPatch {
        note: Some("犬がいます".into()),
        ..ResidentPatch::default()
    };
    let mut note_stamp = created.stamp;
    note_stamp.wall_ms += 1_000;
    server.apply(field_writes(&note), note_stamp, Some(created.stamp));
    assert!(store
        .apply_pull_page("t", &page_of(7, &server))
        .await
        .unwrap());
    assert_eq!(store.cursor().await.unwrap(), 7);
    let held = store.records_of_kind(RecordKind::Resident).await.unwrap();
    assert_eq!(held[0].seq, 7);
    assert_eq!(
        name_in(held[0].view.as_ref().unwrap()),
        "新姓",
        "the unsent edit still shows"
    );
    assert_eq!(
        held[0].view.as_ref().unwrap()["fields"]["note"]["value"],
        "犬がいます",
        "with the other phone's change"
    );

    let gone = PullResponse {
        records: vec![PulledRecord {
            id: created.id,
            kind: RecordKind::Resident,
            district_id: Some(DistrictId(1)),
            seq: 9,
            tombstone: true,
            state: None,
        }],
        cursor: 9,
        more: false,
    };
    assert!(store.apply_pull_page("t", &gone).await.unwrap());
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
    let saved = save(&store, new_resident("高崎 花子"), NOW_MS).await;
    store.wipe_user_data().await.unwrap();
    // A sync that was under way at sign-out stores nothing of the last user.
    let late_page = PullResponse {
        records: vec![PulledRecord {
            id: saved.id,
            kind: RecordKind::Resident,
            district_id: Some(DistrictId(1)),
            seq: 3,
            tombstone: false,
            state: Some(serde_json::json!({"fields": {}, "conflicts": {}})),
        }],
        cursor: 3,
        more: false,
    };
    assert!(!store.apply_pull_page("t", &late_page).await.unwrap());
    assert_eq!(store.cursor().await.unwrap(), 0);
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

#[wasm_bindgen_test]
async fn a_visit_names_a_resident_held_here_and_stamps_always_advance() {
    let (store, name) = fresh("visits").await;
    let resident = save(&store, new_resident("高崎 花子"), NOW_MS).await;
    // The phone's clock jumps back a minute: the stamps still go forward.
    let first = save(&store, visit_to(resident.id, "お元気でした"), NOW_MS).await;
    let second = save(
        &store,
        visit_to(resident.id, "庭にいらした"),
        NOW_MS - 60_000.0,
    )
    .await;
    assert!(resident.stamp < first.stamp && first.stamp < second.stamp);
    let visits = store.children_of(resident.id).await.unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(store.unsent_count().await.unwrap(), 3);
    store.close();
    Store::delete(&name).await.unwrap();
}

/// As on the server, a record deleted is no longer there to refer to: a visit to a resident
/// deleted on this phone is refused at once, not saved to be refused at the next sync.
#[wasm_bindgen_test]
async fn a_visit_to_a_resident_deleted_here_is_refused_as_the_server_would() {
    let (store, name) = fresh("deleted-parent").await;
    let resident = save(&store, new_resident("削除 ハナ"), NOW_MS).await;
    let deleted = Draft {
        id: Some(resident.id),
        base: Some(resident.stamp),
        deleted: true,
        ..new_resident("削除 ハナ")
    };
    save(&store, deleted, NOW_MS + 1.0).await;
    let random = [5; 10];
    let refused = store
        .save_made_here(visit_to(resident.id, "お元気でした"), NOW_MS + 2.0, random)
        .await;
    let Err(SaveError::Invalid(problems)) = refused else {
        panic!("saved a visit to a deleted resident: {refused:?}");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.problem == Problem::UnknownReference),
        "{problems:?}"
    );
    assert_eq!(store.unsent_count().await.unwrap(), 2, "nothing more waits");
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_refused_save_writes_nothing() {
    let (store, name) = fresh("refused").await;
    let unknown = RecordId::new_v7(NOW_MS as u64, [5; 10]);
    let refused = store
        .save_made_here(visit_to(unknown, "誰?"), NOW_MS, [7; 10])
        .await
        .unwrap_err();
    let SaveError::Invalid(problems) = &refused else {
        panic!("expected a validation error, got {refused:?}");
    };
    assert!(problems
        .iter()
        .any(|p| p.problem == Problem::UnknownReference));
    assert!(!refused.message_ja().is_empty());

    let too_long = "あ".repeat(mimamori_core::kinds::limits::visit::MAX_NOTE_CHARS + 1);
    let resident = save(&store, new_resident("高崎 花子"), NOW_MS).await;
    let refused = store
        .save_made_here(visit_to(resident.id, &too_long), NOW_MS, [8; 10])
        .await
        .unwrap_err();
    assert!(matches!(refused, SaveError::Invalid(_)));
    assert_eq!(store.unsent_count().await.unwrap(), 1, "only the resident");
    assert!(store.children_of(resident.id).await.unwrap().is_empty());

    store.wipe_user_data().await.unwrap();
    let refused = store
        .save_made_here(new_resident("高崎 花子"), NOW_MS, [9; 10])
        .await
        .unwrap_err();
    assert_eq!(refused, SaveError::NotSignedIn);
    assert_eq!(store.unsent_count().await.unwrap(), 0);
    store.close();
    Store::delete(&name).await.unwrap();
}

/// What version 3 of the app wrote: a record and an outbox entry with their states as
/// nested objects (version 4 writes them as JSON text). An update must read both.
#[wasm_bindgen_test]
async fn upgrading_from_schema_3_keeps_records_and_unsent_changes_written_as_objects() {
    let name = format!("mimamori-sync-upgrade3-{}", js_sys::Math::random());
    let v3 = Store::open_named(&name, 3).await.unwrap();
    let change = Change {
        id: RecordId::new_v7(NOW_MS as u64, [3; 10]),
        district_id: Some(DistrictId(1)),
        author: VOLUNTEER,
        device: PHONE,
        stamp: mimamori_core::hlc::Hlc {
            wall_ms: NOW_MS as u64,
            counter: 0,
            node: PHONE.0 as u64,
        },
        base: None,
        deleted: false,
        body: new_resident("高崎 花子").body,
    };
    let view =
        mimamori_core::sync::replica::local_view(RecordKind::Resident, None, &[&change]).unwrap();
    let as_object = serde_wasm_bindgen::Serializer::json_compatible();
    use serde::Serialize as _;
    let record = serde_json::json!({
        "id": change.id.to_string(), "kind": "resident", "seq": 0,
        "server_state": null, "view": view, "resident_id": null,
    })
    .serialize(&as_object)
    .unwrap();
    let entry = serde_json::json!({
        "id": format!("{}|{}", change.stamp, change.id), "record_id": change.id.to_string(),
        "created_at": NOW_MS, "change": change,
    })
    .serialize(&as_object)
    .unwrap();
    v3.put(mimamori::store::RECORDS, &record, None)
        .await
        .unwrap();
    v3.put(mimamori::store::OUTBOX, &entry, None).await.unwrap();
    v3.close();

    let current = Store::open_named(&name, mimamori::store::SCHEMA_VERSION)
        .await
        .unwrap();
    assert_eq!(current.version(), mimamori::store::SCHEMA_VERSION);
    current.pull_again_once_for_districts().await.unwrap();
    assert_eq!(
        current.cursor().await.unwrap(),
        0,
        "everything is pulled again, with its district"
    );
    assert_eq!(current.next_batch(10).await.unwrap(), vec![change]);
    let residents = current.records_of_kind(RecordKind::Resident).await.unwrap();
    assert_eq!(name_in(residents[0].view.as_ref().unwrap()), "高崎 花子");
    current.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_refused_visit_leaves_the_history_and_its_correction_replaces_it() {
    let (store, name) = fresh("correct").await;
    let resident = save(&store, new_resident("高崎 花子"), NOW_MS).await;
    let visit = save(&store, visit_to(resident.id, "最初の記録"), NOW_MS + 1.0).await;
    let sent = store.next_batch(10).await.unwrap();
    let answer = vec![
        ItemResult::Accepted {
            id: resident.id,
            stamp: resident.stamp,
        },
        ItemResult::Rejected {
            id: Some(visit.id),
            stamp: Some(visit.stamp),
            code: RejectCode::Invalid,
            message: "入力を確かめてください".into(),
            fields: vec![],
        },
    ];
    assert!(store.apply_push_answer("t", &sent, &answer).await.unwrap());
    let resident_key = resident.id;
    assert!(
        store.children_of(resident_key).await.unwrap().is_empty(),
        "a refused visit does not show as saved"
    );
    let refused = store.quarantined().await.unwrap();
    assert_eq!(refused.len(), 1);

    // Corrected in place: the same record, a new version, and the quarantine entry goes.
    let refused = &refused[0].change;
    let Body::Visit(mut body) = refused.body.clone() else {
        panic!("a visit was refused")
    };
    body.note = "直した記録".into();
    let corrected = Draft {
        id: Some(refused.id),
        base: refused.base,
        body: Body::Visit(body),
        district: None,
        corrects: Some(refused.stamp),
        deleted: false,
    };
    save(&store, corrected, NOW_MS + 2.0).await;
    assert!(store.quarantined().await.unwrap().is_empty());
    assert_eq!(store.unsent_count().await.unwrap(), 1);
    let visits = store.children_of(resident_key).await.unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].id, visit.id.to_string());
    assert_eq!(
        visits[0].view.as_ref().unwrap()["body"]["data"]["note"],
        "直した記録"
    );
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_visit_goes_to_its_residents_district_and_only_own_districts_are_used() {
    let (store, name) = fresh_in("districts", &[DistrictId(1), DistrictId(2)]).await;
    let mut in_second = new_resident("片岡 タロウ");
    in_second.district = Some(DistrictId(2));
    let resident = save(&store, in_second, NOW_MS).await;
    assert_eq!(
        resident.district_id,
        Some(DistrictId(2)),
        "where the user chose"
    );
    let visit = save(&store, visit_to(resident.id, "お元気"), NOW_MS + 1.0).await;
    assert_eq!(
        visit.district_id,
        Some(DistrictId(2)),
        "the resident's, not the first"
    );
    let in_first = save(&store, new_resident("乗附 ハナ"), NOW_MS + 2.0).await;
    assert_eq!(
        in_first.district_id,
        Some(DistrictId(1)),
        "the first when not chosen"
    );

    let mut elsewhere = new_resident("よその人");
    elsewhere.district = Some(DistrictId(9));
    let refused = store
        .save_made_here(elsewhere, NOW_MS + 3.0, [4; 10])
        .await
        .unwrap_err();
    assert_eq!(refused, SaveError::NoDistrict);
    store.close();
    Store::delete(&name).await.unwrap();
}

/// What version 4 of the app wrote: a visit naming its resident in `resident_id`, its
/// unsent change in the outbox, and a refused change stored flattened in the quarantine.
/// Version 5 names every record's parent in `parent_id`: after the upgrade the resident's
/// page must still find the visit, and nothing waiting or refused may be lost.
#[wasm_bindgen_test]
async fn upgrading_from_schema_4_keeps_every_record_and_finds_visits_by_their_parent() {
    let name = format!("mimamori-sync-upgrade4-{}", js_sys::Math::random());
    let v4 = Store::open_named(&name, 4).await.unwrap();
    let resident_id = RecordId::new_v7(NOW_MS as u64, [4; 10]);
    let visit = Change {
        id: RecordId::new_v7(NOW_MS as u64, [5; 10]),
        district_id: Some(DistrictId(1)),
        author: VOLUNTEER,
        device: PHONE,
        stamp: mimamori_core::hlc::Hlc {
            wall_ms: NOW_MS as u64,
            counter: 0,
            node: PHONE.0 as u64,
        },
        base: None,
        deleted: false,
        body: visit_to(resident_id, "お元気でした").body,
    };
    let refused = Change {
        id: RecordId::new_v7(NOW_MS as u64, [6; 10]),
        stamp: mimamori_core::hlc::Hlc {
            counter: 1,
            ..visit.stamp
        },
        ..visit.clone()
    };
    let as_object = serde_wasm_bindgen::Serializer::json_compatible();
    use serde::Serialize as _;
    let view = serde_json::to_string(&visit).unwrap();
    let record = serde_json::json!({
        "id": visit.id.to_string(), "kind": "visit", "seq": 0, "server_state": null,
        "view": view, "resident_id": resident_id.to_string(), "district_id": 1,
    })
    .serialize(&as_object)
    .unwrap();
    let entry = serde_json::json!({
        "id": format!("{}|{}", visit.stamp, visit.id), "record_id": visit.id.to_string(),
        "created_at": NOW_MS, "change": serde_json::to_string(&visit).unwrap(),
    })
    .serialize(&as_object)
    .unwrap();
    let quarantined = serde_json::json!({
        "id": format!("{}|{}", refused.stamp, refused.id), "record_id": refused.id.to_string(),
        "change": refused, "code": "invalid", "message": "入力を確かめてください",
        "fields": [{"field": "note", "code": "too_long", "max_chars": 1000}],
    })
    .serialize(&as_object)
    .unwrap();
    v4.put(mimamori::store::RECORDS, &record, None)
        .await
        .unwrap();
    v4.put(mimamori::store::OUTBOX, &entry, None).await.unwrap();
    v4.put(mimamori::store::QUARANTINE, &quarantined, None)
        .await
        .unwrap();
    v4.close();

    let current = Store::open_named(&name, mimamori::store::SCHEMA_VERSION)
        .await
        .unwrap();
    assert_eq!(current.version(), mimamori::store::SCHEMA_VERSION);
    let visits = current.children_of(resident_id).await.unwrap();
    assert_eq!(visits.len(), 1, "the resident's page finds its visit");
    assert_eq!(visits[0].parent_id, Some(resident_id.to_string()));
    assert_eq!(current.next_batch(10).await.unwrap(), vec![visit.clone()]);
    let refused_now = current.quarantined().await.unwrap();
    assert_eq!(refused_now.len(), 1);
    assert_eq!(refused_now[0].change, refused);
    assert_eq!(refused_now[0].fields[0].field, "note");
    // Schema 6 works out each resident's latest visit from the records it finds.
    let latest = current.latest_children().await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(
        (latest[0].parent.clone(), latest[0].child.clone()),
        (resident_id.to_string(), visit.id.to_string())
    );
    current.close();
    // Opening again does the pass no more (and changes nothing).
    let again = Store::open_named(&name, mimamori::store::SCHEMA_VERSION)
        .await
        .unwrap();
    assert_eq!(again.children_of(resident_id).await.unwrap().len(), 1);
    again.close();
    Store::delete(&name).await.unwrap();
}

fn visit_at(resident: RecordId, note: &str, days_ago: i64) -> Draft {
    let mut draft = visit_to(resident, note);
    if let Body::Visit(visit) = &mut draft.body {
        visit.visited_at_ms = NOW_MS as i64 - 60_000 - days_ago * 86_400_000;
    }
    draft
}

async fn latest_child(store: &Store, resident: RecordId) -> Option<String> {
    store
        .latest_children()
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.parent == resident.to_string())
        .map(|l| l.child)
}

#[wasm_bindgen_test]
async fn each_residents_latest_visit_follows_saves_refusals_and_pulls() {
    let (store, name) = fresh("latest").await;
    let resident = save(&store, new_resident("最新 ハナ"), NOW_MS).await;
    let older = save(&store, visit_at(resident.id, "前の訪問", 2), NOW_MS + 1.0).await;
    let newer = save(&store, visit_at(resident.id, "新しい訪問", 0), NOW_MS + 2.0).await;
    assert_eq!(
        latest_child(&store, resident.id).await,
        Some(newer.id.to_string())
    );
    // A visit written later about an earlier day does not replace the latest.
    let oldest = save(&store, visit_at(resident.id, "十日前", 10), NOW_MS + 3.0).await;
    assert_eq!(
        latest_child(&store, resident.id).await,
        Some(newer.id.to_string())
    );

    // The newest is refused: it no longer counts, the one before does.
    let sent = store.next_batch(10).await.unwrap();
    let answer: Vec<ItemResult> = sent
        .iter()
        .map(|c| {
            if c.id == newer.id {
                ItemResult::Rejected {
                    id: Some(c.id),
                    stamp: Some(c.stamp),
                    code: RejectCode::Invalid,
                    message: "入力を確かめてください".into(),
                    fields: vec![],
                }
            } else {
                ItemResult::Accepted {
                    id: c.id,
                    stamp: c.stamp,
                }
            }
        })
        .collect();
    assert!(store.apply_push_answer("t", &sent, &answer).await.unwrap());
    assert_eq!(
        latest_child(&store, resident.id).await,
        Some(older.id.to_string())
    );

    // The server takes visits away (tombstones): the latest is found again, then none.
    for (n, (gone, then)) in [(older.id, Some(oldest.id.to_string())), (oldest.id, None)]
        .into_iter()
        .enumerate()
    {
        let page = PullResponse {
            records: vec![PulledRecord {
                id: gone,
                kind: RecordKind::Visit,
                district_id: Some(DistrictId(1)),
                seq: 10 + n as i64,
                tombstone: true,
                state: None,
            }],
            cursor: 10 + n as i64,
            more: false,
        };
        assert!(store.apply_pull_page("t", &page).await.unwrap());
        assert_eq!(latest_child(&store, resident.id).await, then);
    }
    store.close();
    Store::delete(&name).await.unwrap();
}

/// A save works the latest entry out before it writes anything: an edit or a deletion made
/// here must hand the latest on as if the records were already written.
#[wasm_bindgen_test]
async fn a_visit_corrected_to_an_earlier_day_or_deleted_here_hands_the_latest_on() {
    let (store, name) = fresh("latest-here").await;
    let resident = save(&store, new_resident("訂正 ハナ"), NOW_MS).await;
    let older = save(&store, visit_at(resident.id, "三日前", 3), NOW_MS + 1.0).await;
    let newer = save(&store, visit_at(resident.id, "今日", 0), NOW_MS + 2.0).await;
    assert_eq!(
        latest_child(&store, resident.id).await,
        Some(newer.id.to_string())
    );
    // 直す: the newest was in fact a week ago; the one three days ago is now the latest.
    let corrected = Draft {
        id: Some(newer.id),
        base: Some(newer.stamp),
        ..visit_at(resident.id, "一週間前でした", 7)
    };
    let corrected = save(&store, corrected, NOW_MS + 3.0).await;
    assert_eq!(
        latest_child(&store, resident.id).await,
        Some(older.id.to_string())
    );
    // The latest is deleted here (まちがえて押した): the corrected one takes its place.
    let deleted = Draft {
        id: Some(older.id),
        base: Some(older.stamp),
        deleted: true,
        ..visit_at(resident.id, "三日前", 3)
    };
    save(&store, deleted, NOW_MS + 4.0).await;
    assert_eq!(
        latest_child(&store, resident.id).await,
        Some(corrected.id.to_string())
    );
    // And with that one deleted too, the resident has no latest visit.
    let last = Draft {
        id: Some(corrected.id),
        base: Some(corrected.stamp),
        deleted: true,
        ..visit_at(resident.id, "一週間前でした", 7)
    };
    save(&store, last, NOW_MS + 5.0).await;
    assert_eq!(latest_child(&store, resident.id).await, None);
    assert_eq!(store.unsent_count().await.unwrap(), 6);
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_visit_and_its_follow_up_are_saved_together_or_not_at_all() {
    use mimamori_core::kinds::FollowUpPatch;
    let (store, name) = fresh("together").await;
    let resident = save(&store, new_resident("一緒 ハナ"), NOW_MS).await;
    let visit_id = RecordId::new_v7(NOW_MS as u64, [7; 10]);
    let visit = Draft {
        id: Some(visit_id),
        ..visit_to(resident.id, "台所が散らかっていた")
    };
    let follow_up = |what: &str| {
        Draft::new(Body::FollowUp(FollowUpPatch {
            resident_id: Some(resident.id),
            visit_id: Some(visit_id),
            what: Some(what.into()),
            owner: Some(VOLUNTEER),
            done: Some(false),
            ..FollowUpPatch::default()
        }))
    };
    let key = format!("visit|{}", resident.id);
    store
        .keep_form_draft(&key, &serde_json::json!({"note": "台所"}))
        .await
        .unwrap();
    // A follow-up the rules refuse (no words) stops the visit too, and the draft stays.
    let refused = store
        .save_all(
            vec![visit.clone(), follow_up("")],
            Some(key.clone()),
            NOW_MS + 1.0,
            &mut || [8; 10],
        )
        .await;
    assert!(matches!(refused, Err(SaveError::Invalid(_))), "{refused:?}");
    assert_eq!(
        store.unsent_count().await.unwrap(),
        1,
        "only the resident waits"
    );
    assert!(store.children_of(resident.id).await.unwrap().is_empty());
    assert!(store.form_draft(&key).await.unwrap().is_some());

    let saved = store
        .save_all(
            vec![visit, follow_up("ご家族に伝える")],
            Some(key.clone()),
            NOW_MS + 2.0,
            &mut || [9; 10],
        )
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    assert!(
        saved[0].stamp < saved[1].stamp,
        "stamps advance within a save"
    );
    assert_eq!(store.unsent_count().await.unwrap(), 3);
    assert_eq!(store.children_of(resident.id).await.unwrap().len(), 2);
    assert!(
        store.form_draft(&key).await.unwrap().is_none(),
        "the draft left with the save"
    );
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn records_made_since_a_time_are_read_by_their_ids_alone() {
    let (store, name) = fresh("since").await;
    let resident = save(
        &store,
        new_resident("最近 ハナ"),
        NOW_MS - 30.0 * 86_400_000.0,
    )
    .await;
    let month_ago = save(
        &store,
        visit_at(resident.id, "一か月前", 30),
        NOW_MS - 30.0 * 86_400_000.0 + 1.0,
    )
    .await;
    let yesterday = save(
        &store,
        visit_at(resident.id, "昨日", 1),
        NOW_MS - 86_400_000.0,
    )
    .await;
    let today = save(&store, visit_at(resident.id, "今日", 0), NOW_MS).await;
    let since = |days: f64| NOW_MS - days * 86_400_000.0 - 1.0;
    let ids = |records: Vec<mimamori::store::LocalRecord>| {
        let mut ids: Vec<String> = records.into_iter().map(|r| r.id).collect();
        ids.sort();
        ids
    };
    let recent = store
        .records_made_since(RecordKind::Visit, since(2.0))
        .await
        .unwrap();
    let mut expected = vec![yesterday.id.to_string(), today.id.to_string()];
    expected.sort();
    assert_eq!(
        ids(recent),
        expected,
        "the month-old visit and the resident are left out"
    );
    let all = store
        .records_made_since(RecordKind::Visit, since(40.0))
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(ids(all).contains(&month_ago.id.to_string()));
    store.close();
    Store::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_visit_may_name_an_entry_this_phone_holds_and_no_other() {
    let (store, name) = fresh("introduced").await;
    let resident = save(&store, new_resident("紹介 ハナ"), NOW_MS).await;
    // The directory's entry, as a pull brings it.
    let entry_id = RecordId::new_v7(NOW_MS as u64 - 9_000, [4; 10]);
    let mut entry = LwwRecord::default();
    let patch = ResourcePatch {
        name: Some("おとしよりぐるりんタクシー".into()),
        categories: Some(vec![Category::Transport]),
        ..ResourcePatch::default()
    };
    let stamp = mimamori_core::hlc::Hlc {
        wall_ms: NOW_MS as u64 - 9_000,
        counter: 0,
        node: 9,
    };
    entry.apply(field_writes(&patch), stamp, None);
    let page = PullResponse {
        records: vec![PulledRecord {
            id: entry_id,
            kind: RecordKind::Resource,
            district_id: None,
            seq: 3,
            tombstone: false,
            state: Some(serde_json::to_value(&entry).unwrap()),
        }],
        cursor: 3,
        more: false,
    };
    assert!(store.apply_pull_page("t", &page).await.unwrap());

    let naming = |referred: RecordId| {
        let mut draft = visit_to(resident.id, "タクシーを紹介");
        if let Body::Visit(visit) = &mut draft.body {
            visit.referred_resources = vec![referred];
        }
        draft
    };
    let saved = save(&store, naming(entry_id), NOW_MS + 1.0).await;
    let Body::Visit(visit) = &saved.body else {
        unreachable!()
    };
    assert_eq!(visit.referred_resources, vec![entry_id]);
    let unknown = RecordId::new_v7(NOW_MS as u64 - 8_000, [5; 10]);
    let random = [7; 10];
    match store
        .save_made_here(naming(unknown), NOW_MS + 2.0, random)
        .await
    {
        Err(SaveError::Invalid(problems)) => {
            assert_eq!(problems[0].field, "referred_resources");
            assert_eq!(problems[0].problem, Problem::UnknownReference);
        }
        other => panic!("an unknown entry was accepted: {other:?}"),
    }
    store.close();
    Store::delete(&name).await.unwrap();
}
