//! Saving a change made on this phone (the record's new view and its outbox entry, in one
//! transaction), the batches a push sends, and what the server's answer does to them.

use mimamori_core::api::Me;
use mimamori_core::hlc::{Hlc, HlcClock};
use mimamori_core::kinds::State;
use mimamori_core::record::{Body, Change, DistrictId, RecordId, RecordKind};
use mimamori_core::sync::replica::{local_view, read_push_results};
use mimamori_core::sync::ItemResult;
use mimamori_core::validate::{validate_result, Context, FieldError};
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::latest::{note_children, plan_children, LatestAsk, Touched, LATEST};
use super::quarantine::{QuarantineEntry, QUARANTINE};
use super::records::{parent_of, placement, LocalRecord, RECORDS};
use super::requests;
use super::session::{holds_token, SESSION_KEY};
use super::{between, from_js, only, to_js, Store, StoreError, DRAFTS, OUTBOX, SYNC_META};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct OutboxEntry {
    pub id: String,
    pub record_id: String,
    pub created_at: f64,
    #[serde(with = "super::json_text")]
    pub change: Change,
}

/// A change waiting to be sent, with the JSON text the outbox keeps it as: sent as it is,
/// not decoded to objects and written out again (that took a third of a push's time).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub change: Change,
    pub json: String,
}

impl Outgoing {
    fn read(entry: JsValue) -> Result<Self, StoreError> {
        let text = js_sys::Reflect::get(&entry, &JsValue::from_str("change"))
            .ok()
            .and_then(|c| c.as_string());
        match text {
            Some(json) => Ok(Self {
                change: serde_json::from_str(&json)?,
                json,
            }),
            // Kept as an object by an older version of the app.
            None => {
                let change = from_js::<OutboxEntry>(entry)?.change;
                let json = serde_json::to_string(&change)?;
                Ok(Self { change, json })
            }
        }
    }
}

/// An outbox entry's key: the stamp first, so that the store's own order is the order the
/// changes were made.
pub(super) fn entry_key(change: &Change) -> String {
    format!("{}|{}", change.stamp, change.id)
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
    /// A deletion of the record `id`.
    pub deleted: bool,
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
            deleted: false,
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
    /// The record the change hangs from (a visit's resident), if it is made in the same
    /// save (one held here is in `held`).
    made_parent: Option<(RecordKind, RecordId)>,
    /// The records it names, its parent included, as this phone holds them (a visit's
    /// introduced entries, a session's salon and the members it ticks), with their kinds;
    /// read into records only if a rule asks (most saves never do).
    held: Vec<(RecordId, RecordKind, JsValue)>,
}

impl LocalContext {
    /// A record held here, as shown, unless it was deleted.
    fn live(&self, kind: RecordKind, id: RecordId) -> Option<State> {
        let (_, _, value) = self
            .held
            .iter()
            .find(|(held, held_kind, _)| *held == id && *held_kind == kind)?;
        from_js::<LocalRecord>(value.clone()).ok()?.live()
    }
}

impl Context for LocalContext {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    /// As on the server: a record deleted is no longer there to refer to.
    fn visible(&self, kind: RecordKind, id: RecordId) -> bool {
        self.made_parent == Some((kind, id)) || self.live(kind, id).is_some()
    }
    fn current(&self, kind: RecordKind, id: RecordId) -> Option<Body> {
        self.live(kind, id)?.current()
    }
}

/// A change made and checked in a save, with what was read for it.
struct Made {
    change: Change,
    /// Its record as this phone held it before.
    existing: Option<LocalRecord>,
    /// The refused change it corrects.
    corrects: Option<Hlc>,
    /// The outbox entries of its record still waiting to be sent.
    waiting: Vec<JsValue>,
}

impl Store {
    /// Saves a change made on this phone (see [`Store::save_all`]).
    pub async fn save_made_here(
        &self,
        draft: Draft,
        now_ms: f64,
        random: [u8; 10],
    ) -> Result<Change, SaveError> {
        let mut changes = self
            .save_all(vec![draft], None, now_ms, &mut || random)
            .await?;
        changes.pop().ok_or(SaveError::NotSignedIn)
    }

