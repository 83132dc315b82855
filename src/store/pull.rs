//! Storing a pulled page and its cursor, in one transaction.

use mimamori_core::sync::replica::{local_view, writes_for_page, LocalWrite};
use mimamori_core::sync::PullResponse;
use rexie::TransactionMode;
use wasm_bindgen::JsValue;

use std::collections::BTreeSet;

use super::latest::{plan_children, LatestReads, Touched, LATEST};
use super::outbox::OutboxEntry;
use super::records::{parent_of, LocalRecord, RECORDS};
use super::session::signed_in_as;
use super::{from_js, only, to_js, write_and_commit, Store, StoreError, OUTBOX, SYNC_META};

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
        let meta = tx.store(SYNC_META)?;
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let latest = tx.store(LATEST)?;
        let writes = writes_for_page(page);
        // Where each record will hang, worked out once: the latest entries read its parents.
        let placed: Vec<(String, Option<String>)> = writes
            .iter()
            .map(|write| match write {
                LocalWrite::Put {
                    id, kind, state, ..
                } => (id.to_string(), parent_of(*kind, Some(state))),
                LocalWrite::Remove { id } => (id.to_string(), None),
            })
            .collect();
        let children: Vec<&str> = placed.iter().map(|(id, _)| id.as_str()).collect();
        let parents: BTreeSet<&str> = placed.iter().filter_map(|(_, p)| p.as_deref()).collect();
        // The reads, all at once (each wait is a trip to the browser's storage process).
        let (signed_in, waiting, latest_reads) = futures::try_join!(
            signed_in_as(&meta, token),
            async { Ok(outbox.count(None).await? > 0) },
            LatestReads::read(&latest, &children, parents),
        )?;
        if !signed_in {
            return Ok(false);
        }
        // What this phone still has to send must stay laid over what the server says; with
        // an empty outbox (the usual case) there is nothing to look up.
        let by_record = outbox.index("by_record")?;
        let mut pending_reads = Vec::new();
        if waiting {
            for (write, (id, _)) in writes.iter().zip(&placed) {
                if matches!(write, LocalWrite::Put { .. }) {
                    pending_reads
                        .push(by_record.get_all(Some(only(&JsValue::from_str(id))?), None));
                }
            }
        }
        let mut pending_by_put = futures::future::try_join_all(pending_reads)
            .await?
            .into_iter();
        let mut puts = Vec::new();
        let mut removals = Vec::new();
        let mut touched = Vec::new();
        for (write, (id, parent_id)) in writes.into_iter().zip(placed) {
            match write {
                LocalWrite::Put {
                    kind,
                    district,
                    seq,
                    state,
                    ..
                } => {
                    let pending = pending_by_put
                        .next()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|value| from_js::<OutboxEntry>(value).map(|e| e.change))
                        .collect::<Result<Vec<_>, _>>()?;
                    let view = local_view(kind, Some(&state), &pending.iter().collect::<Vec<_>>());
                    let record = LocalRecord {
                        id,
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
                LocalWrite::Remove { .. } => {
                    removals.push(id.clone());
                    touched.push(Touched::removed(id));
                }
            }
        }
        let latest_writes = plan_children(&records, &latest, &touched, latest_reads).await?;
        // Every write at once, the cursor last, and the commit right behind them.
        let all_writes = async {
            let removed = removals
                .iter()
                .map(|id| records.delete(JsValue::from_str(id)));
            let cursor = JsValue::from_f64(page.cursor as f64);
            let cursor_key = JsValue::from_str(CURSOR_KEY);
            futures::try_join!(
                async {
                    Ok::<_, StoreError>(futures::future::try_join_all(removed).await.map(drop)?)
                },
                async { Ok(records.put_all(puts.into_iter()).await?) },
                latest_writes.write(&latest),
                async { Ok(meta.put(&cursor, Some(&cursor_key)).await.map(drop)?) },
            )?;
            Ok(())
        };
        write_and_commit(tx, all_writes).await?;
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
