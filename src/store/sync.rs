//! The sync engine's half of the local database: records, outbox, quarantine and cursor.
//! Every operation that must be atomic (a record and its outbox entry; a pulled page and
//! the cursor; an answer and the outbox) is one IndexedDB transaction, so closing the tab
//! at any moment leaves either all of it or none of it.

use mimamori_core::hlc::{Hlc, HlcClock};
use mimamori_core::record::{Body, Change, DistrictId, RecordId, RecordKind};
use mimamori_core::replica::{local_view, read_push_results, LocalWrite, Quarantined};
use mimamori_core::sync::{ItemResult, PullResponse};
use mimamori_core::validate::{validate_change, Context, FieldError};
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::{Store, StoreError, OUTBOX, SYNC_META};

/// Records as this phone holds them.
pub const RECORDS: &str = "records";
/// Changes the server refused, until the user corrects or discards them.
pub const QUARANTINE: &str = "quarantine";

pub(super) const CURSOR_KEY: &str = "cursor";

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
    /// Visits: their resident (indexed, for a resident's history).
    pub resident_id: Option<String>,
    /// The district the record belongs to (absent in records stored before schema 4).
    #[serde(default)]
    pub district_id: Option<DistrictId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OutboxEntry {
    id: String,
    record_id: String,
    created_at: f64,
    #[serde(with = "super::json_text")]
    change: Change,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct QuarantineEntry {
    id: String,
    record_id: String,
    #[serde(flatten)]
    quarantined: Quarantined,
}

fn entry_key(change: &Change) -> String {
    format!("{}|{}", change.stamp, change.id)
}

/// Plain JS objects (not `Map`s) so that IndexedDB can index their fields.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, StoreError> {
    Ok(serde_wasm_bindgen::from_value(value)?)
}

/// The key range of exactly `key`.
fn only(key: &JsValue) -> Result<rexie::KeyRange, StoreError> {
    Ok(rexie::KeyRange::only(key).map_err(rexie::Error::from)?)
}

/// Whether the session stored in `meta` (inside the caller's transaction) is still the one
/// holding `token`.
async fn signed_in_as(meta: &rexie::Store, token: &str) -> Result<bool, StoreError> {
    let session = meta.get(JsValue::from_str(SESSION_KEY)).await?;
    Ok(session
        .filter(|v| !v.is_undefined())
        .and_then(|v| js_sys::Reflect::get(&v, &JsValue::from_str("token")).ok())
        .and_then(|t| t.as_string())
        .is_some_and(|t| t == token))
}

/// A stored record's district, read without converting the whole record.
fn js_district(value: &JsValue) -> Option<DistrictId> {
    js_sys::Reflect::get(value, &JsValue::from_str("district_id"))
        .ok()
        .and_then(|d| d.as_f64())
        .map(|d| DistrictId(d as i64))
}

/// A stored record's `kind`, read without converting the whole record.
fn js_kind(value: &JsValue) -> Option<String> {
    js_sys::Reflect::get(value, &JsValue::from_str("kind"))
        .ok()
        .and_then(|k| k.as_string())
}

fn resident_of(change: &Change) -> Option<String> {
    match &change.body {
        Body::Visit(visit) => Some(visit.resident_id.to_string()),
        Body::Resident(_) => None,
    }
}

/// What a screen asks to save: a new record (no `id`), or a new version of the record `id`
/// made on top of the version stamped `base`.
#[derive(Debug, Clone)]
pub struct Draft {
    pub id: Option<RecordId>,
    pub base: Option<Hlc>,
    pub body: Body,
    /// For a new resident: which of the user's districts (the first when `None`). A visit
    /// always goes to its resident's district and an edit stays in its record's.
    pub district: Option<DistrictId>,
    /// The stamp of a refused change (of record `id`) that this one corrects: saving it
    /// takes that change out of the quarantine in the same transaction.
    pub corrects: Option<Hlc>,
}

impl Draft {
    /// A new record.
    pub fn new(body: Body) -> Self {
        Self {
            id: None,
            base: None,
            body,
            district: None,
            corrects: None,
        }
    }
}

