//! Signing in from 設定 and the first sync; the status line tells the truth throughout.

use fantoccini::Locator;
use mimamori_testkit::Browser;

use crate::{fill, sign_in, start_demo, PATIENCE};

#[tokio::test]
async fn a_volunteer_signs_in_syncs_and_signs_out() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&server.url("/settings")).await?;
    browser.wait_for_app(PATIENCE).await?;

    // A wrong password is said plainly, in Japanese, and nothing else changes.
    fill(&browser, "input[name=login_id]", "noritsuke.v1").await?;
    fill(&browser, "input[name=password]", "wrong password").await?;
    browser.tap("[data-action=sign-in]").await?;
    browser
        .wait_for_text("ログインIDかパスワードが違います。", PATIENCE)
        .await?;

    fill(&browser, "input[name=password]", "mimamori-demo").await?;
    browser.tap("[data-action=sign-in]").await?;
    // Signed in, the app goes to the list; the first sync ran: the status line names its time.
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    browser.wait_for_text("最終同期 今日", PATIENCE).await?;
    let path = browser.js("return location.pathname;").await?;
    assert_eq!(path.as_str(), Some("/"));

    // Signed in survives a reload (the session is in IndexedDB).
    browser.tap("[data-nav=settings]").await?;
    browser.client.refresh().await?;
    browser
        .wait_for_text("としてログインしています。", PATIENCE)
        .await?;
    assert!(browser.body_text().await?.contains("乗附 見守り 鈴木さん"));
    browser.tap("[data-action=sync-now]").await?;
    browser.wait_for_text("最終同期 今日", PATIENCE).await?;

    browser.tap("[data-action=sign-out]").await?;
    browser.wait_for_text("ログインする", PATIENCE).await?;
    let status = browser
        .client
        .find(Locator::Css(".sync-status"))
        .await?
        .text()
        .await?;
    assert!(
        !status.contains("最終同期"),
        "the user's sync state left with them: {status}"
    );

    browser.close().await?;
    server.stop().await
}

#[tokio::test]
async fn signing_out_with_unsent_records_asks_first() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &server, "noritsuke.v2").await?;

    browser.set_offline(true).await?;
    crate::register(&browser, "片岡 タロウ").await?;

    browser.tap("[data-nav=settings]").await?;
    browser.tap("[data-action=sign-out]").await?;
    browser
        .wait_for_text("未送信の記録が1件あります", PATIENCE)
        .await?;
    browser.tap("[data-action=keep-signed-in]").await?;
    assert!(
        browser
            .body_text()
            .await?
            .contains("としてログインしています。"),
        "nothing happened"
    );

    browser.tap("[data-action=sign-out]").await?;
    browser.tap("[data-action=sign-out-anyway]").await?;
    browser.wait_for_text("ログインする", PATIENCE).await?;
    let status = browser
        .client
        .find(Locator::Css(".sync-status"))
        .await?
        .text()
        .await?;
    assert!(
        status.contains("ログインしていません") && !status.contains("未送信"),
        "the signed-out user's outbox left with them: {status}"
    );

    browser.close().await?;
    server.stop().await
}

/// A new volunteer signs in with the temporary password the office printed, is asked to
/// choose their own, and from then on only the new one works.
#[tokio::test]
async fn a_temporary_password_is_replaced_at_first_sign_in() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let printed = crate::admin(
        dir.path(),
        &[
            "user",
            "create",
            "--login",
            "new.volunteer",
            "--name",
            "新しい人",
            "--role",
            "volunteer",
            "--district",
            "乗附",
        ],
    )
    .await?;
    let temporary = printed
        .lines()
        .find_map(|line| line.strip_prefix("temporary password: "))
        .unwrap_or_else(|| panic!("no temporary password in {printed:?}"))
        .to_owned();

    let browser = Browser::start().await?;
    browser.client.goto(&server.url("/settings")).await?;
    browser.wait_for_app(PATIENCE).await?;
    fill(&browser, "input[name=login_id]", "new.volunteer").await?;
    fill(&browser, "input[name=password]", &temporary).await?;
    browser.tap("[data-action=sign-in]").await?;
    browser
        .wait_for_text("いまのパスワードは仮のものです", PATIENCE)
        .await?;
    // The server takes nothing from a temporary password: the app says why it waits.
    browser
        .wait_for_text("仮のパスワードのままです", PATIENCE)
        .await?;

    fill(&browser, "input[name=current_password]", &temporary).await?;
    fill(&browser, "input[name=new_password]", "sakura-no-hana").await?;
    fill(
        &browser,
        "input[name=new_password_again]",
        "sakura-no-hana2",
    )
    .await?;
    browser.tap("[data-action=save-password]").await?;
    browser
        .wait_for_text("2回とも同じになるように", PATIENCE)
        .await?;
    fill(&browser, "input[name=new_password_again]", "sakura-no-hana").await?;
    browser.tap("[data-action=save-password]").await?;
    browser
        .wait_for_text("パスワードを変えました。", PATIENCE)
        .await?;
    assert!(!browser.body_text().await?.contains("仮のもの"));
    // The new password lets sync through at once.
    mimamori_testkit::eventually("the sync to succeed", PATIENCE, || async {
        let text = browser.body_text().await.ok()?;
        (!text.contains("仮のパスワードのままです")).then_some(())
    })
    .await?;

    // Signed out and in again: only the new password opens the account.
    browser.tap("[data-action=sign-out]").await?;
    browser.wait_for_text("ログインする", PATIENCE).await?;
    for (password, expected) in [
        (temporary.as_str(), "ログインIDかパスワードが違います。"),
        ("sakura-no-hana", "見守り訪問"),
    ] {
        fill(&browser, "input[name=login_id]", "new.volunteer").await?;
        fill(&browser, "input[name=password]", password).await?;
        browser.tap("[data-action=sign-in]").await?;
        browser.wait_for_text(expected, PATIENCE).await?;
    }
    assert!(!browser.body_text().await?.contains("仮のもの"));

    browser.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_volunteer_signing_in_is_never_told_the_list_is_empty_while_it_arrives(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&server.url("/settings")).await?;
    browser.wait_for_app(PATIENCE).await?;
    fill(&browser, "input[name=login_id]", "noritsuke.v1").await?;
    fill(&browser, "input[name=password]", "mimamori-demo").await?;
    // Every word the page ever shows from here on, however briefly.
    browser
        .js("window.__seen = ''; new MutationObserver(() => { window.__seen += document.body.innerText; })\
             .observe(document.body, { childList: true, subtree: true, characterData: true });")
        .await?;
    browser.tap("[data-action=sign-in]").await?;
    browser.wait_for_text("最終同期 今日", PATIENCE).await?;
    crate::wait_for(&browser, "[data-resident]").await?;
    let seen = browser.js("return window.__seen;").await?;
    let seen = seen.as_str().unwrap_or_default();
    assert!(
        !seen.contains("担当の方はまだ登録されていません"),
        "the list was called empty before the first sync brought it"
    );
    browser.close().await?;
    server.stop().await
}
