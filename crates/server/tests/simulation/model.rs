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
use mimamori_core::record::{Body, Change, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::resident::{LwwRecord, Stamped, DELETED_FIELD};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub districts: BTreeSet<DistrictId>,
}

#[derive(Debug, Clone)]
pub enum State {
    Resident(LwwRecord),
    Visit(Box<Change>),
}

#[derive(Debug, Clone)]
pub struct Record {
    pub district: DistrictId,
    pub state: State,
}

#[derive(Debug, Default)]
pub struct Model {
    pub access: BTreeMap<UserId, Access>,
    pub records: BTreeMap<RecordId, Record>,
    /// Every (record, stamp) the server answered `accepted`.
    pub accepted: BTreeSet<(RecordId, Hlc)>,
}

/// A change's field writes, deletion included.
pub fn writes(change: &Change) -> BTreeMap<String, Value> {
    let mut writes = match &change.body {
        Body::Resident(patch) => patch.fields(),
        Body::Visit(_) => BTreeMap::new(),
    };
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
        let record = self.records.entry(change.id).or_insert_with(|| Record {
            district: change.district_id,
            state: match change.body {
                Body::Resident(_) => State::Resident(LwwRecord::default()),
                Body::Visit(_) => State::Visit(Box::new(change.clone())),
            },
        });
        match &mut record.state {
            State::Resident(lww) => {
                lww.apply(writes(change), change.stamp, change.base);
            }
            State::Visit(newest) => {
                if change.stamp > newest.stamp {
                    **newest = change.clone();
                }
            }
        }
    }

    pub fn kind(&self, id: RecordId) -> Option<RecordKind> {
        self.records.get(&id).map(|r| match r.state {
            State::Resident(_) => RecordKind::Resident,
            State::Visit(_) => RecordKind::Visit,
        })
    }

    /// The volunteers a record is assigned to: a resident's own, a visit's resident's.
    pub fn assigned(&self, id: RecordId) -> BTreeSet<UserId> {
        match self.records.get(&id).map(|r| &r.state) {
            Some(State::Resident(lww)) => lww
                .fields
                .get("assigned_volunteers")
                .and_then(|f| serde_json::from_value(f.value.clone()).ok())
                .unwrap_or_default(),
            Some(State::Visit(change)) => match &change.body {
                Body::Visit(visit) => self.assigned(visit.resident_id),
                Body::Resident(_) => BTreeSet::new(),
            },
            None => BTreeSet::new(),
        }
    }

    /// domain.md: a volunteer sees the residents assigned to them (and their visits) in
    /// their districts; a coordinator, all of their districts; the city and admins no names.
    pub fn may_see(&self, user: UserId, id: RecordId) -> bool {
        let (Some(access), Some(record)) = (self.access.get(&user), self.records.get(&id)) else {
            return false;
        };
        if !access.districts.contains(&record.district) {
            return false;
        }
        match access.role {
            Role::Coordinator => true,
            Role::Volunteer => self.assigned(id).contains(&user),
            Role::City | Role::Admin => false,
        }
    }

    pub fn is_deleted(&self, id: RecordId) -> bool {
        match self.records.get(&id).map(|r| &r.state) {
            Some(State::Resident(lww)) => lww.is_deleted(),
            Some(State::Visit(change)) => change.deleted,
            None => false,
        }
    }

    /// The record's state as the server should send it.
    pub fn state_json(&self, id: RecordId) -> Option<Value> {
        self.records.get(&id).map(|r| match &r.state {
            State::Resident(lww) => serde_json::to_value(lww).unwrap(),
            State::Visit(change) => serde_json::to_value(change).unwrap(),
        })
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
    match kind {
        RecordKind::Resident => {
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
            (!fields.is_empty()).then_some(View::Resident(fields))
        }
        RecordKind::Visit => {
            let pulled = pulled.and_then(|s| serde_json::from_value::<Change>(s.clone()).ok());
            pulled
                .into_iter()
                .chain(pending.iter().map(|c| (*c).clone()))
                .max_by_key(|c| c.stamp)
                .map(|c| View::Visit(Box::new(c)))
        }
    }
}

/// A record as the user sees it, in the terms the check compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Resident(BTreeMap<String, Stamped>),
    Visit(Box<Change>),
}

impl View {
    /// Reads what the phone's own view function made.
    pub fn read(kind: RecordKind, shown: &Value) -> Option<Self> {
        match kind {
            RecordKind::Resident => serde_json::from_value::<LwwRecord>(shown.clone())
                .ok()
                .map(|r| Self::Resident(r.fields)),
            RecordKind::Visit => serde_json::from_value::<Change>(shown.clone())
                .ok()
                .map(|c| Self::Visit(Box::new(c))),
        }
    }
}
