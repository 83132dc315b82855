//! Signing in and who is calling: `POST /login` issues a device token; every other call
//! carries it as `Authorization: Bearer <token>` and is resolved by [`Caller`].
//! `POST /me/password` replaces the caller's (temporary) password.
//!
//! Sign-in is throttled per account and per address (`crate::throttle`), the login id
//! normalised once before both throttling and lookup; password checks are bounded
//! (`crate::gate`). A session signed in with a temporary password may only read `/me` and
//! replace the password ([`SignedIn`]); everything else takes a [`Caller`], which refuses it.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, Extensions, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::account::{device_name_problem, new_password_problem, normalize_login_id};
use mimamori_core::api::{ChangePasswordRequest, LoginRequest, LoginResponse, Me};
use mimamori_core::record::DeviceId;

use super::error::{ApiError, ApiJson, ApiResult};
use super::AppState;
use crate::accounts::{
    burn_password_check, hash_password_with, new_device_token, token_hash, verify_password_with,
};
use crate::storage::{DeviceSession, UserAccount};
use crate::throttle::Attempt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
}

/// The signed-in device and its user, from the bearer token, whose password is not a
/// temporary one. A missing or unknown token is 401 `unauthorized`; a revoked device is
/// 401 `device_revoked`, which tells the app to erase the user's data; a temporary
/// password is 403 `password_change_required`.
#[derive(Debug, Clone)]
pub struct Caller {
    pub device: DeviceId,
    pub user: UserAccount,
}

/// A signed-in device, even one whose password is still the temporary one: for the few
/// endpoints that let such a session replace it.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Caller);

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
        let SignedIn(caller) = SignedIn::from_request_parts(parts, state).await?;
        if caller.user.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(caller)
    }
}

impl FromRequestParts<AppState> for SignedIn {
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
            Some(DeviceSession { device, user, .. }) => Ok(Self(Caller { device, user })),
        }
    }
}

/// The caller's address as the throttle counts it (the client behind a trusted proxy).
fn client_address(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| state.trusted_proxies.client_address(info.0.ip(), headers))
}

/// The gate had no room: the attempt was not a guess, so it is not counted.
fn busy(state: &AppState, attempt: Attempt) -> ApiError {
    state.throttle.not_checked(attempt, Instant::now());
    ApiError::Busy {
        retry_after_secs: crate::gate::RETRY_AFTER_SECS,
    }
}

fn too_many(wait: std::time::Duration) -> ApiError {
    ApiError::TooManyAttempts {
        retry_after_secs: wait.as_secs().max(1),
    }
}

async fn login(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    if let Some(problem) = device_name_problem(&request.device_name) {
        return Err(ApiError::invalid(format!("device_name: {problem}")));
    }
    let device_name = request.device_name.trim();
    // One form of the id for the throttle and the lookup alike: `"hanako "` is `hanako`.
    let login_id = normalize_login_id(&request.login_id);
    let address = client_address(&state, &extensions, &headers);
    let attempt = state
        .throttle
        .begin(&login_id, address, Instant::now())
        .map_err(too_many)?;
    let user = state.storage.find_user_by_login(&login_id).await?;
    let password = request.password;
    let checked = state
        .password_gate
        .run(move |scratch| match &user {
            Some(user) => {
                verify_password_with(scratch, &password, &user.password_hash).then(|| user.clone())
            }
            None => {
                // As slow as a real check: a wrong id must not answer faster.
                burn_password_check(scratch, &password);
                None
            }
        })
        .await;
    let Ok(verified) = checked else {
        return Err(busy(&state, attempt));
    };
    let Some(user) = verified else {
        // Debug form: the id is the client's text and must not forge a log line.
        tracing::info!(login_id = ?login_id, "failed login");
        return Err(ApiError::InvalidCredentials);
    };
    state.throttle.succeeded(attempt, Instant::now());
    let (token, hash) = new_device_token();
    let device = state
        .storage
        .create_device(user.id, device_name, &hash)
        .await?;
    tracing::info!(user = %user.id, device = %device, "signed in");
    let me = Caller { device, user }.me();
    Ok(Json(LoginResponse { token, me }))
}

async fn me(SignedIn(caller): SignedIn) -> Json<Me> {
    Json(caller.me())
}

/// Replaces the caller's password after checking the current one (slowed down like a
/// login when it is wrong), clears the "temporary password" flag, and signs out the
/// caller's other devices.
async fn change_password(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    SignedIn(caller): SignedIn,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<Me>> {
    let login_id = normalize_login_id(&caller.user.login_id);
    if let Some(problem) = new_password_problem(&request.new_password, &request.current_password) {
        return Err(ApiError::invalid(format!("new_password: {problem}")));
    }
    let address = client_address(&state, &extensions, &headers);
    let attempt = state
        .throttle
        .begin(&login_id, address, Instant::now())
        .map_err(too_many)?;
    let stored = caller.user.password_hash.clone();
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = request;
    let checked = state
        .password_gate
        .run(move |scratch| {
            verify_password_with(scratch, &current_password, &stored)
                .then(|| hash_password_with(scratch, &new_password))
        })
        .await;
    let Ok(new_hash) = checked else {
        return Err(busy(&state, attempt));
    };
    let Some(new_hash) = new_hash else {
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
        .revoke_devices(caller.user.id, Some(caller.device))
        .await?;
    state.throttle.succeeded(attempt, Instant::now());
    tracing::info!(user = %caller.user.id, "password changed");
    let mut me = caller.me();
    me.must_change_password = false;
    Ok(Json(me))
}
