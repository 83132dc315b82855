//! Storing a pulled page and its cursor, in one transaction.

use mimamori_core::sync::replica::{local_view, writes_for_page, LocalWrite};
use mimamori_core::sync::PullResponse;
use rexie::TransactionMode;
use wasm_bindgen::JsValue;

use super::latest::{note_children, Touched, LATEST};
use super::outbox::OutboxEntry;
use super::records::{parent_of, LocalRecord, RECORDS};
use super::session::signed_in_as;
use super::{from_js, only, to_js, Store, StoreError, OUTBOX, SYNC_META};

pub(super) const CURSOR_KEY: &str = "cursor";

impl Store {
    /// Stores a pulled page and then its cursor, in one transaction. Returns `false` (and
    /// stores nothing) if the session that fetched it has ended meanwhile: a sync still
    /// running at sign-out must not refill the phone with the last user's records.
    pub async fn apply_pull_page(
        &self,
        token: &str,
        page: &PullResponse,
    ) -> Result<bool, StoreError> {
        let tx = self.db.transaction(
            &[RECORDS, OUTBOX, SYNC_META, LATEST],
            TransactionMode::ReadWrite,
        )?;
        if !signed_in_as(&tx.store(SYNC_META)?, token).await? {
            return Ok(false);
        }
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let by_record = outbox.index("by_record")?;
        let writes = writes_for_page(page);
        // What this phone still has to send must stay laid over what the server says; with
        // an empty outbox (the usual case) there is nothing to look up.
        let waiting = outbox.count(None).await? > 0;
        let mut pending_reads = Vec::new();
        for write in &writes {
            if let LocalWrite::Put { id, .. } = write {
                if waiting {
                    pending_reads.push(
                        by_record.get_all(Some(only(&JsValue::from_str(&id.to_string()))?), None),
                    );
                }
            }
        }
        let mut pending_by_put = futures::future::try_join_all(pending_reads)
            .await?
            .into_iter();
        let mut puts = Vec::new();
        let mut removals = Vec::new();
        let mut touched = Vec::new();
        for write in writes {
            match write {
                LocalWrite::Put {
                    id,
                    kind,
                    district,
                    seq,
                    state,
                } => {
                    let pending = pending_by_put
                        .next()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|value| from_js::<OutboxEntry>(value).map(|e| e.change))
                        .collect::<Result<Vec<_>, _>>()?;
                    let view = local_view(kind, Some(&state), &pending.iter().collect::<Vec<_>>());
                    let parent_id = parent_of(kind, Some(&state));
                    let record = LocalRecord {
                        id: id.to_string(),
                        kind,
                        seq,
                        server_state: Some(state),
                        view,
                        parent_id,
                        district_id: district,
                    };
                    touched.push(Touched::of(&record));
                    puts.push((to_js(&record)?, None));
                }
                LocalWrite::Remove { id } => {
                    let id = id.to_string();
                    removals.push(records.delete(JsValue::from_str(&id)));
                    touched.push(Touched::removed(id));
                }
            }
        }
        futures::future::try_join_all(removals).await?;
        records.put_all(puts.into_iter()).await?;
        note_children(&records, &tx.store(LATEST)?, touched).await?;
        tx.store(SYNC_META)?
            .put(
                &JsValue::from_f64(page.cursor as f64),
                Some(&JsValue::from_str(CURSOR_KEY)),
            )
            .await?;
        tx.done().await?;
        Ok(true)
    }

    /// The server cursor this phone has stored up to.
    pub async fn cursor(&self) -> Result<i64, StoreError> {
        Ok(self
            .get(SYNC_META, CURSOR_KEY)
            .await?
            .and_then(|v| v.as_f64())
            .map_or(0, |c| c as i64))
    }
}
