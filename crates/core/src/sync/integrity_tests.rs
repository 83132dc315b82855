//! Issue 16's probe, replayed against the rules: a hostile organiser and an unlucky phone
//! try the salons' kinds, and every change is decided on the record it replaces and the
//! record it would make. Each test is one of the probe's findings.

use std::collections::BTreeMap;

use super::*;
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::hlc::Hlc;
use crate::kinds::{assigned_audience, attendance_id, AttendancePatch, MemberPatch, SalonPatch};
use crate::record::Body;
use crate::salons::{Exception, Repeat, Schedule, TimeOfDay};
use crate::validate::Problem;

/// 2025-11-25, a Tuesday, 01:00 in Japan.
const NOW: i64 = 1_764_000_000_000;
const NORITSUKE: DistrictId = DistrictId(1);
const SC: UserId = UserId(1);
/// Runs salon A.
const ORGANISER_A: UserId = UserId(2);
/// Runs salon B.
const ORGANISER_B: UserId = UserId(3);

fn actor(user: UserId, role: Role) -> Actor<'static> {
    Actor {
        user,
        device: DeviceId(user.0),
        role,
        districts: &[NORITSUKE],
    }
}

fn organiser(user: UserId) -> Actor<'static> {
    actor(user, Role::Volunteer)
}

fn date(month: u8, day: u8) -> CivilDate {
    CivilDate::new(2025, month, day).unwrap()
}

/// A Tuesday of the salons' schedule, and the Wednesday after it.
fn tuesday() -> CivilDate {
    date(11, 18)
}

fn wednesday() -> CivilDate {
    date(11, 19)
}

fn salon_a() -> RecordId {
    RecordId::new_v7(1, [0xA; 10])
}

fn salon_b() -> RecordId {
    RecordId::new_v7(1, [0xB; 10])
}

fn member_of_a() -> RecordId {
    RecordId::new_v7(2, [0xA; 10])
}

fn member_of_b() -> RecordId {
    RecordId::new_v7(2, [0xB; 10])
}

fn tuesdays() -> Schedule {
    Schedule {
        repeat: Repeat::Weekly,
        weekdays: vec![2],
        weeks: Vec::new(),
        dates: Vec::new(),
        from: date(4, 1),
        until: None,
        start: TimeOfDay::new(10, 0).unwrap(),
        end: TimeOfDay::new(12, 0).unwrap(),
        skip_holidays: true,
    }
}

/// The server's side of the rules, as `SqliteStorage::push` runs them: what it holds, and
/// the records a change may refer to (live, with their audience).
struct Server {
    records: BTreeMap<RecordId, Stored>,
    clock: u64,
}

impl Server {
    /// 乗附 with salons A and B, each with its organiser and one member, made by the SC.
    fn with_two_salons() -> Self {
        let mut server = Self {
            records: BTreeMap::new(),
            clock: NOW as u64 - 1_000_000,
        };
        let sc = actor(SC, Role::Coordinator);
        for (salon, runner, member) in [
            (salon_a(), ORGANISER_A, member_of_a()),
            (salon_b(), ORGANISER_B, member_of_b()),
        ] {
            let made = SalonPatch {
                name: Some("いきいきサロン".into()),
                schedule: Some(tuesdays()),
                organisers: Some([runner].into_iter().collect()),
                ..SalonPatch::default()
            };
            server.push(sc, salon, None, Body::Salon(made)).unwrap();
            let joined = MemberPatch {
                salon_id: Some(salon),
                name: Some("井上 ハル".into()),
                ..MemberPatch::default()
            };
            server
                .push(sc, member, None, Body::SalonMember(joined))
                .unwrap();
        }
        server
    }

