//! The app's IndexedDB database, through rexie.
//!
//! The schema is declarative: [`object_stores`] returns every store of a schema version, and
//! opening at a higher version adds what is new. Rexie deletes stores that a version no longer
//! lists, so a store is only ever dropped on purpose. Data in the stores that remain is kept.

use std::rc::Rc;

use mimamori_core::settings::DeviceSettings;
use rexie::{Index, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use crate::text;

mod json_text;
mod sync;

pub use sync::{Draft, LocalRecord, SaveError, Session, QUARANTINE, RECORDS};

/// The database the app uses; tests open others by name.
pub const DATABASE_NAME: &str = "mimamori";
/// Bump when [`object_stores`] changes, and keep every older version's stores listed.
pub const SCHEMA_VERSION: u32 = 4;

/// Device-local key/value settings (explicit keys).
pub const SETTINGS: &str = "settings";
/// Changes waiting for the server. An entry's `id` is `<stamp>|<record id>`, so the store's
/// own order is the order the changes were made (stamps sort as text).
pub const OUTBOX: &str = "outbox";
/// Sync bookkeeping: the server cursor, the last success (explicit keys).
pub const SYNC_META: &str = "sync_meta";

const SETTINGS_KEY: &str = "device";
pub(crate) const LAST_SYNC_KEY: &str = "last_success_ms";

/// The object stores of schema `version`.
fn object_stores(version: u32) -> Vec<ObjectStore> {
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
        stores.push(
            ObjectStore::new(RECORDS)
                .key_path("id")
                .add_index(Index::new("by_kind", "kind"))
                .add_index(Index::new("by_resident", "resident_id")),
        );
        stores.push(ObjectStore::new(QUARANTINE).key_path("id"));
    }
    stores
}

/// Why the local database could not do what was asked, in words a volunteer can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The phone's storage is full (`QuotaExceededError`).
    QuotaExceeded,
    /// IndexedDB is not available (e.g. some private-browsing modes).
    Unavailable(String),
    Other(String),
}

impl StoreError {
    pub fn message_ja(&self) -> &'static str {
        match self {
            Self::QuotaExceeded => text::STORAGE_FULL,
            Self::Unavailable(_) => text::STORAGE_UNAVAILABLE,
            Self::Other(_) => text::STORAGE_FAILED,
        }
    }
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        // rexie's own message is only "idb error"; the wrapped error names the DOMException.
        let detail = match &error {
            rexie::Error::IdbError(inner) => inner.to_string(),
            other => other.to_string(),
        };
        if detail.contains("QuotaExceeded") {
            Self::QuotaExceeded
        } else if detail.contains("indexed db not found") {
            Self::Unavailable(detail)
        } else {
            Self::Other(detail)
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        Self::Other(error.to_string())
    }
}

impl From<serde_wasm_bindgen::Error> for StoreError {
    fn from(error: serde_wasm_bindgen::Error) -> Self {
        Self::Other(error.to_string())
    }
}

/// An open database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Rc<Rexie>,
}

impl Store {
    /// Opens the app's database at the current schema version.
    pub async fn open() -> Result<Self, StoreError> {
        Self::open_named(DATABASE_NAME, SCHEMA_VERSION).await
    }

    /// Opens database `name` at schema `version`, upgrading it if it is older.
    pub async fn open_named(name: &str, version: u32) -> Result<Self, StoreError> {
        let builder = object_stores(version)
            .into_iter()
            .fold(Rexie::builder(name).version(version), |b, s| {
                b.add_object_store(s)
            });
        Ok(Self {
            db: Rc::new(builder.build().await?),
        })
    }

    /// Records stored before schema 4 do not know their district (a visit needs its
    /// resident's): the first time a database is opened at 4 or later, the cursor is reset
    /// so that the next sync pulls every record again, with its district. The sync engine
    /// calls it before its first run (not on the way to the first render).
    pub async fn pull_again_once_for_districts(&self) -> Result<(), StoreError> {
        const MARK: &str = "records_know_districts";
        let tx = self
            .db
            .transaction(&[SYNC_META], TransactionMode::ReadWrite)?;
        let meta = tx.store(SYNC_META)?;
        let marked = meta
            .get(JsValue::from_str(MARK))
            .await?
            .is_some_and(|v| !v.is_undefined());
        if !marked {
            meta.delete(JsValue::from_str(sync::CURSOR_KEY)).await?;
            meta.put(&JsValue::TRUE, Some(&JsValue::from_str(MARK)))
                .await?;
        }
        tx.done().await?;
        Ok(())
    }

    pub fn version(&self) -> u32 {
        self.db.version().unwrap_or(0)
    }

    pub fn store_names(&self) -> Vec<String> {
        self.db.store_names()
    }

    /// Closes the connection so that another version can open (or delete) the database.
    pub fn close(self) {
        if let Ok(db) = Rc::try_unwrap(self.db) {
            db.close();
        }
    }

    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Ok(Rexie::delete(name).await?)
    }

    pub async fn load_settings(&self) -> Result<DeviceSettings, StoreError> {
        let value = self.get(SETTINGS, SETTINGS_KEY).await?;
        Ok(match value {
            Some(value) => serde_wasm_bindgen::from_value(value).unwrap_or_default(),
            None => DeviceSettings::default(),
        })
    }

    pub async fn save_settings(&self, settings: &DeviceSettings) -> Result<(), StoreError> {
        let value = serde_wasm_bindgen::to_value(settings)?;
        self.put(SETTINGS, &value, Some(&JsValue::from_str(SETTINGS_KEY)))
            .await
    }

    /// How many changes wait in the outbox.
    pub async fn unsent_count(&self) -> Result<u32, StoreError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let count = tx.store(OUTBOX)?.count(None).await?;
        tx.done().await?;
        Ok(count)
    }

    /// When the last sync succeeded, in milliseconds since the epoch.
    pub async fn last_sync_ms(&self) -> Result<Option<f64>, StoreError> {
        Ok(self
            .get(SYNC_META, LAST_SYNC_KEY)
            .await?
            .and_then(|v| v.as_f64()))
    }

    /// Adds or replaces a value in `store` (whose key path or explicit `key` names it) in a
    /// transaction of its own.
    pub async fn put(
        &self,
        store: &str,
        value: &JsValue,
        key: Option<&JsValue>,
    ) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadWrite)?;
        tx.store(store)?.put(value, key).await?;
        tx.done().await?;
        Ok(())
    }

    /// Every value in `store` as IndexedDB holds it (for exports and the sync benchmark).
    pub async fn all_values(&self, store: &str) -> Result<Vec<JsValue>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let values = tx.store(store)?.get_all(None, None).await?;
        tx.done().await?;
        Ok(values)
    }

    pub async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let value = tx.store(store)?.get(JsValue::from_str(key)).await?;
        tx.done().await?;
        Ok(value.filter(|v| !v.is_undefined()))
    }
}
