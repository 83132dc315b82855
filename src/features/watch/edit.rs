//! Correcting a resident's name and contact details. Only the fields changed are sent, with
//! the newest version this phone had seen, so that two people editing different fields
//! never undo each other and two editing the same field leave a conflict for the SC.

use crate::screens::use_params_map;
use leptos::prelude::*;
use mimamori_core::kinds::{
    edit_patch, field_label_ja, limits, normalize_phone, EmergencyContact, ResidentPatch,
    TEXT_FIELDS,
};
use mimamori_core::merge::LwwRecord;
use mimamori_core::record::{Body, RecordId};

use crate::app::{AppStore, AppSync};
use crate::features::save_form;
use crate::store::Draft;
use crate::text;
use crate::widgets::{FieldErrors, FormField, FormMessage, Loading, Message};

/// The longest text each field takes (the same limits the shared validation applies).
fn max_chars(field: &str) -> usize {
    match field {
        "address" => limits::resident::MAX_ADDRESS_CHARS,
        "area" => limits::resident::MAX_AREA_CHARS,
        "phone" => limits::resident::MAX_PHONE_CHARS,
        "note" => limits::resident::MAX_NOTE_CHARS,
        _ => limits::resident::MAX_NAME_CHARS,
    }
}

const CONTACT_FIELDS: [&str; 3] = [
    "emergency_contact.name",
    "emergency_contact.relation",
    "emergency_contact.phone",
];

/// The record being edited: while reading, held (read once), or not on this phone.
#[derive(Debug, Clone, PartialEq)]
enum Held {
    Reading,
    Record(LwwRecord),
    NotHere,
}

#[component]
pub fn ResidentEditPage() -> impl IntoView {
    let params = use_params_map();
    let store = expect_context::<AppStore>();
    let sync = expect_context::<AppSync>();
    let nav = crate::nav::use_location();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let held = RwSignal::new(Held::Reading);
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let fields: Vec<(&'static str, RwSignal<String>)> = TEXT_FIELDS
        .iter()
        .map(|field| (*field, RwSignal::new(String::new())))
        .collect();
    let contact_name = RwSignal::new(String::new());
    let contact_relation = RwSignal::new(String::new());
    let contact_phone = RwSignal::new(String::new());
    let held_contact = StoredValue::new(EmergencyContact::default());

    // Read once: a sync while typing must not replace what is being typed.
    {
        let id = id.clone();
        let fields = fields.clone();
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else {
                held.set(Held::NotHere);
                return;
            };
            let record = store
                .record(&id)
                .await
                .ok()
                .flatten()
                .and_then(|r| r.live());
            match record {
                Some(mimamori_core::kinds::State::Resident(record)) => {
                    for (field, value) in &fields {
                        value.set(record.text(field));
                    }
                    let contact = record
                        .current::<ResidentPatch>()
                        .and_then(|p| p.emergency_contact)
                        .unwrap_or_default();
                    contact_name.set(contact.name.clone());
                    contact_relation.set(contact.relation.clone());
                    contact_phone.set(contact.phone.clone());
                    held_contact.set_value(contact);
                    held.set(Held::Record(record));
                }
                _ => held.set(Held::NotHere),
            }
        });
    }

    let submit = {
        let id = id.clone();
        let fields = fields.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            let Held::Record(record) = held.get_untracked() else {
                return;
            };
            let edits: Vec<(&str, String)> = fields
                .iter()
                .map(|(field, value)| {
                    let typed = value.get_untracked();
                    // 全角 digits typed on a Japanese keyboard are what the rule takes.
                    let typed = if *field == "phone" {
                        normalize_phone(&typed)
                    } else {
                        typed
                    };
                    (*field, typed)
                })
                .collect();
            let mut patch = edit_patch(&record, edits.iter().map(|(f, v)| (*f, v.as_str())));
            let contact = EmergencyContact {
                name: contact_name.get_untracked().trim().to_owned(),
                relation: contact_relation.get_untracked().trim().to_owned(),
                phone: normalize_phone(&contact_phone.get_untracked()),
            };
            if contact != held_contact.get_value() {
                patch.emergency_contact = Some(contact);
            }
            let back = format!("/residents/{id}");
            if patch == ResidentPatch::default() {
                nav.navigate(&back);
                return;
            }
            let Ok(record_id) = id.parse::<RecordId>() else {
                return;
            };
            let draft = Draft {
                id: Some(record_id),
                base: record.newest_stamp(),
                body: Body::Resident(patch),
                district: None,
                corrects: None,
                deleted: false,
            };
            leptos::task::spawn_local(async move {
                let shown: Vec<&str> = TEXT_FIELDS.iter().copied().chain(CONTACT_FIELDS).collect();
                if save_form(sync, draft, &shown, errors, message)
                    .await
                    .is_some()
                {
                    nav.navigate(&back);
                }
            });
        }
    };

    let form = view! {
        <form class="form" on:submit=submit>
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
                    <FormField label=field_label_ja(field) field=field errors=errors>
                        {input}
                    </FormField>
                }
            }).collect_view()}
            <fieldset class="group">
                <legend>{text::EMERGENCY_CONTACT}</legend>
                <FormField label=text::CONTACT_NAME field="emergency_contact.name" errors=errors>
                    <input type="text" name="contact_name" maxlength=limits::resident::MAX_NAME_CHARS.to_string() bind:value=contact_name />
                </FormField>
                <FormField label=text::CONTACT_RELATION field="emergency_contact.relation" errors=errors>
                    <input type="text" name="contact_relation" maxlength=limits::resident::MAX_RELATION_CHARS.to_string() bind:value=contact_relation />
                </FormField>
                <FormField label=text::CONTACT_PHONE field="emergency_contact.phone" errors=errors>
                    <input type="tel" name="contact_phone" maxlength=limits::resident::MAX_PHONE_CHARS.to_string() bind:value=contact_phone />
                </FormField>
            </fieldset>
            <div class="save-bar">
                <FormMessage message=message />
                <button class="button primary save-button" type="submit" data-action="save-resident-edit">{text::SAVE}</button>
            </div>
        </form>
    };
    // The form is made once and only shown once the record is read, so typing is never reset.
    let state = Memo::new(move |_| match held.get() {
        Held::Reading => 0,
        Held::Record(_) => 1,
        Held::NotHere => 2,
    });
    view! {
        <section class="page">
            <h2 class="page-title">{text::EDIT_RESIDENT}</h2>
            {crate::widgets::shown_when(move || state.get() == 0, move || view! {<Loading />}.into_any())}
            {crate::widgets::shown_when(move || state.get() == 2, move || view! {
                <p class="empty-message">{text::RECORD_NOT_FOUND}</p>
            }.into_any())}
            <div hidden=move || state.get() != 1>{form}</div>
        </section>
    }
}
