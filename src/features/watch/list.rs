//! 見守り: the residents this phone holds, registering one, and a resident's visits.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use mimamori_core::account::Role;
use mimamori_core::api::District;
use mimamori_core::calendar::{say_day_and_time, CivilDate};
use mimamori_core::record::{Body, DistrictId, RecordKind};
use mimamori_core::resident::{Consent, LwwRecord, ResidentPatch};
use serde_json::Value;

use crate::app::{AppStore, AppSync};
use crate::components::{ConflictList, QuarantineList};
use crate::store::{Draft, LocalRecord};
use crate::sync::SyncStatus;
use crate::{local_time, text};

pub use super::visit_form::VisitForm;

/// A resident as the list shows them.
#[derive(Debug, Clone, PartialEq)]
struct ResidentRow {
    id: String,
    name: String,
}

fn resident_row(record: &LocalRecord) -> Option<ResidentRow> {
    let view = record.view.as_ref()?;
    if view["fields"]["_deleted"]["value"] == Value::Bool(true) {
        return None;
    }
    let name = view["fields"]["name"]["value"].as_str()?.to_owned();
    Some(ResidentRow {
        id: record.id.clone(),
        name,
    })
}

/// Re-reads whenever sync changes what is stored.
fn reload_on_sync(load: impl Fn() + 'static) {
    let status = use_context::<SyncStatus>();
    Effect::new(move |_| {
        if let Some(status) = status {
            status.last_success_ms.track();
            status.unsent.track();
        }
        load();
    });
}

#[component]
pub fn WatchPage() -> impl IntoView {
    let status = use_context::<SyncStatus>();
    let store = expect_context::<AppStore>();
    let residents = RwSignal::new(Vec::<ResidentRow>::new());
    reload_on_sync(move || {
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else { return };
            if let Ok(records) = store.records_of_kind(RecordKind::Resident).await {
                let mut rows: Vec<ResidentRow> = records.iter().filter_map(resident_row).collect();
                rows.sort_by(|a, b| a.name.cmp(&b.name));
                residents.set(rows);
            }
        });
    });
    let signed_in = move || status.is_some_and(|s| s.me.get().is_some());
    view! {
        <section class="page">
            <h2 class="page-title">{text::WATCH_TITLE}</h2>
            <QuarantineList />
            <Show
                when=signed_in
                fallback=|| view! {
                    <div class="empty-state">
                        <p class="empty-message">{text::WATCH_SIGN_IN_HINT}</p>
                        <A href="/settings" attr:class="button">{text::GO_TO_SETTINGS}</A>
                    </div>
                }
            >
                <ul class="list" aria-label=text::WATCH_TITLE>
                    <For each=move || residents.get() key=|row| row.id.clone() let:row>
                        <li>
                            <A href=format!("/residents/{}", row.id) attr:class="list-item" attr:data-resident=row.id.clone()>
                                {row.name.clone()}
                            </A>
                        </li>
                    </For>
                </ul>
                <Show when=move || residents.get().is_empty()>
                    <p class="empty-message">{text::RESIDENTS_EMPTY}</p>
                </Show>
                <A href="/residents/new" attr:class="button primary wide" attr:data-action="add-resident">
                    {text::ADD_RESIDENT}
                </A>
            </Show>
        </section>
    }
}

#[component]
pub fn NewResidentPage() -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(text::DEFAULT_CONSENT_SCOPE.to_owned());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    // People in several districts choose one (names were kept at sign-in); others are not asked.
    let store = expect_context::<AppStore>();
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
            error.set(Some(text::SIGN_IN_FIRST.to_owned()));
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
            match sync.save_draft(draft).await {
                Ok(id) => navigate(&format!("/residents/{id}"), Default::default()),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="page">
            <h2 class="page-title">{text::ADD_RESIDENT}</h2>
            <form class="form" on:submit=submit>
                <label class="field">
                    <span class="field-label">{text::RESIDENT_NAME}</span>
                    <input type="text" name="resident_name" maxlength="50" bind:value=name required />
                </label>
                <label class="field">
                    <span class="field-label">{text::CONSENT_SCOPE}</span>
                    <input type="text" name="consent_scope" maxlength="200" bind:value=scope required />
                </label>
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
                {move || error.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                <button class="button primary" type="submit" data-action="save-resident">{text::SAVE}</button>
            </form>
        </section>
    }
}

/// One visit as the history shows it.
fn visit_line(record: &LocalRecord, today: CivilDate) -> String {
    let Some(view) = record.view.as_ref() else {
        return String::new();
    };
    let data = &view["body"]["data"];
    let when = data["visited_at_ms"].as_f64().map(|ms| {
        let at = local_time::minute_at(ms);
        say_day_and_time(at.date, at.hour, at.minute, today)
    });
    let outcome: Option<mimamori_core::visit::Outcome> =
        serde_json::from_value(data["outcome"].clone()).ok();
    let note = data["note"].as_str().unwrap_or_default();
    format!(
        "{} {} {}",
        when.unwrap_or_default(),
        outcome.map(|o| o.label_ja()).unwrap_or_default(),
        note
    )
    .trim()
    .to_owned()
}

#[component]
pub fn ResidentPage() -> impl IntoView {
    let params = use_params_map();
    let store = expect_context::<AppStore>();
    let status = expect_context::<SyncStatus>();
    let id = move || params.read().get("id").unwrap_or_default();
    let name = RwSignal::new(None::<String>);
    let merged = RwSignal::new(None::<LwwRecord>);
    let visits = RwSignal::new(Vec::<String>::new());
    let load = move || {
        let id = id();
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else { return };
            if let Ok(record) = store.record(&id).await {
                let current = record.as_ref().and_then(resident_row).map(|r| r.name);
                if name.get_untracked() != current {
                    name.set(current);
                }
                let state = record
                    .and_then(|r| r.view)
                    .and_then(|view| serde_json::from_value::<LwwRecord>(view).ok());
                if merged.get_untracked() != state {
                    merged.set(state);
                }
            }
            let today = local_time::today();
            if let Ok(records) = store.visits_of(&id).await {
                visits.set(records.iter().map(|r| visit_line(r, today)).collect());
            }
        });
    };
    reload_on_sync(load);
    // The form is made once: re-reading the record must not reset what is being typed.
    view! {
        <section class="page">
            <Show
                when=move || name.get().is_some()
                fallback=|| view! { <p class="empty-message">{text::RECORD_NOT_FOUND}</p> }
            >
                <h2 class="page-title">{move || name.get()}</h2>
                <A href=move || format!("/residents/{}/edit", id()) attr:class="button" attr:data-action="edit-resident">
                    {text::EDIT_RESIDENT}
                </A>
                // Conflicts are the SC's to settle (domain.md): volunteers are not shown them.
                <Show when=move || status.me.get().is_some_and(|me| me.role != Role::Volunteer)>
                    <ConflictList record=Signal::from(merged) />
                </Show>
                <VisitForm resident_id=id() on_saved=Callback::new(move |()| load()) />
                <h3 class="setting-title">{text::VISITS_TITLE}</h3>
                <ul class="list visits">
                    {move || visits.get().into_iter().map(|line| view! { <li class="visit-line">{line}</li> }).collect_view()}
                </ul>
                <Show when=move || visits.get().is_empty()>
                    <p class="setting-note">{text::VISITS_EMPTY}</p>
                </Show>
            </Show>
            <A href="/" attr:class="button">{text::BACK_TO_LIST}</A>
        </section>
    }
}
