use leptos::prelude::*;
use mimamori_core::record::Body;
use mimamori_core::replica::Quarantined;

use crate::app::{AppStore, AppSync};
use crate::pages::OutcomeChoices;
use crate::store::Draft;
use crate::sync::SyncStatus;
use crate::text;

/// Records the server refused, with its reason in Japanese, so that nothing is dropped
/// silently: the user reads why, and corrects and resends it, or discards it.
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
    view! {
        <Show when=move || !refused.get().is_empty()>
            <section class="quarantine" aria-labelledby="quarantine-title">
                <h3 id="quarantine-title" class="setting-title">
                    {move || text::refused_title(refused.get().len())}
                </h3>
                <ul class="list">
                    <For
                        each=move || refused.get()
                        key=|item| (item.change.id, item.change.stamp)
                        children=move |item| view! { <RefusedItem item=item on_done=Callback::new(move |()| load()) /> }
                    />
                </ul>
                <p class="setting-note">{text::REFUSED_HELP}</p>
            </section>
        </Show>
    }
}

/// One refused change: what it was, why, and its fields to correct in place. Sending the
/// correction saves a new version of the same record and takes this one out of the
/// quarantine in the same transaction, so nothing typed is lost on the way.
#[component]
fn RefusedItem(item: Quarantined, on_done: Callback<()>) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let store = expect_context::<AppStore>();
    let message = RwSignal::new(None::<String>);
    let reasons: Vec<String> = item.fields.iter().map(|f| f.problem.message_ja()).collect();
    let why = format!("{} {}", item.message, reasons.join(" "));
    let change = item.change.clone();

    // The editable parts, started from what was refused.
    let (note, outcome, name, scope) = match &change.body {
        Body::Visit(visit) => (
            Some(RwSignal::new(visit.note.clone())),
            Some(RwSignal::new(visit.outcome)),
            None,
            None,
        ),
        Body::Resident(patch) => (
            None,
            None,
            patch.name.clone().map(RwSignal::new),
            patch
                .consent
                .as_ref()
                .map(|c| RwSignal::new(c.scope.clone())),
        ),
    };

    let resend = {
        let change = change.clone();
        move |_| {
            let mut body = change.body.clone();
            match &mut body {
                Body::Visit(visit) => {
                    if let Some(note) = note {
                        visit.note = note.get().trim().to_owned();
                    }
                    if let Some(outcome) = outcome {
                        visit.outcome = outcome.get();
                    }
                }
                Body::Resident(patch) => {
                    if let Some(name) = name {
                        patch.name = Some(name.get().trim().to_owned());
                    }
                    if let (Some(scope), Some(consent)) = (scope, patch.consent.as_mut()) {
                        consent.scope = scope.get().trim().to_owned();
                    }
                }
            }
            let draft = Draft {
                id: Some(change.id),
                base: change.base,
                body,
                district: Some(change.district_id),
                corrects: Some(change.stamp),
            };
            leptos::task::spawn_local(async move {
                match sync.save_draft(draft).await {
                    Ok(_) => on_done.run(()),
                    Err(problem) => message.set(Some(problem)),
                }
            });
        }
    };
    let discard = {
        let change = change.clone();
        move |_| {
            let change = change.clone();
            leptos::task::spawn_local(async move {
                let Some(store) = store.get() else { return };
                match store.discard_quarantined(&change).await {
                    Ok(()) => on_done.run(()),
                    Err(error) => message.set(Some(error.message_ja().to_owned())),
                }
            });
        }
    };

    view! {
        <li class="refused" data-refused=change.id.to_string()>
            <p class="refused-what">{summary(&item)}</p>
            <p class="refused-why">{why}</p>
            {outcome.map(|outcome| view! { <OutcomeChoices outcome=outcome /> })}
            {note.map(|note| view! {
                <label class="field">
                    <span class="field-label">{text::VISIT_NOTE}</span>
                    <textarea name="refused_note" maxlength="1000" rows="3" bind:value=note></textarea>
                </label>
            })}
            {name.map(|name| view! {
                <label class="field">
                    <span class="field-label">{text::RESIDENT_NAME}</span>
                    <input type="text" name="refused_name" maxlength="50" bind:value=name />
                </label>
            })}
            {scope.map(|scope| view! {
                <label class="field">
                    <span class="field-label">{text::CONSENT_SCOPE}</span>
                    <input type="text" name="refused_scope" maxlength="200" bind:value=scope />
                </label>
            })}
            {move || message.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <div class="button-row">
                <button type="button" class="button primary" data-action="resend-refused" on:click=resend>
                    {text::RESEND}
                </button>
                <button type="button" class="button" data-action="discard-refused" on:click=discard>
                    {text::DISCARD}
                </button>
            </div>
        </li>
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
