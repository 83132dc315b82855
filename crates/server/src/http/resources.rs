//! The directory in and out of spreadsheets, for the coordinators who keep it:
//! `GET /api/v1/resources/export.csv?district=N` (without `district`: the city-wide entries,
//! for the city) and `POST /api/v1/resources/import?district=N&encoding=auto|utf-8|shift_jis`
//! with the file as the body, which answers what the import would do row by row
//! (`ImportPreview`) and saves nothing: the coordinator's phone saves the rows, all or none,
//! through its outbox like any change it makes. Reading bytes and splitting CSV is here
//! (`csv`, `encoding_rs`: nothing of it reaches the phone's wasm); the rules are the core's
//! `directory_csv`.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::account::Role;
use mimamori_core::directory_csv::{
    export_csv, plan_import, read_headings, read_row, ImportAction, ImportPreview,
};
use mimamori_core::kinds::{ResourcePatch, State as RecordState};
use mimamori_core::record::{Body, DistrictId, RecordId, RecordKind};
use serde::Deserialize;

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::storage::SharedScope;

/// Rows one file may hold (a city's directory is a few thousand).
const MAX_ROWS: usize = 10_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/resources/export.csv", get(export))
        .route("/resources/import", post(import))
}

#[derive(Debug, Deserialize)]
struct Scope {
    /// The district whose entries; none: the city-wide ones.
    district: Option<i64>,
    /// For an import: `auto` (the default), `utf-8` or `shift_jis`.
    encoding: Option<String>,
}

/// Whether the caller keeps the entries of `district` (none: city-wide): its coordinators,
/// or the city. The same rule the kind's permission applies to each change.
fn keeps(caller: &Caller, district: Option<DistrictId>) -> ApiResult<()> {
    match (caller.user.role, district) {
        (Role::Coordinator, Some(d)) if caller.user.districts.contains(&d) => Ok(()),
        (Role::City, None) => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// The live entries of `district` (none: city-wide), by reading.
async fn entries_of(
    state: &AppState,
    district: Option<DistrictId>,
) -> ApiResult<Vec<(RecordId, ResourcePatch)>> {
    let scope = match district {
        Some(d) => SharedScope::District(d),
        None => SharedScope::Everywhere,
    };
    let mut entries: Vec<(RecordId, ResourcePatch)> = state
        .storage
        .shared_records(RecordKind::Resource, scope)
        .await?
        .into_iter()
        .filter(|record| record.district == district)
        .filter_map(|record| match record.state {
            state @ RecordState::Resource(_) => match state.current() {
                Some(Body::Resource(entry)) => Some((record.id, entry)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    entries.sort_by(|(_, a), (_, b)| {
        a.kana
            .as_deref()
            .or(a.name.as_deref())
            .cmp(&b.kana.as_deref().or(b.name.as_deref()))
    });
    Ok(entries)
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(scope): Query<Scope>,
) -> ApiResult<impl IntoResponse> {
    let district = scope.district.map(DistrictId);
    keeps(&caller, district)?;
    let csv = export_csv(&entries_of(&state, district).await?);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                // 社会資源まとめ.csv, percent-encoded for the header.
                HeaderValue::from_static(
                    "attachment; filename=\"resources.csv\"; filename*=UTF-8''%E7%A4%BE%E4%BC%9A%E8%B3%87%E6%BA%90%E3%81%BE%E3%81%A8%E3%82%81.csv",
                ),
            ),
        ],
        csv,
    ))
}

/// The file's text: UTF-8 (with or without its byte-order mark) or Shift_JIS, as asked or
/// as found (a file that is not valid UTF-8 is read as Shift_JIS, what Japanese Excel saves).
fn decode(bytes: &[u8], asked: Option<&str>) -> ApiResult<(String, &'static str)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8 = || std::str::from_utf8(bytes).ok().map(str::to_owned);
    let shift_jis = || {
        let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
        (!had_errors).then(|| text.into_owned())
    };
    let unreadable = || {
        ApiError::invalid(
            "ファイルの文字を読み取れませんでした。UTF-8 か Shift_JIS の CSV で保存してください。",
        )
    };
    match asked.unwrap_or("auto") {
        "utf-8" => utf8().map(|t| (t, "utf-8")).ok_or_else(unreadable),
        "shift_jis" => shift_jis().map(|t| (t, "shift_jis")).ok_or_else(unreadable),
        "auto" => utf8()
            .map(|t| (t, "utf-8"))
            .or_else(|| shift_jis().map(|t| (t, "shift_jis")))
            .ok_or_else(unreadable),
        _ => Err(ApiError::invalid(
            "encoding は auto・utf-8・shift_jis のどれかです。",
        )),
    }
}

async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(scope): Query<Scope>,
    file: Bytes,
) -> ApiResult<Json<ImportPreview>> {
    let district = scope.district.map(DistrictId);
    keeps(&caller, district)?;
    let (text, encoding) = decode(&file, scope.encoding.as_deref())?;
    // One kind of line end, so that the reader's positions count lines as a spreadsheet
    // numbers its rows.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines: Vec<(usize, Vec<String>)> = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|_| {
            ApiError::invalid(format!(
                "{}行目をCSVとして読めませんでした（\"の数を確かめてください）。",
                n + 1
            ))
        })?;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if lines.len() > MAX_ROWS {
            return Err(ApiError::invalid(format!(
                "行が多すぎます（{MAX_ROWS}行まで）。ファイルを分けてください。"
            )));
        }
        // The spreadsheet's own row number: the reader says where it began to read, before
        // any blank lines it passed over.
        let row = record.position().map_or(n + 1, |p| {
            let blank = text
                .get(p.byte() as usize..)
                .unwrap_or_default()
                .bytes()
                .take_while(|b| *b == b'\n')
                .count();
            p.line() as usize + blank
        });
        lines.push((row, cells));
    }
    let Some(((_, headings), data)) = lines.split_first() else {
        return Err(ApiError::invalid("ファイルが空です。"));
    };
    let at = match read_headings(headings) {
        Ok(at) => at,
        Err(problems) => {
            return Ok(Json(ImportPreview {
                ok: false,
                encoding: encoding.to_owned(),
                headings: problems.into_iter().map(Into::into).collect(),
                rows: Vec::new(),
            }))
        }
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let readings = data
        .iter()
        .map(|(row, cells)| read_row(*row, cells, &at, district, now_ms))
        .collect();
    let rows = plan_import(readings, &entries_of(&state, district).await?);
    Ok(Json(ImportPreview {
        ok: rows.iter().all(|r| r.action != ImportAction::Refused),
        encoding: encoding.to_owned(),
        headings: Vec::new(),
        rows,
    }))
}