    fn related(&self, id: RecordId) -> Option<Related<'_>> {
        let record = self.records.get(&id).filter(|r| !r.state.is_deleted())?;
        let parent = record
            .state
            .parent()
            .and_then(|(_, p)| self.records.get(&p))
            .map(|p| p.state.assigned())
            .unwrap_or_default();
        let own = record.state.assigned();
        let mut assigned = assigned_audience(record.kind().audience(), &own, &parent);
        assigned.extend(own.iter().copied());
        Some(Related {
            kind: record.kind(),
            district: record.district,
            assigned,
            holders: own,
            state: Some(&record.state),
        })
    }

    /// `who` pushes a change of `body` to record `id`, claiming to have seen `base`; what
    /// is accepted is kept.
    fn push(
        &mut self,
        who: Actor<'_>,
        id: RecordId,
        base: Option<Hlc>,
        body: Body,
    ) -> Result<(), Rejection> {
        self.push_change(who, id, base, false, body)
    }

    fn push_change(
        &mut self,
        who: Actor<'_>,
        id: RecordId,
        base: Option<Hlc>,
        deleted: bool,
        body: Body,
    ) -> Result<(), Rejection> {
        self.clock += 1;
        let change = Change {
            id,
            district_id: Some(NORITSUKE),
            author: who.user,
            device: who.device,
            stamp: Hlc {
                wall_ms: self.clock,
                counter: 0,
                node: who.device.0 as u64,
            },
            base,
            deleted,
            body,
        };
        let held = Held {
            record: self.records.get(&id),
            applied: None,
        };
        match apply_change(&change, held, who, NOW, |id| self.related(id))? {
            Decision::Store(accepted) => {
                self.records.insert(id, accepted.stored);
            }
            Decision::Unchanged | Decision::Replay => {}
        }
        Ok(())
    }

    fn current(&self, id: RecordId) -> Option<Body> {
        self.records.get(&id).and_then(|r| r.state.current())
    }

    fn newest(&self, id: RecordId) -> Option<Hlc> {
        self.records.get(&id).and_then(|r| r.state.newest_stamp())
    }

    fn parent(&self, id: RecordId) -> Option<RecordId> {
        self.records
            .get(&id)
            .and_then(|r| r.state.parent())
            .map(|(_, p)| p)
    }
}

fn code(result: Result<(), Rejection>) -> RejectCode {
    result.expect_err("should be refused").code
}

fn fields(result: Result<(), Rejection>) -> Vec<(String, Problem)> {
    let rejection = result.expect_err("should be refused");
    assert_eq!(rejection.code, RejectCode::Invalid);
    rejection
        .fields
        .into_iter()
        .map(|f| (f.field, f.problem))
        .collect()
}

fn ticks(salon: RecordId, on: CivilDate, member: RecordId) -> AttendancePatch {
    AttendancePatch {
        salon_id: Some(salon),
        date: Some(on),
        present: [(member, true)].into_iter().collect(),
        ..AttendancePatch::default()
    }
}

#[test]
fn an_organiser_cannot_take_another_salons_attendance_by_naming_their_own_salon() {
    let mut server = Server::with_two_salons();
    let session_of_b = attendance_id(salon_b(), tuesday());
    server
        .push(
            organiser(ORGANISER_B),
            session_of_b,
            None,
            Body::Attendance(AttendancePatch {
                note: Some("Bさんの様子".into()),
                ..ticks(salon_b(), tuesday(), member_of_b())
            }),
        )
        .unwrap();
    let base = server.newest(session_of_b);
    // The attendance id is public (the calendar feed prints the salon's id and dates).
    let takeover = AttendancePatch {
        salon_id: Some(salon_a()),
        ..AttendancePatch::default()
    };
    assert_eq!(
        code(server.push(
            organiser(ORGANISER_A),
            session_of_b,
            base,
            Body::Attendance(takeover.clone())
        )),
        RejectCode::NotAllowed
    );
    // Not even the SC moves a session to another salon: its parent never changes.
    assert_eq!(
        code(server.push(
            actor(SC, Role::Coordinator),
            session_of_b,
            base,
            Body::Attendance(takeover)
        )),
        RejectCode::NotAllowed
    );
    assert_eq!(server.parent(session_of_b), Some(salon_b()));
    // Nor does the other organiser write to it at all, under its own salon.
    let note = AttendancePatch {
        note: Some("書き換え".into()),
        ..AttendancePatch::default()
    };
    assert_eq!(
        code(server.push(
            organiser(ORGANISER_A),
            session_of_b,
            base,
            Body::Attendance(note)
        )),
        RejectCode::NotAllowed
    );
}

