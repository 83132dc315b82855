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
