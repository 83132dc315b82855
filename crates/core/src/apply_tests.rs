use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::calendar::CivilDate;
use crate::hlc::Hlc;
use crate::resident::{Consent, ResidentPatch};
use crate::visit::{Outcome, VisitBody, VisitMethod};

const NOW: i64 = 1_764_000_000_000;
const NORITSUKE: DistrictId = DistrictId(1);
const VOLUNTEER: UserId = UserId(10);
const OTHER_VOLUNTEER: UserId = UserId(11);
const SC: UserId = UserId(20);

fn pusher(user: UserId, role: Role) -> Pusher<'static> {
    Pusher {
        user,
        device: DeviceId(user.0 * 100),
        role,
        districts: &[NORITSUKE],
    }
}

fn resident_id() -> RecordId {
    RecordId::new_v7(1, [1; 10])
}

fn assigned_resident(id: RecordId) -> Option<ResidentInfo> {
    (id == resident_id()).then(|| ResidentInfo {
        district: NORITSUKE,
        assigned: vec![VOLUNTEER],
    })
}

fn change(author: UserId, stamp_ms: u64, body: Body) -> Change {
    Change {
        id: RecordId::new_v7(2, [2; 10]),
        district_id: NORITSUKE,
        author,
        device: DeviceId(author.0 * 100),
        stamp: Hlc {
            wall_ms: stamp_ms,
            counter: 0,
            node: author.0 as u64,
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
            taken_by: SC,
        }),
        ..ResidentPatch::default()
    })
}

fn code(result: Result<Accepted, Rejection>) -> RejectCode {
    result.expect_err("should be refused").code
}

#[test]
fn volunteer_logs_a_fine_visit_for_an_assigned_resident() {
    let visit = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    let accepted = apply_change(
        &visit,
        None,
        pusher(VOLUNTEER, Role::Volunteer),
        NOW,
        assigned_resident,
    )
    .unwrap();
    assert_eq!(accepted.resident_id, Some(resident_id()));
    assert_eq!(accepted.stored.created_by, VOLUNTEER);
}

#[test]
fn forged_authors_other_districts_and_far_future_clocks_are_refused() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let forged = change(OTHER_VOLUNTEER, NOW as u64, visit(OTHER_VOLUNTEER, ""));
    assert_eq!(
        code(apply_change(&forged, None, me, NOW, assigned_resident)),
        RejectCode::ForgedAuthor
    );

    let mut elsewhere = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    elsewhere.district_id = DistrictId(2);
    assert_eq!(
        code(apply_change(&elsewhere, None, me, NOW, assigned_resident)),
        RejectCode::WrongDistrict
    );

    let ahead = change(
        VOLUNTEER,
        NOW as u64 + MAX_CLOCK_SKEW_MS + 1,
        visit(VOLUNTEER, ""),
    );
    assert_eq!(
        code(apply_change(&ahead, None, me, NOW, assigned_resident)),
        RejectCode::ClockAhead
    );

    let city = Pusher {
        role: Role::City,
        ..me
    };
    let ok = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, ""));
    assert_eq!(
        code(apply_change(&ok, None, city, NOW, assigned_resident)),
        RejectCode::NotAllowed
    );
}

#[test]
fn a_visit_belongs_to_its_residents_district() {
    // An SC of two districts visits a resident of the second one.
    let both = [NORITSUKE, DistrictId(2)];
    let sc = Pusher {
        districts: &both,
        ..pusher(SC, Role::Coordinator)
    };
    let in_second = |id: RecordId| {
        (id == resident_id()).then(|| ResidentInfo {
            district: DistrictId(2),
            assigned: vec![VOLUNTEER],
        })
    };
    let filed_in_first = change(SC, NOW as u64, visit(SC, ""));
    assert_eq!(
        code(apply_change(&filed_in_first, None, sc, NOW, in_second)),
        RejectCode::WrongDistrict
    );
    let mut filed_right = filed_in_first.clone();
    filed_right.district_id = DistrictId(2);
    let accepted = apply_change(&filed_right, None, sc, NOW, in_second).unwrap();
    assert_eq!(accepted.stored.district, DistrictId(2));
}

