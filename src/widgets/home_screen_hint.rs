//! iPhones (every browser there is WebKit) keep a site's data only while it is used: Safari
//! may delete what a site stored after seven days without a visit, unless the site was
//! added to the home screen. Unsent visits live in that storage, so an iPhone user who
//! opened the app in Safari is told once, in plain steps, how to add it.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::app::AppStore;
use crate::text;

/// Whether this is an iPhone or iPad browser tab (not the app opened from the home screen).
pub fn is_ios_browser_tab() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let agent = navigator.user_agent().unwrap_or_default();
    // iPadOS asks for the desktop site and says "Macintosh"; it has a touch screen.
    let ios = agent.contains("iPhone")
        || agent.contains("iPad")
        || (agent.contains("Macintosh") && navigator.max_touch_points() > 1);
    if !ios {
        return false;
    }
    let standalone = js_sys::Reflect::get(&navigator, &JsValue::from_str("standalone"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
        || window
            .match_media("(display-mode: standalone)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
    !standalone
}

/// What the notice is called among the phone's read notices.
const NOTICE: &str = "home_screen";

/// The hint, until it is read on this phone.
#[component]
pub fn HomeScreenHint() -> impl IntoView {
    let shown = RwSignal::new(false);
    let store = expect_context::<AppStore>();
    if is_ios_browser_tab() {
        if let Some(store) = store.get() {
            leptos::task::spawn_local(async move {
                shown.set(!store.notice_read(NOTICE).await.unwrap_or(false));
            });
        }
    }
    let close = move |_| {
        shown.set(false);
        if let Some(store) = store.get() {
            leptos::task::spawn_local(async move {
                let _ = store.mark_notice_read(NOTICE).await;
            });
        }
    };
    move || {
        shown.get().then(|| {
            view! {
                <section class="home-screen-hint" role="note" data-hint="home-screen">
                    <h2 class="hint-title">{text::HOME_SCREEN_HINT_TITLE}</h2>
                    <p>{text::HOME_SCREEN_HINT_WHY}</p>
                    <ol class="hint-steps">
                        <li>{text::HOME_SCREEN_HINT_STEP_1}</li>
                        <li>{text::HOME_SCREEN_HINT_STEP_2}</li>
                        <li>{text::HOME_SCREEN_HINT_STEP_3}</li>
                    </ol>
                    <button type="button" class="button wide" data-action="home-screen-hint-read"
                        on:click=close>{text::HOME_SCREEN_HINT_READ}</button>
                </section>
            }
        })
    }
}
