//! フォローアップ: something to do for a resident after a visit (call the family, take them to
//! the salon, check again next week): what, by when, and who does it (the visitor, the
//! coordinator, or another volunteer of the district). Its own record, not part of the
//! visit, because the person who does it marks it done, and only a visit's author may
//! change a visit. Several people may touch it, so it merges field by field ([`FieldLww`]).
//!
//! - Parent: its resident; it lives in the resident's district.
//! - Audience: the district's coordinators, the resident's volunteers, and its owner.
//! - Who may change it: its maker, its owner, or a coordinator. The city and administrators,
//!   nothing.

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::merge::{FieldLww, LwwRecord};
use crate::record::{Change, RecordId, UserId};
use crate::validate::{Context, Errors, Problem};

pub mod limits {
    pub const MAX_WHAT_CHARS: usize = 200;
    pub const MAX_DONE_NOTE_CHARS: usize = 200;
}
use limits::*;

/// The fields a change sets; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPatch {
    /// The resident it is for (set when it is made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<RecordId>,
    /// The visit it came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// By when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<CivilDate>,
    /// Who does it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<bool>,
    /// How it went, in a few words (「家族に電話した」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<CivilDate>,
}

impl crate::merge::LwwPatch for FollowUpPatch {}

/// See the module documentation.
pub struct FollowUp;

impl Kind for FollowUp {
    type Body = FollowUpPatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::FollowUp;
    const AUDIENCE: Audience = Audience::ParentAssigned;
    const NEEDS_DISTRICT: bool = true;
    const PARENT_KIND: Option<RecordKind> = Some(RecordKind::Resident);
    const LABEL_JA: &'static str = "やること";
    /// Made for the wrong resident, it is moved by whoever may change it and sees the other.
    const MOVES: bool = true;

    fn describe_ja(body: &FollowUpPatch) -> String {
        match (&body.what, body.done) {
            (Some(what), Some(true)) => format!("「{what}」済み"),
            (Some(what), _) => format!("「{what}」"),
            (None, Some(true)) => "済み".to_owned(),
            (None, _) => "変更".to_owned(),
        }
    }

    fn parent(body: &FollowUpPatch) -> Option<(RecordKind, RecordId)> {
        body.resident_id.map(|id| (RecordKind::Resident, id))
    }

    fn validate(body: &FollowUpPatch, _: &Change, world: &dyn Context, errors: &mut Errors) {
        if body
            .resident_id
            .is_some_and(|resident| !world.visible(RecordKind::Resident, resident))
        {
            errors.add("resident_id", Problem::UnknownReference);
        }
        if let Some(what) = &body.what {
            errors.text("what", what, MAX_WHAT_CHARS, true);
        }
        if let Some(note) = &body.done_note {
            errors.note("done_note", note, MAX_DONE_NOTE_CHARS);
        }
        // A due date long past is a typo, not a plan: no earlier than 2000.
        for (field, date) in [("due", body.due), ("done_on", body.done_on)] {
            if date.is_some_and(|d| d.year < 2000) {
                errors.add(field, Problem::OutOfRange);
            }
        }
    }

    fn validate_record(
        record: &FollowUpPatch,
        _: &Change,
        creating: bool,
        _: &dyn Context,
        errors: &mut Errors,
    ) {
        if !creating {
            return;
        }
        if record.resident_id.is_none() {
            errors.add("resident_id", Problem::Required);
        }
        errors.required("what", record.what.as_deref());
        if record.owner.is_none() {
            errors.add("owner", Problem::Required);
        }
    }

    /// Its maker, its owner, or a coordinator; made by anyone who may see the resident
    /// (validation checks that). Asked of both sides, so handing it to someone else is the
    /// maker's (or the coordinator's) decision, not the owner's: the owner would not be its
    /// owner after it.
    fn may_change(actor: Actor<'_>, side: Side<'_, LwwRecord>) -> bool {
        match actor.role {
            Role::Coordinator => true,
            Role::Volunteer => {
                side.created_by == actor.user || owner(side.state) == Some(actor.user)
            }
            Role::City | Role::Admin => false,
        }
    }

    fn assigned(state: &LwwRecord) -> Vec<UserId> {
        owner(state).into_iter().collect()
    }

    fn sample(n: u64, author: UserId, now_ms: i64, parent: Option<RecordId>) -> FollowUpPatch {
        let today = CivilDate::from_days_since_epoch(now_ms.div_euclid(86_400_000));
        FollowUpPatch {
            resident_id: Some(parent.unwrap_or_else(|| RecordId::new_v7(1, [1; 10]))),
            visit_id: None,
            what: Some(
                ["家族に連絡する", "サロンにお誘いする", "来週また様子を見る"][(n % 3) as usize]
                    .into(),
            ),
            due: Some(today.add_days((n % 14) as i64)),
            owner: Some(author),
            done: (n % 4 == 3).then_some(true),
            done_note: (n % 4 == 3).then(|| "済みました".to_owned()),
            done_on: (n % 4 == 3).then_some(today),
        }
    }
}

fn owner(state: &LwwRecord) -> Option<UserId> {
    state
        .fields
        .get("owner")
        .and_then(|f| serde_json::from_value(f.value.clone()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::kinds::test_support::{self, actor};
    use crate::kinds::State;
    use crate::record::Body;
    use crate::sync::RejectCode;

    const SC: UserId = UserId(1);
    const MAKER: UserId = UserId(2);
    const OWNER: UserId = UserId(3);
    const STRANGER: UserId = UserId(4);

    fn change(author: UserId, wall_ms: u64, base: Option<Hlc>, body: FollowUpPatch) -> Change {
        test_support::change(
            RecordId::new_v7(1, [7; 10]),
            author,
            wall_ms,
            base,
            Body::FollowUp(body),
        )
    }

    #[test]
    fn its_maker_its_owner_and_the_coordinator_may_change_it_and_no_one_else() {
        let made = change(
            MAKER,
            10,
            None,
            FollowUpPatch {
                resident_id: Some(RecordId::new_v7(1, [1; 10])),
                what: Some("家族に連絡する".into()),
                owner: Some(OWNER),
                ..FollowUpPatch::default()
            },
        );
        let (state, _) = State::apply(None, &made).unwrap();
        assert_eq!(state.assigned(), vec![OWNER], "its owner sees it");
        let done = FollowUpPatch {
            done: Some(true),
            done_note: Some("電話した".into()),
            ..FollowUpPatch::default()
        };
        let handed = FollowUpPatch {
            owner: Some(STRANGER),
            ..FollowUpPatch::default()
        };
        let check = |who: UserId, role: Role, body: &FollowUpPatch| {
            let edit = change(who, 20, Some(made.stamp), body.clone());
            test_support::permit(actor(who, role), Some((MAKER, &state)), &[], &edit)
        };
        assert_eq!(check(OWNER, Role::Volunteer, &done), Ok(()));
        assert_eq!(check(MAKER, Role::Volunteer, &done), Ok(()));
        assert_eq!(check(SC, Role::Coordinator, &handed), Ok(()));
        assert_eq!(check(MAKER, Role::Volunteer, &handed), Ok(()));
        assert_eq!(
            check(OWNER, Role::Volunteer, &handed),
            Err(RejectCode::NotAllowed),
            "the owner cannot hand it on"
        );
        assert_eq!(
            check(STRANGER, Role::Volunteer, &done),
            Err(RejectCode::NotAllowed)
        );
        assert_eq!(check(SC, Role::City, &done), Err(RejectCode::NotAllowed));
    }
}
