//! 社会資源まとめ (domain.md, Job 3): the directory searched as it is typed (`list`), an
//! entry's page with its call button and ways to hand it on (`entry`), and 見せる, the view
//! turned towards a resident (`show`), choosing what a visit introduced (`picker`); `queries` reads the store and folds the search index.
//! The rules (folding, ranking, what is handed on, QR codes) are the core's.

mod entry;
mod list;
mod picker;
pub mod queries;
mod show;

pub use entry::ResourcePage;
pub use list::ResourcesPage;
pub use picker::ResourcePicker;
pub use show::ResourceShowPage;
