//! The sync protocol (sync.md): what a device pushes and what it pulls. It knows no kind of
//! record: a record travels as its kind's code and its state's JSON.
//!
//! - `POST /api/v1/sync/push`: a batch of [`Change`]s; each gets its own [`ItemResult`].
//! - `GET /api/v1/sync/pull?cursor=N&limit=M`: records changed after the server cursor that
//!   the caller may see now, oldest first, in pages; records whose visibility changed for
//!   the caller come again (or as tombstones) at new sequence numbers.

use serde::{Deserialize, Serialize};

use crate::hlc::Hlc;
use crate::record::{Change, DistrictId, RecordId, RecordKind};
use crate::validate::FieldError;

/// Most changes in one push; a phone with more sends several batches.
pub const MAX_PUSH_BATCH: usize = 500;
/// Most records in one pull page.
pub const MAX_PULL_LIMIT: u32 = 1000;
pub const DEFAULT_PULL_LIMIT: u32 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub changes: Vec<Change>,
}

impl PushRequest {
    /// The request's JSON made from changes already in JSON (as the phone's outbox keeps
    /// them): written around them, not decoded and written again.
    pub fn json_of<'a>(changes: impl IntoIterator<Item = &'a str>) -> String {
        let mut body = String::from("{\"changes\":[");
        for (n, change) in changes.into_iter().enumerate() {
            if n > 0 {
                body.push(',');
            }
            body.push_str(change);
        }
        body.push_str("]}");
        body
    }
}

/// Why one pushed change was refused. Stable codes: the app shows them in its quarantine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// A field failed validation; `fields` says which.
    Invalid,
    /// The author or device is not the caller.
    ForgedAuthor,
    /// The record's district is not one of the caller's.
    WrongDistrict,
    /// The caller's role may not make this change (e.g. someone else's visit).
    NotAllowed,
    /// The same id is already a record of another kind or district.
    IdTaken,
    /// The stamp is too far in the future (the phone's clock is wrong).
    ClockAhead,
    /// A different change was already applied under this (record, stamp).
    StampReused,
    /// The item could not be read as a change.
    Malformed,
    /// A kind of record this server does not know (the app is newer than the server).
    UnknownKind,
    /// A code from a newer server that this app does not know yet.
    #[serde(other)]
    Other,
}

impl RejectCode {
    pub fn message_ja(self) -> &'static str {
        match self {
            Self::Invalid => "入力に誤りがあります。直してからもう一度送ってください。",
            Self::ForgedAuthor => "別の人の記録として送られました。",
            Self::WrongDistrict => "担当していない地区の記録です。",
            Self::NotAllowed => "この記録を変更する権限がありません。",
            Self::IdTaken => "同じ番号の別の記録があります。",
            Self::ClockAhead => "端末の時計が進みすぎています。時計を合わせてから送ってください。",
            Self::StampReused => {
                "同じ記録の別の内容がすでに届いています。内容を確かめて、もう一度保存してください。"
            }
            Self::Malformed => "記録を読み取れませんでした。アプリを更新してから送ってください。",
            Self::UnknownKind => {
                "サーバーがまだ扱えない種類の記録です。サーバーの更新後に送ってください。"
            }
            Self::Other => "サーバーが受け付けませんでした。アプリを更新してください。",
        }
    }
}

// Requests are strict (unknown fields refused); answers are lenient, because a phone may
// run last month's app against this month's server until it updates.

/// The outcome of one pushed change, in the order pushed. On the wire, a flat object
/// tagged by `status` (see [`ItemResultWire`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ItemResultWire", into = "ItemResultWire")]
pub enum ItemResult {
    /// Stored (or already stored: a re-sent change is accepted again, not duplicated).
    Accepted { id: RecordId, stamp: Hlc },
    /// Refused. `id` and `stamp` are absent only for an item too broken to name them.
    Rejected {
        id: Option<RecordId>,
        stamp: Option<Hlc>,
        code: RejectCode,
        message: String,
        fields: Vec<FieldError>,
    },
}

/// `{"status":"accepted","id":…,"stamp":…}` or `{"status":"rejected",…,"code":…}`, read
/// as one flat struct: serde's internally tagged form buffers every result in its own
/// `Content` type, which costs the app a deserializer of its own.
#[derive(Serialize, Deserialize)]
struct ItemResultWire {
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stamp: Option<Hlc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<RejectCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
}

impl TryFrom<ItemResultWire> for ItemResult {
    type Error = String;