/// Why a change made here was not saved. Nothing is written in any of these cases.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveError {
    NotSignedIn,
    /// The signed-in user belongs to no district (an account set up wrongly).
    NoDistrict,
    /// The server's own rules refuse it; the problems name the fields.
    Invalid(Vec<FieldError>),
    Store(StoreError),
}

impl SaveError {
    /// What to tell the user, in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            Self::NotSignedIn => crate::text::SIGN_IN_FIRST.to_owned(),
            Self::NoDistrict => crate::text::NO_DISTRICT.to_owned(),
            Self::Invalid(problems) => problems
                .iter()
                .map(|p| p.problem.message_ja())
                .collect::<Vec<_>>()
                .join(" "),
            Self::Store(error) => error.message_ja().to_owned(),
        }
    }
}

impl<E: Into<StoreError>> From<E> for SaveError {
    fn from(error: E) -> Self {
        Self::Store(error.into())
    }
}

/// The phone's view of what a change may refer to, for the shared validation rules.
struct LocalContext {
    now_ms: i64,
    /// The resident a visit names, if this phone holds it.
    known_resident: Option<RecordId>,
}

impl Context for LocalContext {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    fn resident_visible(&self, id: RecordId) -> bool {
        self.known_resident == Some(id)
    }
}

impl Store {
    /// Saves a change made on this phone, in one transaction: stamps it with the device's
    /// clock, checks it with the server's rules, and writes the record's new view, its
    /// outbox entry and the advanced clock together. One transaction (not one per step)
    /// is what keeps a save as cheap as a plain IndexedDB write, and closing the app at any
    /// moment leaves either all of it or none of it.
    pub async fn save_made_here(
        &self,
        draft: Draft,
        now_ms: f64,
        random: [u8; 10],
    ) -> Result<Change, SaveError> {
        let mut scope = vec![RECORDS, OUTBOX, SYNC_META];
        if draft.corrects.is_some() {
            scope.push(QUARANTINE);
        }
        let tx = self.db.transaction(&scope, TransactionMode::ReadWrite)?;
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let meta = tx.store(SYNC_META)?;

        // Every read is issued at once and so are the writes: IndexedDB runs a transaction's
        // requests in order anyway, and waiting for each in turn costs a task per request.
        let id = draft
            .id
            .unwrap_or_else(|| RecordId::new_v7(now_ms as u64, random));
        let id_text = id.to_string();
        // Only the resident a visit names matters: read that one, not the whole list.
        let resident = match &draft.body {
            Body::Visit(visit) => Some(visit.resident_id),
            Body::Resident(_) => None,
        };
        let (session, last_stamp, held_resident, existing) = futures::try_join!(
            meta.get(JsValue::from_str(SESSION_KEY)),
            meta.get(JsValue::from_str(CLOCK_KEY)),
            async {
                match resident {
                    Some(resident) => records.get(JsValue::from_str(&resident.to_string())).await,
                    None => Ok(None),
                }
            },
            records.get(JsValue::from_str(&id_text)),
        )?;
        let session: Session = match session {
            Some(value) if !value.is_undefined() => {
                from_js(value).map_err(|_| SaveError::NotSignedIn)?
            }
            _ => return Err(SaveError::NotSignedIn),
        };
        let me = session.me;
        let held_resident = held_resident.filter(|v| !v.is_undefined());
        let existing = existing.filter(|v| !v.is_undefined());
        // A visit goes to its resident's district, an edit stays where its record is, a new
        // record goes where the user chose; always one of the user's own districts.
        let recorded = resident
            .and(held_resident.as_ref())
            .and_then(js_district)
            .or_else(|| existing.as_ref().and_then(js_district));
        let district = recorded
            .or(draft.district)
            .or_else(|| me.districts.first().copied())
            .filter(|d| me.districts.contains(d))
            .ok_or(SaveError::NoDistrict)?;
        let last_stamp = last_stamp.and_then(|v| v.as_string());
        let stamp = stamp_after(last_stamp.as_deref(), me.device_id.0 as u64, now_ms as u64);
        let change = Change {
            id,
            district_id: district,
            author: me.user_id,
            device: me.device_id,
            stamp,
            base: draft.base,
            deleted: false,
            body: draft.body,
        };
        let known_resident = resident
            .filter(|_| held_resident.as_ref().and_then(js_kind).as_deref() == Some("resident"));
        let context = LocalContext {
            now_ms: now_ms as i64,
            known_resident,
        };
        // Nothing has been written yet: returning here commits an empty transaction.
        validate_change(&change, &context).map_err(SaveError::Invalid)?;

        let existing: Option<LocalRecord> = existing.map(from_js).transpose()?;
        let id = id_text;
        let mut pending: Vec<Change> = Vec::new();
        // A record never seen here has nothing waiting in the outbox: skip the index read.
        if existing.is_some() {
            for value in outbox
                .index("by_record")?
                .get_all(Some(only(&JsValue::from_str(&id))?), None)
                .await?
            {
                pending.push(from_js::<OutboxEntry>(value)?.change);
            }
        }
        pending.push(change.clone());
        let server_state = existing.as_ref().and_then(|r| r.server_state.clone());
        let view = local_view(
            change.kind(),
            server_state.as_ref(),
            &pending.iter().collect::<Vec<_>>(),
        );
        let record = LocalRecord {
            id: id.clone(),
            kind: change.kind(),
            seq: existing.as_ref().map_or(0, |r| r.seq),
            server_state,
            view,
            resident_id: resident_of(&change),
            district_id: Some(change.district_id),
        };
        let entry = OutboxEntry {
            id: entry_key(&change),
            record_id: id,
            created_at: now_ms,
            change: change.clone(),
        };
        let (record, entry) = (to_js(&record)?, to_js(&entry)?);
        let stamp = JsValue::from_str(&change.stamp.to_string());
        let clock_key = JsValue::from_str(CLOCK_KEY);
        futures::try_join!(
            records.put(&record, None),
            outbox.put(&entry, None),
            meta.put(&stamp, Some(&clock_key)),
        )?;
        if let Some(refused) = draft.corrects {
            tx.store(QUARANTINE)?
                .delete(JsValue::from_str(&format!("{refused}|{}", change.id)))
                .await?;
        }
        tx.done().await?;
        Ok(change)
    }

