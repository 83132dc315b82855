//! The resource directory through the real router: who keeps which entries, and that every
//! signed-in user, whatever their district, pulls them all.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt as _;
use mimamori_core::kinds::{Category, ResourcePatch};
use mimamori_core::record::{Body as RecordBody, Change, DistrictId, RecordId};
use tower::ServiceExt as _;

use super::resources::{ImportGate, IMPORTS};
use super::test_support::*;
use super::MAX_BODY_BYTES;

fn entry(name: &str) -> RecordBody {
    RecordBody::Resource(ResourcePatch {
        name: Some(name.into()),
        kana: Some("てすと".into()),
        categories: Some(vec![Category::Transport]),
        public: Some(true),
        ..ResourcePatch::default()
    })
}

fn in_district(by: &Signed, id: RecordId, counter: u32, district: Option<DistrictId>) -> Change {
    let mut change = change(by, id, counter, entry("ぐるりんタクシー"));
    change.district_id = district;
    change
}

fn status(results: &[serde_json::Value]) -> String {
    let result = &results[0];
    result["code"]
        .as_str()
        .unwrap_or(result["status"].as_str().unwrap())
        .to_owned()
}

#[tokio::test]
async fn coordinators_keep_their_districts_entries_the_city_its_own_and_everyone_reads_them() {
    let app = app().await;
    let volunteer = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let other_sc = sign_in(&app, "sc.kataoka").await;
    let city = sign_in(&app, "city").await;
    let noritsuke = Some(DistrictId(1));
    let (district_entry, city_entry) = (id(20), id(21));

    // A district's entry: its SC makes it; a volunteer, the city and another district's
    // SC may not, nor may the district's SC make a city-wide one.
    for (by, district) in [
        (&volunteer, noritsuke),
        (&city, noritsuke),
        (&other_sc, noritsuke),
        (&sc, None),
    ] {
        let results = push(&app, by, &[in_district(by, district_entry, 0, district)]).await;
        assert_ne!(status(&results), "accepted", "{results:?}");
    }
    let results = push(&app, &sc, &[in_district(&sc, district_entry, 0, noritsuke)]).await;
    assert_eq!(status(&results), "accepted", "{results:?}");

    // A city-wide entry: the city makes it; a coordinator may not change it.
    let results = push(&app, &city, &[in_district(&city, city_entry, 0, None)]).await;
    assert_eq!(status(&results), "accepted", "{results:?}");
    let mut edit = in_district(&sc, city_entry, 1, None);
    edit.base = Some(edit.stamp);
    let results = push(&app, &sc, &[edit]).await;
    assert_ne!(status(&results), "accepted", "{results:?}");

    // Everyone signed in holds both, whatever their district.
    for (who, by) in [
        ("vol1", &volunteer),
        ("sc", &sc),
        ("other sc", &other_sc),
        ("city", &city),
    ] {
        let held = pull_ids(&app, by).await;
        for entry in [district_entry, city_entry] {
            assert!(
                held.contains(&entry.to_string()),
                "{who} lacks {entry}: {held:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_public_page_lists_public_entries_only_by_category_and_place_without_signing_in() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let city = sign_in(&app, "city").await;
    let entry = |name: &str, category: Category, public: bool| {
        RecordBody::Resource(ResourcePatch {
            name: Some(name.into()),
            categories: Some(vec![category]),
            phone: Some("027-321-1319".into()),
            public: Some(public),
            ..ResourcePatch::default()
        })
    };
    let mut city_wide = change(
        &city,
        id(31),
        0,
        entry("ぐるりんタクシー", Category::Transport, true),
    );
    city_wide.district_id = None;
    let changes = [
        change(
            &sc,
            id(30),
            0,
            entry(
                "乗附の<script>alert(1)</script>サロン",
                Category::Gathering,
                true,
            ),
        ),
        change(
            &sc,
            id(32),
            1,
            entry("協力店の一覧（内部）", Category::Watching, false),
        ),
    ];
    assert!(push(&app, &sc, &changes)
        .await
        .iter()
        .all(|r| r["status"] == "accepted"));
    assert_eq!(
        push(&app, &city, &[city_wide]).await[0]["status"],
        "accepted"
    );

    let response = app
        .clone()
        .oneshot(
            Request::get("/public/resources")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let page = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    // Public entries under their category and place; the internal one nowhere.
    assert!(
        page.contains("<h2>移動支援</h2>\n<h3>市内全域</h3>"),
        "{page}"
    );
    assert!(page.contains("<h3>乗附地区</h3>"), "{page}");
    assert!(page.contains("ぐるりんタクシー"));
    assert!(page.contains("<a href=\"tel:0273211319\">027-321-1319</a>"));
    assert!(!page.contains("協力店"), "{page}");
    assert!(
        !page.contains("見守り・安否確認"),
        "an empty category is listed: {page}"
    );
    // What an SC typed stays text.
    assert!(page.contains("乗附の&lt;script&gt;alert(1)&lt;/script&gt;サロン"));
    assert!(!page.contains("<script"));
}

#[tokio::test]
async fn a_visit_may_name_the_entries_it_introduced_and_no_unknown_one() {
    let app = app().await;
    let volunteer = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let (entry, resident) = (id(40), id(41));
    let made = push(
        &app,
        &sc,
        &[
            in_district(&sc, entry, 0, Some(DistrictId(1))),
            change(
                &sc,
                resident,
                1,
                super::test_support::resident(volunteer.user),
            ),
        ],
    )
    .await;
    assert!(made.iter().all(|r| r["status"] == "accepted"), "{made:?}");
    let visit_naming = |n: u8, referred: RecordId| {
        let mut body = visit(resident, volunteer.user, "タクシーを紹介");
        if let RecordBody::Visit(visit) = &mut body {
            visit.referred_resources = vec![referred];
        }
        change(&volunteer, id(n), u32::from(n), body)
    };
    let results = push(&app, &volunteer, &[visit_naming(42, entry)]).await;
    assert_eq!(status(&results), "accepted", "{results:?}");
    let results = push(&app, &volunteer, &[visit_naming(43, id(99))]).await;
    assert_eq!(status(&results), "invalid", "{results:?}");
    assert_eq!(
        results[0]["fields"][0]["field"], "referred_resources",
        "{results:?}"
    );
}

/// Sends `bytes` as a file to `path`; the status and the raw answer.
async fn send_file(
    app: &axum::Router,
    by: &Signed,
    method: &str,
    path: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", by.token))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(bytes))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

/// Imports through the router take this to read; the test that fills the import gate takes
/// it to write, so that no other test's import meets the gate full.
static IMPORT_GATE_IN_USE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

async fn preview(
    app: &axum::Router,
    by: &Signed,
    query: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let _gate = IMPORT_GATE_IN_USE.read().await;
    let (status, body) = send_file(
        app,
        by,
        "POST",
        &format!("/api/v1/resources/import?{query}"),
        bytes,
    )
    .await;
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

#[tokio::test]
async fn a_coordinators_list_goes_out_to_excel_and_comes_back_in_shift_jis_all_or_nothing() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let volunteer = sign_in(&app, "vol1").await;
    let city = sign_in(&app, "city").await;
    let entry_id = id(50);
    let pushed = push(
        &app,
        &sc,
        &[in_district(&sc, entry_id, 0, Some(DistrictId(1)))],
    )
    .await;
    assert_eq!(status(&pushed), "accepted");

    // Out: the district's entries, as Excel opens them; only for those who keep them.
    let (code, csv) = send_file(
        &app,
        &sc,
        "GET",
        "/api/v1/resources/export.csv?district=1",
        Vec::new(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{FEFF}ID,名称,よみがな,分類,"), "{csv}");
    assert!(
        csv.contains(&format!("{entry_id},ぐるりんタクシー,てすと,移動支援,")),
        "{csv}"
    );
    for (by, path) in [
        (&volunteer, "/api/v1/resources/export.csv?district=1"),
        (&sc, "/api/v1/resources/export.csv"),
        (&sc, "/api/v1/resources/export.csv?district=2"),
        (&city, "/api/v1/resources/export.csv?district=1"),
    ] {
        let (code, _) = send_file(&app, by, "GET", path, Vec::new()).await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{path}");
    }
    let (code, _) = send_file(
        &app,
        &city,
        "GET",
        "/api/v1/resources/export.csv",
        Vec::new(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);

    // In, as Japanese Excel saves it: Shift_JIS, the exported row changed and a new one.
    let edited = csv.replace(
        "ぐるりんタクシー,てすと,移動支援,",
        "ぐるりんタクシー,てすと,移動支援、相談窓口,",
    )
        + ",とくし丸,とくしまる,買い物支援,,,,,,,不要,,,,移動スーパー,2026-11-01,公開\r\n";
    let (sjis, _, lossy) = encoding_rs::SHIFT_JIS.encode(edited.trim_start_matches('\u{FEFF}'));
    assert!(!lossy);
    let (code, plan) = preview(&app, &sc, "district=1", sjis.to_vec()).await;
    assert_eq!(code, StatusCode::OK, "{plan}");
    assert_eq!(plan["ok"], true, "{plan}");
    assert_eq!(plan["encoding"], "shift_jis");
    let actions: Vec<&str> = plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "create"], "{plan}");
    assert_eq!(plan["rows"][1]["row"], 3);

    // A bad row: refused with its row number, in Japanese; the rest would wait for it.
    let bad = format!("{edited},ゆうやけ食堂,,配食,,,,,,,たぶん,,,,,,公開\r\n");
    let (_, plan) = preview(&app, &sc, "district=1&encoding=utf-8", bad.into_bytes()).await;
    assert_eq!(plan["ok"], false, "{plan}");
    let refused = &plan["rows"][2];
    assert_eq!(refused["row"], 4, "{plan}");
    assert_eq!(refused["action"], "refused");
    let said: Vec<&str> = refused["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(
        said.iter()
            .any(|m| m.contains("「配食」という分類はありません")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|m| m.contains("「必要」か「不要」")),
        "{said:?}"
    );
    // Nothing was saved by asking.
    assert_eq!(pull_ids(&app, &sc).await.len(), 1);

    // The phone saves the planned rows; the same file again then changes nothing.
    let (_, plan) = preview(&app, &sc, "district=1", sjis.to_vec()).await;
    let mut changes = Vec::new();
    for (n, row) in plan["rows"].as_array().unwrap().iter().enumerate() {
        let entry: ResourcePatch = serde_json::from_value(row["entry"].clone()).unwrap();
        let target = row["id"]
            .as_str()
            .map_or(id(60 + n as u8), |i| i.parse().unwrap());
        let mut change = change(&sc, target, 10 + n as u32, RecordBody::Resource(entry));
        if row["action"] == "update" {
            change.base = Some(change.stamp);
        }
        changes.push(change);
    }
    let saved = push(&app, &sc, &changes).await;
    assert!(saved.iter().all(|r| r["status"] == "accepted"), "{saved:?}");
    let (_, again) = preview(&app, &sc, "district=1", sjis.to_vec()).await;
    let actions: Vec<&str> = again["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["unchanged", "unchanged"], "{again}");

    // A volunteer may not import; a file that is not text is said so.
    let (code, _) = preview(&app, &volunteer, "district=1", sjis.to_vec()).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, answer) = preview(
        &app,
        &sc,
        "district=1&encoding=utf-8",
        vec![0xff, 0xfe, 0x00],
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
}

/// The rows of an answer: each one's number and name.
fn rows_of(plan: &serde_json::Value) -> Vec<(u64, String)> {
    plan["rows"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn rows(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(n, s)| (*n, (*s).to_owned()))
        .collect()
}

#[tokio::test]
async fn rows_keep_the_spreadsheets_numbers_after_a_cell_of_several_lines() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    // Row 2's description holds two line breaks; row 4 is left blank.
    let file = "名称,分類,説明\r\n\
        とくし丸,買い物支援,\"移動スーパー。\r\n火曜と金曜。\r\n雨でも来ます。\"\r\n\
        ゆうやけ食堂,配食,\r\n\
        \r\n\
        ぐるりんタクシー,移動支援,\"1回\n100円\"\r\n";
    let (code, plan) = preview(&app, &sc, "district=1", file.as_bytes().to_vec()).await;
    assert_eq!(code, StatusCode::OK, "{plan}");
    assert_eq!(
        rows_of(&plan),
        rows(&[
            (2, "とくし丸"),
            (3, "ゆうやけ食堂"),
            (5, "ぐるりんタクシー")
        ]),
        "{plan}"
    );
    assert_eq!(plan["rows"][1]["action"], "refused", "{plan}");
    // The cell keeps its lines.
    assert_eq!(
        plan["rows"][0]["entry"]["description"],
        "移動スーパー。\n火曜と金曜。\n雨でも来ます。"
    );
    // A row named twice is named by the spreadsheet's number too.
    let twice = format!("{file}とくし丸,買い物支援,\r\n");
    let (_, plan) = preview(&app, &sc, "district=1", twice.into_bytes()).await;
    let last = &plan["rows"][3];
    assert_eq!(last["row"], 6, "{plan}");
    assert!(
        last["problems"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("2行目と同じ名称"),
        "{plan}"
    );
}

/// `text` as UTF-16 with its byte-order mark, as Excel's 「Unicode テキスト」 saves it
/// (little-endian) or big-endian.
fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mark: [u8; 2] = if little_endian {
        [0xFF, 0xFE]
    } else {
        [0xFE, 0xFF]
    };
    mark.into_iter()
        .chain(text.encode_utf16().flat_map(|unit| {
            if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        }))
        .collect()
}

/// A directory as Excel's 「Unicode テキスト」 writes it: tabs between the columns.
const UNICODE_TEXT: &str = "名称\t分類\t説明\r\n\
    とくし丸\t買い物支援\t\"火曜と\r\n金曜、雨でも\"\r\n\
    ぐるりんタクシー\t移動支援、相談窓口\t1回100円\r\n";

#[tokio::test]
async fn excels_unicode_text_is_read_as_utf_16_by_its_tabs() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    for little_endian in [true, false] {
        for query in ["district=1", "district=1&encoding=utf-16"] {
            let (code, plan) = preview(&app, &sc, query, utf16(UNICODE_TEXT, little_endian)).await;
            assert_eq!(code, StatusCode::OK, "{query}: {plan}");
            assert_eq!(plan["encoding"], "utf-16", "{query}: {plan}");
            assert_eq!(plan["ok"], true, "{query}: {plan}");
            assert_eq!(
                rows_of(&plan),
                rows(&[(2, "とくし丸"), (3, "ぐるりんタクシー")]),
                "{query}: {plan}"
            );
            assert_eq!(
                plan["rows"][0]["entry"]["description"],
                "火曜と\n金曜、雨でも"
            );
            assert_eq!(plan["rows"][1]["entry"]["description"], "1回100円");
        }
    }
}

#[tokio::test]
async fn a_tab_separated_file_is_read_by_its_tabs_in_utf_8_or_shift_jis_too() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let (shift_jis, _, lossy) = encoding_rs::SHIFT_JIS.encode(UNICODE_TEXT);
    assert!(!lossy);
    for (bytes, encoding) in [
        (UNICODE_TEXT.as_bytes().to_vec(), "utf-8"),
        (shift_jis.to_vec(), "shift_jis"),
    ] {
        let (code, plan) = preview(&app, &sc, "district=1", bytes).await;
        assert_eq!(code, StatusCode::OK, "{plan}");
        assert_eq!(plan["encoding"], encoding, "{plan}");
        assert_eq!(plan["ok"], true, "{plan}");
        assert_eq!(
            plan["rows"][0]["entry"]["description"],
            "火曜と\n金曜、雨でも"
        );
    }
    // A comma file keeps a tab inside a cell as the cell's.
    let file = "名称,分類,説明\r\nとくし丸,買い物支援,火曜\t金曜\r\n";
    let (_, plan) = preview(&app, &sc, "district=1", file.as_bytes().to_vec()).await;
    assert_eq!(plan["rows"][0]["name"], "とくし丸", "{plan}");
}

/// The error an answer carries: its code and message.
fn error_of(answer: &serde_json::Value) -> (&str, &str) {
    (
        answer["error"]["code"].as_str().unwrap_or_default(),
        answer["error"]["message"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_file_asked_to_be_read_as_another_encoding_than_its_own_is_refused_saying_which() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    // Marked as UTF-16: never read as Shift_JIS or UTF-8 when those are asked.
    for asked in ["shift_jis", "utf-8"] {
        let (code, answer) = preview(
            &app,
            &sc,
            &format!("district=1&encoding={asked}"),
            utf16(UNICODE_TEXT, true),
        )
        .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{asked}: {answer}");
        let (error, message) = error_of(&answer);
        assert_eq!(error, "invalid_body", "{answer}");
        assert!(message.contains("UTF-16 で保存されています"), "{answer}");
    }
    // Marked as UTF-8: not read as UTF-16 or Shift_JIS either.
    let utf8 = format!("\u{FEFF}{UNICODE_TEXT}").into_bytes();
    for asked in ["shift_jis", "utf-16"] {
        let query = format!("district=1&encoding={asked}");
        let (code, answer) = preview(&app, &sc, &query, utf8.clone()).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{asked}: {answer}");
        assert!(
            error_of(&answer).1.contains("UTF-8 で保存されています"),
            "{answer}"
        );
    }
    // Unmarked UTF-16 is refused as Shift_JIS; read a byte at a time, what would pass as
    // Shift_JIS or UTF-8 is full of NULs, and refused too.
    let unmarked = utf16(UNICODE_TEXT, true)[2..].to_vec();
    let (code, answer) =
        preview(&app, &sc, "district=1&encoding=shift_jis", unmarked.clone()).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let ascii = utf16("ID\tname\r\n1\ta\r\n", true)[2..].to_vec();
    for query in ["district=1", "district=1&encoding=shift_jis"] {
        let (code, answer) = preview(&app, &sc, query, ascii.clone()).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {answer}");
        assert!(error_of(&answer).1.contains("NUL"), "{query}: {answer}");
    }
    // Asked for as UTF-16, it is read as such.
    let (code, plan) = preview(&app, &sc, "district=1&encoding=utf-16", unmarked).await;
    assert_eq!(code, StatusCode::OK, "{plan}");
    assert_eq!(plan["encoding"], "utf-16", "{plan}");
    // Shift_JIS asked of a file that is not is said so.
    let (code, answer) = preview(
        &app,
        &sc,
        "district=1&encoding=shift_jis",
        vec![b'a', 0x81, b'\n'],
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        error_of(&answer)
            .1
            .contains("Shift_JIS として読み取れませんでした"),
        "{answer}"
    );
    // An encoding we do not read is named with those we do.
    let (code, answer) = preview(&app, &sc, "district=1&encoding=utf-32", utf8).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(error_of(&answer).1.contains("utf-16"), "{answer}");
}

#[tokio::test]
async fn bytes_after_a_utf_16_mark_that_are_not_utf_16_are_refused() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let mut odd = utf16(UNICODE_TEXT, true);
    odd.push(b'A');
    let unpaired_le = [0xFF, 0xFE, 0x0D, 0x54, 0x00, 0xD8, 0x41, 0x00].to_vec();
    let unpaired_be = [0xFE, 0xFF, 0x54, 0x0D, 0xDC, 0x00, 0x00, 0x41].to_vec();
    for (what, bytes) in [
        ("odd length", odd),
        ("unpaired high surrogate", unpaired_le),
        ("unpaired low surrogate", unpaired_be),
        ("a mark and one byte", vec![0xFF, 0xFE, 0x00]),
    ] {
        for query in ["district=1", "district=1&encoding=utf-16"] {
            let (code, answer) = preview(&app, &sc, query, bytes.clone()).await;
            assert_eq!(
                code,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{what}, {query}: {answer}"
            );
            let (error, message) = error_of(&answer);
            assert_eq!(error, "invalid_body", "{what}: {answer}");
            assert!(
                message.contains("UTF-16 として読み取れませんでした"),
                "{what}: {answer}"
            );
        }
    }
}

#[tokio::test]
async fn a_file_bigger_than_the_limit_is_refused_as_too_large() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let (code, answer) = preview(&app, &sc, "district=1", vec![b'a'; MAX_BODY_BYTES + 1]).await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(error_of(&answer).0, "payload_too_large", "{answer}");
}

#[tokio::test]
async fn imports_beyond_those_being_read_and_waiting_are_told_to_come_back() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let send = || {
        let request = Request::post("/api/v1/resources/import?district=1")
            .header(header::AUTHORIZATION, format!("Bearer {}", sc.token))
            .body(Body::from(UNICODE_TEXT))
            .unwrap();
        app.clone().oneshot(request)
    };
    let _alone = IMPORT_GATE_IN_USE.write().await;
    // Every place at the gate taken, as by imports being read and waiting.
    let places: Vec<_> = std::iter::from_fn(|| IMPORTS.admit().ok()).collect();
    assert!(!places.is_empty());
    let response = send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    let answer: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(error_of(&answer).0, "unavailable", "{answer}");
    // Room again once they are done.
    drop(places);
    assert_eq!(send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn imports_are_read_one_at_a_time_and_beyond_the_waiting_room_turned_away() {
    let gate = ImportGate::new(1, 1);
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let read = {
        let (running, most) = (running.clone(), most.clone());
        move |hold: Option<std::sync::mpsc::Receiver<()>>| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            if let Some(hold) = hold {
                let _ = hold.recv_timeout(Duration::from_secs(10));
            }
            running.fetch_sub(1, Ordering::SeqCst);
        }
    };
    // The first is read, and holds its turn until released.
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let (started, first_started) = tokio::sync::oneshot::channel::<()>();
    let first = {
        let read = read.clone();
        tokio::spawn(gate.admit().unwrap().run(move || {
            let _ = started.send(());
            read(Some(hold))
        }))
    };
    first_started.await.unwrap();
    // The second has the one place to wait in; a third finds none.
    let second = gate.admit().unwrap();
    assert!(gate.admit().is_err());
    // One that gives up before its turn leaves its place to another.
    drop(second);
    let second = gate.admit().unwrap();
    assert!(gate.admit().is_err());
    let second = tokio::spawn(second.run(move || read(None)));
    release.send(()).unwrap();
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
    assert_eq!(most.load(Ordering::SeqCst), 1);
    // Room again once they are done.
    assert!(gate.admit().is_ok());
}

#[tokio::test]
async fn an_import_whose_caller_gave_up_keeps_its_place_until_its_reading_ends() {
    let gate = ImportGate::new(1, 0);
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let (started, reading_started) = tokio::sync::oneshot::channel::<()>();
    let reading = tokio::spawn(gate.admit().unwrap().run(move || {
        let _ = started.send(());
        let _ = hold.recv_timeout(Duration::from_secs(10));
    }));
    reading_started.await.unwrap();
    // The caller hangs up; its file is still being read, so no other may start.
    reading.abort();
    assert!(reading.await.unwrap_err().is_cancelled());
    assert!(gate.admit().is_err());
    release.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while gate.admit().is_err() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the place is given back once the reading ends");
}

#[tokio::test]
async fn an_import_is_read_off_the_async_threads() {
    // One async thread (tokio's test runtime): read on it, the file would wait in vain for
    // word from this test's task, which could not run meanwhile.
    let gate = ImportGate::new(1, 0);
    let (tell, told) = std::sync::mpsc::channel::<()>();
    let reading = gate
        .admit()
        .unwrap()
        .run(move || told.recv_timeout(Duration::from_secs(10)).is_ok());
    let word = async move {
        tokio::task::yield_now().await;
        tell.send(()).unwrap();
    };
    let (heard, ()) = tokio::join!(reading, word);
    assert!(heard.unwrap());
}