#[test]
fn an_organiser_cannot_move_another_salons_member_to_their_own() {
    let mut server = Server::with_two_salons();
    let base = server.newest(member_of_b());
    let move_to_a = MemberPatch {
        salon_id: Some(salon_a()),
        ..MemberPatch::default()
    };
    assert_eq!(
        code(server.push(
            organiser(ORGANISER_A),
            member_of_b(),
            base,
            Body::SalonMember(move_to_a.clone())
        )),
        RejectCode::NotAllowed
    );
    // Its own organiser cannot give it away either, nor the SC move it.
    for who in [organiser(ORGANISER_B), actor(SC, Role::Coordinator)] {
        assert_eq!(
            code(server.push(
                who,
                member_of_b(),
                base,
                Body::SalonMember(move_to_a.clone())
            )),
            RejectCode::NotAllowed
        );
    }
    assert_eq!(server.parent(member_of_b()), Some(salon_b()));
    // What stays allowed: the organiser corrects their own salon's member.
    let renamed = MemberPatch {
        kana: Some("いのうえ はる".into()),
        ..MemberPatch::default()
    };
    server
        .push(
            organiser(ORGANISER_B),
            member_of_b(),
            base,
            Body::SalonMember(renamed),
        )
        .unwrap();
}

#[test]
fn a_session_cannot_get_a_second_record_by_a_creation_split_over_two_changes() {
    let mut server = Server::with_two_salons();
    let seen = server.newest(salon_a());
    let fresh = RecordId::new_v7(NOW as u64, [0x5E; 10]);
    // The salon first, then the date, each claiming to edit a record seen before.
    let salon_only = AttendancePatch {
        salon_id: Some(salon_a()),
        ..AttendancePatch::default()
    };
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            fresh,
            seen,
            Body::Attendance(salon_only)
        )),
        vec![("date".to_owned(), Problem::Required)]
    );
    let date_only = AttendancePatch {
        date: Some(tuesday()),
        ..AttendancePatch::default()
    };
    // With no salon, it is no organiser's to make; the SC is told what it lacks.
    assert_eq!(
        code(server.push(
            organiser(ORGANISER_A),
            fresh,
            seen,
            Body::Attendance(date_only.clone())
        )),
        RejectCode::NotAllowed
    );
    assert_eq!(
        fields(server.push(
            actor(SC, Role::Coordinator),
            fresh,
            seen,
            Body::Attendance(date_only)
        )),
        vec![("salon_id".to_owned(), Problem::Required)]
    );
    assert!(!server.records.contains_key(&fresh));
    // Whole, under another id than the session's own, it is refused as well.
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            fresh,
            None,
            Body::Attendance(ticks(salon_a(), tuesday(), member_of_a()))
        )),
        vec![("id".to_owned(), Problem::OutOfRange)]
    );
}

#[test]
fn a_change_to_a_record_nobody_holds_is_a_creation_whatever_its_base() {
    let mut server = Server::with_two_salons();
    let seen = server.newest(salon_a());
    let sc = actor(SC, Role::Coordinator);
    let nameless = SalonPatch {
        note: Some("名前も日程もないサロン".into()),
        ..SalonPatch::default()
    };
    let fresh = RecordId::new_v7(NOW as u64, [0x51; 10]);
    assert_eq!(
        fields(server.push(sc, fresh, seen, Body::Salon(nameless))),
        vec![
            ("name".to_owned(), Problem::Required),
            ("schedule".to_owned(), Problem::Required)
        ]
    );
    let no_name = MemberPatch {
        salon_id: Some(salon_a()),
        ..MemberPatch::default()
    };
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            RecordId::new_v7(NOW as u64, [0x52; 10]),
            seen,
            Body::SalonMember(no_name)
        )),
        vec![("name".to_owned(), Problem::Required)]
    );
    assert_eq!(server.records.len(), 4, "nothing new was stored");
}

#[test]
fn ticks_for_people_who_are_not_the_salons_members_are_refused() {
    let mut server = Server::with_two_salons();
    let session = attendance_id(salon_a(), tuesday());
    let stranger = RecordId::new_v7(9, [9; 10]);
    for who in [member_of_b(), stranger, salon_b()] {
        let refused = fields(server.push(
            organiser(ORGANISER_A),
            session,
            None,
            Body::Attendance(ticks(salon_a(), tuesday(), who)),
        ));
        assert_eq!(
            refused,
            vec![(format!("present.{who}"), Problem::UnknownReference)]
        );
    }
    assert!(!server.records.contains_key(&session));
    server
        .push(
            organiser(ORGANISER_A),
            session,
            None,
            Body::Attendance(ticks(salon_a(), tuesday(), member_of_a())),
        )
        .unwrap();
    // Added to a session already taken, the same.
    let later = AttendancePatch {
        present: [(member_of_b(), true)].into_iter().collect(),
        ..AttendancePatch::default()
    };
    assert_eq!(
        code(server.push(
            organiser(ORGANISER_A),
            session,
            server.newest(session),
            Body::Attendance(later)
        )),
        RejectCode::Invalid
    );
}

