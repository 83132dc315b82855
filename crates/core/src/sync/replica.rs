//! The phone's side of sync as pure rules: what a saved change does locally, which changes
//! to push next, what the server's answers mean for the outbox, and how a pulled page
//! changes the local copy. The app applies these to IndexedDB; the simulation test applies
//! them to memory. Both therefore run the same client logic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hlc::Hlc;
use crate::kinds::State;
use crate::record::{Body, Change, DistrictId, RecordId, RecordKind};
use crate::sync::{ItemResult, PullResponse, PulledRecord, RejectCode};
use crate::validate::{validate_result, Context, FieldError, Problem};

/// A change the server refused, kept for the user to correct or discard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    pub change: Change,
    pub code: RejectCode,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// What a push's answer means for the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOutcome {
    /// Leave the outbox: the server holds them.
    pub acknowledged: Vec<(RecordId, Hlc)>,
    /// Leave the outbox for the quarantine.
    pub quarantined: Vec<Quarantined>,
}

/// The answer does not match what was sent: keep everything and try again later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MismatchedAnswer;

/// Pairs each sent change with its result. Anything that does not pair up exactly is
/// treated as no answer at all, so nothing leaves the outbox on a doubtful reply.
pub fn read_push_results(
    sent: &[Change],
    results: &[ItemResult],
) -> Result<PushOutcome, MismatchedAnswer> {
    if sent.len() != results.len() {
        return Err(MismatchedAnswer);
    }
    let mut outcome = PushOutcome::default();
    for (change, result) in sent.iter().zip(results) {
        match result {
            ItemResult::Accepted { id, stamp } if *id == change.id && *stamp == change.stamp => {
                outcome.acknowledged.push((*id, *stamp));
            }
            // An item the server could not even name is paired by its position.
            ItemResult::Rejected {
                id,
                stamp,
                code,
                message,
                fields,
            } if id.is_none_or(|id| id == change.id)
                && stamp.is_none_or(|stamp| stamp == change.stamp) =>
            {
                outcome.quarantined.push(Quarantined {
                    change: change.clone(),
                    code: *code,
                    message: message.clone(),
                    fields: fields.clone(),
                });
            }
            _ => return Err(MismatchedAnswer),
        }
    }
    Ok(outcome)
}

/// One write a pulled page asks of the local store.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalWrite {
    Put {
        id: RecordId,
        kind: RecordKind,
        district: Option<DistrictId>,
        seq: i64,
        state: serde_json::Value,
    },
    Remove {
        id: RecordId,
    },
}

/// The writes for a page's records, in order; store them (and then the page's cursor) in
/// one go. Takes the records: their states move into the writes, not copied.
pub fn writes_for_page(records: Vec<PulledRecord>) -> Vec<LocalWrite> {
    records
        .into_iter()
        .map(|record| match (record.state, record.tombstone) {
            (Some(state), false) => LocalWrite::Put {
                id: record.id,
                kind: record.kind,
                district: record.district_id,
                seq: record.seq,
                state,
            },
            _ => LocalWrite::Remove { id: record.id },
        })
        .collect()
}

/// What the phone shows for a record: the server's state with the changes still waiting
/// in the outbox laid over it (by the kind's own merge, the server's), so that a saved
/// change never seems to vanish.
pub fn local_view(
    kind: RecordKind,
    server_state: Option<&serde_json::Value>,
    pending: &[&Change],
) -> Option<serde_json::Value> {
    // Nothing waiting to be sent: the view is what the server holds. This is every record
    // of a pull on a phone with an empty outbox, so it skips a parse and a re-encode.
    if pending.is_empty() {
        return server_state.cloned();
    }
    let mut state = server_state.and_then(|s| State::from_json(kind, s.clone()).ok());
    let mut in_order: Vec<&Change> = pending
        .iter()
        .copied()
        .filter(|c| c.kind() == kind)
        .collect();
    crate::order::sort_by_key(&mut in_order, |c| c.stamp);
    for change in in_order {
        if let Ok((next, _)) = State::apply(state.as_ref(), change) {
            state = Some(next);
        }
    }
    state.map(|s| s.to_json())
}

