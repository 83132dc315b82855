//! サロンの会員: a person registered with a salon, for its attendance list: name and kana
//! (the list is sorted by kana), since when, and, where the SC links them, the 見守り
//! resident they are (so that absences can become a visit). Members' names are personal:
//! only the salon's organisers and the district's coordinators hold them.
//!
//! - Parent: its salon; it lives in the salon's district.
//! - Audience: the district's coordinators and the salon's organisers.
//! - Who may change it: the district's coordinators and the salon's organisers (members are
//!   added at the door). Linking a resident needs seeing that resident. The city and
//!   administrators, nothing.

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::merge::{FieldLww, LwwPatch, LwwRecord};
use crate::record::{Change, RecordId, UserId};
use crate::sync::RejectCode;
use crate::validate::{Context, Errors, Problem};

pub mod limits {
    pub const MAX_NAME_CHARS: usize = 50;
    pub const MAX_NOTE_CHARS: usize = 200;
}
use limits::*;

/// The fields a change sets; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// The salon (set when the member is added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salon_id: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// Registered since (sessions before it are not theirs to miss).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<CivilDate>,
    /// The 見守り resident this member is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<RecordId>,
    /// `false`: no longer comes (退会); kept for past attendance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The SC acted on this member's absences up to this date (arranged a visit, or saw
    /// no need): only later absences suggest a visit again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_through: Option<CivilDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl LwwPatch for MemberPatch {}

/// See the module documentation.
pub struct SalonMember;

impl Kind for SalonMember {
    type Body = MemberPatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::SalonMember;
    const AUDIENCE: Audience = Audience::ParentAssigned;
    const NEEDS_DISTRICT: bool = true;
    const PARENT_KIND: Option<RecordKind> = Some(RecordKind::Salon);
    const LABEL_JA: &'static str = "サロンの会員";

    fn describe_ja(body: &MemberPatch) -> String {
        match (&body.name, body.active) {
            (Some(name), Some(false)) => format!("{name}（退会）"),
            (Some(name), _) => name.clone(),
            (None, Some(false)) => "退会".to_owned(),
            (None, _) => "変更".to_owned(),
        }
    }

    fn parent(body: &MemberPatch) -> Option<(RecordKind, RecordId)> {
        body.salon_id.map(|id| (RecordKind::Salon, id))
    }

    fn validate(body: &MemberPatch, _: &Change, world: &dyn Context, errors: &mut Errors) {
        if body
            .salon_id
            .is_some_and(|salon| !world.visible(RecordKind::Salon, salon))
        {
            errors.add("salon_id", Problem::UnknownReference);
        }
        if let Some(name) = &body.name {
            errors.text("name", name, MAX_NAME_CHARS, true);
        }
        if let Some(kana) = &body.kana {
            errors.text("kana", kana, MAX_NAME_CHARS, false);
        }
        if let Some(note) = &body.note {
            errors.note("note", note, MAX_NOTE_CHARS);
        }
        if body
            .resident_id
            .is_some_and(|r| !world.visible(RecordKind::Resident, r))
        {
            errors.add("resident_id", Problem::UnknownReference);
        }
        for (field, date) in [
            ("since", body.since),
            ("checked_through", body.checked_through),
        ] {
            if date.is_some_and(|d| d.year < 2000) {
                errors.add(field, Problem::OutOfRange);
            }
        }
    }

    fn validate_record(
        record: &MemberPatch,
        _: &Change,
        creating: bool,
        _: &dyn Context,
        errors: &mut Errors,
    ) {
        if creating && record.salon_id.is_none() {
            errors.add("salon_id", Problem::Required);
        }
        if creating {
            errors.required("name", record.name.as_deref());
        }
    }

    /// The district's coordinators and the salon's organisers (members are added at the
    /// door), asked of the salon it is in: it never moves to another ([`Kind::MOVES`]).
    fn may_change(actor: Actor<'_>, side: Side<'_, LwwRecord>) -> bool {
        match actor.role {
            Role::Coordinator => true,
            Role::Volunteer => side.parent_holders.contains(&actor.user),
            Role::City | Role::Admin => false,
        }
    }

    /// Removing a member is the coordinators': an organiser marks them 退会 (`active`), which
    /// keeps their past attendance readable.
    fn permit_change(
        actor: Actor<'_>,
        _: Option<Side<'_, LwwRecord>>,
        change: &Change,
        _: &MemberPatch,
    ) -> Result<(), RejectCode> {
        if change.deleted && actor.role != Role::Coordinator {
            Err(RejectCode::NotAllowed)
        } else {
            Ok(())
        }
    }

    fn references(body: &MemberPatch) -> Vec<RecordId> {
        body.resident_id.into_iter().collect()
    }

    fn sample(n: u64, _: UserId, now_ms: i64, parent: Option<RecordId>) -> MemberPatch {
        let today = CivilDate::from_days_since_epoch(now_ms.div_euclid(86_400_000));
        let names = [
            ("井上 ハル", "いのうえ はる"),
            ("小林 トミ", "こばやし とみ"),
            ("佐藤 一郎", "さとう いちろう"),
        ];
        let (name, kana) = names[(n % 3) as usize];
        MemberPatch {
            salon_id: Some(parent.unwrap_or_else(|| RecordId::new_v7(1, [3; 10]))),
            name: Some(name.into()),
            kana: Some(kana.into()),
            since: Some(today.add_days(-((n % 90) as i64))),
            active: (n % 5 == 4).then_some(false),
            ..MemberPatch::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::test_support::{self, actor};
    use crate::record::Body;
    use crate::sync::RejectCode;

    #[test]
    fn the_sc_and_the_salons_organisers_may_add_members_and_no_one_else() {
        let organiser = UserId(2);
        let change = |author: UserId| {
            let body = Body::SalonMember(SalonMember::sample(0, author, 0, None));
            test_support::change(RecordId::new_v7(1, [6; 10]), author, 10, None, body)
        };
        let check = |user: UserId, role: Role| {
            test_support::permit(actor(user, role), None, &[organiser], &change(user))
        };
        assert_eq!(check(UserId(1), Role::Coordinator), Ok(()));
        assert_eq!(check(organiser, Role::Volunteer), Ok(()));
        assert_eq!(
            check(UserId(3), Role::Volunteer),
            Err(RejectCode::NotAllowed)
        );
        assert_eq!(check(UserId(4), Role::City), Err(RejectCode::NotAllowed));
        assert_eq!(check(UserId(5), Role::Admin), Err(RejectCode::NotAllowed));
    }
}
