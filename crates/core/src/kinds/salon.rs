//! 居場所・サロン: a gathering place of a district (domain.md, Job 2): its name, venue,
//! content, when it meets ([`Schedule`]) and the exceptions for single dates, its fee,
//! capacity, contact and organisers. Public information: every signed-in user sees every
//! salon (and its iCalendar feed is open to families); its members' names are not part of
//! it (`salon_member`). Several people edit it (the SC, organisers adding a 中止), so it
//! merges field by field, and its exceptions date by date (a keyed map).
//!
//! - Audience: everyone signed in, whatever their district.
//! - Who may change it: the district's coordinators, anything; its organisers (volunteers
//!   the SC names), only its exceptions. The city and administrators, nothing.
//! - Its organisers are who it is assigned to: what hangs from it (members, attendance) is
//!   theirs and the SC's to see and change.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::merge::{FieldLww, LwwPatch, LwwRecord};
use crate::record::{Body, Change, RecordId, UserId};
use crate::salons::{Exception, Repeat, Schedule, ScheduleProblem, TimeOfDay};
use crate::sync::RejectCode;
use crate::validate::{Context, Errors, Problem};
use crate::vocab::labelled_enum;

pub mod limits {
    pub const MAX_NAME_CHARS: usize = 60;
    pub const MAX_VENUE_CHARS: usize = 60;
    pub const MAX_ADDRESS_CHARS: usize = 200;
    pub const MAX_FEE_CHARS: usize = 40;
    pub const MAX_NOTE_CHARS: usize = 500;
    pub const MAX_REASON_CHARS: usize = 60;
    pub const MAX_CAPACITY: u16 = 1000;
    pub const MAX_ORGANISERS: usize = 20;
    pub const MAX_CONTENTS: usize = 10;
    /// Exceptions one change may set (a season's cancellations at most).
    pub const MAX_EXCEPTIONS_PER_CHANGE: usize = 60;
    /// Exceptions in force on one salon: several years of a busy salon's changes.
    pub const MAX_EXCEPTIONS: usize = 400;
    /// How far from today a date's exception may be set (a cancellation noted late; next
    /// year's plan).
    pub const EXCEPTION_DAYS_BACK: i64 = 400;
    pub const EXCEPTION_DAYS_AHEAD: i64 = 800;
    pub const MAX_ABSENCES: u8 = 10;
}
use limits::*;

labelled_enum!(
    /// What a salon does.
    Content {
        Exercise => "exercise", "体操";
        Tea => "tea", "茶話会";
        Meal => "meal", "会食";
        Hobby => "hobby", "趣味";
        DementiaPrevention => "dementia_prevention", "認知症予防";
        Generations => "generations", "多世代";
        Other => "other", "その他";
    }
);

/// The fields a change sets; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalonPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// よみがな, for sorting and search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// 会場 (「乗附公民館」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contents: Option<Vec<Content>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// 参加費, as said (「100円」「無料」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// 定員 (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u16>,
    /// 申込が必要.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_first: Option<bool>,
    /// Whom to ask (「代表 高崎」), and their number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// The volunteers who run it (the SC names them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisers: Option<BTreeSet<UserId>>,
    /// `false`: it has ended (kept for the records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Absences in a row that suggest a 見守り visit (3 unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence_alert: Option<u8>,
    /// Anything else worth knowing (持ち物, 送迎…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Exceptions by scheduled date; `null` takes one back. Merged date by date.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exceptions: BTreeMap<CivilDate, Option<Exception>>,
}

impl LwwPatch for SalonPatch {
    const KEYED: &'static [&'static str] = &["exceptions"];
}

impl SalonPatch {
    /// The exceptions in force (those not taken back).
    pub fn exceptions_in_force(&self) -> BTreeMap<CivilDate, Exception> {
        crate::order::map_of(
            self.exceptions
                .iter()
                .filter_map(|(date, e)| e.clone().map(|e| (*date, e))),
        )
    }

    /// Whether the change touches nothing but exceptions (what an organiser may do).
    fn only_exceptions(&self) -> bool {
        let without = SalonPatch {
            exceptions: BTreeMap::new(),
            ..self.clone()
        };
        without == SalonPatch::default()
    }
}

/// See the module documentation.
pub struct Salon;

impl Kind for Salon {
    type Body = SalonPatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::Salon;
    const AUDIENCE: Audience = Audience::City;
    const NEEDS_DISTRICT: bool = true;
    const LABEL_JA: &'static str = "サロン";

