//! What the kinds' own tests share: a change as a phone in district 1 makes it, and the
//! person making it.

use super::{Actor, MemberPatch, RecordKind, SalonPatch, Side, State};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::hlc::Hlc;
use crate::record::{Body, Change, DeviceId, DistrictId, RecordId, UserId};
use crate::salons::{Repeat, Schedule, TimeOfDay};
use crate::sync::RejectCode;
use crate::validate::Context;

/// A change to record `id` by `author` (whose device has their number) at `wall_ms`,
/// having seen `base`.
pub fn change(
    id: RecordId,
    author: UserId,
    wall_ms: u64,
    base: Option<Hlc>,
    body: impl Into<Body>,
) -> Change {
    Change {
        id,
        district_id: Some(DistrictId(1)),
        author,
        device: DeviceId(author.0),
        stamp: Hlc {
            wall_ms,
            counter: 0,
            node: author.0 as u64,
        },
        base,
        deleted: false,
        body: body.into(),
    }
}

/// `user` signed in with `role` in district 1.
pub fn actor(user: UserId, role: Role) -> Actor<'static> {
    Actor {
        user,
        device: DeviceId(user.0),
        role,
        districts: &[DistrictId(1)],
    }
}

/// Whether `actor` may make `change` to the record held as `held` (with who made it;
/// `None`: a creation), its parent assigned to `parent_holders` before and after: the
/// engine's question, both sides included.
pub fn permit(
    actor: Actor<'_>,
    held: Option<(UserId, &State)>,
    parent_holders: &[UserId],
    change: &Change,
) -> Result<(), RejectCode> {
    let (after, _) =
        State::apply(held.map(|(_, state)| state), change).map_err(|_| RejectCode::IdTaken)?;
    let side = |state, created_by| Side {
        state,
        created_by,
        district: change.district_id,
        parent_holders,
    };
    let before = held.map(|(created_by, state)| side(state, created_by));
    let made_by = held.map_or(change.author, |(created_by, _)| created_by);
    State::permit(actor, before, side(&after, made_by), change)
}

/// A world where every record may be seen, every salon meets every day, and every member
/// is a member of `salon`.
pub struct OpenWorld {
    pub now_ms: i64,
    pub salon: RecordId,
}

impl Context for OpenWorld {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    fn visible(&self, _: RecordKind, _: RecordId) -> bool {
        true
    }
    fn current(&self, kind: RecordKind, _: RecordId) -> Option<Body> {
        match kind {
            RecordKind::Salon => Some(Body::Salon(SalonPatch {
                name: Some("毎日サロン".into()),
                schedule: Some(every_day()),
                ..SalonPatch::default()
            })),
            RecordKind::SalonMember => Some(Body::SalonMember(MemberPatch {
                salon_id: Some(self.salon),
                name: Some("井上 ハル".into()),
                ..MemberPatch::default()
            })),
            _ => None,
        }
    }
}

/// A salon that meets every day from 2000, holidays included.
pub fn every_day() -> Schedule {
    Schedule {
        repeat: Repeat::Weekly,
        weekdays: (0..7).collect(),
        weeks: Vec::new(),
        dates: Vec::new(),
        from: CivilDate::new(2000, 1, 1).expect("a real date"),
        until: None,
        start: TimeOfDay {
            hour: 10,
            minute: 0,
        },
        end: TimeOfDay {
            hour: 12,
            minute: 0,
        },
        skip_holidays: false,
    }
}
