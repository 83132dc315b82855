//! Storage behind a trait, as Atuin does it: handlers hold an `Arc<dyn Storage>` and never
//! know which database answers. SQLite is the embedded default; a PostgreSQL implementation
//! plugs in here (a new module and a new arm in [`connect`]) without touching a handler.

mod accounts;
mod sqlite;
mod sync;

use std::sync::Arc;

use async_trait::async_trait;
use mimamori_core::api::District;

pub use accounts::{Accounts, DeviceInfo, DeviceSession, NewUser, UserAccount};
pub use sqlite::SqliteStorage;
pub use sync::{SharedRecord, SharedScope, SyncCaller, SyncStore};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or is locked beyond the busy timeout.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A unique name is taken (a login id, a district name).
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// Something a change refers to does not exist (a district, a user).
    #[error("not found: {0}")]
    NotFound(String),
}

#[async_trait]
pub trait Storage: Accounts + SyncStore + Send + Sync + 'static {
    /// The backend's name as `/api/v1/health` reports it.
    fn backend(&self) -> &'static str;

    /// Succeeds when the database answers a trivial query.
    async fn ping(&self) -> Result<(), StorageError>;

    async fn list_districts(&self) -> Result<Vec<District>, StorageError>;

    /// Adds the districts of `names` that do not exist yet; returns how many were added.
    async fn ensure_districts(&self, names: &[&str]) -> Result<usize, StorageError>;

    /// Adds one district; `AlreadyExists` when the name is taken.
    async fn create_district(&self, name: &str) -> Result<District, StorageError>;

    /// Waits for pending writes and releases the database (e.g. the SQLite WAL) on shutdown.
    async fn close(&self);
}

/// Opens the database a URL names and applies its migrations.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Storage>> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStorage::connect(url).await?)),
        "postgres" | "postgresql" => anyhow::bail!(
            "this build of mimamori-server has no PostgreSQL backend; use a sqlite: URL"
        ),
        _ => anyhow::bail!("unsupported database URL scheme {scheme:?}: expected sqlite:"),
    }
}
