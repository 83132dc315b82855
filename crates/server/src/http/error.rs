//! One error type for every handler. It becomes `{"error":{"code","message"}}` with the
//! right status, so handlers can use `?` everywhere and clients branch on a stable code.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mimamori_core::api::{ErrorBody, ErrorCode, ErrorDetail};
use serde::de::DeserializeOwned;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A body the client sent that we refuse, with the reason (never echoing secrets).
    #[error("{code:?}: {detail}")]
    BadRequest {
        status: StatusCode,
        code: ErrorCode,
        detail: String,
    },
    #[error("unauthorized")]
    Unauthorized,
    #[error("device revoked")]
    DeviceRevoked,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("forbidden")]
    Forbidden,
    #[error("password change required")]
    PasswordChangeRequired,
    /// Too many requests of an expensive kind at once (password checks): come back later.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    /// A storage failure. Logged with its cause; the client only learns that it happened.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Anything else that is our fault. Logged; the client gets `internal`.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// A body that parsed but says something we refuse (422 `invalid_body`).
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: ErrorCode::InvalidBody,
            detail: detail.into(),
        }
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal(detail.into())
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            Self::BadRequest { status, code, .. } => (*status, *code),
            Self::Storage(StorageError::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable)
            }
            Self::Storage(StorageError::NotFound(_)) => {
                (StatusCode::NOT_FOUND, ErrorCode::NotFound)
            }
            Self::Storage(_) | Self::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
            }
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            Self::DeviceRevoked => (StatusCode::UNAUTHORIZED, ErrorCode::DeviceRevoked),
            Self::InvalidCredentials => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials),
            Self::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
            }
            Self::Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Self::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, ErrorCode::PasswordChangeRequired)
            }
            Self::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            // Internal details stay in the log: they may name tables, paths or data.
            // Debug form: a cause may quote text a client sent, and must not forge log lines.
            Self::Storage(cause) => {
                tracing::error!(error = ?cause, "storage error");
                code.message_ja().to_owned()
            }
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                code.message_ja().to_owned()
            }
            Self::BadRequest { detail, .. } => format!("{} ({detail})", code.message_ja()),
            _ => code.message_ja().to_owned(),
        };
        let retry_after = match self {
            Self::TooManyAttempts { retry_after_secs } | Self::Busy { retry_after_secs } => {
                Some(retry_after_secs)
            }
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail { code, message },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match &rejection {
            JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidBody,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::MalformedJson,
        };
        // axum's syntax error status is 400 and its data error 422; both are the client's.
        Self::BadRequest {
            status: rejection.status(),
            code,
            detail: rejection.body_text(),
        }
    }
}

/// `Json` whose rejections are [`ApiError`]s, so a bad body gets our JSON error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// `Path` whose rejections are [`ApiError`]s: `/devices/abc/revoke` is a JSON 400
/// `invalid_path`, not axum's plain-text answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        code: ErrorCode::InvalidPath,
        detail: rejection.body_text(),
    }
}

/// The last line of defence for the promise that every API error is our JSON: an error
/// answer that is not JSON (an extractor's plain-text rejection someone forgot to wrap, a
/// layer's bare status) is replaced by the error its status means.
pub async fn json_errors_only(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::TooManyAttempts,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ErrorCode::Unavailable,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::InvalidBody,
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message: code.message_ja().to_owned(),
        },
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut fresh = (status, Json(body)).into_response();
    // Keep what the original said besides its body (Retry-After, Allow…).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

pub type ApiResult<T> = Result<T, ApiError>;
