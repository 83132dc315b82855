use async_trait::async_trait;
use mimamori_core::kinds::{assigned_audience, Actor, Audience, State};
use mimamori_core::record::{Change, DeviceId, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::sync::apply::{apply_change, AppliedBefore, Decision, Held, Related, Stored};
use mimamori_core::sync::{
    may_see, pull_scope, ItemResult, PullResponse, PulledRecord, Visibility,
};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;

use sqlx::{Row as _, Sqlite, Transaction};

use super::SqliteStorage;
use crate::storage::{SharedRecord, SharedScope, StorageError, SyncCaller, SyncStore};

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    text
}

fn corrupt(what: &str, id: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(format!("stored {what} of record {id} cannot be read"))
}

fn stored_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<(RecordId, Stored), StorageError> {
    let id_text: &str = row.get("id");
    let id: RecordId = id_text.parse().map_err(|_| corrupt("id", id_text))?;
    let kind = RecordKind::from_code(row.get("kind")).ok_or_else(|| corrupt("kind", id))?;
    let state: &str = row.get("state");
    let state = serde_json::from_str(state)
        .ok()
        .and_then(|json| State::from_json(kind, json).ok())
        .ok_or_else(|| corrupt("state", id))?;
    Ok((
        id,
        Stored {
            district: row.get::<Option<i64>, _>("district_id").map(DistrictId),
            created_by: UserId(row.get("created_by")),
            state,
        },
    ))
}

/// The SHA-256 of a change's JSON: what a replay is compared by. Our serialisation is
/// deterministic (struct fields in order, sets and maps sorted), so the same change always
/// has the same fingerprint.
fn fingerprint(change: &Change) -> Vec<u8> {
    Sha256::digest(serde_json::to_vec(change).unwrap_or_default()).to_vec()
}

/// A change noted as applied: by which device, with which fingerprint (none for rows from
/// before fingerprints were kept).
struct AppliedRow {
    device: DeviceId,
    fingerprint: Option<Vec<u8>>,
}

/// What a push batch needs to know before applying anything, read in a few queries rather
/// than several per change: which of its (record, stamp) pairs are already applied, the
/// records the changes touch, and the residents their visits name (in the change and in
/// the stored version). Kept current while the batch is applied, so that a later change in
/// the same batch sees an earlier one.
struct BatchView {
    applied: HashMap<(RecordId, String), AppliedRow>,
    records: HashMap<RecordId, Stored>,
    seq: i64,
}

impl BatchView {
    async fn load(
        tx: &mut Transaction<'_, Sqlite>,
        changes: &[Change],
    ) -> Result<Self, StorageError> {
        let pairs: Vec<(String, String)> = changes
            .iter()
            .map(|c| (c.id.to_string(), c.stamp.to_string()))
            .collect();
        let wanted: Vec<String> = changes
            .iter()
            .flat_map(|c| {
                let parent = c.body.parent().map(|(_, id)| id);
                std::iter::once(c.id)
                    .chain(parent)
                    .chain(c.body.references())
                    .map(|id| id.to_string())
            })
            .collect();
        let pairs_json = serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into());

        let mut applied = HashMap::new();
        for row in sqlx::query(
            "SELECT record_id, stamp, device_id, fingerprint FROM applied_changes \
             WHERE (record_id, stamp) IN \
                   (SELECT value ->> 0, value ->> 1 FROM json_each(?))",
        )
        .bind(&pairs_json)
        .fetch_all(&mut **tx)
        .await?
        {
            let id_text: &str = row.get("record_id");
            let id: RecordId = id_text.parse().map_err(|_| corrupt("id", id_text))?;
            applied.insert(
                (id, row.get::<String, _>("stamp")),
                AppliedRow {
                    device: DeviceId(row.get("device_id")),
                    fingerprint: row.get("fingerprint"),
                },
            );
        }
        let mut records = HashMap::new();
        load_records(tx, &wanted, &mut records).await?;
        // The parents of the records as stored: a correction may move a record away from
        // one (a visit to another resident), whose audience must then lose it.
        let stored_parents: Vec<String> = records
            .values()
            .filter_map(|r| r.state.parent())
            .map(|(_, id)| id)
            .filter(|id| !records.contains_key(id))
            .map(|id| id.to_string())
            .collect();
        load_records(tx, &stored_parents, &mut records).await?;
        let seq = sqlx::query_scalar("SELECT value FROM sync_sequence WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
        Ok(Self {
            applied,
            records,
            seq,
        })
    }

