//! A resident's page: their name, 食い違い for the SC, the visit form, and their visits.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use mimamori_core::account::Role;
use mimamori_core::record::RecordId;

use super::conflicts::ConflictList;
use super::queries;
use super::visit_form::VisitForm;
use crate::app::AppStore;
use crate::engine::SyncStatus;
use crate::text;
use crate::widgets::{load, Loading};

/// Whether the page has its resident yet: while reading, held, or not on this phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Reading,
    Held,
    NotHere,
}

#[component]
pub fn ResidentPage() -> impl IntoView {
    let params = use_params_map();
    let store = expect_context::<AppStore>();
    let status = expect_context::<SyncStatus>();
    let id = move || params.read().get("id").unwrap_or_default();
    let resident = load(id, move |id| async move {
        let (Some(store), Ok(id)) = (store.get(), id.parse::<RecordId>()) else {
            return None;
        };
        queries::resident(&store, id).await.ok().flatten()
    });
    // The page's frame changes only with this, so that a re-read after a sync never
    // rebuilds the visit form (and what is being typed in it).
    let found = Memo::new(move |_| match resident.get() {
        None => Found::Reading,
        Some(Some(_)) => Found::Held,
        Some(None) => Found::NotHere,
    });
    let name = move || resident.get().flatten().map(|r| r.row.name);
    let merged = Signal::derive(move || resident.get().flatten().map(|r| r.record));
    let visits = move || {
        resident
            .get()
            .flatten()
            .map(|r| r.visits)
            .unwrap_or_default()
    };
    let reread = Callback::new(move |()| resident.refetch());
    view! {
        <section class="page">
            {move || match found.get() {
                Found::Reading => view! { <Loading /> }.into_any(),
                Found::NotHere => view! { <p class="empty-message">{text::RECORD_NOT_FOUND}</p> }.into_any(),
                Found::Held => view! {
                    <h2 class="page-title">{name}</h2>
                    <A href=move || format!("/residents/{}/edit", id()) attr:class="button" attr:data-action="edit-resident">
                        {text::EDIT_RESIDENT}
                    </A>
                    // Conflicts are the SC's to settle (domain.md): volunteers are not shown them.
                    <Show when=move || status.me.get().is_some_and(|me| me.role != Role::Volunteer)>
                        <ConflictList record=merged />
                    </Show>
                    <VisitForm resident_id=id() on_saved=reread />
                    <h3 class="setting-title">{text::VISITS_TITLE}</h3>
                    <ul class="list visits">
                        {move || visits().into_iter().map(|line| view! { <li class="visit-line">{line.text}</li> }).collect_view()}
                    </ul>
                    <Show when=move || visits().is_empty()>
                        <p class="setting-note">{text::VISITS_EMPTY}</p>
                    </Show>
                }.into_any(),
            }}
            <A href="/" attr:class="button">{text::BACK_TO_LIST}</A>
        </section>
    }
}
