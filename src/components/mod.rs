//! Pieces of the shell that every screen shares.

mod account;
mod bottom_nav;
mod conflicts;
mod empty_state;
mod quarantine;
mod sync_status;
mod update_banner;

pub use account::AccountSection;
pub use bottom_nav::BottomNav;
pub use conflicts::ConflictList;
pub use empty_state::EmptyState;
pub use quarantine::QuarantineList;
pub use sync_status::SyncStatusLine;
pub use update_banner::UpdateBanner;
