//! What the HTTP tests share: a router over an in-memory database with two districts and
//! a person of each role, signing in, and making changes as a phone would.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use mimamori_core::account::Role;
use mimamori_core::calendar::CivilDate;
use mimamori_core::hlc::Hlc;
use mimamori_core::kinds::{Consent, ResidentPatch};
use mimamori_core::kinds::{Outcome, VisitBody, VisitMethod};
use mimamori_core::record::{Body as RecordBody, Change, DeviceId, DistrictId, RecordId, UserId};
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::{router, AppState};
use crate::admin::{create_district, create_user, UserSpec};
use crate::storage::SqliteStorage;

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) struct Signed {
    pub token: String,
    pub user: UserId,
    pub device: DeviceId,
}

pub(crate) async fn app() -> Router {
    app_and_storage().await.0
}

pub(crate) async fn app_and_storage() -> (Router, Arc<SqliteStorage>) {
    app_with(|state| state).await
}

/// The test app with its state adjusted (a password gate, trusted proxies…).
pub(crate) async fn app_with(
    configure: impl FnOnce(AppState) -> AppState,
) -> (Router, Arc<SqliteStorage>) {
    let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
    create_district(&storage, "乗附").await.unwrap();
    create_district(&storage, "片岡").await.unwrap();
    for (login_id, role, district) in [
        ("vol1", Role::Volunteer, "乗附"),
        ("vol2", Role::Volunteer, "乗附"),
        ("sc.noritsuke", Role::Coordinator, "乗附"),
        ("sc.kataoka", Role::Coordinator, "片岡"),
    ] {
        let districts = [district.to_owned()];
        let spec = UserSpec {
            login_id,
            display_name: login_id,
            role,
            districts: &districts,
        };
        create_user(&storage, spec, Some(PASSWORD)).await.unwrap();
    }
    let city = UserSpec {
        login_id: "city",
        display_name: "市",
        role: Role::City,
        districts: &[],
    };
    create_user(&storage, city, Some(PASSWORD)).await.unwrap();
    let storage = Arc::new(storage);
    let state = configure(AppState::new(storage.clone(), None));
    (router(state), storage)
}

pub(crate) async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub(crate) async fn sign_in(app: &Router, login_id: &str) -> Signed {
    let request = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"login_id": login_id, "password": PASSWORD, "device_name": "端末"}).to_string(),
        ))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    Signed {
        token: json["token"].as_str().unwrap().to_owned(),
        user: UserId(json["me"]["user_id"].as_i64().unwrap()),
        device: DeviceId(json["me"]["device_id"].as_i64().unwrap()),
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

pub(crate) fn change(by: &Signed, id: RecordId, counter: u32, body: RecordBody) -> Change {
    Change {
        id,
        district_id: Some(DistrictId(1)),
        author: by.user,
        device: by.device,
        stamp: Hlc {
            wall_ms: now_ms(),
            counter,
            node: by.device.0 as u64,
        },
        base: None,
        deleted: false,
        body,
    }
}

pub(crate) fn resident(assigned: UserId) -> RecordBody {
    RecordBody::Resident(ResidentPatch {
        name: Some("乗附 ハナ".into()),
        assigned_volunteers: Some([assigned].into_iter().collect()),
        consent: Some(Consent {
            date: CivilDate::new(2026, 11, 1).unwrap(),
            scope: "見守り訪問".into(),
            share_with_center: false,
            taken_by: assigned,
        }),
        ..ResidentPatch::default()
    })
}

pub(crate) fn visit(resident: RecordId, by: UserId, note: &str) -> RecordBody {
    RecordBody::Visit(VisitBody {
        resident_id: resident,
        visited_at_ms: now_ms() as i64 - 60_000,
        visitors: vec![by],
        method: VisitMethod::Met,
        outcome: Outcome::Fine,
        signs: BTreeSet::new(),
        needs: BTreeSet::new(),
        actions: BTreeSet::new(),
        referred_resources: vec![],
        resources_note: String::new(),
        follow_up: None,
        note: note.into(),
    })
}

pub(crate) fn id(n: u8) -> RecordId {
    RecordId::new_v7(now_ms(), [n; 10])
}

pub(crate) async fn push(app: &Router, by: &Signed, changes: &[Change]) -> Vec<Value> {
    let (status, json) = call(
        app,
        Method::POST,
        "/api/v1/sync/push",
        &by.token,
        Some(json!({ "changes": changes })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json["results"].as_array().unwrap().clone()
}

pub(crate) async fn pull_ids(app: &Router, by: &Signed) -> Vec<String> {
    let (status, json) = call(
        app,
        Method::GET,
        "/api/v1/sync/pull?cursor=0",
        &by.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn pull_after(
    app: &Router,
    by: &Signed,
    cursor: i64,
) -> (Vec<(String, bool)>, i64) {
    let path = format!("/api/v1/sync/pull?cursor={cursor}");
    let (status, page) = call(app, Method::GET, &path, &by.token, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let records = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["tombstone"].as_bool().unwrap(),
            )
        })
        .collect();
    (records, page["cursor"].as_i64().unwrap())
}
