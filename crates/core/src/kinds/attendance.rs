//! 出欠: one session's attendance, taken at the door, often offline and sometimes by two
//! organisers on two phones at once. One record per session, whose id is made from the
//! salon's and the session's date ([`attendance_id`]), so that both phones write the same
//! record and it merges:
//!
//! - each member's tick on its own (`present`, a keyed map: one phone's tick never erases
//!   the other's; the same member changed on both is decided by the later write, the other
//!   kept as a conflict);
//! - the numbers counted at the door (当日参加, 見学, 担い手, 初参加) kept per organiser
//!   (`counts`, keyed by who counted: each writes only their own), and the session's
//!   number is the largest of them (`Counts::joined`): two people at one door count the
//!   same people, so adding would count them twice;
//! - the note, last writer wins.
//!
//! - Parent: its salon; it lives in the salon's district.
//! - Audience: the district's coordinators and the salon's organisers.
//! - Who may change it: the district's coordinators and the salon's organisers; removing it,
//!   the coordinators. The city and administrators, nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::merge::{FieldLww, LwwPatch, LwwRecord};
use crate::record::{Body, Change, RecordId, UserId};
use crate::salons::{Counts, Taken};
use crate::sync::RejectCode;
use crate::validate::{Context, Errors, Problem};

pub mod limits {
    pub const MAX_MARKS_PER_CHANGE: usize = 500;
    pub const MAX_COUNT: u16 = 999;
    pub const MAX_NOTE_CHARS: usize = 400;
}
use limits::*;

/// The fields a change sets; absent fields and entries are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendancePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salon_id: Option<RecordId>,
    /// The session's scheduled date (what identifies it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CivilDate>,
    /// The date it took place, when moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_on: Option<CivilDate>,
    /// Members ticked present (`true`) or un-ticked (`false`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub present: BTreeMap<RecordId, bool>,
    /// The numbers each organiser counted, by who counted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<UserId, Counts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl LwwPatch for AttendancePatch {
    const KEYED: &'static [&'static str] = &["present", "counts"];
}

impl AttendancePatch {
    /// The session's attendance as merged (for a state's current values).
    pub fn taken(&self) -> Option<Taken> {
        let scheduled = self.date?;
        Some(Taken {
            scheduled,
            date: self.held_on.unwrap_or(scheduled),
            present: crate::order::set_of(
                self.present
                    .iter()
                    .filter(|(_, here)| **here)
                    .map(|(member, _)| *member),
            ),
            counts: self.joined_counts(),
        })
    }

    /// The session's numbers: the largest each organiser counted.
    pub fn joined_counts(&self) -> Counts {
        self.counts
            .values()
            .fold(Counts::default(), |all, c| all.joined(*c))
    }
}

/// The one attendance record of a salon's session: a UUIDv7 whose time is the session's
/// date and whose random part is the salon's, the same on every phone.
pub fn attendance_id(salon: RecordId, date: CivilDate) -> RecordId {
    let bytes = salon.as_uuid().into_bytes();
    let mut random = [0u8; 10];
    random.copy_from_slice(&bytes[6..16]);
    let day_ms = date.days_since_epoch().max(0) as u64 * 86_400_000;
    RecordId::new_v7(day_ms, random)
}

/// See the module documentation.
pub struct Attendance;

impl Kind for Attendance {
    type Body = AttendancePatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::Attendance;
    const AUDIENCE: Audience = Audience::ParentAssigned;
    const NEEDS_DISTRICT: bool = true;
    const PARENT_KIND: Option<RecordKind> = Some(RecordKind::Salon);
    const LABEL_JA: &'static str = "出欠";

    fn describe_ja(body: &AttendancePatch) -> String {
        let ticked = body.present.values().filter(|here| **here).count();
        let date = body
            .date
            .map(|d| format!("{}/{} ", d.month, d.day))
            .unwrap_or_default();
        format!("{date}出席 {ticked}人")
    }

    fn parent(body: &AttendancePatch) -> Option<(RecordKind, RecordId)> {
        body.salon_id.map(|id| (RecordKind::Salon, id))
    }

    fn validate(body: &AttendancePatch, _: &Change, world: &dyn Context, errors: &mut Errors) {
        if body
            .salon_id
            .is_some_and(|salon| !world.visible(RecordKind::Salon, salon))
        {
            errors.add("salon_id", Problem::UnknownReference);
        }
        for (field, date) in [("date", body.date), ("held_on", body.held_on)] {
            if date.is_some_and(|d| d.year < 2000) {
                errors.add(field, Problem::OutOfRange);
            }
        }
        if body.present.len() > MAX_MARKS_PER_CHANGE {
            errors.add("present", Problem::OutOfRange);
        }
        for counts in body.counts.values() {
            let numbers = [
                counts.walk_ins,
                counts.visitors,
                counts.helpers,
                counts.first_timers,
            ];
            if numbers.iter().any(|n| *n > MAX_COUNT) {
                errors.add("counts", Problem::OutOfRange);
            }
        }
        if let Some(note) = &body.note {
            errors.note("note", note, MAX_NOTE_CHARS);
        }
    }

