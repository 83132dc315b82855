//! The newest version wins whole: for events that only their author corrects (a visit).
//! The state is that version's change; an older version arriving late changes nothing.

use crate::hlc::Hlc;
use crate::kinds::KindBody;
use crate::merge::{Conflict, Merge, Strategy};
use crate::record::Change;

/// See the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct Newest;

impl<B: KindBody + Clone> Merge<B> for Newest {
    const STRATEGY: Strategy = Strategy::Newest;
    type State = Box<Change>;

    fn apply(state: &mut Option<Self::State>, change: &Change, _body: &B) -> Vec<Conflict> {
        if state
            .as_ref()
            .is_none_or(|current| change.stamp > current.stamp)
        {
            *state = Some(Box::new(change.clone()));
        }
        Vec::new()
    }

    fn is_deleted(state: &Self::State) -> bool {
        state.deleted
    }

    fn newest_stamp(state: &Self::State) -> Option<Hlc> {
        Some(state.stamp)
    }

    fn current(state: &Self::State) -> Option<B> {
        B::from_body(&state.body).cloned()
    }
}
