//! `GET /api/v1/districts`: the 第2層協議体 this server knows. District names are public
//! (the city prints them in its newsletter), so this needs no account.
//! `GET /api/v1/districts/{id}/people`: the volunteers and coordinators of a district, by
//! name, for the people who work there (and the city): never for anyone else.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use mimamori_core::api::{District, Person};
use mimamori_core::record::DistrictId;

use super::auth::Caller;
use super::error::{ApiError, ApiPath, ApiResult};
use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/districts", get(list))
        .route("/districts/{id}/people", get(people))
}

async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<District>>> {
    Ok(Json(state.storage.list_districts().await?))
}

async fn people(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Person>>> {
    let district = DistrictId(id);
    // Another district's people are none of the caller's business: as if it did not exist.
    if !caller.user.role.sees_all_districts() && !caller.user.districts.contains(&district) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(state.storage.people_in_district(district).await?))
}