/// A record as a replica holds it from the server.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRecord {
    pub kind: RecordKind,
    pub district: Option<DistrictId>,
    pub state: serde_json::Value,
}

/// An in-memory replica: the whole client side of sync for one device, used by the
/// simulation and by tests. The app keeps the same parts in IndexedDB.
#[derive(Debug, Clone, Default)]
pub struct MemoryReplica {
    /// Records as the server last sent them.
    pub records: BTreeMap<RecordId, HeldRecord>,
    /// Waiting changes, oldest first.
    pub outbox: BTreeMap<(Hlc, RecordId), Change>,
    pub quarantine: Vec<Quarantined>,
    pub cursor: i64,
}

impl MemoryReplica {
    /// A change saved on the phone: into the outbox, nothing else (the view overlays it).
    pub fn save(&mut self, change: Change) {
        self.outbox.insert((change.stamp, change.id), change);
    }

    /// The next batch to push: the oldest waiting changes.
    pub fn next_batch(&self, max: usize) -> Vec<Change> {
        self.outbox.values().take(max).cloned().collect()
    }

    pub fn on_push_answer(
        &mut self,
        sent: &[Change],
        results: &[ItemResult],
    ) -> Result<(), MismatchedAnswer> {
        let outcome = read_push_results(sent, results)?;
        for (id, stamp) in outcome.acknowledged {
            self.outbox.remove(&(stamp, id));
        }
        for quarantined in outcome.quarantined {
            self.outbox
                .remove(&(quarantined.change.stamp, quarantined.change.id));
            self.quarantine.push(quarantined);
        }
        Ok(())
    }

    /// Stores a pulled page, then moves the cursor (never the other way round).
    pub fn on_pull_page(&mut self, page: &PullResponse) {
        for write in writes_for_page(page.records.clone()) {
            match write {
                LocalWrite::Put {
                    id,
                    kind,
                    district,
                    state,
                    ..
                } => {
                    self.records.insert(
                        id,
                        HeldRecord {
                            kind,
                            district,
                            state,
                        },
                    );
                }
                LocalWrite::Remove { id } => {
                    self.records.remove(&id);
                }
            }
        }
        self.cursor = page.cursor;
    }

    /// What the user sees for a record.
    pub fn view(&self, id: RecordId, kind: RecordKind) -> Option<serde_json::Value> {
        let pending: Vec<&Change> = self.outbox.values().filter(|c| c.id == id).collect();
        local_view(
            kind,
            self.records.get(&id).map(|held| &held.state),
            &pending,
        )
    }

    /// What the phone shows of a record of `kind`, as a state (`None`: nothing of that kind).
    fn shown(&self, id: RecordId, kind: RecordKind) -> Option<State> {
        let held = self.records.get(&id).is_some_and(|r| r.kind == kind);
        let waiting = self.outbox.values().any(|c| c.id == id && c.kind() == kind);
        if !held && !waiting {
            return None;
        }
        State::from_json(kind, self.view(id, kind)?).ok()
    }

    /// The phone's own checks before saving, as the app runs them: the change against what
    /// the phone shows of its record (before and after it), and the records it names as
    /// the phone holds them.
    pub fn check(&self, change: &Change, now_ms: i64) -> Result<(), Vec<FieldError>> {
        let before = self.shown(change.id, change.kind());
        let Ok((after, _)) = State::apply(before.as_ref(), change) else {
            return Err(vec![FieldError {
                field: "id".to_owned(),
                problem: Problem::OutOfRange,
            }]);
        };
        let context = ReplicaContext {
            replica: self,
            now_ms,
        };
        validate_result(change, before.as_ref(), &after, &context)
    }
}

