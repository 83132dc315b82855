//! `/resources/:id/show`: 見せる. The screen a volunteer turns towards a resident at the
//! kitchen table: the name, one big call button right under it (on screen in both text
//! sizes), the essentials in very large, high-contrast text, and a QR code the resident's own
//! phone can read; nothing else to touch. It covers the app's bars; leaving takes two deliberate
//! taps on 閉じる, so a resident holding the phone cannot leave it by accident.

use leptos::prelude::*;

use super::queries;
use crate::app::AppStore;
use crate::screens::id_param;
use crate::text;
use crate::widgets::{load, Loading};

/// How long the second tap of 閉じる is waited for.
const CLOSE_CONFIRM_MS: u32 = 4000;

#[component]
pub fn ResourceShowPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let id = id_param();
    let entry = load(
        move || id,
        move |id| async move { queries::resource(&store.get()?, id?).await },
    );
    let back = id.map_or_else(|| "/resources".to_owned(), |id| format!("/resources/{id}"));
    let nav = crate::nav::use_location();
    let armed = RwSignal::new(false);
    let close = move |_| {
        if armed.get_untracked() {
            nav.back_to(&back);
        } else {
            armed.set(true);
            gloo_timers::callback::Timeout::new(CLOSE_CONFIRM_MS, move || armed.set(false))
                .forget();
        }
    };
    view! {
        <section class="show-view" data-show="">
            <button type="button" class="show-close" data-action="close-show" data-armed=move || armed.get().to_string()
                on:click=close>
                {move || if armed.get() { text::SHOW_CLOSE_AGAIN } else { text::SHOW_CLOSE }}
            </button>
            {crate::widgets::dynamic(move || match entry.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! {
                    <h2 class="page-title">{text::RESOURCES_TITLE}</h2>
                    <p class="show-line">{text::RESOURCE_NOT_FOUND}</p>
                }.into_any(),
                // Internal entries are for the volunteers, not for showing.
                Some(Some(item)) if !item.public() => view! {
                    <h2 class="page-title">{item.name()}</h2>
                    <p class="show-line">{text::RESOURCE_INTERNAL}</p>
                }.into_any(),
                Some(Some(item)) => {
                    let phone = item.entry.phone.clone().filter(|p| !p.trim().is_empty());
                    let essentials: Vec<(&'static str, String)> = item
                        .entry
                        .essentials_ja()
                        .into_iter()
                        .filter(|(label, _)| *label != "電話")
                        .collect();
                    view! {
                        <h2 class="page-title show-name">{item.name()}</h2>
                        {phone.map(|phone| view! {
                            <a href=crate::features::watch::tel(&phone) class="show-call" data-action="show-call">
                                <span>{text::SHOW_CALL}</span><span class="show-number">{phone.clone()}</span>
                            </a>
                        })}
                        <dl class="show-essentials">
                            {essentials.into_iter().map(|(label, value)| view! {
                                <div class="show-line"><dt>{label}</dt><dd>{value}</dd></div>
                            }).collect_view()}
                        </dl>
                        // For the resident to keep: their own phone's camera reads it as text.
                        {mimamori_core::qr::qr_drawing(&item.entry.handout_ja())
                            .map(|qr| view! { <super::entry::QrFigure qr=qr /> })}
                    }.into_any()
                }
            })}
        </section>
    }
}
