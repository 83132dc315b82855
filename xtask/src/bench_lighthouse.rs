//! `cargo xtask bench lighthouse`: Lighthouse (mobile) on the signed-in screens, as a
//! volunteer and as an SC, on the release build served with demo data. The CPU is slowed
//! 4x in the browser itself (devtools throttling), as on a cheap phone. Each screen's total
//! blocking time is printed beside its aim (under 200 ms, performance 90 or more) and its
//! floor: the 設定 screen, the lightest signed-in screen, audited in the same run.
//!
//! Lighthouse comes from npm (`lighthouse@12`, with its puppeteer-core) into xtask's folder;
//! the script is `bench/lighthouse/audit.mjs`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::Context as _;
use mimamori_testkit::{free_port, ServerProcess};
use serde_json::Value;

use crate::build::{build_pwa, dist_dir, Profile};
use crate::{root, run_checked, xtask_dir};

const LIGHTHOUSE_NPM: &str = "lighthouse@12.8.2";
const AIM_TBT_MS: i64 = 200;
const AIM_PERFORMANCE: i64 = 90;

/// Who signs in, and the screens audited (the floor, 設定, first).
const AUDITS: [(&str, &[&str]); 2] = [
    (
        "noritsuke.v1",
        &[
            "/settings",
            "/",
            "/resources",
            "/salons",
            "/follow-ups",
            "/reports",
        ],
    ),
    (
        "noritsuke.sc",
        &["/settings", "/", "/desk", "/resources", "/salons"],
    ),
];

pub fn bench_lighthouse(_args: &[String]) -> anyhow::Result<ExitCode> {
    crate::tools::ensure_chromium()?;
    let modules = ensure_lighthouse()?;
    let dist = dist_dir(Profile::Release);
    build_pwa(Profile::Release, &dist)?;
    let server_bin = crate::build_server(&[])?.join("mimamori-server");
    let data = crate::bench::tempfile_dir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let server = runtime.block_on(ServerProcess::start_with(
        &server_bin,
        free_port(),
        &data.join("lighthouse.db"),
        &dist,
        &["--demo"],
    ))?;
    runtime.block_on(server.wait_for_compression("/index.html"))?;

    // Beside its node_modules: ES modules find their imports from where the script is.
    let script = modules
        .parent()
        .context("node_modules has a parent")?
        .join("audit.mjs");
    std::fs::copy(root().join("bench/lighthouse/audit.mjs"), &script)?;
    let mut all_met = true;
    println!("Lighthouse (mobile, CPU 4x slower), release build, demo data");
    for (login, paths) in AUDITS {
        let profile = data.join(format!("profile-{login}"));
        let output = Command::new("node")
            .arg(&script)
            .arg(server.url(""))
            .arg(login)
            .args(paths)
            .env("PROFILE_DIR", &profile)
            .current_dir(modules.parent().context("node_modules has a parent")?)
            .output()
            .context("running node (is nodejs installed?)")?;
        anyhow::ensure!(
            output.status.success(),
            "Lighthouse failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let floor = lines
            .iter()
            .find(|l| l["path"] == "/settings")
            .map(|l| l["tbt_ms"].as_i64().unwrap_or_default())
            .unwrap_or_default();
        for line in lines.iter().filter(|l| l["path"] != "/settings") {
            let tbt = line["tbt_ms"].as_i64().unwrap_or_default();
            let performance = line["performance"].as_i64().unwrap_or_default();
            let met = tbt < AIM_TBT_MS && performance >= AIM_PERFORMANCE;
            all_met &= met;
            println!(
                "{login:<13} {:<12} performance {performance:>3} (aim ≥ {AIM_PERFORMANCE})   \
                 blocking {tbt:>4} ms (aim < {AIM_TBT_MS}; floor, 設定: {floor} ms)   \
                 LCP {:>5} ms   layout shift {:>5}   longest task {:>4} ms{}",
                line["path"].as_str().unwrap_or_default(),
                line["lcp_ms"],
                line["cls"],
                line["longest_task_ms"],
                if met { "" } else { "   ← over the aim" },
            );
        }
    }
    runtime.block_on(server.stop())?;
    std::fs::remove_dir_all(&data).ok();
    println!(
        "{}",
        if all_met {
            "every screen within its aims"
        } else {
            "some screens over their aims"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// npm's Lighthouse in xtask's folder; returns its `node_modules`.
fn ensure_lighthouse() -> anyhow::Result<PathBuf> {
    let prefix = xtask_dir().join("lighthouse");
    let modules = prefix.join("node_modules");
    if modules.join("lighthouse").join("package.json").exists() {
        return Ok(modules);
    }
    crate::tools::ensure_npm()?;
    std::fs::create_dir_all(&prefix)?;
    run_checked(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args(["--no-audit", "--no-fund", "--no-save", LIGHTHOUSE_NPM]),
    )?;
    Ok(modules)
}
