//! The city (長寿社会課, the 第1層 SC) signs in: its home says what the app is for the city
//! and where to go, never an empty list of residents, a desk of zeros or a refusal.

use mimamori_testkit::Browser;

use crate::{fill, present, sign_in, start_demo, text_of, wait_for, wait_until_sent, PATIENCE};

#[tokio::test]
async fn the_city_signs_in_to_a_home_that_says_what_it_is_for_and_where_to_go() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let city = Browser::start().await?;
    sign_in(&city, &server, "city").await?;
    city.tap("[data-nav=watch]").await?;
    wait_for(&city, "[data-home=city]").await?;
    let said = city.body_text().await?;
    assert!(said.contains("市の担当の方へ"), "{said}");
    assert!(said.contains("社会資源まとめ（市内全域）"), "{said}");
    assert!(said.contains("市の画面には出ません"), "{said}");
    assert!(
        !said.contains("対象者を登録する"),
        "no list of residents: {said}"
    );
    assert_eq!(text_of(&city, "[data-nav=watch]").await?, "ホーム");

    // Where to go: the directory, whose city-wide entries the city keeps.
    city.tap("[data-action=city-resources]").await?;
    wait_for(&city, ".resource-link").await?;
    assert!(city
        .body_text()
        .await?
        .contains("おとしよりぐるりんタクシー"));
    assert!(present(&city, "[data-action=add-resource]").await?);

    // 記録 says why it holds no visits, not that none were made.
    city.tap("[data-nav=reports]").await?;
    wait_for(&city, "[data-reports=city]").await?;
    assert!(!city.body_text().await?.contains("まだ記録がありません"));

    // The SC's desk, opened by its address, says whose it is.
    city.client.goto(&server.url("/sc/desk")).await?;
    city.wait_for_text("地区の生活支援コーディネーター（SC）のもの", PATIENCE)
        .await?;
    assert!(!city.body_text().await?.contains("権限がありません"));
    city.close().await?;
    server.stop().await
}

#[tokio::test]
async fn the_city_adds_a_city_wide_entry_and_a_volunteer_finds_it_named_city_wide(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = start_demo(dir.path()).await?;
    let city = Browser::start().await?;
    sign_in(&city, &server, "city").await?;
    city.tap("[data-nav=watch]").await?;
    city.tap("[data-home=city] [data-action=add-resource]")
        .await?;
    fill(&city, "input[name=name]", "高齢者なんでも電話相談").await?;
    fill(
        &city,
        "input[name=kana]",
        "こうれいしゃなんでもでんわそうだん",
    )
    .await?;
    city.tap("[data-category=consultation]").await?;
    city.tap("[data-visibility=public]").await?;
    city.tap("[data-action=save-resource]").await?;
    wait_for(&city, "[data-action=edit-resource]").await?;
    wait_until_sent(&city).await?;

    // A volunteer's phone, fresh from the server, finds it among their own, city-wide.
    let phone = Browser::start().await?;
    sign_in(&phone, &server, "noritsuke.v1").await?;
    phone.tap("[data-nav=resources]").await?;
    wait_for(&phone, ".resource-link").await?;
    fill(&phone, "input[name=resource_search]", "でんわそうだん").await?;
    mimamori_testkit::eventually("the city's entry", PATIENCE, || async {
        let first = text_of(&phone, ".resource-link .watch-name").await.ok()?;
        (first == "高齢者なんでも電話相談").then_some(())
    })
    .await?;
    assert!(text_of(&phone, ".resource-link .resource-meta")
        .await?
        .contains("市内全域"));
    assert!(
        !present(&phone, "[data-other-districts]").await?,
        "city-wide is the volunteer's own"
    );
    city.close().await?;
    phone.close().await?;
    server.stop().await
}
