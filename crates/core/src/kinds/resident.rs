//! 見守り対象者: a resident's profile (domain.md, job 1). Several people may edit it offline
//! (the SC, the assigned volunteers), so it merges field by field ([`FieldLww`]).
//!
//! - Audience: the district's coordinators and the volunteers assigned to it.
//! - Who may change it: a coordinator of its district, anything; a volunteer, only a
//!   resident assigned to them, and never the assignment or the status (見守り中・休止・終了:
//!   the coordinator's decisions); a resident a volunteer registers is assigned to them
//!   alone. The city and administrators, nothing.
//! - Registered only with consent (個人情報保護法). No diagnoses and no photographs by
//!   design: 体調「気になる」 belongs in a visit's outcome, not here.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::merge::{FieldLww, LwwRecord};
use crate::record::{Change, RecordId, UserId};
use crate::sync::RejectCode;
use crate::validate::{Context, Errors, Problem};
use crate::vocab::labelled_enum;

pub mod limits {
    pub const MAX_NAME_CHARS: usize = 50;
    pub const MAX_AREA_CHARS: usize = 50;
    pub const MAX_RELATION_CHARS: usize = 20;
    pub const MAX_STATUS_REASON_CHARS: usize = 100;
    pub const MAX_ADDRESS_CHARS: usize = 200;
    pub const MAX_PHONE_CHARS: usize = 20;
    pub const MAX_NOTE_CHARS: usize = 500;
    pub const MAX_CONSENT_SCOPE_CHARS: usize = 200;
    pub const MAX_ASSIGNED: usize = 10;
}
use limits::*;

/// How often a resident is visited when nobody said otherwise.
pub const DEFAULT_VISIT_INTERVAL_DAYS: u16 = 30;

/// 同意: a resident is registered only with consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub date: CivilDate,
    /// What they agreed to, in their words (e.g. 「見守り訪問と地区SCへの共有」).
    pub scope: String,
    /// Whether the record may be shared with the あんしんセンター (地域包括支援センター).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub share_with_center: bool,
    pub taken_by: UserId,
}

/// 緊急連絡先: whom to call for them (family, usually).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    #[serde(default)]
    pub name: String,
    /// 続柄 (長男, 姪…).
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub phone: String,
}

labelled_enum!(
    /// Whether a resident is being visited.
    WatchStatus {
        Active => "active", "見守り中";
        Paused => "paused", "休止";
        Ended => "ended", "終了";
    }
);

/// 見守り中, or 休止 / 終了 with why (入院・施設入所, 転居・逝去…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentStatus {
    pub state: WatchStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl ResidentStatus {
    pub const ACTIVE: Self = Self {
        state: WatchStatus::Active,
        reason: String::new(),
    };
}

/// The fields a change sets; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 町内: the neighbourhood (e.g. 「乗附町 西」), for planning rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_contact: Option<EmergencyContact>,
    /// How often they should be visited ([`DEFAULT_VISIT_INTERVAL_DAYS`] when unset); past
    /// it they are 未訪問 and listed first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_interval_days: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_volunteers: Option<BTreeSet<UserId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// 見守り中 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResidentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl crate::merge::LwwPatch for ResidentPatch {}

/// See the module documentation.
pub struct Resident;

impl Kind for Resident {
    type Body = ResidentPatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::Resident;
    const AUDIENCE: Audience = Audience::Assigned;
    const NEEDS_DISTRICT: bool = true;
    const LABEL_JA: &'static str = "見守りの対象者";

    fn describe_ja(patch: &ResidentPatch) -> String {
        let mut words: Vec<String> = Vec::new();
        if let Some(name) = &patch.name {
            words.push(format!("{name}さん"));
        }
        for (field, set) in [
            ("kana", patch.kana.is_some()),
            ("address", patch.address.is_some()),
            ("area", patch.area.is_some()),
            ("phone", patch.phone.is_some()),
            ("emergency_contact", patch.emergency_contact.is_some()),
            ("visit_interval_days", patch.visit_interval_days.is_some()),
            ("assigned_volunteers", patch.assigned_volunteers.is_some()),
            ("status", patch.status.is_some()),
            ("note", patch.note.is_some()),
        ] {
            if set && (patch.name.is_none() || field != "kana") {
                words.push(field_label_ja(field).to_owned());
            }
        }
        words.join("・")
    }

    fn parent(_: &ResidentPatch) -> Option<(RecordKind, RecordId)> {
        None
    }