#[test]
fn attendance_for_a_date_the_schedule_does_not_hold_is_refused_and_an_extra_session_counts() {
    let mut server = Server::with_two_salons();
    let take = |server: &mut Server, on: CivilDate| {
        server.push(
            organiser(ORGANISER_A),
            attendance_id(salon_a(), on),
            None,
            Body::Attendance(ticks(salon_a(), on, member_of_a())),
        )
    };
    assert_eq!(
        fields(take(&mut server, wednesday())),
        vec![("date".to_owned(), Problem::NotScheduled)]
    );
    // A date cancelled for snow took no attendance either.
    let snowed = date(11, 11);
    let cancel = SalonPatch {
        exceptions: [(
            snowed,
            Some(Exception {
                cancelled: true,
                reason: "雪".into(),
                ..Exception::default()
            }),
        )]
        .into_iter()
        .collect(),
        ..SalonPatch::default()
    };
    let base = server.newest(salon_a());
    server
        .push(organiser(ORGANISER_A), salon_a(), base, Body::Salon(cancel))
        .unwrap();
    assert_eq!(
        fields(take(&mut server, snowed)),
        vec![("date".to_owned(), Problem::NotScheduled)]
    );
    // 臨時開催: the organiser adds the Wednesday as an extra session, then takes it.
    let extra = SalonPatch {
        exceptions: [(
            wednesday(),
            Some(Exception {
                extra: true,
                reason: "臨時開催".into(),
                ..Exception::default()
            }),
        )]
        .into_iter()
        .collect(),
        ..SalonPatch::default()
    };
    let base = server.newest(salon_a());
    server
        .push(organiser(ORGANISER_A), salon_a(), base, Body::Salon(extra))
        .unwrap();
    take(&mut server, wednesday()).unwrap();
    take(&mut server, tuesday()).unwrap();
}

#[test]
fn a_session_moved_by_its_start_alone_must_still_end_after_it_starts() {
    let mut server = Server::with_two_salons();
    let moved = |start: Option<(u8, u8)>, end: Option<(u8, u8)>, reason: &str| SalonPatch {
        exceptions: [(
            tuesday(),
            Some(Exception {
                start: start.map(|(h, m)| TimeOfDay::new(h, m).unwrap()),
                end: end.map(|(h, m)| TimeOfDay::new(h, m).unwrap()),
                reason: reason.into(),
                ..Exception::default()
            }),
        )]
        .into_iter()
        .collect(),
        ..SalonPatch::default()
    };
    let base = server.newest(salon_a());
    let field = format!("exceptions.{}.end", tuesday());
    // The schedule runs 10:00–12:00: starting at 13:00, it would end before it starts.
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            salon_a(),
            base,
            Body::Salon(moved(Some((13, 0)), None, "会場の都合"))
        )),
        vec![(field.clone(), Problem::OutOfRange)]
    );
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            salon_a(),
            base,
            Body::Salon(moved(None, Some((9, 30)), "会場の都合"))
        )),
        vec![(field.clone(), Problem::OutOfRange)]
    );
    server
        .push(
            organiser(ORGANISER_A),
            salon_a(),
            base,
            Body::Salon(moved(Some((11, 0)), None, "会場の都合")),
        )
        .unwrap();
    // Nor may the schedule then move under a session still to come: the SC's new times
    // would leave it ending before it starts. (A past date's times are history.)
    let next_tuesday = date(11, 25);
    let upcoming = SalonPatch {
        exceptions: [(
            next_tuesday,
            Some(Exception {
                start: TimeOfDay::new(11, 0),
                ..Exception::default()
            }),
        )]
        .into_iter()
        .collect(),
        ..SalonPatch::default()
    };
    server
        .push(
            organiser(ORGANISER_A),
            salon_a(),
            server.newest(salon_a()),
            Body::Salon(upcoming),
        )
        .unwrap();
    let field = format!("exceptions.{next_tuesday}.end");
    let earlier = SalonPatch {
        schedule: Some(Schedule {
            end: TimeOfDay::new(10, 30).unwrap(),
            ..tuesdays()
        }),
        ..SalonPatch::default()
    };
    assert_eq!(
        fields(server.push(
            actor(SC, Role::Coordinator),
            salon_a(),
            server.newest(salon_a()),
            Body::Salon(earlier)
        )),
        vec![(field, Problem::OutOfRange)]
    );
    // A line separator is a line break to calendars: refused like any control character.
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            salon_a(),
            base,
            Body::Salon(moved(None, None, "雪\u{2028}DTEND:19700101"))
        )),
        vec![(
            format!("exceptions.{}.reason", tuesday()),
            Problem::ControlCharacters
        )]
    );
}

