//! How the versions of a record combine. Each strategy is written once, and the same code
//! decides on the server (`sync::apply`) and in the phone's view of its unsent changes
//! (`sync::replica`). A kind picks one in its file (`kinds::`).
//!
//! - [`FieldLww`]: per-field last-writer-wins by clock stamp, losing writes kept as
//!   conflicts (mutable things several people edit: a resident's profile, a salon).
//! - [`Newest`]: the version with the newest stamp wins whole (events corrected by their
//!   author: a visit). A set of marks that merge one by one (two phones' attendance ticks)
//!   is a keyed map of a [`FieldLww`] patch ([`LwwPatch::KEYED`]).

pub mod lww;
pub mod newest;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::hlc::Hlc;
use crate::record::Change;

pub use lww::{value_text, Conflict, FieldLww, LwwPatch, LwwRecord, Stamped, DELETED_FIELD};
pub use newest::Newest;

/// Which strategy a kind uses: for code that must treat each strategy differently (the
/// simulation's oracle of what a phone shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    FieldLww,
    Newest,
}

/// A way versions combine, for records whose changes carry bodies of type `B`.
pub trait Merge<B> {
    const STRATEGY: Strategy;

    /// What the server keeps and sends for a record.
    type State: Clone + PartialEq + Eq + fmt::Debug + Serialize + DeserializeOwned;

    /// What one change (its envelope and its body) does to the state (`None`: the record is
    /// new here). Returns the conflicts it added. Applying a change twice is applying it once.
    fn apply(state: &mut Option<Self::State>, change: &Change, body: &B) -> Vec<Conflict>;

    fn is_deleted(state: &Self::State) -> bool;

    /// The newest stamp in the state: what an editor of it has "seen".
    fn newest_stamp(state: &Self::State) -> Option<Hlc>;

    /// The current values as a body: what screens show and what the parent is read from.
    fn current(state: &Self::State) -> Option<B>;
}
