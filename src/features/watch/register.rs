//! Registering a resident (only with consent), and correcting a resident change the server
//! refused.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mimamori_core::api::District;
use mimamori_core::kinds::{field_label_ja, limits, Consent, ResidentPatch};
use mimamori_core::record::{Body, DistrictId};
use mimamori_core::sync::replica::Quarantined;

use crate::app::{AppStore, AppSync};
use crate::engine::SyncStatus;
use crate::features::save_form;
use crate::store::Draft;
use crate::widgets::{FieldErrors, FormField, FormMessage, Message};
use crate::{local_time, text};

const FIELDS_SHOWN: &[&str] = &["name", "consent.scope", "consent"];

#[component]
pub fn NewResidentPage() -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let store = expect_context::<AppStore>();
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(text::DEFAULT_CONSENT_SCOPE.to_owned());
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let navigate = use_navigate();
    // People in several districts choose one (names were kept at sign-in); others are not asked.
    let districts = RwSignal::new(Vec::<District>::new());
    let district = RwSignal::new(None::<DistrictId>);
    leptos::task::spawn_local(async move {
        let Some(store) = store.get() else { return };
        if let Ok(Some(session)) = store.session().await {
            district.set(session.me.districts.first().copied());
            districts.set(session.districts);
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(me) = status.me.get() else {
            message.set(Some(Message::Problem(text::SIGN_IN_FIRST.to_owned())));
            return;
        };
        let patch = ResidentPatch {
            name: Some(name.get().trim().to_owned()),
            assigned_volunteers: Some([me.user_id].into_iter().collect()),
            consent: Some(Consent {
                date: local_time::today(),
                scope: scope.get().trim().to_owned(),
                taken_by: me.user_id,
            }),
            ..ResidentPatch::default()
        };
        let navigate = navigate.clone();
        let mut draft = Draft::new(Body::Resident(patch));
        draft.district = district.get();
        leptos::task::spawn_local(async move {
            if let Some(id) = save_form(sync, draft, FIELDS_SHOWN, errors, message).await {
                navigate(&format!("/residents/{id}"), Default::default());
            }
        });
    };
    view! {
        <section class="page">
            <h2 class="page-title">{text::ADD_RESIDENT}</h2>
            <form class="form" on:submit=submit>
                <FormField label=text::RESIDENT_NAME field="name" errors=errors>
                    <input type="text" name="resident_name"
                        maxlength=limits::resident::MAX_NAME_CHARS.to_string() bind:value=name required />
                </FormField>
                <FormField label=text::CONSENT_SCOPE field="consent.scope" errors=errors>
                    <input type="text" name="consent_scope"
                        maxlength=limits::resident::MAX_CONSENT_SCOPE_CHARS.to_string() bind:value=scope required />
                </FormField>
                <Show when=move || { districts.with(Vec::len) > 1 }>
                    <fieldset class="choices">
                        <legend>{text::DISTRICT}</legend>
                        {move || districts.get().into_iter().map(|d| {
                            let id = DistrictId(d.id);
                            view! {
                                <button type="button" class="choice" data-district=d.id.to_string()
                                    aria-pressed=move || (district.get() == Some(id)).to_string()
                                    on:click=move |_| district.set(Some(id))>{d.name}</button>
                            }
                        }).collect_view()}
                    </fieldset>
                </Show>
                <p class="setting-note">{text::CONSENT_NOTE}</p>
                <FormMessage message=message />
                <button class="button primary" type="submit" data-action="save-resident">{text::SAVE}</button>
            </form>
        </section>
    }
}

/// The fields of a refused resident change, to correct in place: the text fields it set,
/// and the consent's scope. Sending saves a new version of the same record and takes the
/// refused one out of the quarantine in the same transaction.
#[component]
pub fn ResidentCorrection(refused: Quarantined, on_done: Callback<()>) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let change = refused.change.clone();
    let Body::Resident(patch) = change.body.clone() else {
        return ().into_any();
    };
    let errors = RwSignal::new(FieldErrors::from_problems(&refused.fields));
    let message = RwSignal::new(None::<Message>);
    let texts: Vec<(&'static str, RwSignal<String>)> = [
        ("name", patch.name.clone()),
        ("kana", patch.kana.clone()),
        ("address", patch.address.clone()),
        ("phone", patch.phone.clone()),
        ("note", patch.note.clone()),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.map(|v| (field, RwSignal::new(v))))
    .collect();
    let scope = patch
        .consent
        .as_ref()
        .map(|c| RwSignal::new(c.scope.clone()));
    let resend = {
        let texts = texts.clone();
        move |_| {
            let mut corrected = patch.clone();
            for (field, value) in &texts {
                let value = Some(value.get().trim().to_owned());
                match *field {
                    "name" => corrected.name = value,
                    "kana" => corrected.kana = value,
                    "address" => corrected.address = value,
                    "phone" => corrected.phone = value,
                    _ => corrected.note = value,
                }
            }
            if let (Some(scope), Some(consent)) = (scope, corrected.consent.as_mut()) {
                consent.scope = scope.get().trim().to_owned();
            }
            let draft = Draft {
                id: Some(change.id),
                base: change.base,
                body: Body::Resident(corrected),
                district: change.district_id,
                corrects: Some(change.stamp),
            };
            let shown: Vec<&str> = texts
                .iter()
                .map(|(f, _)| *f)
                .chain(["consent.scope"])
                .collect();
            leptos::task::spawn_local(async move {
                if save_form(sync, draft, &shown, errors, message)
                    .await
                    .is_some()
                {
                    on_done.run(());
                }
            });
        }
    };
    view! {
        {texts.iter().map(|(field, value)| {
            let (field, value) = (*field, *value);
            view! {
                <FormField label=field_label_ja(field) field=field errors=errors>
                    <input type="text" name=format!("refused_{field}") bind:value=value />
                </FormField>
            }
        }).collect_view()}
        {scope.map(|scope| view! {
            <FormField label=text::CONSENT_SCOPE field="consent.scope" errors=errors>
                <input type="text" name="refused_scope"
                    maxlength=limits::resident::MAX_CONSENT_SCOPE_CHARS.to_string() bind:value=scope />
            </FormField>
        })}
        <FormMessage message=message />
        <button type="button" class="button primary" data-action="resend-refused" on:click=resend>
            {text::RESEND}
        </button>
    }
    .into_any()
}
