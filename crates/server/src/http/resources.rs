//! The directory in and out of spreadsheets, for the coordinators who keep it:
//! `GET /api/v1/resources/export.csv?district=N` (without `district`: the city-wide entries,
//! for the city) and
//! `POST /api/v1/resources/import?district=N&encoding=auto|utf-8|shift_jis|utf-16` with the
//! file as the body, which answers what the import would do row by row (`ImportPreview`) and
//! saves nothing: the coordinator's phone saves the rows, all or none, through its outbox
//! like any change it makes. Reading bytes and splitting CSV is here (`csv`, `encoding_rs`:
//! nothing of it reaches the phone's wasm), off the async threads and a few files at a time
//! ([`ImportGate`]); the rules are the core's `directory_csv`.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use mimamori_core::account::Role;
use mimamori_core::api::ErrorCode;
use mimamori_core::directory_csv::{
    export_csv, plan_import, read_headings, read_row, ImportAction, ImportPreview,
};
use mimamori_core::kinds::{ResourcePatch, State as RecordState};
use mimamori_core::record::{Body, DistrictId, RecordId, RecordKind};
use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
    /// For an import: `auto` (the default), `utf-8`, `shift_jis` or `utf-16`.
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

/// Imports read at once: reading a file takes a core for a while (decoding, splitting, every
/// row checked) and memory several times its size, and the server runs on a small machine.
const READ_AT_ONCE: usize = 2;
/// Imports that may wait, each holding its file, for a turn to be read.
const WAITING: usize = 4;
/// How long an import waits for its turn before it is told to come back.
const LONGEST_WAIT: Duration = Duration::from_secs(10);
/// What `Retry-After` says to an import that found no room: a file is read in about a second.
const RETRY_AFTER_SECS: u64 = 2;

/// The gate every import passes (50 uploads at once had held the health check for seconds
/// and left the server 80 MB larger when they were read on the async threads).
pub(super) static IMPORTS: LazyLock<ImportGate> =
    LazyLock::new(|| ImportGate::new(READ_AT_ONCE, WAITING));

/// Bounds the imports being read: a few at a time on tokio's blocking threads, a few more
/// waiting, and beyond them 503 with `Retry-After`, before their files are read into memory.
pub(super) struct ImportGate {
    /// Places for the imports admitted: being read, or waiting for a turn.
    places: Arc<Semaphore>,
    /// Turns to be read.
    turns: Arc<Semaphore>,
}

/// An import that has its place at the gate, and may now read its file and wait for a turn.
pub(super) struct Admitted {
    place: OwnedSemaphorePermit,
    turns: Arc<Semaphore>,
}

fn busy() -> ApiError {
    ApiError::Busy {
        retry_after_secs: RETRY_AFTER_SECS,
    }
}

impl ImportGate {
    /// `at_once` imports are read side by side; `waiting` more may wait for a turn.
    pub(super) fn new(at_once: usize, waiting: usize) -> Self {
        Self {
            places: Arc::new(Semaphore::new(at_once + waiting)),
            turns: Arc::new(Semaphore::new(at_once)),
        }
    }

    /// A place, or `Busy` when every place is taken.
    pub(super) fn admit(&self) -> ApiResult<Admitted> {
        let place = Arc::clone(&self.places)
            .try_acquire_owned()
            .map_err(|_| busy())?;
        Ok(Admitted {
            place,
            turns: Arc::clone(&self.turns),
        })
    }
}

impl Admitted {
    /// Runs `read` on a blocking thread when a turn comes; `Busy` if none comes in time.
    pub(super) async fn run<T: Send + 'static>(
        self,
        read: impl FnOnce() -> T + Send + 'static,
    ) -> ApiResult<T> {
        let Admitted { place, turns } = self;
        let turn = match tokio::time::timeout(LONGEST_WAIT, turns.acquire_owned()).await {
            Ok(Ok(turn)) => turn,
            _ => return Err(busy()),
        };
        // The place and the turn go with the work: a caller who gives up does not free them
        // for another while its file is still being read.
        tokio::task::spawn_blocking(move || {
            let _held = (place, turn);
            read()
        })
        .await
        .map_err(|error| ApiError::internal(format!("reading an import: {error}")))
    }
}

