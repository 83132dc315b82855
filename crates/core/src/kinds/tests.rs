//! Every kind of [`RecordKind::ALL`] through every rule: a kind added to the list is
//! checked here without a line of its own.

use proptest::prelude::*;

use super::*;
use crate::hlc::Hlc;
use crate::record::DeviceId;
use crate::sync::{may_see, Visibility};

const NOW: i64 = 1_764_000_000_000;
const AUTHOR: UserId = UserId(7);

/// The world a sample refers to: its parent exists and may be seen.
struct World;

impl Context for World {
    fn now_ms(&self) -> i64 {
        NOW
    }
    fn visible(&self, _: RecordKind, _: RecordId) -> bool {
        true
    }
}

fn parent_id() -> RecordId {
    RecordId::new_v7(1, [9; 10])
}

fn change(kind: RecordKind, n: u64, stamp: Hlc, deleted: bool) -> Change {
    let body = kind.sample(n, AUTHOR, NOW, Some(parent_id()));
    Change {
        id: kind
            .fixed_id(DistrictId(1))
            .or_else(|| body.derived_id())
            .unwrap_or_else(|| RecordId::new_v7(2, [2; 10])),
        district_id: Some(DistrictId(1)),
        author: AUTHOR,
        device: DeviceId(70),
        stamp,
        base: None,
        deleted,
        body,
    }
}

fn stamp(wall_ms: u64, node: u64) -> Hlc {
    Hlc {
        wall_ms,
        counter: 0,
        node,
    }
}

#[test]
fn every_kind_has_a_stable_code_and_its_samples_are_valid() {
    for kind in RecordKind::ALL {
        assert_eq!(RecordKind::from_code(kind.as_str()), Some(*kind));
        let json = serde_json::to_value(kind).unwrap();
        assert_eq!(json, kind.as_str());
        for n in 0..8 {
            let change = change(*kind, n, stamp(NOW as u64, 70), false);
            assert_eq!(change.kind(), *kind);
            assert_eq!(
                crate::validate::validate_change(&change, &World),
                Ok(()),
                "{kind:?} sample {n}"
            );
            // The body's JSON comes back as the same body.
            let text = serde_json::to_string(&change).unwrap();
            assert_eq!(serde_json::from_str::<Change>(&text).unwrap(), change);
        }
    }
}

#[test]
fn every_kinds_state_round_trips_through_the_json_the_server_stores() {
    for kind in RecordKind::ALL {
        let change = change(*kind, 3, stamp(10, 70), false);
        let (state, _) = State::apply(None, &change).unwrap();
        assert_eq!(state.kind(), *kind);
        let back = State::from_json(*kind, state.to_json()).unwrap();
        assert_eq!(back, state);
        assert_eq!(state.newest_stamp(), Some(change.stamp));
        assert!(!state.is_deleted());
        assert_eq!(state.current().map(|b| b.kind()), Some(*kind));
        assert_eq!(state.parent(), change.body.parent());
        // Another kind's state is not this kind's.
        for other in RecordKind::ALL.iter().filter(|k| *k != kind) {
            let theirs = self::change(*other, 3, stamp(11, 70), false);
            assert_eq!(State::apply(Some(&state), &theirs), Err(KindMismatch));
        }
    }
}

#[test]
fn a_deletion_of_every_kind_is_a_deletion() {
    for kind in RecordKind::ALL {
        let created = change(*kind, 1, stamp(10, 70), false);
        let (state, _) = State::apply(None, &created).unwrap();
        let deletion = change(*kind, 1, stamp(20, 70), true);
        let (deleted, _) = State::apply(Some(&state), &deletion).unwrap();
        assert!(deleted.is_deleted(), "{kind:?}");
    }
}

#[test]
fn every_kinds_audience_keeps_names_from_the_city_and_other_districts() {
    let volunteer = UserId(1);
    for kind in RecordKind::ALL {
        let in_district = |role: Role, districts: &[DistrictId], assigned: &[UserId]| {
            may_see(
                role,
                volunteer,
                districts,
                Visibility {
                    audience: kind.audience(),
                    district: Some(DistrictId(1)),
                    assigned,
                },
            )
        };
        let audience = kind.audience();
        let personal = matches!(audience, Audience::Assigned | Audience::ParentAssigned);
        if personal {
            for role in [Role::City, Role::Admin] {
                assert!(
                    !in_district(role, &[DistrictId(1)], &[volunteer]),
                    "{kind:?}"
                );
            }
            assert!(!in_district(
                Role::Volunteer,
                &[DistrictId(1)],
                &[UserId(2)]
            ));
            assert!(in_district(Role::Volunteer, &[DistrictId(1)], &[volunteer]));
        }
        if !matches!(audience, Audience::Public | Audience::City) {
            assert!(!in_district(
                Role::Coordinator,
                &[DistrictId(2)],
                &[volunteer]
            ));
            assert!(in_district(Role::Coordinator, &[DistrictId(1)], &[]));
        }
    }
}

