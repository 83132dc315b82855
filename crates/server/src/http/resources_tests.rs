//! The resource directory through the real router: who keeps which entries, and that every
//! signed-in user, whatever their district, pulls them all.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt as _;
use mimamori_core::kinds::{Category, ResourcePatch};
use mimamori_core::record::{Body as RecordBody, Change, DistrictId, RecordId};
use tower::ServiceExt as _;

use super::test_support::*;

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

async fn preview(
    app: &axum::Router,
    by: &Signed,
    query: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
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
