//! Per-field last-writer-wins: for mutable records several people edit offline (the SC and
//! the assigned volunteers editing a resident). Each field keeps the write with the larger
//! clock stamp, and a write that loses to one its author never saw is kept as a
//! [`Conflict`] for the SC to look at.
//!
//! A patch may name maps whose entries merge one by one ([`LwwPatch::KEYED`]): two phones
//! ticking different members present, or setting exceptions for different dates, both keep
//! their writes. Each entry is stored as the field `map.key`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hlc::Hlc;
use crate::merge::{Merge, Strategy};
use crate::record::Change;

/// One field's current value and the stamp of the write that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped {
    pub value: Value,
    pub stamp: Hlc,
}

impl Stamped {
    /// The total order writes are decided by: stamp, then (for the impossible case of two
    /// different values with one stamp) the value's text, so every replica picks the same.
    fn beats(&self, other: &Self) -> bool {
        (self.stamp, self.value.to_string()) > (other.stamp, other.value.to_string())
    }
}

/// A mutable record's merged state: every field with its winning write, the deletion flag
/// as one more field, and the conflicts seen so far. Last-writer-wins per field plus a
/// union of conflicts: a join semilattice, so replicas agree whatever the order of merges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LwwRecord {
    pub fields: BTreeMap<String, Stamped>,
    /// Keyed by field and losing stamp, so a re-delivered losing write is one conflict.
    #[serde(default)]
    pub conflicts: BTreeMap<String, Conflict>,
}

/// The field name under which deletion is merged like any other field.
pub const DELETED_FIELD: &str = "_deleted";

/// A write that lost to a concurrent one: kept for the SC, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    pub losing: Stamped,
    pub winning: Stamped,
}

impl Conflict {
    fn key(&self) -> String {
        format!("{}@{}", self.field, self.losing.stamp)
    }
}

impl LwwRecord {
    /// Merges another replica's state into this one. Commutative, associative, idempotent.
    pub fn merge(&mut self, other: &Self) {
        for (field, theirs) in &other.fields {
            match self.fields.get(field) {
                Some(ours) if !theirs.beats(ours) => {}
                _ => {
                    self.fields.insert(field.clone(), theirs.clone());
                }
            }
        }
        for (key, theirs) in &other.conflicts {
            match self.conflicts.get(key) {
                // The same losing write recorded against different winners: keep the one
                // against the stronger winner, which every replica will also pick.
                Some(ours) if !theirs.winning.beats(&ours.winning) => {}
                _ => {
                    self.conflicts.insert(key.clone(), theirs.clone());
                }
            }
        }
    }

    /// Applies one change's field writes at `stamp`. `base` is the newest stamp its author
    /// had seen: where the other side of a decided field was written after `base`, the two
    /// writes were concurrent and the loser is kept as a conflict. Returns the conflicts
    /// this change added (none when it was applied before).
    pub fn apply(
        &mut self,
        writes: BTreeMap<String, Value>,
        stamp: Hlc,
        base: Option<Hlc>,
    ) -> Vec<Conflict> {
        let mut conflicts = Vec::new();
        for (field, value) in writes {
            let incoming = Stamped { value, stamp };
            match self.fields.get(&field) {
                None => {
                    self.fields.insert(field, incoming);
                }
                Some(current) if current == &incoming => {}
                Some(current) => {
                    let concurrent = base.is_none_or(|seen| current.stamp > seen);
                    let (winner, loser) = if incoming.beats(current) {
                        (incoming, current.clone())
                    } else {
                        (current.clone(), incoming)
                    };
                    if concurrent && winner.value != loser.value {
                        let conflict = Conflict {
                            field: field.clone(),
                            losing: loser,
                            winning: winner.clone(),
                        };
                        if let std::collections::btree_map::Entry::Vacant(slot) =
                            self.conflicts.entry(conflict.key())
                        {
                            slot.insert(conflict.clone());
                            conflicts.push(conflict);
                        }
                    }
                    self.fields.insert(field, winner);
                }
            }
        }
        conflicts
    }

