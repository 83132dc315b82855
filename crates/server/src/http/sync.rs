//! `POST /sync/push` and `GET /sync/pull`: the protocol of sync.md. The rules live in
//! `mimamori_core::apply`; storage applies them in one transaction per batch.

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::hlc::Hlc;
use mimamori_core::record::{Change, RecordId, RecordKind};
use mimamori_core::sync::{
    ItemResult, PullResponse, PushResponse, RejectCode, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_BATCH,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

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

/// A push as it arrives: the envelope is strict, each change is read on its own (see
/// [`read_item`]), so one unreadable item is refused alone and never fails its batch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PushBody {
    changes: Vec<Box<RawValue>>,
}

async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PushBody>,
) -> ApiResult<Json<PushResponse>> {
    if request.changes.len() > MAX_PUSH_BATCH {
        return Err(ApiError::invalid(format!(
            "changes: 1回に送れるのは{MAX_PUSH_BATCH}件までです"
        )));
    }
    let items: Vec<Result<Change, ItemResult>> =
        request.changes.iter().map(|raw| read_item(raw)).collect();
    let readable: Vec<Change> = items
        .iter()
        .filter_map(|item| item.as_ref().ok().cloned())
        .collect();
    let mut stored = state
        .storage
        .push(&caller.sync_caller(), &readable, (state.clock)())
        .await?
        .into_iter();
    // The answer keeps the order pushed: each readable item takes its result in turn.
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        results.push(match item {
            Ok(_) => stored
                .next()
                .ok_or_else(|| ApiError::internal("storage answered fewer results"))?,
            Err(refused) => refused,
        });
    }
    Ok(Json(PushResponse { results }))
}

/// Reads one pushed item. One that is not a change is refused with what can be read of its
/// name, so that the phone can pair the answer with what it sent: `unknown_kind` when it is
/// a kind this server does not know (the app is newer), `malformed` otherwise.
fn read_item(raw: &RawValue) -> Result<Change, ItemResult> {
    let error = match serde_json::from_str::<Change>(raw.get()) {
        Ok(change) => return Ok(change),
        Err(error) => error,
    };
    let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
    let id = value
        .get("id")
        .and_then(|v| serde_json::from_value::<RecordId>(v.clone()).ok());
    let stamp = value
        .get("stamp")
        .and_then(|v| serde_json::from_value::<Hlc>(v.clone()).ok());
    let kind = value.pointer("/body/kind").and_then(Value::as_str);
    let known = kind
        .is_some_and(|k| serde_json::from_value::<RecordKind>(Value::String(k.to_owned())).is_ok());
    let code = if kind.is_some() && !known {
        RejectCode::UnknownKind
    } else {
        RejectCode::Malformed
    };
    tracing::debug!(error = ?error.to_string(), ?code, "unreadable pushed item");
    Err(ItemResult::Rejected {
        id,
        stamp,
        code,
        message: code.message_ja().to_owned(),
        fields: Vec::new(),
    })
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
