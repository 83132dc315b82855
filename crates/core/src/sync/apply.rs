//! Deciding what one pushed change does, given what the server holds: the rules of sync,
//! free of storage and of any kind, so that the server (and the simulation) are thin shells
//! around them. What a kind means (its permissions, validation, merge, parent) comes from
//! `kinds`.
//!
//! The order of the checks is part of the rule:
//! 1. identity: the change must be the caller's own (author, device, and a stamp from the
//!    device's own clock), whatever else is true;
//! 2. replay: a (record, stamp) pair applied before is acknowledged again only when it is
//!    the same change from the same device; anything else under that name is refused, so a
//!    real edit is never dropped as a "duplicate" while its phone believes it was saved;
//! 3. district and clock;
//! 4. the kind's merge, whose result (not the change that arrived) is the record the rest
//!    is decided on: a change is permitted and validated on the record it replaces and the
//!    record it would make, never on its own fields alone. So a change to a record the
//!    server does not hold is a creation whatever its `base` says, and gets every creation
//!    check; a record moves to another parent only if its kind allows it and the actor may
//!    change it where it is and where it goes; ids a kind derives are checked on the
//!    result; a record lives in its parent's district. Deletions are checked too;
//! 5. a change that leaves the stored state as it was is acknowledged and changes nothing.

use crate::hlc::MAX_CLOCK_SKEW_MS;
use crate::kinds::{Actor, RecordKind, Side, State};
use crate::merge::Conflict;
use crate::record::Body;
use crate::record::{Change, DeviceId, DistrictId, RecordId, UserId};
use crate::sync::{may_see, RejectCode, Visibility};
use crate::validate::{validate_result, Context, FieldError};

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// `None` for a city-wide record.
    pub district: Option<DistrictId>,
    pub created_by: UserId,
    pub state: State,
}

impl Stored {
    pub fn kind(&self) -> RecordKind {
        self.state.kind()
    }
}

/// What the server must store after accepting a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub stored: Stored,
    /// Conflicts this change added.
    pub conflicts: Vec<Conflict>,
}

/// What an accepted change does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The record's state changed: store it at a new sequence number.
    Store(Accepted),
    /// A new change that leaves the stored state exactly as it was (an older version of a
    /// visit arriving late, a write that lost on every field with nothing to keep): note it
    /// as applied, but do not sequence the record again, or every phone would download it.
    Unchanged,
    /// This very change was applied before (the phone did not hear the answer): nothing to do.
    Replay,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    pub fields: Vec<FieldError>,
}

impl From<RejectCode> for Rejection {
    fn from(code: RejectCode) -> Self {
        Self {
            code,
            fields: Vec::new(),
        }
    }
}

/// A change applied before under the same (record, stamp), as the server noted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedBefore {
    pub device: DeviceId,
    /// Whether it had the same content as the change now arriving; `None` when the server
    /// noted no fingerprint (changes applied before fingerprints were kept).
    pub same_content: Option<bool>,
}

/// What the server holds under a pushed change's name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Held<'a> {
    /// The record with the change's id, if any.
    pub record: Option<&'a Stored>,
    /// The change applied before with the same (record, stamp), if any.
    pub applied: Option<AppliedBefore>,
}

/// A record a change refers to (a visit's resident), as far as the change needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related<'a> {
    pub kind: RecordKind,
    pub district: Option<DistrictId>,
    /// The volunteers it is shown to by assignment (see `Visibility::assigned`).
    pub assigned: Vec<UserId>,
    /// Those it is assigned to itself (`Kind::assigned`: a resident's volunteers, a salon's
    /// organisers), who may be allowed to change what hangs from it.
    pub holders: Vec<UserId>,
    /// Its state, for rules that read another record (a salon's schedule, a member's
    /// salon); `None` where the caller does not keep it.
    pub state: Option<&'a State>,
}

/// What validation may know of the world on the server: the records `related` finds, as
/// far as `actor` may see them.
pub(crate) struct World<'a, F> {
    pub(crate) now_ms: i64,
    pub(crate) actor: Actor<'a>,
    pub(crate) related: F,
}

impl<'r, F: Fn(RecordId) -> Option<Related<'r>>> World<'_, F> {
    /// The record `id` of `kind`, if it is live and the actor may see it.
    fn seen(&self, kind: RecordKind, id: RecordId) -> Option<Related<'r>> {
        (self.related)(id).filter(|r| {
            r.kind == kind
                && may_see(
                    self.actor.role,
                    self.actor.user,
                    self.actor.districts,
                    Visibility {
                        audience: kind.audience(),
                        district: r.district,
                        assigned: &r.assigned,
                    },
                )
        })
    }
}

