//! `cargo xtask test`: every check, in the order that fails fastest, then one summary line.
//! Every step runs even when an earlier one failed, so one run shows every problem.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, ExitCode, Stdio};

use crate::build::{build_pwa, dist_dir, Profile};
use crate::{cargo, describe, run_checked, target_dir, tools};

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    passed: u64,
    failed: u64,
}

struct Step {
    name: &'static str,
    counts: Counts,
    ok: bool,
}

pub fn test(_args: &[String]) -> anyhow::Result<ExitCode> {
    let mut steps: Vec<Step> = Vec::new();
    let mut record = |name: &'static str, outcome: anyhow::Result<Counts>| {
        let step = match outcome {
            Ok(counts) => Step {
                name,
                counts,
                ok: counts.failed == 0,
            },
            Err(error) => {
                eprintln!("xtask: {name} failed: {error:#}");
                Step {
                    name,
                    counts: Counts {
                        passed: 0,
                        failed: 1,
                    },
                    ok: false,
                }
            }
        };
        steps.push(step);
    };

    let tools = tools::ensure_build_tools().and_then(|()| tools::ensure_chromium());
    record("tools", tools.map(|()| Counts::default()));

    record(
        "rustfmt",
        check(cargo().args(["fmt", "--all", "--", "--check"])),
    );
    record(
        "clippy (native)",
        check(
            cargo()
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--all-features",
                    "--",
                ])
                .args(DENY),
        ),
    );
    record(
        "clippy (wasm)",
        check(
            cargo()
                .args([
                    "clippy",
                    "--package",
                    "mimamori",
                    "--all-targets",
                    "--target",
                ])
                .arg(tools::WASM_TARGET)
                .arg("--")
                .args(DENY),
        ),
    );
    record(
        "clippy (wasm SC)",
        check(
            cargo()
                .args([
                    "clippy",
                    "--package",
                    "mimamori",
                    "--lib",
                    "--features",
                    "coordinator",
                    "--target",
                ])
                .arg(tools::WASM_TARGET)
                .arg("--")
                .args(DENY),
        ),
    );
    record(
        "native tests",
        counted(cargo().args(["test", "--workspace"])),
    );
    record(
        "wasm tests (Chromium)",
        counted(
            cargo()
                .args([
                    "test",
                    "--package",
                    "mimamori",
                    "--test",
                    "idb",
                    "--test",
                    "idb_sync",
                    "--test",
                    "idb_without_commit",
                    "--test",
                    "shell",
                    "--target",
                ])
                .arg(tools::WASM_TARGET)
                .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ),
    );

    let dist = dist_dir(Profile::Debug);
    // The server's binary as the native tests built it (for its own integration tests):
    // `cargo build -p mimamori-server` resolves features differently and compiled tokio,
    // hyper, axum and sqlx again (77 s on a fresh two-core machine).
    let prepared = build_pwa(Profile::Debug, &dist)
        .and_then(|()| run_checked(cargo().args(["test", "--workspace", "--no-run"])));
    let e2e = prepared.and_then(|()| {
        counted(e2e_tests(&dist, None).env("CHROMEDRIVER", "/usr/bin/chromedriver"))
    });
    record("end-to-end (Chromium)", e2e);

    // The smoke set in the other engines people's phones run: WebKit (every iPhone) and
    // Firefox. Chromium ran it above with everything else.
    let engines = tools::ensure_other_engines();
    for (name, engine) in [("smoke (WebKit)", "webkit"), ("smoke (Firefox)", "firefox")] {
        let outcome = match &engines {
            Err(error) => Err(anyhow::anyhow!("installing the engines: {error:#}")),
            Ok(()) => counted(e2e_tests(&dist, Some("smoke::")).env("MIMAMORI_BROWSER", engine)),
        };
        record(name, outcome);
    }

    println!();
    for step in &steps {
        let mark = if step.ok { "ok    " } else { "FAILED" };
        println!(
            "  {mark} {:<24} {} passed, {} failed",
            step.name, step.counts.passed, step.counts.failed
        );
    }
    let passed: u64 = steps.iter().map(|s| s.counts.passed).sum();
    let failed: u64 = steps.iter().map(|s| s.counts.failed).sum();
    println!("summary: {passed} passed, {failed} failed");
    Ok(if steps.iter().all(|s| s.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

const DENY: [&str; 2] = ["-D", "warnings"];

/// The end-to-end tests (those `filter` names, or all) against the debug PWA in `dist` and
/// the debug server, two browsers at a time: each is heavy on a two-core machine.
fn e2e_tests(dist: &std::path::Path, filter: Option<&str>) -> Command {
    let mut command = cargo();
    command
        .args([
            "test",
            "--package",
            "mimamori",
            "--features",
            "browser-tests",
            "--test",
            "e2e",
        ])
        .args(filter)
        .args(["--", "--test-threads=2"])
        .env(
            "MIMAMORI_SERVER_BIN",
            target_dir().join("debug").join("mimamori-server"),
        )
        .env("MIMAMORI_TEST_DIST", dist);
    command
}

/// A check without test counts (formatting, lints): one pass or one failure.
fn check(command: &mut Command) -> anyhow::Result<Counts> {
    run_checked(command)?;
    Ok(Counts {
        passed: 1,
        failed: 0,
    })
}

/// Runs a test command, streaming its output and adding up its `test result:` lines
/// (cargo's harness and wasm-bindgen-test-runner both print them).
fn counted(command: &mut Command) -> anyhow::Result<Counts> {
    eprintln!("xtask: $ {}", describe(command));
    let mut child = command.stdout(Stdio::piped()).spawn()?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut counts = Counts::default();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some(result) = parse_test_result(&line) {
            counts.passed += result.passed;
            counts.failed += result.failed;
        }
    }
    let status = child.wait()?;
    if !status.success() && counts.failed == 0 {
        // A build error or a crashed test binary: no count says so, the exit status does.
        counts.failed = 1;
    }
    Ok(counts)
}

/// `test result: ok. 14 passed; 0 failed; 0 ignored; …` → (14, 0).
fn parse_test_result(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        rest.split(';').find_map(|part| {
            part.trim().rsplit_once(' ').and_then(|(left, right)| {
                (right == word)
                    .then(|| left.rsplit(' ').next()?.parse().ok())
                    .flatten()
            })
        })
    };
    Some(Counts {
        passed: number_before("passed")?,
        failed: number_before("failed")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_and_wasm_bindgen_result_lines() {
        let ok = parse_test_result(
            "test result: ok. 14 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        )
        .unwrap();
        assert_eq!((ok.passed, ok.failed), (14, 0));
        let failed =
            parse_test_result("test result: FAILED. 3 passed; 2 failed; 0 ignored").unwrap();
        assert_eq!((failed.passed, failed.failed), (3, 2));
        assert!(parse_test_result("running 3 tests").is_none());
    }
}
