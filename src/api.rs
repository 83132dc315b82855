//! The server's API as the app calls it. Every failure becomes an [`ApiFailure`] that says,
//! in Japanese, what happened; being offline is one of them and is not an error to show.

use gloo_net::http::{Request, Response};
use mimamori_core::api::{
    ChangePasswordRequest, DeviceInfo, District, ErrorBody, ErrorCode, LoginRequest, LoginResponse,
    Me, Person,
};
use mimamori_core::record::{DeviceId, DistrictId};
use mimamori_core::sync::{PullResponse, PushRequest, PushResponse};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// No connection (or the server is down): try again later.
    Offline,
    /// This device was revoked: erase the user's data.
    Revoked,
    /// The token is no longer valid: sign in again.
    Unauthorized,
    /// The server refused or failed, with its code when it gave one.
    Server {
        code: Option<ErrorCode>,
        message: String,
    },
}

impl ApiFailure {
    pub fn message_ja(&self) -> String {
        match self {
            Self::Offline => "電波のある所で自動的に送ります。".to_owned(),
            Self::Revoked => ErrorCode::DeviceRevoked.message_ja().to_owned(),
            Self::Unauthorized => ErrorCode::Unauthorized.message_ja().to_owned(),
            Self::Server {
                code: Some(code), ..
            } => code.message_ja().to_owned(),
            Self::Server { message, .. } => message.clone(),
        }
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    if response.ok() {
        return response.json::<T>().await.map_err(|_| ApiFailure::Server {
            code: None,
            message: "サーバーの答えを読み取れませんでした。".to_owned(),
        });
    }
    let status = response.status();
    let body = response.json::<ErrorBody>().await.ok();
    match body.map(|b| b.error) {
        Some(error) if error.code == ErrorCode::DeviceRevoked => Err(ApiFailure::Revoked),
        Some(error) if error.code == ErrorCode::Unauthorized => Err(ApiFailure::Unauthorized),
        Some(error) => Err(ApiFailure::Server {
            code: Some(error.code),
            message: error.message,
        }),
        // A proxy or a stopped server answering for us: treat as not reachable.
        None if status >= 500 => Err(ApiFailure::Offline),
        None => Err(ApiFailure::Server {
            code: None,
            message: format!("サーバーが {status} を返しました。"),
        }),
    }
}

pub async fn login(request: &LoginRequest) -> Result<LoginResponse, ApiFailure> {
    let request = Request::post("/api/v1/login")
        .json(request)
        .map_err(|_| ApiFailure::Offline)?;
    read(request.send().await.map_err(|_| ApiFailure::Offline)?).await
}

/// The districts the server knows (public: the city prints them).
pub async fn districts() -> Result<Vec<District>, ApiFailure> {
    let response = Request::get("/api/v1/districts")
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

pub async fn change_password(
    token: &str,
    request: &ChangePasswordRequest,
) -> Result<Me, ApiFailure> {
    let request = Request::post("/api/v1/me/password")
        .header("Authorization", &format!("Bearer {token}"))
        .json(request)
        .map_err(|_| ApiFailure::Offline)?;
    read(request.send().await.map_err(|_| ApiFailure::Offline)?).await
}

/// Sends changes, each already in JSON (as the outbox keeps them).
pub async fn push<'a>(
    token: &str,
    changes: impl IntoIterator<Item = &'a str>,
) -> Result<PushResponse, ApiFailure> {
    let request = Request::post("/api/v1/sync/push")
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body(PushRequest::json_of(changes))
        .map_err(|_| ApiFailure::Offline)?;
    read(request.send().await.map_err(|_| ApiFailure::Offline)?).await
}

pub async fn pull(token: &str, cursor: i64, limit: u32) -> Result<PullResponse, ApiFailure> {
    let url = format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}");
    let response = Request::get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

/// A signed-in GET of `path`.
async fn get_as<T: DeserializeOwned>(token: &str, path: &str) -> Result<T, ApiFailure> {
    let response = Request::get(path)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

/// The directory's entries of `district` (none: city-wide) as the CSV the server writes.
pub async fn export_resources(
    token: &str,
    district: Option<DistrictId>,
) -> Result<String, ApiFailure> {
    let path = match district {
        Some(d) => format!("/api/v1/resources/export.csv?district={}", d.0),
        None => "/api/v1/resources/export.csv".to_owned(),
    };
    let response = Request::get(&path)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    if !response.ok() {
        return read::<()>(response).await.map(|()| String::new());
    }
    let text = response.text().await.map_err(|_| ApiFailure::Offline)?;
    // Reading the answer as text drops the file's byte-order mark (the decoder's rule), and
    // without it Excel on Windows reads the UTF-8 file as Shift_JIS, garbled: put it back.
    Ok(if text.starts_with('\u{FEFF}') {
        text
    } else {
        format!("\u{FEFF}{text}")
    })
}

/// What importing `file` into the entries of `district` would do (nothing is saved).
pub async fn preview_import(
    token: &str,
    district: Option<DistrictId>,
    encoding: &str,
    file: &[u8],
) -> Result<mimamori_core::directory_csv::ImportPreview, ApiFailure> {
    let mut path = format!("/api/v1/resources/import?encoding={encoding}");
    if let Some(d) = district {
        path.push_str(&format!("&district={}", d.0));
    }
    let response = Request::post(&path)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "text/csv")
        .body(js_sys::Uint8Array::from(file))
        .map_err(|_| ApiFailure::Offline)?
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

/// The people who work in a district (names and roles), for saying who made a visit and
/// choosing whom a follow-up goes to.
pub async fn people(token: &str, district: DistrictId) -> Result<Vec<Person>, ApiFailure> {
    get_as(token, &format!("/api/v1/districts/{}/people", district.0)).await
}

/// The devices of the coordinator's districts.
pub async fn devices(token: &str) -> Result<Vec<DeviceInfo>, ApiFailure> {
    get_as(token, "/api/v1/devices").await
}

pub async fn revoke_device(token: &str, device: DeviceId) -> Result<DeviceInfo, ApiFailure> {
    let response = Request::post(&format!("/api/v1/devices/{}/revoke", device.0))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}
