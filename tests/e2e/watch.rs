//! 見守り on the demo district, with no signal at the door: the usual visit in two taps
//! from the list, 緊急 with its guide, a draft that survives a reload, and the SC's desk and
//! decisions once the signal returns.

use std::time::Duration;

use fantoccini::Locator;
use mimamori_testkit::Browser;

use crate::{fill, row, save_visit, sign_in, start_demo, status, wait_until_sent, PATIENCE};

/// The id of the `n`th resident on the watch list.
async fn nth_resident(browser: &Browser, n: usize) -> anyhow::Result<String> {
    browser.wait_for_text("見守り訪問", PATIENCE).await?;
    let id = browser
        .js(&format!(
            "return document.querySelectorAll('[data-resident]')[{n}].dataset.resident;"
        ))
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_fine_visit_is_two_taps_from_the_list_and_an_emergency_shows_whom_to_call(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.wait_for_service_worker(PATIENCE).await?;
    phone.set_offline(true).await?;

    // The list is the volunteer's own residents, 未訪問 first.
    let first = nth_resident(&phone, 0).await?;
    let overdue = phone
        .js("return document.querySelector('[data-resident]').dataset.overdue;")
        .await?;
    assert_eq!(
        overdue.as_str(),
        Some("true"),
        "the most overdue comes first"
    );

    // Tap 1: 記録 on the row. Tap 2: 保存する (面会・元気 already chosen).
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&first)))
        .await?;
    save_visit(&phone).await?;
    assert!(status(&phone).await?.contains("未送信 1件"));
    // Visited today, they are no longer 未訪問 at the top.
    assert_ne!(nth_resident(&phone, 0).await?, first);

    // 緊急: the guide opens at once, with 119 and 110, and the visit is saved meanwhile.
    let second = nth_resident(&phone, 0).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&second)))
        .await?;
    fill(&phone, "textarea[name=visit_note]", "玄関で倒れていた").await?;
    phone.tap("[data-outcome=emergency]").await?;
    phone
        .wait_for_text("ひとりで家の中に入らない", PATIENCE)
        .await?;
    for number in ["119", "110"] {
        let link = phone
            .client
            .find(Locator::Css(&format!("a[href='tel:{number}']")))
            .await?;
        assert!(link.is_displayed().await?, "{number} is on the screen");
    }
    phone
        .wait_for_text("「緊急」として記録しました", PATIENCE)
        .await?;
    assert!(status(&phone).await?.contains("未送信 2件"));
    // Back to the form: a word more corrects the same visit, not a second one.
    phone.tap("[data-action=close-emergency-guide]").await?;
    fill(
        &phone,
        "textarea[name=visit_note]",
        "玄関で倒れていた。救急車を呼んだ",
    )
    .await?;
    phone.tap("[data-action=save-visit]").await?;
    phone.wait_for_text("訪問を保存しました", PATIENCE).await?;
    phone.tap(&format!("{} .watch-who", row(&second))).await?;
    phone.wait_for_text("救急車を呼んだ", PATIENCE).await?;
    let today = phone.client.find_all(Locator::Css(".visit-line")).await?;
    let mut emergencies = 0;
    for line in today {
        if line.text().await?.contains("緊急") {
            emergencies += 1;
        }
    }
    assert_eq!(emergencies, 1, "one visit, corrected");

    phone.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_half_written_visit_survives_a_reload_until_saved_or_thrown_away() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v2").await?;
    let resident = nth_resident(&phone, 0).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&resident)))
        .await?;
    phone.tap("[data-outcome=worrying]").await?;
    fill(&phone, "textarea[name=visit_note]", "声に元気がなかった").await?;
    // A moment for the draft to be written, as any pause in typing gives it.
    tokio::time::sleep(Duration::from_millis(800)).await;

    phone.client.refresh().await?;
    phone
        .wait_for_text("書きかけの記録を戻しました", PATIENCE)
        .await?;
    let note = phone
        .js("return document.querySelector('textarea[name=visit_note]').value;")
        .await?;
    assert_eq!(note.as_str(), Some("声に元気がなかった"));
    let pressed = phone
        .js("return document.querySelector('[data-outcome=worrying]').getAttribute('aria-pressed');")
        .await?;
    assert_eq!(pressed.as_str(), Some("true"));

    // The resident's page says a draft waits.
    phone.client.back().await?;
    phone.tap("[data-nav=watch]").await?;
    phone.tap(&format!("{} .watch-who", row(&resident))).await?;
    phone
        .wait_for_text("書きかけの訪問の記録があります", PATIENCE)
        .await?;

    // 下書きを捨てる asks first, then the form is the usual one again.
    phone.tap("[data-action=record-visit]").await?;
    phone
        .wait_for_text("書きかけの記録を戻しました", PATIENCE)
        .await?;
    phone.tap("[data-action=discard-draft]").await?;
    phone.tap("[data-action=discard-draft-confirm]").await?;
    phone.wait_for_text("下書きを捨てました", PATIENCE).await?;
    let note = phone
        .js("return document.querySelector('textarea[name=visit_note]').value;")
        .await?;
    assert_eq!(note.as_str(), Some(""));
    phone.client.refresh().await?;
    phone.wait_for_text("の訪問", PATIENCE).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!phone
        .body_text()
        .await?
        .contains("書きかけの記録を戻しました"));

    phone.close().await?;
    server.stop().await
}

