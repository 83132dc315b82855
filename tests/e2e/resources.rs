//! 社会資源まとめ end to end, on a volunteer's phone with the server stopped: searching
//! 「たくし」 finds おとしよりぐるりんタクシー first, however it is typed; the 見せる view opens
//! with its call button, and closing it takes two taps; a public entry can be handed on as
//! a QR code; an internal one cannot be shown.

use mimamori_testkit::Browser;

use crate::{
    attribute, fill, present, save_visit, sign_in, start_demo, text_of, wait_for, PATIENCE,
};

/// The names of the listed entries, in order.
async fn listed(phone: &Browser) -> anyhow::Result<Vec<String>> {
    let names = phone
        .js("return [...document.querySelectorAll('.resource-link .watch-name')].map(e => e.textContent);")
        .await?;
    Ok(names
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect())
}

/// Types `query` and waits until the list's first entry is `first`.
async fn search_finds(phone: &Browser, query: &str, first: &str) -> anyhow::Result<Vec<String>> {
    fill(phone, "input[name=resource_search]", query).await?;
    mimamori_testkit::eventually(&format!("{query} to find {first}"), PATIENCE, || async {
        let names = listed(phone).await.ok()?;
        (names.first().map(String::as_str) == Some(first)).then_some(names)
    })
    .await
}

#[tokio::test]
async fn a_volunteer_finds_shows_and_hands_on_an_entry_with_no_server() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.wait_for_service_worker(PATIENCE).await?;
    server.stop().await?;

    phone.tap("[data-nav=resources]").await?;
    wait_for(&phone, ".resource-link").await?;
    for query in ["たくし", "タクシー", "ﾀｸｼｰ", "  たくし "] {
        let names = search_finds(&phone, query, "おとしよりぐるりんタクシー").await?;
        assert!(
            !names.iter().any(|n| n.contains("とくし丸")),
            "{query}: {names:?}"
        );
    }
    // A word found in a description says where.
    phone.tap("[data-scope=city]").await?;
    search_finds(&phone, "電池", "たのも〜お助け隊").await?;
    assert!(text_of(&phone, ".resource-match mark")
        .await?
        .contains("電池"));

    // The entry, shown to a resident: the call button on screen, closing takes two taps.
    search_finds(
        &phone,
        "ちょうじゅ",
        "長寿社会課（第1層生活支援コーディネーター）",
    )
    .await?;
    phone.tap(".resource-link").await?;
    wait_for(&phone, "[data-qr] svg path").await?;
    phone.tap("[data-action=show-resource]").await?;
    wait_for(&phone, "[data-show] [data-action=show-call]").await?;
    assert_eq!(
        attribute(&phone, "[data-action=show-call]", "href").await?,
        "tel:0273211319"
    );
    let call_visible = phone
        .js("const r = document.querySelector('[data-action=show-call]').getBoundingClientRect(); return r.bottom <= window.innerHeight;")
        .await?;
    assert_eq!(call_visible, true, "the call button is below the fold");
    assert!(
        present(&phone, "[data-show] [data-qr] svg path").await?,
        "a QR code to hand on"
    );
    phone.tap("[data-action=close-show]").await?;
    assert!(present(&phone, "[data-show]").await?, "one tap closed it");
    assert_eq!(
        attribute(&phone, "[data-action=close-show]", "data-armed").await?,
        "true"
    );
    phone.tap("[data-action=close-show]").await?;
    wait_for(&phone, "[data-action=show-resource]").await?;

    // An internal entry is for the volunteers: nothing to show or hand on.
    phone.client.back().await?;
    search_finds(&phone, "協力店", "乗附 見守り協力店").await?;
    phone.tap(".resource-link").await?;
    wait_for(&phone, "[data-internal]").await?;
    assert!(!present(&phone, "[data-action=show-resource]").await?);
    assert!(!present(&phone, "[data-qr]").await?);
    phone.close().await
}

#[tokio::test]
async fn a_visit_names_the_entry_introduced_and_the_residents_page_shows_it() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.wait_for_service_worker(PATIENCE).await?;
    server.stop().await?;

    // The first resident of the list, visited with no signal: 対応 → 資源を紹介.
    phone.tap(".watch-item [data-action=record-visit]").await?;
    let resident = phone
        .js("return (p => p.startsWith('/sc/') ? p.slice(3) : p)(location.pathname).split('/')[2];")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    phone.tap("[data-section=resources]").await?;
    fill(&phone, "input[name=resource_pick]", "ぐるりん").await?;
    wait_for(&phone, "[data-pick]").await?;
    phone.tap("[data-pick]").await?;
    wait_for(&phone, "[data-chosen-resources] [data-resource]").await?;
    assert_eq!(
        attribute(&phone, "[data-action=introduced_resource]", "aria-pressed").await?,
        "true",
        "choosing an entry ticks 資源を紹介"
    );
    save_visit(&phone).await?;

    phone
        .client
        .goto(&format!(
            "{}/residents/{resident}",
            phone
                .client
                .current_url()
                .await?
                .origin()
                .ascii_serialization()
        ))
        .await?;
    wait_for(&phone, "[data-introduced] [data-resource]").await?;
    let shown = text_of(&phone, "[data-introduced]").await?;
    assert!(shown.contains("おとしよりぐるりんタクシー"), "{shown}");
    assert!(shown.contains("に紹介"), "{shown}");
    phone.close().await
}