    /// The oldest waiting changes, at most `max`.
    pub async fn next_batch(&self, max: u32) -> Result<Vec<Change>, StoreError> {
        self.batch_after(None, max).await
    }

    /// The oldest waiting changes after `after` (the last change of the batch before), at
    /// most `max`: lets the engine read the next batch while the server answers this one.
    pub async fn batch_after(
        &self,
        after: Option<&Change>,
        max: u32,
    ) -> Result<Vec<Change>, StoreError> {
        let range = match after {
            Some(change) => Some(
                rexie::KeyRange::lower_bound(&JsValue::from_str(&entry_key(change)), Some(true))
                    .map_err(rexie::Error::from)?,
            ),
            None => None,
        };
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let values = tx.store(OUTBOX)?.get_all(range, Some(max)).await?;
        tx.done().await?;
        values
            .into_iter()
            .map(|v| from_js::<OutboxEntry>(v).map(|e| e.change))
            .collect()
    }

    /// Takes in the server's answer to a push: acknowledged changes leave the outbox,
    /// refused ones move to the quarantine, in one transaction. An answer that does not
    /// pair up with what was sent changes nothing.
    pub async fn apply_push_answer(
        &self,
        token: &str,
        sent: &[Change],
        results: &[ItemResult],
    ) -> Result<bool, StoreError> {
        let Ok(outcome) = read_push_results(sent, results) else {
            return Ok(false);
        };
        let tx = self.db.transaction(
            &[OUTBOX, QUARANTINE, RECORDS, SYNC_META],
            TransactionMode::ReadWrite,
        )?;
        if !signed_in_as(&tx.store(SYNC_META)?, token).await? {
            return Ok(false);
        }
        let outbox = tx.store(OUTBOX)?;
        let quarantine = tx.store(QUARANTINE)?;
        // Every change sent leaves the outbox: acknowledged, or moved to the quarantine.
        let mut leaving: Vec<String> = sent.iter().map(entry_key).collect();
        leaving.sort();
        let mut refused = Vec::new();
        let mut refused_records = Vec::new();
        for quarantined in outcome.quarantined {
            refused_records.push(quarantined.change.id.to_string());
            refused.push(to_js(&QuarantineEntry {
                id: entry_key(&quarantined.change),
                record_id: quarantined.change.id.to_string(),
                quarantined,
            })?);
        }
        let mut deletes = Vec::new();
        if let (Some(first), Some(last)) = (leaving.first(), leaving.last()) {
            let range = rexie::KeyRange::bound(
                &JsValue::from_str(first),
                &JsValue::from_str(last),
                Some(false),
                Some(false),
            )
            .map_err(rexie::Error::from)?;
            // A batch is the oldest entries, so usually exactly the keys of one range: one
            // delete instead of one per change. Anything else in that range (never expected)
            // falls back to deleting key by key.
            if outbox.count(Some(range.clone())).await? as usize == leaving.len() {
                deletes.push(outbox.delete(range.into()));
            } else {
                for key in &leaving {
                    deletes.push(outbox.delete(JsValue::from_str(key)));
                }
            }
        }
        futures::future::try_join_all(deletes).await?;
        quarantine
            .put_all(refused.into_iter().map(|entry| (entry, None)))
            .await?;
        // A refused change no longer shows as if saved: its record goes back to what the
        // server holds with what is still waiting laid over it (a refused new record
        // disappears from the lists; the quarantine shows it until corrected or discarded).
        let records = tx.store(RECORDS)?;
        let by_record = outbox.index("by_record")?;
        let mut refused_ids: Vec<String> = refused_records;
        refused_ids.sort();
        refused_ids.dedup();
        for id in refused_ids {
            let key = JsValue::from_str(&id);
            let Some(value) = records
                .get(key.clone())
                .await?
                .filter(|v| !v.is_undefined())
            else {
                continue;
            };
            let mut record: LocalRecord = from_js(value)?;
            let mut pending = Vec::new();
            for value in by_record.get_all(Some(only(&key)?), None).await? {
                pending.push(from_js::<OutboxEntry>(value)?.change);
            }
            record.view = if pending.is_empty() {
                record.server_state.clone()
            } else {
                local_view(
                    record.kind,
                    record.server_state.as_ref(),
                    &pending.iter().collect::<Vec<_>>(),
                )
            };
            if record.view.is_none() && record.server_state.is_none() {
                records.delete(key).await?;
            } else {
                records.put(&to_js(&record)?, None).await?;
            }
        }
        tx.done().await?;
        Ok(true)
    }

