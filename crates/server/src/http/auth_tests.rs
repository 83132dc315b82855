//! Signing in, bearer tokens, revocation and device management, per role.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use mimamori_core::account::Role;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::*;
use crate::admin::{create_district, create_user, UserSpec};
use crate::storage::SqliteStorage;

const PASSWORD: &str = "correct horse battery";

async fn app() -> Router {
    let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
    create_district(&storage, "乗附").await.unwrap();
    create_district(&storage, "片岡").await.unwrap();
    let people = [
        ("v.noritsuke", Role::Volunteer, Some("乗附")),
        ("sc.noritsuke", Role::Coordinator, Some("乗附")),
        ("v.kataoka", Role::Volunteer, Some("片岡")),
        ("city", Role::City, None),
        ("admin", Role::Admin, None),
    ];
    for (login_id, role, district) in people {
        let districts: Vec<String> = district.into_iter().map(str::to_owned).collect();
        let spec = UserSpec {
            login_id,
            display_name: login_id,
            role,
            districts: &districts,
        };
        create_user(&storage, spec, Some(PASSWORD)).await.unwrap();
    }
    router(AppState::new(Arc::new(storage), None))
}

async fn send(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    let response = app.clone().oneshot(request.unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn login(app: &Router, login_id: &str) -> String {
    let body = json!({"login_id": login_id, "password": PASSWORD, "device_name": "テスト端末"});
    let (status, json) = send(app, Method::POST, "/api/v1/login", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn login_issues_a_token_that_identifies_the_device_and_user() {
    let app = app().await;
    let token = login(&app, "V.Noritsuke").await;
    assert_eq!(token.len(), 64);
    let (status, me) = send(&app, Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["login_id"], "v.noritsuke");
    assert_eq!(me["role"], "volunteer");
    assert_eq!(me["districts"], json!([1]));
}

#[tokio::test]
async fn wrong_password_unknown_user_and_bad_bodies_are_refused() {
    let app = app().await;
    for login_id in ["v.noritsuke", "nobody"] {
        let body = json!({"login_id": login_id, "password": "wrong password", "device_name": "x"});
        let (status, json) = send(&app, Method::POST, "/api/v1/login", None, Some(body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            json["error"]["code"], "invalid_credentials",
            "same answer for both"
        );
    }
    let blank_device = json!({"login_id": "v.noritsuke", "password": PASSWORD, "device_name": " "});
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/login",
        None,
        Some(blank_device),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let extra = json!({"login_id": "v.noritsuke", "password": PASSWORD, "device_name": "x", "role": "admin"});
    let (status, _) = send(&app, Method::POST, "/api/v1/login", None, Some(extra)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_with_retry_after() {
    let app = app().await;
    let wrong = json!({"login_id": "v.noritsuke", "password": "guess guess", "device_name": "x"});
    for _ in 0..6 {
        send(
            &app,
            Method::POST,
            "/api/v1/login",
            None,
            Some(wrong.clone()),
        )
        .await;
    }
    let right = json!({"login_id": "v.noritsuke", "password": PASSWORD, "device_name": "x"});
    let response = app
        .clone()
        .oneshot(
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(right.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    // Other accounts are not held up by one account's guesses.
    login(&app, "v.kataoka").await;
}

#[tokio::test]
async fn missing_or_forged_tokens_are_401() {
    let app = app().await;
    let (status, json) = send(&app, Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(
        (status, json["error"]["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("unauthorized"))
    );
    let forged = "0".repeat(64);
    let (status, _) = send(&app, Method::GET, "/api/v1/me", Some(&forged), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&app, Method::GET, "/api/v1/me", Some("short"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn device_lists_follow_the_role_and_district() {
    let app = app().await;
    let volunteer = login(&app, "v.noritsuke").await;
    login(&app, "v.kataoka").await;
    let sc = login(&app, "sc.noritsuke").await;
    let admin = login(&app, "admin").await;
    let city = login(&app, "city").await;

    for token in [&volunteer, &city] {
        let (status, json) = send(&app, Method::GET, "/api/v1/devices", Some(token), None).await;
        assert_eq!(
            (status, json["error"]["code"].clone()),
            (StatusCode::FORBIDDEN, json!("forbidden"))
        );
    }
    let (_, mine) = send(&app, Method::GET, "/api/v1/devices", Some(&sc), None).await;
    let logins: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["login_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        logins,
        ["v.noritsuke", "sc.noritsuke"],
        "only 乗附's people"
    );
    let (_, all) = send(&app, Method::GET, "/api/v1/devices", Some(&admin), None).await;
    assert_eq!(all.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_coordinator_revokes_a_lost_phone_and_it_is_told_at_its_next_call() {
    let app = app().await;
    let volunteer = login(&app, "v.noritsuke").await;
    let kataoka = login(&app, "v.kataoka").await;
    let sc = login(&app, "sc.noritsuke").await;
    let (_, me) = send(&app, Method::GET, "/api/v1/me", Some(&volunteer), None).await;
    let (_, other) = send(&app, Method::GET, "/api/v1/me", Some(&kataoka), None).await;

    // Another district's device is invisible to this SC.
    let path = format!("/api/v1/devices/{}/revoke", other["device_id"]);
    let (status, _) = send(&app, Method::POST, &path, Some(&sc), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A volunteer cannot revoke anything.
    let path = format!("/api/v1/devices/{}/revoke", me["device_id"]);
    let (status, _) = send(&app, Method::POST, &path, Some(&volunteer), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, device) = send(&app, Method::POST, &path, Some(&sc), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(device["revoked"], true);
    let (status, json) = send(&app, Method::GET, "/api/v1/me", Some(&volunteer), None).await;
    assert_eq!(
        (status, json["error"]["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("device_revoked"))
    );
    // The person can sign in again on a new device; the other district is untouched.
    login(&app, "v.noritsuke").await;
    let (status, _) = send(&app, Method::GET, "/api/v1/me", Some(&kataoka), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_temporary_password_is_replaced_by_its_owner_only_with_the_current_one() {
    let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
    create_district(&storage, "乗附").await.unwrap();
    let districts = ["乗附".to_owned()];
    let spec = UserSpec {
        login_id: "new.volunteer",
        display_name: "新しい人",
        role: Role::Volunteer,
        districts: &districts,
    };
    let printed = create_user(&storage, spec, None).await.unwrap();
    let temporary = printed
        .lines()
        .find_map(|line| line.strip_prefix("temporary password: "))
        .unwrap()
        .to_owned();
    let app = router(AppState::new(Arc::new(storage), None));
    let body = json!({"login_id": "new.volunteer", "password": temporary, "device_name": "スマホ"});
    let (status, answer) = send(&app, Method::POST, "/api/v1/login", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["me"]["must_change_password"], true);
    let token = answer["token"].as_str().unwrap().to_owned();
    // Someone else saw the printed password and signed in too.
    let body = json!({"login_id": "new.volunteer", "password": temporary, "device_name": "誰か"});
    let (_, other) = send(&app, Method::POST, "/api/v1/login", None, Some(body)).await;
    let other_token = other["token"].as_str().unwrap().to_owned();
    let path = "/api/v1/me/password";

    let wrong = json!({"current_password": "not the one", "new_password": "sakura-no-hana"});
    let (status, answer) = send(&app, Method::POST, path, Some(&token), Some(wrong)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"]["code"], "invalid_credentials");

    let short = json!({"current_password": temporary, "new_password": "short"});
    let (status, answer) = send(&app, Method::POST, path, Some(&token), Some(short)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    let unknown =
        json!({"current_password": temporary, "new_password": "sakura-no-hana", "admin": true});
    let (status, _) = send(&app, Method::POST, path, Some(&token), Some(unknown)).await;
    assert!(status.is_client_error());

    let (status, _) = send(&app, Method::POST, path, None, Some(json!({}))).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "only for a signed-in caller"
    );

    let good = json!({"current_password": temporary, "new_password": "sakura-no-hana"});
    let (status, me) = send(&app, Method::POST, path, Some(&token), Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["must_change_password"], false);
    let (_, me) = send(&app, Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me["must_change_password"], false, "the same device goes on");
    let (status, answer) = send(&app, Method::GET, "/api/v1/me", Some(&other_token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer["error"]["code"], "device_revoked",
        "the other device is out"
    );

    let old = json!({"login_id": "new.volunteer", "password": temporary, "device_name": "別"});
    let (status, _) = send(&app, Method::POST, "/api/v1/login", None, Some(old)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the temporary one is gone"
    );
    let new =
        json!({"login_id": "new.volunteer", "password": "sakura-no-hana", "device_name": "別"});
    let (status, answer) = send(&app, Method::POST, "/api/v1/login", None, Some(new)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["me"]["must_change_password"], false);
}
