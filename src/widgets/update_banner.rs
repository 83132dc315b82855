use leptos::prelude::*;

use crate::{pwa, text};

/// 「新しいバージョンがあります」 with a button that switches to the waiting build and reloads.
/// Nothing switches by itself: a half-written note is never reloaded away.
#[component]
pub fn UpdateBanner(ready: RwSignal<bool>) -> impl IntoView {
    view! {
        {crate::widgets::shown_when(move || ready.get(), move || view! {
            <div class="update-banner" role="alert">
                <p>{text::UPDATE_AVAILABLE}</p>
                <button class="button primary" data-action="apply-update" on:click=|_| pwa::apply_update()>
                    {text::UPDATE_BUTTON}
                </button>
            </div>
        }.into_any())}
    }
}
