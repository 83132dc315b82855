//! Records the server refused, with its reason in Japanese, so that nothing is dropped
//! silently: the user reads why, and corrects and resends it in the kind's own form, or
//! discards it. Kind-blind: what a record is and how it is corrected come from `features`.

use leptos::prelude::*;
use mimamori_core::sync::replica::Quarantined;

use crate::app::AppStore;
use crate::features::{correction_form, summary};
use crate::text;
use crate::widgets::load;

#[component]
pub fn QuarantineList() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let refused = load(
        || (),
        move |()| async move {
            match store.get() {
                Some(store) => store.quarantined().await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    let list = move || refused.get().unwrap_or_default();
    let reread = Callback::new(move |()| refused.refetch());
    view! {
        {crate::widgets::shown_when(move || !list().is_empty(), move || view! {
            <section class="quarantine" aria-labelledby="quarantine-title">
                <h3 id="quarantine-title" class="setting-title">
                    {move || text::refused_title(list().len())}
                </h3>
                <ul class="list">
                    <For
                        each=list
                        key=|item| (item.change.id, item.change.stamp)
                        children=move |item| view! { <RefusedItem item=item on_done=reread /> }
                    />
                </ul>
                <p class="setting-note">{text::REFUSED_HELP}</p>
            </section>
        }.into_any())}
    }
}

/// One refused change: what it was, why, its own form to correct it, and a way to drop it.
#[component]
fn RefusedItem(item: Quarantined, on_done: Callback<()>) -> impl IntoView {
    let store = expect_context::<AppStore>();
    let problem = RwSignal::new(None::<String>);
    let reasons: Vec<String> = item.fields.iter().map(|f| f.problem.message_ja()).collect();
    let why = format!("{} {}", item.message, reasons.join(" "));
    let change = item.change.clone();
    let discard = {
        let change = change.clone();
        move |_| {
            let change = change.clone();
            leptos::task::spawn_local(async move {
                let Some(store) = store.get() else { return };
                match store.discard_quarantined(&change).await {
                    Ok(()) => on_done.run(()),
                    Err(error) => problem.set(Some(error.message_ja().to_owned())),
                }
            });
        }
    };
    view! {
        <li class="refused" data-refused=change.id.to_string()>
            <p class="refused-what">{summary(&change.body)}</p>
            <p class="refused-why">{why}</p>
            {correction_form(item, on_done)}
            {move || problem.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <button type="button" class="button" data-action="discard-refused" on:click=discard>
                {text::DISCARD}
            </button>
        </li>
    }
}
