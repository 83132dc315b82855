//! One error type for every handler. It becomes `{"error":{"code","message"}}` with the
//! right status, so handlers can use `?` everywhere and clients branch on a stable code.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
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
    /// A storage failure. Logged with its cause; the client only learns that it happened.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
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
            Self::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            // Internal details stay in the log: they may name tables, paths or data.
            Self::Storage(cause) => {
                tracing::error!(error = %cause, "storage error");
                code.message_ja().to_owned()
            }
            Self::BadRequest { detail, .. } => format!("{} ({detail})", code.message_ja()),
            _ => code.message_ja().to_owned(),
        };
        let body = ErrorBody {
            error: ErrorDetail { code, message },
        };
        (status, Json(body)).into_response()
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

pub type ApiResult<T> = Result<T, ApiError>;
