//! Deciding what one pushed change does, given what the server holds: the rules of sync,
//! free of storage, so that the server (and the simulation) are thin shells around them.
//!
//! The order of the checks is part of the rule:
//! 1. identity: the change must be the caller's own (author, device, and a stamp from the
//!    device's own clock), whatever else is true;
//! 2. replay: a (record, stamp) pair applied before is acknowledged again only when it is
//!    the same change from the same device; anything else under that name is refused, so a
//!    real edit is never dropped as a "duplicate" while its phone believes it was saved;
//! 3. permission, clock and validation, for every change, deletions included;
//! 4. the merge, whose result (not the change that arrived) decides the record's audience;
//!    a change that leaves the stored state as it was is acknowledged and changes nothing.

use serde_json::Value;

use crate::account::Role;
use crate::hlc::MAX_CLOCK_SKEW_MS;
use crate::record::{Body, Change, DeviceId, DistrictId, RecordId, RecordKind, UserId};
use crate::resident::{Conflict, LwwRecord, DELETED_FIELD};
use crate::sync::{may_see, RejectCode, Visibility};
use crate::validate::{validate_change, Context, FieldError};

/// The signed-in device pushing.
#[derive(Debug, Clone, Copy)]
pub struct Pusher<'a> {
    pub user: UserId,
    pub device: DeviceId,
    pub role: Role,
    pub districts: &'a [DistrictId],
}

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub kind: RecordKind,
    pub district: DistrictId,
    pub created_by: UserId,
    pub state: StoredState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredState {
    Resident(LwwRecord),
    /// A visit's newest version.
    Visit(Box<Change>),
}

impl StoredState {
    pub fn to_json(&self) -> Value {
        match self {
            Self::Resident(record) => serde_json::to_value(record).unwrap_or(Value::Null),
            Self::Visit(change) => serde_json::to_value(change).unwrap_or(Value::Null),
        }
    }

    pub fn is_deleted(&self) -> bool {
        match self {
            Self::Resident(record) => record.is_deleted(),
            Self::Visit(change) => change.deleted,
        }
    }

    /// Who a resident is assigned to (visits answer with none: theirs come from the resident).
    pub fn assigned(&self) -> Vec<UserId> {
        match self {
            Self::Resident(record) => record
                .fields
                .get("assigned_volunteers")
                .and_then(|f| serde_json::from_value(f.value.clone()).ok())
                .unwrap_or_default(),
            Self::Visit(_) => Vec::new(),
        }
    }

    /// Whether the assignment was ever written (a resident registered without it has none).
    fn has_assignment(&self) -> bool {
        matches!(self, Self::Resident(record) if record.fields.contains_key("assigned_volunteers"))
    }

    /// The resident a visit belongs to, as the stored (newest) version says: what decides
    /// who sees the visit, whatever version arrived last.
    pub fn resident_id(&self) -> Option<RecordId> {
        match self {
            Self::Visit(change) => match &change.body {
                Body::Visit(visit) => Some(visit.resident_id),
                Body::Resident(_) => None,
            },
            Self::Resident(_) => None,
        }
    }
}

/// What the server must store after accepting a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub stored: Stored,
    /// Conflicts this change added (residents only).
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

/// A resident as far as a visit needs to know it: where it is and who is assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentInfo {
    pub district: DistrictId,
    pub assigned: Vec<UserId>,
}

struct World<'a, F> {
    now_ms: i64,
    pusher: Pusher<'a>,
    resident: F,
}

impl<F: Fn(RecordId) -> Option<ResidentInfo>> Context for World<'_, F> {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }

    fn resident_visible(&self, id: RecordId) -> bool {
        (self.resident)(id).is_some_and(|r| {
            let visibility = Visibility {
                kind: RecordKind::Resident,
                district: r.district,
                assigned: &r.assigned,
            };
            may_see(
                self.pusher.role,
                self.pusher.user,
                self.pusher.districts,
                visibility,
            )
        })
    }
}