    /// The volunteers who see a record, or what hangs from it, because of whom it (or its
    /// parent) is assigned to: a salon everyone sees, but its members only its organisers.
    /// Coordinators see their whole district and district-wide kinds everyone there: those
    /// never change with a record.
    fn audience(&self, stored: &Stored) -> Vec<UserId> {
        let parent = stored
            .state
            .parent()
            .and_then(|(_, parent)| self.records.get(&parent))
            .map(|p| p.state.assigned())
            .unwrap_or_default();
        let own = stored.state.assigned();
        let mut audience = assigned_audience(stored.kind().audience(), &own, &parent);
        for user in own {
            if !audience.contains(&user) {
                audience.push(user);
            }
        }
        audience
    }

    /// A live record a change may refer to.
    fn related(&self, id: RecordId) -> Option<Related<'_>> {
        self.records
            .get(&id)
            .filter(|r| !r.state.is_deleted())
            .map(|r| Related {
                kind: r.kind(),
                district: r.district,
                assigned: self.audience(r),
                holders: r.state.assigned(),
                state: Some(&r.state),
            })
    }

    fn note_applied(&mut self, change: &Change, stamp_text: String, print: &[u8]) {
        self.applied.insert(
            (change.id, stamp_text),
            AppliedRow {
                device: change.device,
                fingerprint: Some(print.to_vec()),
            },
        );
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

async fn load_records(
    tx: &mut Transaction<'_, Sqlite>,
    ids: &[String],
    into: &mut HashMap<RecordId, Stored>,
) -> Result<(), StorageError> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids_json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    for row in sqlx::query(
        "SELECT id, kind, district_id, created_by, state FROM records \
         WHERE id IN (SELECT value FROM json_each(?))",
    )
    .bind(&ids_json)
    .fetch_all(&mut **tx)
    .await?
    {
        let (id, stored) = stored_from_row(&row)?;
        into.insert(id, stored);
    }
    Ok(())
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

/// Tells `user` that what they may see of `record` has changed, and of the records that
/// hang from it (a resident's visits).
async fn audience_changed(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &mut BatchView,
    user: UserId,
    record: RecordId,
) -> Result<(), StorageError> {
    for id in with_children(tx, record).await? {
        let seq = batch.next_seq();
        record_visibility_event(tx, seq, user, id).await?;
    }
    Ok(())
}

/// A record and the records that hang from it (a resident's visits), oldest change first.
async fn with_children(
    tx: &mut Transaction<'_, Sqlite>,
    record: RecordId,
) -> Result<Vec<String>, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM records WHERE id = ?1 OR parent_id = ?1 ORDER BY seq")
            .bind(record.to_string())
            .fetch_all(&mut **tx)
            .await?,
    )
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

/// Brings each stored record's `assigned` list in line with what its state assigns now, and
/// tells whoever gained or lost it (and what hangs from it). A rule of assignment can change
/// with the code: since issue 16 an ended or deleted salon, and any deleted record, assigns
/// nobody, but the lists written before said otherwise, and a pull reads the lists. Only
/// salons and deleted records can differ, so only they are read; run at every start, it
/// finds nothing to do once done.
pub(super) async fn refresh_assignments(pool: &sqlx::SqlitePool) -> Result<(), StorageError> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "SELECT id, kind, district_id, created_by, state, assigned FROM records \
         WHERE deleted OR kind = 'salon'",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut changed = false;
    for row in rows {
        let (id, stored) = stored_from_row(&row)?;
        let held: Vec<UserId> = row
            .get::<Option<String>, _>("assigned")
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let now = stored.state.assigned();
        if held == now {
            continue;
        }
        changed = true;
        sqlx::query("UPDATE records SET assigned = ? WHERE id = ?")
            .bind(serde_json::to_string(&now).unwrap_or_else(|_| "[]".into()))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let moved = held
            .iter()
            .filter(|u| !now.contains(u))
            .chain(now.iter().filter(|u| !held.contains(u)));
        let ids = with_children(&mut tx, id).await?;
        for user in moved {
            for record in &ids {
                let seq = next_seq(&mut tx).await?;
                record_visibility_event(&mut tx, seq, *user, record.clone()).await?;
            }
        }
    }
    if changed {
        tx.commit().await?;
    }
    Ok(())
}