async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(scope): Query<Scope>,
    request: Request,
) -> ApiResult<Json<ImportPreview>> {
    let district = scope.district.map(DistrictId);
    keeps(&caller, district)?;
    // A place first, then the body: a crowd of uploads is turned away unread.
    let admitted = IMPORTS.admit()?;
    // Within the API's body limit (`MAX_BODY_BYTES`, 4 MiB: room for `MAX_ROWS` rows of 200
    // Japanese characters in Shift_JIS), else 413.
    let file = Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| ApiError::BadRequest {
            status: rejection.status(),
            code: if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ErrorCode::PayloadTooLarge
            } else {
                ErrorCode::InvalidBody
            },
            detail: rejection.body_text(),
        })?;
    let held = entries_of(&state, district).await?;
    let asked = scope.encoding.unwrap_or_else(|| "auto".to_owned());
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let preview = admitted
        .run(move || read_file(file, &asked, district, now_ms, &held))
        .await??;
    Ok(Json(preview))
}

/// What importing `file` would do: its text, its rows as the spreadsheet numbers them, each
/// row checked and planned against the entries `held`. Runs on a blocking thread.
fn read_file(
    file: Bytes,
    asked: &str,
    district: Option<DistrictId>,
    now_ms: i64,
    held: &[(RecordId, ResourcePatch)],
) -> ApiResult<ImportPreview> {
    let (text, encoding) = decode(&file, asked)?;
    drop(file);
    let rows = split_rows(&text)?;
    drop(text);
    let Some(((_, headings), data)) = rows.split_first() else {
        return Err(ApiError::invalid("ファイルが空です。"));
    };
    let at = match read_headings(headings) {
        Ok(at) => at,
        Err(problems) => {
            return Ok(ImportPreview {
                ok: false,
                encoding: encoding.name().to_owned(),
                headings: problems.into_iter().map(Into::into).collect(),
                rows: Vec::new(),
            })
        }
    };
    let readings = data
        .iter()
        .map(|(row, cells)| read_row(*row, cells, &at, district, now_ms))
        .collect();
    let rows = plan_import(readings, held);
    Ok(ImportPreview {
        ok: rows.iter().all(|r| r.action != ImportAction::Refused),
        encoding: encoding.name().to_owned(),
        headings: Vec::new(),
        rows,
    })
}

/// How a file's bytes are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    /// What Japanese Excel saves as CSV.
    ShiftJis,
    /// What Excel saves as 「Unicode テキスト」 (little-endian, with a byte-order mark, tabs
    /// between the columns).
    Utf16,
}

impl Encoding {
    /// As `encoding=` and the answer name it.
    fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::ShiftJis => "shift_jis",
            Self::Utf16 => "utf-16",
        }
    }

    /// As a coordinator reads it.
    fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::ShiftJis => "Shift_JIS",
            Self::Utf16 => "UTF-16",
        }
    }

    /// The encoding a file declares by its byte-order mark.
    fn marked(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0xEF, 0xBB, 0xBF, ..] => Some(Self::Utf8),
            [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => Some(Self::Utf16),
            _ => None,
        }
    }

    /// `bytes` as text, or `None` where they are not this encoding (nothing is replaced).
    fn read(self, bytes: &[u8]) -> Option<String> {
        let (encoding, rest) = match (self, bytes) {
            (Self::Utf8, bytes) => (
                encoding_rs::UTF_8,
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
            ),
            (Self::ShiftJis, bytes) => (encoding_rs::SHIFT_JIS, bytes),
            (Self::Utf16, [0xFE, 0xFF, rest @ ..]) => (encoding_rs::UTF_16BE, rest),
            (Self::Utf16, [0xFF, 0xFE, rest @ ..]) => (encoding_rs::UTF_16LE, rest),
            // Unmarked: Excel on Windows writes little-endian.
            (Self::Utf16, bytes) => (encoding_rs::UTF_16LE, bytes),
        };
        // Without BOM handling: `decode` would read a UTF-16 mark as UTF-16 whatever was asked.
        encoding
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(Cow::into_owned)
    }
}

