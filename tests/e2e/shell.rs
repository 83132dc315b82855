//! The shell a volunteer sees: Japanese, five sections, a status line, large text that stays.

use fantoccini::Locator;

use crate::{Fixture, PATIENCE};

#[tokio::test]
async fn shell_renders_in_japanese_with_the_five_sections() -> anyhow::Result<()> {
    let Fixture {
        server, browser, ..
    } = Fixture::open().await?;
    assert_eq!(
        browser.js("return document.documentElement.lang;").await?,
        "ja"
    );
    // Each screen names itself in the document's title.
    mimamori_testkit::eventually("the title to name the screen", PATIENCE, || async {
        let title = browser.client.title().await.ok()?;
        (title == "見守り訪問 | 見守り手帳").then_some(())
    })
    .await?;

    let nav = browser
        .client
        .find(Locator::Css("nav.bottom-nav"))
        .await?
        .text()
        .await?;
    for label in ["見守り", "サロン", "社会資源", "記録", "設定"] {
        assert!(nav.contains(label), "navigation lacks {label}: {nav}");
    }
    let status = browser
        .client
        .find(Locator::Css(".sync-status"))
        .await?
        .text()
        .await?;
    assert!(
        status.contains("ログインしていません"),
        "status line: {status}"
    );
    assert!(browser.body_text().await?.contains("見守り訪問"));

    // Every navigation target is at least 48px tall (ux.md).
    let smallest = browser
        .js(
            "return Math.min(...[...document.querySelectorAll('.nav-item')]\
             .map(e => e.getBoundingClientRect().height));",
        )
        .await?;
    assert!(
        smallest.as_f64().unwrap_or(0.0) >= 48.0,
        "nav targets: {smallest}"
    );

    browser
        .client
        .find(Locator::Css("[data-nav=salons]"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("今週・来週のサロン", PATIENCE)
        .await?;
    assert_eq!(browser.client.current_url().await?.path(), "/salons");
    let current = "return document.querySelector('[aria-current=page]')?.dataset.nav ?? null;";
    assert_eq!(browser.js(current).await?, "salons");

    // Screens change inside the page (nothing reloads), and back and forward follow them.
    browser
        .js("window.stillTheSamePage = true; return null;")
        .await?;
    browser.client.back().await?;
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    assert_eq!(browser.client.current_url().await?.path(), "/");
    assert_eq!(browser.js(current).await?, "watch");
    browser.client.forward().await?;
    browser
        .wait_for_text("今週・来週のサロン", PATIENCE)
        .await?;
    assert_eq!(browser.js(current).await?, "salons");
    assert_eq!(
        browser
            .js("return window.stillTheSamePage === true;")
            .await?,
        true
    );

    // A route opened directly (a bookmark) gets the app, not a 404.
    browser.client.goto(&server.url("/resources")).await?;
    browser.wait_for_text("社会資源まとめ", PATIENCE).await?;

    browser.close().await?;
    server.stop().await
}

#[tokio::test]
async fn large_text_setting_applies_at_once_and_persists_across_reloads() -> anyhow::Result<()> {
    let Fixture {
        server, browser, ..
    } = Fixture::open().await?;
    let base_font = "return getComputedStyle(document.documentElement).fontSize;";
    assert_eq!(browser.js(base_font).await?, "18px");

    browser
        .client
        .find(Locator::Css("[data-nav=settings]"))
        .await?
        .click()
        .await?;
    let switch = browser
        .client
        .wait()
        .for_element(Locator::Css("[data-setting=large-text]"))
        .await?;
    assert_eq!(switch.attr("aria-checked").await?.as_deref(), Some("false"));
    switch.click().await?;
    assert_eq!(switch.attr("aria-checked").await?.as_deref(), Some("true"));
    assert_eq!(browser.js(base_font).await?, "22px");
    browser
        .wait_for_text("大きい文字で表示しています", PATIENCE)
        .await?;

    // Saved in IndexedDB: a reload starts large, before any tap.
    mimamori_testkit::eventually("the setting to be saved", PATIENCE, || async {
        browser.client.refresh().await.ok()?;
        browser.wait_for_app(PATIENCE).await.ok()?;
        (browser.js(base_font).await.ok()? == "22px").then_some(())
    })
    .await?;

    browser.close().await?;
    server.stop().await
}

#[tokio::test]
async fn status_line_says_offline_calmly_and_recovers() -> anyhow::Result<()> {
    let Fixture {
        server, browser, ..
    } = Fixture::open().await?;
    let status = || async {
        browser
            .client
            .find(Locator::Css(".sync-status"))
            .await?
            .text()
            .await
    };
    assert!(!status().await?.contains("オフライン"));

    browser.set_offline(true).await?;
    mimamori_testkit::eventually("the status line to say offline", PATIENCE, || async {
        status()
            .await
            .ok()
            .filter(|s| s.starts_with("オフライン"))
            .map(|_| ())
    })
    .await?;
    // Offline is normal: no error is shown.
    assert!(browser
        .client
        .find_all(Locator::Css("[role=alert]"))
        .await?
        .is_empty());

    browser.set_offline(false).await?;
    mimamori_testkit::eventually("the status line to drop offline", PATIENCE, || async {
        status()
            .await
            .ok()
            .filter(|s| !s.contains("オフライン"))
            .map(|_| ())
    })
    .await?;

    browser.close().await?;
    server.stop().await
}

#[tokio::test]
async fn the_consent_switch_says_its_state_whole_in_large_text() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let phone = mimamori_testkit::Browser::start().await?;
    crate::sign_in(&phone, &server, "noritsuke.v1").await?;
    phone
        .js("document.documentElement.classList.add('large-text');")
        .await?;
    phone.tap("[data-action=add-resident]").await?;
    crate::wait_for(&phone, "[data-action=share-with-center] .switch-state").await?;
    let lines = phone
        .js("const r = document.createRange(); \
             r.selectNodeContents(document.querySelector('[data-action=share-with-center] .switch-state')); \
             return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;")
        .await?;
    assert_eq!(lines.as_i64(), Some(1), "「いいえ」 broken over lines");
    phone.close().await?;
    server.stop().await
}

#[tokio::test]
async fn an_iphone_user_in_safari_is_told_once_how_to_add_the_app_to_the_home_screen(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let phone = mimamori_testkit::Browser::start().await?;
    // Safari on an iPhone, as far as the page can tell.
    phone
        .cdp(
            "Emulation.setUserAgentOverride",
            serde_json::json!({
                "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
                "platform": "iPhone",
            }),
        )
        .await?;
    phone.client.goto(&server.url("/")).await?;
    phone.wait_for_app(PATIENCE).await?;
    crate::wait_for(&phone, "[data-hint=home-screen]").await?;
    let said = phone.body_text().await?;
    assert!(said.contains("ホーム画面に追加"), "{said}");
    assert!(said.contains("共有ボタン"), "{said}");
    phone.tap("[data-action=home-screen-hint-read]").await?;
    assert!(!crate::present(&phone, "[data-hint=home-screen]").await?);
    // Read once: the next opening does not say it again.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    phone.client.refresh().await?;
    phone.wait_for_app(PATIENCE).await?;
    phone.wait_for_text("見守り訪問", PATIENCE).await?;
    assert!(!crate::present(&phone, "[data-hint=home-screen]").await?);
    phone.close().await?;
    server.stop().await
}

#[tokio::test]
async fn other_phones_are_not_told_about_the_iphone_home_screen() -> anyhow::Result<()> {
    let Fixture {
        server, browser, ..
    } = Fixture::open().await?;
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    assert!(!crate::present(&browser, "[data-hint=home-screen]").await?);
    browser.close().await?;
    server.stop().await
}