#[test]
fn a_visit_to_a_resident_the_author_cannot_see_is_invalid() {
    let other = pusher(OTHER_VOLUNTEER, Role::Volunteer);
    let visit = change(OTHER_VOLUNTEER, NOW as u64, visit(OTHER_VOLUNTEER, ""));
    let rejection = apply_change(&visit, None, other, NOW, assigned_resident).unwrap_err();
    assert_eq!(rejection.code, RejectCode::Invalid);
    assert_eq!(rejection.fields[0].field, "resident_id");
}

#[test]
fn only_the_author_corrects_a_visit_and_the_newest_version_wins() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let first = change(VOLUNTEER, NOW as u64 - 10, visit(VOLUNTEER, "最初"));
    let stored = apply_change(&first, None, me, NOW, assigned_resident)
        .unwrap()
        .stored;

    let sc_edit = change(SC, NOW as u64, visit(VOLUNTEER, "SCの訂正"));
    let sc = pusher(SC, Role::Coordinator);
    assert_eq!(
        code(apply_change(
            &sc_edit,
            Some(&stored),
            sc,
            NOW,
            assigned_resident
        )),
        RejectCode::NotAllowed
    );

    let correction = change(VOLUNTEER, NOW as u64, visit(VOLUNTEER, "訂正"));
    let corrected = apply_change(&correction, Some(&stored), me, NOW, assigned_resident)
        .unwrap()
        .stored;
    // The first version arriving late (a retry) does not undo the correction.
    let late = apply_change(&first, Some(&corrected), me, NOW, assigned_resident)
        .unwrap()
        .stored;
    assert_eq!(late, corrected);
    let StoredState::Visit(newest) = &late.state else {
        panic!("a visit")
    };
    assert!(matches!(&newest.body, Body::Visit(v) if v.note == "訂正"));
}

#[test]
fn volunteers_register_residents_only_for_themselves() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let unassigned = change(VOLUNTEER, NOW as u64, new_resident(None));
    assert_eq!(
        code(apply_change(&unassigned, None, me, NOW, |_| None)),
        RejectCode::NotAllowed
    );
    let for_another = change(
        VOLUNTEER,
        NOW as u64,
        new_resident(Some(&[OTHER_VOLUNTEER])),
    );
    assert_eq!(
        code(apply_change(&for_another, None, me, NOW, |_| None)),
        RejectCode::NotAllowed
    );
    let mine = change(VOLUNTEER, NOW as u64, new_resident(Some(&[VOLUNTEER])));
    let stored = apply_change(&mine, None, me, NOW, |_| None).unwrap().stored;
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
        code(apply_change(&edit, Some(&stored), other, NOW, |_| None)),
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
    assert!(apply_change(
        &sc_edit,
        Some(&stored),
        pusher(SC, Role::Coordinator),
        NOW,
        |_| None
    )
    .is_ok());
}

#[test]
fn an_id_already_used_by_another_kind_is_refused() {
    let me = pusher(VOLUNTEER, Role::Volunteer);
    let resident = change(VOLUNTEER, NOW as u64, new_resident(Some(&[VOLUNTEER])));
    let stored = apply_change(&resident, None, me, NOW, |_| None)
        .unwrap()
        .stored;
    let visit_with_same_id = change(VOLUNTEER, NOW as u64 + 1, visit(VOLUNTEER, ""));
    assert_eq!(
        code(apply_change(
            &visit_with_same_id,
            Some(&stored),
            me,
            NOW,
            assigned_resident
        )),
        RejectCode::IdTaken
    );
}

proptest! {
    #[test]
    fn applying_the_same_change_twice_stores_what_once_did(note in "[あ-ん]{0,20}", late in 0u64..1000) {
        let me = pusher(VOLUNTEER, Role::Volunteer);
        let first = change(VOLUNTEER, NOW as u64 - 5000, new_resident(Some(&[VOLUNTEER])));
        let stored = apply_change(&first, None, me, NOW, |_| None).unwrap().stored;
        let mut edit = change(VOLUNTEER, NOW as u64 - late, Body::Resident(ResidentPatch { note: Some(note), ..ResidentPatch::default() }));
        edit.base = Some(first.stamp);
        let once = apply_change(&edit, Some(&stored), me, NOW, |_| None).unwrap();
        let twice = apply_change(&edit, Some(&once.stored), me, NOW, |_| None).unwrap();
        prop_assert_eq!(&once.stored, &twice.stored);
        prop_assert!(twice.conflicts.is_empty());
    }
}