/// Decides one change. `held` is what the server holds under the change's name; `resident`
/// looks up residents that visits refer to. Pure: the same inputs always decide the same.
pub fn apply_change(
    change: &Change,
    held: Held<'_>,
    pusher: Pusher<'_>,
    now_ms: i64,
    resident: impl Fn(RecordId) -> Option<ResidentInfo>,
) -> Result<Decision, Rejection> {
    // A stamp names its device (the clock's node is the device id), so no one can make a
    // change that collides with another device's (record, stamp).
    if change.author != pusher.user
        || change.device != pusher.device
        || change.stamp.node != pusher.device.0 as u64
    {
        return Err(RejectCode::ForgedAuthor.into());
    }
    if let Some(before) = held.applied {
        return if before.device == pusher.device && before.same_content != Some(false) {
            // Accepted again even if permissions changed since: it is already stored, and
            // refusing it now would tell the phone its saved record was lost.
            Ok(Decision::Replay)
        } else {
            Err(RejectCode::StampReused.into())
        };
    }
    if !pusher.districts.contains(&change.district_id) {
        return Err(RejectCode::WrongDistrict.into());
    }
    if matches!(pusher.role, Role::City | Role::Admin) {
        return Err(RejectCode::NotAllowed.into());
    }
    if change.stamp.wall_ms > (now_ms.max(0) as u64).saturating_add(MAX_CLOCK_SKEW_MS) {
        return Err(RejectCode::ClockAhead.into());
    }
    let existing = held.record;
    if let Some(existing) = existing {
        if existing.kind != change.kind() || existing.district != change.district_id {
            return Err(RejectCode::IdTaken.into());
        }
        // Visits are events: only their author corrects them.
        if existing.kind == RecordKind::Visit && existing.created_by != change.author {
            return Err(RejectCode::NotAllowed.into());
        }
    }
    let world = World {
        now_ms,
        pusher,
        resident: &resident,
    };
    // Deletions too: a deletion is a change like any other, and its body is stored.
    validate_change(change, &world).map_err(|fields| Rejection {
        code: RejectCode::Invalid,
        fields,
    })?;

    let accepted = match &change.body {
        Body::Resident(patch) => {
            let mut record = match existing.map(|e| &e.state) {
                Some(StoredState::Resident(record)) => record.clone(),
                _ => LwwRecord::default(),
            };
            if pusher.role == Role::Volunteer {
                volunteer_may_change_resident(
                    pusher.user,
                    existing.map(|e| &e.state),
                    patch.assigned_volunteers.as_ref(),
                )?;
            }
            let mut writes = patch.fields();
            if change.deleted {
                writes.insert(DELETED_FIELD.to_owned(), Value::Bool(true));
            }
            let conflicts = record.apply(writes, change.stamp, change.base);
            let created_by = existing.map_or(change.author, |e| e.created_by);
            Accepted {
                stored: Stored {
                    kind: RecordKind::Resident,
                    district: change.district_id,
                    created_by,
                    state: StoredState::Resident(record),
                },
                conflicts,
            }
        }
        Body::Visit(body) => {
            // A visit lives in its resident's district: that district's SC must see it,
            // whichever of their districts the visitor's phone would have chosen.
            if resident(body.resident_id).is_some_and(|r| r.district != change.district_id) {
                return Err(RejectCode::WrongDistrict.into());
            }
            // The newest version wins; an older one arriving late changes nothing.
            let newest = match existing.map(|e| &e.state) {
                Some(StoredState::Visit(current)) if current.stamp >= change.stamp => {
                    current.clone()
                }
                _ => Box::new(change.clone()),
            };
            Accepted {
                stored: Stored {
                    kind: RecordKind::Visit,
                    district: change.district_id,
                    created_by: existing.map_or(change.author, |e| e.created_by),
                    state: StoredState::Visit(newest),
                },
                conflicts: Vec::new(),
            }
        }
    };
    Ok(match existing {
        Some(existing) if *existing == accepted.stored => Decision::Unchanged,
        _ => Decision::Store(accepted),
    })
}

/// Assignment is the coordinator's decision. A volunteer edits only residents assigned to
/// them, never the assignment itself; a resident they register is assigned to them alone
/// (or it would vanish from their phone). A resident registered without an assignment is
/// nobody's: a volunteer cannot claim it.
fn volunteer_may_change_resident(
    volunteer: UserId,
    existing: Option<&StoredState>,
    assigning: Option<&std::collections::BTreeSet<UserId>>,
) -> Result<(), Rejection> {
    let allowed = match existing {
        None => assigning.is_some_and(|a| a.len() == 1 && a.contains(&volunteer)),
        Some(state) => {
            assigning.is_none() && state.has_assignment() && state.assigned().contains(&volunteer)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(RejectCode::NotAllowed.into())
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
