use leptos::prelude::*;
use mimamori_core::record::Body;
use mimamori_core::replica::Quarantined;

use crate::app::AppStore;
use crate::sync::SyncStatus;
use crate::text;

/// Records the server refused, with its reason in Japanese, so that nothing is dropped
/// silently: the user reads why, re-enters it if it still matters, and discards it.
#[component]
pub fn QuarantineList() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let status = use_context::<SyncStatus>();
    let refused = RwSignal::new(Vec::<Quarantined>::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else { return };
            if let Ok(list) = store.quarantined().await {
                refused.set(list);
            }
        });
    };
    Effect::new(move |_| {
        if let Some(status) = status {
            status.unsent.track();
            status.last_success_ms.track();
        }
        load();
    });
    let discard = move |item: Quarantined| {
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else { return };
            let _ = store.discard_quarantined(&item.change).await;
            load();
        });
    };
    view! {
        <Show when=move || !refused.get().is_empty()>
            <section class="quarantine" aria-labelledby="quarantine-title">
                <h3 id="quarantine-title" class="setting-title">
                    {move || text::refused_title(refused.get().len())}
                </h3>
                <ul class="list">
                    {move || refused.get().into_iter().map(|item| {
                        let summary = summary(&item);
                        let reasons: Vec<String> =
                            item.fields.iter().map(|f| f.problem.message_ja()).collect();
                        let for_discard = item.clone();
                        view! {
                            <li class="refused" data-refused=item.change.id.to_string()>
                                <p class="refused-what">{summary}</p>
                                <p class="refused-why">{item.message.clone()} " " {reasons.join(" ")}</p>
                                <button class="button" data-action="discard-refused"
                                    on:click=move |_| discard(for_discard.clone())>
                                    {text::DISCARD}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="setting-note">{text::REFUSED_HELP}</p>
            </section>
        </Show>
    }
}

/// What the refused record was, in a few words.
fn summary(item: &Quarantined) -> String {
    match &item.change.body {
        Body::Visit(visit) => {
            let note = if visit.note.is_empty() {
                String::new()
            } else {
                format!("「{}」", visit.note)
            };
            format!(
                "{}: {}{}",
                text::VISITS_TITLE,
                visit.outcome.label_ja(),
                note
            )
        }
        Body::Resident(patch) => format!(
            "{}: {}",
            text::RESIDENT_NAME,
            patch.name.clone().unwrap_or_default()
        ),
    }
}
