//! Pieces every feature shares: the shell's bars, form parts, and the keyed loader.

mod bottom_nav;
mod chips;
mod choice_group;
mod dynamic;
mod field;
mod form_message;
mod home_screen_hint;
mod loader;
mod quarantine;
mod sync_status;
mod update_banner;
mod urgency;

pub use bottom_nav::BottomNav;
pub use chips::{Chip, Chips};
pub use choice_group::{ChecklistGroup, ChoiceGroup};
pub use dynamic::{dynamic, shown_when, shown_when_else};
pub use field::{FieldErrors, FormField};
pub use form_message::{FormMessage, Message};
pub use home_screen_hint::HomeScreenHint;
pub use loader::{load, load_once, Loaded, Loading};
pub use quarantine::QuarantineList;
pub use sync_status::SyncStatusLine;
pub use update_banner::UpdateBanner;
pub use urgency::UrgencyMark;
