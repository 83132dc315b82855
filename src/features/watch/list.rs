//! 見守りリスト: the residents being visited, 未訪問 first, each with their last visit as
//! people say it and a 記録 button that opens a new visit for them; the way to one's
//! follow-ups, to the SC's desk, and to register someone.

use leptos::prelude::*;
use mimamori_core::watch::WatchRow;

use super::queries;
use crate::app::AppStore;
use crate::engine::SyncStatus;
use crate::text;
use crate::widgets::{load, Loading, QuarantineList, UrgencyMark};

#[derive(Clone, PartialEq)]
struct ListData {
    /// The list, or why it could not be read (never shown as an empty list).
    rows: Result<Vec<WatchRow>, String>,
    /// A sync had ended when the rows were read: an empty list is then truly empty, not
    /// still on its way (read before the rows, so the two agree).
    synced: bool,
    my_follow_ups: usize,
    overdue_follow_ups: usize,
}

async fn read(store: Option<crate::store::Store>) -> ListData {
    let Some(store) = store else {
        return ListData {
            rows: Err(text::STORAGE_UNAVAILABLE.to_owned()),
            synced: false,
            my_follow_ups: 0,
            overdue_follow_ups: 0,
        };
    };
    let synced = matches!(store.last_sync_ms().await, Ok(Some(_)));
    let me = queries::people(&store).await.me;
    let (rows, follow_ups) = futures::join!(
        queries::watch_rows(&store),
        queries::open_follow_up_rows(&store, me)
    );
    let follow_ups = follow_ups.unwrap_or_default();
    let today = queries::today();
    ListData {
        rows: rows.map_err(|e| e.message_ja().to_owned()),
        synced,
        overdue_follow_ups: follow_ups
            .iter()
            .filter(|row| row.due.is_some_and(|d| d < today))
            .count(),
        my_follow_ups: follow_ups.len(),
    }
}

#[component]
pub fn WatchPage() -> impl IntoView {
    // The city holds no residents: its home says what it is for (known once signed in).
    #[cfg(feature = "coordinator")]
    return crate::widgets::shown_when_else(
        crate::features::city::is_city,
        || view! { <crate::features::city::CityHome /> }.into_any(),
        || view! { <WatchHome /> }.into_any(),
    );
    #[cfg(not(feature = "coordinator"))]
    view! { <WatchHome /> }
}

/// A line in place of the list.
fn say(class: &'static str, words: String) -> AnyView {
    view! { <p class=class role="status">{words}</p> }.into_any()
}

/// The 見守りリスト with its links: the home of volunteers and SCs.
#[component]
fn WatchHome() -> impl IntoView {
    let status = use_context::<SyncStatus>();
    let store = expect_context::<AppStore>();
    let data = load(|| (), move |()| read(store.get()));
    let signed_in = move || status.is_some_and(|s| s.me.get().is_some());
    let coordinator =
        move || status.is_some_and(|s| s.me.get().is_some_and(|me| me.role.is_coordinator()));
    view! {
        <section class="page">
            <h2 class="page-title">{text::WATCH_TITLE}</h2>
            <QuarantineList />
            {crate::widgets::shown_when_else(move || !signed_in(), || view! {
                    <div class="empty-state">
                        <p class="empty-message">{text::WATCH_SIGN_IN_HINT}</p>
                        <a href="/settings" class="button">{text::GO_TO_SETTINGS}</a>
                    </div>
                }.into_any(), move || view! {
                <div class="button-row top-links">
                    {crate::widgets::shown_when(coordinator, move || view! {
                        <a href="/desk" class="button" data-action="open-desk">{text::DESK_TITLE}</a>
                    }.into_any())}
                    <a href="/follow-ups" class="button" data-action="open-follow-ups">
                        {move || {
                            let (all, late) = data
                                .get()
                                .map_or((0, 0), |d| (d.my_follow_ups, d.overdue_follow_ups));
                            text::follow_ups_link(all, late)
                        }}
                    </a>
                </div>
                {crate::widgets::dynamic(move || match data.get() {
                    None => view! { <Loading /> }.into_any(),
                    // One line for what is not a list: why it could not be read, that it
                    // is still on its way (before the first sync has brought it, it is not
                    // known to be empty), or that nobody is assigned.
                    Some(ListData { rows: Err(why), .. }) => say("alert", why),
                    Some(ListData { rows: Ok(rows), synced, .. }) if rows.is_empty() => say(
                        "empty-message",
                        if synced { text::RESIDENTS_EMPTY } else { text::FIRST_SYNC_WAITING }.to_owned(),
                    ),
                    Some(ListData { rows: Ok(rows), .. }) => view! {
                        <ul class="list watch-list" aria-label=text::WATCH_LIST>
                            {rows.into_iter().map(|row| view! { <WatchItem row=row /> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
                <a href="/residents/new" class="button wide" data-action="add-resident">
                    {text::ADD_RESIDENT}
                </a>
            }.into_any())}
        </section>
    }
}

/// One resident: who, when they are due, the last visit, and 記録.
#[component]
fn WatchItem(row: WatchRow) -> impl IntoView {
    let id = row.id.to_string();
    let overdue = row.standing.is_overdue();
    view! {
        <li class="watch-item" data-resident=id.clone() data-overdue=overdue.to_string()
            data-last-outcome=row.last_outcome.map(|o| o.code())>
            <a href=format!("/residents/{id}") class="watch-who">
                <span class="watch-name">{row.name}
                    // 緊急 and 要連絡 stand out; 気になる is said in the line below.
                    {row.last_outcome.filter(|o| o.urgency() >= 2).map(|outcome| view! {
                        " "<UrgencyMark outcome=outcome />
                    })}
                </span>
                <span class="watch-standing">{if overdue { "⚠ " } else { "" }}{row.standing.text()}</span>
                <span class="watch-last">{text::LAST_VISIT}{row.last_visit}</span>
            </a>
            <a href=format!("/residents/{id}/visit") class="button primary record-button"
                data-action="record-visit">{text::RECORD}</a>
        </li>
    }
}
