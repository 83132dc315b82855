//! A real update across a local schema change: a phone on the previous build (kept in
//! `tests/fixtures/previous-build`, IndexedDB schema 5) saves visits with no signal, takes
//! the new build through the update prompt (schema 6 upgrades its database), shows what it
//! saved, and its visits reach the server exactly once. Kept for every later schema change.

use fantoccini::Locator;
use mimamori_testkit::{free_port, unpack_build, Browser, ServerProcess};

use crate::{built_pwa, fill, server_binary, sign_in, status, PATIENCE};

/// The previous build's wasm, by the hash trunk put in its name.
const PREVIOUS_WASM: &str = "f24cffd257054395";

#[tokio::test]
async fn a_phone_on_the_previous_build_updates_and_its_unsent_visits_arrive_once(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let previous = dir.path().join("previous");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/previous-build");
    unpack_build(&fixture, &previous)?;
    let port = free_port();
    let database = dir.path().join("e2e.db");
    let server = ServerProcess::start_with(
        &server_binary(),
        port,
        &database,
        &previous,
        // The previous build predates the demo district's follow-ups: accounts only.
        &["--demo", "--demo-accounts-only"],
    )
    .await?;

    // On the previous build: sign in, register a resident, then lose the signal and log
    // two visits at the door.
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.wait_for_service_worker(PATIENCE).await?;
    let script = phone
        .js("return document.querySelector('script[type=module]').textContent;")
        .await?;
    assert!(script.as_str().unwrap_or_default().contains(PREVIOUS_WASM));
    phone.tap("[data-nav=watch]").await?;
    phone.tap("[data-action=add-resident]").await?;
    fill(&phone, "input[name=resident_name]", "更新 ハナ").await?;
    phone.tap("[data-action=save-resident]").await?;
    phone.wait_for_text("訪問を記録する", PATIENCE).await?;
    mimamori_testkit::eventually("the resident to be sent", PATIENCE, || async {
        status(&phone)
            .await
            .ok()
            .filter(|s| s.contains("すべて送信済み"))
            .map(|_| ())
    })
    .await?;
    phone.set_offline(true).await?;
    phone.tap("[data-action=save-visit]").await?;
    phone.wait_for_text("保存しました。", PATIENCE).await?;
    phone.tap("[data-outcome=worrying]").await?;
    fill(&phone, "textarea[name=visit_note]", "新聞がたまっていた").await?;
    phone.tap("[data-action=save-visit]").await?;
    phone.wait_for_text("新聞がたまっていた", PATIENCE).await?;
    assert!(status(&phone).await?.contains("未送信 2件"));

    // The office installs the new build on the same address. The phone's page still has no
    // signal of its own, but its service worker finds the new build and offers it.
    server.stop().await?;
    let server =
        ServerProcess::start_with(&server_binary(), port, &database, &built_pwa(), &["--demo"])
            .await?;
    phone.client.refresh().await?;
    phone
        .wait_for_text("新しいバージョンがあります", PATIENCE)
        .await?;
    phone.tap("[data-action=apply-update]").await?;
    // The new build, its database upgraded: the resident's page still shows both visits,
    // still unsent.
    mimamori_testkit::eventually("the new build to load", PATIENCE, || async {
        let text = phone.body_text().await.ok()?;
        (!text.contains("新しいバージョンがあります") && text.contains("新聞がたまっていた"))
            .then_some(())
    })
    .await?;
    let script = phone
        .js("return document.querySelector('script[type=module]').textContent;")
        .await?;
    assert!(
        !script.as_str().unwrap_or_default().contains(PREVIOUS_WASM),
        "the new build runs: {script}"
    );
    let version = phone
        .js_async(
            "const done = arguments[arguments.length - 1]; \
             const open = indexedDB.open('mimamori'); \
             open.onsuccess = () => { done(open.result.version); open.result.close(); };",
        )
        .await?;
    assert_eq!(version, 6, "the database was upgraded");
    let lines = phone.client.find_all(Locator::Css(".visit-line")).await?;
    assert_eq!(lines.len(), 2, "both visits are on the resident's page");
    assert!(status(&phone).await?.contains("未送信 2件"));

    // The signal returns: everything is sent, once.
    phone.set_offline(false).await?;
    phone.tap("[data-action=sync-now]").await?;
    crate::wait_until_sent(&phone).await?;
    let coordinator = Browser::start().await?;
    sign_in(&coordinator, &server, "noritsuke.sc").await?;
    coordinator.tap("[data-nav=watch]").await?;
    coordinator.wait_for_text("更新 ハナ", PATIENCE).await?;
    coordinator.tap("[data-resident] .watch-who").await?;
    coordinator
        .wait_for_text("新聞がたまっていた", PATIENCE)
        .await?;
    let visits = coordinator
        .client
        .find_all(Locator::Css(".visit-line"))
        .await?;
    assert_eq!(visits.len(), 2, "each visit exactly once");
    coordinator.close().await?;
    phone.close().await?;
    server.stop().await
}
