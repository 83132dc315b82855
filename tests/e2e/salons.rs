//! 居場所・サロン end to end: a coordinator sets up a salon that rests on holidays and cancels
//! a date, and a volunteer sees the right 今週・来週 with no server at all; two organisers
//! take one session's attendance offline on two phones and both count; a member's absences
//! reach the SC's desk as a suggestion, and accepting it gives someone a follow-up.

use std::collections::BTreeMap;

use mimamori_core::calendar::CivilDate;
use mimamori_core::salons::{sessions, Holidays, Repeat, Schedule, SessionStatus, TimeOfDay};
use mimamori_testkit::Browser;

use crate::{
    attribute, fill, present, sign_in, start_demo, text_of, wait_for, wait_until_sent, PATIENCE,
};

/// The phone's today, as its own clock says it.
async fn phone_today(phone: &Browser) -> anyhow::Result<CivilDate> {
    let today = phone
        .js("const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()];")
        .await?;
    let part = |i: usize| today[i].as_i64().unwrap_or_default();
    CivilDate::new(part(0) as i32, part(1) as u8, part(2) as u8)
        .ok_or_else(|| anyhow::anyhow!("no date from the phone: {today}"))
}

#[tokio::test]
async fn a_coordinators_salon_rests_on_holidays_and_a_volunteer_sees_the_week_without_a_server(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;

    // Every day of the week, so that the fortnight shows the holidays among its days.
    sc.tap("[data-nav=salons]").await?;
    sc.tap("[data-action=add-salon]").await?;
    fill(&sc, "input[name=name]", "乗附 毎日体操").await?;
    fill(&sc, "input[name=kana]", "のりつけ まいにちたいそう").await?;
    sc.tap("[data-content=exercise]").await?;
    for day in 0..7 {
        sc.tap(&format!("[data-weekday='{day}']")).await?;
    }
    assert!(
        present(&sc, "input[name=skip_holidays]:checked").await?,
        "resting on holidays is the usual choice"
    );
    fill(&sc, "input[name=venue]", "乗附町公民館").await?;
    sc.tap("[data-volunteer]").await?;
    sc.tap("[data-action=save-salon]").await?;
    sc.wait_for_text("「乗附 毎日体操」を保存しました", PATIENCE)
        .await?;
    let salon = sc
        .js("return (p => p.startsWith('/sc/') ? p.slice(3) : p)(location.pathname).split('/')[2];")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // Tomorrow is cancelled for snow (on a holiday it rests anyway: then the day after).
    let today = phone_today(&sc).await?;
    let holidays = Holidays::default();
    let cancelled = (1..5)
        .map(|n| today.add_days(n))
        .find(|d| holidays.name(*d).is_none())
        .unwrap();
    sc.client
        .goto(&server.url(&format!("/sc/salons/{salon}/dates/{cancelled}")))
        .await?;
    sc.tap("[data-plan=cancel]").await?;
    sc.tap("[data-reason='雪']").await?;
    sc.tap("[data-action=save-session]").await?;
    sc.wait_for_text("を中止にしました", PATIENCE).await?;
    wait_until_sent(&sc).await?;

    // What the week must show, by the core's rules.
    let schedule = Schedule {
        repeat: Repeat::Weekly,
        weekdays: (0..7).collect(),
        weeks: Vec::new(),
        dates: Vec::new(),
        from: today,
        until: None,
        start: TimeOfDay::new(10, 0).unwrap(),
        end: TimeOfDay::new(12, 0).unwrap(),
        skip_holidays: true,
    };
    let exceptions: BTreeMap<_, _> = [(
        cancelled,
        mimamori_core::salons::Exception {
            cancelled: true,
            reason: "雪".into(),
            ..Default::default()
        },
    )]
    .into_iter()
    .collect();
    let to_sunday = i64::from((7 - today.weekday()) % 7);
    let expected = sessions(
        &schedule,
        &exceptions,
        &|d| holidays.name(d),
        today,
        today.add_days(to_sunday + 7),
    );
    assert!(expected.len() >= 8);

    // The volunteer syncs once; then the server is gone, and the app opens from the phone.
    let volunteer = Browser::start().await?;
    sign_in(&volunteer, &server, "noritsuke.v2").await?;
    volunteer.wait_for_service_worker(PATIENCE).await?;
    server.stop().await?;
    volunteer.client.refresh().await?;
    volunteer.wait_for_app(PATIENCE).await?;
    volunteer.tap("[data-nav=salons]").await?;
    wait_for(&volunteer, &format!(".session[data-salon='{salon}']")).await?;
    for session in &expected {
        let css = format!(
            ".session[data-salon='{salon}'][data-session='{}']",
            session.scheduled
        );
        assert!(
            present(&volunteer, &css).await?,
            "{} is missing",
            session.scheduled
        );
        let off = attribute(&volunteer, &css, "data-off").await?;
        let said = text_of(&volunteer, &css).await?;
        match &session.status {
            SessionStatus::Held => assert_eq!(off, "false", "{said}"),
            SessionStatus::Cancelled(_) => {
                assert_eq!(off, "true");
                assert!(said.contains("中止（雪）"), "{said}");
            }
            SessionStatus::HolidayOff(name) => {
                assert_eq!(off, "true");
                assert!(said.contains(&format!("休み（{name}）")), "{said}");
            }
            SessionStatus::Moved | SessionStatus::Extra => unreachable!("nothing moved or added"),
        }
    }
    // The cancelled day is said in words, not only by its style.
    assert!(volunteer.body_text().await?.contains("中止（雪）"));
    // The whole city's salons, each other district's named.
    volunteer.tap("[data-scope=city]").await?;
    volunteer
        .wait_for_text("井野さんぽ（塚沢・浜尻）", PATIENCE)
        .await?;
    Ok(())
}

