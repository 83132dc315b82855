//! The embedded default: one SQLite file in WAL mode, so readers never wait for the writer.

use std::str::FromStr as _;
use std::time::Duration;

use async_trait::async_trait;
use mimamori_core::api::District;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row as _, SqlitePool};

use super::{Storage, StorageError};

mod accounts;
mod sync;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    pub(super) pool: SqlitePool,
}

impl SqliteStorage {
    /// See [`sync::refresh_assignments`]: run at every start.
    pub(crate) async fn refresh_assignments(&self) -> Result<(), StorageError> {
        sync::refresh_assignments(&self.pool).await
    }

    /// The pool, for tests that must write rows as an older build left them.
    #[cfg(test)]
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://data/mimamori.db`
    /// or `sqlite::memory:`, and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable in WAL mode except across a power cut, where the last
            // transactions may roll back; the phones still hold them in their outboxes.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StorageError::Unavailable(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
        // An in-memory database exists per connection: keep exactly one.
        let in_memory = url.contains(":memory:");
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 4 })
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(options)
            .await?;
        MIGRATIONS.run(&pool).await?;
        let storage = Self { pool };
        storage.refresh_assignments().await?;
        Ok(storage)
    }
}

#[async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn list_districts(&self) -> Result<Vec<District>, StorageError> {
        let rows = sqlx::query("SELECT id, name FROM districts ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| District {
                id: row.get("id"),
                name: row.get("name"),
            })
            .collect())
    }

    async fn ensure_districts(&self, names: &[&str]) -> Result<usize, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for name in names {
            let result =
                sqlx::query("INSERT INTO districts (name) VALUES (?) ON CONFLICT DO NOTHING")
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
            added += usize::try_from(result.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn create_district(&self, name: &str) -> Result<District, StorageError> {
        let id = sqlx::query_scalar("INSERT INTO districts (name) VALUES (?) RETURNING id")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| unique_violation(e, || format!("district {name}")))?;
        Ok(District {
            id,
            name: name.to_owned(),
        })
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Turns a UNIQUE constraint failure into `AlreadyExists` naming `what`.
pub(super) fn unique_violation(error: sqlx::Error, what: impl FnOnce() -> String) -> StorageError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StorageError::AlreadyExists(what())
        }
        _ => StorageError::Database(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn districts_are_added_once_whatever_the_number_of_runs() {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        assert_eq!(
            storage.ensure_districts(&["乗附", "片岡"]).await.unwrap(),
            2
        );
        assert_eq!(
            storage.ensure_districts(&["片岡", "佐野"]).await.unwrap(),
            1
        );
        let names: Vec<String> = storage
            .list_districts()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["乗附", "片岡", "佐野"]);
    }

    /// A database as an older server left it: the first `upto` migrations applied.
    async fn database_at(url: &str, upto: usize) -> SqlitePool {
        let options = SqliteConnectOptions::from_str(url)
            .unwrap()
            .create_if_missing(true);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let older = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(MIGRATIONS.migrations[..upto].to_vec()),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        older.run(&pool).await.unwrap();
        pool
    }

    #[tokio::test]
    async fn a_database_at_schema_4_migrates_with_nothing_lost() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/old.db", dir.path().display());
        let old = database_at(&url, 4).await;
        let resident_a = "019ab000-0000-7000-8000-00000000000a";
        let resident_b = "019ab000-0000-7000-8000-00000000000b";
        let visit = "019ab000-0000-7000-8000-0000000000f1";
        let state =
            serde_json::json!({"body": {"kind": "visit", "data": {"resident_id": resident_a}}});
        for statement in [
            "INSERT INTO districts (id, name) VALUES (1, '乗附')".to_owned(),
            "INSERT INTO users (id, login_id, display_name, role, password_hash) \
             VALUES (1, 'sc.old', 'SC', 'coordinator', 'x')"
                .to_owned(),
            "INSERT INTO devices (id, user_id, name, token_hash) VALUES (1, 1, 'スマホ', x'00')"
                .to_owned(),
            format!(
                "INSERT INTO records (id, kind, district_id, created_by, state, seq) VALUES \
                 ('{resident_a}', 'resident', 1, 1, '{{}}', 1), \
                 ('{resident_b}', 'resident', 1, 1, '{{}}', 2), \
                 ('{visit}', 'visit', 1, 1, '{state}', 3)"
            ),
            // The bug the migration repairs: a late older version named resident B.
            format!("UPDATE records SET resident_id = '{resident_b}' WHERE id = '{visit}'"),
            format!(
                "INSERT INTO applied_changes (record_id, stamp, device_id, seq) \
                 VALUES ('{visit}', '0001764000000000-00000000-0000000000000001', 1, 3)"
            ),
            "UPDATE sync_sequence SET value = 4".to_owned(),
            format!(
                "INSERT INTO visibility_events (seq, user_id, record_id) VALUES (4, 1, '{visit}')"
            ),
        ] {
            sqlx::query(&statement).execute(&old).await.unwrap();
        }
        old.close().await;

        let storage = SqliteStorage::connect(&url).await.unwrap();
        let counts: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM records), (SELECT COUNT(*) FROM applied_changes), \
                    (SELECT value FROM sync_sequence), (SELECT COUNT(*) FROM visibility_events)",
        )
        .fetch_one(&storage.pool)
        .await
        .unwrap();
        assert_eq!(counts, (3, 1, 4, 1), "nothing lost");
        let resident: Option<String> =
            sqlx::query_scalar("SELECT parent_id FROM records WHERE id = ?")
                .bind(visit)
                .fetch_one(&storage.pool)
                .await
                .unwrap();
        assert_eq!(resident.as_deref(), Some(resident_a));
        let fingerprint: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT fingerprint FROM applied_changes")
                .fetch_one(&storage.pool)
                .await
                .unwrap();
        assert_eq!(fingerprint, None, "older notes keep no fingerprint");
        // The rebuilt tables still keep their references, and take what the kinds allow.
        let orphan = sqlx::query(
            "INSERT INTO visibility_events (seq, user_id, record_id) VALUES (5, 1, 'nothing')",
        )
        .execute(&storage.pool)
        .await;
        assert!(orphan.is_err(), "an event must name a record");
        sqlx::query(
            "INSERT INTO records (id, kind, district_id, created_by, state, seq) \
             VALUES ('019ab000-0000-7000-8000-0000000000c1', 'resource', NULL, 1, '{}', 6)",
        )
        .execute(&storage.pool)
        .await
        .expect("a city-wide record of a kind added later");
        storage.close().await;
    }

    #[tokio::test]
    async fn a_file_database_is_created_in_wal_mode_with_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/mimamori.db", dir.path().display());
        let storage = SqliteStorage::connect(&url).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&storage.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        storage.close().await;
        assert!(dir.path().join("nested/mimamori.db").exists());
    }
}
