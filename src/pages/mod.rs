//! One component per screen of the bottom navigation.

mod resident_edit;
mod sections;
mod settings;
mod visit_form;
mod watch;

pub use resident_edit::ResidentEditPage;
pub use sections::{NotFound, ReportsPage, ResourcesPage, SalonsPage};
pub use settings::SettingsPage;
pub use visit_form::OutcomeChoices;
pub use watch::{NewResidentPage, ResidentPage, WatchPage};
