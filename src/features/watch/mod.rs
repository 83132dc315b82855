//! 見守り: the watch list (未訪問 first), a resident's page, the visit (with escalation in
//! the moment and drafts), follow-ups, the SC's desk and their decisions about a resident,
//! registering and correcting residents, and correcting refused changes.

mod conflicts;
mod desk;
mod edit;
mod emergency;
mod follow_ups;
mod list;
mod manage;
pub mod queries;
mod register;
mod resident;
mod visit;
mod visit_form;

pub use desk::DeskPage;
pub use edit::ResidentEditPage;
pub use follow_ups::{follow_up_summary, FollowUpCorrection, FollowUpsPage};
pub use list::WatchPage;
pub use manage::ResidentManagePage;
pub use register::{NewResidentPage, ResidentCorrection};
pub use resident::ResidentPage;
pub use visit::{VisitEditPage, VisitPage};
pub use visit_form::VisitCorrection;

use mimamori_core::kinds::{DistrictInfoPatch, ResidentPatch, VisitBody};

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

/// A change of the district's contacts in a few words (the quarantine's line).
pub fn contacts_summary(patch: &DistrictInfoPatch) -> String {
    let words: Vec<&str> = [&patch.sc_name, &patch.sc_phone, &patch.center_name, &patch.center_phone]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    format!("{}: {}", text::CONTACTS, words.join(" "))
}
