//! A new build: the page keeps its build until the volunteer accepts, then loads the new
//! one whole, and the old build's cache is gone.

use fantoccini::Locator;
use mimamori_testkit::{copy_dir, free_port, ServerProcess};

use crate::{built_pwa, server_binary, PATIENCE};

const BUILD_MARKER: &str =
    "return (document.querySelector('meta[name=test-build]') || {}).content || 'first';";

#[tokio::test]
async fn a_new_build_is_offered_and_loaded_when_accepted() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    copy_dir(&built_pwa(), &first)?;
    copy_dir(&built_pwa(), &second)?;
    // The second build differs from the first in its index.html, as any rebuild would.
    let index = second.join("index.html");
    let html = std::fs::read_to_string(&index)?.replace(
        "<head>",
        "<head><meta name=\"test-build\" content=\"second\">",
    );
    std::fs::write(&index, html)?;

    let port = free_port();
    let database = dir.path().join("e2e.db");
    let server = ServerProcess::start(&server_binary(), port, &database, &first).await?;
    let browser = mimamori_testkit::Browser::start().await?;
    browser.client.goto(&server.url("/")).await?;
    browser.wait_for_service_worker(PATIENCE).await?;
    assert!(!browser
        .body_text()
        .await?
        .contains("新しいバージョンがあります"));
    server.stop().await?;

    // Same address, new build: the next visit finds a new service worker.
    let server = ServerProcess::start(&server_binary(), port, &database, &second).await?;
    browser.client.refresh().await?;
    browser
        .wait_for_text("新しいバージョンがあります", PATIENCE)
        .await?;
    assert_eq!(
        browser.js(BUILD_MARKER).await?,
        "first",
        "the page must not switch by itself"
    );

    browser
        .client
        .find(Locator::Css("[data-action=apply-update]"))
        .await?
        .click()
        .await?;
    mimamori_testkit::eventually("the second build to load", PATIENCE, || async {
        (browser.js(BUILD_MARKER).await.ok()? == "second").then_some(())
    })
    .await?;
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    assert!(!browser
        .body_text()
        .await?
        .contains("新しいバージョンがあります"));

    let caches = browser
        .js_async("const done = arguments[arguments.length - 1]; caches.keys().then(done);")
        .await?;
    let caches: Vec<&str> = caches
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        caches.len(),
        1,
        "exactly the new build's cache remains: {caches:?}"
    );

    // And the new build is what opens offline.
    server.stop().await?;
    browser.client.refresh().await?;
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    assert_eq!(browser.js(BUILD_MARKER).await?, "second");
    browser.close().await
}