    fn describe_ja(body: &SalonPatch) -> String {
        let mut words: Vec<String> = body.name.iter().cloned().collect();
        for (date, exception) in &body.exceptions {
            let what = match exception {
                None => "予定どおり",
                Some(e) if e.cancelled => "中止",
                Some(_) => "変更",
            };
            words.push(format!("{}/{} {what}", date.month, date.day));
        }
        if words.is_empty() {
            "変更".to_owned()
        } else {
            words.join(" ")
        }
    }

    fn parent(_: &SalonPatch) -> Option<(RecordKind, RecordId)> {
        None
    }

    fn validate(body: &SalonPatch, _: &Change, _: &dyn Context, errors: &mut Errors) {
        if let Some(name) = &body.name {
            errors.text("name", name, MAX_NAME_CHARS, true);
        }
        for (field, value, max) in [
            ("kana", &body.kana, MAX_NAME_CHARS),
            ("venue", &body.venue, MAX_VENUE_CHARS),
            ("address", &body.address, MAX_ADDRESS_CHARS),
            ("fee", &body.fee, MAX_FEE_CHARS),
            ("contact_name", &body.contact_name, MAX_NAME_CHARS),
        ] {
            if let Some(value) = value {
                errors.text(field, value, max, false);
            }
        }
        if let Some(phone) = &body.contact_phone {
            errors.phone("contact_phone", phone);
        }
        if let Some(note) = &body.note {
            errors.note("note", note, MAX_NOTE_CHARS);
        }
        if body.capacity.is_some_and(|c| c > MAX_CAPACITY) {
            errors.add("capacity", Problem::OutOfRange);
        }
        if body
            .absence_alert
            .is_some_and(|n| !(1..=MAX_ABSENCES).contains(&n))
        {
            errors.add("absence_alert", Problem::OutOfRange);
        }
        if body
            .contents
            .as_ref()
            .is_some_and(|c| c.len() > MAX_CONTENTS || crate::order::has_duplicates(c))
        {
            errors.add("contents", Problem::Duplicate);
        }
        if body
            .organisers
            .as_ref()
            .is_some_and(|o| o.len() > MAX_ORGANISERS)
        {
            errors.add("organisers", Problem::OutOfRange);
        }
        if let Some(schedule) = &body.schedule {
            for (field, problem) in schedule.problems() {
                let problem = match problem {
                    ScheduleProblem::NoWeekday
                    | ScheduleProblem::NoWeek
                    | ScheduleProblem::NoDates => Problem::Required,
                    _ => Problem::OutOfRange,
                };
                errors.add(&format!("schedule.{field}"), problem);
            }
        }
        if body.exceptions.len() > MAX_EXCEPTIONS_PER_CHANGE {
            errors.add("exceptions", Problem::OutOfRange);
        }
        for (date, exception) in &body.exceptions {
            let field = format!("exceptions.{date}");
            if date.year < 2000 {
                errors.add(&field, Problem::OutOfRange);
            }
            let Some(exception) = exception else { continue };
            errors.text(
                &format!("{field}.reason"),
                &exception.reason,
                MAX_REASON_CHARS,
                false,
            );
            if let Some(venue) = &exception.venue {
                errors.text(&format!("{field}.venue"), venue, MAX_VENUE_CHARS, false);
            }
            if exception.date.is_some_and(|d| d.year < 2000) {
                errors.add(&format!("{field}.date"), Problem::OutOfRange);
            }
            // An extra session is on its own date, and a cancelled one is no session.
            if exception.extra && (exception.date.is_some() || exception.cancelled) {
                errors.add(&format!("{field}.extra"), Problem::OutOfRange);
            }
        }
    }

