//! The API's promises about bad input, checked through the real router.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use http_body_util::BodyExt as _;
use serde::Deserialize;
use tower::ServiceExt as _;

use super::error::ApiJson;
use super::*;
use crate::storage::SqliteStorage;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Probe {
    name: String,
}

async fn app() -> Router {
    let storage = Arc::new(SqliteStorage::connect("sqlite::memory:").await.unwrap());
    // A JSON route of the test's own, going through the same extractor and limits as every
    // real endpoint.
    let extra = Router::new()
        .route("/probe", post(|ApiJson(_): ApiJson<Probe>| async { "ok" }))
        // A handler that forgets our error type and answers as axum would by default.
        .route(
            "/plain-error",
            axum::routing::get(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    [(header::RETRY_AFTER, "3")],
                    "Invalid URL: Cannot parse `abc`",
                )
            }),
        );
    router_with_api(AppState::new(storage, None), extra)
}

async fn call(request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = app().await.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn health_reports_ok_version_and_database() {
    let (status, json) = call(Request::get("/api/v1/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["database"], "sqlite");
}

#[tokio::test]
async fn unknown_api_route_is_a_json_404() {
    for path in ["/api/v1/nothing-here", "/api/v2/health", "/api/"] {
        let (status, json) = call(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(json["error"]["code"], "not_found", "{path}");
        assert!(json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("見つかりません"));
    }
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let request = Request::delete("/api/v1/health")
        .body(Body::empty())
        .unwrap();
    let (status, json) = call(request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn malformed_json_is_a_400() {
    let (status, json) = call(post_json("/api/v1/probe", "{\"name\": ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"]["code"], "malformed_json");
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_are_refused() {
    let (status, json) = call(post_json("/api/v1/probe", r#"{"name":"a","admin":true}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["error"]["code"], "invalid_body");
    let (status, json) = call(post_json("/api/v1/probe", r#"{"name":5}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["error"]["code"], "invalid_body");
}

#[tokio::test]
async fn a_body_without_json_content_type_is_a_415() {
    let request = Request::post("/api/v1/probe")
        .body(Body::from(r#"{"name":"a"}"#))
        .unwrap();
    let (status, json) = call(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json["error"]["code"], "unsupported_media_type");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let big = format!(r#"{{"name":"{}"}}"#, "あ".repeat(MAX_BODY_BYTES / 3 + 10));
    let (status, json) = call(post_json("/api/v1/probe", big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn a_valid_body_passes() {
    let (status, _) = call(post_json("/api/v1/probe", r#"{"name":"乗附"}"#)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_pwa_other_paths_are_404_not_a_crash() {
    let (status, json) = call(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["error"]["code"], "not_found");
}

#[tokio::test]
async fn an_error_answered_as_plain_text_still_reaches_the_client_as_our_json() {
    let response = app()
        .await
        .oneshot(
            Request::get("/api/v1/plain-error")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        response.headers()[header::RETRY_AFTER],
        "3",
        "other headers are kept"
    );
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["error"]["code"], "invalid_body");
}