/// What the phone's IndexedDB holds of a resident: the resident and their children.
async fn held(phone: &Browser, resident: &str) -> anyhow::Result<u64> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         const open = indexedDB.open('mimamori'); \
         open.onsuccess = () => {{ \
           const tx = open.result.transaction('records'); \
           const store = tx.objectStore('records'); \
           const own = store.count('{resident}'); \
           const children = store.index('by_parent').count('{resident}'); \
           tx.oncomplete = () => {{ done(own.result + children.result); open.result.close(); }}; \
         }};"
    );
    Ok(phone.js_async(&script).await?.as_u64().unwrap_or(u64::MAX))
}

#[tokio::test]
async fn the_coordinator_sees_the_visit_and_follow_up_on_the_desk_and_unassigning_takes_them_off_the_phone(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let volunteer = Browser::start().await?;
    sign_in(&volunteer, &server, "noritsuke.v1").await?;
    volunteer.set_offline(true).await?;
    let resident = nth_resident(&volunteer, 0).await?;
    volunteer
        .tap(&format!("{} [data-action=record-visit]", row(&resident)))
        .await?;
    volunteer.tap("[data-outcome=worrying]").await?;
    fill(
        &volunteer,
        "textarea[name=visit_note]",
        "台所が散らかっていた",
    )
    .await?;
    volunteer.tap("[data-section=follow_up]").await?;
    fill(
        &volunteer,
        "input[name=follow_up_what]",
        "ご家族に様子を伝える",
    )
    .await?;
    // The district's SC is offered first after oneself.
    volunteer.tap("[data-owner]:not([data-owner=me])").await?;
    save_visit(&volunteer).await?;
    volunteer.set_offline(false).await?;
    volunteer.tap("[data-action=sync-now]").await?;
    wait_until_sent(&volunteer).await?;
    assert!(held(&volunteer, &resident).await? >= 2);

    let coordinator = Browser::start().await?;
    sign_in(&coordinator, &server, "noritsuke.sc").await?;
    coordinator.tap("[data-action=open-desk]").await?;
    coordinator
        .wait_for_text("台所が散らかっていた", PATIENCE)
        .await?;
    coordinator
        .wait_for_text("ご家族に様子を伝える", PATIENCE)
        .await?;

    // The SC takes the volunteer off this resident.
    coordinator.tap("[data-nav=watch]").await?;
    coordinator
        .tap(&format!("{} .watch-who", row(&resident)))
        .await?;
    coordinator.tap("[data-action=manage-resident]").await?;
    coordinator
        .tap("[data-volunteer][aria-pressed=true]")
        .await?;
    coordinator.tap("[data-action=save-manage]").await?;
    coordinator
        .wait_for_text("の記録を保存しました", PATIENCE)
        .await?;
    wait_until_sent(&coordinator).await?;

    // At its next sync the volunteer's phone no longer holds them or their visits.
    volunteer.tap("[data-action=sync-now]").await?;
    mimamori_testkit::eventually("the resident to leave the phone", PATIENCE, || async {
        (held(&volunteer, &resident).await.ok()? == 0).then_some(())
    })
    .await?;
    volunteer.tap("[data-nav=watch]").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rows = volunteer
        .client
        .find_all(Locator::Css(&row(&resident)))
        .await?;
    assert!(rows.is_empty(), "gone from the list too");

    volunteer.close().await?;
    coordinator.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_volunteer_marks_a_follow_up_done_with_a_note() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let volunteer = Browser::start().await?;
    sign_in(&volunteer, &server, "noritsuke.v1").await?;
    volunteer.client.goto(&server.url("/follow-ups")).await?;
    crate::wait_for(&volunteer, "[data-follow-up]").await?;
    let id = crate::attribute(&volunteer, "[data-follow-up]", "data-follow-up").await?;
    let card = format!("[data-follow-up='{id}']");
    volunteer
        .tap(&format!("{card} [data-action=finish-follow-up]"))
        .await?;
    fill(
        &volunteer,
        &format!("{card} input[name=done_note]"),
        "娘さんに電話した",
    )
    .await?;
    volunteer
        .tap(&format!("{card} [data-action=confirm-finish-follow-up]"))
        .await?;
    // Saved: it says so, then leaves the list of things to do as the list reads again.
    mimamori_testkit::eventually("the follow-up done", PATIENCE, || async {
        let said = volunteer.body_text().await.ok()?;
        let gone = !crate::present(&volunteer, &card).await.ok()?;
        (said.contains("済みにしました。") || gone).then_some(())
    })
    .await?;
    assert!(!volunteer.body_text().await?.contains("入力してください"));
    wait_until_sent(&volunteer).await?;

    // The server holds it done: a phone fresh from it no longer lists it as one to do.
    let fresh = Browser::start().await?;
    sign_in(&fresh, &server, "noritsuke.v1").await?;
    fresh.client.goto(&server.url("/follow-ups")).await?;
    fresh.wait_for_text("やること", PATIENCE).await?;
    mimamori_testkit::eventually("the follow-up to be gone", PATIENCE, || async {
        (!crate::present(&fresh, &card).await.ok()?).then_some(())
    })
    .await?;
    Ok(())
}

