//! Changes the server refused, kept until the user corrects or discards them.

use mimamori_core::record::Change;
use mimamori_core::sync::replica::Quarantined;
use mimamori_core::sync::RejectCode;
use mimamori_core::validate::FieldError;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::outbox::entry_key;
use super::{from_js, Store, StoreError};

/// Changes the server refused, until the user corrects or discards them.
pub const QUARANTINE: &str = "quarantine";

/// A refused change as stored. The same fields as `Quarantined`, written out rather than
/// flattened (serde's flatten costs the app a deserializer of its own), so that entries
/// stored by earlier versions read the same.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct QuarantineEntry {
    pub id: String,
    pub record_id: String,
    #[serde(with = "super::json_text")]
    pub change: Change,
    pub code: RejectCode,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

impl QuarantineEntry {
    pub fn new(refused: Quarantined) -> Self {
        Self {
            id: entry_key(&refused.change),
            record_id: refused.change.id.to_string(),
            change: refused.change,
            code: refused.code,
            message: refused.message,
            fields: refused.fields,
        }
    }
}

impl Store {
    pub async fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        let tx = self
            .db
            .transaction(&[QUARANTINE], TransactionMode::ReadOnly)?;
        let values = tx.store(QUARANTINE)?.get_all(None, None).await?;
        tx.done().await?;
        values
            .into_iter()
            .map(|v| {
                from_js::<QuarantineEntry>(v).map(|e| Quarantined {
                    change: e.change,
                    code: e.code,
                    message: e.message,
                    fields: e.fields,
                })
            })
            .collect()
    }

    /// Drops a refused change the user chose not to keep.
    pub async fn discard_quarantined(&self, change: &Change) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[QUARANTINE], TransactionMode::ReadWrite)?;
        tx.store(QUARANTINE)?
            .delete(JsValue::from_str(&entry_key(change)))
            .await?;
        tx.done().await?;
        Ok(())
    }
}
