//! Installs what the project needs, only from the package registries (crates.io, npm,
//! Debian's apt), and only when it is missing: a second run skips everything here.
//! Versions and pitfalls: shared/design/toolchain.md.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context as _;

use crate::{cargo, root, run_checked, xtask_dir};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// trunk 0.22 needs a newer rustc than these machines have.
pub const TRUNK_VERSION: &str = "0.21.14";
/// Debian's binaryen (108) breaks current wasm-bindgen output; npm's 132 works.
pub const BINARYEN_NPM: &str = "binaryen@132.0.0";
/// WebDriver for Firefox ESR, built from crates.io (Mozilla's own downloads are out of reach).
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// The first line a command prints for `--version`, or `None` when it cannot run.
fn version_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = version_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    run_checked(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

pub fn ensure_trunk() -> anyhow::Result<()> {
    if version_of("trunk", &["--version"]).is_some_and(|v| v.ends_with(TRUNK_VERSION)) {
        return Ok(());
    }
    run_checked(cargo().args(["install", "trunk", "--locked", "--version", TRUNK_VERSION]))
}

/// The wasm-bindgen version Cargo.lock names: the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    anyhow::bail!("Cargo.lock names no wasm-bindgen package")
}

pub fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let version = locked_wasm_bindgen_version()?;
    let matches =
        |program: &str| version_of(program, &["--version"]).is_some_and(|v| v.ends_with(&version));
    if matches("wasm-bindgen") && matches("wasm-bindgen-test-runner") {
        return Ok(());
    }
    // Without --locked: the CLI's own lock names a webpki-roots release the registry lacks.
    run_checked(cargo().args(["install", "wasm-bindgen-cli", "--version", &version]))
}

/// Installs npm's binaryen into xtask's folder and returns the folder holding `wasm-opt`,
/// to be put first on trunk's PATH.
pub fn ensure_wasm_opt() -> anyhow::Result<PathBuf> {
    let prefix = xtask_dir().join("binaryen");
    let bin = prefix.join("node_modules").join(".bin");
    let wasm_opt = bin.join("wasm-opt");
    if version_of(&wasm_opt.to_string_lossy(), &["--version"]).is_some_and(|v| v.contains("132")) {
        return Ok(bin);
    }
    ensure_npm()?;
    std::fs::create_dir_all(&prefix)?;
    run_checked(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args(["--no-audit", "--no-fund", "--no-save", BINARYEN_NPM]),
    )?;
    Ok(bin)
}

/// Node and npm from Debian, for the npm packages (binaryen's wasm-opt, Lighthouse).
pub fn ensure_npm() -> anyhow::Result<()> {
    if version_of("npm", &["--version"]).is_some() {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"])
}

/// Chromium and ChromeDriver from Debian, for the wasm and end-to-end tests.
pub fn ensure_chromium() -> anyhow::Result<()> {
    let present = |path: &str| std::path::Path::new(path).exists();
    if present("/usr/bin/chromium") && present("/usr/bin/chromedriver") {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

/// WebKitGTK (Safari's engine: WebKitWebDriver and MiniBrowser, on a virtual display) and
/// Firefox ESR with geckodriver, for the smoke set. Mesa's drivers let WebKit draw without a
/// GPU; the rest of what apt recommends (codecs, portals) the tests never use.
pub fn ensure_other_engines() -> anyhow::Result<()> {
    let present = |path: &str| std::path::Path::new(path).exists();
    if !(present("/usr/bin/WebKitWebDriver")
        && present("/usr/bin/Xvfb")
        && present("/usr/bin/firefox-esr"))
    {
        apt_install(&[
            "webkit2gtk-driver",
            "xvfb",
            "firefox-esr",
            "libgl1-mesa-dri",
        ])?;
    }
    if version_of("geckodriver", &["--version"])
        .is_some_and(|v| v.starts_with(&format!("geckodriver {GECKODRIVER_VERSION}")))
    {
        return Ok(());
    }
    // Unoptimised: it only relays a few commands per test, and builds in 46 s instead of
    // 115 s on a fresh two-core machine.
    run_checked(cargo().args([
        "install",
        "geckodriver",
        "--locked",
        "--debug",
        "--version",
        GECKODRIVER_VERSION,
    ]))
}

fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let as_root = version_of("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut command = if as_root {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !as_root {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run_checked(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(packages);
    run_checked(&mut install)
}

/// Everything a PWA build needs.
pub fn ensure_build_tools() -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()
}