/// The number of elements `css` finds.
async fn count(phone: &Browser, css: &str) -> anyhow::Result<usize> {
    Ok(phone.client.find_all(Locator::Css(css)).await?.len())
}

#[tokio::test]
async fn a_mis_tapped_emergency_is_taken_back_and_a_real_one_stands_out_with_the_family_to_call(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    let resident = nth_resident(&phone, 0).await?;

    // The family's number, as the volunteer adds it on the resident's page.
    phone.tap(&format!("{} .watch-who", row(&resident))).await?;
    phone.tap("[data-action=edit-resident]").await?;
    fill(&phone, "input[name=contact_name]", "青木 健一").await?;
    fill(&phone, "input[name=contact_relation]", "長男").await?;
    fill(&phone, "input[name=contact_phone]", "090-1234-5678").await?;
    phone.tap("[data-action=save-resident-edit]").await?;
    phone.wait_for_text("090-1234-5678", PATIENCE).await?;

    // A mis-tap: the guide opens at once with the family to call, the visit is saved as
    // 緊急, and 取り消す takes it back with what was typed kept.
    phone.tap("[data-action=record-visit]").await?;
    fill(&phone, "textarea[name=visit_note]", "様子を見に来た").await?;
    phone.tap("[data-outcome=emergency]").await?;
    phone
        .wait_for_text("「緊急」として記録しました", PATIENCE)
        .await?;
    let family = phone
        .client
        .find(Locator::Css("[data-action=call-family]"))
        .await?;
    assert_eq!(
        family.attr("href").await?.as_deref(),
        Some("tel:09012345678")
    );
    assert!(family.text().await?.contains("青木 健一さん（長男）"));
    phone.tap(".emergency [data-action=undo-emergency]").await?;
    phone
        .wait_for_text("「緊急」の記録を取り消しました", PATIENCE)
        .await?;
    assert!(
        !crate::present(&phone, ".emergency").await?,
        "the guide is closed"
    );
    assert_eq!(
        crate::attribute(&phone, "[data-outcome=fine]", "aria-pressed").await?,
        "true",
        "back to the outcome chosen before the tap"
    );
    let note = phone
        .js("return document.querySelector('textarea[name=visit_note]').value;")
        .await?;
    assert_eq!(
        note.as_str(),
        Some("様子を見に来た"),
        "nothing typed is lost"
    );
    wait_until_sent(&phone).await?;

    // The SC's desk hears of no 緊急: the server holds the visit taken back.
    let coordinator = Browser::start().await?;
    sign_in(&coordinator, &server, "noritsuke.sc").await?;
    coordinator.tap("[data-action=open-desk]").await?;
    coordinator
        .wait_for_text("気になる・要連絡", PATIENCE)
        .await?;
    assert_eq!(count(&coordinator, "[data-concern=emergency]").await?, 0);

    // A real one: saved, then 保存する adds to it. It stands out on the list, the
    // resident's page and the SC's desk.
    phone.tap("[data-outcome=emergency]").await?;
    phone
        .wait_for_text("「緊急」として記録しました", PATIENCE)
        .await?;
    phone.tap("[data-action=close-emergency-guide]").await?;
    fill(
        &phone,
        "textarea[name=visit_note]",
        "玄関で倒れていた。救急車を呼んだ",
    )
    .await?;
    phone.tap("[data-action=save-visit]").await?;
    phone.wait_for_text("訪問を保存しました", PATIENCE).await?;
    let marked = format!(
        "{}[data-last-outcome=emergency] .urgency-mark[data-urgency=emergency]",
        row(&resident)
    );
    crate::wait_for(&phone, &marked).await?;
    assert_eq!(crate::text_of(&phone, &marked).await?, "緊急");
    phone.tap(&format!("{} .watch-who", row(&resident))).await?;
    phone.wait_for_text("救急車を呼んだ", PATIENCE).await?;
    assert_eq!(
        count(&phone, ".visit-line[data-outcome=emergency]").await?,
        1
    );
    assert_eq!(
        count(&phone, ".visit-line[data-outcome=emergency] .urgency-mark").await?,
        1
    );
    wait_until_sent(&phone).await?;

    coordinator.tap("[data-nav=watch]").await?;
    coordinator.tap("[data-action=sync-now]").await?;
    wait_until_sent(&coordinator).await?;
    coordinator.tap("[data-action=open-desk]").await?;
    crate::wait_for(&coordinator, "[data-concern=emergency] .urgency-mark").await?;
    let heading = coordinator
        .js("return document.querySelector('.desk h3.section-title').dataset.desk;")
        .await?;
    assert_eq!(heading.as_str(), Some("emergencies"), "緊急 heads the desk");
    assert!(crate::text_of(&coordinator, "[data-concern=emergency]")
        .await?
        .contains("救急車を呼んだ"));
    assert_eq!(
        count(&coordinator, "[data-concern=emergency]").await?,
        1,
        "the one taken back is not there"
    );

    phone.close().await?;
    coordinator.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_volunteer_corrects_a_visit_from_the_residents_page_and_is_taken_back_there(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    let resident = nth_resident(&phone, 0).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&resident)))
        .await?;
    // Whom a follow-up goes to: each person once (the district's SC is not offered twice).
    phone.tap("[data-section=follow_up]").await?;
    let owners = phone
        .js("return [...document.querySelectorAll('[data-owner]')].map(b => b.textContent);")
        .await?;
    let owners: Vec<String> = owners
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o.as_str().map(str::to_owned))
        .collect();
    let mut once = owners.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), owners.len(), "{owners:?}");
    assert_eq!(
        owners.iter().filter(|o| o.starts_with("SC")).count(),
        1,
        "{owners:?}"
    );
    fill(&phone, "textarea[name=visit_note]", "お元気でした").await?;
    save_visit(&phone).await?;

    // 直す from the resident's page: saved, the page is the resident's again.
    phone.tap(&format!("{} .watch-who", row(&resident))).await?;
    phone.tap("[data-action=correct-visit]").await?;
    fill(
        &phone,
        "textarea[name=visit_note]",
        "お元気でした。庭の柿をいただいた",
    )
    .await?;
    phone.tap("[data-action=save-visit]").await?;
    phone.wait_for_text("庭の柿をいただいた", PATIENCE).await?;
    let path = phone.js("return location.pathname;").await?;
    assert_eq!(
        path.as_str(),
        Some(format!("/residents/{resident}").as_str())
    );
    wait_until_sent(&phone).await?;
    // The server holds the corrected words: a phone fresh from it shows them.
    let fresh = Browser::start().await?;
    sign_in(&fresh, &server, "noritsuke.v1").await?;
    fresh
        .client
        .goto(&server.url(&format!("/residents/{resident}")))
        .await?;
    fresh.wait_for_text("庭の柿をいただいた", PATIENCE).await?;
    phone.close().await?;
    fresh.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_coordinator_fills_in_the_districts_numbers_and_a_volunteers_must_report_panel_calls_them(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.tap("[data-action=open-desk]").await?;
    crate::wait_for(&sc, "[data-contacts] input[name=sc_phone]").await?;
    fill(&sc, "[data-contacts] input[name=sc_name]", "佐藤").await?;
    fill(&sc, "[data-contacts] input[name=sc_phone]", "027-321-1234").await?;
    fill(
        &sc,
        "[data-contacts] input[name=center_name]",
        "あんしんセンター乗附",
    )
    .await?;
    fill(
        &sc,
        "[data-contacts] input[name=center_phone]",
        "027-321-5678",
    )
    .await?;
    sc.tap("[data-action=save-contacts]").await?;
    sc.wait_for_text("保存しました", PATIENCE).await?;
    wait_until_sent(&sc).await?;

    // The volunteer's phone, fresh from the server: 要連絡 names whom to call, with a button.
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    let resident = nth_resident(&phone, 0).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&resident)))
        .await?;
    phone.tap("[data-outcome=must_report]").await?;
    crate::wait_for(&phone, "[data-action=call-sc]").await?;
    assert_eq!(
        crate::attribute(&phone, "[data-action=call-sc]", "href").await?,
        "tel:0273211234"
    );
    assert!(crate::text_of(&phone, "[data-action=call-sc]")
        .await?
        .contains("佐藤"));
    assert_eq!(
        crate::attribute(&phone, "[data-action=call-center]", "href").await?,
        "tel:0273215678"
    );
    sc.close().await?;
    phone.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_coordinator_pauses_a_residents_visits_and_they_leave_the_volunteers_list(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    let resident = nth_resident(&phone, 0).await?;

    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.client
        .goto(&server.url(&format!("/sc/residents/{resident}/manage")))
        .await?;
    sc.tap("[data-status=paused]").await?;
    fill(&sc, "input[name=status_reason]", "入院（来月退院の予定）").await?;
    sc.tap("[data-action=save-manage]").await?;
    sc.wait_for_text("の記録を保存しました", PATIENCE).await?;
    wait_until_sent(&sc).await?;
    // The desk lists them as paused, with why.
    sc.client.goto(&server.url("/sc/desk")).await?;
    sc.wait_for_text("入院（来月退院の予定）", PATIENCE).await?;

    // The volunteer's list no longer asks for their visit.
    phone.tap("[data-action=sync-now]").await?;
    mimamori_testkit::eventually(
        "the paused resident to leave the list",
        PATIENCE,
        || async { (!crate::present(&phone, &row(&resident)).await.ok()?).then_some(()) },
    )
    .await?;
    // Their page says so, and offers no visit to log.
    phone
        .client
        .goto(&server.url(&format!("/residents/{resident}")))
        .await?;
    phone
        .wait_for_text("入院（来月退院の予定）", PATIENCE)
        .await?;
    assert!(!crate::present(&phone, "[data-action=record-visit]").await?);
    sc.close().await?;
    phone.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_volunteer_reads_the_last_30_days_figures_and_latest_visits_in_reports(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    let resident = nth_resident(&phone, 0).await?;
    phone
        .tap(&format!("{} [data-action=record-visit]", row(&resident)))
        .await?;
    fill(&phone, "textarea[name=visit_note]", "庭で草取りをしていた").await?;
    save_visit(&phone).await?;
    let name = crate::text_of(&phone, &format!("{} .watch-name", row(&resident))).await?;
    phone.tap("[data-nav=reports]").await?;
    // The page is drawn again as the sync that sent the visit ends: read it once it stands.
    mimamori_testkit::eventually("the visit among the latest", PATIENCE, || async {
        let said = phone.body_text().await.ok()?;
        let figures = said.contains("この30日の訪問") || said.contains("30日");
        let latest = said
            .split("最近の訪問")
            .nth(1)?
            .lines()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        (figures && latest.contains(name.trim()) && latest.contains("今日")).then_some(())
    })
    .await?;
    phone.close().await?;
    server.stop().await
}