    pub fn is_deleted(&self) -> bool {
        self.fields
            .get(DELETED_FIELD)
            .is_some_and(|f| f.value == Value::Bool(true))
    }

    /// The newest stamp of any field: what an editor of this state has "seen".
    pub fn newest_stamp(&self) -> Option<Hlc> {
        self.fields.values().map(|f| f.stamp).max()
    }

    /// A field's current value as text ("" when unset).
    pub fn text(&self, field: &str) -> String {
        self.fields
            .get(field)
            .map(|f| value_text(&f.value))
            .unwrap_or_default()
    }

    /// The kept conflicts, newest losing write first (what the SC looks at).
    pub fn conflicts_newest_first(&self) -> Vec<&Conflict> {
        let mut conflicts: Vec<&Conflict> = self.conflicts.values().collect();
        crate::order::sort_by_key(&mut conflicts, |c| std::cmp::Reverse(c.losing.stamp));
        conflicts
    }

    /// The current values as a body of type `B`, keyed maps gathered again. Fields and
    /// entries `B` does not know (written by a newer app) are left out rather than failing
    /// the whole record.
    pub fn current<B: DeserializeOwned + LwwPatch>(&self) -> Option<B> {
        let mut known = serde_json::Map::new();
        for (name, field) in &self.fields {
            if name == DELETED_FIELD {
                continue;
            }
            let (name, value) = match keyed_entry::<B>(name) {
                Some((map, key)) => (map, json_object(key.to_owned(), field.value.clone())),
                None => (name.as_str(), field.value.clone()),
            };
            let single = json_object(name.to_owned(), value.clone());
            if serde_json::from_value::<B>(single).is_err() {
                continue;
            }
            match (known.get_mut(name), value) {
                (Some(Value::Object(entries)), Value::Object(more)) => entries.extend(more),
                (_, value) => {
                    known.insert(name.to_owned(), value);
                }
            }
        }
        serde_json::from_value(Value::Object(known)).ok()
    }
}

/// A stored value as a person reads it: text as written, anything else compactly.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Bool(true) => "はい".to_owned(),
        Value::Bool(false) => "いいえ".to_owned(),
        other => other.to_string(),
    }
}

/// A body [`FieldLww`] merges: every field optional, absent meaning "unchanged".
pub trait LwwPatch {
    /// The fields that are maps whose entries merge one by one (absent entries unchanged).
    const KEYED: &'static [&'static str] = &[];
}

/// `map.key` split, when `map` is one of `B`'s keyed maps.
fn keyed_entry<B: LwwPatch>(name: &str) -> Option<(&str, &str)> {
    let (map, key) = name.split_once('.')?;
    B::KEYED.contains(&map).then_some((map, key))
}

fn json_object(name: String, value: Value) -> Value {
    // Inserted, not collected: a collect sorts first (a copy of the sort in the wasm).
    let mut object = serde_json::Map::new();
    object.insert(name, value);
    Value::Object(object)
}

/// The field writes of a body whose fields are optional (absent: left as it is); a keyed
/// map's entries are written one by one.
pub fn field_writes<B: Serialize + LwwPatch>(body: &B) -> BTreeMap<String, Value> {
    let Ok(Value::Object(map)) = serde_json::to_value(body) else {
        return BTreeMap::new();
    };
    let mut writes = BTreeMap::new();
    for (name, value) in map {
        match value {
            Value::Object(entries) if B::KEYED.contains(&name.as_str()) => {
                for (key, entry) in entries {
                    writes.insert(format!("{name}.{key}"), entry);
                }
            }
            value => {
                writes.insert(name, value);
            }
        }
    }
    writes
}

/// Per-field last-writer-wins, for bodies that are patches: every field optional, absent
/// meaning "unchanged" (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct FieldLww;

impl<B: Serialize + DeserializeOwned + LwwPatch> Merge<B> for FieldLww {
    const STRATEGY: Strategy = Strategy::FieldLww;
    type State = LwwRecord;