    fn try_from(wire: ItemResultWire) -> Result<Self, String> {
        match (wire.status.as_str(), wire.id, wire.stamp) {
            ("accepted", Some(id), Some(stamp)) => Ok(Self::Accepted { id, stamp }),
            ("rejected", id, stamp) => Ok(Self::Rejected {
                id,
                stamp,
                code: wire.code.unwrap_or(RejectCode::Other),
                message: wire.message.unwrap_or_default(),
                fields: wire.fields,
            }),
            (status, _, _) => Err(format!(
                "an item result `{status}` without its id and stamp"
            )),
        }
    }
}

impl From<ItemResult> for ItemResultWire {
    fn from(result: ItemResult) -> Self {
        match result {
            ItemResult::Accepted { id, stamp } => Self {
                status: "accepted".to_owned(),
                id: Some(id),
                stamp: Some(stamp),
                code: None,
                message: None,
                fields: Vec::new(),
            },
            ItemResult::Rejected {
                id,
                stamp,
                code,
                message,
                fields,
            } => Self {
                status: "rejected".to_owned(),
                id,
                stamp,
                code: Some(code),
                message: Some(message),
                fields,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]

pub struct PushResponse {
    pub results: Vec<ItemResult>,
}

/// A record as pulled: its current merged state, or a tombstone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]

pub struct PulledRecord {
    pub id: RecordId,
    pub kind: RecordKind,
    /// `None` for a city-wide record.
    #[serde(default)]
    pub district_id: Option<DistrictId>,
    /// The server's sequence number of the record's last change.
    pub seq: i64,
    /// `true`: remove it from the phone (deleted, or no longer the caller's to see).
    pub tombstone: bool,
    /// The state (absent for tombstones), as the kind's merge keeps it (`kinds::State`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]

pub struct PullResponse {
    pub records: Vec<PulledRecord>,
    /// Store this after storing `records`, and send it next time.
    pub cursor: i64,
    /// More pages wait.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_written_around_stored_json_reads_as_the_request_itself() {
        use crate::kinds::{MemberPatch, SalonPatch};
        use crate::record::{Body, DeviceId, DistrictId, UserId};
        let change = |n: u8, body: Body| Change {
            id: RecordId::new_v7(u64::from(n), [n; 10]),
            district_id: Some(DistrictId(1)),
            author: UserId(2),
            device: DeviceId(3),
            stamp: Hlc {
                wall_ms: u64::from(n),
                counter: 0,
                node: 3,
            },
            base: None,
            deleted: n == 2,
            body,
        };
        let salon = SalonPatch {
            name: Some("居場所「八起き」 \"つどい\"\n\u{1F375}".into()),
            ..SalonPatch::default()
        };
        let member = MemberPatch {
            name: Some("竹内 すみ".into()),
            ..MemberPatch::default()
        };
        let changes = vec![
            change(1, Body::Salon(salon)),
            change(2, Body::SalonMember(member)),
        ];
        let texts: Vec<String> = changes
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        let body = PushRequest::json_of(texts.iter().map(String::as_str));
        let read: PushRequest = serde_json::from_str(&body).unwrap();
        assert_eq!(read, PushRequest { changes });
        assert_eq!(PushRequest::json_of([]), r#"{"changes":[]}"#);
    }

    #[test]
    fn results_serialise_with_a_status_tag() {
        let id = RecordId::new_v7(1, [0; 10]);
        let stamp = Hlc::ZERO;
        let accepted = serde_json::to_value(ItemResult::Accepted { id, stamp }).unwrap();
        assert_eq!(accepted["status"], "accepted");
        let rejected = ItemResult::Rejected {
            id: Some(id),
            stamp: Some(stamp),
            code: RejectCode::WrongDistrict,
            message: RejectCode::WrongDistrict.message_ja().into(),
            fields: vec![],
        };
        let json = serde_json::to_value(rejected).unwrap();
        assert_eq!(
            (json["status"].as_str(), json["code"].as_str()),
            (Some("rejected"), Some("wrong_district"))
        );
        assert!(json.get("fields").is_none());
    }

    #[test]
    fn an_unknown_reject_code_from_a_newer_server_is_still_read() {
        let json = r#"{"status":"rejected","code":"from_the_future","message":"x"}"#;
        let result: ItemResult = serde_json::from_str(json).unwrap();
        assert!(matches!(
            result,
            ItemResult::Rejected {
                id: None,
                code: RejectCode::Other,
                ..
            }
        ));
    }
}
