//! The floor under a push, for `cargo xtask bench sync`: the rows a push stored in
//! `records`, inserted again into a fresh SQLite file with the same columns, indexes and
//! settings, in transactions of one push batch each, with one prepared statement and
//! nothing else (no validation, no merge, no HTTP, no exactly-once bookkeeping).
//!
//! `sqlite_floor <database the server wrote> <rows per transaction>` prints
//! `{"rows": N, "ms": T}`.

use std::str::FromStr as _;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions as _, Connection as _, Row as _};

type Row = (
    String,
    String,
    i64,
    i64,
    Option<String>,
    String,
    i64,
    String,
    i64,
);

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(source), Some(batch)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: sqlite_floor <server database> <rows per transaction>");
    };
    let batch: usize = batch.parse()?;

    let mut from = SqliteConnectOptions::from_str(&format!("sqlite://{source}"))?
        .read_only(true)
        .connect()
        .await?;
    let rows: Vec<Row> = sqlx::query(
        "SELECT id, kind, district_id, created_by, parent_id, assigned, deleted, state, seq \
         FROM records ORDER BY seq",
    )
    .fetch_all(&mut from)
    .await?
    .into_iter()
    .map(|r| {
        (
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
            r.get(7),
            r.get(8),
        )
    })
    .collect();
    from.close().await?;

    let folder = tempfile::tempdir()?;
    // The server's own settings (storage/sqlite/mod.rs).
    let mut to = SqliteConnectOptions::new()
        .filename(folder.path().join("floor.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE records (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, district_id INTEGER NOT NULL,
            created_by INTEGER NOT NULL, parent_id TEXT, assigned TEXT NOT NULL DEFAULT '[]',
            deleted INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE);
         CREATE INDEX records_by_district_seq ON records (district_id, seq);
         CREATE INDEX visits_by_resident ON records (parent_id) WHERE parent_id IS NOT NULL;",
    )
    .execute(&mut to)
    .await?;

    let started = Instant::now();
    for chunk in rows.chunks(batch.max(1)) {
        let mut tx = to.begin().await?;
        for row in chunk {
            sqlx::query(
                "INSERT INTO records \
                 (id, kind, district_id, created_by, parent_id, assigned, deleted, state, seq) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&row.0)
            .bind(&row.1)
            .bind(row.2)
            .bind(row.3)
            .bind(&row.4)
            .bind(&row.5)
            .bind(row.6)
            .bind(&row.7)
            .bind(row.8)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    let elapsed = started.elapsed();
    to.close().await?;
    println!(
        "{{\"rows\": {}, \"ms\": {:.1}}}",
        rows.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}
