//! `cargo xtask bench visits`: the 見守り screens on a district's worth of data, in headless
//! Chromium, release build. The SC's phone holds 500 residents and 20,000 visits (one
//! resident with 200); the real app opens on it. Measured: the 見守りリスト from the tap
//! on its tab to its last row drawn; a resident's page (200 visits) from the tap on their
//! row to its history drawn; the SC's desk from its button to its concerns drawn; 今週・来週
//! with 200 salons from its tab to the list of every salon drawn; and a save, from 保存 to
//! the IndexedDB commit (median and p95 of 60). Beside each, its aim and its floor from the same run: plain IndexedDB reads
//! of the same records, and a plain put of the same record. The page is
//! `bench/visits/index.html` (`src/bin/bench_visits.rs`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use mimamori_testkit::{free_port, Browser, ServerProcess};
use serde_json::{json, Value};

use crate::bench_sync::{call, number, open_bench_page};
use crate::build::{build_page, Profile};
use crate::xtask_dir;

const RESIDENTS: usize = 500;
const VISITS: usize = 20_000;
const HEAVY: usize = 200;
const SAVES: usize = 60;
const RUNS: usize = 9;
const PATIENCE: Duration = Duration::from_secs(600);

const AIM_LIST_MS: f64 = 100.0;
const AIM_RESIDENT_MS: f64 = 100.0;
const AIM_SAVE_P95_MS: f64 = 30.0;
const AIM_DESK_MS: f64 = 100.0;
const AIM_SALONS_MS: f64 = 100.0;
/// As `src/bin/bench_visits.rs` fills them.
const SALONS: usize = 200;

pub fn bench_visits(args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.is_empty(), "usage: cargo xtask bench visits");
    crate::tools::ensure_chromium()?;
    let dist = xtask_dir().join("dist-bench-visits");
    build_page(
        Profile::Release,
        Path::new("bench/visits/index.html"),
        &dist,
    )?;
    let server_bin = crate::build_server(&["--bin", "mimamori-server"])?.join("mimamori-server");
    let data = crate::bench::tempfile_dir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(in_browser(&server_bin, &dist, &data.join("bench.db")))?;
    std::fs::remove_dir_all(&data).ok();
    report(&figures)?;
    Ok(ExitCode::SUCCESS)
}

/// Times a tap on `tap` until `count` elements match `done` (a MutationObserver sees the
/// last one arrive), in milliseconds.
const TIME_TAP: &str = "const [tap, done, count, finish] = arguments; \
    const enough = () => document.querySelectorAll(done).length >= count; \
    const t0 = performance.now(); \
    const observer = new MutationObserver(() => { \
      if (enough()) { observer.disconnect(); finish(performance.now() - t0); } \
    }); \
    observer.observe(document.body, { childList: true, subtree: true }); \
    document.querySelector(tap).click(); \
    if (enough()) { observer.disconnect(); finish(performance.now() - t0); }";

async fn time_tap(browser: &Browser, tap: &str, done: &str, count: usize) -> anyhow::Result<f64> {
    let value = browser
        .client
        .execute_async(TIME_TAP, vec![json!(tap), json!(done), json!(count)])
        .await?;
    number(value)
}