    fn validate_record(
        record: &SalonPatch,
        change: &Change,
        creating: bool,
        world: &dyn Context,
        errors: &mut Errors,
    ) {
        if creating {
            errors.required("name", record.name.as_deref());
        }
        let Some(schedule) = &record.schedule else {
            if creating {
                errors.add("schedule", Problem::Required);
            }
            return;
        };
        let Body::Salon(patch) = &change.body else {
            return;
        };
        let today = CivilDate::from_days_since_epoch(world.now_ms().div_euclid(86_400_000));
        // Every signed-in phone and the public feed carry a salon's dates: a season's worth
        // around today, and no more in all.
        for date in patch.exceptions.keys() {
            let days = date.days_since_epoch() - today.days_since_epoch();
            if !(-EXCEPTION_DAYS_BACK..=EXCEPTION_DAYS_AHEAD).contains(&days) {
                errors.add(&format!("exceptions.{date}"), Problem::OutOfRange);
            }
        }
        let in_force = record.exceptions_in_force();
        if !patch.exceptions.is_empty() && in_force.len() > MAX_EXCEPTIONS {
            errors.add("exceptions", Problem::OutOfRange);
        }
        // Times are checked as they stand together: a session moved by its start alone
        // must still end after it starts, or the calendar feed would publish a session that
        // ends before it begins. Checked for the dates this change writes, and, when it
        // changes the schedule, for the dates still to come (an old date's times are history,
        // and must not stop the SC changing the usual hours).
        for (date, exception) in in_force {
            let written =
                patch.exceptions.contains_key(&date) || (patch.schedule.is_some() && date >= today);
            let (start, end) = exception.times(schedule);
            if written && end <= start {
                errors.add(&format!("exceptions.{date}.end"), Problem::OutOfRange);
            }
        }
    }

    /// The district's coordinators, anything; its organisers, while it runs.
    fn may_change(actor: Actor<'_>, side: Side<'_, LwwRecord>) -> bool {
        match actor.role {
            Role::Coordinator => true,
            Role::Volunteer => Self::assigned(side.state).contains(&actor.user),
            Role::City | Role::Admin => false,
        }
    }

    /// A salon is never deleted: it ends (`active: false`), its records kept for the
    /// figures, and what hangs from it leaves its organisers' phones. An organiser adds
    /// or takes back a date's exception, nothing else.
    fn permit_change(
        actor: Actor<'_>,
        before: Option<Side<'_, LwwRecord>>,
        change: &Change,
        body: &SalonPatch,
    ) -> Result<(), RejectCode> {
        let allowed = !change.deleted
            && match actor.role {
                Role::Volunteer => before.is_some() && body.only_exceptions(),
                _ => true,
            };
        if allowed {
            Ok(())
        } else {
            Err(RejectCode::NotAllowed)
        }
    }

    /// Its organisers while it runs: an ended (or deleted) salon's members and attendance
    /// are its coordinators' alone.
    fn assigned(state: &LwwRecord) -> Vec<UserId> {
        let ended = state.is_deleted()
            || state
                .fields
                .get("active")
                .is_some_and(|f| f.value == serde_json::Value::Bool(false));
        if ended {
            Vec::new()
        } else {
            organisers(state)
        }
    }

    fn sample(n: u64, author: UserId, now_ms: i64, _: Option<RecordId>) -> SalonPatch {
        let today = CivilDate::from_days_since_epoch(now_ms.div_euclid(86_400_000));
        let schedule = Schedule {
            repeat: [Repeat::Weekly, Repeat::NthWeekday, Repeat::LastWeekday][(n % 3) as usize],
            weekdays: vec![(n % 5 + 1) as u8],
            weeks: if n % 3 == 1 { vec![2] } else { Vec::new() },
            dates: Vec::new(),
            from: today.add_days(-((n % 60) as i64)),
            until: None,
            start: TimeOfDay {
                hour: 10,
                minute: 0,
            },
            end: TimeOfDay {
                hour: 12,
                minute: 0,
            },
            skip_holidays: n.is_multiple_of(2),
        };
        SalonPatch {
            name: Some(
                ["いきいきサロン", "ふれあい茶話会", "元気体操の会"][(n % 3) as usize].into(),
            ),
            kana: Some("さろん".into()),
            venue: Some("公民館".into()),
            contents: Some(vec![Content::ALL[(n % 7) as usize]]),
            schedule: Some(schedule),
            fee: Some("100円".into()),
            capacity: (n % 2 == 1).then_some(20),
            organisers: Some([author].into_iter().collect()),
            // Now and then one ends, and one (re)opens: what hangs from it follows.
            active: match n % 11 {
                10 => Some(false),
                9 => Some(true),
                _ => None,
            },
            exceptions: (n % 4 == 3)
                .then(|| {
                    (
                        today.add_days((n % 7) as i64),
                        Some(Exception {
                            cancelled: true,
                            reason: "暑さ".into(),
                            ..Exception::default()
                        }),
                    )
                })
                .into_iter()
                .collect(),
            ..SalonPatch::default()
        }
    }
}

