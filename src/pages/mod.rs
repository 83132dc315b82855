//! One component per screen of the bottom navigation.

mod sections;
mod settings;

pub use sections::{NotFound, ReportsPage, ResourcesPage, SalonsPage, WatchPage};
pub use settings::SettingsPage;
