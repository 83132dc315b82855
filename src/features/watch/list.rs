//! 見守りリスト: the residents this phone holds, and the way to register one.

use leptos::prelude::*;
use leptos_router::components::A;

use super::queries;
use crate::app::AppStore;
use crate::engine::SyncStatus;
use crate::text;
use crate::widgets::{load, Loading, QuarantineList};

#[component]
pub fn WatchPage() -> impl IntoView {
    let status = use_context::<SyncStatus>();
    let store = expect_context::<AppStore>();
    let residents = load(
        || (),
        move |()| async move {
            match store.get() {
                Some(store) => queries::residents(&store).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
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
                {move || match residents.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(rows) if rows.is_empty() => {
                        view! { <p class="empty-message">{text::RESIDENTS_EMPTY}</p> }.into_any()
                    }
                    Some(rows) => view! {
                        <ul class="list" aria-label=text::WATCH_TITLE>
                            {rows.into_iter().map(|row| {
                                let id = row.id.to_string();
                                view! {
                                    <li>
                                        <A href=format!("/residents/{id}") attr:class="list-item" attr:data-resident=id.clone()>
                                            {row.name}
                                        </A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <A href="/residents/new" attr:class="button primary wide" attr:data-action="add-resident">
                    {text::ADD_RESIDENT}
                </A>
            </Show>
        </section>
    }
}