    /// Saves changes made on this phone together (a visit and the follow-up it asks for),
    /// in one transaction: stamps each with the device's clock, checks each with the
    /// server's rules, and writes the records' new views, their outbox entries, the advanced
    /// clock, the latest-visit summaries, and the removal of the form's draft (`form_draft`)
    /// together. If any change is refused by the rules, nothing is written. One transaction
    /// (not one per step) is what keeps a save as cheap as a plain IndexedDB write, and
    /// closing the app at any moment leaves either all of it or none of it.
    pub async fn save_all(
        &self,
        drafts: Vec<Draft>,
        form_draft: Option<String>,
        now_ms: f64,
        // One instance of this long function for every caller (a generic one was compiled
        // twice: ~12 KB of wasm).
        random: &mut dyn FnMut() -> [u8; 10],
    ) -> Result<Vec<Change>, SaveError> {
        let mut scope = vec![RECORDS, OUTBOX, SYNC_META, LATEST, DRAFTS];
        let corrects_any = drafts.iter().any(|d| d.corrects.is_some());
        if corrects_any {
            scope.push(QUARANTINE);
        }
        let tx = self.db.transaction(&scope, TransactionMode::ReadWrite)?;
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let meta = tx.store(SYNC_META)?;
        let latest = tx.store(LATEST)?;

        // Every read a save needs is issued at once, before any is answered: IndexedDB runs
        // a transaction's requests in order anyway, and each wait costs a task hop and a trip
        // to the browser's storage process. New records get their ids now so that this is
        // possible. Only what a change touches is read: its record, its parent, the records
        // it names, what already waits to be sent for it, and the parent's latest child.
        let ids: Vec<RecordId> = drafts
            .iter()
            .map(|d| {
                d.id.unwrap_or_else(|| RecordId::new_v7(now_ms as u64, random()))
            })
            .collect();
        let id_texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let parents: Vec<Option<(RecordKind, RecordId)>> =
            drafts.iter().map(|d| d.body.parent()).collect();
        let named: Vec<RecordId> = drafts.iter().flat_map(|d| d.body.references()).collect();
        let parent_texts: Vec<String> = parents
            .iter()
            .flatten()
            .map(|(_, parent)| parent.to_string())
            .collect();
        // No latest entry can name a record made in this save.
        let children: Vec<&str> = drafts
            .iter()
            .zip(&id_texts)
            .filter(|(draft, _)| draft.id.is_some())
            .map(|(_, id)| id.as_str())
            .collect();
        let mut asked = vec![
            requests::get(&meta, SESSION_KEY),
            requests::get(&meta, CLOCK_KEY),
        ];
        for ((draft, id), parent) in drafts.iter().zip(&id_texts).zip(&parents) {
            if let Some((_, parent)) = parent {
                asked.push(requests::get(&records, &parent.to_string()));
            }
            // A record made in this save is neither held nor waiting: only edits read them.
            if draft.id.is_some() {
                asked.push(requests::get(&records, id));
                let range = only(&JsValue::from_str(id))?;
                asked.push(requests::get_all(outbox.index("by_record")?, range));
            }
        }
        for id in &named {
            asked.push(requests::get(&records, &id.to_string()));
        }
        let latest_ask =
            LatestAsk::new(&children, parent_texts.iter().map(String::as_str).collect());
        asked.extend(latest_ask.requests(&latest)?);
        let mut answers = requests::all(asked).await?.into_iter();
        let mut next = || answers.next().filter(|v| !v.is_undefined());
        let (session, last_stamp) = (next(), next());
        let mut reads = Vec::with_capacity(drafts.len());
        for (draft, parent) in drafts.iter().zip(&parents) {
            let held_parent = parent.and_then(|_| next());
            let (existing, waiting) = match draft.id {
                Some(_) => (
                    next(),
                    next()
                        .map(|w| requests::values(&w).collect())
                        .unwrap_or_default(),
                ),
                None => (None, Vec::new()),
            };
            reads.push(((held_parent, existing), waiting));
        }
        let mut held_named: Vec<(RecordId, JsValue)> = Vec::new();
        for id in named {
            if let Some(value) = next() {
                held_named.push((id, value));
            }
        }
        let latest_reads = latest_ask.read(&mut answers)?;
        // Only who is signed in is decoded, not the district's people the session also holds.
        let me: Me = session
            .and_then(|value| js_sys::Reflect::get(&value, &JsValue::from_str("me")).ok())
            .and_then(|me| from_js(me).ok())
            .ok_or(SaveError::NotSignedIn)?;
        let mut last_stamp = last_stamp.and_then(|v| v.as_string());

        // First every change is made and checked; only then is anything written.
        let mut made: Vec<Made> = Vec::new();
        for ((draft, id), ((held_parent, existing), waiting)) in
            drafts.into_iter().zip(ids).zip(reads)
        {
            let parent = draft.body.parent();
            let existing: Option<LocalRecord> = existing.map(from_js).transpose()?;
            // A record goes to its parent's district, an edit stays where its record is, a
            // new record goes where the user chose; always one of the user's own districts.
            let recorded = held_parent
                .as_ref()
                .and_then(js_district)
                .or_else(|| existing.as_ref().and_then(|r| r.district_id));
            // A kind that may be city-wide (the directory's entries) is so when its record
            // already is, or when it is made by someone of no district (the city).
            let may_be_city_wide = !draft.body.kind().needs_district();
            let district = match recorded {
                Some(district) => Some(district),
                None if may_be_city_wide && existing.is_some() => None,
                None => draft.district.or_else(|| me.districts.first().copied()),
            };
            let district = match district {
                Some(d) if me.districts.contains(&d) => Some(d),
                None if may_be_city_wide => None,
                _ => return Err(SaveError::NoDistrict),
            };
            let stamp = stamp_after(last_stamp.as_deref(), me.device_id.0 as u64, now_ms as u64);
            last_stamp = Some(stamp.to_string());
            let change = Change {
                id,
                district_id: district,
                author: me.user_id,
                device: me.device_id,
                stamp,
                base: draft.base,
                deleted: draft.deleted,
                body: draft.body,
            };
            let made_parent = parent.filter(|(kind, parent_id)| {
                made.iter()
                    .any(|m| m.change.id == *parent_id && m.change.kind() == *kind)
            });
            // What the rules read besides the record: its parent (named, or as held) and
            // the records it names, as this phone holds them.
            let held_kind =
                |value: &JsValue| js_kind(value).and_then(|k| RecordKind::from_code(&k));
            let mut held = Vec::new();
            if let (Some(value), Some((_, parent))) = (held_parent, parent) {
                if let Some(kind) = held_kind(&value) {
                    held.push((parent, kind, value));
                }
            }
            // An edit that does not name its parent is checked against the parent it has:
            // read only then (few saves are such edits).
            let parent_as_held = existing
                .as_ref()
                .and_then(|r| r.parent_id.as_deref())
                .and_then(|p| p.parse::<RecordId>().ok())
                .filter(|_| parent.is_none());
            if let Some(parent) = parent_as_held {
                let value =
                    requests::all(vec![requests::get(&records, &parent.to_string())]).await?;
                if let Some(value) = value.into_iter().find(|v| !v.is_undefined()) {
                    if let Some(kind) = held_kind(&value) {
                        held.push((parent, kind, value));
                    }
                }
            }
            for reference in change.body.references() {
                let value = held_named.iter().find(|(id, _)| *id == reference);
                if let Some((_, value)) = value {
                    if let Some(kind) = held_kind(value) {
                        held.push((reference, kind, value.clone()));
                    }
                }
            }
            let context = LocalContext {
                now_ms: now_ms as i64,
                made_parent,
                held,
            };
            // The change is checked on the record as shown here and as it would leave it.
            let before = existing.as_ref().and_then(LocalRecord::shown);
            let after = State::apply(before.as_ref(), &change)
                .map(|(after, _)| after)
                .map_err(|_| SaveError::Invalid(Vec::new()))?;
            // Nothing has been written yet: returning here commits an empty transaction.
            validate_result(&change, before.as_ref(), &after, &context)
                .map_err(SaveError::Invalid)?;
            made.push(Made {
                change,
                existing,
                corrects: draft.corrects,
                waiting,
            });
        }

        let mut touched = Vec::new();
        let mut writes = Vec::new();
        for Made {
            change,
            existing,
            corrects,
            waiting,
        } in &made
        {
            let id = change.id.to_string();
            let mut pending: Vec<Change> = Vec::new();
            for value in waiting {
                pending.push(from_js::<OutboxEntry>(value.clone())?.change);
            }
            pending.push(change.clone());
            let server_state = existing.as_ref().and_then(|r| r.server_state.clone());
            let view = local_view(
                change.kind(),
                server_state.as_ref(),
                &pending.iter().collect::<Vec<_>>(),
            );
            let (parent_id, at) = view
                .as_ref()
                .map_or((None, None), |view| placement(change.kind(), view));
            let record = LocalRecord {
                id: id.clone(),
                kind: change.kind(),
                seq: existing.as_ref().map_or(0, |r| r.seq),
                parent_id,
                server_state,
                view,
                district_id: change.district_id,
            };
            touched.push(Touched::placed(&record, at));
            let entry = OutboxEntry {
                id: entry_key(change),
                record_id: id,
                created_at: now_ms,
                change: change.clone(),
            };
            writes.push((
                to_js(&record)?,
                to_js(&entry)?,
                corrects.map(|refused| format!("{refused}|{}", change.id)),
            ));
        }
        let latest_writes = plan_children(&records, &latest, &touched, latest_reads).await?;
        let quarantine = if corrects_any {
            Some(tx.store(QUARANTINE)?)
        } else {
            None
        };
        let form_drafts = tx.store(DRAFTS)?;
        // Every write at once, and the commit right behind them.
        let mut asked = Vec::with_capacity(writes.len() * 2 + 3);
        for (record, entry, corrected) in writes {
            asked.push(requests::put(&records, record, None));
            asked.push(requests::put(&outbox, entry, None));
            // The correction and the refused original are never both gone.
            if let (Some(key), Some(quarantine)) = (corrected, &quarantine) {
                asked.push(requests::delete(quarantine, JsValue::from_str(&key)));
            }
        }
        if let Some(stamp) = &last_stamp {
            let clock = Some(JsValue::from_str(CLOCK_KEY));
            asked.push(requests::put(&meta, JsValue::from_str(stamp), clock));
        }
        asked.extend(latest_writes.requests(&latest));
        if let Some(key) = &form_draft {
            asked.push(requests::delete(&form_drafts, JsValue::from_str(key)));
        }
        requests::write_and_commit(tx, asked).await?;
        Ok(made.into_iter().map(|m| m.change).collect())
    }

