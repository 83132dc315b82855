use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::hlc::Hlc;
use crate::kinds::{Consent, Outcome, ResidentPatch, VisitBody, VisitMethod};
use crate::record::Body;

const NOW: i64 = 1_764_000_000_000;
const NORITSUKE: DistrictId = DistrictId(1);
const VOLUNTEER: UserId = UserId(10);
const OTHER_VOLUNTEER: UserId = UserId(11);
const SC: UserId = UserId(20);

fn pusher(user: UserId, role: Role) -> Actor<'static> {
    Actor {
        user,
        device: DeviceId(user.0 * 100),
        role,
        districts: &[NORITSUKE],
    }
}

fn resident_id() -> RecordId {
    RecordId::new_v7(1, [1; 10])
}

fn assigned_resident(id: RecordId) -> Option<Related<'static>> {
    (id == resident_id()).then(|| Related {
        kind: RecordKind::Resident,
        district: Some(NORITSUKE),
        assigned: vec![VOLUNTEER],
        holders: vec![VOLUNTEER],
        state: None,
    })
}

fn change(author: UserId, stamp_ms: u64, body: Body) -> Change {
    Change {
        id: RecordId::new_v7(2, [2; 10]),
        district_id: Some(NORITSUKE),
        author,
        device: DeviceId(author.0 * 100),
        stamp: Hlc {
            wall_ms: stamp_ms,
            counter: 0,
            node: (author.0 * 100) as u64,
        },
        base: None,
        deleted: false,
        body,
    }
}

fn visit(author: UserId, note: &str) -> Body {
    Body::Visit(VisitBody {
        resident_id: resident_id(),
        visited_at_ms: NOW - 1000,
        visitors: vec![author],
        method: VisitMethod::Met,
        outcome: Outcome::Fine,
        signs: BTreeSet::new(),
        needs: BTreeSet::new(),
        actions: BTreeSet::new(),
        referred_resources: vec![],
        resources_note: String::new(),
        follow_up: None,
        note: note.into(),
    })
}

fn new_resident(assigned: Option<&[UserId]>) -> Body {
    Body::Resident(ResidentPatch {
        name: Some("高崎 花子".into()),
        assigned_volunteers: assigned.map(|a| a.iter().copied().collect()),
        consent: Some(Consent {
            date: CivilDate::new(2026, 11, 1).unwrap(),
            scope: "見守り訪問".into(),
            share_with_center: false,
            taken_by: SC,
        }),
        ..ResidentPatch::default()
    })
}

fn code(result: Result<Decision, Rejection>) -> RejectCode {
    result.expect_err("should be refused").code
}

/// Decides a change against `existing`, with nothing applied before under its name.
fn decide(
    change: &Change,
    existing: Option<&Stored>,
    pusher: Actor<'_>,
    resident: impl Fn(RecordId) -> Option<Related<'static>>,
) -> Result<Decision, Rejection> {
    let held = Held {
        record: existing,
        applied: None,
    };
    apply_change(change, held, pusher, NOW, resident)
}

/// What the server stores after accepting a change that changes its record.
fn kept(decision: Result<Decision, Rejection>) -> Stored {
    match decision {
        Ok(Decision::Store(accepted)) => accepted.stored,
        other => panic!("expected a stored change, got {other:?}"),
    }
}

#[test]
fn volunteer_logs_a_fine_visit_for_an_assigned_resident() {
    let visit = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    let stored = kept(decide(
        &visit,
        None,
        pusher(VOLUNTEER, Role::Volunteer),
        assigned_resident,
    ));
    assert_eq!(
        stored.state.parent(),
        Some((RecordKind::Resident, resident_id()))
    );
    assert_eq!(stored.created_by, VOLUNTEER);
}

#[test]
fn forged_authors_other_districts_and_far_future_clocks_are_refused() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let forged = change(OTHER_VOLUNTEER, NOW as u64, visit(OTHER_VOLUNTEER, ""));
    assert_eq!(
        code(decide(&forged, None, me, assigned_resident)),
        RejectCode::ForgedAuthor
    );

    let mut elsewhere = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    elsewhere.district_id = Some(DistrictId(2));
    assert_eq!(
        code(decide(&elsewhere, None, me, assigned_resident)),
        RejectCode::WrongDistrict
    );

    let ahead = change(
        VOLUNTEER,
        NOW as u64 + MAX_CLOCK_SKEW_MS + 1,
        visit(VOLUNTEER, ""),
    );
    assert_eq!(
        code(decide(&ahead, None, me, assigned_resident)),
        RejectCode::ClockAhead
    );

    let city = Actor {
        role: Role::City,
        ..me
    };
    let ok = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    assert_eq!(
        code(decide(&ok, None, city, assigned_resident)),
        RejectCode::NotAllowed
    );
}