/// Rows an accepted batch writes, sent to SQLite as one JSON array per table instead of
/// one statement per row (each statement is a round trip to sqlx's database thread). Each
/// row is written into its array's text as it is accepted: a record's state goes in as the
/// JSON object it is (read back with `->`), never built as a `Value` or escaped as a string
/// inside the array.
#[derive(Default)]
struct PendingRows {
    records: Vec<u8>,
    applied: Vec<u8>,
}

/// A `records` row; its state is written beside it (see [`PendingRows::record`]).
#[derive(serde::Serialize)]
struct RecordRow<'a> {
    id: String,
    kind: &'a str,
    district_id: Option<i64>,
    created_by: i64,
    parent_id: Option<String>,
    assigned: String,
    deleted: bool,
    seq: i64,
}

impl PendingRows {
    fn record(&mut self, id: RecordId, stored: &Stored, seq: i64) -> Result<(), StorageError> {
        let row = RecordRow {
            id: id.to_string(),
            kind: stored.kind().as_str(),
            district_id: stored.district.map(|d| d.0),
            created_by: stored.created_by.0,
            parent_id: stored.state.parent().map(|(_, id)| id.to_string()),
            assigned: serde_json::to_string(&stored.state.assigned())
                .unwrap_or_else(|_| "[]".into()),
            deleted: stored.state.is_deleted(),
            seq,
        };
        let out = &mut self.records;
        out.push(if out.is_empty() { b'[' } else { b',' });
        serde_json::to_writer(&mut *out, &row).map_err(unwritable)?;
        // `{…,"seq":1}` becomes `{…,"seq":1,"state":{…}}`.
        out.pop();
        out.extend_from_slice(b",\"state\":");
        stored.state.write_json(out).map_err(unwritable)?;
        out.push(b'}');
        Ok(())
    }

    fn applied(
        &mut self,
        id: RecordId,
        stamp: &str,
        device: DeviceId,
        seq: i64,
        print: &[u8],
    ) -> Result<(), StorageError> {
        let out = &mut self.applied;
        out.push(if out.is_empty() { b'[' } else { b',' });
        serde_json::to_writer(
            &mut *out,
            &(id.to_string(), stamp, device.0, seq, hex(print)),
        )
        .map_err(unwritable)
    }

