//! 社会資源まとめ (domain.md, Job 3): the directory searched as it is typed (`list`), an
//! entry's page with its call button and ways to hand it on (`entry`), the keepers' form
//! (`edit`), spreadsheets in and out (`import`) and the desk's list of entries unchecked for a year (`stale`), and 見せる, the view
//! turned towards a resident (`show`), choosing what a visit introduced (`picker`); `queries` reads the store and folds the search index.
//! The rules (folding, ranking, what is handed on, QR codes) are the core's.

#[cfg(feature = "coordinator")]
mod edit;
mod entry;
#[cfg(feature = "coordinator")]
mod import;
mod list;
mod picker;
pub mod queries;
mod show;
#[cfg(feature = "coordinator")]
mod stale;

#[cfg(feature = "coordinator")]
pub use edit::ResourceEditPage;
pub use entry::ResourcePage;
#[cfg(feature = "coordinator")]
pub use import::ResourceImportPage;
pub use list::ResourcesPage;
pub use picker::ResourcePicker;

pub use show::ResourceShowPage;
#[cfg(feature = "coordinator")]
pub use stale::StaleResources;