fn organisers(state: &LwwRecord) -> Vec<UserId> {
    state
        .fields
        .get("organisers")
        .and_then(|f| serde_json::from_value(f.value.clone()).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::kinds::test_support::{self, actor};
    use crate::kinds::State;
    use crate::record::Body;

    const SC: UserId = UserId(1);
    const ORGANISER: UserId = UserId(2);
    const OTHER: UserId = UserId(3);

    fn change(author: UserId, wall_ms: u64, base: Option<Hlc>, body: SalonPatch) -> Change {
        test_support::change(
            RecordId::new_v7(1, [5; 10]),
            author,
            wall_ms,
            base,
            Body::Salon(body),
        )
    }

    fn cancel(day: u8) -> SalonPatch {
        SalonPatch {
            exceptions: [(
                CivilDate::new(2026, 12, day).unwrap(),
                Some(Exception {
                    cancelled: true,
                    reason: "雪".into(),
                    ..Exception::default()
                }),
            )]
            .into_iter()
            .collect(),
            ..SalonPatch::default()
        }
    }

    #[test]
    fn the_sc_changes_anything_organisers_only_exceptions_and_nobody_else_anything() {
        let made = change(SC, 10, None, Salon::sample(0, ORGANISER, 0, None));
        assert_eq!(
            test_support::permit(actor(SC, Role::Coordinator), None, &[], &made),
            Ok(())
        );
        for role in [Role::Volunteer, Role::City, Role::Admin] {
            assert_eq!(
                test_support::permit(actor(ORGANISER, role), None, &[], &made),
                Err(RejectCode::NotAllowed),
                "{role:?} cannot create a salon"
            );
        }
        let (state, _) = State::apply(None, &made).unwrap();
        assert_eq!(state.assigned(), vec![ORGANISER]);
        let check = |who: UserId, role: Role, body: SalonPatch| {
            let edit = change(who, 20, Some(made.stamp), body);
            test_support::permit(actor(who, role), Some((SC, &state)), &[], &edit)
        };
        let rename = SalonPatch {
            name: Some("新しい名前".into()),
            ..SalonPatch::default()
        };
        assert_eq!(check(ORGANISER, Role::Volunteer, cancel(3)), Ok(()));
        assert_eq!(
            check(ORGANISER, Role::Volunteer, rename.clone()),
            Err(RejectCode::NotAllowed),
            "an organiser cannot rename it"
        );
        let mut both = cancel(3);
        both.organisers = Some([ORGANISER, OTHER].into_iter().collect());
        assert_eq!(
            check(ORGANISER, Role::Volunteer, both),
            Err(RejectCode::NotAllowed),
            "nor name organisers"
        );
        assert_eq!(
            check(OTHER, Role::Volunteer, cancel(3)),
            Err(RejectCode::NotAllowed),
            "a volunteer who does not run it cannot cancel it"
        );
        assert_eq!(check(SC, Role::Coordinator, rename), Ok(()));
        assert_eq!(
            check(SC, Role::City, cancel(3)),
            Err(RejectCode::NotAllowed)
        );
        assert_eq!(
            check(SC, Role::Admin, cancel(3)),
            Err(RejectCode::NotAllowed)
        );
    }

    #[test]
    fn two_organisers_cancel_different_dates_offline_and_both_stand() {
        let made = change(SC, 10, None, Salon::sample(0, ORGANISER, 0, None));
        let (state, _) = State::apply(None, &made).unwrap();
        let first = change(ORGANISER, 20, Some(made.stamp), cancel(3));
        let second = change(OTHER, 15, Some(made.stamp), cancel(10));
        let (state, _) = State::apply(Some(&state), &first).unwrap();
        let (state, conflicts) = State::apply(Some(&state), &second).unwrap();
        assert!(conflicts.is_empty());
        let Some(Body::Salon(current)) = state.current() else {
            panic!("a salon")
        };
        let dates: Vec<u8> = current
            .exceptions_in_force()
            .keys()
            .map(|d| d.day)
            .collect();
        assert_eq!(dates, [3, 10]);
        // Taking one back leaves the other.
        let undo = SalonPatch {
            exceptions: [(CivilDate::new(2026, 12, 3).unwrap(), None)]
                .into_iter()
                .collect(),
            ..SalonPatch::default()
        };
        let (state, _) = State::apply(
            Some(&state),
            &change(ORGANISER, 30, Some(first.stamp), undo),
        )
        .unwrap();
        let Some(Body::Salon(current)) = state.current() else {
            panic!("a salon")
        };
        assert_eq!(current.exceptions_in_force().len(), 1);
    }
}
