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

/// When a record's view says it happened, if it is live.
fn occurred(kind: RecordKind, view: Option<&Value>) -> Option<f64> {
    let state = State::from_json(kind, view?.clone()).ok()?;
    if state.is_deleted() {
        return None;
    }
    state.current()?.occurred_at().map(|ms| ms as f64)
}

impl Touched {
    pub fn of(record: &LocalRecord) -> Self {
        let placed = record
            .parent_id
            .clone()
            .zip(occurred(record.kind, record.view.as_ref()))
            .map(|(parent, at)| Placed {
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

/// Brings the latest entries up to date with `touched`, inside the caller's transaction
/// (which holds `records` and `latest`, written before this is called).
pub async fn note_children(
    records: &rexie::Store,
    latest: &rexie::Store,
    touched: Vec<Touched>,
) -> Result<(), StoreError> {
    if touched.is_empty() {
        return Ok(());
    }
    // Two kinds of reads, all at once: the entries naming a touched child, and each new
    // parent's entry. The first is one range read over the index of children (ids are
    // UUIDv7, so a page's children are close together and few entries fall in between);
    // the second, one read per distinct parent. Only where and when is decoded, not views.
    // (One read per child and per parent, two per record, took 1 s of a 10,000-record pull.)
    let mut children: Vec<&str> = touched.iter().map(|t| t.child.as_str()).collect();
    children.sort_unstable();
    let (Some(first), Some(last)) = (children.first(), children.last()) else {
        return Ok(());
    };
    let range = rexie::KeyRange::bound(
        &JsValue::from_str(first),
        &JsValue::from_str(last),
        Some(false),
        Some(false),
    )
    .map_err(rexie::Error::from)?;
    let by_child = latest.index("by_child")?;
    let parents: BTreeSet<&str> = touched
        .iter()
        .filter_map(|t| t.placed.as_ref().map(|p| p.parent.as_str()))
        .collect();
    let (named, current) = futures::join!(
        by_child.get_all(Some(range), None),
        futures::future::try_join_all(
            parents
                .iter()
                .map(|parent| latest.get(JsValue::from_str(parent)))
        ),
    );
    let mut named_by_child: BTreeMap<String, Placement> = BTreeMap::new();
    for value in named? {
        let entry: Placement = from_js(value)?;
        if children.binary_search(&entry.child.as_str()).is_ok() {
            named_by_child.insert(entry.child.clone(), entry);
        }
    }
    let mut current_by_parent: BTreeMap<String, Placement> = BTreeMap::new();
    for value in current?.into_iter().flatten() {
        let entry: Placement = from_js(value)?;
        current_by_parent.insert(entry.parent.clone(), entry);
    }
    let mut again: BTreeSet<String> = BTreeSet::new();
    let mut puts: Vec<(String, Latest)> = Vec::new();
    for item in touched {
        let named = named_by_child.get(&item.child);
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
        let Some(Placed {
            parent,
            at,
            kind,
            view,
        }) = item.placed
        else {
            continue;
        };
        // A later entry made in this same call counts as the current one.
        let current = puts
            .iter()
            .rev()
            .find(|(p, _)| *p == parent)
            .map(|(_, l)| (l.child.as_str(), l.at))
            .or_else(|| {
                current_by_parent
                    .get(&parent)
                    .map(|c| (c.child.as_str(), c.at))
            });
        let newer =
            current.is_none_or(|(child, when)| when < at || (child == item.child && when <= at));
        if newer {
            again.remove(&parent);
            puts.push((
                parent.clone(),
                Latest {
                    parent,
                    child: item.child,
                    kind,
                    at,
                    view,
                },
            ));
        }
    }
    for (_, entry) in &puts {
        latest.put(&to_js(entry)?, None).await?;
    }
    for parent in again {
        recompute(records, latest, &parent).await?;
    }
    Ok(())
}

/// Works a parent's latest child out again from all its children.
async fn recompute(
    records: &rexie::Store,
    latest: &rexie::Store,
    parent: &str,
) -> Result<(), StoreError> {
    let children = records
        .index("by_parent")?
        .get_all(Some(only(&JsValue::from_str(parent))?), None)
        .await?;
    let mut best: Option<Latest> = None;
    for value in children {
        let child: LocalRecord = from_js(value)?;
        if let Some(at) = occurred(child.kind, child.view.as_ref()) {
            if best.as_ref().is_none_or(|b| b.at < at) {
                best = Some(Latest {
                    parent: parent.to_owned(),
                    child: child.id,
                    kind: child.kind,
                    at,
                    view: child.view.unwrap_or(Value::Null),
                });
            }
        }
    }
    match best {
        Some(entry) => {
            latest.put(&to_js(&entry)?, None).await?;
        }
        None => latest.delete(JsValue::from_str(parent)).await?,
    }
    Ok(())
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
        let mut parents: BTreeSet<String> = BTreeSet::new();
        for value in records.get_all(None, None).await? {
            let record: LocalRecord = from_js(value)?;
            if let Some(parent) = record.parent_id {
                parents.insert(parent);
            }
        }
        for parent in parents {
            recompute(records, latest, &parent).await?;
        }
        Ok(())
    }
}
