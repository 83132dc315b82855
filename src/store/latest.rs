//! Each record's latest child of a kind that says when it happened (a resident's last
//! visit), kept as records are written, so that the 見守りリスト reads one small entry per
//! resident instead of every visit on the phone (20,000 on a coordinator's).
//!
//! Kept in the same transaction as the records it follows: a child written with a later
//! time replaces its parent's entry; a child removed, moved to another parent, or moved
//! earlier makes its old parent's entry be worked out again from that parent's children.

use std::collections::{BTreeMap, BTreeSet};

use mimamori_core::record::RecordKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::records::{placement, LocalRecord};
use super::requests::{self, Request};
use super::{between, from_js, only, to_js, Store, StoreError};

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
    placement(kind, view?).1
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
    /// The entries of the parents read that have one.
    current_by_parent: BTreeMap<String, Placement>,
    /// Every parent read (few: a list).
    parents_read: Vec<String>,
}

impl LatestReads {
    /// Reads, all at once, the entries naming any of `children` and those of `parents`.
    pub async fn read(
        latest: &rexie::Store,
        children: &[&str],
        parents: BTreeSet<&str>,
    ) -> Result<Self, StoreError> {
        let mut reads = Self::default();
        reads.read_more(latest, children, parents).await?;
        Ok(reads)
    }

    async fn read_more(
        &mut self,
        latest: &rexie::Store,
        children: &[&str],
        parents: BTreeSet<&str>,
    ) -> Result<(), StoreError> {
        let ask = LatestAsk::new(children, parents);
        let answers = requests::all(ask.requests(latest)?).await?;
        ask.read_into(&mut answers.into_iter(), self)
    }

    /// What `touched` needs that is not read yet (a parent a record moved to, unknown
    /// before the record was worked out), read now.
    async fn complete(
        &mut self,
        latest: &rexie::Store,
        touched: &[Touched],
    ) -> Result<(), StoreError> {
        let mut missing = parents_of(touched);
        missing.retain(|parent| !self.parents_read.iter().any(|read| read == parent));
        if !missing.is_empty() {
            self.read_more(latest, &[], missing).await?;
        }
        Ok(())
    }
}

/// The latest entries a write must read first, asked with its other reads: one range read
/// over the index of children (ids are UUIDv7, so a page's children are close together
/// and few entries fall in between), and one read per parent. Only where and when is
/// decoded, not views. (One read per child and per parent, two per record, took 1 s of a
/// 10,000-record pull.)
pub struct LatestAsk {
    /// Sorted.
    children: Vec<String>,
    parents: Vec<String>,
}

impl LatestAsk {
    pub fn new(children: &[&str], parents: BTreeSet<&str>) -> Self {
        let mut children: Vec<String> = children.iter().map(|c| (*c).to_owned()).collect();
        mimamori_core::order::sort_by(&mut children, |a, b| a.cmp(b));
        Self {
            children,
            parents: parents.into_iter().map(str::to_owned).collect(),
        }
    }

    /// The requests to issue, in the order [`LatestAsk::read`] takes their answers.
    pub fn requests<'a>(&self, latest: &'a rexie::Store) -> Result<Vec<Request<'a>>, StoreError> {
        let mut asked = Vec::with_capacity(self.parents.len() + 1);
        if let (Some(first), Some(last)) = (self.children.first(), self.children.last()) {
            asked.push(requests::get_all(
                latest.index("by_child")?,
                between(first, last)?,
            ));
        }
        for parent in &self.parents {
            asked.push(requests::get(latest, parent));
        }
        Ok(asked)
    }

    /// Reads the answers to [`LatestAsk::requests`], taking as many from `answers`.
    pub fn read(
        self,
        answers: &mut impl Iterator<Item = JsValue>,
    ) -> Result<LatestReads, StoreError> {
        let mut reads = LatestReads::default();
        self.read_into(answers, &mut reads)?;
        Ok(reads)
    }

    fn read_into(
        self,
        answers: &mut impl Iterator<Item = JsValue>,
        reads: &mut LatestReads,
    ) -> Result<(), StoreError> {
        if !self.children.is_empty() {
            for value in requests::values(&answers.next().unwrap_or_default()) {
                let entry: Placement = from_js(value)?;
                if self.children.binary_search(&entry.child).is_ok() {
                    reads.named_by_child.insert(entry.child.clone(), entry);
                }
            }
        }
        for parent in self.parents {
            if let Some(value) = answers.next().filter(|v| !v.is_undefined()) {
                reads
                    .current_by_parent
                    .insert(parent.clone(), from_js(value)?);
            }
            reads.parents_read.push(parent);
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
    /// Their requests, to issue with the caller's other writes.
    pub fn requests(self, latest: &rexie::Store) -> impl Iterator<Item = Request<'_>> {
        let puts = self
            .puts
            .into_iter()
            .map(move |entry| requests::put(latest, entry, None));
        let deletes = self
            .deletes
            .into_iter()
            .map(move |parent| requests::delete(latest, JsValue::from_str(&parent)));
        puts.chain(deletes)
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
    let mut asked = Vec::with_capacity(again.len());
    for parent in &again {
        let range = only(&JsValue::from_str(parent))?;
        asked.push(requests::get_all(records.index("by_parent")?, range));
    }
    let children = requests::all(asked).await?;
    for (parent, children) in again.into_iter().zip(children) {
        match latest_of(&parent, requests::values(&children), touched)? {
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
    let writes = plan_children(records, latest, &touched, reads).await?;
    requests::all(writes.requests(latest).collect()).await?;
    Ok(())
}

/// The parents `touched` places children under.
pub fn parents_of(touched: &[Touched]) -> BTreeSet<&str> {
    touched
        .iter()
        .filter_map(|t| t.placed.as_ref().map(|p| p.parent.as_str()))
        .collect()
}

/// A parent's latest child worked out again from its `stored` children, as `touched`
/// leaves them (whether or not they are written yet).
fn latest_of(
    parent: &str,
    stored: impl Iterator<Item = JsValue>,
    touched: &[Touched],
) -> Result<Option<Latest>, StoreError> {
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
        requests::all(writes.requests(latest).collect()).await?;
        Ok(())
    }
}