    /// The oldest waiting changes, at most `max`.
    pub async fn next_batch(&self, max: u32) -> Result<Vec<Change>, StoreError> {
        let batch = self.batch_after(None, max).await?;
        Ok(batch.into_iter().map(|o| o.change).collect())
    }

    /// The oldest waiting changes after `after` (the last change of the batch before), at
    /// most `max`, each with its JSON: lets the engine read the next batch while the
    /// server answers this one.
    pub async fn batch_after(
        &self,
        after: Option<&Change>,
        max: u32,
    ) -> Result<Vec<Outgoing>, StoreError> {
        let range = match after {
            Some(change) => Some(
                rexie::KeyRange::lower_bound(&JsValue::from_str(&entry_key(change)), Some(true))
                    .map_err(rexie::Error::from)?,
            ),
            None => None,
        };
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let values = tx.store(OUTBOX)?.get_all(range, Some(max)).await?;
        values.into_iter().map(Outgoing::read).collect()
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
            &[OUTBOX, QUARANTINE, RECORDS, SYNC_META, LATEST],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.store(SYNC_META)?;
        let outbox = tx.store(OUTBOX)?;
        let quarantine = tx.store(QUARANTINE)?;
        // Every change sent leaves the outbox: acknowledged, or moved to the quarantine.
        let mut leaving: Vec<String> = sent.iter().map(entry_key).collect();
        mimamori_core::order::sort_by(&mut leaving, |a, b| a.cmp(b));
        let (Some(first), Some(last)) = (leaving.first(), leaving.last()) else {
            return Ok(true);
        };
        let range = between(first, last)?;
        let asked = vec![
            requests::get(&meta, SESSION_KEY),
            requests::count(&outbox, Some(range.clone())),
        ];
        let answers = requests::all(asked).await?;
        if !holds_token(&answers[0], token) {
            return Ok(false);
        }
        let mut asked = Vec::new();
        // A batch is the oldest entries, so usually exactly the keys of one range: one
        // delete instead of one per change. Anything else in that range (never expected)
        // falls back to deleting key by key.
        if answers[1].as_f64() == Some(leaving.len() as f64) {
            asked.push(requests::delete(&outbox, range.into()));
        } else {
            for key in &leaving {
                asked.push(requests::delete(&outbox, JsValue::from_str(key)));
            }
        }
        let mut refused_records = Vec::new();
        for quarantined in outcome.quarantined {
            refused_records.push(quarantined.change.id.to_string());
            let entry = to_js(&QuarantineEntry::new(quarantined))?;
            asked.push(requests::put(&quarantine, entry, None));
        }
        if refused_records.is_empty() {
            requests::write_and_commit(tx, asked).await?;
            return Ok(true);
        }
        requests::all(asked).await?;
        // A refused change no longer shows as if saved: its record goes back to what the
        // server holds with what is still waiting laid over it (a refused new record
        // disappears from the lists; the quarantine shows it until corrected or discarded).
        let records = tx.store(RECORDS)?;
        let by_record = outbox.index("by_record")?;
        let mut refused_ids: Vec<String> = refused_records;
        mimamori_core::order::sort_by(&mut refused_ids, |a, b| a.cmp(b));
        refused_ids.dedup();
        let mut touched = Vec::new();
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
            record.parent_id = parent_of(record.kind, record.view.as_ref());
            if record.view.is_none() && record.server_state.is_none() {
                records.delete(key).await?;
                touched.push(Touched::removed(id));
            } else {
                records.put(&to_js(&record)?, None).await?;
                touched.push(Touched::of(&record));
            }
        }
        note_children(&records, &tx.store(LATEST)?, touched).await?;
        tx.done().await?;
        Ok(true)
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