    /// A session its salon holds, made under the session's own id (checked with every
    /// kind's derived ids), and ticks for the salon's own members only: a tick for anyone
    /// else would count a stranger (or another salon's member) as a participant.
    fn validate_record(
        record: &AttendancePatch,
        change: &Change,
        creating: bool,
        world: &dyn Context,
        errors: &mut Errors,
    ) {
        let (Some(salon), Some(date)) = (record.salon_id, record.date) else {
            errors.add(
                if record.salon_id.is_none() {
                    "salon_id"
                } else {
                    "date"
                },
                Problem::Required,
            );
            return;
        };
        let Body::Attendance(patch) = &change.body else {
            return;
        };
        // The date is part of the record's id: checked once, when the record is made, so
        // that a later change of the schedule leaves past attendance standing. The day it
        // took place is checked whenever it is written: it is the day the figures count.
        if creating || patch.held_on.is_some() {
            let session = match world.current(RecordKind::Salon, salon) {
                Some(Body::Salon(salon)) => salon.schedule.as_ref().and_then(|schedule| {
                    let holidays = crate::salons::Holidays::default();
                    crate::salons::session_on(
                        schedule,
                        &salon.exceptions_in_force(),
                        &|d| holidays.name(d),
                        date,
                    )
                }),
                _ => None,
            };
            match session.filter(|s| s.takes_place()) {
                None => errors.add("date", Problem::NotScheduled),
                Some(session) => {
                    // A day's grace: the phone's day may be ahead of the server's.
                    let today =
                        CivilDate::from_days_since_epoch(world.now_ms().div_euclid(86_400_000));
                    if creating && session.date > today.add_days(1) {
                        errors.add("date", Problem::InFuture);
                    }
                    if patch.held_on.is_some_and(|held| held != session.date) {
                        errors.add("held_on", Problem::OutOfRange);
                    }
                }
            }
        }
        // Only ticks need to be of the salon's members: an un-tick of someone no longer
        // held (a member removed meanwhile) changes no figure.
        for (member, here) in &patch.present {
            let of_this_salon = matches!(
                world.current(RecordKind::SalonMember, *member),
                Some(Body::SalonMember(m)) if m.salon_id == Some(salon)
            );
            if *here && !of_this_salon {
                errors.add(&format!("present.{member}"), Problem::UnknownReference);
            }
        }
    }

    /// The district's coordinators and the salon's organisers, asked of the salon it is
    /// for: it never moves to another ([`Kind::MOVES`]).
    fn may_change(actor: Actor<'_>, side: Side<'_, LwwRecord>) -> bool {
        match actor.role {
            Role::Coordinator => true,
            Role::Volunteer => side.parent_holders.contains(&actor.user),
            Role::City | Role::Admin => false,
        }
    }

    /// Each person writes only their own count; removing a session's record is the
    /// coordinators'.
    fn permit_change(
        actor: Actor<'_>,
        _: Option<Side<'_, LwwRecord>>,
        change: &Change,
        body: &AttendancePatch,
    ) -> Result<(), RejectCode> {
        let own_counts = body.counts.keys().all(|counter| *counter == actor.user);
        if own_counts && !(change.deleted && actor.role != Role::Coordinator) {
            Ok(())
        } else {
            Err(RejectCode::NotAllowed)
        }
    }

    /// The members it ticks: the server loads them to check they are this salon's.
    fn references(body: &AttendancePatch) -> Vec<RecordId> {
        body.present.keys().copied().collect()
    }

    fn derived_id(body: &AttendancePatch) -> Option<RecordId> {
        Some(attendance_id(body.salon_id?, body.date?))
    }

