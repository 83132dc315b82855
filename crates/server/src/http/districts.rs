//! `GET /api/v1/districts`: the 第2層協議体 this server knows. District names are public
//! (the city prints them in its newsletter), so this needs no account.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use mimamori_core::api::District;

use super::error::ApiResult;
use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/districts", get(list))
}

async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<District>>> {
    Ok(Json(state.storage.list_districts().await?))
}
