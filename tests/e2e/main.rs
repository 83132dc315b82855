//! End-to-end: the real server process, the built PWA, headless Chromium.
//!
//! `cargo xtask test` builds the PWA and the server and runs these with the
//! `browser-tests` feature; each test starts its own server on a free loopback port with a
//! temporary database, and its own browser with a fresh profile.

mod account;
mod city;
mod manifest;
mod offline;
mod resources;
mod salons;
mod shell;
mod smoke;
mod storage;
mod sync;
mod update;
mod upgrade;
mod watch;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mimamori_testkit::{free_port, path_from_env, Browser, ServerProcess};

/// Generous: the debug wasm is large and CI has two cores.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Fixture {
    pub server: ServerProcess,
    pub browser: Browser,
    pub dir: tempfile::TempDir,
}

pub fn server_binary() -> PathBuf {
    path_from_env("MIMAMORI_SERVER_BIN")
}

pub fn built_pwa() -> PathBuf {
    path_from_env("MIMAMORI_TEST_DIST")
}

impl Fixture {
    /// A server serving the built PWA, and a browser that has opened it.
    pub async fn open() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let server = ServerProcess::start(
            &server_binary(),
            free_port(),
            &dir.path().join("e2e.db"),
            &built_pwa(),
        )
        .await?;
        let browser = Browser::start().await?;
        browser.client.goto(&server.url("/")).await?;
        browser.wait_for_app(PATIENCE).await?;
        Ok(Self {
            server,
            browser,
            dir,
        })
    }
}

/// A server with the demo accounts (password `mimamori-demo`) on a fresh database in `dir`.
pub async fn start_demo(dir: &Path) -> anyhow::Result<ServerProcess> {
    start_demo_on(dir, free_port()).await
}

/// [`start_demo`] on `port`: on the same `dir` and port, the same server coming back.
pub async fn start_demo_on(dir: &Path, port: u16) -> anyhow::Result<ServerProcess> {
    ServerProcess::start_with(
        &server_binary(),
        port,
        &dir.join("e2e.db"),
        &built_pwa(),
        &["--demo"],
    )
    .await
}

/// Runs `mimamori-server admin <args>` on the database of [`start_demo`] in `dir`, as the
/// office would; returns what it printed.
pub async fn admin(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let database = format!("sqlite://{}", dir.join("e2e.db").display());
    let output = tokio::process::Command::new(server_binary())
        .args(["admin", "--database", &database])
        .args(args)
        .output()
        .await?;
    anyhow::ensure!(
        output.status.success(),
        "admin {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Types `value` into the field `css` names, replacing what was there.
pub async fn fill(browser: &Browser, css: &str, value: &str) -> anyhow::Result<()> {
    // A screen still reading draws its form a moment later.
    let input = mimamori_testkit::eventually(&format!("the field {css}"), PATIENCE, || async {
        browser
            .client
            .find(fantoccini::Locator::Css(css))
            .await
            .ok()
    })
    .await?;
    input.clear().await?;
    input.send_keys(value).await?;
    Ok(())
}

/// Signs in from 設定 with a demo account and waits for the first sync.
pub async fn sign_in(
    browser: &Browser,
    server: &ServerProcess,
    login_id: &str,
) -> anyhow::Result<()> {
    browser.client.goto(&server.url("/settings")).await?;
    browser.wait_for_app(PATIENCE).await?;
    fill(browser, "input[name=login_id]", login_id).await?;
    fill(browser, "input[name=password]", "mimamori-demo").await?;
    browser.tap("[data-action=sign-in]").await?;
    browser.wait_for_text("最終同期 今日", PATIENCE).await?;
    // Coordinators and the city work in their own build: the app moves there (one page
    // load); wait for it, so that no tap lands on the page being left.
    if login_id.ends_with(".sc") || login_id == "city" {
        mimamori_testkit::eventually("the coordinators' build", PATIENCE, || async {
            let path = browser.js("return location.pathname;").await.ok()?;
            path.as_str()?.starts_with("/sc").then_some(())
        })
        .await?;
        browser.wait_for_app(PATIENCE).await?;
        browser.wait_for_text("最終同期 今日", PATIENCE).await?;
    }
    Ok(())
}

/// The id of the resident whose page (or visit form) is open.
pub async fn open_resident(browser: &Browser) -> anyhow::Result<String> {
    let id = browser
        .js("return (p => p.startsWith('/sc/') ? p.slice(3) : p)(location.pathname).split('/')[2];")
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

/// Registers a resident by name from the list; returns their id (their page is open).
pub async fn register(browser: &Browser, name: &str) -> anyhow::Result<String> {
    browser.tap("[data-nav=watch]").await?;
    browser.tap("[data-action=add-resident]").await?;
    fill(browser, "input[name=resident_name]", name).await?;
    browser.tap("[data-action=save-resident]").await?;
    browser.wait_for_text("訪問を記録する", PATIENCE).await?;
    open_resident(browser).await
}

/// On the watch list: the row of resident `id`, by its CSS.
pub fn row(id: &str) -> String {
    format!("[data-resident='{id}']")
}

/// Saves the visit form as it stands and waits for the list to say so.
pub async fn save_visit(browser: &Browser) -> anyhow::Result<()> {
    browser.tap("[data-action=save-visit]").await?;
    browser.wait_for_text("訪問を保存しました", PATIENCE).await
}

/// The status line under the title.
pub async fn status(browser: &Browser) -> anyhow::Result<String> {
    Ok(browser
        .client
        .find(fantoccini::Locator::Css(".sync-status"))
        .await?
        .text()
        .await?)
}

/// Waits until the status line says everything was sent.
pub async fn wait_until_sent(phone: &Browser) -> anyhow::Result<()> {
    mimamori_testkit::eventually("everything to be sent", PATIENCE, || async {
        status(phone)
            .await
            .ok()
            .filter(|s| s.contains("すべて送信済み"))
            .map(|_| ())
    })
    .await
}

/// Whether the element is there now.
pub async fn present(phone: &Browser, css: &str) -> anyhow::Result<bool> {
    Ok(phone
        .js(&format!("return !!document.querySelector({css:?});"))
        .await?
        == serde_json::Value::Bool(true))
}

/// An attribute of the element `css`.
pub async fn attribute(phone: &Browser, css: &str, name: &str) -> anyhow::Result<String> {
    let value = phone
        .js(&format!(
            "const e = document.querySelector({css:?}); return e ? e.getAttribute({name:?}) : null;"
        ))
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

pub async fn text_of(phone: &Browser, css: &str) -> anyhow::Result<String> {
    let value = phone
        .js(&format!(
            "const e = document.querySelector({css:?}); return e ? e.textContent : '';"
        ))
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// Waits for the element `css` to be drawn.
pub async fn wait_for(phone: &Browser, css: &str) -> anyhow::Result<()> {
    mimamori_testkit::eventually(css, PATIENCE, || async {
        present(phone, css).await.ok().filter(|p| *p).map(|_| ())
    })
    .await
}
