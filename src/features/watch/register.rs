//! Registering a resident (only with consent), and correcting a resident change the server
//! refused.

use leptos::prelude::*;
use mimamori_core::api::District;
use mimamori_core::kinds::{
    field_label_ja, limits, normalize_phone, Consent, EmergencyContact, ResidentPatch,
    DEFAULT_VISIT_INTERVAL_DAYS,
};
use mimamori_core::record::{Body, DistrictId};
use mimamori_core::sync::replica::Quarantined;

use crate::app::{AppStore, AppSync, Flash};
use crate::engine::SyncStatus;
use crate::features::{save_form, Correcting};
use crate::store::Draft;
use crate::widgets::{FieldErrors, FormField, FormMessage, Message};
use crate::{local_time, text};

const FIELDS_SHOWN: &[&str] = &[
    "name",
    "kana",
    "area",
    "address",
    "phone",
    "emergency_contact.name",
    "emergency_contact.relation",
    "emergency_contact.phone",
    "visit_interval_days",
    "consent.scope",
    "consent",
    "note",
];

/// A text field of the registration form: its change field, label, input name and limit.
struct TextInput {
    field: &'static str,
    label: &'static str,
    name: &'static str,
    max: usize,
    kind: &'static str,
    value: RwSignal<String>,
}

fn input(
    field: &'static str,
    label: &'static str,
    name: &'static str,
    max: usize,
    kind: &'static str,
) -> TextInput {
    TextInput {
        field,
        label,
        name,
        max,
        kind,
        value: RwSignal::new(String::new()),
    }
}

fn text_field(input: &TextInput, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let value = input.value;
    let view = if input.kind == "textarea" {
        view! { <textarea name=input.name maxlength=input.max.to_string() rows="3" bind:value=value></textarea> }.into_any()
    } else {
        view! { <input type=input.kind name=input.name maxlength=input.max.to_string() bind:value=value /> }.into_any()
    };
    view! { <FormField label=input.label field=input.field errors=errors>{view}</FormField> }
}

fn typed(value: RwSignal<String>) -> Option<String> {
    Some(value.get_untracked().trim().to_owned()).filter(|v| !v.is_empty())
}

