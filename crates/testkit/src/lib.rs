//! What the browser tests and the benchmarks share: the real `mimamori-server` started as a
//! process on a free loopback port, and a headless browser on a phone-sized screen: Chromium
//! through ChromeDriver, or WebKitGTK and Firefox ESR for the smoke set (see [`Engine`]).
//!
//! Both are stopped when dropped, so a failing test never leaves a server or a browser behind.

mod browser;
mod network;
mod server;

pub use browser::{Browser, Engine};
pub use server::{copy_dir, raw_request, unpack_build, ServerProcess};

use std::path::PathBuf;
use std::time::Duration;

/// A port on loopback that nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("binding a loopback port")
}

/// A path `cargo xtask` passes in an environment variable, with a message that says how to
/// get it when the variable is missing.
pub fn path_from_env(variable: &str) -> PathBuf {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("{variable} is not set: run the browser tests with `cargo xtask test`")
        })
}

/// Polls `check` until it returns `Some`, or fails after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
