//! Storing a pulled page and its cursor, in one transaction.
//!
//! A page is made ready before its transaction opens ([`PreparedPage`]): every record as
//! IndexedDB will hold it, worked out while the page before is still being written, so
//! that the phone's work on one page overlaps the browser's on the other. Only records
//! with changes still waiting to be sent (rare during a pull) are worked out again inside.

use std::collections::BTreeSet;

use mimamori_core::sync::replica::{local_view, writes_for_page, LocalWrite};
use mimamori_core::sync::PullResponse;
use rexie::TransactionMode;
use wasm_bindgen::JsValue;

use super::latest::{plan_children, LatestAsk, Touched, LATEST};
use super::outbox::OutboxEntry;
use super::records::{placement, LocalRecord, RECORDS};
use super::requests;
use super::session::{holds_token, SESSION_KEY};
use super::{from_js, only, to_js, Store, StoreError, OUTBOX, SYNC_META};

pub(super) const CURSOR_KEY: &str = "cursor";

/// A pulled page with its records as they will be stored if nothing of theirs waits to
/// be sent.
pub struct PreparedPage {
    cursor: i64,
    records: Vec<Prepared>,
}

enum Prepared {
    Put {
        record: LocalRecord,
        value: JsValue,
        touched: Touched,
    },
    Remove {
        id: String,
    },
}

impl Prepared {
    fn id(&self) -> &str {
        match self {
            Self::Put { record, .. } => &record.id,
            Self::Remove { id } => id,
        }
    }

    fn touched(&self) -> Touched {
        match self {
            Self::Put { touched, .. } => touched.clone(),
            Self::Remove { id } => Touched::removed(id.clone()),
        }
    }
}

impl PreparedPage {
    /// Works out how `page`'s records will be stored: no reads, no waits. Each record's
    /// state is read as its kind once, for both its parent and its time.
    pub fn of(page: PullResponse) -> Result<Self, StoreError> {
        let cursor = page.cursor;
        let mut records = Vec::with_capacity(page.records.len());
        for write in writes_for_page(page.records) {
            records.push(match write {
                LocalWrite::Put {
                    id,
                    kind,
                    district,
                    seq,
                    state,
                } => {
                    let (parent_id, at) = placement(kind, &state);
                    let record = LocalRecord {
                        id: id.to_string(),
                        kind,
                        seq,
                        view: Some(state.clone()),
                        server_state: Some(state),
                        parent_id,
                        district_id: district,
                    };
                    Prepared::Put {
                        value: to_js(&record)?,
                        touched: Touched::placed(&record, at),
                        record,
                    }
                }
                LocalWrite::Remove { id } => Prepared::Remove { id: id.to_string() },
            });
        }
        Ok(Self { cursor, records })
    }

    /// The cursor the page reaches.
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

impl Store {
    /// Stores a pulled page and then its cursor, in one transaction (see
    /// [`Store::apply_prepared_page`]).
    pub async fn apply_pull_page(
        &self,
        token: &str,
        page: &PullResponse,
    ) -> Result<bool, StoreError> {
        self.apply_prepared_page(token, PreparedPage::of(page.clone())?)
            .await
    }

    /// Stores a prepared page and then its cursor, in one transaction. Returns `false` (and
    /// stores nothing) if the session that fetched it has ended meanwhile: a sync still
    /// running at sign-out must not refill the phone with the last user's records.
    pub async fn apply_prepared_page(
        &self,
        token: &str,
        mut page: PreparedPage,
    ) -> Result<bool, StoreError> {
        let tx = self.db.transaction(
            &[RECORDS, OUTBOX, SYNC_META, LATEST],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.store(SYNC_META)?;
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let latest = tx.store(LATEST)?;
        let children: Vec<&str> = page.records.iter().map(Prepared::id).collect();
        let parents: BTreeSet<&str> = page
            .records
            .iter()
            .filter_map(|p| match p {
                Prepared::Put { record, .. } => record.parent_id.as_deref(),
                Prepared::Remove { .. } => None,
            })
            .collect();
        // The reads, all at once (each wait is a trip to the browser's storage process).
        let latest_ask = LatestAsk::new(&children, parents);
        let mut asked = vec![
            requests::get(&meta, SESSION_KEY),
            requests::count(&outbox, None),
        ];
        asked.extend(latest_ask.requests(&latest)?);
        let mut answers = requests::all(asked).await?.into_iter();
        let signed_in = answers
            .next()
            .is_some_and(|session| holds_token(&session, token));
        let waiting = answers.next().and_then(|n| n.as_f64()).unwrap_or(0.0) > 0.0;
        let latest_reads = latest_ask.read(&mut answers)?;
        if !signed_in {
            return Ok(false);
        }
        if waiting {
            lay_waiting_changes_over(&outbox, &mut page).await?;
        }
        let touched: Vec<Touched> = page.records.iter().map(Prepared::touched).collect();
        let latest_writes = plan_children(&records, &latest, &touched, latest_reads).await?;
        // Every write at once, the cursor last, and the commit right behind them.
        let mut asked = Vec::new();
        let mut puts = Vec::with_capacity(page.records.len());
        for prepared in page.records {
            match prepared {
                Prepared::Put { value, .. } => puts.push(value),
                Prepared::Remove { id } => {
                    asked.push(requests::delete(&records, JsValue::from_str(&id)));
                }
            }
        }
        asked.push(requests::put_all(&records, puts));
        asked.extend(latest_writes.requests(&latest));
        let cursor = JsValue::from_f64(page.cursor as f64);
        asked.push(requests::put(
            &meta,
            cursor,
            Some(JsValue::from_str(CURSOR_KEY)),
        ));
        requests::write_and_commit(tx, asked).await?;
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

/// What this phone still has to send must stay laid over what the server says: the
/// records of `page` with changes waiting are worked out again.
async fn lay_waiting_changes_over(
    outbox: &rexie::Store,
    page: &mut PreparedPage,
) -> Result<(), StoreError> {
    let mut asked = Vec::with_capacity(page.records.len());
    for prepared in &page.records {
        let range = only(&JsValue::from_str(prepared.id()))?;
        asked.push(requests::get_all(outbox.index("by_record")?, range));
    }
    let waiting = requests::all(asked).await?;
    for (prepared, waiting) in page.records.iter_mut().zip(waiting) {
        let Prepared::Put {
            record,
            value,
            touched,
        } = prepared
        else {
            continue;
        };
        let pending = requests::values(&waiting)
            .map(|value| from_js::<OutboxEntry>(value).map(|e| e.change))
            .collect::<Result<Vec<_>, _>>()?;
        if pending.is_empty() {
            continue;
        }
        record.view = local_view(
            record.kind,
            record.server_state.as_ref(),
            &pending.iter().collect::<Vec<_>>(),
        );
        *value = to_js(record)?;
        *touched = Touched::of(record);
    }
    Ok(())
}
