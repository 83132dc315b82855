//! Devices: a coordinator lists and revokes the devices of the people in their districts
//! (a lost phone, a volunteer who left); an admin, every device.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::record::DeviceId;

use super::auth::Caller;
use super::error::{ApiError, ApiPath, ApiResult};
use super::AppState;
use crate::storage::DeviceInfo;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/devices", get(list))
        .route("/devices/{id}/revoke", post(revoke))
}

/// The districts whose devices the caller manages: `None` for all of them.
fn managed_districts(caller: &Caller) -> ApiResult<Option<Vec<mimamori_core::record::DistrictId>>> {
    let role = caller.user.role;
    if !role.manages_devices() {
        return Err(ApiError::Forbidden);
    }
    Ok(if role.sees_all_districts() {
        None
    } else {
        Some(caller.user.districts.clone())
    })
}

async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<DeviceInfo>>> {
    let districts = managed_districts(&caller)?;
    Ok(Json(
        state.storage.list_devices(districts.as_deref()).await?,
    ))
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DeviceInfo>> {
    let districts = managed_districts(&caller)?;
    // A device outside the caller's districts is "not found", not "forbidden": its
    // existence is none of their business.
    let visible = state.storage.list_devices(districts.as_deref()).await?;
    if !visible.iter().any(|d| d.id == DeviceId(id)) {
        return Err(ApiError::NotFound);
    }
    state.storage.revoke_device(DeviceId(id)).await?;
    tracing::info!(device = id, by = %caller.user.id, "device revoked");
    let info = state
        .storage
        .device_info(DeviceId(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(info))
}