/// The file's text and how it was read: as asked (`utf-8`, `shift_jis`, `utf-16`), or as
/// found (`auto`): the encoding its byte-order mark declares, else UTF-8, else Shift_JIS.
fn decode(bytes: &[u8], asked: &str) -> ApiResult<(String, Encoding)> {
    let asked = match asked {
        "auto" => None,
        "utf-8" => Some(Encoding::Utf8),
        "shift_jis" => Some(Encoding::ShiftJis),
        "utf-16" => Some(Encoding::Utf16),
        _ => {
            return Err(ApiError::invalid(
                "encoding は auto・utf-8・shift_jis・utf-16 のどれかです。",
            ))
        }
    };
    let marked = Encoding::marked(bytes);
    let tried: &[Encoding] = match (asked, marked) {
        // A file that says how it was saved is not read as another: its text would be garbled.
        (Some(asked), Some(marked)) if asked != marked => {
            return Err(ApiError::invalid(format!(
                "このファイルは {} で保存されています（ファイルの先頭にそのしるしがあります）。文字コードを「自動」にして選び直してください。",
                marked.label()
            )))
        }
        (Some(encoding), _) | (None, Some(encoding)) => &[encoding],
        (None, None) => &[Encoding::Utf8, Encoding::ShiftJis],
    };
    let Some((text, encoding)) = tried
        .iter()
        .find_map(|encoding| encoding.read(bytes).map(|text| (text, *encoding)))
    else {
        return Err(ApiError::invalid(match (asked, marked) {
            (_, Some(Encoding::Utf16)) | (Some(Encoding::Utf16), _) => {
                "ファイルを UTF-16 として読み取れませんでした（途中で切れているか、壊れています）。Excel で保存し直してください。".to_owned()
            }
            (Some(asked), _) => format!(
                "ファイルの文字を {} として読み取れませんでした。文字コードを「自動」にして選び直してください。",
                asked.label()
            ),
            (None, _) => "ファイルの文字を読み取れませんでした。Excel で CSV（UTF-8 か Shift_JIS）か「Unicode テキスト」として保存し直してください。".to_owned(),
        }));
    };
    // No text has NUL characters: they are what UTF-16 gives when read a byte at a time.
    if text.contains('\0') {
        return Err(ApiError::invalid(
            "ファイルの中に文字でないもの（NUL）があります。Excel で CSV か「Unicode テキスト」として保存し直してください。",
        ));
    }
    Ok((text, encoding))
}

/// The column separator: a tab when the heading row has more tabs than commas (Excel's
/// 「Unicode テキスト」 and 「テキスト（タブ区切り）」, other spreadsheets' TSV), else a comma.
fn separator(text: &str) -> u8 {
    let headings = text
        .split('\n')
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    if headings.matches('\t').count() > headings.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}

/// The file's rows that are not blank, each with its number as the spreadsheet shows it
/// (the headings' is 1): every record is one row, and so is a blank line, however many
/// line breaks the cells before it hold.
fn split_rows(text: &str) -> ApiResult<Vec<(usize, Vec<String>)>> {
    // One kind of line end: blank lines are then runs of `\n`.
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(&text))
        .from_reader(text.as_bytes());
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut row = 0;
    for record in reader.records() {
        let record = record.map_err(|_| {
            ApiError::invalid(format!(
                "{}行目をCSVとして読めませんでした（\"の数を確かめてください）。",
                row + 1
            ))
        })?;
        // The reader passes over blank lines without a record for them; its position is
        // where it began to read, before them. (Its line number is no row number: a cell's
        // line breaks count there.)
        let blank = record.position().map_or(0, |p| {
            text.get(p.byte() as usize..)
                .unwrap_or_default()
                .bytes()
                .take_while(|b| *b == b'\n')
                .count()
        });
        row += blank + 1;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() > MAX_ROWS {
            return Err(ApiError::invalid(format!(
                "行が多すぎます（{MAX_ROWS}行まで）。ファイルを分けてください。"
            )));
        }
        rows.push((row, cells));
    }
    Ok(rows)
}
