use async_trait::async_trait;
use mimamori_core::apply::{apply_change, Pusher, ResidentInfo, Stored, StoredState};
use mimamori_core::record::{Body, Change, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::resident::LwwRecord;
use mimamori_core::sync::{may_see, ItemResult, PullResponse, PulledRecord, Visibility};
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

async fn load(
    tx: &mut Transaction<'_, Sqlite>,
    id: RecordId,
) -> Result<Option<Stored>, StorageError> {
    let row = sqlx::query("SELECT kind, district_id, created_by, state FROM records WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let kind = kind_of(row.get("kind")).ok_or_else(|| corrupt("kind", id))?;
    let state: String = row.get("state");
    let state = match kind {
        RecordKind::Resident => StoredState::Resident(
            serde_json::from_str::<LwwRecord>(&state).map_err(|_| corrupt("state", id))?,
        ),
        RecordKind::Visit => StoredState::Visit(Box::new(
            serde_json::from_str::<Change>(&state).map_err(|_| corrupt("state", id))?,
        )),
    };
    Ok(Some(Stored {
        kind,
        district: DistrictId(row.get("district_id")),
        created_by: UserId(row.get("created_by")),
        state,
    }))
}

async fn resident_info(
    tx: &mut Transaction<'_, Sqlite>,
    id: RecordId,
) -> Result<Option<ResidentInfo>, StorageError> {
    let row = sqlx::query("SELECT district_id, assigned FROM records WHERE id = ? AND kind = 'resident' AND deleted = 0")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|row| ResidentInfo {
        district: DistrictId(row.get("district_id")),
        assigned: serde_json::from_str(row.get::<&str, _>("assigned")).unwrap_or_default(),
    }))
}

async fn next_seq(tx: &mut Transaction<'_, Sqlite>) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "UPDATE sync_sequence SET value = value + 1 WHERE id = 1 RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?)
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
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            let stamp_text = change.stamp.to_string();
            let seen: Option<i64> = sqlx::query_scalar(
                "SELECT seq FROM applied_changes WHERE record_id = ? AND stamp = ?",
            )
            .bind(change.id.to_string())
            .bind(&stamp_text)
            .fetch_optional(&mut *tx)
            .await?;
            if seen.is_some() {
                results.push(ItemResult::Accepted {
                    id: change.id,
                    stamp: change.stamp,
                });
                continue;
            }
            let existing = load(&mut tx, change.id).await?;
            let resident = match &change.body {
                Body::Visit(visit) => resident_info(&mut tx, visit.resident_id).await?,
                Body::Resident(_) => None,
            };
            let decided = apply_change(change, existing.as_ref(), pusher, now_ms, |_| {
                resident.clone()
            });
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
            let seq = next_seq(&mut tx).await?;
            let stored = &accepted.stored;
            sqlx::query(
                "INSERT INTO records (id, kind, district_id, created_by, resident_id, assigned, deleted, state, seq) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET assigned = excluded.assigned, deleted = excluded.deleted, \
                 state = excluded.state, resident_id = excluded.resident_id, seq = excluded.seq",
            )
            .bind(change.id.to_string())
            .bind(stored.kind.as_str())
            .bind(stored.district.0)
            .bind(stored.created_by.0)
            .bind(accepted.resident_id.map(|id| id.to_string()))
            .bind(serde_json::to_string(&stored.state.assigned()).unwrap_or_else(|_| "[]".into()))
            .bind(stored.state.is_deleted())
            .bind(stored.state.to_json().to_string())
            .bind(seq)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO applied_changes (record_id, stamp, device_id, seq) VALUES (?, ?, ?, ?)")
                .bind(change.id.to_string())
                .bind(&stamp_text)
                .bind(caller.device.0)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            results.push(ItemResult::Accepted {
                id: change.id,
                stamp: change.stamp,
            });
        }
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
                reset: false,
            });
        }
        // District ids are numbers we hold, not user text: safe to inline.
        let districts = caller
            .districts
            .iter()
            .map(|d| d.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "SELECT r.id, r.kind, r.district_id, r.deleted, r.state, r.seq, r.assigned, \
                    res.assigned AS resident_assigned \
             FROM records r LEFT JOIN records res ON res.id = r.resident_id \
             WHERE r.seq > ? AND r.district_id IN ({districts}) ORDER BY r.seq LIMIT ?"
        ))
        .bind(cursor)
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
            if !may_see(
                caller.role,
                caller.user,
                &caller.districts,
                Visibility {
                    kind,
                    district,
                    assigned: &assigned,
                },
            ) {
                continue;
            }
            let tombstone: bool = row.get("deleted");
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
            reset: false,
        })
    }
}