#[tokio::test]
async fn a_coordinator_adds_an_entry_and_a_stale_one_leaves_the_desk_once_checked(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;

    // A new entry of the district, internal by default.
    sc.tap("[data-nav=resources]").await?;
    sc.tap("[data-action=add-resource]").await?;
    fill(&sc, "input[name=name]", "乗附 ゆうやけ食堂").await?;
    fill(&sc, "input[name=kana]", "のりつけ ゆうやけしょくどう").await?;
    sc.tap("[data-category=meals]").await?;
    fill(&sc, "input[name=fee]", "1食300円").await?;
    sc.tap("[data-action=save-resource]").await?;
    wait_for(&sc, "[data-action=edit-resource]").await?;
    assert!(text_of(&sc, ".page-title").await?.contains("ゆうやけ食堂"));
    assert!(
        present(&sc, "[data-internal]").await?,
        "a new entry is internal until made public"
    );
    // 送迎 was not ticked: not known, so not said (never 「送迎 なし」).
    let details = sc.body_text().await?;
    assert!(!details.contains("送迎"), "{details}");
    sc.tap("[data-nav=resources]").await?;
    search_finds(&sc, "ゆうやけ", "乗附 ゆうやけ食堂").await?;
    // The search box's example is whole in large text.
    sc.js("document.documentElement.classList.add('large-text');")
        .await?;
    let fits = sc
        .js("const i = document.querySelector('input[name=resource_search]'); const s = getComputedStyle(i); \
             const c = document.createElement('canvas').getContext('2d'); c.font = s.font; \
             const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); \
             return c.measureText(i.placeholder).width <= room;")
        .await?;
    assert_eq!(fits, true, "the placeholder is cut in large text");
    sc.js("document.documentElement.classList.remove('large-text');")
        .await?;

    // The desk lists what nobody checked for a year; checking it today takes it off.
    sc.client.goto(&server.url("/sc/desk")).await?;
    wait_for(&sc, "[data-desk=stale-resources]").await?;
    // The list fills as the desk's reads end.
    sc.wait_for_text("乗附 社会資源マップ", PATIENCE).await?;
    sc.tap("[data-desk=stale-resources] + ul .resource-link")
        .await?;
    sc.tap("[data-action=checked-today]").await?;
    sc.tap("[data-action=save-resource]").await?;
    wait_for(&sc, "[data-action=edit-resource]").await?;
    assert!(!present(&sc, "[data-stale]").await?);
    sc.client.goto(&server.url("/sc/desk")).await?;
    wait_for(&sc, "[data-desk=concerns]").await?;
    assert!(!present(&sc, "[data-desk=stale-resources]").await?);
    sc.close().await
}

#[tokio::test]
async fn a_bad_row_stops_an_import_with_its_number_and_a_good_shift_jis_file_imports(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.client.goto(&server.url("/sc/resources/import")).await?;
    wait_for(&sc, "input[name=resource_file]").await?;

    // A bad row (an unknown category): refused with its row number; nothing saved.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "名称,分類,公開\r\n乗附 朝の体操,通いの場・サロン・居場所,公開\r\n乗附 夕食会,ごはん,公開\r\n",
    )?;
    let input = sc
        .client
        .find(fantoccini::Locator::Css("input[name=resource_file]"))
        .await?;
    input.send_keys(&bad.to_string_lossy()).await?;
    wait_for(&sc, "[data-preview][data-ok=false]").await?;
    let refused = text_of(&sc, "[data-row='3']").await?;
    assert!(
        refused.contains("3行目") && refused.contains("「ごはん」という分類はありません"),
        "{refused}"
    );
    assert!(!present(&sc, "[data-action=save-import]").await?);

    // The same list as Japanese Excel saves it: Shift_JIS, both rows right.
    let good = dir.path().join("good.csv");
    let text = "名称,よみがな,分類,費用,公開\r\n乗附 朝の体操,のりつけ あさのたいそう,通いの場・サロン・居場所,無料,公開\r\n乗附 夕食会,のりつけ ゆうしょくかい,配食・会食,300円,内部\r\n";
    let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!lossy);
    std::fs::write(&good, &bytes)?;
    sc.tap("[data-encoding=shift_jis]").await?;
    let input = sc
        .client
        .find(fantoccini::Locator::Css("input[name=resource_file]"))
        .await?;
    input.send_keys(&good.to_string_lossy()).await?;
    wait_for(&sc, "[data-preview][data-ok=true]").await?;
    sc.tap("[data-action=save-import]").await?;
    wait_for(&sc, ".resource-link").await?;
    search_finds(&sc, "あさのたいそう", "乗附 朝の体操").await?;
    search_finds(&sc, "夕食会", "乗附 夕食会").await?;
    sc.close().await
}

