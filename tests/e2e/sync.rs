//! The heart of the product, end to end: a volunteer records offline, the records survive a
//! reload and the browser being killed in the middle of a sync, reach the server once when
//! the signal returns, the district's SC sees them, and a revoked phone erases itself at its
//! next contact.

use std::time::Duration;

use fantoccini::Locator;
use mimamori_testkit::Browser;

use crate::{
    fill, register, row, save_visit, sign_in, start_demo, status, wait_until_sent, PATIENCE,
};

#[tokio::test]
async fn offline_records_reach_the_coordinator_once_and_a_revoked_phone_forgets(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    // The volunteer's phone keeps its profile folder, so that it can be killed and reopened.
    let phone = dir.path().join("phone");
    let volunteer = Browser::start_with_profile(&phone).await?;
    sign_in(&volunteer, &server, "noritsuke.v1").await?;
    volunteer.wait_for_service_worker(PATIENCE).await?;

    // No signal at the door from here on.
    volunteer.set_offline(true).await?;
    let hana = register(&volunteer, "乗附 ハナ").await?;
    // A fine visit: met and fine are already chosen, so saving is the only tap.
    volunteer.tap("[data-action=record-visit]").await?;
    save_visit(&volunteer).await?;
    volunteer
        .tap(&format!("{} [data-action=record-visit]", row(&hana)))
        .await?;
    volunteer.tap("[data-outcome=worrying]").await?;
    fill(
        &volunteer,
        "textarea[name=visit_note]",
        "郵便物がたまっていた",
    )
    .await?;
    save_visit(&volunteer).await?;
    volunteer.tap(&format!("{} .watch-who", row(&hana))).await?;
    volunteer
        .wait_for_text("郵便物がたまっていた", PATIENCE)
        .await?;
    assert!(
        status(&volunteer).await?.contains("未送信 3件"),
        "{}",
        status(&volunteer).await?
    );

    // A reload with no signal: everything is still there, still unsent.
    volunteer.client.refresh().await?;
    volunteer
        .wait_for_text("郵便物がたまっていた", PATIENCE)
        .await?;
    assert!(status(&volunteer).await?.contains("未送信 3件"));

    // The signal returns and the phone starts sending, but the server is slow to answer:
    // the phone is killed with its push in flight. The server then commits the push, and
    // its answer goes nowhere.
    server.pause().await?;
    volunteer.set_offline(false).await?;
    mimamori_testkit::eventually("the push to reach the server", PATIENCE, || async {
        (server.unread_request_bytes() > 0).then_some(())
    })
    .await?;
    volunteer.kill(&phone).await?;
    server.resume().await?;

    // Reopened, the phone still holds everything and sends it again by itself; the server
    // recognises what it already applied.
    let volunteer = Browser::start_with_profile(&phone).await?;
    volunteer.client.goto(&server.url("/")).await?;
    volunteer.wait_for_app(PATIENCE).await?;
    volunteer.wait_for_text("乗附 ハナ", PATIENCE).await?;
    crate::wait_until_sent(&volunteer).await?;

    // The district's SC, on another phone, sees the resident and both visits.
    let coordinator = Browser::start().await?;
    sign_in(&coordinator, &server, "noritsuke.sc").await?;
    coordinator.tap("[data-nav=watch]").await?;
    coordinator.wait_for_text("乗附 ハナ", PATIENCE).await?;
    let residents = coordinator
        .client
        .find_all(Locator::Css(&row(&hana)))
        .await?;
    assert_eq!(residents.len(), 1, "the resident exactly once");
    coordinator
        .tap(&format!("{} .watch-who", row(&hana)))
        .await?;
    coordinator
        .wait_for_text("郵便物がたまっていた", PATIENCE)
        .await?;
    let visits = coordinator
        .client
        .find_all(Locator::Css(".visit-line"))
        .await?;
    assert_eq!(visits.len(), 2, "each visit exactly once");

    // The volunteer's phone is lost: the SC's office revokes it (their one active device).
    let devices = crate::admin(dir.path(), &["device", "list"]).await?;
    let phone_id = devices
        .lines()
        .find(|line| line.contains(" active ") && line.contains("noritsuke.v1"))
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_else(|| panic!("no active device of noritsuke.v1 in {devices}"))
        .to_owned();
    crate::admin(dir.path(), &["device", "revoke", &phone_id]).await?;
    volunteer.tap("[data-nav=settings]").await?;
    volunteer.tap("[data-action=sync-now]").await?;
    volunteer
        .wait_for_text("この端末は使えなくなりました", PATIENCE)
        .await?;
    volunteer.wait_for_text("ログインする", PATIENCE).await?;
    volunteer.tap("[data-nav=watch]").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !volunteer.body_text().await?.contains("乗附 ハナ"),
        "the revoked phone forgot the resident"
    );

    volunteer.close().await?;
    coordinator.close().await?;
    server.stop().await
}

