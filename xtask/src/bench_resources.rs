//! `cargo xtask bench resources`: the 社会資源まとめ on a city's directory (2,000 entries), in
//! headless Chromium, release build. Measured: the search itself as the screen runs it per
//! keystroke (the query folded with the browser's NFKC, every entry ranked), p95 over a
//! list of what volunteers type, letter by letter; and a keystroke in the real app's search
//! box until the app has put the updated list in the page (the task and its microtasks; the
//! browser paints it next). Beside each, its aim and its floor from the
//! same run: a plain substring scan of the same folded texts; a bare input handler writing
//! into the page. The page is `bench/visits/index.html` (`src/bin/bench_visits.rs`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use mimamori_testkit::{free_port, Browser, ServerProcess};
use serde_json::{json, Value};

use crate::bench_sync::{call, number, open_bench_page};
use crate::bench_visits::{median, numbers, percentile};
use crate::build::{build_page, Profile};
use crate::xtask_dir;

const ENTRIES: usize = 2000;
const RUNS: usize = 5;
const PATIENCE: Duration = Duration::from_secs(600);
const AIM_SEARCH_P95_MS: f64 = 5.0;
const AIM_KEYSTROKE_P95_MS: f64 = 16.0;

/// What volunteers type, each as it grows letter by letter (every prefix is a keystroke).
const TYPED: [&str; 14] = [
    "たくし",
    "かいもの",
    "買い物",
    "くさとり",
    "はいしょく",
    "ｻﾛﾝ",
    "相談",
    "にんちしょう",
    "ボランティア",
    "しるば",
    "体操",
    "電球",
    "いどう はんばい",
    "送迎",
];

fn keystrokes() -> Vec<String> {
    TYPED
        .iter()
        .flat_map(|word| {
            let chars: Vec<char> = word.chars().collect();
            (1..=chars.len()).map(move |n| chars[..n].iter().collect::<String>())
        })
        .collect()
}

pub fn bench_resources(args: &[String]) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.is_empty(), "usage: cargo xtask bench resources");
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

/// Types `text` into the input `css` (setting its value and firing `input`, as a keyboard
/// does) and times until the app has done all it does for it: its handler, the search and
/// the list's DOM update run in that task and its microtasks, so the next task (a message
/// to itself) starts after them. In milliseconds; the browser paints the list next.
const TIME_KEYSTROKE: &str = "const [css, text, finish] = arguments; \
    const input = document.querySelector(css); \
    const channel = new MessageChannel(); \
    channel.port1.onmessage = () => finish(performance.now() - t0); \
    const t0 = performance.now(); \
    input.value = text; \
    input.dispatchEvent(new Event('input', { bubbles: true })); \
    channel.port2.postMessage(null);";

/// The browser's own floor for the same: an input whose handler writes the text into the page.
const FLOOR_SETUP: &str = "const main = document.querySelector('main') || document.body; \
    const input = document.createElement('input'); input.id = 'floor-input'; \
    const out = document.createElement('p'); \
    input.addEventListener('input', () => { out.textContent = input.value; }); \
    main.append(input, out); return true;";

async fn keystroke(browser: &Browser, css: &str, text: &str) -> anyhow::Result<f64> {
    let value = browser
        .client
        .execute_async(TIME_KEYSTROKE, vec![json!(css), json!(text)])
        .await?;
    number(value)
}

async fn in_browser(server_bin: &Path, dist: &Path, database: &Path) -> anyhow::Result<Value> {
    let server = ServerProcess::start_with(server_bin, free_port(), database, dist, &[]).await?;
    let browser = open_bench_page(&server, "/resources", "bench_fill").await?;
    browser.set_offline(true).await?;
    // A signed-in phone (the visits fill keeps the session), then the city's directory.
    call(&browser, "bench_fill(2, 2, 1)").await?;
    let filled = call(&browser, &format!("bench_fill_resources({ENTRIES})"))
        .await
        .context("filling the directory")?;
    anyhow::ensure!(
        number(filled)? as usize == ENTRIES,
        "the directory was not filled"
    );
    let typed = keystrokes();

    let both = numbers(
        call(
            &browser,
            &format!("bench_search({}, {RUNS})", serde_json::to_string(&typed)?),
        )
        .await
        .context("timing the search")?,
    )?;
    let (search, search_floor) = both.split_at(both.len() / 2);

    browser.js("window.wasmBindings.bench_start_app();").await?;
    browser
        .wait_for_text("社会資源まとめ", PATIENCE)
        .await
        .context("the directory's screen")?;
    mimamori_testkit::eventually("the directory's rows", PATIENCE, || async {
        browser
            .js("return document.querySelectorAll('.resource-link').length;")
            .await
            .ok()
            .and_then(|n| n.as_u64())
            .filter(|n| *n > 0)
    })
    .await?;
    let mut screen = Vec::new();
    let mut screen_floor = Vec::new();
    browser.js(FLOOR_SETUP).await?;
    for _ in 0..RUNS {
        for text in &typed {
            screen.push(keystroke(&browser, "input[name=resource_search]", text).await?);
            screen_floor.push(keystroke(&browser, "#floor-input", text).await?);
        }
        // Cleared between runs, as a volunteer starts a new word.
        keystroke(&browser, "input[name=resource_search]", "").await?;
    }
    let shown = browser
        .js("return document.querySelector('.result-count')?.textContent ?? '';")
        .await?;
    browser.close().await?;
    server.stop().await?;
    Ok(json!({
        "entries": ENTRIES,
        "keystrokes": typed.len(),
        "last_count": shown,
        "search_ms": {
            "median": median(search), "p95": percentile(search, 0.95),
            "floor_median": median(search_floor), "floor_p95": percentile(search_floor, 0.95),
            "aim_p95": AIM_SEARCH_P95_MS,
        },
        "keystroke_ms": {
            "median": median(&screen), "p95": percentile(&screen, 0.95),
            "floor_median": median(&screen_floor), "floor_p95": percentile(&screen_floor, 0.95),
            "aim_p95": AIM_KEYSTROKE_P95_MS,
        },
    }))
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
        "{} entries, {} keystrokes ({} words typed letter by letter), release build, headless Chromium",
        figures["entries"],
        figures["keystrokes"],
        TYPED.len()
    );
    println!(
        "search           median {:>6.2} ms   p95 {:>6.2} ms   aim p95 < {:.0} ms    floor (substring scan, no ranking) median {:>5.2} ms, p95 {:>5.2} ms",
        f(&["search_ms", "median"]),
        f(&["search_ms", "p95"]),
        f(&["search_ms", "aim_p95"]),
        f(&["search_ms", "floor_median"]),
        f(&["search_ms", "floor_p95"]),
    );
    println!(
        "keystroke → list median {:>6.2} ms   p95 {:>6.2} ms   aim p95 < {:.0} ms   floor (a bare input handler) median {:>5.2} ms, p95 {:>5.2} ms",
        f(&["keystroke_ms", "median"]),
        f(&["keystroke_ms", "p95"]),
        f(&["keystroke_ms", "aim_p95"]),
        f(&["keystroke_ms", "floor_median"]),
        f(&["keystroke_ms", "floor_p95"]),
    );
    let out = xtask_dir().join("bench-resources.json");
    std::fs::write(&out, serde_json::to_string_pretty(figures)?)?;
    println!("(written to {})", out.display());
    Ok(())
}
