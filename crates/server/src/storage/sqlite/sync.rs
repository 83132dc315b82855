use async_trait::async_trait;
use mimamori_core::apply::{apply_change, Pusher, ResidentInfo, Stored, StoredState};
use mimamori_core::record::{Body, Change, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::resident::LwwRecord;
use mimamori_core::sync::{may_see, ItemResult, PullResponse, PulledRecord, Visibility};
use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use sqlx::{Row as _, Sqlite, Transaction};

use super::SqliteStorage;
use crate::storage::{StorageError, SyncCaller, SyncStore};

fn kind_of(text: &str) -> Option<RecordKind> {
    match text {
        "resident" => Some(RecordKind::Resident),
        "visit" => Some(RecordKind::Visit),
        _ => None,
    }
}

fn corrupt(what: &str, id: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(format!("stored {what} of record {id} cannot be read"))
}

fn stored_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<(RecordId, Stored), StorageError> {
    let id_text: &str = row.get("id");
    let id: RecordId = id_text.parse().map_err(|_| corrupt("id", id_text))?;
    let kind = kind_of(row.get("kind")).ok_or_else(|| corrupt("kind", id))?;
    let state: &str = row.get("state");
    let state = match kind {
        RecordKind::Resident => StoredState::Resident(
            serde_json::from_str::<LwwRecord>(state).map_err(|_| corrupt("state", id))?,
        ),
        RecordKind::Visit => StoredState::Visit(Box::new(
            serde_json::from_str::<Change>(state).map_err(|_| corrupt("state", id))?,
        )),
    };
    Ok((
        id,
        Stored {
            kind,
            district: DistrictId(row.get("district_id")),
            created_by: UserId(row.get("created_by")),
            state,
        },
    ))
}

/// What a push batch needs to know before applying anything, read in three queries rather
/// than several per change: which (record, stamp) pairs are already applied, the records
/// the changes touch, and the residents their visits name. Kept current while the batch
/// is applied, so that a later change in the same batch sees an earlier one.
struct BatchView {
    applied: HashSet<(RecordId, String)>,
    records: HashMap<RecordId, Stored>,
    seq: i64,
}

impl BatchView {
    async fn load(
        tx: &mut Transaction<'_, Sqlite>,
        changes: &[Change],
    ) -> Result<Self, StorageError> {
        let ids: Vec<String> = changes.iter().map(|c| c.id.to_string()).collect();
        let wanted: Vec<String> = changes
            .iter()
            .flat_map(|c| {
                let resident = match &c.body {
                    Body::Visit(visit) => Some(visit.resident_id.to_string()),
                    Body::Resident(_) => None,
                };
                std::iter::once(c.id.to_string()).chain(resident)
            })
            .collect();
        let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        let wanted_json = serde_json::to_string(&wanted).unwrap_or_else(|_| "[]".into());

        let mut applied = HashSet::new();
        for row in sqlx::query(
            "SELECT record_id, stamp FROM applied_changes \
             WHERE record_id IN (SELECT value FROM json_each(?))",
        )
        .bind(&ids_json)
        .fetch_all(&mut **tx)
        .await?
        {
            let id_text: &str = row.get("record_id");
            let id: RecordId = id_text.parse().map_err(|_| corrupt("id", id_text))?;
            applied.insert((id, row.get::<String, _>("stamp")));
        }
        let mut records = HashMap::new();
        for row in sqlx::query(
            "SELECT id, kind, district_id, created_by, state FROM records \
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(&wanted_json)
        .fetch_all(&mut **tx)
        .await?
        {
            let (id, stored) = stored_from_row(&row)?;
            records.insert(id, stored);
        }
        let seq = sqlx::query_scalar("SELECT value FROM sync_sequence WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
        Ok(Self {
            applied,
            records,
            seq,
        })
    }

    fn resident(&self, id: RecordId) -> Option<ResidentInfo> {
        self.records
            .get(&id)
            .filter(|r| r.kind == RecordKind::Resident && !r.state.is_deleted())
            .map(|r| ResidentInfo {
                district: r.district,
                assigned: r.state.assigned(),
            })
    }

    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Writes the sequence back: the batch's changes and events took numbers from it.
    async fn save_seq(&self, tx: &mut Transaction<'_, Sqlite>) -> Result<(), StorageError> {
        sqlx::query("UPDATE sync_sequence SET value = ? WHERE id = 1")
            .bind(self.seq)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

pub(super) async fn next_seq(tx: &mut Transaction<'_, Sqlite>) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "UPDATE sync_sequence SET value = value + 1 WHERE id = 1 RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?)
}

async fn record_visibility_event(
    tx: &mut Transaction<'_, Sqlite>,
    seq: i64,
    user: UserId,
    record_id: String,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO visibility_events (seq, user_id, record_id) VALUES (?, ?, ?)")
        .bind(seq)
        .bind(user.0)
        .bind(record_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Tells `user` that what they may see of `resident` and its visits has changed.
async fn resident_visibility_changed(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &mut BatchView,
    user: UserId,
    resident: RecordId,
) -> Result<(), StorageError> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM records WHERE id = ?1 OR resident_id = ?1 ORDER BY seq")
            .bind(resident.to_string())
            .fetch_all(&mut **tx)
            .await?;
    for id in ids {
        let seq = batch.next_seq();
        record_visibility_event(tx, seq, user, id).await?;
    }
    Ok(())
}

/// Tells `user` to look again at every record of `districts` (their districts or role
/// changed): what they may still see is sent again, the rest becomes tombstones.
pub(super) async fn districts_visibility_changed(
    tx: &mut Transaction<'_, Sqlite>,
    user: UserId,
    districts: &[DistrictId],
) -> Result<(), StorageError> {
    for district in districts {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM records WHERE district_id = ? ORDER BY seq")
                .bind(district.0)
                .fetch_all(&mut **tx)
                .await?;
        for id in ids {
            let seq = next_seq(tx).await?;
            record_visibility_event(tx, seq, user, id).await?;
        }
    }
    Ok(())
}

/// Rows an accepted batch writes, sent to SQLite as one JSON array per table instead of
/// one statement per row (each statement is a round trip to sqlx's database thread).
#[derive(Default)]
struct PendingRows {
    records: Vec<Value>,
    applied: Vec<Value>,
}

impl PendingRows {
    async fn write(&mut self, tx: &mut Transaction<'_, Sqlite>) -> Result<(), StorageError> {
        if !self.records.is_empty() {
            // Rows go in array order (`ORDER BY key`), so a record created and then edited in
            // the same batch ends as edited. (`WHERE true` lets SQLite parse the upsert.)
            sqlx::query(
                "INSERT INTO records \
                   (id, kind, district_id, created_by, resident_id, assigned, deleted, state, seq) \
                 SELECT value ->> 'id', value ->> 'kind', value ->> 'district_id', \
                        value ->> 'created_by', value ->> 'resident_id', value ->> 'assigned', \
                        value ->> 'deleted', value ->> 'state', value ->> 'seq' \
                 FROM json_each(?) WHERE true ORDER BY key \
                 ON CONFLICT (id) DO UPDATE SET assigned = excluded.assigned, \
                   deleted = excluded.deleted, state = excluded.state, \
                   resident_id = excluded.resident_id, seq = excluded.seq",
            )
            .bind(Value::Array(std::mem::take(&mut self.records)).to_string())
            .execute(&mut **tx)
            .await?;
        }
        if !self.applied.is_empty() {
            sqlx::query(
                "INSERT INTO applied_changes (record_id, stamp, device_id, seq) \
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)",
            )
            .bind(Value::Array(std::mem::take(&mut self.applied)).to_string())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl SyncStore for SqliteStorage {
    async fn push(
        &self,
        caller: &SyncCaller,
        changes: &[Change],
        now_ms: i64,
    ) -> Result<Vec<ItemResult>, StorageError> {
        let pusher = Pusher {
            user: caller.user,
            device: caller.device,
            role: caller.role,
            districts: &caller.districts,
        };
        let mut tx = self.pool.begin().await?;
        // Take the write lock first: a deferred transaction that upgrades later can fail
        // with SQLITE_BUSY instead of waiting its turn.
        sqlx::query("UPDATE sync_sequence SET value = value WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let mut batch = BatchView::load(&mut tx, changes).await?;
        let mut rows = PendingRows::default();
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            let stamp_text = change.stamp.to_string();
            if batch.applied.contains(&(change.id, stamp_text.clone())) {
                results.push(ItemResult::Accepted {
                    id: change.id,
                    stamp: change.stamp,
                });
                continue;
            }
            let existing = batch.records.get(&change.id);
            let decided = apply_change(change, existing, pusher, now_ms, |id| batch.resident(id));
            let accepted = match decided {
                Ok(accepted) => accepted,
                Err(rejection) => {
                    results.push(ItemResult::Rejected {
                        id: change.id,
                        stamp: change.stamp,
                        code: rejection.code,
                        message: rejection.code.message_ja().to_owned(),
                        fields: rejection.fields,
                    });
                    continue;
                }
            };
            let existed = existing.is_some();
            let assigned_before = existing.map(|e| e.state.assigned()).unwrap_or_default();
            let seq = batch.next_seq();
            let stored = &accepted.stored;
            let assigned_after = stored.state.assigned();
            rows.records.push(json!({
                "id": change.id.to_string(),
                "kind": stored.kind.as_str(),
                "district_id": stored.district.0,
                "created_by": stored.created_by.0,
                "resident_id": accepted.resident_id.map(|id| id.to_string()),
                "assigned": serde_json::to_string(&assigned_after).unwrap_or_else(|_| "[]".into()),
                "deleted": stored.state.is_deleted(),
                "state": stored.state.to_json().to_string(),
                "seq": seq,
            }));
            rows.applied.push(json!([
                change.id.to_string(),
                &stamp_text,
                caller.device.0,
                seq
            ]));
            batch.applied.insert((change.id, stamp_text));
            batch.records.insert(change.id, accepted.stored);
            // Volunteers added or removed: their phones must gain or lose the resident and
            // its visits (a newly assigned volunteer's cursor is past the old visits).
            let changed: Vec<UserId> = assigned_before
                .iter()
                .filter(|u| !assigned_after.contains(u))
                .chain(
                    assigned_after
                        .iter()
                        .filter(|u| existed && !assigned_before.contains(u)),
                )
                .copied()
                .collect();
            if !changed.is_empty() {
                // The events name the resident's visits as stored: write what is pending.
                rows.write(&mut tx).await?;
            }
            for user in changed {
                resident_visibility_changed(&mut tx, &mut batch, user, change.id).await?;
            }
            results.push(ItemResult::Accepted {
                id: change.id,
                stamp: change.stamp,
            });
        }
        rows.write(&mut tx).await?;
        batch.save_seq(&mut tx).await?;
        tx.commit().await?;
        Ok(results)
    }

    async fn pull(
        &self,
        caller: &SyncCaller,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError> {
        let cursor = cursor.max(0);
        if caller.districts.is_empty()
            || matches!(
                caller.role,
                mimamori_core::account::Role::City | mimamori_core::account::Role::Admin
            )
        {
            return Ok(PullResponse {
                records: Vec::new(),
                cursor,
                more: false,
            });
        }
        // District ids are numbers we hold, not user text: safe to inline.
        let districts = caller
            .districts
            .iter()
            .map(|d| d.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        // Records changed after the cursor in the caller's districts, and records whose
        // visibility changed for this caller (those become tombstones if no longer visible).
        // Each half is limited before the two are merged, so a page reads about `limit`
        // rows from each index instead of sorting everything after the cursor.
        let rows = sqlx::query(&format!(
            "SELECT * FROM ( \
               SELECT r.id, r.kind, r.district_id, r.deleted, r.state, r.seq AS seq, r.assigned, \
                      res.assigned AS resident_assigned, 0 AS from_event \
               FROM records r LEFT JOIN records res ON res.id = r.resident_id \
               WHERE r.seq > ?1 AND r.district_id IN ({districts}) \
               ORDER BY r.seq LIMIT ?3) \
             UNION ALL \
             SELECT * FROM ( \
               SELECT r.id, r.kind, r.district_id, r.deleted, r.state, e.seq AS seq, r.assigned, \
                      res.assigned AS resident_assigned, 1 AS from_event \
               FROM visibility_events e JOIN records r ON r.id = e.record_id \
                    LEFT JOIN records res ON res.id = r.resident_id \
               WHERE e.user_id = ?2 AND e.seq > ?1 \
               ORDER BY e.seq LIMIT ?3) \
             ORDER BY seq LIMIT ?3"
        ))
        .bind(cursor)
        .bind(caller.user.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() == limit as usize;
        let mut next_cursor = cursor;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.get("seq");
            next_cursor = seq;
            let id_text: String = row.get("id");
            let id: RecordId = id_text.parse().map_err(|_| corrupt("id", &id_text))?;
            let kind = kind_of(row.get("kind")).ok_or_else(|| corrupt("kind", id))?;
            let assigned_text: Option<String> = match kind {
                RecordKind::Resident => row.get("assigned"),
                RecordKind::Visit => row.get("resident_assigned"),
            };
            let assigned: Vec<UserId> = assigned_text
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            let district = DistrictId(row.get("district_id"));
            let visibility = Visibility {
                kind,
                district,
                assigned: &assigned,
            };
            let visible = may_see(caller.role, caller.user, &caller.districts, visibility);
            let from_event: bool = row.get("from_event");
            if !visible && !from_event {
                continue;
            }
            let tombstone = !visible || row.get::<bool, _>("deleted");
            let state = if tombstone {
                None
            } else {
                Some(
                    serde_json::from_str(row.get::<&str, _>("state"))
                        .map_err(|_| corrupt("state", id))?,
                )
            };
            records.push(PulledRecord {
                id,
                kind,
                district_id: district,
                seq,
                tombstone,
                state,
            });
        }
        Ok(PullResponse {
            records,
            cursor: next_cursor,
            more,
        })
    }
}
