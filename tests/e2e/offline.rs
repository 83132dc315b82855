//! The promise of the PWA: after one visit, the app opens with no network at all.
//! ChromeDriver's offline switch does not reach the service worker, so the server process
//! is really stopped.

use fantoccini::Locator;

use crate::{Fixture, PATIENCE};

#[tokio::test]
async fn app_opens_from_the_service_worker_after_the_server_is_stopped() -> anyhow::Result<()> {
    let Fixture {
        server, browser, ..
    } = Fixture::open().await?;
    browser.wait_for_service_worker(PATIENCE).await?;
    let url = server.url("/");
    let settings_url = server.url("/settings");
    server.stop().await?;

    browser.client.refresh().await?;
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    let nav = browser
        .client
        .find(Locator::Css("nav.bottom-nav"))
        .await?
        .text()
        .await?;
    assert!(
        nav.contains("社会資源"),
        "navigation after an offline reload: {nav}"
    );

    // Any route of the app opens offline, not only the one visited.
    browser.client.goto(&settings_url).await?;
    browser.wait_for_text("大きい文字", PATIENCE).await?;
    // The API is never answered from the cache: with the server gone it fails.
    let api = browser
        .js_async(
            "const done = arguments[arguments.length - 1];\
             fetch('/api/v1/health').then(r => done('answered ' + r.status), () => done('failed'));",
        )
        .await?;
    assert_eq!(api, "failed");

    browser.client.goto(&url).await?;
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    browser.close().await
}

#[tokio::test]
async fn the_coordinators_build_opens_with_no_server_after_its_first_use() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let sc = mimamori_testkit::Browser::start().await?;
    crate::sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.wait_for_service_worker(PATIENCE).await?;
    // The worker keeps the coordinators' build once asked (the volunteers' is precached).
    mimamori_testkit::eventually("the coordinators' build to be kept", PATIENCE, || async {
        let kept = sc
            .js_async(
                "const done = arguments[arguments.length - 1]; \
                 caches.keys().then(async (names) => { \
                   for (const n of names) { if (await (await caches.open(n)).match('/sc.html')) return done(true); } \
                   done(false); });",
            )
            .await
            .ok()?;
        (kept == serde_json::Value::Bool(true)).then_some(())
    })
    .await?;
    let desk = server.url("/sc/desk");
    server.stop().await?;

    sc.client.goto(&desk).await?;
    sc.wait_for_app(PATIENCE).await?;
    sc.wait_for_text("地区のようす", PATIENCE).await?;
    sc.close().await
}
