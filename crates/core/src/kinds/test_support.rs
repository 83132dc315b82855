//! What the kinds' own tests share: a change as a phone in district 1 makes it, and the
//! person making it.

use super::Actor;
use crate::account::Role;
use crate::hlc::Hlc;
use crate::record::{Body, Change, DeviceId, DistrictId, RecordId, UserId};

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
