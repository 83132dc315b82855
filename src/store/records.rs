//! Records as this phone holds them: the server's state and what the user sees (that state
//! with unsent changes laid over it), read as typed values from `mimamori_core::kinds`.

use mimamori_core::kinds::State;
use mimamori_core::record::{DistrictId, RecordId, RecordKind};
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::{from_js, only, Store, StoreError};

/// Records as this phone holds them.
pub const RECORDS: &str = "records";

/// A record on the phone: the server's state (if any) and what the user sees, which is
/// that state with the changes still in the outbox laid over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    pub id: String,
    pub kind: RecordKind,
    /// The server's sequence number of the state held; 0 before the first pull.
    pub seq: i64,
    #[serde(with = "super::json_text")]
    pub server_state: Option<Value>,
    #[serde(with = "super::json_text")]
    pub view: Option<Value>,
    /// The record this one hangs from (a visit's resident), indexed: `by_parent`.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The district the record belongs to (absent in records stored before schema 4, and
    /// for city-wide records).
    #[serde(default)]
    pub district_id: Option<DistrictId>,
}

impl LocalRecord {
    /// What the user sees, typed by its kind (`None` when nothing is left of it).
    pub fn shown(&self) -> Option<State> {
        State::from_json(self.kind, self.view.clone()?).ok()
    }

    /// What the user sees, unless it was deleted.
    pub fn live(&self) -> Option<State> {
        self.shown().filter(|state| !state.is_deleted())
    }
}

/// The parent of a record as its state says (a visit's resident), as stored text.
pub(super) fn parent_of(kind: RecordKind, state: Option<&Value>) -> Option<String> {
    placement(kind, state?).0
}

/// A state's parent (as stored text) and when it happened if it is live, from one reading
/// of it as its kind.
pub(super) fn placement(kind: RecordKind, state: &Value) -> (Option<String>, Option<f64>) {
    let Ok(state) = State::from_json(kind, state.clone()) else {
        return (None, None);
    };
    let parent = state.parent().map(|(_, id)| id.to_string());
    let at = if state.is_deleted() {
        None
    } else {
        state
            .current()
            .and_then(|body| body.occurred_at())
            .map(|ms| ms as f64)
    };
    (parent, at)
}

impl Store {
    /// The record held under `id`, if any.
    pub async fn record(&self, id: &str) -> Result<Option<LocalRecord>, StoreError> {
        match self.get(RECORDS, id).await? {
            Some(value) => Ok(Some(from_js(value)?)),
            None => Ok(None),
        }
    }

    pub async fn records_of_kind(&self, kind: RecordKind) -> Result<Vec<LocalRecord>, StoreError> {
        let tx = self.db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let key = super::to_js(&kind)?;
        let values = tx
            .store(RECORDS)?
            .index("by_kind")?
            .get_all(Some(only(&key)?), None)
            .await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }

    /// The records of `kind` made on or after `since_ms` (by their UUIDv7 ids, which begin
    /// with the time they were made: a key range on the store, not a scan of every record).
    /// What happened then was made then or later: a visit is logged after it happens.
    pub async fn records_made_since(
        &self,
        kind: RecordKind,
        since_ms: f64,
    ) -> Result<Vec<LocalRecord>, StoreError> {
        let lowest = RecordId::new_v7(since_ms.max(0.0) as u64, [0; 10]).to_string();
        let range = rexie::KeyRange::lower_bound(&JsValue::from_str(&lowest), Some(false))
            .map_err(rexie::Error::from)?;
        let tx = self.db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let values = tx.store(RECORDS)?.get_all(Some(range), None).await?;
        tx.done().await?;
        let mut records = Vec::new();
        for value in values {
            let record: LocalRecord = from_js(value)?;
            if record.kind == kind {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// The records that hang from `parent` (a resident's visits).
    pub async fn children_of(&self, parent: RecordId) -> Result<Vec<LocalRecord>, StoreError> {
        let tx = self.db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let values = tx
            .store(RECORDS)?
            .index("by_parent")?
            .get_all(Some(only(&JsValue::from_str(&parent.to_string()))?), None)
            .await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }
}