    fn validate(patch: &ResidentPatch, _: &Change, _: &dyn Context, errors: &mut Errors) {
        if let Some(name) = &patch.name {
            errors.text("name", name, MAX_NAME_CHARS, true);
        }
        if let Some(kana) = &patch.kana {
            errors.text("kana", kana, MAX_NAME_CHARS, false);
        }
        if let Some(address) = &patch.address {
            errors.text("address", address, MAX_ADDRESS_CHARS, false);
        }
        if let Some(phone) = &patch.phone {
            errors.phone("phone", phone);
        }
        if let Some(area) = &patch.area {
            errors.text("area", area, MAX_AREA_CHARS, false);
        }
        if let Some(contact) = &patch.emergency_contact {
            errors.text(
                "emergency_contact.name",
                &contact.name,
                MAX_NAME_CHARS,
                false,
            );
            errors.text(
                "emergency_contact.relation",
                &contact.relation,
                MAX_RELATION_CHARS,
                false,
            );
            errors.phone("emergency_contact.phone", &contact.phone);
        }
        if let Some(status) = &patch.status {
            errors.text(
                "status.reason",
                &status.reason,
                MAX_STATUS_REASON_CHARS,
                false,
            );
        }
        if let Some(days) = patch.visit_interval_days {
            if !(1..=365).contains(&days) {
                errors.add("visit_interval_days", Problem::OutOfRange);
            }
        }
        if let Some(assigned) = &patch.assigned_volunteers {
            if assigned.len() > MAX_ASSIGNED {
                errors.add("assigned_volunteers", Problem::OutOfRange);
            }
        }
        if let Some(consent) = &patch.consent {
            errors.text(
                "consent.scope",
                &consent.scope,
                MAX_CONSENT_SCOPE_CHARS,
                true,
            );
        }
        if let Some(note) = &patch.note {
            errors.note("note", note, MAX_NOTE_CHARS);
        }
    }

    fn validate_record(
        record: &ResidentPatch,
        _: &Change,
        creating: bool,
        _: &dyn Context,
        errors: &mut Errors,
    ) {
        if creating {
            errors.required("name", record.name.as_deref());
        }
        // Registered only with consent: a new resident must say when, for what, and who took it.
        if creating && record.consent.is_none() {
            errors.add("consent", Problem::Required);
        }
    }

    fn may_change(actor: Actor<'_>, side: Side<'_, LwwRecord>) -> bool {
        match actor.role {
            Role::Coordinator => true,
            // A volunteer changes only residents assigned to them. A resident registered
            // with no assignee is nobody's: a volunteer cannot claim it.
            Role::Volunteer => assigned(side.state).contains(&actor.user),
            Role::City | Role::Admin => false,
        }
    }

    fn permit_change(
        actor: Actor<'_>,
        before: Option<Side<'_, LwwRecord>>,
        change: &Change,
        patch: &ResidentPatch,
    ) -> Result<(), RejectCode> {
        // Assignment and status are the coordinator's decisions: a volunteer never writes
        // them, except that one they register is theirs alone (or it would vanish from
        // their phone) and 見守り中. Nor do they remove a resident (it would take the
        // resident and their visits from every volunteer's phone, for good): they end.
        let allowed = actor.role != Role::Volunteer
            || !change.deleted
                && match before {
                    None => {
                        patch
                            .assigned_volunteers
                            .as_ref()
                            .is_some_and(|a| a.len() == 1 && a.contains(&actor.user))
                            && patch
                                .status
                                .as_ref()
                                .is_none_or(|s| *s == ResidentStatus::ACTIVE)
                    }
                    Some(_) => patch.assigned_volunteers.is_none() && patch.status.is_none(),
                };
        if allowed {
            Ok(())
        } else {
            Err(RejectCode::NotAllowed)
        }
    }

    fn assigned(state: &LwwRecord) -> Vec<UserId> {
        assigned(state)
    }

    fn sample(n: u64, author: UserId, _now_ms: i64, _: Option<RecordId>) -> ResidentPatch {
        ResidentPatch {
            name: Some(format!("住民{}", n % 1000)),
            kana: n.is_multiple_of(3).then(|| "じゅうみん".to_owned()),
            assigned_volunteers: Some([author].into_iter().collect()),
            consent: Some(Consent {
                date: CivilDate::new(2026, 11, 1).expect("a real date"),
                scope: "見守り訪問".into(),
                share_with_center: n.is_multiple_of(2),
                taken_by: author,
            }),
            area: (n % 5 == 2).then(|| "乗附町 西".to_owned()),
            emergency_contact: (n % 3 == 1).then(|| EmergencyContact {
                name: "高崎 一郎".into(),
                relation: "長男".into(),
                phone: "090-0000-0000".into(),
            }),
            note: (n % 4 == 1).then(|| format!("メモ{n}")),
            ..ResidentPatch::default()
        }
    }
}