async fn in_browser(server_bin: &Path, dist: &Path, database: &Path) -> anyhow::Result<Value> {
    let server = ServerProcess::start_with(server_bin, free_port(), database, dist, &[]).await?;
    let browser = open_bench_page(&server, "/settings", "bench_fill").await?;
    // Nothing here talks to a server: the phone is at the door.
    browser.set_offline(true).await?;
    let heavy = call(
        &browser,
        &format!("bench_fill({RESIDENTS}, {VISITS}, {HEAVY})"),
    )
    .await?;
    let heavy = heavy
        .as_str()
        .context("the heavy resident's id")?
        .to_owned();
    browser.js("window.wasmBindings.bench_start_app();").await?;
    browser.wait_for_text("設定", PATIENCE).await?;

    let rows = ".watch-item";
    let history = ".visit-line";
    let mut list = Vec::new();
    let mut resident = Vec::new();
    for _ in 0..RUNS {
        browser.tap("[data-nav=settings]").await?;
        browser.wait_for_text("大きい文字", PATIENCE).await?;
        list.push(time_tap(&browser, "[data-nav=watch]", rows, RESIDENTS).await?);
        let row = format!("[data-resident='{heavy}'] .watch-who");
        resident.push(time_tap(&browser, &row, history, 20).await?);
    }
    // The SC's desk: the list's reads, and the visits of the last 14 days for its concerns.
    let mut desk = Vec::new();
    for _ in 0..3 {
        browser.tap("[data-nav=watch]").await?;
        browser.wait_for_text("見守り訪問", PATIENCE).await?;
        desk.push(
            time_tap(
                &browser,
                "[data-action=open-desk]",
                "[data-desk=concerns]",
                1,
            )
            .await?,
        );
    }
    // 今週・来週 with the district's 200 salons: from the tab to the list of every salon.
    let mut week = Vec::new();
    for _ in 0..RUNS {
        browser.tap("[data-nav=settings]").await?;
        browser.wait_for_text("大きい文字", PATIENCE).await?;
        week.push(time_tap(&browser, "[data-nav=salons]", ".salon-link", SALONS).await?);
    }
    let week_floor = repeat(&browser, "bench_floor_salons()").await?;
    let lines = browser
        .js("return document.querySelector('h3.section-title:last-of-type')?.textContent ?? '';")
        .await?;
    let list_floor = repeat(&browser, "bench_floor_list()").await?;
    let desk_floor = repeat(&browser, "bench_floor_desk()").await?;
    let resident_floor = repeat(&browser, &format!("bench_floor_resident('{heavy}')")).await?;
    let saves = numbers(call(&browser, &format!("bench_saves('{heavy}', {SAVES})")).await?)?;
    let save_floor = numbers(call(&browser, &format!("bench_floor_saves({SAVES})")).await?)?;
    browser.close().await?;
    server.stop().await?;
    Ok(json!({
        "residents": RESIDENTS,
        "visits": VISITS,
        "heavy_resident": { "visits": HEAVY, "history_heading": lines },
        "list_ms": { "median": median(&list), "floor_median": median(&list_floor), "aim": AIM_LIST_MS, "runs": list },
        "resident_ms": { "median": median(&resident), "floor_median": median(&resident_floor), "aim": AIM_RESIDENT_MS, "runs": resident },
        "desk_ms": { "median": median(&desk), "floor_median": median(&desk_floor), "aim": AIM_DESK_MS, "runs": desk },
        "salons": SALONS,
        "week_ms": { "median": median(&week), "floor_median": median(&week_floor), "aim": AIM_SALONS_MS, "runs": week },
        "save_ms": {
            "median": median(&saves), "p95": percentile(&saves, 0.95),
            "floor_median": median(&save_floor), "floor_p95": percentile(&save_floor, 0.95),
            "aim_p95": AIM_SAVE_P95_MS,
        },
    }))
}

async fn repeat(browser: &Browser, call_js: &str) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        times.push(number(call(browser, call_js).await?)?);
    }
    Ok(times)
}

pub(crate) fn numbers(value: Value) -> anyhow::Result<Vec<f64>> {
    value
        .as_array()
        .context("a list of numbers")?
        .iter()
        .map(|v| number(v.clone()))
        .collect()
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    values
}

pub(crate) fn median(values: &[f64]) -> f64 {
    percentile(values, 0.5)
}

/// The nearest-rank percentile.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let values = sorted(values);
    if values.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
    (values[rank - 1] * 10.0).round() / 10.0
}

fn report(figures: &Value) -> anyhow::Result<()> {
    let f = |path: &[&str]| {
        path.iter()
            .fold(figures, |v, key| &v[*key])
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    println!();
    println!(
        "{} residents, {} visits (one resident with {}), release build, headless Chromium",
        figures["residents"], figures["visits"], figures["heavy_resident"]["visits"]
    );
    println!(
        "見守りリスト   median {:>7.1} ms   aim < {:.0} ms   floor (IndexedDB reads of the residents and latest visits) {:>6.1} ms",
        f(&["list_ms", "median"]),
        f(&["list_ms", "aim"]),
        f(&["list_ms", "floor_median"]),
    );
    println!(
        "resident page  median {:>7.1} ms   aim < {:.0} ms   floor (IndexedDB reads of the resident and their records) {:>6.1} ms",
        f(&["resident_ms", "median"]),
        f(&["resident_ms", "aim"]),
        f(&["resident_ms", "floor_median"]),
    );
    println!(
        "save           median {:>7.1} ms   p95 {:>6.1} ms   aim p95 < {:.0} ms   floor (a plain put) median {:>5.1} ms, p95 {:>5.1} ms",
        f(&["save_ms", "median"]),
        f(&["save_ms", "p95"]),
        f(&["save_ms", "aim_p95"]),
        f(&["save_ms", "floor_median"]),
        f(&["save_ms", "floor_p95"]),
    );
    println!(
        "SC's desk      median {:>7.1} ms   aim < {:.0} ms   floor (IndexedDB reads of the residents, latest and last 14 days' visits) {:>6.1} ms",
        f(&["desk_ms", "median"]),
        f(&["desk_ms", "aim"]),
        f(&["desk_ms", "floor_median"]),
    );
    println!(
        "今週・来週 ({} salons) median {:>7.1} ms   aim < {:.0} ms   floor (IndexedDB reads of the salons) {:>6.1} ms",
        figures["salons"],
        f(&["week_ms", "median"]),
        f(&["week_ms", "aim"]),
        f(&["week_ms", "floor_median"]),
    );
    let out = xtask_dir().join("bench-visits.json");
    std::fs::write(&out, serde_json::to_string_pretty(figures)?)?;
    println!("(written to {})", out.display());
    Ok(())
}
