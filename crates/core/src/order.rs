//! One stable sort for every list the app orders. Each use of the standard library's sort
//! with its own element type and comparison is compiled into its own copy of the sorting
//! code (about 5 KB of wasm each); sorting positions through one shared, non-generic sort
//! keeps a single copy, and each list pays only for putting its items in the order found.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, keeping equal items in their order (like `sort_by`).
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &|a, b| compare(&items[a], &items[b]));
    let mut taken: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// Sorts `items` by the key `key` gives (like `sort_by_key`).
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// A map of `items`, later keys replacing earlier ones (like `collect`). The standard
/// `collect` into a map or set sorts its items first, with its own copy of the stable sort
/// for every element type (about 7 KB of wasm each); inserting one by one needs none.
pub fn map_of<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in items {
        map.insert(key, value);
    }
    map
}

/// A set of `items` (like `collect`; see [`map_of`]).
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// Whether two of `items` are equal (short lists: no set, no sort).
pub fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, item)| items[i + 1..].contains(item))
}

/// The one copy of the sort.
#[inline(never)]
fn sort_positions(order: &mut [usize], compare: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|a, b| compare(*a, *b));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn maps_and_sets_are_what_collect_makes(
            items in proptest::collection::vec((0u8..6, any::<u16>()), 0..30)
        ) {
            let expected: std::collections::BTreeMap<u8, u16> = items.iter().copied().collect();
            prop_assert_eq!(super::map_of(items.iter().copied()), expected);
            let keys: Vec<u8> = items.iter().map(|(k, _)| *k).collect();
            let set: std::collections::BTreeSet<u8> = keys.iter().copied().collect();
            prop_assert_eq!(super::set_of(keys.iter().copied()), set.clone());
            prop_assert_eq!(super::has_duplicates(&keys), set.len() != keys.len());
        }

        #[test]
        fn it_sorts_exactly_as_the_standard_stable_sort(
            items in proptest::collection::vec((0u8..5, any::<u16>()), 0..60)
        ) {
            let mut expected = items.clone();
            expected.sort_by_key(|(k, _)| *k);
            let mut ours = items;
            super::sort_by_key(&mut ours, |(k, _)| *k);
            prop_assert_eq!(ours, expected);
        }
    }
}