#[test]
fn a_visit_belongs_to_its_residents_district() {
    // An SC of two districts visits a resident of the second one.
    let both = [NORITSUKE, DistrictId(2)];
    let sc = Actor {
        districts: &both,
        ..pusher(SC, Role::Coordinator)
    };
    let in_second = |id: RecordId| {
        (id == resident_id()).then(|| Related {
            kind: RecordKind::Resident,
            district: Some(DistrictId(2)),
            assigned: vec![VOLUNTEER],
            holders: vec![VOLUNTEER],
            state: None,
        })
    };
    let filed_in_first = change(SC, NOW as u64, visit(SC, ""));
    assert_eq!(
        code(decide(&filed_in_first, None, sc, in_second)),
        RejectCode::WrongDistrict
    );
    let mut filed_right = filed_in_first.clone();
    filed_right.district_id = Some(DistrictId(2));
    let accepted = kept(decide(&filed_right, None, sc, in_second));
    assert_eq!(accepted.district, Some(DistrictId(2)));
}

#[test]
fn a_visit_to_a_resident_the_author_cannot_see_is_refused() {
    let other = pusher(OTHER_VOLUNTEER, Role::Volunteer);
    let theirs = change(OTHER_VOLUNTEER, NOW as u64, visit(OTHER_VOLUNTEER, ""));
    assert_eq!(
        code(decide(&theirs, None, other, assigned_resident)),
        RejectCode::NotAllowed
    );
    // A coordinator of the district sees every resident, but not one the server lacks.
    let sc = pusher(SC, Role::Coordinator);
    let unknown = change(SC, NOW as u64, visit(SC, ""));
    let rejection = decide(&unknown, None, sc, |_| None).unwrap_err();
    assert_eq!(rejection.code, RejectCode::Invalid);
    assert_eq!(rejection.fields[0].field, "resident_id");
}

#[test]
fn only_the_author_corrects_a_visit_and_the_newest_version_wins() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let first = change(VOLUNTEER, NOW as u64 - 10, visit(VOLUNTEER, "最初"));
    let stored = kept(decide(&first, None, me, assigned_resident));

    let sc_edit = change(SC, NOW as u64, visit(VOLUNTEER, "SCの訂正"));
    let sc = pusher(SC, Role::Coordinator);
    assert_eq!(
        code(decide(&sc_edit, Some(&stored), sc, assigned_resident)),
        RejectCode::NotAllowed
    );

    let correction = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, "訂正"));
    let corrected = kept(decide(&correction, Some(&stored), me, assigned_resident));
    // An older version arriving late (from another of the author's phones) changes nothing
    // and is not sequenced again.
    let mut older = change(VOLUNTEER, NOW as u64 - 5, visit(VOLUNTEER, "古い訂正"));
    older.stamp.counter = 1;
    assert_eq!(
        decide(&older, Some(&corrected), me, assigned_resident),
        Ok(Decision::Unchanged)
    );
    let State::Visit(newest) = &corrected.state else {
        panic!("a visit")
    };
    assert!(matches!(&newest.body, Body::Visit(v) if v.note == "訂正"));
}

#[test]
fn volunteers_register_residents_only_for_themselves() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let unassigned = change(VOLUNTEER, NOW as u64, new_resident(None));
    assert_eq!(
        code(decide(&unassigned, None, me, |_| None)),
        RejectCode::NotAllowed
    );
    let for_another = change(
        VOLUNTEER,
        NOW as u64,
        new_resident(Some(&[OTHER_VOLUNTEER])),
    );
    assert_eq!(
        code(decide(&for_another, None, me, |_| None)),
        RejectCode::NotAllowed
    );
    let mine = change(VOLUNTEER, NOW as u64, new_resident(Some(&[VOLUNTEER])));
    let stored = kept(decide(&mine, None, me, |_| None));
    assert_eq!(stored.state.assigned(), vec![VOLUNTEER]);

    // Someone else's resident is not theirs to edit; the SC may edit any in the district.
    let other = pusher(OTHER_VOLUNTEER, Role::Volunteer);
    let mut edit = change(
        OTHER_VOLUNTEER,
        NOW as u64 + 1,
        Body::Resident(ResidentPatch {
            note: Some("x".into()),
            ..ResidentPatch::default()
        }),
    );
    edit.base = Some(mine.stamp);
    assert_eq!(
        code(decide(&edit, Some(&stored), other, |_| None)),
        RejectCode::NotAllowed
    );
    let mut sc_edit = change(
        SC,
        NOW as u64 + 1,
        Body::Resident(ResidentPatch {
            note: Some("x".into()),
            ..ResidentPatch::default()
        }),
    );
    sc_edit.base = Some(mine.stamp);
    assert!(decide(
        &sc_edit,
        Some(&stored),
        pusher(SC, Role::Coordinator),
        |_| None
    )
    .is_ok());
}

