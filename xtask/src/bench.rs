//! `cargo xtask bench`: figures measured in a real browser, never guessed.
//!
//! - the release `.wasm`, raw and gzipped;
//! - the bytes a first visit downloads: the page's own requests plus the service worker's
//!   precache requests (each side's Resource Timing `transferSize`);
//! - the time from navigation to the shell's first render when the service worker serves
//!   the app with the server stopped (median of several reloads).

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use mimamori_testkit::{free_port, Browser, ServerProcess};
use serde_json::{json, Value};

use crate::build::{build_pwa, dist_dir, Profile};
use crate::xtask_dir;

const OFFLINE_RUNS: usize = 9;

pub fn bench(args: &[String]) -> anyhow::Result<ExitCode> {
    match args.first().map(String::as_str) {
        None => {}
        Some("sync") => return crate::bench_sync::bench_sync(&args[1..]),
        Some("visits") => return crate::bench_visits::bench_visits(&args[1..]),
        Some("resources") => return crate::bench_resources::bench_resources(&args[1..]),
        Some("lighthouse") => return crate::bench_lighthouse::bench_lighthouse(&args[1..]),
        Some(other) => anyhow::bail!(
            "unknown benchmark {other:?}: `cargo xtask bench` measures the shell, \
             `cargo xtask bench sync` the sync engine, \
             `cargo xtask bench visits` the 見守り screens, \
             `cargo xtask bench resources` the 社会資源まとめ's search, \
             `cargo xtask bench lighthouse` the signed-in screens on a slow phone"
        ),
    }
    crate::tools::ensure_chromium()?;
    let dist = dist_dir(Profile::Release);
    build_pwa(Profile::Release, &dist)?;
    let server_bin = crate::build_server(&[])?.join("mimamori-server");

    let (wasm_raw, wasm_gzip) = wasm_sizes(&dist, "index.html")?;
    let (sc_raw, sc_gzip) = wasm_sizes(&dist, "sc.html")?;
    let runtime = tokio::runtime::Runtime::new()?;
    let browser_figures = runtime.block_on(measure_in_browser(&server_bin, &dist))?;

    let report = json!({
        "wasm_bytes": wasm_raw,
        "wasm_gzip_bytes": wasm_gzip,
        "coordinators_wasm_bytes": sc_raw,
        "coordinators_wasm_gzip_bytes": sc_gzip,
        "first_visit": browser_figures["first_visit"],
        "offline_shell_render_ms": browser_figures["offline_shell_render_ms"],
    });
    println!();
    println!("release wasm:            {wasm_raw} bytes raw, {wasm_gzip} bytes gzip");
    println!(
        "coordinators' wasm:      {sc_raw} bytes raw, {sc_gzip} bytes gzip (sc.html: fetched only by an SC's or the city's phone)"
    );
    println!(
        "first visit downloads:   {} bytes ({} by the page, {} by the service worker's precache)",
        report["first_visit"]["total_bytes"],
        report["first_visit"]["page_bytes"],
        report["first_visit"]["service_worker_bytes"]
    );
    println!(
        "offline first render:    median {} ms over {OFFLINE_RUNS} reloads (min {}, max {})",
        report["offline_shell_render_ms"]["median"],
        report["offline_shell_render_ms"]["min"],
        report["offline_shell_render_ms"]["max"]
    );
    let out = xtask_dir().join("bench.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("(written to {})", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The wasm `page` (`index.html`, or the coordinators' `sc.html`) loads.
fn wasm_file(dist: &Path, page: &str) -> anyhow::Result<std::path::PathBuf> {
    let html = std::fs::read_to_string(dist.join(page))?;
    let name = html
        .split(['"', '\''])
        .find(|part| part.starts_with('/') && part.ends_with(".wasm"))
        .with_context(|| format!("{page} names no .wasm"))?;
    Ok(dist.join(name.trim_start_matches('/')))
}

fn wasm_sizes(dist: &Path, page: &str) -> anyhow::Result<(usize, usize)> {
    let bytes = std::fs::read(wasm_file(dist, page)?)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&bytes)?;
    Ok((bytes.len(), gzip.finish()?.len()))
}

async fn measure_in_browser(server_bin: &Path, dist: &Path) -> anyhow::Result<Value> {
    let data = tempfile_dir()?;
    let port = free_port();
    let server = ServerProcess::start(server_bin, port, &data.join("bench.db"), dist).await?;
    let wasm_name = wasm_file(dist, "index.html")?
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    server
        .wait_for_compression(&format!("/{}", wasm_name.unwrap_or_default()))
        .await?;
    let browser = Browser::start().await?;
    browser.client.goto(&server.url("/")).await?;
    browser
        .wait_for_service_worker(Duration::from_secs(60))
        .await?;
    let first_visit = first_visit_bytes(&browser).await?;

    server.stop().await?;
    let mut timings = Vec::with_capacity(OFFLINE_RUNS);
    for _ in 0..=OFFLINE_RUNS {
        browser.client.refresh().await?;
        let at = mimamori_testkit::eventually(
            "the shell to render",
            Duration::from_secs(30),
            || async {
                let script = "const m = performance.getEntriesByName('mimamori-shell-rendered'); \
                          return m.length ? m[0].startTime : null;";
                browser.js(script).await.ok().and_then(|v| v.as_f64())
            },
        )
        .await?;
        timings.push(at);
    }
    timings.remove(0); // the first reload warms the browser's code cache
    browser.close().await?;
    std::fs::remove_dir_all(&data).ok();

    timings.sort_by(f64::total_cmp);
    Ok(json!({
        "first_visit": first_visit,
        "offline_shell_render_ms": {
            "median": round(timings[timings.len() / 2]),
            "min": round(timings[0]),
            "max": round(timings[timings.len() - 1]),
            "runs": timings.len(),
        },
    }))
}

/// The page's own transfers plus those of the service worker's install (it answers a
/// `RESOURCE_TIMING` message with its own Resource Timing entries).
async fn first_visit_bytes(browser: &Browser) -> anyhow::Result<Value> {
    let page = browser
        .js("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
             .reduce((sum, e) => sum + (e.transferSize || 0), 0);")
        .await?
        .as_f64()
        .unwrap_or(0.0);
    let worker = browser
        .js_async(
            "const done = arguments[arguments.length - 1];\
             const channel = new MessageChannel();\
             channel.port1.onmessage = (e) => done(e.data.reduce((s, x) => s + (x.transferSize || 0), 0));\
             navigator.serviceWorker.controller.postMessage({ type: 'RESOURCE_TIMING' }, [channel.port2]);",
        )
        .await?
        .as_f64()
        .unwrap_or(0.0);
    Ok(json!({
        "page_bytes": page as u64,
        "service_worker_bytes": worker as u64,
        "total_bytes": (page + worker) as u64,
    }))
}

pub(crate) fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = xtask_dir().join(format!("bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}
