//! Types that cross the wire between the app and the server (`/api/v1/…`).

use serde::{Deserialize, Serialize};

/// The version of the HTTP API these types describe; the path prefix is `/api/v{API_VERSION}`.
pub const API_VERSION: u32 = 1;

// Requests are strict (unknown fields refused); answers are lenient, because a phone may
// run last month's app against this month's server until it updates.

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    /// Which storage backend answers, e.g. `"sqlite"`.
    pub database: String,
}

/// A district (第2層協議体) as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub id: i64,
    pub name: String,
}

/// Someone of a district, as the people working there see them (`GET
/// /api/v1/districts/{id}/people`): to say who made a visit, to hand a follow-up to, to
/// choose a co-visitor or the volunteers of a resident. Names only: no login id, no device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: crate::record::UserId,
    pub display_name: String,
    pub role: crate::account::Role,
}

/// A device as coordinators see it in the device list (`GET /api/v1/devices`): whose it is,
/// what they named it, when it was signed in and last synced (ISO 8601, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: crate::record::DeviceId,
    pub user_id: crate::record::UserId,
    pub login_id: String,
    pub display_name: String,
    pub name: String,
    pub created_at: String,
    pub last_seen_at: Option<String>,
    pub revoked: bool,
}

/// `POST /api/v1/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login_id: String,
    pub password: String,
    /// How the user names this phone (「花子のスマホ」), for the device list.
    pub device_name: String,
}

/// Changing one's own password (the temporary one an administrator printed, or any time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// The signed-in user as the app needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: crate::record::UserId,
    pub device_id: crate::record::DeviceId,
    pub login_id: String,
    pub display_name: String,
    pub role: crate::account::Role,
    pub districts: Vec<crate::record::DistrictId>,
    pub must_change_password: bool,
}

/// The answer to a successful login. The token is shown this once; the server keeps only
/// its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub me: Me,
}

/// Every error the API answers with has this body: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// No valid device token.
    Unauthorized,
    /// The device was revoked: the app erases its data and returns to the login screen.
    DeviceRevoked,
    InvalidCredentials,
    TooManyAttempts,
    /// Signed in, but the role or district does not allow this.
    Forbidden,
    /// Signed in with a temporary password: only replacing it is allowed until then.
    PasswordChangeRequired,
    /// A part of the URL path is not what the endpoint takes (an id that is not a number).
    InvalidPath,
    /// A code from a newer server that this app does not know yet.
    #[serde(other)]
    Other,
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
            Self::Unauthorized => "unauthorized",
            Self::DeviceRevoked => "device_revoked",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TooManyAttempts => "too_many_attempts",
            Self::Forbidden => "forbidden",
            Self::PasswordChangeRequired => "password_change_required",
            Self::InvalidPath => "invalid_path",
            Self::Other => "other",
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
            Self::Unauthorized => "ログインが必要です。もう一度ログインしてください。",
            Self::DeviceRevoked => {
                "この端末は使えなくなりました。地区の生活支援コーディネーター（SC）にご連絡ください。"
            }
            Self::InvalidCredentials => "ログインIDかパスワードが違います。",
            Self::TooManyAttempts => {
                "ログインの失敗が続いたため、しばらく待ってからお試しください。"
            }
            Self::Forbidden => "この操作をする権限がありません。",
            Self::PasswordChangeRequired => {
                "仮のパスワードのままです。設定で新しいパスワードに変えると、記録を送れるようになります。"
            }
            Self::InvalidPath => "アドレスに誤りがあります。",
            Self::Other => "サーバーが受け付けませんでした。アプリを更新してください。",
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
            ErrorCode::Unauthorized,
            ErrorCode::DeviceRevoked,
            ErrorCode::InvalidCredentials,
            ErrorCode::TooManyAttempts,
            ErrorCode::Forbidden,
            ErrorCode::PasswordChangeRequired,
            ErrorCode::InvalidPath,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(!code.message_ja().is_empty());
        }
    }

    #[test]
    fn an_unknown_code_from_a_newer_server_is_still_read() {
        let body = r#"{"error":{"code":"from_the_future","message":"x"}}"#;
        let read: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(read.error.code, ErrorCode::Other);
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
    fn answers_tolerate_fields_a_newer_server_adds_and_requests_do_not() {
        let health = r#"{"status":"ok","version":"1","database":"sqlite","uptime":1}"#;
        assert!(serde_json::from_str::<Health>(health).is_ok());
        let login = r#"{"login_id":"a","password":"b","device_name":"c","role":"admin"}"#;
        assert!(serde_json::from_str::<LoginRequest>(login).is_err());
    }
}