    fn sample(n: u64, author: UserId, now_ms: i64, parent: Option<RecordId>) -> AttendancePatch {
        let today = CivilDate::from_days_since_epoch(now_ms.div_euclid(86_400_000));
        AttendancePatch {
            salon_id: Some(parent.unwrap_or_else(|| RecordId::new_v7(1, [3; 10]))),
            date: Some(today.add_days(-((n % 5) as i64) * 7)),
            held_on: None,
            present: (0..(n % 4))
                .map(|m| (RecordId::new_v7(1, [m as u8; 10]), m % 3 != 2))
                .collect(),
            counts: [(
                author,
                Counts {
                    walk_ins: (n % 3) as u16,
                    helpers: 2,
                    ..Counts::default()
                },
            )]
            .into_iter()
            .collect(),
            note: (n % 2 == 1).then(|| "にぎやかでした".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::test_support::{self, actor};
    use crate::kinds::State;
    use crate::record::Body;

    const SC: UserId = UserId(1);
    const A: UserId = UserId(2);
    const B: UserId = UserId(3);

    fn salon() -> RecordId {
        RecordId::new_v7(1_700_000_000_000, [4; 10])
    }

    fn session() -> CivilDate {
        CivilDate::new(2026, 12, 1).unwrap()
    }

    fn member(n: u8) -> RecordId {
        RecordId::new_v7(1, [n; 10])
    }

    fn change(author: UserId, wall_ms: u64, body: AttendancePatch) -> Change {
        test_support::change(
            attendance_id(salon(), session()),
            author,
            wall_ms,
            None,
            Body::Attendance(body),
        )
    }

    fn at_the_door(author: UserId, ticks: &[(u8, bool)], walk_ins: u16) -> AttendancePatch {
        AttendancePatch {
            salon_id: Some(salon()),
            date: Some(session()),
            present: ticks.iter().map(|(m, here)| (member(*m), *here)).collect(),
            counts: [(
                author,
                Counts {
                    walk_ins,
                    helpers: 2,
                    ..Counts::default()
                },
            )]
            .into_iter()
            .collect(),
            ..AttendancePatch::default()
        }
    }

    fn merged(changes: &[&Change]) -> Taken {
        let mut state = None;
        for change in changes {
            state = Some(State::apply(state.as_ref(), change).unwrap().0);
        }
        match state.unwrap().current() {
            Some(Body::Attendance(patch)) => patch.taken().unwrap(),
            other => panic!("an attendance: {other:?}"),
        }
    }

    #[test]
    fn two_phones_at_one_door_both_count_in_either_order() {
        let a = change(A, 10, at_the_door(A, &[(1, true), (2, true)], 3));
        let b = change(B, 12, at_the_door(B, &[(3, true), (2, true)], 2));
        let one = merged(&[&a, &b]);
        assert_eq!(
            one,
            merged(&[&b, &a]),
            "the order they arrive in does not matter"
        );
        assert_eq!(one.present.len(), 3, "every tick stands");
        assert_eq!(one.counts.walk_ins, 3, "the larger count of the same door");
        assert_eq!(
            one.counts.helpers, 2,
            "not 4: the same helpers were counted twice"
        );
        // An un-tick made after seeing the tick wins over it.
        let mut untick = change(A, 20, at_the_door(A, &[(3, false)], 3));
        untick.base = Some(b.stamp);
        assert_eq!(merged(&[&a, &b, &untick]).present.len(), 2);
    }

    #[test]
    fn the_id_is_the_sessions_and_each_counts_only_for_themselves() {
        let body = at_the_door(A, &[(1, true)], 1);
        assert_eq!(
            Attendance::derived_id(&body),
            Some(attendance_id(salon(), session()))
        );
        let mut elsewhere = change(A, 10, body.clone());
        elsewhere.id = RecordId::new_v7(5, [5; 10]);
        let everything = test_support::OpenWorld {
            // After the session: attendance is taken once it took place.
            now_ms: 1_800_000_000_000,
            salon: salon(),
        };
        let refused = crate::validate::validate_change(&elsewhere, &everything).unwrap_err();
        assert_eq!(refused[0].field, "id");
        assert!(
            crate::validate::validate_change(&change(A, 10, body.clone()), &everything).is_ok()
        );
        assert_ne!(
            attendance_id(salon(), session()),
            attendance_id(salon(), session().add_days(7))
        );

        let organisers = [A, B];
        let permit = |who: UserId, role: Role, body: AttendancePatch| {
            test_support::permit(actor(who, role), None, &organisers, &change(who, 10, body))
        };
        assert_eq!(permit(A, Role::Volunteer, body.clone()), Ok(()));
        assert_eq!(
            permit(B, Role::Volunteer, body.clone()),
            Err(RejectCode::NotAllowed),
            "B cannot write A's count"
        );
        assert_eq!(
            permit(UserId(9), Role::Volunteer, at_the_door(UserId(9), &[], 0)),
            Err(RejectCode::NotAllowed),
            "a volunteer who does not run the salon"
        );
        assert_eq!(
            permit(SC, Role::Coordinator, at_the_door(SC, &[], 0)),
            Ok(())
        );
        assert_eq!(
            permit(SC, Role::City, at_the_door(SC, &[], 0)),
            Err(RejectCode::NotAllowed)
        );
        assert_eq!(
            permit(SC, Role::Admin, at_the_door(SC, &[], 0)),
            Err(RejectCode::NotAllowed)
        );
    }
}
