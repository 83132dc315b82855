//! Building the PWA with trunk, never letting trunk fetch anything itself.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::{root, run_checked, tools, xtask_dir};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Quick to build; what the tests use.
    Debug,
    /// Optimised and run through wasm-opt; what people get.
    Release,
}

/// Builds the PWA into `dist` with trunk: the volunteers' build (`index.html`) and the
/// coordinators' (`sc.html`: the same app with the feature `coordinator`, served under
/// /sc/), whose page and hashed files join the first's.
pub fn build_pwa(profile: Profile, dist: &Path) -> anyhow::Result<()> {
    build_page(profile, Path::new("index.html"), dist)?;
    let coordinators = xtask_dir().join(format!(
        "sc-{}",
        dist.file_name().and_then(|n| n.to_str()).unwrap_or("dist")
    ));
    build_page(profile, Path::new("sc.html"), &coordinators)?;
    std::fs::copy(coordinators.join("index.html"), dist.join("sc.html"))?;
    for entry in std::fs::read_dir(&coordinators)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default();
        if path.is_file() && !dist.join(name).exists() && name != "index.html" {
            std::fs::copy(&path, dist.join(name))?;
        }
    }
    Ok(())
}

/// Builds the page `html` (relative to the repository) and its wasm into `dist` with trunk.
pub fn build_page(profile: Profile, html: &Path, dist: &Path) -> anyhow::Result<()> {
    tools::ensure_build_tools()?;
    let mut path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .collect::<Vec<PathBuf>>();
    if profile == Profile::Release {
        path.insert(0, tools::ensure_wasm_opt()?);
    }
    let mut trunk = Command::new("trunk");
    trunk
        .current_dir(root())
        .arg("build")
        .arg(html)
        .arg("--dist")
        .arg(dist)
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("PATH", std::env::join_paths(path)?)
        // Trunk's cargo must not inherit the wasm test runner's settings from our caller.
        .env_remove("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER");
    if profile == Profile::Release {
        trunk.arg("--release");
    }
    run_checked(&mut trunk)
}

/// The folder a test or benchmark build goes to.
pub fn dist_dir(profile: Profile) -> PathBuf {
    match profile {
        Profile::Debug => xtask_dir().join("dist-debug"),
        Profile::Release => xtask_dir().join("dist-release"),
    }
}

/// `cargo xtask dist [--release]`: build the PWA into ./dist.
pub fn dist_command(args: &[String]) -> anyhow::Result<ExitCode> {
    let profile = if args.iter().any(|a| a == "--release") {
        Profile::Release
    } else {
        Profile::Debug
    };
    build_pwa(profile, &root().join("dist"))?;
    Ok(ExitCode::SUCCESS)
}
