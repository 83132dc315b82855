//! The simulation's own model of what the server should hold and who may see it, written
//! apart from the server's code, so that a server that leaks (or loses) the same way every
//! time cannot pass by agreeing with itself.
//!
//! It follows every answer the server gave (also the ones the network then lost): each
//! change answered `accepted` is applied once, in the server's order, with core's merge
//! (itself property-tested). Visibility and the phone's view are written out here afresh.

use std::collections::{BTreeMap, BTreeSet};

use mimamori_core::account::Role;
use mimamori_core::hlc::Hlc;
use mimamori_core::kinds::{Audience, State};
use mimamori_core::merge::{LwwRecord, Stamped, Strategy, DELETED_FIELD};
use mimamori_core::record::{Change, DistrictId, RecordId, RecordKind, UserId};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub districts: BTreeSet<DistrictId>,
}

#[derive(Debug, Clone)]
pub struct Record {
    pub district: Option<DistrictId>,
    pub state: State,
}

#[derive(Debug, Default)]
pub struct Model {
    pub access: BTreeMap<UserId, Access>,
    pub records: BTreeMap<RecordId, Record>,
    /// Every (record, stamp) the server answered `accepted`.
    pub accepted: BTreeSet<(RecordId, Hlc)>,
}

/// The maps whose entries merge one by one, by kind: a salon's exceptions by date, a
/// session's ticks by member and counts by who counted.
const KEYED: &[(&str, &str)] = &[
    ("salon", "exceptions"),
    ("attendance", "present"),
    ("attendance", "counts"),
];

/// A change's field writes, deletion included (for per-field merges): the fields of its
/// body's `data`, whatever its kind, each entry of a keyed map as the field `map.key`.
pub fn writes(change: &Change) -> BTreeMap<String, Value> {
    let body = serde_json::to_value(&change.body).unwrap_or(Value::Null);
    let kind = change.kind().as_str();
    let mut writes = BTreeMap::new();
    if let Some(Value::Object(fields)) = body.get("data") {
        for (name, value) in fields {
            match value {
                Value::Object(entries) if KEYED.contains(&(kind, name.as_str())) => {
                    for (key, entry) in entries {
                        writes.insert(format!("{name}.{key}"), entry.clone());
                    }
                }
                value => {
                    writes.insert(name.clone(), value.clone());
                }
            }
        }
    }
    if change.deleted {
        writes.insert(DELETED_FIELD.to_owned(), Value::Bool(true));
    }
    writes
}

impl Model {
    /// A change the server answered `accepted`; a second answer for it changes nothing.
    pub fn accept(&mut self, change: &Change) {
        if !self.accepted.insert((change.id, change.stamp)) {
            return;
        }
        let held = self.records.get(&change.id).map(|r| &r.state);
        let (state, _) = State::apply(held, change).expect("the server accepted it");
        self.records.insert(
            change.id,
            Record {
                district: change.district_id,
                state,
            },
        );
    }

    pub fn kind(&self, id: RecordId) -> Option<RecordKind> {
        self.records.get(&id).map(|r| r.state.kind())
    }

    /// The volunteers a record is shown to by assignment: its own, or its parent's.
    pub fn assigned(&self, id: RecordId) -> BTreeSet<UserId> {
        let Some(record) = self.records.get(&id) else {
            return BTreeSet::new();
        };
        match record.state.kind().audience() {
            Audience::Assigned => record.state.assigned().into_iter().collect(),
            // The parent's volunteers, and whoever the record itself is for (an owner).
            Audience::ParentAssigned => {
                let mut who: BTreeSet<UserId> = record.state.assigned().into_iter().collect();
                if let Some(parent) = record
                    .state
                    .parent()
                    .and_then(|(_, parent)| self.records.get(&parent))
                {
                    who.extend(parent.state.assigned());
                }
                who
            }
            Audience::District | Audience::City | Audience::Public => BTreeSet::new(),
        }
    }

    /// domain.md, written out afresh: a volunteer sees what is assigned to them (and what
    /// hangs from it) and what their district shares, in their districts; a coordinator,
    /// everything of their districts; everyone, what is city-wide or public; the city and
    /// admins no names.
    pub fn may_see(&self, user: UserId, id: RecordId) -> bool {
        let (Some(access), Some(record)) = (self.access.get(&user), self.records.get(&id)) else {
            return false;
        };
        let in_district = record
            .district
            .is_some_and(|d| access.districts.contains(&d));
        match record.state.kind().audience() {
            Audience::Public | Audience::City => true,
            Audience::District => {
                in_district && matches!(access.role, Role::Volunteer | Role::Coordinator)
            }
            Audience::Assigned | Audience::ParentAssigned => match access.role {
                Role::Coordinator => in_district,
                Role::Volunteer => in_district && self.assigned(id).contains(&user),
                Role::City | Role::Admin => false,
            },
        }
    }

    pub fn is_deleted(&self, id: RecordId) -> bool {
        self.records.get(&id).is_some_and(|r| r.state.is_deleted())
    }

    /// The record's state as the server should send it.
    pub fn state_json(&self, id: RecordId) -> Option<Value> {
        self.records.get(&id).map(|r| r.state.to_json())
    }

    /// What a phone of `user` must hold after a complete pull.
    pub fn holdings(&self, user: UserId) -> BTreeMap<RecordId, Value> {
        self.records
            .keys()
            .filter(|id| self.may_see(user, **id) && !self.is_deleted(**id))
            .map(|id| (*id, self.state_json(*id).unwrap()))
            .collect()
    }
}

/// What a phone must show for a record, from what it pulled and what waits in its outbox:
/// for a resident, each field's write with the largest stamp among both; for a visit, the
/// version with the largest stamp. `None` when there is nothing of it.
pub fn expected_view(
    kind: RecordKind,
    pulled: Option<&Value>,
    pending: &[&Change],
) -> Option<View> {
    match kind.strategy() {
        Strategy::FieldLww => {
            let mut fields: BTreeMap<String, Stamped> = pulled
                .and_then(|s| serde_json::from_value::<LwwRecord>(s.clone()).ok())
                .map(|r| r.fields)
                .unwrap_or_default();
            for change in pending {
                for (name, value) in writes(change) {
                    let candidate = Stamped {
                        value,
                        stamp: change.stamp,
                    };
                    let keep = fields.get(&name).is_some_and(|current| {
                        (current.stamp, current.value.to_string())
                            >= (candidate.stamp, candidate.value.to_string())
                    });
                    if !keep {
                        fields.insert(name, candidate);
                    }
                }
            }
            (!fields.is_empty()).then_some(View::Fields(fields))
        }
        Strategy::Newest => {
            let pulled = pulled.and_then(|s| serde_json::from_value::<Change>(s.clone()).ok());
            pulled
                .into_iter()
                .chain(pending.iter().map(|c| (*c).clone()))
                .max_by_key(|c| c.stamp)
                .map(|c| View::Newest(Box::new(c)))
        }
    }
}

/// A record as the user sees it, in the terms the check compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Fields(BTreeMap<String, Stamped>),
    Newest(Box<Change>),
}

impl View {
    /// Reads what the phone's own view function made.
    pub fn read(kind: RecordKind, shown: &Value) -> Option<Self> {
        match kind.strategy() {
            Strategy::FieldLww => serde_json::from_value::<LwwRecord>(shown.clone())
                .ok()
                .map(|r| Self::Fields(r.fields)),
            Strategy::Newest => serde_json::from_value::<Change>(shown.clone())
                .ok()
                .map(|c| Self::Newest(Box::new(c))),
        }
    }
}
