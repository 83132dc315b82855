//! The shell's own behaviour in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): `cargo xtask test` runs these.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast as _;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_stopped_app_says_so_and_offers_to_open_again() {
    mimamori::show_stopped_notice();
    let document = web_sys::window().unwrap().document().unwrap();
    let notice = document
        .query_selector(".crash[role=alertdialog]")
        .unwrap()
        .expect("the notice covers the app");
    let text = notice.text_content().unwrap();
    assert!(text.contains(mimamori::text::CRASH_TITLE), "{text}");
    assert!(text.contains("この電話に残っています"), "{text}");
    let reopen: web_sys::HtmlAnchorElement = notice
        .query_selector("a")
        .unwrap()
        .expect("a way to open the app again")
        .dyn_into()
        .unwrap();
    assert_eq!(reopen.get_attribute("href").as_deref(), Some("/"));
    assert_eq!(
        reopen.text_content().as_deref(),
        Some(mimamori::text::CRASH_REOPEN)
    );
}

/// A stand-in for a `ServiceWorker` (the rule only compares identities).
fn worker() -> web_sys::ServiceWorker {
    js_sys::Object::new().unchecked_into()
}

#[wasm_bindgen_test]
fn a_worker_is_an_update_only_when_another_controls_the_page() {
    let first = worker();
    // The first visit: nothing controls the page yet.
    assert!(!mimamori::pwa::is_update(None, &first));
    // WebKit: told of the install once the same worker controls the page.
    assert!(!mimamori::pwa::is_update(Some(&first), &first));
    // A new build while the old one controls the page.
    let second = worker();
    assert!(mimamori::pwa::is_update(Some(&first), &second));
}
