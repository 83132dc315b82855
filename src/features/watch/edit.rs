//! Correcting a resident's name and contact details. Only the fields changed are sent, with
//! the newest version this phone had seen, so that two people editing different fields
//! never undo each other and two editing the same field leave a conflict for the SC.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use mimamori_core::record::Body;
use mimamori_core::resident::{self, field_label_ja, LwwRecord, ResidentPatch, TEXT_FIELDS};

use crate::app::{AppStore, AppSync};
use crate::text;

/// The longest text each field takes (the same limits the shared validation applies).
fn max_chars(field: &str) -> usize {
    match field {
        "address" => resident::MAX_ADDRESS_CHARS,
        "phone" => resident::MAX_PHONE_CHARS,
        "note" => resident::MAX_NOTE_CHARS,
        _ => resident::MAX_NAME_CHARS,
    }
}

#[component]
pub fn ResidentEditPage() -> impl IntoView {
    let params = use_params_map();
    let store = expect_context::<AppStore>();
    let sync = expect_context::<AppSync>();
    let navigate = use_navigate();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let held = RwSignal::new(None::<LwwRecord>);
    let missing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fields: Vec<(&'static str, RwSignal<String>)> = TEXT_FIELDS
        .iter()
        .map(|field| (*field, RwSignal::new(String::new())))
        .collect();

    // Read once: a sync while typing must not replace what is being typed.
    {
        let id = id.clone();
        let fields = fields.clone();
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else { return };
            let record = store
                .record(&id)
                .await
                .ok()
                .flatten()
                .and_then(|r| r.view)
                .and_then(|view| serde_json::from_value::<LwwRecord>(view).ok());
            match record {
                Some(record) => {
                    for (field, value) in &fields {
                        value.set(record.text(field));
                    }
                    held.set(Some(record));
                }
                None => missing.set(true),
            }
        });
    }

    let submit = {
        let id = id.clone();
        let fields = fields.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            let Some(record) = held.get_untracked() else {
                return;
            };
            let edits: Vec<(&str, String)> = fields
                .iter()
                .map(|(field, value)| (*field, value.get_untracked()))
                .collect();
            let patch = record.edit_patch(edits.iter().map(|(f, v)| (*f, v.as_str())));
            let back = format!("/residents/{id}");
            if patch == ResidentPatch::default() {
                navigate(&back, Default::default());
                return;
            }
            let Ok(record_id) = id.parse() else { return };
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match sync
                    .save(
                        Some(record_id),
                        record.newest_stamp(),
                        Body::Resident(patch),
                    )
                    .await
                {
                    Ok(_) => navigate(&back, Default::default()),
                    Err(message) => error.set(Some(message)),
                }
            });
        }
    };

    view! {
        <section class="page">
            <h2 class="page-title">{text::EDIT_RESIDENT}</h2>
            <Show when=move || !missing.get() fallback=|| view! { <p class="empty-message">{text::RECORD_NOT_FOUND}</p> }>
                <form class="form" on:submit=submit.clone()>
                    {fields.iter().map(|(field, value)| {
                        let (field, value) = (*field, *value);
                        let name = format!("resident_{field}");
                        let max = max_chars(field).to_string();
                        let input = if field == "note" {
                            view! { <textarea name=name maxlength=max rows="3" bind:value=value></textarea> }.into_any()
                        } else {
                            let kind = if field == "phone" { "tel" } else { "text" };
                            view! { <input type=kind name=name maxlength=max bind:value=value /> }.into_any()
                        };
                        view! {
                            <label class="field">
                                <span class="field-label">{field_label_ja(field)}</span>
                                {input}
                            </label>
                        }
                    }).collect_view()}
                    {move || error.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                    <button class="button primary" type="submit" data-action="save-resident-edit">{text::SAVE}</button>
                </form>
            </Show>
        </section>
    }
}