    /// Stores a pulled page and then its cursor, in one transaction. Returns `false` (and
    /// stores nothing) if the session that fetched it has ended meanwhile: a sync still
    /// running at sign-out must not refill the phone with the last user's records.
    pub async fn apply_pull_page(
        &self,
        token: &str,
        page: &PullResponse,
    ) -> Result<bool, StoreError> {
        let tx = self
            .db
            .transaction(&[RECORDS, OUTBOX, SYNC_META], TransactionMode::ReadWrite)?;
        if !signed_in_as(&tx.store(SYNC_META)?, token).await? {
            return Ok(false);
        }
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let by_record = outbox.index("by_record")?;
        let writes = mimamori_core::replica::writes_for_page(page);
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
                    // A visit's state is its newest change: `body.data.resident_id`.
                    let resident_id = (kind == RecordKind::Visit)
                        .then(|| state["body"]["data"]["resident_id"].as_str())
                        .flatten()
                        .map(str::to_owned);
                    let record = LocalRecord {
                        id: id.to_string(),
                        kind,
                        seq,
                        server_state: Some(state),
                        view,
                        resident_id,
                        district_id: Some(district),
                    };
                    puts.push((to_js(&record)?, None));
                }
                LocalWrite::Remove { id } => {
                    removals.push(records.delete(JsValue::from_str(&id.to_string())))
                }
            }
        }
        futures::future::try_join_all(removals).await?;
        records.put_all(puts.into_iter()).await?;
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

    pub async fn records_of_kind(&self, kind: RecordKind) -> Result<Vec<LocalRecord>, StoreError> {
        let tx = self.db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let key = to_js(&kind)?;
        let values = tx
            .store(RECORDS)?
            .index("by_kind")?
            .get_all(Some(only(&key)?), None)
            .await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }

    pub async fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        let tx = self
            .db
            .transaction(&[QUARANTINE], TransactionMode::ReadOnly)?;
        let values = tx.store(QUARANTINE)?.get_all(None, None).await?;
        tx.done().await?;
        values
            .into_iter()
            .map(|v| from_js::<QuarantineEntry>(v).map(|e| e.quarantined))
            .collect()
    }

    /// Erases everything of the signed-in user (a revoked device); settings stay.
    pub async fn wipe_user_data(&self) -> Result<(), StoreError> {
        let stores = [RECORDS, OUTBOX, QUARANTINE, SYNC_META];
        let tx = self.db.transaction(&stores, TransactionMode::ReadWrite)?;
        for store in stores {
            tx.store(store)?.clear().await?;
        }
        tx.done().await?;
        Ok(())
    }
}

