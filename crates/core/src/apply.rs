//! Deciding what one pushed change does, given what the server holds: the rules of sync,
//! free of storage, so that the server (and the simulation) are thin shells around them.

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
}

/// What the server must store after accepting a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub stored: Stored,
    /// For a visit, the resident it belongs to.
    pub resident_id: Option<RecordId>,
    /// Conflicts this change added (residents only).
    pub conflicts: Vec<Conflict>,
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

/// Decides one change. `existing` is the record with the change's id, if any; `resident`
/// looks up residents that visits refer to. Pure: the same inputs always decide the same.
pub fn apply_change(
    change: &Change,
    existing: Option<&Stored>,
    pusher: Pusher<'_>,
    now_ms: i64,
    resident: impl Fn(RecordId) -> Option<ResidentInfo>,
) -> Result<Accepted, Rejection> {
    if change.author != pusher.user || change.device != pusher.device {
        return Err(RejectCode::ForgedAuthor.into());
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
    validate_change(change, &world).map_err(|fields| Rejection {
        code: RejectCode::Invalid,
        fields,
    })?;

    match &change.body {
        Body::Resident(patch) => {
            let mut record = match existing.map(|e| &e.state) {
                Some(StoredState::Resident(record)) => record.clone(),
                _ => LwwRecord::default(),
            };
            if pusher.role == Role::Volunteer {
                // A volunteer edits only residents assigned to them, and a resident they
                // register must be assigned to them (or it would vanish from their phone).
                let assigned_now = record
                    .fields
                    .contains_key("assigned_volunteers")
                    .then(|| StoredState::Resident(record.clone()).assigned());
                let assigned_after = patch.assigned_volunteers.as_ref();
                let allowed_before = assigned_now.is_none_or(|a| a.contains(&pusher.user));
                let keeps_self = assigned_after.is_none_or(|a| a.contains(&pusher.user));
                let creating = existing.is_none();
                if !allowed_before || !keeps_self || (creating && assigned_after.is_none()) {
                    return Err(RejectCode::NotAllowed.into());
                }
            }
            let mut writes = patch.fields();
            if change.deleted {
                writes.insert(DELETED_FIELD.to_owned(), Value::Bool(true));
            }
            let conflicts = record.apply(writes, change.stamp, change.base);
            let created_by = existing.map_or(change.author, |e| e.created_by);
            Ok(Accepted {
                stored: Stored {
                    kind: RecordKind::Resident,
                    district: change.district_id,
                    created_by,
                    state: StoredState::Resident(record),
                },
                resident_id: None,
                conflicts,
            })
        }
        Body::Visit(body) => {
            // A visit lives in its resident's district: that district's SC must see it,
            // whichever of their districts the visitor's phone would have chosen.
            if resident(body.resident_id).is_some_and(|r| r.district != change.district_id) {
                return Err(RejectCode::WrongDistrict.into());
            }
            // The newest version wins; an older one arriving late (a retry) changes nothing.
            let newest = match existing.map(|e| &e.state) {
                Some(StoredState::Visit(current)) if current.stamp >= change.stamp => {
                    current.clone()
                }
                _ => Box::new(change.clone()),
            };
            Ok(Accepted {
                stored: Stored {
                    kind: RecordKind::Visit,
                    district: change.district_id,
                    created_by: existing.map_or(change.author, |e| e.created_by),
                    state: StoredState::Visit(newest),
                },
                resident_id: Some(body.resident_id),
                conflicts: Vec::new(),
            })
        }
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
