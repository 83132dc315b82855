//! `cargo xtask <command>`: everything a developer does, written in Rust so that cargo is
//! the only prerequisite (the rust-analyzer habit).
//!
//! - `run [--port N]`: install what is missing, build the PWA (release) and the server,
//!   serve both with demo data on http://127.0.0.1:8080, stop on Ctrl-C.
//! - `test`: install what is missing, then formatting, clippy, native tests, wasm tests in
//!   headless Chromium and the end-to-end browser tests; ends with one summary line.
//! - `bench`: measured figures (wasm size, first-visit bytes, offline start time);
//!   `bench sync`: the sync engine's saves, push and pull beside their floors;
//!   `bench visits`: the 見守り screens; `bench resources`: the directory's search.
//! - `sim [--steps N] [--seed S]`: a long run of the seeded sync simulation.

mod bench;
mod bench_lighthouse;
mod bench_resources;
mod bench_sync;
mod bench_visits;
mod build;
mod run;
mod stories;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("test") => test::test(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("dist") => build::dist_command(&args[1..]),
        Some("sim") => simulation(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <run [--port N] | test | bench [sync [--visits N]] | dist [--release] | sim [--steps N] [--seed S]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the workspace root).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// The shared target directory, honouring `CARGO_TARGET_DIR`.
/// The cargo profile the server is built with for serving and measuring (Cargo.toml says
/// why it is not `release`).
pub const SERVER_PROFILE: &str = "server";

/// Builds `mimamori-server` (and `extra`, e.g. an example) with [`SERVER_PROFILE`]; returns
/// the folder the binaries land in.
pub fn build_server(extra: &[&str]) -> anyhow::Result<PathBuf> {
    run_checked(
        cargo()
            .args([
                "build",
                "--profile",
                SERVER_PROFILE,
                "--package",
                "mimamori-server",
            ])
            .args(extra),
    )?;
    Ok(target_dir().join(SERVER_PROFILE))
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Where xtask keeps what it installs and builds for itself.
pub fn xtask_dir() -> PathBuf {
    target_dir().join("xtask")
}

/// `cargo`, as the one running us.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// Runs a command, echoing it, and fails unless it succeeds.
pub fn run_checked(command: &mut Command) -> anyhow::Result<()> {
    eprintln!("xtask: $ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| anyhow::anyhow!("{}: {e}", describe(command)))?;
    anyhow::ensure!(
        status.success(),
        "{} failed with {status}",
        describe(command)
    );
    Ok(())
}

pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo xtask sim`: the sync simulation of `crates/server/tests/simulation/`, longer
/// than CI runs it (20,000 steps by default), with a fresh seed unless one is given.
fn simulation(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut steps = "20000".to_owned();
    let mut seed = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next().cloned();
        match (arg.as_str(), value) {
            ("--steps", Some(value)) => steps = value,
            ("--seed", Some(value)) => seed = Some(value),
            _ => anyhow::bail!("usage: cargo xtask sim [--steps N] [--seed S]"),
        }
    }
    let mut command = cargo();
    command
        .args([
            "test",
            "--package",
            "mimamori-server",
            "--test",
            "simulation",
            "--",
            "--nocapture",
        ])
        .env("MIMAMORI_SIM_STEPS", steps);
    if let Some(seed) = seed {
        command.env("MIMAMORI_SIM_SEED", seed);
    }
    run_checked(&mut command)?;
    Ok(ExitCode::SUCCESS)
}
