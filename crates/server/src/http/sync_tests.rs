//! Push and pull through the real router: exactly once, per-item results, permission.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use mimamori_core::kinds::ResidentPatch;
use mimamori_core::record::{Body as RecordBody, Change, DistrictId};
use serde_json::json;

use super::test_support::*;

#[tokio::test]
async fn a_volunteers_records_reach_the_server_once_and_their_coordinator_pulls_them() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let hana = id(1);
    let batch = [
        change(&v1, hana, 0, resident(v1.user)),
        change(&v1, id(2), 1, visit(hana, v1.user, "お元気でした")),
    ];
    let results = push(&app, &v1, &batch).await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );

    // The response was lost: the phone sends the same batch again. Nothing doubles.
    push(&app, &v1, &batch).await;
    let (_, page) = call(
        &app,
        Method::GET,
        "/api/v1/sync/pull?cursor=0",
        &sc.token,
        None,
    )
    .await;
    let records = page["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["state"]["body"]["data"]["note"], "お元気でした");
    assert_eq!(page["more"], false);

    // Nothing new after the cursor.
    let path = format!("/api/v1/sync/pull?cursor={}", page["cursor"]);
    let (_, next) = call(&app, Method::GET, &path, &sc.token, None).await;
    assert_eq!(next["records"], json!([]));
}

#[tokio::test]
async fn one_bad_item_never_blocks_the_rest() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    let v2 = sign_in(&app, "vol2").await;
    let hana = id(1);
    let mut forged = change(&v1, id(3), 1, visit(hana, v1.user, ""));
    forged.author = v2.user;
    let mut elsewhere = change(&v1, id(4), 2, resident(v1.user));
    elsewhere.district_id = Some(DistrictId(2));
    let batch = [
        change(&v1, hana, 0, resident(v1.user)),
        forged,
        elsewhere,
        change(&v1, id(5), 3, visit(hana, v1.user, "")),
    ];
    let results = push(&app, &v1, &batch).await;
    let statuses: Vec<(&str, Option<&str>)> = results
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["code"].as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("accepted", None),
            ("rejected", Some("forged_author")),
            ("rejected", Some("wrong_district")),
            ("accepted", None)
        ]
    );
    assert!(results[1]["message"].as_str().unwrap().contains("別の人"));
    assert_eq!(pull_ids(&app, &v1).await.len(), 2);
}

#[tokio::test]
async fn each_role_pulls_only_what_it_may_see() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    let v2 = sign_in(&app, "vol2").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let other_sc = sign_in(&app, "sc.kataoka").await;
    let city = sign_in(&app, "city").await;
    let hana = id(1);
    push(
        &app,
        &v1,
        &[
            change(&v1, hana, 0, resident(v1.user)),
            change(&v1, id(2), 1, visit(hana, v1.user, "")),
        ],
    )
    .await;

    assert_eq!(
        pull_ids(&app, &v1).await.len(),
        2,
        "their own resident and visit"
    );
    assert!(pull_ids(&app, &v2).await.is_empty(), "not assigned to v2");
    assert_eq!(pull_ids(&app, &sc).await.len(), 2, "the district's SC");
    assert!(
        pull_ids(&app, &other_sc).await.is_empty(),
        "another district's SC"
    );
    assert!(
        pull_ids(&app, &city).await.is_empty(),
        "the city sees totals, not names"
    );

    // v2 cannot log a visit to a resident they may not see.
    let results = push(
        &app,
        &v2,
        &[change(&v2, id(9), 0, visit(hana, v2.user, ""))],
    )
    .await;
    assert_eq!(results[0]["code"], "not_allowed");
}

