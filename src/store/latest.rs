//! Each record's latest child of a kind that says when it happened (a resident's last
//! visit), kept as records are written, so that the 見守りリスト reads one small entry per
//! resident instead of every visit on the phone (20,000 on a coordinator's).
//!
//! Kept in the same transaction as the records it follows: a child written with a later
//! time replaces its parent's entry; a child removed, moved to another parent, or moved
//! earlier makes its old parent's entry be worked out again from that parent's children.

use std::collections::{BTreeMap, BTreeSet};

use mimamori_core::kinds::State;
use mimamori_core::record::RecordKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::records::LocalRecord;
use super::{from_js, only, to_js, Store, StoreError};

/// Latest children, keyed by their parent's id.
pub const LATEST: &str = "latest";

/// A parent's latest child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latest {
    pub parent: String,
    pub child: String,
    pub kind: RecordKind,
    /// When it happened (milliseconds since the epoch).
    pub at: f64,
    /// What the user sees of it.
    #[serde(with = "super::json_text")]
    pub view: Value,
}

/// Where and when a stored entry places its child, read without its view.
#[derive(Deserialize)]
struct Placement {
    parent: String,
    child: String,
    at: f64,
}

/// A record written in a transaction, as far as the latest entries need it.
#[derive(Debug, Clone)]
pub struct Touched {
    child: String,
    /// Its parent, when it happened, its kind and view, if it is a live child with a time;
    /// `None` for a record removed, deleted, or of a kind without times.
    placed: Option<Placed>,
}

#[derive(Debug, Clone)]
struct Placed {
    parent: String,
    at: f64,
    kind: RecordKind,
    view: Value,
}

impl Placed {
    fn entry(&self, child: &str) -> Latest {
        Latest {
            parent: self.parent.clone(),
            child: child.to_owned(),
            kind: self.kind,
            at: self.at,
            view: self.view.clone(),
        }
    }
}