/// What a phone knows of the world: what it shows.
struct ReplicaContext<'a> {
    replica: &'a MemoryReplica,
    now_ms: i64,
}

impl Context for ReplicaContext<'_> {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    fn visible(&self, kind: RecordKind, id: RecordId) -> bool {
        self.replica.shown(id, kind).is_some()
    }
    fn current(&self, kind: RecordKind, id: RecordId) -> Option<Body> {
        self.replica.shown(id, kind)?.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ResidentPatch;
    use crate::record::{Body, DeviceId, UserId};

    fn change(n: u8, wall_ms: u64) -> Change {
        Change {
            id: RecordId::new_v7(1, [n; 10]),
            district_id: Some(DistrictId(1)),
            author: UserId(1),
            device: DeviceId(1),
            stamp: Hlc {
                wall_ms,
                counter: 0,
                node: 1,
            },
            base: None,
            deleted: false,
            body: Body::Resident(ResidentPatch {
                name: Some(format!("住民{n}")),
                ..ResidentPatch::default()
            }),
        }
    }

    #[test]
    fn acknowledged_changes_leave_the_outbox_and_refused_ones_go_to_quarantine() {
        let mut replica = MemoryReplica::default();
        replica.save(change(1, 10));
        replica.save(change(2, 20));
        let sent = replica.next_batch(10);
        let results = vec![
            ItemResult::Accepted {
                id: sent[0].id,
                stamp: sent[0].stamp,
            },
            ItemResult::Rejected {
                id: Some(sent[1].id),
                stamp: Some(sent[1].stamp),
                code: RejectCode::WrongDistrict,
                message: "x".into(),
                fields: vec![],
            },
        ];
        replica.on_push_answer(&sent, &results).unwrap();
        assert!(replica.outbox.is_empty());
        assert_eq!(replica.quarantine.len(), 1);
    }

    #[test]
    fn a_doubtful_answer_keeps_everything_for_the_next_try() {
        let mut replica = MemoryReplica::default();
        replica.save(change(1, 10));
        replica.save(change(2, 20));
        let sent = replica.next_batch(10);
        let short = vec![ItemResult::Accepted {
            id: sent[0].id,
            stamp: sent[0].stamp,
        }];
        assert_eq!(replica.on_push_answer(&sent, &short), Err(MismatchedAnswer));
        let swapped = vec![
            ItemResult::Accepted {
                id: sent[1].id,
                stamp: sent[1].stamp,
            },
            ItemResult::Accepted {
                id: sent[0].id,
                stamp: sent[0].stamp,
            },
        ];
        assert_eq!(
            replica.on_push_answer(&sent, &swapped),
            Err(MismatchedAnswer)
        );
        assert_eq!(replica.outbox.len(), 2);
    }

    #[test]
    fn pages_put_and_remove_then_move_the_cursor_and_pending_changes_stay_visible() {
        let mut replica = MemoryReplica::default();
        let saved = change(1, 10);
        replica.save(saved.clone());
        let name = replica.view(saved.id, RecordKind::Resident).unwrap()["fields"]["name"]["value"]
            .clone();
        assert_eq!(name, "住民1", "visible before any sync");

        let other = RecordId::new_v7(2, [9; 10]);
        let page = PullResponse {
            records: vec![
                PulledRecord {
                    id: other,
                    kind: RecordKind::Visit,
                    district_id: Some(DistrictId(1)),
                    seq: 4,
                    tombstone: false,
                    state: Some(serde_json::json!({"x": 1})),
                },
                PulledRecord {
                    id: other,
                    kind: RecordKind::Visit,
                    district_id: Some(DistrictId(1)),
                    seq: 5,
                    tombstone: true,
                    state: None,
                },
            ],
            cursor: 5,
            more: false,
        };
        replica.on_pull_page(&page);
        assert!(replica.records.is_empty());
        assert_eq!(replica.cursor, 5);
    }
}