/// Who is signed in on this phone, with the token the server issued (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub me: mimamori_core::api::Me,
    /// The names of the user's districts, read at sign-in so that a choice of district
    /// can be offered with no signal.
    #[serde(default)]
    pub districts: Vec<mimamori_core::api::District>,
}

const SESSION_KEY: &str = "session";

impl Store {
    pub async fn session(&self) -> Result<Option<Session>, StoreError> {
        match self.get(SYNC_META, SESSION_KEY).await? {
            Some(value) => Ok(from_js(value).ok()),
            None => Ok(None),
        }
    }

    pub async fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        self.put(
            SYNC_META,
            &to_js(session)?,
            Some(&JsValue::from_str(SESSION_KEY)),
        )
        .await
    }

    pub async fn save_last_success(&self, at_ms: f64) -> Result<(), StoreError> {
        self.put(
            SYNC_META,
            &JsValue::from_f64(at_ms),
            Some(&JsValue::from_str(super::LAST_SYNC_KEY)),
        )
        .await
    }
}

const CLOCK_KEY: &str = "clock";

/// The next stamp of this device's clock after the last one it issued (kept in the
/// database so that it never goes backwards across reloads). A stamp from another device
/// id (the user signed in again) starts a fresh clock.
fn stamp_after(last: Option<&str>, node: u64, now_ms: u64) -> Hlc {
    let last: Option<Hlc> = last
        .and_then(|s| s.parse().ok())
        .filter(|last: &Hlc| last.node == node);
    let mut clock = last.map_or_else(|| HlcClock::new(node), HlcClock::resume);
    clock.now(now_ms)
}

impl Store {
    /// The record held under `id`, if any.
    pub async fn record(&self, id: &str) -> Result<Option<LocalRecord>, StoreError> {
        match self.get(RECORDS, id).await? {
            Some(value) => Ok(Some(from_js(value)?)),
            None => Ok(None),
        }
    }

    /// A resident's visits, newest first.
    pub async fn visits_of(&self, resident_id: &str) -> Result<Vec<LocalRecord>, StoreError> {
        let tx = self.db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let values = tx
            .store(RECORDS)?
            .index("by_resident")?
            .get_all(Some(only(&JsValue::from_str(resident_id))?), None)
            .await?;
        tx.done().await?;
        let mut visits: Vec<LocalRecord> =
            values.into_iter().map(from_js).collect::<Result<_, _>>()?;
        visits.sort_by_key(|v| std::cmp::Reverse(visited_at(v)));
        Ok(visits)
    }
}

fn visited_at(record: &LocalRecord) -> i64 {
    record
        .view
        .as_ref()
        .and_then(|v| v["body"]["data"]["visited_at_ms"].as_i64())
        .unwrap_or(0)
}

impl Store {
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