#[test]
fn an_id_already_used_by_another_kind_is_refused() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let resident = change(VOLUNTEER, NOW as u64, new_resident(Some(&[VOLUNTEER])));
    let stored = kept(decide(&resident, None, me, |_| None));
    let visit_with_same_id = change(VOLUNTEER, NOW as u64 + 1, visit(VOLUNTEER, ""));
    assert_eq!(
        code(decide(
            &visit_with_same_id,
            Some(&stored),
            me,
            assigned_resident
        )),
        RejectCode::IdTaken
    );
}

fn resident_b() -> RecordId {
    RecordId::new_v7(1, [3; 10])
}

/// Resident A is assigned to VOLUNTEER, resident B to OTHER_VOLUNTEER, both in 乗附.
fn residents_a_and_b(id: RecordId) -> Option<Related<'static>> {
    let assigned = if id == resident_id() {
        VOLUNTEER
    } else if id == resident_b() {
        OTHER_VOLUNTEER
    } else {
        return None;
    };
    Some(Related {
        kind: RecordKind::Resident,
        district: Some(NORITSUKE),
        assigned: vec![assigned],
        holders: vec![assigned],
        state: None,
    })
}

#[test]
fn a_late_older_version_never_moves_a_visit_to_another_resident() {
    let sc = pusher(SC, Role::Coordinator);
    let about_a = change(SC, NOW as u64, visit(SC, "Aさんの訪問"));
    let held = kept(decide(&about_a, None, sc, residents_a_and_b));
    let mut about_b = change(SC, NOW as u64 - 60_000, visit(SC, "Bさんの訪問"));
    if let Body::Visit(visit) = &mut about_b.body {
        visit.resident_id = resident_b();
    }
    // The older version is valid on its own, but what the server keeps is the newest: the
    // visit stays A's, and so does its audience.
    assert_eq!(
        decide(&about_b, Some(&held), sc, residents_a_and_b),
        Ok(Decision::Unchanged)
    );
    assert_eq!(
        held.state.parent(),
        Some((RecordKind::Resident, resident_id()))
    );
}

#[test]
fn a_volunteer_can_neither_claim_nor_reassign_a_resident() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let sc = pusher(SC, Role::Coordinator);
    // Registered by the SC with no assignee: nobody's yet.
    let registered = change(SC, NOW as u64 - 10, new_resident(None));
    let nobodys = kept(decide(&registered, None, sc, |_| None));
    let claim = |assigned: Option<&[UserId]>, note: Option<&str>| {
        let mut edit = change(
            VOLUNTEER,
            NOW as u64,
            Body::Resident(ResidentPatch {
                assigned_volunteers: assigned.map(|a| a.iter().copied().collect()),
                note: note.map(str::to_owned),
                ..ResidentPatch::default()
            }),
        );
        edit.id = registered.id;
        edit.base = Some(registered.stamp);
        edit
    };
    for attempt in [claim(Some(&[VOLUNTEER]), None), claim(None, Some("x"))] {
        assert_eq!(
            code(decide(&attempt, Some(&nobodys), me, |_| None)),
            RejectCode::NotAllowed
        );
    }
    // Once the SC assigns them, they edit it, but still cannot change who is assigned.
    let mut assign = claim(Some(&[VOLUNTEER]), None);
    assign.author = SC;
    assign.device = DeviceId(SC.0 * 100);
    assign.stamp.node = (SC.0 * 100) as u64;
    let theirs = kept(decide(&assign, Some(&nobodys), sc, |_| None));
    let mut note = claim(None, Some("ごみ出しの日を確認"));
    note.stamp.counter = 1;
    assert!(decide(&note, Some(&theirs), me, |_| None).is_ok());
    let mut widen = claim(Some(&[VOLUNTEER, OTHER_VOLUNTEER]), None);
    widen.stamp.counter = 2;
    assert_eq!(
        code(decide(&widen, Some(&theirs), me, |_| None)),
        RejectCode::NotAllowed
    );
    // A volunteer's new resident is theirs alone.
    let mut shared = change(
        VOLUNTEER,
        NOW as u64,
        new_resident(Some(&[VOLUNTEER, OTHER_VOLUNTEER])),
    );
    shared.id = RecordId::new_v7(3, [3; 10]);
    assert_eq!(
        code(decide(&shared, None, me, |_| None)),
        RejectCode::NotAllowed
    );
}