/// Two phones rename the same resident with no signal: the newer name is kept everywhere,
/// and the district's SC sees the other one beside it; the volunteer is not troubled with it.
#[tokio::test]
async fn concurrent_renames_leave_the_other_name_for_the_coordinator() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let volunteer = Browser::start().await?;
    sign_in(&volunteer, &server, "noritsuke.v1").await?;
    let hana = register(&volunteer, "乗附 ハナ").await?;
    wait_until_sent(&volunteer).await?;

    let coordinator = Browser::start().await?;
    sign_in(&coordinator, &server, "noritsuke.sc").await?;
    coordinator.tap("[data-nav=watch]").await?;
    coordinator.wait_for_text("乗附 ハナ", PATIENCE).await?;

    for (phone, name) in [(&volunteer, "乗附 花"), (&coordinator, "乗附 はな")] {
        phone.set_offline(true).await?;
        phone.client.goto(&server.url("/")).await?;
        phone.wait_for_app(PATIENCE).await?;
        phone.tap(&format!("{} .watch-who", row(&hana))).await?;
        phone.tap("[data-action=edit-resident]").await?;
        phone
            .wait_for_text(resident_field_label(), PATIENCE)
            .await?;
        fill(phone, "input[name=resident_name]", name).await?;
        phone.tap("[data-action=save-resident-edit]").await?;
        phone.wait_for_text(name, PATIENCE).await?;
    }
    volunteer.set_offline(false).await?;
    wait_until_sent(&volunteer).await?;
    coordinator.set_offline(false).await?;
    wait_until_sent(&coordinator).await?;

    coordinator
        .wait_for_text("食い違いが1件あります", PATIENCE)
        .await?;
    let text = coordinator.body_text().await?;
    assert!(text.contains("採用: 乗附 はな"), "{text}");
    assert!(text.contains("もう一方: 乗附 花"), "{text}");

    volunteer.tap("[data-nav=settings]").await?;
    volunteer.tap("[data-action=sync-now]").await?;
    volunteer.tap("[data-nav=watch]").await?;
    volunteer.wait_for_text("乗附 はな", PATIENCE).await?;
    volunteer.tap(&format!("{} .watch-who", row(&hana))).await?;
    volunteer.wait_for_text("訪問を記録する", PATIENCE).await?;
    assert!(!volunteer.body_text().await?.contains("食い違い"));

    volunteer.close().await?;
    coordinator.close().await?;
    server.stop().await
}

fn resident_field_label() -> &'static str {
    mimamori_core::kinds::field_label_ja("address")
}

/// An SC who serves two districts registers a resident in the second one and logs a visit:
/// both land in that district, so its own SC sees them.
#[tokio::test]
async fn a_resident_and_visits_go_to_the_district_chosen() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    crate::admin(
        dir.path(),
        &[
            "user",
            "set-districts",
            "--login",
            "noritsuke.sc",
            "--district",
            "乗附",
            "--district",
            "片岡",
        ],
    )
    .await?;

    let both = Browser::start().await?;
    sign_in(&both, &server, "noritsuke.sc").await?;
    both.tap("[data-nav=watch]").await?;
    both.tap("[data-action=add-resident]").await?;
    both.tap("[data-district='2']").await?;
    fill(&both, "input[name=resident_name]", "片岡 タロウ").await?;
    both.tap("[data-action=save-resident]").await?;
    both.wait_for_text("訪問を記録する", PATIENCE).await?;
    both.tap("[data-action=record-visit]").await?;
    fill(&both, "textarea[name=visit_note]", "庭の手入れ中").await?;
    save_visit(&both).await?;
    wait_until_sent(&both).await?;

    let kataoka = Browser::start().await?;
    sign_in(&kataoka, &server, "kataoka.sc").await?;
    kataoka.tap("[data-nav=watch]").await?;
    kataoka.wait_for_text("片岡 タロウ", PATIENCE).await?;
    kataoka.tap("[data-resident] .watch-who").await?;
    kataoka.wait_for_text("庭の手入れ中", PATIENCE).await?;

    both.close().await?;
    kataoka.close().await?;
    server.stop().await
}