/// A phone number as people write it: digits, hyphens, brackets, spaces (full-width forms
/// are made half-width by the forms first, with [`normalize_phone`]).
/// A phone number as typed on a Japanese keyboard, made what the rule takes: 全角 digits and
/// hyphens (－, ー, ‐) made half-width, spaces around it dropped.
pub fn normalize_phone(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '－' | 'ー' | '‐' | '―' | '−' => '-',
            '（' => '(',
            '）' => ')',
            '＋' => '+',
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

fn assigned(state: &LwwRecord) -> Vec<UserId> {
    state
        .fields
        .get("assigned_volunteers")
        .and_then(|f| serde_json::from_value(f.value.clone()).ok())
        .unwrap_or_default()
}

/// The resident fields a volunteer edits as plain text, in the order the form shows them.
pub const TEXT_FIELDS: &[&str] = &["name", "kana", "address", "area", "phone", "note"];

/// What a field is called on screen.
pub fn field_label_ja(field: &str) -> &'static str {
    match field {
        "name" => "お名前",
        "kana" => "ふりがな",
        "address" => "住所",
        "phone" => "電話番号",
        "note" => "メモ",
        "visit_interval_days" => "訪問の間隔（日）",
        "assigned_volunteers" => "担当",
        "consent" => "同意",
        "area" => "町内",
        "emergency_contact" => "緊急連絡先",
        "status" => "見守りの状況",
        crate::merge::DELETED_FIELD => "削除",
        _ => "その他の項目",
    }
}

/// The patch an edit form makes: only the text fields whose (trimmed) value differs from
/// what is held, so that an edit never overwrites a field it did not touch.
pub fn edit_patch<'a>(
    held: &LwwRecord,
    edits: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> ResidentPatch {
    let mut patch = ResidentPatch::default();
    for (field, value) in edits {
        let value = value.trim();
        if held.text(field) == value {
            continue;
        }
        let value = Some(value.to_owned());
        match field {
            "name" => patch.name = value,
            "kana" => patch.kana = value,
            "address" => patch.address = value,
            "phone" => patch.phone = value,
            "area" => patch.area = value,
            "note" => patch.note = value,
            _ => {}
        }
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::merge::lww::field_writes;
    use crate::merge::value_text;

    fn stamp(wall_ms: u64, node: u64) -> Hlc {
        Hlc {
            wall_ms,
            counter: 0,
            node,
        }
    }

    #[test]
    fn an_edit_patches_only_the_fields_it_changed() {
        let mut record = LwwRecord::default();
        let first = ResidentPatch {
            name: Some("乗附 ハナ".into()),
            address: Some("乗附町1".into()),
            phone: Some("027-000-0000".into()),
            ..ResidentPatch::default()
        };
        record.apply(field_writes(&first), stamp(10, 1), None);
        let patch = edit_patch(
            &record,
            [
                ("name", " 乗附 花 "),
                ("address", "乗附町1"),
                ("phone", "027-000-0000"),
                ("kana", ""),
            ],
        );
        assert_eq!(
            patch,
            ResidentPatch {
                name: Some("乗附 花".into()),
                ..ResidentPatch::default()
            },
            "unchanged and still-empty fields are left out"
        );
        assert_eq!(record.text("kana"), "");
        assert_eq!(field_label_ja("address"), "住所");
        assert_eq!(record.current::<ResidentPatch>(), Some(first));
    }

    #[test]
    fn concurrent_renames_leave_a_conflict_the_coordinator_can_read() {
        let mut record = LwwRecord::default();
        let rename = |name: &str| {
            field_writes(&ResidentPatch {
                name: Some(name.into()),
                ..ResidentPatch::default()
            })
        };
        record.apply(rename("乗附 ハナ"), stamp(10, 1), None);
        // Two phones, both having seen stamp 10, rename offline.
        record.apply(rename("乗附 花"), stamp(30, 2), Some(stamp(10, 1)));
        record.apply(rename("乗附 はな"), stamp(20, 3), Some(stamp(10, 1)));
        let conflicts = record.conflicts_newest_first();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(value_text(&conflicts[0].winning.value), "乗附 花");
        assert_eq!(value_text(&conflicts[0].losing.value), "乗附 はな");
        assert_eq!(record.text("name"), "乗附 花");
    }

    #[test]
    fn patches_refuse_unknown_fields() {
        assert!(serde_json::from_str::<ResidentPatch>(r#"{"name":"a","diagnosis":"x"}"#).is_err());
    }
}
