//! Types that cross the wire between the app and the server (`/api/v1/…`).

use serde::{Deserialize, Serialize};

/// The version of the HTTP API these types describe; the path prefix is `/api/v{API_VERSION}`.
pub const API_VERSION: u32 = 1;

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub status: String,
    pub version: String,
    /// Which storage backend answers, e.g. `"sqlite"`.
    pub database: String,
}

/// A district (第2層協議体) as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    pub id: i64,
    pub name: String,
}

/// Every error the API answers with has this body: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// Stable machine-readable error codes. Clients branch on these, never on messages, so a
/// code is never renamed once released; new ones may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    MethodNotAllowed,
    MalformedJson,
    InvalidBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    Internal,
    Unavailable,
}

impl ErrorCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::MalformedJson => "malformed_json",
            Self::InvalidBody => "invalid_body",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// What a volunteer should read when this error reaches the screen: what happened and
    /// what to do, in plain Japanese.
    pub fn message_ja(self) -> &'static str {
        match self {
            Self::NotFound => "お探しのものが見つかりませんでした。",
            Self::MethodNotAllowed => "この操作はここではできません。",
            Self::MalformedJson => "送られた内容を読み取れませんでした。もう一度お試しください。",
            Self::InvalidBody => "送られた内容に誤りがあります。入力を確かめてください。",
            Self::UnsupportedMediaType => "送られた内容の形式が違います。",
            Self::PayloadTooLarge => "送られた内容が大きすぎます。分けて送ってください。",
            Self::Internal => "サーバーで問題が起きました。時間をおいてもう一度お試しください。",
            Self::Unavailable => {
                "サーバーが一時的に使えません。時間をおいてもう一度お試しください。"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialise_as_their_stable_strings() {
        for code in [
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::MalformedJson,
            ErrorCode::InvalidBody,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::PayloadTooLarge,
            ErrorCode::Internal,
            ErrorCode::Unavailable,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(!code.message_ja().is_empty());
        }
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::NotFound,
                message: "x".into(),
            },
        };
        let value: serde_json::Value = serde_json::to_value(&body).unwrap();
        assert_eq!(value["error"]["code"], "not_found");
        assert_eq!(value["error"]["message"], "x");
    }

    #[test]
    fn health_refuses_unknown_fields() {
        let json = r#"{"status":"ok","version":"1","database":"sqlite","extra":1}"#;
        assert!(serde_json::from_str::<Health>(json).is_err());
    }
}