#[component]
pub fn NewResidentPage() -> impl IntoView {
    use limits::resident as max;
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let store = expect_context::<AppStore>();
    let flash = expect_context::<Flash>();
    let name = input(
        "name",
        text::RESIDENT_NAME,
        "resident_name",
        max::MAX_NAME_CHARS,
        "text",
    );
    let kana = input(
        "kana",
        text::RESIDENT_KANA,
        "resident_kana",
        max::MAX_NAME_CHARS,
        "text",
    );
    // Opened from a salon member's absences on the desk: their name, typed once already.
    let location = crate::nav::use_location();
    let (name_value, kana_value) = (name.value, kana.value);
    Effect::new(move |_| {
        let search = location.search.get();
        let Some(params) = web_sys::Url::new(&format!("http://x/?{search}"))
            .ok()
            .map(|url| url.search_params())
        else {
            return;
        };
        for (value, key) in [(name_value, "name"), (kana_value, "kana")] {
            if let Some(given) = params.get(key).filter(|g| !g.is_empty()) {
                if value.with_untracked(String::is_empty) {
                    value.set(given);
                }
            }
        }
    });
    let area = input(
        "area",
        text::RESIDENT_AREA,
        "resident_area",
        max::MAX_AREA_CHARS,
        "text",
    );
    let address = input(
        "address",
        text::RESIDENT_ADDRESS,
        "resident_address",
        max::MAX_ADDRESS_CHARS,
        "text",
    );
    let phone = input(
        "phone",
        text::RESIDENT_PHONE,
        "resident_phone",
        max::MAX_PHONE_CHARS,
        "tel",
    );
    let contact_name = input(
        "emergency_contact.name",
        text::CONTACT_NAME,
        "contact_name",
        max::MAX_NAME_CHARS,
        "text",
    );
    let contact_relation = input(
        "emergency_contact.relation",
        text::CONTACT_RELATION,
        "contact_relation",
        max::MAX_RELATION_CHARS,
        "text",
    );
    let contact_phone = input(
        "emergency_contact.phone",
        text::CONTACT_PHONE,
        "contact_phone",
        max::MAX_PHONE_CHARS,
        "tel",
    );
    let note = input(
        "note",
        text::RESIDENT_NOTE,
        "resident_note",
        max::MAX_NOTE_CHARS,
        "textarea",
    );
    let interval = RwSignal::new(DEFAULT_VISIT_INTERVAL_DAYS.to_string());
    let scope = RwSignal::new(text::DEFAULT_CONSENT_SCOPE.to_owned());
    let share = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let nav = crate::nav::use_location();
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
    let values = (
        name.value,
        kana.value,
        area.value,
        address.value,
        phone.value,
    );
    let contact = (
        contact_name.value,
        contact_relation.value,
        contact_phone.value,
    );
    let note_value = note.value;
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(me) = status.me.get() else {
            message.set(Some(Message::Problem(text::SIGN_IN_FIRST.to_owned())));
            return;
        };
        let (name, kana, area, address, phone) = values;
        let (contact_name, contact_relation, contact_phone) = contact;
        let emergency_contact = EmergencyContact {
            name: typed(contact_name).unwrap_or_default(),
            relation: typed(contact_relation).unwrap_or_default(),
            phone: typed(contact_phone)
                .map(|p| normalize_phone(&p))
                .unwrap_or_default(),
        };
        let patch = ResidentPatch {
            name: Some(name.get_untracked().trim().to_owned()),
            kana: typed(kana),
            area: typed(area),
            address: typed(address),
            phone: typed(phone).map(|p| normalize_phone(&p)),
            emergency_contact: (emergency_contact != EmergencyContact::default())
                .then_some(emergency_contact),
            visit_interval_days: Some(interval.get_untracked().trim().parse().unwrap_or(0)),
            // A volunteer visits whom they register; the SC assigns someone afterwards.
            assigned_volunteers: Some(if me.role.is_coordinator() {
                Default::default()
            } else {
                mimamori_core::order::set_of([me.user_id])
            }),
            consent: Some(Consent {
                date: local_time::today(),
                scope: scope.get_untracked().trim().to_owned(),
                share_with_center: share.get_untracked(),
                taken_by: me.user_id,
            }),
            note: typed(note_value),
            ..ResidentPatch::default()
        };
        let saved = text::resident_saved(name.get_untracked().trim());
        let mut draft = Draft::new(Body::Resident(patch));
        draft.district = district.get_untracked();
        leptos::task::spawn_local(async move {
            if let Some(id) = save_form(sync, draft, FIELDS_SHOWN, errors, message).await {
                flash.show(saved);
                nav.navigate(&format!("/residents/{id}"));
            }
        });
    };
    view! {
        <section class="page">
            <h2 class="page-title">{text::ADD_RESIDENT}</h2>
            <p class="setting-note">{text::CONSENT_NOTE}</p>
            <form class="form" on:submit=submit>
                {text_field(&name, errors)}
                {text_field(&kana, errors)}
                {text_field(&area, errors)}
                {text_field(&address, errors)}
                {text_field(&phone, errors)}
                <fieldset class="group">
                    <legend>{text::EMERGENCY_CONTACT}</legend>
                    {text_field(&contact_name, errors)}
                    {text_field(&contact_relation, errors)}
                    {text_field(&contact_phone, errors)}
                </fieldset>
                <FormField label=text::VISIT_INTERVAL field="visit_interval_days" errors=errors>
                    <input type="number" inputmode="numeric" min="1" max="365" name="visit_interval_days" bind:value=interval />
                </FormField>
                <FormField label=text::CONSENT_SCOPE field="consent.scope" errors=errors>
                    <input type="text" name="consent_scope"
                        maxlength=limits::resident::MAX_CONSENT_SCOPE_CHARS.to_string() bind:value=scope required />
                </FormField>
                <button type="button" class="switch" role="switch" data-action="share-with-center"
                    aria-checked=move || share.get().to_string()
                    on:click=move |_| share.update(|s| *s = !*s)>
                    <span class="switch-label">{text::SHARE_WITH_CENTER}</span>
                    <span class="switch-state">{move || if share.get() { text::YES } else { text::NO }}</span>
                </button>
                {text_field(&note, errors)}
                {crate::widgets::shown_when(move || { districts.with(Vec::len) > 1 }, move || view! {
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
                }.into_any())}
                <div class="save-bar">
                    <FormMessage message=message />
                    <button class="button primary save-button" type="submit" data-action="save-resident">{text::SAVE}</button>
                </div>
            </form>
        </section>
    }
}

/// The fields of a refused resident change, to correct in place: the text fields it set,
/// and the consent's scope. Sending saves a new version of the same record and takes the
/// refused one out of the quarantine in the same transaction.
#[component]
pub fn ResidentCorrection(refused: Quarantined, on_done: Callback<()>) -> impl IntoView {
    let correcting = Correcting::new(&refused);
    let Body::Resident(patch) = refused.change.body.clone() else {
        return ().into_any();
    };
    let (errors, message) = (correcting.errors, correcting.message);
    let texts: Vec<(&'static str, RwSignal<String>)> = [
        ("name", patch.name.clone()),
        ("kana", patch.kana.clone()),
        ("address", patch.address.clone()),
        ("phone", patch.phone.clone()),
        ("area", patch.area.clone()),
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
                    "phone" => corrected.phone = value.map(|p| normalize_phone(&p)),
                    "area" => corrected.area = value,
                    _ => corrected.note = value,
                }
            }
            if let (Some(scope), Some(consent)) = (scope, corrected.consent.as_mut()) {
                consent.scope = scope.get().trim().to_owned();
            }
            let shown: Vec<&'static str> = texts
                .iter()
                .map(|(f, _)| *f)
                .chain(["consent.scope"])
                .collect();
            correcting.resend(Body::Resident(corrected), shown, on_done);
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
