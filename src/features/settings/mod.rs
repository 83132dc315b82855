//! 設定: the text size, the account (signing in and out, the password), and what the app
//! does with data.

use leptos::prelude::*;
use mimamori_core::settings::{DeviceSettings, TextSize};

use crate::app::{AppStore, TextSizeSetting};
use crate::text;

mod account;

pub use account::AccountSection;

/// 設定: the text size (saved on this phone at once) and what the app does with data.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let TextSizeSetting(text_size) = expect_context::<TextSizeSetting>();
    let store = expect_context::<AppStore>();
    let save_error = RwSignal::new(None::<&'static str>);
    let large = move || text_size.get() == TextSize::Large;

    let toggle = move |_| {
        let next = if large() {
            TextSize::Normal
        } else {
            TextSize::Large
        };
        text_size.set(next);
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else {
                save_error.set(Some(text::LARGE_TEXT_SAVE_FAILED));
                return;
            };
            let result = store
                .save_settings(&DeviceSettings { text_size: next })
                .await;
            save_error.set(result.err().map(|e| e.message_ja()));
        });
    };

    view! {
        <section class="page">
            <h2 class="page-title">{text::SETTINGS_TITLE}</h2>
            <div class="setting">
                <button
                    class="switch"
                    role="switch"
                    data-setting="large-text"
                    aria-checked=move || large().to_string()
                    on:click=toggle
                >
                    <span class="switch-label">{text::LARGE_TEXT}</span>
                    <span class="switch-state">{move || if large() { "オン" } else { "オフ" }}</span>
                </button>
                <p class="setting-note">
                    {move || if large() { text::LARGE_TEXT_ON } else { text::LARGE_TEXT_OFF }}
                </p>
                {move || save_error.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            </div>
            <AccountSection />
            <p class="setting-note">{text::SETTINGS_DATA_NOTE}</p>
            <p class="setting-note">{text::SETTINGS_VERSION} " " {env!("CARGO_PKG_VERSION")}</p>
        </section>
    }
}