#[tokio::test]
async fn the_public_page_lists_public_entries_only_without_signing_in() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let visitor = Browser::start().await?;
    visitor
        .client
        .goto(&server.url("/public/resources"))
        .await?;
    visitor.wait_for_text("社会資源まとめ", PATIENCE).await?;
    let page = visitor.body_text().await?;
    assert!(page.contains("おとしよりぐるりんタクシー"), "{page}");
    assert!(page.contains("027-321-1319"));
    assert!(
        !page.contains("見守り協力店"),
        "an internal entry is on the public page"
    );
    assert!(
        page.contains("市内全域") && page.contains("新町地区"),
        "{page}"
    );
    visitor.close().await
}

#[tokio::test]
async fn a_coordinator_saves_the_directory_as_a_spreadsheet_excel_opens_as_written(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let sc = Browser::start().await?;
    sign_in(&sc, &server, "noritsuke.sc").await?;
    sc.client.goto(&server.url("/sc/resources/import")).await?;
    wait_for(&sc, "[data-action=export-resources]").await?;
    // The file the phone hands to the browser's download, kept to be read here.
    sc.js("window.savedFiles = []; const make = URL.createObjectURL; \
         URL.createObjectURL = b => { window.savedFiles.push(b); return make(b); };")
        .await?;
    sc.tap("[data-action=export-resources]").await?;
    sc.wait_for_text("社会資源まとめ-", PATIENCE).await?;
    let bytes = sc
        .await_js(
            "window.savedFiles[0].arrayBuffer().then(b => new Uint8Array(b).slice(0, 12))",
            PATIENCE,
        )
        .await?;
    let bytes: Vec<u8> = serde_json::from_value(bytes)?;
    // UTF-8's byte-order mark first: without it Excel on Windows reads it as Shift_JIS.
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "{bytes:?}");
    assert_eq!(
        String::from_utf8_lossy(&bytes[3..]).chars().next(),
        Some('I'),
        "the headings follow: {bytes:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_volunteer_searching_finds_other_districts_entries_below_their_own_named_by_district(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.tap("[data-nav=resources]").await?;
    wait_for(&phone, ".resource-link").await?;
    // Where to look is in sight, not folded under the categories.
    let city = phone
        .client
        .find(fantoccini::Locator::Css("[data-scope=city]"))
        .await?;
    assert!(city.is_displayed().await?, "市内すべて is on the screen");
    assert_eq!(
        attribute(&phone, "[data-scope=mine]", "aria-pressed").await?,
        "true"
    );

    // とくし丸 is 新町's: a 乗附 volunteer finds it, under the other districts, named.
    let names = search_finds(&phone, "とくしまる", "とくし丸").await?;
    assert_eq!(names.len(), 1, "{names:?}");
    let said = phone.body_text().await?;
    assert!(
        said.contains("わたしの地区と市内全域には見つかりませんでした"),
        "{said}"
    );
    assert!(said.contains("ほかの地区で見つかったもの（1件）"), "{said}");
    assert!(text_of(&phone, ".resource-meta")
        .await?
        .contains("新町地区"));

    // Their own district's matches come first, the other districts' after the heading.
    fill(&phone, "input[name=resource_search]", "買い物").await?;
    phone
        .wait_for_text("ほかの地区で見つかったもの（2件）", PATIENCE)
        .await?;
    let names = listed(&phone).await?;
    let heading_at = phone
        .js("const items = [...document.querySelectorAll('.resource-list > li')]; return items.findIndex(li => li.matches('[data-other-districts]'));")
        .await?
        .as_i64()
        .unwrap_or(-1);
    let metas = phone
        .js("return [...document.querySelectorAll('.resource-list > li')].map(li => li.matches('[data-other-districts]') ? '|' : (li.querySelector('.resource-meta') || {}).textContent);")
        .await?;
    let metas: Vec<String> = metas
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    assert!(heading_at >= 0, "{metas:?} {names:?}");
    let (near, far) = metas.split_at(heading_at as usize);
    assert!(
        near.iter()
            .all(|m| m.contains("乗附地区") || m.contains("市内全域")),
        "{near:?}"
    );
    assert!(
        far[1..]
            .iter()
            .all(|m| !m.contains("乗附地区") && !m.contains("市内全域")),
        "{far:?}"
    );
    assert!(far.iter().any(|m| m.contains("新町地区")), "{far:?}");

    // Nothing anywhere: the hint names only what would widen the search.
    fill(&phone, "input[name=resource_search]", "ぞうきんがけ").await?;
    phone
        .wait_for_text("見つかりませんでした。言葉を短くする", PATIENCE)
        .await?;
    let said = phone.body_text().await?;
    assert!(
        !said.contains("「市内すべて」を選ぶ"),
        "a search looks everywhere: {said}"
    );
    assert!(
        !said.contains("分類を「すべて」"),
        "すべて is already chosen: {said}"
    );
    phone.close().await?;
    server.stop().await
}
