//! One component per screen of the bottom navigation.

mod sections;
mod settings;
mod visit_form;
mod watch;

pub use sections::{NotFound, ReportsPage, ResourcesPage, SalonsPage};
pub use settings::SettingsPage;
pub use watch::{NewResidentPage, ResidentPage, WatchPage};
