//! 見守り: the residents this phone holds, registering and correcting one, a resident's
//! page with their visits, logging a visit, and correcting refused ones.

mod conflicts;
mod edit;
mod list;
mod queries;
mod register;
mod resident;
mod visit_form;

pub use edit::ResidentEditPage;
pub use list::WatchPage;
pub use register::{NewResidentPage, ResidentCorrection};
pub use resident::ResidentPage;
pub use visit_form::VisitCorrection;

use mimamori_core::kinds::{ResidentPatch, VisitBody};

use crate::text;

/// A resident change in a few words (the quarantine's line).
pub fn resident_summary(patch: &ResidentPatch) -> String {
    format!(
        "{}: {}",
        text::RESIDENT_NAME,
        patch.name.clone().unwrap_or_default()
    )
}

/// A visit in a few words (the quarantine's line).
pub fn visit_summary(visit: &VisitBody) -> String {
    let note = if visit.note.is_empty() {
        String::new()
    } else {
        format!("「{}」", visit.note)
    };
    format!(
        "{}: {}{}",
        text::VISITS_TITLE,
        visit.outcome.label_ja(),
        note
    )
}
