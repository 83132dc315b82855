//! A full phone: when IndexedDB refuses a write for lack of space, the volunteer reads why
//! in Japanese, what they typed stays in the form, and nothing saved before is lost.
//!
//! Headless Chromium does not enforce a lowered quota on IndexedDB writes (DevTools'
//! `Storage.overrideQuotaForOrigin` reports the override but writes still succeed), so the
//! page's `IDBObjectStore.put` is made to throw the `QuotaExceededError` a full phone throws.

use crate::{fill, register, row, save_visit, sign_in, start_demo, PATIENCE};
use mimamori_testkit::Browser;

const FILL_THE_PHONE: &str = "
    window.__realPut = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };";
const FREE_SOME_SPACE: &str = "IDBObjectStore.prototype.put = window.__realPut;";

#[tokio::test]
async fn a_full_phone_says_so_and_keeps_what_was_saved_and_typed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    let hana = register(&phone, "乗附 ハナ").await?;
    phone.tap("[data-action=record-visit]").await?;
    fill(&phone, "textarea[name=visit_note]", "最初の訪問").await?;
    save_visit(&phone).await?;

    phone.js(FILL_THE_PHONE).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&hana)))
        .await?;
    fill(&phone, "textarea[name=visit_note]", "二回目の訪問").await?;
    phone.tap("[data-action=save-visit]").await?;
    phone
        .wait_for_text("端末の保存容量がいっぱいです", PATIENCE)
        .await?;
    let typed = phone
        .js("return document.querySelector('textarea[name=visit_note]').value;")
        .await?;
    assert_eq!(typed.as_str(), Some("二回目の訪問"), "what was typed stays");

    // Space again: the same form saves, and the first visit was never lost.
    phone.js(FREE_SOME_SPACE).await?;
    save_visit(&phone).await?;
    phone.client.refresh().await?;
    phone.tap(&format!("{} .watch-who", row(&hana))).await?;
    phone.wait_for_text("二回目の訪問", PATIENCE).await?;
    assert!(phone.body_text().await?.contains("最初の訪問"));

    phone.close().await?;
    server.stop().await
}