/// Opens the latest session of 乗附いきいきサロン that took place, from its page.
async fn open_latest_session(
    phone: &Browser,
    server: &mimamori_testkit::ServerProcess,
) -> anyhow::Result<String> {
    phone.tap("[data-nav=salons]").await?;
    wait_for(phone, ".salon-link[data-salon]").await?;
    let salon = phone
        .js(
            "return [...document.querySelectorAll('.salon-link[data-salon]')]\
             .find(a => a.textContent.includes('乗附いきいきサロン')).getAttribute('href');",
        )
        .await?;
    phone
        .client
        .goto(&server.url(salon.as_str().unwrap_or_default()))
        .await?;
    wait_for(phone, "[data-action=open-attendance]").await?;
    let href = attribute(phone, "[data-action=open-attendance]", "href").await?;
    phone.client.goto(&server.url(&href)).await?;
    wait_for(phone, ".member-ticks").await?;
    Ok(href)
}

/// Whether the member's button is ticked.
async fn ticked(phone: &Browser, member: &str) -> anyhow::Result<bool> {
    Ok(attribute(phone, &format!("[data-member='{member}']"), "aria-pressed").await? == "true")
}

#[tokio::test]
async fn two_organisers_take_one_sessions_attendance_offline_and_both_count() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let first = Browser::start().await?;
    let second = Browser::start().await?;
    // 鈴木 runs the salon; the SC takes attendance beside him.
    sign_in(&first, &server, "noritsuke.v1").await?;
    sign_in(&second, &server, "noritsuke.sc").await?;
    let href = open_latest_session(&first, &server).await?;
    second.client.goto(&server.url(&href)).await?;
    wait_for(&second, ".member-ticks").await?;

    let members: Vec<String> = first
        .js("return [...document.querySelectorAll('[data-member]')].map(e => e.dataset.member);")
        .await?
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(members.len() >= 4);
    let (a, b) = (&members[0], &members[1]);
    let before = (ticked(&first, a).await?, ticked(&first, b).await?);
    let first_walk_ins: u32 = text_of(&first, "[data-count=walk_ins] .counter-value")
        .await?
        .trim()
        .parse()?;

    // No signal in the hall: each ticks a different member and counts the door.
    first.set_offline(true).await?;
    second.set_offline(true).await?;
    first.tap(&format!("[data-member='{a}']")).await?;
    second.tap(&format!("[data-member='{b}']")).await?;
    for _ in 0..2 {
        first
            .tap("[data-count=walk_ins] .counter-button:last-of-type")
            .await?;
    }
    second
        .tap("[data-count=walk_ins] .counter-button:last-of-type")
        .await?;
    first.wait_for_text("未送信", PATIENCE).await?;
    second.wait_for_text("未送信", PATIENCE).await?;

    // The signal returns: both send, and each pulls the other's.
    first.set_offline(false).await?;
    second.set_offline(false).await?;
    for phone in [&first, &second] {
        phone.tap("[data-action=sync-now]").await?;
        wait_until_sent(phone).await?;
    }
    first.tap("[data-action=sync-now]").await?;
    wait_until_sent(&first).await?;

    // A third phone, fresh from the server, and both phones show the merged session.
    let third = Browser::start().await?;
    sign_in(&third, &server, "noritsuke.sc").await?;
    let expected_walk_ins = first_walk_ins + 2;
    for phone in [&first, &second, &third] {
        phone.client.goto(&server.url(&href)).await?;
        wait_for(phone, ".member-ticks").await?;
        mimamori_testkit::eventually("the merged ticks", PATIENCE, || async {
            let both = (ticked(phone, a).await.ok()?, ticked(phone, b).await.ok()?);
            (both == (!before.0, !before.1)).then_some(())
        })
        .await?;
        let total = text_of(phone, ".attendance-total").await?;
        assert!(
            total.contains(&format!("当日参加 {expected_walk_ins}人")),
            "the larger count of the door stands: {total}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn absences_reach_the_desk_and_accepting_one_gives_a_follow_up() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.client.goto(&server.url("/sc/desk")).await?;
    wait_for(&sc, "[data-absence]").await?;
    // The desk redraws as sync ends: read the card once it stands still.
    let (absent, said) = mimamori_testkit::eventually("a suggestion", PATIENCE, || async {
        let absent = attribute(&sc, "[data-absence]", "data-absence")
            .await
            .ok()?;
        let said = text_of(&sc, &format!("[data-absence='{absent}']"))
            .await
            .ok()?;
        (!absent.is_empty() && !said.is_empty()).then_some((absent, said))
    })
    .await?;
    assert!(said.contains("回続けてお休み"), "{said}");

    // Ticked present at the latest session, the member is no longer absent.
    let href = open_latest_session(&sc, &server).await?;
    assert!(!ticked(&sc, &absent).await?);
    sc.tap(&format!("[data-member='{absent}']")).await?;
    wait_until_sent(&sc).await?;
    sc.client.goto(&server.url("/sc/desk")).await?;
    sc.wait_for_text("サロンを続けて休んでいる方", PATIENCE)
        .await?;
    wait_for(&sc, "[data-desk=absences]").await?;
    mimamori_testkit::eventually("the suggestion to go", PATIENCE, || async {
        (!present(&sc, &format!("[data-absence='{absent}']"))
            .await
            .ok()?)
        .then_some(())
    })
    .await?;

    // Absent after all (ticked by mistake): the suggestion is back; accepting it gives the
    // resident's volunteer something to do.
    sc.client.goto(&server.url(&format!("/sc{href}"))).await?;
    wait_for(&sc, ".member-ticks").await?;
    sc.tap(&format!("[data-member='{absent}']")).await?;
    // Saved (and sent) before the page is left: a tap's save runs in the background.
    wait_until_sent(&sc).await?;
    sc.client.goto(&server.url("/sc/desk")).await?;
    wait_for(
        &sc,
        &format!("[data-absence='{absent}'] [data-action=ask-visit]"),
    )
    .await?;
    sc.tap(&format!(
        "[data-absence='{absent}'] [data-action=ask-visit]"
    ))
    .await?;
    sc.wait_for_text("やることに入れました", PATIENCE).await?;
    wait_until_sent(&sc).await?;
    mimamori_testkit::eventually("the suggestion to be answered", PATIENCE, || async {
        (!present(&sc, &format!("[data-absence='{absent}']"))
            .await
            .ok()?)
        .then_some(())
    })
    .await?;
    // (How many: 3 in the demo, one more on a day the salon met and was just taken.)
    sc.wait_for_text("続けて休んでいます", PATIENCE).await?;

    // A member who is not yet a 見守り resident is registered first, from the same card:
    // the form opens with the name the salon has.
    // (The desk redraws as sync ends: read a card once it stands.)
    let (card, said) = mimamori_testkit::eventually("a member to register", PATIENCE, || async {
        let found = sc
            .js(
                "const a = document.querySelector('[data-action=register-member]'); \
                 const card = a && a.closest('[data-absence]'); \
                 return card ? [card.dataset.absence, card.textContent] : null;",
            )
            .await
            .ok()?;
        let card = found.get(0)?.as_str()?.to_owned();
        let said = found.get(1)?.as_str()?.to_owned();
        Some((card, said))
    })
    .await?;
    let name = said.split("さん").next().unwrap_or_default().to_owned();
    sc.tap(&format!(
        "[data-absence='{card}'] [data-action=register-member]"
    ))
    .await?;
    wait_for(&sc, "input[name=resident_name]").await?;
    mimamori_testkit::eventually("the name to be there", PATIENCE, || async {
        let typed = sc
            .js("return document.querySelector('input[name=resident_name]').value;")
            .await
            .ok()?;
        (typed.as_str() == Some(name.as_str())).then_some(())
    })
    .await?;

    // She is a 見守り resident after all, written 竹内 スミ: the card offers her by name,
    // and one tap links her and asks her volunteer for a visit.
    sc.client.goto(&server.url("/sc/desk")).await?;
    let card = format!("[data-absence='{card}']");
    // (Read until the desk stands: it draws again as the page's sync ends.)
    let offered = format!("{card} [data-action=ask-visit-for]");
    let seen = mimamori_testkit::eventually("竹内 スミ to be offered", PATIENCE, || async {
        let said = text_of(&sc, &offered).await.ok()?;
        said.contains("竹内 スミさん").then_some(said)
    })
    .await;
    assert!(
        seen.is_ok(),
        "the card offers {:?}; it says {:?}",
        text_of(&sc, &offered).await.ok(),
        text_of(&sc, &card).await.ok()
    );
    // Looking for someone else by a few letters of their reading.
    fill(
        &sc,
        &format!("{card} input[name=find_resident]"),
        "いいづか",
    )
    .await?;
    mimamori_testkit::eventually("飯塚 to be offered", PATIENCE, || async {
        let offered = text_of(&sc, card.as_str()).await.ok()?;
        offered.contains("飯塚 ハルさん").then_some(())
    })
    .await?;
    fill(
        &sc,
        &format!("{card} input[name=find_resident]"),
        "ぞうきん",
    )
    .await?;
    sc.wait_for_text("見守り対象者の中に見つかりません", PATIENCE)
        .await?;
    sc.tap(&format!("{card} [data-action=ask-visit-for]"))
        .await?;
    sc.wait_for_text("竹内 スミさんの見守りを、やることに入れました", PATIENCE)
        .await?;
    let in_sight = sc
        .js("const r = document.querySelector('[data-absences-said] .notice').getBoundingClientRect(); \
             return r.top >= 0 && r.bottom <= window.innerHeight;")
        .await?;
    assert_eq!(in_sight, true, "what was done is said where it is seen");
    wait_until_sent(&sc).await?;
    mimamori_testkit::eventually("the card to be answered", PATIENCE, || async {
        (!present(&sc, &card).await.ok()?).then_some(())
    })
    .await?;
    // The server holds the link and the follow-up: a phone fresh from it shows them.
    let fresh = Browser::start().await?;
    sign_in(&fresh, &server, "noritsuke.sc").await?;
    fresh.client.goto(&server.url("/sc/desk")).await?;
    mimamori_testkit::eventually("her follow-up on the desk", PATIENCE, || async {
        let found = fresh
            .js("return [...document.querySelectorAll('[data-follow-up]')]\
                 .some(e => e.textContent.includes('竹内 スミ') && e.textContent.includes('休んでいます'));")
            .await
            .ok()?;
        (found == true).then_some(())
    })
    .await?;
    assert!(!present(&fresh, &card).await?, "answered on the server too");
    Ok(())
}

/// Sets a date or time field as its picker would (typed keys depend on the locale).
async fn set_value(phone: &Browser, css: &str, value: &str) -> anyhow::Result<()> {
    wait_for(phone, css).await?;
    phone
        .js(&format!(
            "const i = document.querySelector(\"{css}\"); i.value = '{value}'; \
             i.dispatchEvent(new Event('input', {{ bubbles: true }}));"
        ))
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_organiser_adds_an_extra_session_and_takes_its_attendance() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let organiser = Browser::start().await?;
    sign_in(&organiser, &server, "noritsuke.v1").await?;
    organiser.tap("[data-nav=salons]").await?;
    wait_for(&organiser, ".salon-link[data-salon]").await?;
    let salon_page = organiser
        .js(
            "return [...document.querySelectorAll('.salon-link[data-salon]')]\
             .find(a => a.textContent.includes('乗附いきいきサロン')).getAttribute('href');",
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let salon = salon_page.rsplit('/').next().unwrap_or_default().to_owned();
    organiser.client.goto(&server.url(&salon_page)).await?;
    organiser.tap("[data-action=add-extra]").await?;

    // The salon meets on Tuesdays: a day it does not meet is refused as one it does, then
    // taken as a 臨時開催, in the afternoon.
    let today = phone_today(&organiser).await?;
    let tuesday = (0..7)
        .map(|n| today.add_days(n))
        .find(|d| d.weekday() == 2)
        .unwrap();
    set_value(&organiser, "input[name=date]", &tuesday.to_string()).await?;
    organiser.tap("[data-action=save-extra]").await?;
    organiser
        .wait_for_text("この日はもともと開催日です", PATIENCE)
        .await?;
    let day = if today.weekday() == 2 {
        today.add_days(-1)
    } else {
        today
    };
    set_value(&organiser, "input[name=date]", &day.to_string()).await?;
    set_value(&organiser, "input[name=start]", "13:00").await?;
    set_value(&organiser, "input[name=end]", "14:30").await?;
    fill(&organiser, "input[name=reason]", "クリスマス会").await?;
    organiser.tap("[data-action=save-extra]").await?;
    organiser
        .wait_for_text(
            &format!(
                "乗附いきいきサロンの{}月{}日に臨時開催を加えました",
                day.month, day.day
            ),
            PATIENCE,
        )
        .await?;

    // Taken at the door like any session.
    let door = format!("[data-action=open-attendance][data-session='{day}']");
    wait_for(&organiser, &door).await?;
    organiser.tap(&door).await?;
    wait_for(&organiser, ".member-ticks").await?;
    let member = attribute(&organiser, "[data-member]", "data-member").await?;
    assert!(!ticked(&organiser, &member).await?, "a new session");
    organiser.tap(&format!("[data-member='{member}']")).await?;
    wait_until_sent(&organiser).await?;
    assert!(ticked(&organiser, &member).await?);

    // The server holds it: a coordinator's phone fresh from it shows the session taken,
    // and the family's calendar lists it.
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.client
        .goto(&server.url(&format!("/sc/salons/{salon}")))
        .await?;
    let taken = format!("[data-action=open-attendance][data-session='{day}']");
    wait_for(&sc, &taken).await?;
    let said = text_of(&sc, &taken).await?;
    assert!(said.contains("出席 1人"), "{said}");
    let feed = sc
        .js_async(&format!(
            "const done = arguments[arguments.length - 1]; \
             fetch('/api/v1/salons/{salon}/calendar.ics').then(r => r.text()).then(done, () => done(''));"
        ))
        .await?;
    let feed = feed.as_str().unwrap_or_default().replace("\r\n ", "");
    let start = format!(
        "DTSTART;TZID=Asia/Tokyo:{:04}{:02}{:02}T130000",
        day.year, day.month, day.day
    );
    assert!(feed.contains(&start), "{feed}");
    assert!(feed.contains("乗附いきいきサロン（臨時開催）"), "{feed}");
    Ok(())
}

#[tokio::test]
async fn a_coordinators_new_hours_that_a_moved_date_no_longer_fits_are_refused_naming_the_date(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.client.goto(&server.url("/sc/salons")).await?;
    wait_for(&sc, ".salon-link[data-salon]").await?;
    let page = sc
        .js(
            "return [...document.querySelectorAll('.salon-link[data-salon]')]\
             .find(a => a.textContent.includes('乗附いきいきサロン')).getAttribute('href');",
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let salon = page.rsplit('/').next().unwrap_or_default().to_owned();
    // The next session starts later, at 11:00 (the salon's hours are 10:00–11:30).
    sc.client.goto(&server.url(&format!("/sc{page}"))).await?;
    wait_for(&sc, "[data-action=change-session]").await?;
    sc.tap("[data-action=change-session]").await?;
    sc.tap("[data-plan=move]").await?;
    set_value(&sc, "input[name=start]", "11:00").await?;
    sc.tap("[data-action=save-session]").await?;
    sc.wait_for_text("の変更を保存しました", PATIENCE).await?;
    // (Read once the salon's page stands again: it is drawn anew after the save.)
    let day: CivilDate =
        mimamori_testkit::eventually("the moved date's link", PATIENCE, || async {
            let moved = attribute(&sc, "[data-action=change-session]", "href")
                .await
                .ok()?;
            moved.rsplit('/').next()?.parse().ok()
        })
        .await?;

    // The usual hours end at 10:30 from now on: that day would end before it starts.
    sc.client
        .goto(&server.url(&format!("/sc/salons/{salon}/edit")))
        .await?;
    set_value(&sc, "input[name=end]", "10:30").await?;
    sc.tap("[data-action=save-salon]").await?;
    sc.wait_for_text(
        &format!("{}月{}日は時刻を変えてあり", day.month, day.day),
        PATIENCE,
    )
    .await?;
    assert!(sc
        .body_text()
        .await?
        .contains("「変更・中止」を直してください"));
    Ok(())
}

#[tokio::test]
async fn an_organiser_changes_then_takes_back_an_extra_session() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let organiser = Browser::start().await?;
    sign_in(&organiser, &server, "noritsuke.v1").await?;
    organiser.tap("[data-nav=salons]").await?;
    wait_for(&organiser, ".salon-link[data-salon]").await?;
    let page = organiser
        .js(
            "return [...document.querySelectorAll('.salon-link[data-salon]')]\
             .find(a => a.textContent.includes('乗附いきいきサロン')).getAttribute('href');",
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // A day ahead that is not the salon's Tuesday.
    let today = phone_today(&organiser).await?;
    let day = (1..8)
        .map(|n| today.add_days(n))
        .find(|d| d.weekday() != 2)
        .unwrap();
    organiser
        .client
        .goto(&server.url(&format!("{page}/extra")))
        .await?;
    set_value(&organiser, "input[name=date]", &day.to_string()).await?;
    fill(&organiser, "input[name=reason]", "クリスマス会").await?;
    organiser.tap("[data-action=save-extra]").await?;
    let date = format!("{}月{}日", day.month, day.day);
    organiser
        .wait_for_text(&format!("{date}に臨時開催を加えました"), PATIENCE)
        .await?;

    // Later in the afternoon instead: changed on its own date's page.
    let its_page = format!("{page}/dates/{day}");
    organiser.client.goto(&server.url(&its_page)).await?;
    set_value(&organiser, "input[name=start]", "13:00").await?;
    set_value(&organiser, "input[name=end]", "14:30").await?;
    organiser.tap("[data-action=save-extra]").await?;
    organiser
        .wait_for_text(&format!("{date}の臨時開催を変更しました"), PATIENCE)
        .await?;
    let row = format!(".session[data-session='{day}']");
    wait_for(&organiser, &row).await?;
    let said = text_of(&organiser, &row).await?;
    assert!(
        said.contains("13:00〜14:30") && said.contains("臨時開催（クリスマス会）"),
        "{said}"
    );

    // Called off: taken back, and gone from the salon's dates.
    organiser.client.goto(&server.url(&its_page)).await?;
    organiser.tap("[data-action=take-back-extra]").await?;
    organiser
        .wait_for_text(&format!("{date}の臨時開催を取りやめました"), PATIENCE)
        .await?;
    assert!(!present(&organiser, &row).await?);
    Ok(())
}

#[tokio::test]
async fn an_organiser_ticks_members_each_saved_by_name_and_adds_a_newcomer_at_the_door(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let organiser = Browser::start().await?;
    sign_in(&organiser, &server, "noritsuke.v1").await?;

    // The week's list: each salon's name is a link a finger can hit (48 px or more).
    organiser.tap("[data-nav=salons]").await?;
    wait_for(&organiser, ".session-name").await?;
    let shortest = organiser
        .js(
            "return Math.min(...[...document.querySelectorAll('.session-name, .salon-link')]\
             .map(a => a.getBoundingClientRect().height));",
        )
        .await?;
    assert!(shortest.as_f64().unwrap_or_default() >= 48.0, "{shortest}");

    // The salon's くわしく: a long label puts its value below, never a column of a few
    // characters, in large text too.
    organiser
        .js("document.documentElement.classList.add('large-text');")
        .await?;
    let salon = organiser
        .js(
            "return [...document.querySelectorAll('.salon-link[data-salon]')]\
             .find(a => a.textContent.includes('乗附いきいきサロン')).getAttribute('href');",
        )
        .await?;
    organiser
        .client
        .goto(&server.url(salon.as_str().unwrap_or_default()))
        .await?;
    wait_for(&organiser, ".details .detail dd").await?;
    let narrowest = organiser
        .js(
            "const list = document.querySelector('.details').getBoundingClientRect().width; \
             return Math.min(...[...document.querySelectorAll('.details .detail dd')]\
             .map(dd => dd.getBoundingClientRect().width)) / list;",
        )
        .await?;
    assert!(
        narrowest.as_f64().unwrap_or_default() > 0.4,
        "a value squeezed to {narrowest} of the table"
    );
    organiser
        .js("document.documentElement.classList.remove('large-text');")
        .await?;

    // A tick says it was saved, by name, over the bottom bar.
    open_latest_session(&organiser, &server).await?;
    let member = attribute(&organiser, "[data-member]", "data-member").await?;
    let was = ticked(&organiser, &member).await?;
    organiser.tap(&format!("[data-member='{member}']")).await?;
    wait_for(&organiser, "[data-cue=saved]").await?;
    let cue = text_of(&organiser, "[data-cue=saved]").await?;
    assert!(
        cue.contains(if was {
            "：出席を取り消し（保存しました）"
        } else {
            "：出席（保存しました）"
        }),
        "{cue}"
    );
    let in_sight = organiser
        .js(
            "const r = document.querySelector('[data-cue]').getBoundingClientRect(); \
             return r.top >= 0 && r.bottom <= window.innerHeight;",
        )
        .await?;
    assert_eq!(in_sight, true);

    // A newcomer, under its own heading; an empty name is said, not ignored.
    organiser
        .wait_for_text("会員でない方が来たとき", PATIENCE)
        .await?;
    organiser.tap("[data-action=add-member]").await?;
    organiser
        .wait_for_text("加える方の名前を入れてください", PATIENCE)
        .await?;
    fill(&organiser, "input[name=member_name]", "星野 芳江").await?;
    fill(&organiser, "input[name=member_kana]", "ほしの よしえ").await?;
    organiser.tap("[data-action=add-member]").await?;
    organiser
        .wait_for_text("星野 芳江さんを会員に加えて、出席にしました", PATIENCE)
        .await?;
    wait_until_sent(&organiser).await?;

    // The server holds both: a phone fresh from it shows them ticked.
    let fresh = Browser::start().await?;
    sign_in(&fresh, &server, "noritsuke.sc").await?;
    let href = open_latest_session(&fresh, &server).await?;
    let _ = href;
    mimamori_testkit::eventually("the newcomer ticked on the server", PATIENCE, || async {
        let here = fresh
            .js("return [...document.querySelectorAll('[data-member]')]\
                 .some(b => b.textContent.includes('星野 芳江') && b.getAttribute('aria-pressed') === 'true');")
            .await
            .ok()?;
        (here == true).then_some(())
    })
    .await?;
    assert_eq!(ticked(&fresh, &member).await?, !was);
    Ok(())
}