#[test]
fn no_kind_lets_the_city_or_an_administrator_change_personal_records() {
    for kind in RecordKind::ALL {
        if !matches!(
            kind.audience(),
            Audience::Assigned | Audience::ParentAssigned
        ) {
            continue;
        }
        let change = change(*kind, 1, stamp(10, 70), false);
        for role in [Role::City, Role::Admin] {
            let actor = Actor {
                user: AUTHOR,
                device: DeviceId(70),
                role,
                districts: &[DistrictId(1)],
            };
            assert_eq!(
                State::permit(actor, None, &[], &change),
                Err(RejectCode::NotAllowed),
                "{kind:?}"
            );
        }
    }
}

/// What users see of a state (merges may keep their conflicts in another order).
fn seen(state: &State) -> (Option<Body>, bool, Option<Hlc>) {
    (state.current(), state.is_deleted(), state.newest_stamp())
}

fn apply_all(changes: &[Change]) -> Option<State> {
    changes.iter().fold(None, |state, change| {
        Some(State::apply(state.as_ref(), change).unwrap().0)
    })
}

proptest! {
    /// Every kind's merge: the same changes in any order are seen the same, and a change
    /// applied twice is applied once.
    #[test]
    fn every_kinds_merge_ends_the_same_whatever_the_order(
        kind_index in 0..RecordKind::ALL.len(),
        writes in proptest::collection::vec((0u64..6, 0u64..50, 0u64..3, any::<bool>()), 1..6),
        order in any::<u64>(),
    ) {
        let kind = RecordKind::ALL[kind_index];
        // Distinct stamps, as every replica's clock guarantees.
        let changes: Vec<Change> = writes
            .iter()
            .enumerate()
            .map(|(i, (n, wall, node, deleted))| {
                let mut change = change(kind, *n, stamp(*wall, *node), *deleted && i > 0);
                change.stamp.counter = i as u32;
                change
            })
            .collect();
        let mut shuffled = changes.clone();
        let mut seed = order;
        for i in (1..shuffled.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let once = apply_all(&changes).unwrap();
        let other_order = apply_all(&shuffled).unwrap();
        prop_assert_eq!(seen(&once), seen(&other_order));
        // Each change, applied again at once, changes nothing.
        let mut state: Option<State> = None;
        for change in &changes {
            let (after, _) = State::apply(state.as_ref(), change).unwrap();
            let (again, added) = State::apply(Some(&after), change).unwrap();
            prop_assert_eq!(&again, &after);
            prop_assert!(added.is_empty());
            state = Some(after);
        }
    }
}

#[test]
fn a_body_reads_in_either_order_and_refuses_anything_else() {
    for kind in RecordKind::ALL {
        let body = kind.sample(1, AUTHOR, NOW, Some(parent_id()));
        let json = serde_json::to_value(&body).unwrap();
        let kind_first = format!(r#"{{"kind":{},"data":{}}}"#, json["kind"], json["data"]);
        let data_first = format!(r#"{{"data":{},"kind":{}}}"#, json["data"], json["kind"]);
        for text in [&kind_first, &data_first] {
            assert_eq!(serde_json::from_str::<Body>(text).unwrap(), body);
        }
        assert_eq!(serde_json::from_value::<Body>(json.clone()).unwrap(), body);
        let extra = kind_first.replacen('{', r#"{"admin":true,"#, 1);
        assert!(serde_json::from_str::<Body>(&extra).is_err());
        let twice = format!(
            r#"{{"kind":{},"kind":{},"data":{}}}"#,
            json["kind"], json["kind"], json["data"]
        );
        assert!(serde_json::from_str::<Body>(&twice).is_err());
    }
    assert!(serde_json::from_str::<Body>(r#"{"kind":"salon_session","data":{}}"#).is_err());
    assert!(serde_json::from_str::<Body>(r#"{"kind":"visit"}"#).is_err());
}
