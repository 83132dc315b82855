//! The app's IndexedDB database, through rexie, split by job: the schema and its upgrades
//! (`schema`), records (`records`), saving a change and the outbox (`outbox`), pulled pages
//! (`pull`), the session (`session`) and refused changes (`quarantine`). Every operation
//! that must be atomic is one IndexedDB transaction, so closing the tab at any moment
//! leaves either all of it or none of it.

use std::rc::Rc;

use mimamori_core::settings::DeviceSettings;
use rexie::{Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use crate::text;

mod json_text;
mod latest;
mod outbox;
mod pull;
mod quarantine;
mod records;
mod requests;
mod schema;
mod session;

pub use latest::{Latest, LATEST};
pub use outbox::{Draft, Outgoing, SaveError};
pub use pull::PreparedPage;
pub use quarantine::QUARANTINE;
pub use records::{LocalRecord, RECORDS};
pub use schema::SCHEMA_VERSION;
pub use session::Session;

/// The database the app uses; tests open others by name.
pub const DATABASE_NAME: &str = "mimamori";

/// Device-local key/value settings (explicit keys).
pub const SETTINGS: &str = "settings";
/// Changes waiting for the server. An entry's `id` is `<stamp>|<record id>`, so the store's
/// own order is the order the changes were made (stamps sort as text).
pub const OUTBOX: &str = "outbox";
/// Sync bookkeeping: the server cursor, the last success (explicit keys).
pub const SYNC_META: &str = "sync_meta";
/// Forms as they are typed, so that nothing typed is lost to a call, a lock or a crash
/// (explicit keys: `visit|<resident id>`).
pub const DRAFTS: &str = "drafts";

const SETTINGS_KEY: &str = "device";
pub(crate) const LAST_SYNC_KEY: &str = "last_success_ms";

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
    /// What the browser said, for whoever helps the user (never shown as the message).
    pub fn detail(&self) -> &str {
        match self {
            Self::QuotaExceeded => "QuotaExceededError",
            Self::Unavailable(detail) | Self::Other(detail) => detail,
        }
    }

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

/// Plain JS objects (not `Map`s) so that IndexedDB can index their fields, made by the
/// browser's JSON parser: one string crosses into JavaScript instead of a call per field,
/// and every stored type is read and written by the same serde_json code the API already
/// needs (serde-wasm-bindgen compiled a second reader and writer for each: 3.4 KB of the
/// first visit).
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, StoreError> {
    let text = serde_json::to_string(value)?;
    js_sys::JSON::parse(&text).map_err(|_| StoreError::Other("JSON.parse refused a value".into()))
}

/// What [`to_js`] stored (or an earlier version stored as plain objects), read back.
pub(crate) fn from_js<T: for<'de> serde::Deserialize<'de>>(
    value: JsValue,
) -> Result<T, StoreError> {
    let text = js_sys::JSON::stringify(&value)
        .map_err(|_| StoreError::Other("a stored value is not JSON".into()))?;
    Ok(serde_json::from_str(&String::from(text))?)
}

/// The key range from `first` to `last`, both included.
pub(crate) fn between(first: &str, last: &str) -> Result<rexie::KeyRange, StoreError> {
    let (first, last) = (JsValue::from_str(first), JsValue::from_str(last));
    Ok(
        rexie::KeyRange::bound(&first, &last, Some(false), Some(false))
            .map_err(rexie::Error::from)?,
    )
}

/// The key range of exactly `key`.
pub(crate) fn only(key: &JsValue) -> Result<rexie::KeyRange, StoreError> {
    Ok(rexie::KeyRange::only(key).map_err(rexie::Error::from)?)
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

    /// Opens database `name` at schema `version`, upgrading it if it is older (the stores
    /// and indexes, then the data a new version reads differently: `schema`).
    pub async fn open_named(name: &str, version: u32) -> Result<Self, StoreError> {
        let builder = schema::object_stores(version)
            .into_iter()
            .fold(Rexie::builder(name).version(version), |b, s| {
                b.add_object_store(s)
            });
        let store = Self {
            db: Rc::new(builder.build().await?),
        };
        schema::upgrade_data(&store, version).await?;
        Ok(store)
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
            Some(value) => from_js(value).unwrap_or_default(),
            None => DeviceSettings::default(),
        })
    }

    /// Whether the one-time notice `notice` was read on this phone (a flag beside the
    /// settings: no serde for a yes or no).
    pub async fn notice_read(&self, notice: &str) -> Result<bool, StoreError> {
        Ok(self
            .get(SETTINGS, &format!("read:{notice}"))
            .await?
            .is_some_and(|v| v.is_truthy()))
    }

    pub async fn mark_notice_read(&self, notice: &str) -> Result<(), StoreError> {
        let key = JsValue::from_str(&format!("read:{notice}"));
        self.put(SETTINGS, &JsValue::TRUE, Some(&key)).await
    }

    pub async fn save_settings(&self, settings: &DeviceSettings) -> Result<(), StoreError> {
        let value = to_js(settings)?;
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

    /// A form's draft, as it was last typed.
    pub async fn form_draft(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        Ok(self
            .get(DRAFTS, key)
            .await?
            .and_then(|v| v.as_string())
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// Keeps a form's draft (as JSON text: one string across the wasm boundary).
    pub async fn keep_form_draft(
        &self,
        key: &str,
        draft: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.put(
            DRAFTS,
            &JsValue::from_str(&draft.to_string()),
            Some(&JsValue::from_str(key)),
        )
        .await
    }

    /// Drops a form's draft (「下書きを捨てる」).
    pub async fn drop_form_draft(&self, key: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
        tx.store(DRAFTS)?.delete(JsValue::from_str(key)).await?;
        tx.done().await?;
        Ok(())
    }

    pub async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let value = tx.store(store)?.get(JsValue::from_str(key)).await?;
        tx.done().await?;
        Ok(value.filter(|v| !v.is_undefined()))
    }
}
