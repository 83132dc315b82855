//! `POST /sync/push` and `GET /sync/pull`: the protocol of sync.md. The rules live in
//! `mimamori_core::apply`; storage applies them in one transaction per batch.

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::sync::{
    PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_BATCH,
};
use serde::Deserialize;

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiResult};
use super::AppState;
use crate::storage::SyncCaller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
}

impl Caller {
    fn sync_caller(&self) -> SyncCaller {
        SyncCaller {
            user: self.user.id,
            device: self.device,
            role: self.user.role,
            districts: self.user.districts.clone(),
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    if request.changes.len() > MAX_PUSH_BATCH {
        return Err(ApiError::invalid(format!(
            "changes: 1回に送れるのは{MAX_PUSH_BATCH}件までです"
        )));
    }
    let results = state
        .storage
        .push(&caller.sync_caller(), &request.changes, now_ms())
        .await?;
    Ok(Json(PushResponse { results }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    #[serde(default)]
    cursor: i64,
    limit: Option<u32>,
}

async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<PullResponse>> {
    let Query(query) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT || query.cursor < 0 {
        return Err(ApiError::invalid(format!(
            "limit: 1〜{MAX_PULL_LIMIT}, cursor: 0以上"
        )));
    }
    Ok(Json(
        state
            .storage
            .pull(&caller.sync_caller(), query.cursor, limit)
            .await?,
    ))
}