    async fn write(&mut self, tx: &mut Transaction<'_, Sqlite>) -> Result<(), StorageError> {
        if !self.records.is_empty() {
            self.records.push(b']');
            let rows = String::from_utf8(std::mem::take(&mut self.records))
                .map_err(|_| StorageError::Unavailable("a row is not UTF-8".into()))?;
            // Rows go in array order (`ORDER BY key`), so a record created and then edited in
            // the same batch ends as edited. (`WHERE true` lets SQLite parse the upsert.)
            sqlx::query(
                "INSERT INTO records \
                   (id, kind, district_id, created_by, parent_id, assigned, deleted, state, seq) \
                 SELECT value ->> 'id', value ->> 'kind', value ->> 'district_id', \
                        value ->> 'created_by', value ->> 'parent_id', value ->> 'assigned', \
                        value ->> 'deleted', value -> 'state', value ->> 'seq' \
                 FROM json_each(?) WHERE true ORDER BY key \
                 ON CONFLICT (id) DO UPDATE SET assigned = excluded.assigned, \
                   deleted = excluded.deleted, state = excluded.state, \
                   parent_id = excluded.parent_id, seq = excluded.seq",
            )
            .bind(rows)
            .execute(&mut **tx)
            .await?;
        }
        if !self.applied.is_empty() {
            self.applied.push(b']');
            let rows = String::from_utf8(std::mem::take(&mut self.applied))
                .map_err(|_| StorageError::Unavailable("a row is not UTF-8".into()))?;
            sqlx::query(
                "INSERT INTO applied_changes (record_id, stamp, device_id, seq, fingerprint) \
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, \
                        unhex(value ->> 4) FROM json_each(?)",
            )
            .bind(rows)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

fn unwritable(error: serde_json::Error) -> StorageError {
    StorageError::Unavailable(format!("a row could not be written: {error}"))
}

#[async_trait]
impl SyncStore for SqliteStorage {
    async fn push(
        &self,
        caller: &SyncCaller,
        changes: &[Change],
        now_ms: i64,
    ) -> Result<Vec<ItemResult>, StorageError> {
        let actor = Actor {
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
            let print = fingerprint(change);
            let held = Held {
                record: batch.records.get(&change.id),
                applied: batch
                    .applied
                    .get(&(change.id, stamp_text.clone()))
                    .map(|row| AppliedBefore {
                        device: row.device,
                        same_content: row.fingerprint.as_ref().map(|f| *f == print),
                    }),
            };
            let existing = held.record.cloned();
            let decided = apply_change(change, held, actor, now_ms, |id| batch.related(id));
            let accepted = match decided {
                Ok(Decision::Store(accepted)) => accepted,
                Ok(Decision::Replay) => {
                    results.push(ItemResult::Accepted {
                        id: change.id,
                        stamp: change.stamp,
                    });
                    continue;
                }
                Ok(Decision::Unchanged) => {
                    // Noted, so that its replay is recognised, but not sequenced: no phone
                    // needs to download a record that did not change.
                    rows.applied(change.id, &stamp_text, caller.device, batch.seq, &print)?;
                    batch.note_applied(change, stamp_text, &print);
                    results.push(ItemResult::Accepted {
                        id: change.id,
                        stamp: change.stamp,
                    });
                    continue;
                }
                Err(rejection) => {
                    results.push(ItemResult::Rejected {
                        id: Some(change.id),
                        stamp: Some(change.stamp),
                        code: rejection.code,
                        message: rejection.code.message_ja().to_owned(),
                        fields: rejection.fields,
                    });
                    continue;
                }
            };
            let audience_before = existing
                .as_ref()
                .map(|e| batch.audience(e))
                .unwrap_or_default();
            let audience_after = batch.audience(&accepted.stored);
            let seq = batch.next_seq();
            let stored = &accepted.stored;
            rows.record(change.id, stored, seq)?;
            rows.applied(change.id, &stamp_text, caller.device, seq, &print)?;
            batch.note_applied(change, stamp_text, &print);
            batch.records.insert(change.id, accepted.stored);
            // Volunteers who gained or lost the record (a resident reassigned, a visit
            // moved to another resident) get events: a newly assigned volunteer's cursor is
            // past the resident's old visits, and a pull never sends a record to someone who
            // no longer sees it unless told to remove it.
            let changed: Vec<UserId> = audience_before
                .iter()
                .filter(|u| !audience_after.contains(u))
                .chain(
                    audience_after
                        .iter()
                        .filter(|u| existing.is_some() && !audience_before.contains(u)),
                )
                .copied()
                .collect();
            if !changed.is_empty() {
                // The events name the record's visits as stored: write what is pending.
                rows.write(&mut tx).await?;
            }
            for user in changed {
                audience_changed(&mut tx, &mut batch, user, change.id).await?;
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

    async fn shared_records(
        &self,
        kind: RecordKind,
        scope: SharedScope,
    ) -> Result<Vec<SharedRecord>, StorageError> {
        if !matches!(kind.audience(), Audience::City | Audience::Public) {
            return Ok(Vec::new());
        }
        const SELECT: &str = "SELECT id, kind, district_id, created_by, state FROM records \
                              WHERE kind = ?1 AND NOT deleted";
        let rows = match scope {
            SharedScope::District(district) => {
                sqlx::query(&format!("{SELECT} AND district_id = ?2 ORDER BY seq"))
                    .bind(kind.as_str())
                    .bind(district.0)
                    .fetch_all(&self.pool)
                    .await?
            }
            SharedScope::Record(id) => {
                sqlx::query(&format!("{SELECT} AND id = ?2"))
                    .bind(kind.as_str())
                    .bind(id.to_string())
                    .fetch_all(&self.pool)
                    .await?
            }
            SharedScope::Everywhere => {
                sqlx::query(&format!("{SELECT} ORDER BY seq"))
                    .bind(kind.as_str())
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|row| {
                let (id, stored) = stored_from_row(row)?;
                Ok(SharedRecord {
                    id,
                    district: stored.district,
                    state: stored.state,
                })
            })
            .collect()
    }

    async fn pull(
        &self,
        caller: &SyncCaller,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError> {
        let cursor = cursor.max(0);
        // Someone who sees no district any more (removed from all, made city) still gets
        // the events of what they lost, as tombstones: their phone must forget it.
        // District ids are numbers we hold, not user text: safe to inline.
        let districts = pull_scope(caller.role, &caller.districts)
            .iter()
            .map(|d| d.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        // Kinds everyone signed in sees, whatever the district (salons). Our own codes:
        // safe to inline.
        let wide_kinds = RecordKind::ALL
            .iter()
            .filter(|k| matches!(k.audience(), Audience::City | Audience::Public))
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        // Records changed after the cursor in the caller's districts, city-wide records,
        // the kinds everyone sees from other districts (never the city-wide ones again: with
        // no district to read, SQLite's `NOT IN ()` holds for NULL too), and records whose visibility
        // changed for this caller (those become tombstones if no longer visible). Each part is limited before they are merged, so a page reads
        // about `limit` rows from each index instead of sorting everything after the cursor.
        // A record's parent comes along: records shown by its assignment need its list.
        const COLUMNS: &str = "r.id, r.kind, r.district_id, r.deleted, r.state, r.assigned, \
                               p.assigned AS parent_assigned";
        let rows = sqlx::query(&format!(
            "SELECT * FROM ( \
               SELECT {COLUMNS}, r.seq AS seq, 0 AS from_event \
               FROM records r LEFT JOIN records p ON p.id = r.parent_id \
               WHERE r.seq > ?1 AND r.district_id IN ({districts}) \
               ORDER BY r.seq LIMIT ?3) \
             UNION ALL \
             SELECT * FROM ( \
               SELECT {COLUMNS}, r.seq AS seq, 0 AS from_event \
               FROM records r LEFT JOIN records p ON p.id = r.parent_id \
               WHERE r.seq > ?1 AND r.district_id IS NULL \
               ORDER BY r.seq LIMIT ?3) \
             UNION ALL \
             SELECT * FROM ( \
               SELECT {COLUMNS}, r.seq AS seq, 0 AS from_event \
               FROM records r LEFT JOIN records p ON p.id = r.parent_id \
               WHERE r.seq > ?1 AND r.kind IN ({wide_kinds}) \
                 AND r.district_id IS NOT NULL AND r.district_id NOT IN ({districts}) \
               ORDER BY r.seq LIMIT ?3) \
             UNION ALL \
             SELECT * FROM ( \
               SELECT {COLUMNS}, e.seq AS seq, 1 AS from_event \
               FROM visibility_events e JOIN records r ON r.id = e.record_id \
                    LEFT JOIN records p ON p.id = r.parent_id \
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
            let kind = RecordKind::from_code(row.get("kind")).ok_or_else(|| corrupt("kind", id))?;
            let list = |column: &str| -> Vec<UserId> {
                row.get::<Option<String>, _>(column)
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default()
            };
            let assigned =
                assigned_audience(kind.audience(), &list("assigned"), &list("parent_assigned"));
            let district = row.get::<Option<i64>, _>("district_id").map(DistrictId);
            let visibility = Visibility {
                audience: kind.audience(),
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
