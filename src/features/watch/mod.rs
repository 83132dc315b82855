//! 見守り: the watch list (未訪問 first), a resident's page, the visit (with escalation in
//! the moment and drafts), follow-ups, the SC's desk and their decisions about a resident,
//! registering and correcting residents, and correcting refused changes.

mod conflicts;
#[cfg(feature = "coordinator")]
mod desk;
mod edit;
mod emergency;
mod follow_ups;
mod list;
#[cfg(feature = "coordinator")]
mod manage;
pub mod queries;
mod register;
mod resident;
mod visit;
mod visit_form;

#[cfg(feature = "coordinator")]
pub use desk::DeskPage;
pub use edit::ResidentEditPage;
pub use emergency::tel;
pub use follow_ups::{FollowUpCorrection, FollowUpsPage};
pub use list::WatchPage;
#[cfg(feature = "coordinator")]
pub use manage::ResidentManagePage;
pub use register::{NewResidentPage, ResidentCorrection};
pub use resident::ResidentPage;
pub use visit::{VisitEditPage, VisitPage};
pub use visit_form::VisitCorrection;