#[tokio::test]
async fn pull_pages_move_the_cursor_and_bad_queries_are_refused() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let v1 = sign_in(&app, "vol1").await;
    let hana = id(1);
    let mut batch = vec![change(&v1, hana, 0, resident(v1.user))];
    for n in 1..=4u8 {
        batch.push(change(
            &v1,
            id(10 + n),
            u32::from(n),
            visit(hana, v1.user, ""),
        ));
    }
    push(&app, &v1, &batch).await;
    let mut cursor = 0;
    let mut seen = 0;
    loop {
        let (_, page) = call(
            &app,
            Method::GET,
            &format!("/api/v1/sync/pull?cursor={cursor}&limit=2"),
            &sc.token,
            None,
        )
        .await;
        seen += page["records"].as_array().unwrap().len();
        cursor = page["cursor"].as_i64().unwrap();
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(seen, 5);
    for bad in [
        "limit=0",
        "limit=100000",
        "cursor=-1",
        "cursor=abc",
        "since=1",
    ] {
        let (status, json) = call(
            &app,
            Method::GET,
            &format!("/api/v1/sync/pull?{bad}"),
            &sc.token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {json}");
    }
}

#[tokio::test]
async fn bad_push_bodies_are_json_errors_and_change_nothing() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    for body in [
        json!({"changes": "nope"}),
        json!({"changes": [], "extra": 1}),
    ] {
        let (status, json) = call(
            &app,
            Method::POST,
            "/api/v1/sync/push",
            &v1.token,
            Some(body),
        )
        .await;
        assert!(status.is_client_error(), "{json}");
        assert!(json["error"]["code"].is_string());
    }
    // An item that is not a change is refused alone (per item), not the batch.
    let (status, json) = call(
        &app,
        Method::POST,
        "/api/v1/sync/push",
        &v1.token,
        Some(json!({"changes": [{"id": "x"}]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["results"][0]["code"], "malformed");
    let too_many: Vec<Change> = (0..=mimamori_core::sync::MAX_PUSH_BATCH as u32)
        .map(|n| change(&v1, id(1), n, resident(v1.user)))
        .collect();
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/sync/push",
        &v1.token,
        Some(json!({ "changes": too_many })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/sync/push",
        "0".repeat(64).as_str(),
        Some(json!({"changes": []})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(pull_ids(&app, &sc).await.is_empty());
}

#[tokio::test]
async fn reassigning_a_resident_moves_it_and_its_visits_between_phones() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    let v2 = sign_in(&app, "vol2").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let hana = id(1);
    let first = change(&v1, hana, 0, resident(v1.user));
    push(
        &app,
        &v1,
        &[
            first.clone(),
            change(&v1, id(2), 1, visit(hana, v1.user, "")),
        ],
    )
    .await;
    let (_, v1_cursor) = pull_after(&app, &v1, 0).await;
    let (nothing, v2_cursor) = pull_after(&app, &v2, 0).await;
    assert!(nothing.is_empty());

    let mut reassign = change(
        &sc,
        hana,
        5,
        RecordBody::Resident(ResidentPatch {
            assigned_volunteers: Some([v2.user].into_iter().collect()),
            ..ResidentPatch::default()
        }),
    );
    reassign.base = Some(first.stamp);
    let results = push(&app, &sc, &[reassign]).await;
    assert_eq!(results[0]["status"], "accepted", "{results:?}");

    let (gone, _) = pull_after(&app, &v1, v1_cursor).await;
    assert!(
        gone.len() >= 2 && gone.iter().all(|(_, tombstone)| *tombstone),
        "v1 loses both: {gone:?}"
    );
    let (arrived, _) = pull_after(&app, &v2, v2_cursor).await;
    let live: BTreeSet<&str> = arrived
        .iter()
        .filter(|(_, t)| !*t)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        live.len(),
        2,
        "v2 gains the resident and its earlier visit: {arrived:?}"
    );
}

#[tokio::test]
async fn leaving_a_district_removes_its_records_at_the_next_pull() {
    let (app, storage) = app_and_storage().await;
    let v1 = sign_in(&app, "vol1").await;
    let hana = id(1);
    push(
        &app,
        &v1,
        &[
            change(&v1, hana, 0, resident(v1.user)),
            change(&v1, id(2), 1, visit(hana, v1.user, "")),
        ],
    )
    .await;
    let (held, cursor) = pull_after(&app, &v1, 0).await;
    assert_eq!(held.len(), 2);

    use crate::storage::Accounts as _;
    storage
        .set_user_districts(v1.user, &[DistrictId(2)])
        .await
        .unwrap();
    let (gone, _) = pull_after(&app, &v1, cursor).await;
    let ids: BTreeSet<&str> = gone
        .iter()
        .filter(|(_, t)| *t)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids.len(), 2, "both become tombstones: {gone:?}");
}

#[tokio::test]
async fn every_role_pulls_each_record_once() {
    let app = app().await;
    let city = sign_in(&app, "city").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let (city_wide, in_noritsuke) = (id(30), id(31));
    let entry = |by: &Signed, entry: mimamori_core::record::RecordId, district| {
        let mut made = change(
            by,
            entry,
            0,
            RecordBody::Resource(mimamori_core::kinds::ResourcePatch {
                name: Some("おとしよりぐるりんタクシー".into()),
                categories: Some(vec![mimamori_core::kinds::Category::Transport]),
                ..Default::default()
            }),
        );
        made.district_id = district;
        made
    };
    let results = push(&app, &city, &[entry(&city, city_wide, None)]).await;
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let results = push(&app, &sc, &[entry(&sc, in_noritsuke, Some(DistrictId(1)))]).await;
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    // The city reads no district, so the part of the pull for other districts' shared
    // kinds read the city-wide entry again: sent twice in every pull.
    for login in ["city", "sc.noritsuke", "sc.kataoka", "vol1"] {
        let by = sign_in(&app, login).await;
        let held = pull_ids(&app, &by).await;
        let once: BTreeSet<&String> = held.iter().collect();
        assert_eq!(once.len(), held.len(), "{login} pulled {held:?}");
        assert!(held.contains(&city_wide.to_string()), "{login}: {held:?}");
        assert!(
            held.contains(&in_noritsuke.to_string()),
            "{login}: {held:?}"
        );
    }
}
