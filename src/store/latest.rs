//! Each record's latest child of a kind that says when it happened (a resident's last
//! visit), kept as records are written, so that the 見守りリスト reads one small entry per
//! resident instead of every visit on the phone (20,000 on a coordinator's).
//!
//! Kept in the same transaction as the records it follows: a child written with a later
//! time replaces its parent's entry; a child removed, moved to another parent, or moved
//! earlier makes its old parent's entry be worked out again from that parent's children.

use std::collections::BTreeSet;

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
    let by_child = latest.index("by_child")?;
    // Every read at once: the entry naming each child, and each new parent's entry.
    let mut keys = Vec::with_capacity(touched.len() * 2);
    for item in &touched {
        let parent = item.placed.as_ref().map_or("", |p| p.parent.as_str());
        keys.push((true, only(&JsValue::from_str(&item.child))?));
        keys.push((false, only(&JsValue::from_str(parent))?));
    }
    let by_child = &by_child;
    let reads = keys.into_iter().map(|(named, key)| async move {
        if named {
            by_child.get_all(Some(key), Some(1)).await
        } else {
            latest.get_all(Some(key), Some(1)).await
        }
    });
    let mut answers = futures::future::try_join_all(reads).await?.into_iter();
    let mut again: BTreeSet<String> = BTreeSet::new();
    let mut puts: Vec<(String, Latest)> = Vec::new();
    for item in touched {
        let (Some(named), Some(current)) = (answers.next(), answers.next()) else {
            break;
        };
        let named: Option<Latest> = named.into_iter().next().map(from_js).transpose()?;
        let current: Option<Latest> = current.into_iter().next().map(from_js).transpose()?;
        // Where this child was the latest, and is now gone, elsewhere or earlier: that
        // parent's latest must be found again.
        if let Some(named) = &named {
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
            .map(|(_, l)| l.clone())
            .or(current);
        let newer = current
            .as_ref()
            .is_none_or(|c| c.at < at || (c.child == item.child && c.at <= at));
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
