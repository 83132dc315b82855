//! Signing in and who is calling: `POST /login` issues a device token; every other call
//! carries it as `Authorization: Bearer <token>` and is resolved by [`Caller`].
//! `POST /me/password` replaces the caller's (temporary) password.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, Extensions};
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::account::new_password_problem;
use mimamori_core::api::{ChangePasswordRequest, LoginRequest, LoginResponse, Me};
use mimamori_core::record::DeviceId;

use super::error::{ApiError, ApiJson, ApiResult};
use super::AppState;
use crate::accounts::{
    burn_password_check, hash_password, new_device_token, token_hash, verify_password,
};
use crate::storage::{DeviceSession, UserAccount};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
}

/// The signed-in device and its user, from the bearer token. A missing or unknown token is
/// 401 `unauthorized`; a revoked device is 401 `device_revoked`, which tells the app to
/// erase the user's data.
#[derive(Debug, Clone)]
pub struct Caller {
    pub device: DeviceId,
    pub user: UserAccount,
}

impl Caller {
    pub fn me(&self) -> Me {
        Me {
            user_id: self.user.id,
            device_id: self.device,
            login_id: self.user.login_id.clone(),
            display_name: self.user.display_name.clone(),
            role: self.user.role,
            districts: self.user.districts.clone(),
            must_change_password: self.user.must_change_password,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(ApiError::Unauthorized)?;
        match state
            .storage
            .device_by_token_hash(&token_hash(token))
            .await?
        {
            None => Err(ApiError::Unauthorized),
            Some(DeviceSession { revoked: true, .. }) => Err(ApiError::DeviceRevoked),
            Some(DeviceSession { device, user, .. }) => Ok(Self { device, user }),
        }
    }
}

fn client_address(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

async fn login(
    State(state): State<AppState>,
    extensions: Extensions,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let device_name = request.device_name.trim();
    if device_name.is_empty() || device_name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "device_name: 1〜100文字で入力してください",
        ));
    }
    let address = client_address(&extensions);
    if let Some(wait) = state
        .throttle
        .wait_needed(&request.login_id, address, Instant::now())
    {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let user = state
        .storage
        .find_user_by_login(request.login_id.trim())
        .await?;
    let password = request.password.clone();
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let verified = tokio::task::spawn_blocking(move || match &user {
        Some(user) => verify_password(&password, &user.password_hash).then(|| user.clone()),
        None => {
            burn_password_check(&password);
            None
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("password check: {e}")))?;
    let Some(user) = verified else {
        state
            .throttle
            .record_failure(&request.login_id, address, Instant::now());
        tracing::info!(login_id = %request.login_id, "failed login");
        return Err(ApiError::InvalidCredentials);
    };
    state.throttle.record_success(&request.login_id);
    let (token, hash) = new_device_token();
    let device = state
        .storage
        .create_device(user.id, device_name, &hash)
        .await?;
    tracing::info!(user = %user.id, device = %device, "signed in");
    let me = Caller { device, user }.me();
    Ok(Json(LoginResponse { token, me }))
}

async fn me(caller: Caller) -> Json<Me> {
    Json(caller.me())
}

/// Replaces the caller's password after checking the current one (slowed down like a
/// login when it is wrong), clears the "temporary password" flag, and signs out the
/// caller's other devices.
async fn change_password(
    State(state): State<AppState>,
    extensions: Extensions,
    caller: Caller,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<Me>> {
    let login_id = caller.user.login_id.clone();
    let address = client_address(&extensions);
    if let Some(wait) = state
        .throttle
        .wait_needed(&login_id, address, Instant::now())
    {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    if let Some(problem) = new_password_problem(&request.new_password, &request.current_password) {
        return Err(ApiError::invalid(format!("new_password: {problem}")));
    }
    let stored = caller.user.password_hash.clone();
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = request;
    let new_hash = tokio::task::spawn_blocking(move || {
        verify_password(&current_password, &stored).then(|| hash_password(&new_password))
    })
    .await
    .map_err(|e| ApiError::internal(format!("password check: {e}")))?;
    let Some(new_hash) = new_hash else {
        state
            .throttle
            .record_failure(&login_id, address, Instant::now());
        return Err(ApiError::InvalidCredentials);
    };
    let new_hash = new_hash.map_err(|e| ApiError::internal(format!("password hash: {e}")))?;
    state
        .storage
        .set_password(caller.user.id, &new_hash, false)
        .await?;
    // Whoever signed in with the old password (the printed temporary one, say) is out.
    state
        .storage
        .revoke_other_devices(caller.user.id, caller.device)
        .await?;
    state.throttle.record_success(&login_id);
    tracing::info!(user = %caller.user.id, "password changed");
    let mut me = caller.me();
    me.must_change_password = false;
    Ok(Json(me))
}