#[test]
fn a_replay_is_accepted_only_as_the_same_change_from_the_same_device() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let sent = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, "お元気"));
    let held = kept(decide(&sent, None, me, assigned_resident));
    let replay = |change: &Change, before: AppliedBefore, pusher: Actor<'_>| {
        let held = Held {
            record: Some(&held),
            applied: Some(before),
        };
        apply_change(change, held, pusher, NOW, assigned_resident)
    };
    let same = AppliedBefore {
        device: me.device,
        same_content: Some(true),
    };
    assert_eq!(replay(&sent, same, me), Ok(Decision::Replay));
    // Even after the volunteer lost the resident: it was stored, the phone must hear so.
    let reassigned = |_: RecordId| None;
    let held_now = Held {
        record: Some(&held),
        applied: Some(same),
    };
    assert_eq!(
        apply_change(&sent, held_now, me, NOW, reassigned),
        Ok(Decision::Replay)
    );
    // Another content under the same (record, stamp) is refused, never silently dropped.
    let mut edited = sent.clone();
    if let Body::Visit(visit) = &mut edited.body {
        visit.note = "別の内容".into();
    }
    let different = AppliedBefore {
        same_content: Some(false),
        ..same
    };
    assert_eq!(
        code(replay(&edited, different, me)),
        RejectCode::StampReused
    );
    // Someone else cannot take the name at all: their device is not the stamp's.
    let other = pusher(OTHER_VOLUNTEER, Role::Volunteer);
    let mut forged = sent.clone();
    forged.author = OTHER_VOLUNTEER;
    forged.device = other.device;
    assert_eq!(code(replay(&forged, same, other)), RejectCode::ForgedAuthor);
    // A change noted before fingerprints were kept: the same device is trusted.
    let legacy = AppliedBefore {
        device: me.device,
        same_content: None,
    };
    assert_eq!(replay(&sent, legacy, me), Ok(Decision::Replay));
}

#[test]
fn a_stamp_from_another_devices_clock_is_forged() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let mut borrowed = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    borrowed.stamp.node = (OTHER_VOLUNTEER.0 * 100) as u64;
    assert_eq!(
        code(decide(&borrowed, None, me, assigned_resident)),
        RejectCode::ForgedAuthor
    );
}

#[test]
fn a_deletion_is_validated_and_permitted_like_any_change() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let first = change(VOLUNTEER, NOW as u64 - 10, visit(VOLUNTEER, ""));
    let held = kept(decide(&first, None, me, assigned_resident));
    let mut long = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, &"あ".repeat(5000)));
    long.deleted = true;
    assert_eq!(
        code(decide(&long, Some(&held), me, assigned_resident)),
        RejectCode::Invalid
    );
    let mut elsewhere = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    elsewhere.deleted = true;
    if let Body::Visit(visit) = &mut elsewhere.body {
        visit.resident_id = resident_b();
    }
    // Moved, by deleting it, to a resident of someone else's.
    assert_eq!(
        code(decide(&elsewhere, Some(&held), me, residents_a_and_b)),
        RejectCode::NotAllowed
    );
    let mut deletion = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    deletion.deleted = true;
    let deleted = kept(decide(&deletion, Some(&held), me, assigned_resident));
    assert!(deleted.state.is_deleted());
}

proptest! {
    #[test]
    fn applying_the_same_change_twice_stores_what_once_did(note in "[あ-ん]{0,20}", late in 0u64..1000) {
        let me = pusher(VOLUNTEER, Role::Volunteer);
        let first = change(VOLUNTEER, NOW as u64 - 5000, new_resident(Some(&[VOLUNTEER])));
        let stored = kept(decide(&first, None, me, |_| None));
        let mut edit = change(VOLUNTEER, NOW as u64 - late, Body::Resident(ResidentPatch { note: Some(note), ..ResidentPatch::default() }));
        edit.base = Some(first.stamp);
        let once = decide(&edit, Some(&stored), me, |_| None).unwrap();
        let once = match once {
            Decision::Store(accepted) => accepted.stored,
            _ => stored.clone(),
        };
        // Decided again without knowing it was applied (a server that lost its note of
        // it): the state stays as once made it, and nothing is sequenced again.
        prop_assert_eq!(decide(&edit, Some(&once), me, |_| None), Ok(Decision::Unchanged));
    }
}
