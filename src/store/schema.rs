//! The database's shape by version, and the data passes an upgrade needs.
//!
//! The schema is declarative: [`object_stores`] returns every store of a schema version, and
//! opening at a higher version adds what is new. Rexie deletes stores that a version no longer
//! lists, so a store is only ever dropped on purpose. Data in the stores that remain is kept;
//! where a version reads it differently, [`upgrade_data`] rewrites it once, marked in
//! `sync_meta` so that it never runs twice.

use rexie::{Index, ObjectStore, TransactionMode};
use wasm_bindgen::JsValue;

use super::latest::LATEST;
use super::pull::CURSOR_KEY;
use super::records::{parent_of, LocalRecord, RECORDS};
use super::{from_js, to_js, Store, StoreError, DRAFTS, OUTBOX, QUARANTINE, SETTINGS, SYNC_META};

/// Bump when [`object_stores`] changes, and keep every older version's stores listed.
/// 5: records name their parent (`parent_id`, index `by_parent`) for every kind, instead of
/// a visit's `resident_id`. 6: `latest` (each record's latest child: a resident's last
/// visit) and `drafts` (forms as they are typed).
pub const SCHEMA_VERSION: u32 = 6;

/// The object stores of schema `version`.
pub(super) fn object_stores(version: u32) -> Vec<ObjectStore> {
    let mut stores = vec![ObjectStore::new(SETTINGS)];
    if version >= 2 {
        let mut outbox = ObjectStore::new(OUTBOX).key_path("id");
        // Version 4 dropped this index: nothing read by it (the keys already sort by the
        // time a change was made), and every save paid for keeping it.
        if version < 4 {
            outbox = outbox.add_index(Index::new("by_created_at", "created_at"));
        }
        if version >= 3 {
            outbox = outbox.add_index(Index::new("by_record", "record_id"));
        }
        stores.push(outbox);
        stores.push(ObjectStore::new(SYNC_META));
    }
    if version >= 3 {
        let mut records = ObjectStore::new(RECORDS)
            .key_path("id")
            .add_index(Index::new("by_kind", "kind"));
        records = if version >= 5 {
            records.add_index(Index::new("by_parent", "parent_id"))
        } else {
            records.add_index(Index::new("by_resident", "resident_id"))
        };
        stores.push(records);
        stores.push(ObjectStore::new(QUARANTINE).key_path("id"));
    }
    if version >= 6 {
        stores.push(
            ObjectStore::new(LATEST)
                .key_path("parent")
                .add_index(Index::new("by_child", "child")),
        );
        stores.push(ObjectStore::new(DRAFTS));
    }
    stores
}

/// Marks in `sync_meta` of the data passes done.
const DISTRICTS_MARK: &str = "records_know_districts";
const PARENTS_MARK: &str = "records_name_parents";
const LATEST_MARK: &str = "latest_children_known";

/// Brings stored data to what `version` reads, once per pass.
pub(super) async fn upgrade_data(store: &Store, version: u32) -> Result<(), StoreError> {
    if version >= 5 {
        name_parents(store).await?;
    }
    if version >= 6 {
        know_latest_children(store).await?;
    }
    Ok(())
}

/// Schema 6: the latest child of every record, worked out once from what is held.
async fn know_latest_children(store: &Store) -> Result<(), StoreError> {
    let tx = store
        .db
        .transaction(&[RECORDS, LATEST, SYNC_META], TransactionMode::ReadWrite)?;
    let meta = tx.store(SYNC_META)?;
    if !marked(&meta, LATEST_MARK).await? {
        Store::rebuild_latest(&tx.store(RECORDS)?, &tx.store(LATEST)?).await?;
        meta.put(&JsValue::TRUE, Some(&JsValue::from_str(LATEST_MARK)))
            .await?;
    }
    tx.done().await?;
    Ok(())
}

async fn marked(meta: &rexie::Store, mark: &str) -> Result<bool, StoreError> {
    Ok(meta
        .get(JsValue::from_str(mark))
        .await?
        .is_some_and(|v| !v.is_undefined()))
}

/// Schema 5: every record names its parent in `parent_id` (read from its own view), so that
/// `by_parent` finds a resident's visits stored by an earlier version. One transaction: a
/// tab closed half-way leaves the pass to be done again, not half done.
async fn name_parents(store: &Store) -> Result<(), StoreError> {
    let tx = store
        .db
        .transaction(&[RECORDS, SYNC_META], TransactionMode::ReadWrite)?;
    let meta = tx.store(SYNC_META)?;
    if marked(&meta, PARENTS_MARK).await? {
        tx.done().await?;
        return Ok(());
    }
    let records = tx.store(RECORDS)?;
    let mut rewritten = Vec::new();
    for value in records.get_all(None, None).await? {
        let mut record: LocalRecord = from_js(value)?;
        let parent = parent_of(record.kind, record.view.as_ref())
            .or_else(|| parent_of(record.kind, record.server_state.as_ref()));
        if parent.is_some() && record.parent_id != parent {
            record.parent_id = parent;
            rewritten.push((to_js(&record)?, None));
        }
    }
    records.put_all(rewritten.into_iter()).await?;
    meta.put(&JsValue::TRUE, Some(&JsValue::from_str(PARENTS_MARK)))
        .await?;
    tx.done().await?;
    Ok(())
}

impl Store {
    /// Records stored before schema 4 do not know their district (a visit needs its
    /// resident's): the first time a database is opened at 4 or later, the cursor is reset
    /// so that the next sync pulls every record again, with its district. The sync engine
    /// calls it before its first run (not on the way to the first render).
    pub async fn pull_again_once_for_districts(&self) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[SYNC_META], TransactionMode::ReadWrite)?;
        let meta = tx.store(SYNC_META)?;
        if !marked(&meta, DISTRICTS_MARK).await? {
            meta.delete(JsValue::from_str(CURSOR_KEY)).await?;
            meta.put(&JsValue::TRUE, Some(&JsValue::from_str(DISTRICTS_MARK)))
                .await?;
        }
        tx.done().await?;
        Ok(())
    }
}
