//! 見守り手帳: the PWA. A thin shell over `mimamori-core`, storing everything in IndexedDB.
//!
//! The whole crate is browser code; compiled natively (for the workspace's native tests and
//! lints) it is empty.
#![cfg(target_arch = "wasm32")]

pub mod api;
mod app;
mod connectivity;
pub mod engine;
mod features;

/// What the benchmark pages (`src/bin/bench_*.rs`) reach into besides the store: the
/// directory's reads and the search index its screen builds.
pub mod features_for_bench {
    pub use crate::features::resources::queries::{
        browser_nfkc, index as resource_index, resources,
    };
}
mod local_time;
mod nav;
pub mod pwa;
mod screens;
pub mod store;
pub mod text;
mod widgets;

use leptos::prelude::*;
use mimamori_core::settings::DeviceSettings;

/// Name of the Performance API mark set when the shell has rendered (read by `xtask bench`).
pub const SHELL_RENDERED_MARK: &str = "mimamori-shell-rendered";

/// Opens the database, applies the saved settings, then mounts the app, so that the first
/// frame already has the user's text size.
pub fn start() {
    std::panic::set_hook(Box::new(on_panic));
    // Leptos' own executor starts with the first mount; before it, use the browser's.
    wasm_bindgen_futures::spawn_local(async {
        let store = open_store_or_give_up().await;
        let (settings, session) = match &store {
            Ok(store) => (
                store.load_settings().await.unwrap_or_default(),
                store.session().await.ok().flatten(),
            ),
            Err(_) => (DeviceSettings::default(), None),
        };
        app::apply_text_size(settings.text_size);
        remove_boot_message();
        leptos::mount::mount_to_body(move || {
            view! { <app::App store=store.clone() settings=settings.clone() session=session.clone() /> }
        });
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(SHELL_RENDERED_MARK);
        }
        ask_for_persistent_storage();
    });
}

/// A bug stops the app (panics abort). Rather than leave a screen that no longer answers,
/// say so in words and offer to open it again: what was saved (drafts included) is safe in
/// IndexedDB. The console gets where it happened, for whoever debugs the phone; not the
/// message, whose formatting would cost 2.3 KB of every first visit (the line names it).
fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    let mut detail = String::from("見守り手帳 stopped");
    if let Some(location) = info.location() {
        detail.push_str(" at ");
        detail.push_str(location.file());
        detail.push(':');
        detail.push_str(&location.line().to_string());
    }
    web_sys::console::error_1(&detail.into());
    show_stopped_notice();
}

/// Covers the app with the notice that it has stopped and a way to open it again.
pub fn show_stopped_notice() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    // Plain markup: a link (not a script handler, which the CSP refuses) reloads the app.
    let notice = [
        "<div class=\"crash\" role=\"alertdialog\" aria-labelledby=\"crash-title\"><h1 id=\"crash-title\">",
        text::CRASH_TITLE,
        "</h1><p>",
        text::CRASH_BODY,
        "</p><a class=\"button primary\" href=\"/\">",
        text::CRASH_REOPEN,
        "</a></div>",
    ]
    .concat();
    let _ = body.insert_adjacent_html("afterbegin", &notice);
}

/// index.html shows a line while the wasm loads; the app replaces it.
fn remove_boot_message() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}

/// Asks the browser not to evict this site's data under storage pressure (sync.md, "keep
/// the data"). Browsers may say no (Safari decides by home-screen installation); the outbox
/// is the same either way, so the answer only matters to the browser.
fn ask_for_persistent_storage() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let has_storage = js_sys::Reflect::has(&navigator, &"storage".into()).unwrap_or(false);
    if !has_storage {
        return;
    }
    if let Ok(promise) = navigator.storage().persist() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// How long opening the database may take before the app opens without it. IndexedDB can
/// hang (a browser killed mid-write, a blocked upgrade); the app must still open and say so
/// rather than stay on its boot line.
const STORE_OPEN_TIMEOUT_MS: u32 = 15_000;

async fn open_store_or_give_up() -> Result<store::Store, store::StoreError> {
    use futures::future::{select, Either};
    let open = std::pin::pin!(store::Store::open());
    let timeout = std::pin::pin!(gloo_timers::future::TimeoutFuture::new(
        STORE_OPEN_TIMEOUT_MS
    ));
    match select(open, timeout).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(store::StoreError::Unavailable(
            "opening IndexedDB timed out".into(),
        )),
    }
}
