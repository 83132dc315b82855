//! `cargo xtask bench sync [--visits N]`: the sync engine against its floors, in the same run.
//!
//! A volunteer's phone (headless Chromium, fresh profile, offline) saves N realistic visits
//! through the app's own save path; it comes online and pushes them with the engine's own
//! loop; a second fresh profile signed in as the district's coordinator pulls everything.
//! Beside each: its floor, measured on the same objects in the same run: plain IndexedDB
//! puts one per transaction, interleaved with the saves a hundred at a time (saves), a plain batched SQLite insert of the rows the push
//! stored (push), plain IndexedDB puts in page-sized transactions (pull). The page is
//! `bench/sync/index.html` (`src/bin/bench_sync.rs`), built in release like the app.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use mimamori_testkit::{eventually, free_port, Browser, ServerProcess};
use serde_json::{json, Value};

use crate::build::{build_page, Profile};
use crate::xtask_dir;

const DEFAULT_VISITS: usize = 10_000;
/// The engine's push batch (src/sync.rs `PUSH_BATCH`): the SQLite floor commits as often.
const PUSH_BATCH: usize = 500;
const DEMO_PASSWORD: &str = "mimamori-demo";
const PATIENCE: Duration = Duration::from_secs(600);

pub fn bench_sync(args: &[String]) -> anyhow::Result<ExitCode> {
    let visits = match args {
        [] => DEFAULT_VISITS,
        [flag, n] if flag == "--visits" => n.parse().context("--visits takes a number")?,
        _ => anyhow::bail!("usage: cargo xtask bench sync [--visits N]"),
    };
    crate::tools::ensure_chromium()?;
    let dist = xtask_dir().join("dist-bench-sync");
    build_page(Profile::Release, Path::new("bench/sync/index.html"), &dist)?;
    let release = crate::build_server(&["--bin", "mimamori-server", "--example", "sqlite_floor"])?;
    let server_bin = release.join("mimamori-server");
    let floor_bin = release.join("examples").join("sqlite_floor");

    let data = crate::bench::tempfile_dir()?;
    let database = data.join("bench-sync.db");
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(in_browsers(
        &server_bin,
        &floor_bin,
        &dist,
        &database,
        visits,
    ))?;

    std::fs::remove_dir_all(&data).ok();
    report(&figures)?;
    Ok(ExitCode::SUCCESS)
}

async fn in_browsers(
    server_bin: &Path,
    floor_bin: &Path,
    dist: &Path,
    database: &Path,
    visits: usize,
) -> anyhow::Result<Value> {
    let server =
        ServerProcess::start_with(server_bin, free_port(), database, dist, &["--demo"]).await?;

    // The volunteer's phone: saves offline, then pushes.
    let phone = open_page(&server).await?;
    call(
        &phone,
        &format!("bench_sign_in('noritsuke.v1', '{DEMO_PASSWORD}')"),
    )
    .await?;
    let resident = call(&phone, "bench_register_resident()").await?;
    let resident = resident.as_str().context("a resident id")?.to_owned();
    phone.set_offline(true).await?;
    let saves = call(
        &phone,
        &format!("bench_save_visits('{resident}', {visits})"),
    )
    .await?;
    let (save_ms, save_floor_ms) = pair(&saves)?;
    let mean_bytes = number(call(&phone, "bench_mean_change_bytes()").await?)?;
    phone.set_offline(false).await?;
    let push = call(&phone, "bench_push()").await?;
    let (push_ms, pushed) = pair(&push)?;
    let push_server_ms = server_time(&phone, "/api/v1/sync/push").await?;
    phone.close().await?;
    // The push's floor right after it, while the machine is as it was.
    let sqlite = sqlite_floor(floor_bin, database)?;

    // The coordinator's phone, fresh: pulls everything.
    let office = open_page(&server).await?;
    call(
        &office,
        &format!("bench_sign_in('noritsuke.sc', '{DEMO_PASSWORD}')"),
    )
    .await?;
    let pull = call(&office, "bench_pull()").await?;
    let (pull_ms, pulled) = pair(&pull)?;
    let pull_server_ms = server_time(&office, "/api/v1/sync/pull").await?;
    let pull_floor_ms = number(call(&office, "bench_floor_page_puts()").await?)?;
    office.close().await?;
    server.stop().await?;

    Ok(json!({
        "visits": visits,
        "mean_change_json_bytes": mean_bytes.round(),
        "save": { "ms": save_ms, "records": visits, "floor_ms": save_floor_ms },
        "push": { "ms": push_ms, "records": pushed, "requests_ms": push_server_ms,
                  "floor_ms": sqlite["ms"], "floor_rows": sqlite["rows"] },
        "pull": { "ms": pull_ms, "records": pulled, "floor_ms": pull_floor_ms, "requests_ms": pull_server_ms },
    }))
}

