//! The smoke set: the stories every phone must carry, written to run in every engine
//! (`MIMAMORI_BROWSER`: Chromium with the full suite, then WebKit — Safari's engine, as on
//! every iPhone — and Firefox ESR). Nothing here uses Chromium's own switches: "no signal"
//! is the server stopped, which is also what an offline phone meets.
//!
//! Open, sign in, the list; a visit saved with no server after a reload, sent once when the
//! server is back; the coordinators' build; a search of the directory.

use mimamori_testkit::Browser;

use crate::{fill, present, row, sign_in, status, wait_for, wait_until_sent, PATIENCE};

/// The id of the first resident on the list.
async fn first_resident(phone: &Browser) -> anyhow::Result<String> {
    wait_for(phone, "[data-resident]").await?;
    let id = phone
        .js("return document.querySelector('[data-resident]').dataset.resident;")
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn smoke_a_volunteer_opens_the_app_signs_in_and_sees_their_list() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.wait_for_text("見守り訪問", PATIENCE).await?;
    first_resident(&phone).await?;
    let said = phone.body_text().await?;
    for tab in ["見守り", "サロン", "社会資源", "記録", "設定"] {
        assert!(said.contains(tab), "{tab} in the bottom bar: {said}");
    }
    assert!(
        !said.contains("新しいバージョンがあります"),
        "a first visit has nothing to update from"
    );
    phone.close().await?;
    server.stop().await
}

#[tokio::test]
async fn smoke_a_visit_saved_with_no_server_after_a_reload_is_sent_once_when_it_returns(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let port = server.port;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.wait_for_service_worker(PATIENCE).await?;
    let resident = first_resident(&phone).await?;

    // No signal at the door: the app opens from the phone alone, and the visit is kept.
    server.stop().await?;
    // The page's own reload, as a person's: WebDriver's refresh in Firefox skips the
    // service worker, as a forced reload does.
    phone
        .js("window.__before_reload = true; setTimeout(() => location.reload(), 0);")
        .await?;
    mimamori_testkit::eventually("the page to load again", PATIENCE, || async {
        let fresh_page = phone.js("return !window.__before_reload;").await.ok()?;
        (fresh_page == true).then_some(())
    })
    .await?;
    phone.wait_for_app(PATIENCE).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&resident)))
        .await?;
    fill(&phone, "textarea[name=visit_note]", "玄関先でお話しした").await?;
    phone.tap("[data-action=save-visit]").await?;
    phone.wait_for_text("訪問を保存しました", PATIENCE).await?;
    mimamori_testkit::eventually("the visit to wait", PATIENCE, || async {
        status(&phone)
            .await
            .ok()
            .filter(|s| s.contains("未送信 1件"))
    })
    .await?;

    // The signal returns: sent, once.
    let server = crate::start_demo_on(dir.path(), port).await?;
    phone.tap("[data-action=sync-now]").await?;
    wait_until_sent(&phone).await?;
    phone.tap("[data-action=sync-now]").await?;
    wait_until_sent(&phone).await?;
    phone.close().await?;

    let fresh = Browser::start().await?;
    sign_in(&fresh, &server, "noritsuke.v1").await?;
    fresh.tap(&format!("{} .watch-who", row(&resident))).await?;
    fresh.wait_for_text("玄関先でお話しした", PATIENCE).await?;
    let held = fresh
        .js("return [...document.querySelectorAll('.visit-line')]\
             .filter(l => l.textContent.includes('玄関先でお話しした')).length;")
        .await?;
    assert_eq!(held.as_i64(), Some(1), "the server holds the visit once");
    fresh.close().await?;
    server.stop().await
}

#[tokio::test]
async fn smoke_a_coordinator_works_in_the_coordinators_build_and_reads_the_desk(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.tap("[data-action=open-desk]").await?;
    sc.wait_for_text("地区のようす", PATIENCE).await?;
    wait_for(&sc, "[data-desk=concerns]").await?;
    let path = sc.js("return location.pathname;").await?;
    assert_eq!(path.as_str(), Some("/sc/desk"));
    sc.close().await?;
    server.stop().await
}

#[tokio::test]
async fn smoke_a_volunteer_searches_the_directory_however_it_is_typed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = crate::start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.tap("[data-nav=resources]").await?;
    wait_for(&phone, ".resource-link").await?;
    for query in ["たくし", "ﾀｸｼｰ"] {
        fill(&phone, "input[name=resource_search]", query).await?;
        mimamori_testkit::eventually(&format!("{query} to find the taxi"), PATIENCE, || async {
            let first = crate::text_of(&phone, ".resource-link .watch-name")
                .await
                .ok()?;
            (first == "おとしよりぐるりんタクシー").then_some(())
        })
        .await?;
    }
    // Another district's entry is found too, below the user's own, named.
    fill(&phone, "input[name=resource_search]", "とくしまる").await?;
    wait_for(&phone, "[data-other-districts]").await?;
    assert!(present(&phone, ".resource-link").await?);
    phone.close().await?;
    server.stop().await
}