/// When a record's view says it happened, if it is live.
fn occurred(kind: RecordKind, view: Option<&Value>) -> Option<f64> {
    let state = State::from_json(kind, view?.clone()).ok()?;
    if state.is_deleted() {
        return None;
    }
    state.current()?.occurred_at().map(|ms| ms as f64)
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

impl Touched {
    pub fn of(record: &LocalRecord) -> Self {
        Self::placed(record, occurred(record.kind, record.view.as_ref()))
    }

    /// A record whose view says it happened `at` (see [`placement`]).
    pub fn placed(record: &LocalRecord, at: Option<f64>) -> Self {
        let placed = record.parent_id.clone().zip(at).map(|(parent, at)| Placed {
            parent,
            at,
            kind: record.kind,
            view: record.view.clone().unwrap_or(Value::Null),
        });
        Self {
            child: record.id.clone(),
            placed,
        }
    }

    /// A record removed from the phone.
    pub fn removed(id: String) -> Self {
        Self {
            child: id,
            placed: None,
        }
    }
}

/// The latest entries a write may change, read before it (in the same transaction): those
/// naming one of the children about to be written, and each named parent's current entry.
/// Read together with the write's other reads, they cost no wait of their own.
#[derive(Default)]
pub struct LatestReads {
    named_by_child: BTreeMap<String, Placement>,
    /// Every parent read, with its entry if it has one.
    current_by_parent: BTreeMap<String, Option<Placement>>,
}

impl LatestReads {
    /// Reads, all at once, the entries naming any of `children` and those of `parents`. The
    /// first is one range read over the index of children (ids are UUIDv7, so a page's
    /// children are close together and few entries fall in between); the second, one read
    /// per parent. Only where and when is decoded, not views. (One read per child and per
    /// parent, two per record, took 1 s of a 10,000-record pull.)
    pub async fn read(
        latest: &rexie::Store,
        children: &[&str],
        parents: BTreeSet<&str>,
    ) -> Result<Self, StoreError> {
        let mut children = children.to_vec();
        children.sort_unstable();
        let range = match (children.first(), children.last()) {
            (Some(first), Some(last)) => Some(
                rexie::KeyRange::bound(
                    &JsValue::from_str(first),
                    &JsValue::from_str(last),
                    Some(false),
                    Some(false),
                )
                .map_err(rexie::Error::from)?,
            ),
            _ => None,
        };
        let by_child = latest.index("by_child")?;
        let (named, current) = futures::try_join!(
            async {
                match range {
                    Some(range) => by_child.get_all(Some(range), None).await,
                    None => Ok(Vec::new()),
                }
            },
            futures::future::try_join_all(
                parents
                    .iter()
                    .map(|parent| latest.get(JsValue::from_str(parent)))
            ),
        )?;
        let mut reads = Self::default();
        for value in named {
            let entry: Placement = from_js(value)?;
            if children.binary_search(&entry.child.as_str()).is_ok() {
                reads.named_by_child.insert(entry.child.clone(), entry);
            }
        }
        for (parent, value) in parents.into_iter().zip(current) {
            let entry = value
                .filter(|v| !v.is_undefined())
                .map(from_js::<Placement>)
                .transpose()?;
            reads.current_by_parent.insert(parent.to_owned(), entry);
        }
        Ok(reads)
    }

    /// What `touched` needs that is not read yet (a parent a record moved to, unknown
    /// before the record was worked out), read now.
    async fn complete(
        &mut self,
        latest: &rexie::Store,
        touched: &[Touched],
    ) -> Result<(), StoreError> {
        let mut missing = parents_of(touched);
        missing.retain(|parent| !self.current_by_parent.contains_key(*parent));
        if !missing.is_empty() {
            let more = Self::read(latest, &[], missing).await?;
            self.current_by_parent.extend(more.current_by_parent);
        }
        Ok(())
    }
}

/// The writes that bring the latest entries up to date: issued with the transaction's
/// other writes, so that a save or a page waits once for all of them.
#[derive(Default)]
pub struct LatestWrites {
    puts: Vec<JsValue>,
    deletes: Vec<String>,
}

impl LatestWrites {
    /// Issues them into the caller's transaction; resolves when the last is done.
    pub async fn write(&self, latest: &rexie::Store) -> Result<(), StoreError> {
        futures::try_join!(
            futures::future::try_join_all(self.puts.iter().map(|entry| latest.put(entry, None))),
            futures::future::try_join_all(
                self.deletes
                    .iter()
                    .map(|parent| latest.delete(JsValue::from_str(parent)))
            ),
        )?;
        Ok(())
    }
}

/// Works out the latest entries' writes for `touched` (records about to be written, or just
/// written, in the caller's transaction, which holds `records` and `latest`), from `reads`
/// (see [`LatestReads::read`]; what they lack is read here).
pub async fn plan_children(
    records: &rexie::Store,
    latest: &rexie::Store,
    touched: &[Touched],
    mut reads: LatestReads,
) -> Result<LatestWrites, StoreError> {
    reads.complete(latest, touched).await?;
    let mut again: BTreeSet<String> = BTreeSet::new();
    let mut puts: Vec<Latest> = Vec::new();
    for item in touched {
        let named = reads.named_by_child.get(&item.child);
        // Where this child was the latest, and is now gone, elsewhere or earlier: that
        // parent's latest must be found again.
        if let Some(named) = named {
            let still = item
                .placed
                .as_ref()
                .is_some_and(|p| p.parent == named.parent && p.at >= named.at);
            if !still {
                again.insert(named.parent.clone());
            }
        }
        let Some(placed) = &item.placed else {
            continue;
        };
        // A later entry made in this same call counts as the current one.
        let current = puts
            .iter()
            .rev()
            .find(|l| l.parent == placed.parent)
            .map(|l| (l.child.as_str(), l.at))
            .or_else(|| {
                reads
                    .current_by_parent
                    .get(&placed.parent)
                    .and_then(Option::as_ref)
                    .map(|c| (c.child.as_str(), c.at))
            });
        let newer = current.is_none_or(|(child, when)| {
            when < placed.at || (child == item.child && when <= placed.at)
        });
        if newer {
            again.remove(&placed.parent);
            puts.push(placed.entry(&item.child));
        }
    }
    let mut writes = LatestWrites::default();
    for entry in &puts {
        writes.puts.push(to_js(entry)?);
    }
    let again: Vec<String> = again.into_iter().collect();
    let found = futures::future::try_join_all(
        again
            .iter()
            .map(|parent| recompute(records, parent, touched)),
    )
    .await?;
    for (parent, best) in again.into_iter().zip(found) {
        match best {
            Some(entry) => writes.puts.push(to_js(&entry)?),
            None => writes.deletes.push(parent),
        }
    }
    Ok(writes)
}

/// Brings the latest entries up to date with `touched`, inside the caller's transaction
/// (which holds `records` and `latest`): reads, works out, writes.
pub async fn note_children(
    records: &rexie::Store,
    latest: &rexie::Store,
    touched: Vec<Touched>,
) -> Result<(), StoreError> {
    if touched.is_empty() {
        return Ok(());
    }
    let children: Vec<&str> = touched.iter().map(|t| t.child.as_str()).collect();
    let reads = LatestReads::read(latest, &children, parents_of(&touched)).await?;
    plan_children(records, latest, &touched, reads)
        .await?
        .write(latest)
        .await
}

/// The parents `touched` places children under.
pub fn parents_of(touched: &[Touched]) -> BTreeSet<&str> {
    touched
        .iter()
        .filter_map(|t| t.placed.as_ref().map(|p| p.parent.as_str()))
        .collect()
}

/// A parent's latest child worked out again from all its children, as `touched` leaves them
/// (whether or not they are written yet).
async fn recompute(
    records: &rexie::Store,
    parent: &str,
    touched: &[Touched],
) -> Result<Option<Latest>, StoreError> {
    let stored = records
        .index("by_parent")?
        .get_all(Some(only(&JsValue::from_str(parent))?), None)
        .await?;
    let mut best: Option<Latest> = None;
    let mut consider = |entry: Latest| {
        if best.as_ref().is_none_or(|b| b.at < entry.at) {
            best = Some(entry);
        }
    };
    for value in stored {
        let child: LocalRecord = from_js(value)?;
        if touched.iter().any(|t| t.child == child.id) {
            continue;
        }
        if let Some(at) = occurred(child.kind, child.view.as_ref()) {
            consider(Latest {
                parent: parent.to_owned(),
                child: child.id,
                kind: child.kind,
                at,
                view: child.view.unwrap_or(Value::Null),
            });
        }
    }
    for item in touched {
        if let Some(placed) = item.placed.as_ref().filter(|p| p.parent == parent) {
            consider(placed.entry(&item.child));
        }
    }
    Ok(best)
}

impl Store {
    /// Every parent's latest child (a resident's last visit), in one read.
    pub async fn latest_children(&self) -> Result<Vec<Latest>, StoreError> {
        self.all_values(LATEST)
            .await?
            .into_iter()
            .map(from_js)
            .collect()
    }

    /// Works every latest entry out from the records (an upgrade to a schema that has them).
    pub(super) async fn rebuild_latest(
        records: &rexie::Store,
        latest: &rexie::Store,
    ) -> Result<(), StoreError> {
        // Every record is read once; each parent keeps its latest child.
        let mut best: BTreeMap<String, Latest> = BTreeMap::new();
        for value in records.get_all(None, None).await? {
            let record: LocalRecord = from_js(value)?;
            let touched = Touched::of(&record);
            if let Some(placed) = touched.placed {
                if best.get(&placed.parent).is_none_or(|b| b.at < placed.at) {
                    best.insert(placed.parent.clone(), placed.entry(&touched.child));
                }
            }
        }
        let mut writes = LatestWrites::default();
        for entry in best.values() {
            writes.puts.push(to_js(entry)?);
        }
        writes.write(latest).await
    }
}