/// The SQLite floor under the push: the rows it stored, inserted plainly again.
fn sqlite_floor(floor_bin: &Path, database: &Path) -> anyhow::Result<Value> {
    let output = std::process::Command::new(floor_bin)
        .arg(database)
        .arg(PUSH_BATCH.to_string())
        .output()
        .with_context(|| format!("running {}", floor_bin.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "the SQLite floor failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

async fn open_page(server: &ServerProcess) -> anyhow::Result<Browser> {
    open_bench_page(server, "/", "bench_sign_in").await
}

/// A fresh browser on a benchmark page at `path`, once its wasm exports `binding`.
pub(crate) async fn open_bench_page(
    server: &ServerProcess,
    path: &str,
    binding: &str,
) -> anyhow::Result<Browser> {
    let browser = Browser::start().await?;
    browser.client.goto(&server.url(path)).await?;
    let ready = format!("return !!(window.wasmBindings && window.wasmBindings.{binding});");
    eventually(
        "the benchmark page to load",
        Duration::from_secs(60),
        || async {
            browser
                .js(&ready)
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .filter(|ready| *ready)
        },
    )
    .await?;
    Ok(browser)
}

pub(crate) async fn call(browser: &Browser, call: &str) -> anyhow::Result<Value> {
    browser
        .await_js(&format!("window.wasmBindings.{call}"), PATIENCE)
        .await
}

/// How long the requests to `path` took, from sending to the last byte of the answer
/// (Resource Timing), summed: the server's and the network's share of a phase.
async fn server_time(browser: &Browser, path: &str) -> anyhow::Result<f64> {
    let script = format!(
        "return performance.getEntriesByType('resource')\
           .filter((e) => e.name.includes('{path}'))\
           .reduce((sum, e) => sum + (e.responseEnd - e.requestStart), 0);"
    );
    number(browser.js(&script).await?)
}

pub(crate) fn number(value: Value) -> anyhow::Result<f64> {
    value
        .as_f64()
        .with_context(|| format!("a number, not {value}"))
}

fn pair(value: &Value) -> anyhow::Result<(f64, f64)> {
    match value.as_array().map(Vec::as_slice) {
        Some([a, b]) => Ok((number(a.clone())?, number(b.clone())?)),
        _ => anyhow::bail!("[ms, count], not {value}"),
    }
}

fn report(figures: &Value) -> anyhow::Result<()> {
    let line = |what: &str, phase: &Value, floor_label: &str| {
        let ms = phase["ms"].as_f64().unwrap_or(f64::NAN);
        let records = phase["records"].as_f64().unwrap_or(f64::NAN);
        let floor = phase["floor_ms"].as_f64().unwrap_or(f64::NAN);
        println!(
            "{what:<7} {records:>6} records {ms:>9.1} ms {:>8.0}/s   floor ({floor_label}) {floor:>8.1} ms {:>8.0}/s   {:.2}× floor",
            records / ms * 1000.0,
            records / floor * 1000.0,
            ms / floor,
        );
    };
    println!();
    println!(
        "{} visits, {} bytes of JSON each on average",
        figures["visits"], figures["mean_change_json_bytes"]
    );
    line("save", &figures["save"], "IndexedDB, 1 put per transaction");
    line(
        "push",
        &figures["push"],
        "SQLite, batched insert of the rows",
    );
    line(
        "pull",
        &figures["pull"],
        "IndexedDB, puts in page transactions",
    );
    let both = figures["push"]["ms"].as_f64().unwrap_or(0.0)
        + figures["pull"]["ms"].as_f64().unwrap_or(0.0);
    println!("push + pull: {:.2} s (aim: under 3 s)", both / 1000.0);
    let out = xtask_dir().join("bench-sync.json");
    std::fs::write(&out, serde_json::to_string_pretty(figures)?)?;
    println!("(written to {})", out.display());
    Ok(())
}
