//! Installable: the web app manifest has what a home-screen app needs, and its icons load.

use serde_json::Value;

use crate::Fixture;

#[tokio::test]
async fn manifest_has_every_field_and_its_icons_load() -> anyhow::Result<()> {
    let Fixture {
        server, browser, ..
    } = Fixture::open().await?;
    let href = browser
        .js("return document.querySelector('link[rel=manifest]').href;")
        .await?;
    assert_eq!(href, server.url("/manifest.webmanifest"));

    let manifest = browser
        .js_async(
            "const done = arguments[arguments.length - 1];\
             fetch('/manifest.webmanifest').then(r => r.json()).then(done, e => done(String(e)));",
        )
        .await?;
    assert_eq!(manifest["name"], "見守り手帳");
    assert!(manifest["short_name"]
        .as_str()
        .is_some_and(|s| !s.is_empty() && s.chars().count() <= 12));
    assert_eq!(manifest["lang"], "ja");
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    for colour in ["theme_color", "background_color"] {
        assert!(
            manifest[colour]
                .as_str()
                .is_some_and(|c| c.starts_with('#')),
            "{colour}"
        );
    }

    let icons = manifest["icons"].as_array().cloned().unwrap_or_default();
    let has = |size: &str, purpose: &str| {
        icons.iter().any(|icon| {
            icon["sizes"] == size && icon["purpose"].as_str().unwrap_or("any").contains(purpose)
        })
    };
    assert!(
        has("192x192", "any") && has("512x512", "any"),
        "plain icons: {icons:?}"
    );
    assert!(
        has("192x192", "maskable") || has("512x512", "maskable"),
        "maskable icon: {icons:?}"
    );

    for icon in &icons {
        let src = icon["src"].as_str().unwrap_or_default();
        let size = icon_size(&browser, src).await?;
        let expected = icon["sizes"].as_str().unwrap_or_default();
        assert_eq!(size, expected, "{src} decodes at its declared size");
    }

    browser.close().await?;
    server.stop().await
}

/// Fetches and decodes an image in the page; answers "WxH".
async fn icon_size(browser: &mimamori_testkit::Browser, src: &str) -> anyhow::Result<String> {
    let script = format!(
        "const done = arguments[arguments.length - 1];\
         fetch({src:?}).then(r => {{ if (!r.ok || r.headers.get('content-type') !== 'image/png') throw new Error(r.status); return r.blob(); }})\
           .then(createImageBitmap).then(b => done(b.width + 'x' + b.height), e => done('failed: ' + e));"
    );
    let value: Value = browser.js_async(&script).await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}