    fn apply(state: &mut Option<Self::State>, change: &Change, body: &B) -> Vec<Conflict> {
        let mut writes = field_writes(body);
        if change.deleted {
            writes.insert(DELETED_FIELD.to_owned(), Value::Bool(true));
        }
        state
            .get_or_insert_with(LwwRecord::default)
            .apply(writes, change.stamp, change.base)
    }

    fn is_deleted(state: &Self::State) -> bool {
        state.is_deleted()
    }

    fn newest_stamp(state: &Self::State) -> Option<Hlc> {
        state.newest_stamp()
    }

    fn current(state: &Self::State) -> Option<B> {
        state.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{prop_assert, prop_assert_eq, prop_oneof, proptest, Just};
    use proptest::strategy::Strategy;
    use serde_json::json;

    fn stamp(wall_ms: u64, node: u64) -> Hlc {
        Hlc {
            wall_ms,
            counter: 0,
            node,
        }
    }

    fn writes(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn the_later_write_wins_per_field_and_others_are_kept() {
        let mut record = LwwRecord::default();
        record.apply(
            writes(&[
                ("name", json!("高崎 花子")),
                ("phone", json!("027-000-0000")),
            ]),
            stamp(1, 1),
            None,
        );
        record.apply(
            writes(&[("phone", json!("090-1111-2222"))]),
            stamp(2, 2),
            Some(stamp(1, 1)),
        );
        assert_eq!(record.text("name"), "高崎 花子");
        assert_eq!(record.text("phone"), "090-1111-2222");
        assert_eq!(record.newest_stamp(), Some(stamp(2, 2)));
    }

    #[test]
    fn concurrent_edits_keep_the_loser_as_a_conflict() {
        let mut record = LwwRecord::default();
        record.apply(writes(&[("address", json!("乗附町1"))]), stamp(1, 1), None);
        // The SC and a volunteer both edit offline, both having seen version 1.
        let sc = record.apply(
            writes(&[("address", json!("乗附町2"))]),
            stamp(5, 2),
            Some(stamp(1, 1)),
        );
        assert!(sc.is_empty(), "the SC saw the value they replaced");
        let volunteer = record.apply(
            writes(&[("address", json!("乗附町3"))]),
            stamp(3, 3),
            Some(stamp(1, 1)),
        );
        assert_eq!(volunteer.len(), 1);
        assert_eq!(volunteer[0].losing.value, json!("乗附町3"));
        assert_eq!(volunteer[0].winning.value, json!("乗附町2"));
        assert_eq!(record.text("address"), "乗附町2");
        assert_eq!(record.conflicts_newest_first().len(), 1);
    }

    #[test]
    fn deletion_is_a_field_and_can_be_undone_by_a_later_write() {
        let mut record = LwwRecord::default();
        record.apply(writes(&[(DELETED_FIELD, json!(true))]), stamp(2, 1), None);
        assert!(record.is_deleted());
        record.apply(
            writes(&[(DELETED_FIELD, json!(false))]),
            stamp(3, 1),
            Some(stamp(2, 1)),
        );
        assert!(!record.is_deleted());
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        present: BTreeMap<String, bool>,
    }

    impl LwwPatch for Patch {
        const KEYED: &'static [&'static str] = &["present"];
    }

    fn ticks(pairs: &[(&str, bool)]) -> Patch {
        Patch {
            present: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ..Patch::default()
        }
    }

    #[test]
    fn keyed_entries_merge_one_by_one() {
        // Two phones, offline, each ticking the members they saw come in.
        let mut record = LwwRecord::default();
        let first = record.apply(
            field_writes(&ticks(&[("a", true), ("b", true)])),
            stamp(5, 1),
            None,
        );
        let second = record.apply(
            field_writes(&ticks(&[("c", true), ("b", false)])),
            stamp(3, 2),
            None,
        );
        assert!(first.is_empty());
        assert_eq!(
            second.len(),
            1,
            "only the member both changed is a conflict"
        );
        assert_eq!(
            record.current::<Patch>(),
            Some(ticks(&[("a", true), ("b", true), ("c", true)]))
        );
        assert!(record.fields.contains_key("present.c"));
    }

    #[test]
    fn unknown_keyed_entries_and_fields_are_skipped_not_fatal() {
        let mut record = LwwRecord::default();
        record.apply(
            writes(&[
                ("present.a", json!(true)),
                ("present.b", json!("not a bool")),
                ("name", json!("体操")),
            ]),
            stamp(1, 1),
            None,
        );
        let mut expected = ticks(&[("a", true)]);
        expected.name = Some("体操".into());
        assert_eq!(record.current::<Patch>(), Some(expected));
    }

    #[test]
    fn the_current_values_skip_fields_a_newer_app_wrote() {
        let mut record = LwwRecord::default();
        record.apply(
            writes(&[
                ("name", json!("花子")),
                ("diagnosis_free_field", json!("x")),
            ]),
            stamp(1, 1),
            None,
        );
        assert_eq!(
            record.current::<Patch>(),
            Some(Patch {
                name: Some("花子".into()),
                ..Patch::default()
            })
        );
    }

    fn any_record() -> impl Strategy<Value = LwwRecord> {
        let field = prop_oneof![
            Just("name"),
            Just("phone"),
            Just("note"),
            Just(DELETED_FIELD)
        ];
        let write = (field, 0u8..4, 0u64..6, 0u32..2, 0u64..3).prop_map(|(f, v, w, c, n)| {
            (
                f.to_owned(),
                Stamped {
                    value: json!(v),
                    stamp: Hlc {
                        wall_ms: w,
                        counter: c,
                        node: n,
                    },
                },
            )
        });
        proptest::collection::vec(write, 0..6).prop_map(|writes| {
            let mut record = LwwRecord::default();
            for (field, stamped) in writes {
                // Through apply, so that generated states carry conflicts too.
                let base = Some(Hlc {
                    wall_ms: stamped.stamp.wall_ms / 2,
                    counter: 0,
                    node: 0,
                });
                record.apply(
                    [(field, stamped.value)].into_iter().collect(),
                    stamped.stamp,
                    base,
                );
            }
            record
        })
    }

    fn merged(a: &LwwRecord, b: &LwwRecord) -> LwwRecord {
        let mut out = a.clone();
        out.merge(b);
        out
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in any_record(), b in any_record()) {
            prop_assert_eq!(merged(&a, &b), merged(&b, &a));
        }

        #[test]
        fn merge_is_associative(a in any_record(), b in any_record(), c in any_record()) {
            prop_assert_eq!(merged(&merged(&a, &b), &c), merged(&a, &merged(&b, &c)));
        }

        #[test]
        fn merge_is_idempotent(a in any_record(), b in any_record()) {
            prop_assert_eq!(merged(&a, &a), a.clone());
            prop_assert_eq!(merged(&merged(&a, &b), &b), merged(&a, &b));
        }

        #[test]
        fn applying_a_change_twice_equals_applying_it_once(
            start in any_record(),
            value in 0u8..4,
            wall in 0u64..6,
        ) {
            let change = writes(&[("name", json!(value)), ("note", json!(value))]);
            let at = Hlc { wall_ms: wall, counter: 0, node: 9 };
            let mut once = start.clone();
            once.apply(change.clone(), at, None);
            let mut twice = once.clone();
            let again = twice.apply(change, at, None);
            prop_assert_eq!(&once, &twice);
            prop_assert!(again.is_empty(), "a repeated change is no conflict");
        }

        #[test]
        fn apply_agrees_with_merge(start in any_record(), value in 0u8..4, wall in 0u64..6) {
            let at = Hlc { wall_ms: wall, counter: 1, node: 9 };
            let mut applied = start.clone();
            applied.apply(writes(&[("phone", json!(value))]), at, None);
            let single = LwwRecord {
                fields: [("phone".to_owned(), Stamped { value: json!(value), stamp: at })].into_iter().collect(),
                conflicts: BTreeMap::new(),
            };
            prop_assert_eq!(applied.fields, merged(&start, &single).fields);
        }
    }
}