impl<'r, F: Fn(RecordId) -> Option<Related<'r>>> Context for World<'_, F> {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }

    fn visible(&self, kind: RecordKind, id: RecordId) -> bool {
        self.seen(kind, id).is_some()
    }

    fn current(&self, kind: RecordKind, id: RecordId) -> Option<Body> {
        self.seen(kind, id)?.state?.current()
    }
}

/// Decides one change. `held` is what the server holds under the change's name; `related`
/// looks up (live) records that changes refer to. Pure: the same inputs always decide the
/// same.
pub fn apply_change<'r>(
    change: &Change,
    held: Held<'_>,
    actor: Actor<'_>,
    now_ms: i64,
    related: impl Fn(RecordId) -> Option<Related<'r>>,
) -> Result<Decision, Rejection> {
    // A stamp names its device (the clock's node is the device id), so no one can make a
    // change that collides with another device's (record, stamp).
    if change.author != actor.user
        || change.device != actor.device
        || change.stamp.node != actor.device.0 as u64
    {
        return Err(RejectCode::ForgedAuthor.into());
    }
    if let Some(before) = held.applied {
        return if before.device == actor.device && before.same_content != Some(false) {
            // Accepted again even if permissions changed since: it is already stored, and
            // refusing it now would tell the phone its saved record was lost.
            Ok(Decision::Replay)
        } else {
            Err(RejectCode::StampReused.into())
        };
    }
    if change
        .district_id
        .is_some_and(|d| !actor.districts.contains(&d))
    {
        return Err(RejectCode::WrongDistrict.into());
    }
    if change.stamp.wall_ms > (now_ms.max(0) as u64).saturating_add(MAX_CLOCK_SKEW_MS) {
        return Err(RejectCode::ClockAhead.into());
    }
    let existing = held.record;
    if let Some(existing) = existing {
        if existing.kind() != change.kind() || existing.district != change.district_id {
            return Err(RejectCode::IdTaken.into());
        }
    }
    // The record as the change would leave it: everything below is decided on it and on
    // the record it replaces.
    let (state, conflicts) = State::apply(existing.map(|e| &e.state), change)
        .map_err(|_| Rejection::from(RejectCode::IdTaken))?;
    let parent_before = existing.and_then(|e| e.state.parent());
    let parent_after = state.parent();
    if existing.is_some() && parent_before != parent_after && !change.kind().moves() {
        return Err(RejectCode::NotAllowed.into());
    }
    let holders = |parent: Option<(RecordKind, RecordId)>| {
        parent
            .and_then(|(kind, id)| related(id).filter(|p| p.kind == kind))
            .map(|p| p.holders)
            .unwrap_or_default()
    };
    // Most changes keep their parent: it is looked up once.
    let holders_before = holders(parent_before);
    let holders_after = if parent_after == parent_before {
        holders_before.clone()
    } else {
        holders(parent_after)
    };
    let before = existing.map(|e| Side {
        state: &e.state,
        created_by: e.created_by,
        district: e.district,
        parent_holders: &holders_before,
    });
    let created_by = existing.map_or(change.author, |e| e.created_by);
    let after = Side {
        state: &state,
        created_by,
        district: change.district_id,
        parent_holders: &holders_after,
    };
    State::permit(actor, before, after, change)?;
    let world = World {
        now_ms,
        actor,
        related: &related,
    };
    validate_result(change, existing.map(|e| &e.state), &state, &world).map_err(|fields| {
        Rejection {
            code: RejectCode::Invalid,
            fields,
        }
    })?;
    // A record lives in its parent's district: that district's SC must see it, whichever of
    // their districts the author's phone would have chosen.
    if let Some((_, parent)) = parent_after {
        if related(parent).is_some_and(|p| p.district != change.district_id) {
            return Err(RejectCode::WrongDistrict.into());
        }
    }
    let stored = Stored {
        district: change.district_id,
        created_by,
        state,
    };
    Ok(match existing {
        Some(existing) if *existing == stored => Decision::Unchanged,
        _ => Decision::Store(Accepted { stored, conflicts }),
    })
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "integrity_tests.rs"]
mod integrity_tests;
