//! `GET /api/v1/health`: for load balancers, the app's connectivity check and humans.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use mimamori_core::api::Health;

use super::error::ApiResult;
use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

/// Answers only when the database answers too: a server that cannot store a visit is not
/// healthy, whatever its process says.
async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.storage.ping().await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: state.storage.backend().to_owned(),
    }))
}