#[test]
fn an_ended_salon_leaves_its_organisers_and_is_never_deleted() {
    let mut server = Server::with_two_salons();
    let sc = actor(SC, Role::Coordinator);
    let session = attendance_id(salon_a(), tuesday());
    server
        .push(
            organiser(ORGANISER_A),
            session,
            None,
            Body::Attendance(ticks(salon_a(), tuesday(), member_of_a())),
        )
        .unwrap();
    let base = server.newest(salon_a());
    for who in [sc, organiser(ORGANISER_A)] {
        assert_eq!(
            code(server.push_change(
                who,
                salon_a(),
                base,
                true,
                Body::Salon(SalonPatch::default())
            )),
            RejectCode::NotAllowed,
            "a salon ends; it is not deleted"
        );
    }
    let ended = SalonPatch {
        active: Some(false),
        ..SalonPatch::default()
    };
    server
        .push(sc, salon_a(), base, Body::Salon(ended))
        .unwrap();
    // Its members and attendance are the SC's alone now: the organiser no longer sees
    // them (the server's visibility events take them off their phone) nor changes them.
    let salon = server.related(salon_a()).unwrap();
    assert!(salon.holders.is_empty());
    let member = server.related(member_of_a()).unwrap();
    assert!(!member.assigned.contains(&ORGANISER_A));
    let note = AttendancePatch {
        note: Some("まだ書ける？".into()),
        ..AttendancePatch::default()
    };
    assert_eq!(
        code(server.push(
            organiser(ORGANISER_A),
            session,
            server.newest(session),
            Body::Attendance(note.clone())
        )),
        RejectCode::NotAllowed
    );
    server
        .push(sc, session, server.newest(session), Body::Attendance(note))
        .unwrap();
    assert!(matches!(server.current(session), Some(Body::Attendance(a)) if a.note.is_some()));
}

#[test]
fn an_organiser_removes_no_member_and_a_session_is_counted_on_the_day_it_was_held() {
    let mut server = Server::with_two_salons();
    // Removing a member is the SC's (an organiser marks them 退会).
    let base = server.newest(member_of_a());
    assert_eq!(
        code(server.push_change(
            organiser(ORGANISER_A),
            member_of_a(),
            base,
            true,
            Body::SalonMember(MemberPatch::default())
        )),
        RejectCode::NotAllowed
    );
    // A session taken before it happens, or said to have been held on another day than
    // its schedule says, would count where it did not take place.
    let next_tuesday = date(12, 2);
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            attendance_id(salon_a(), next_tuesday),
            None,
            Body::Attendance(ticks(salon_a(), next_tuesday, member_of_a()))
        )),
        vec![("date".to_owned(), Problem::InFuture)]
    );
    let session = attendance_id(salon_a(), tuesday());
    let elsewhere = AttendancePatch {
        held_on: Some(date(10, 1)),
        ..ticks(salon_a(), tuesday(), member_of_a())
    };
    assert_eq!(
        fields(server.push(
            organiser(ORGANISER_A),
            session,
            None,
            Body::Attendance(elsewhere)
        )),
        vec![("held_on".to_owned(), Problem::OutOfRange)]
    );
    server
        .push(
            organiser(ORGANISER_A),
            session,
            None,
            Body::Attendance(ticks(salon_a(), tuesday(), member_of_a())),
        )
        .unwrap();
    // Un-ticking someone no longer held changes no figure: allowed.
    let gone = AttendancePatch {
        present: [(RecordId::new_v7(9, [9; 10]), false)]
            .into_iter()
            .collect(),
        ..AttendancePatch::default()
    };
    server
        .push(
            organiser(ORGANISER_A),
            session,
            server.newest(session),
            Body::Attendance(gone),
        )
        .unwrap();
    // A date's exception far from today is no plan a phone should carry.
    let far = SalonPatch {
        exceptions: [(
            date(11, 1).add_days(2000),
            Some(Exception {
                cancelled: true,
                ..Exception::default()
            }),
        )]
        .into_iter()
        .collect(),
        ..SalonPatch::default()
    };
    let refused = fields(server.push(
        organiser(ORGANISER_A),
        salon_a(),
        server.newest(salon_a()),
        Body::Salon(far),
    ));
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].1, Problem::OutOfRange);
}
