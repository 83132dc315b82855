use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::sync_status::{status_line, LocalMinute, SyncState};

use crate::app::AppSync;
use crate::sync::SyncStatus;
use crate::text;

/// The calm line under the title: offline or not, how many records wait, when the last
/// sync succeeded; and, when signed in, a button to sync now.
#[component]
pub fn SyncStatusLine(online: ReadSignal<bool>) -> impl IntoView {
    let status = use_context::<SyncStatus>();
    let sync = expect_context::<AppSync>();
    let line = move || {
        let (unsent, last) =
            status.map_or((0, None), |s| (s.unsent.get(), s.last_success_ms.get()));
        let state = SyncState {
            online: online.get(),
            unsent,
            last_success: last.map(|ms| local_minute(&js_sys::Date::new(&ms.into()))),
        };
        status_line(state, local_minute(&js_sys::Date::new_0()).date)
    };
    let signed_in = move || status.is_some_and(|s| s.me.get().is_some());
    let syncing = move || status.is_some_and(|s| s.syncing.get());
    view! {
        <div class="sync-bar">
            <p class="sync-status" role="status" aria-live="polite" data-online=move || online.get().to_string()>
                {line}
            </p>
            <Show when=signed_in>
                <button
                    class="button small"
                    data-action="sync-now"
                    disabled=syncing
                    on:click=move |_| sync.request()
                >
                    {move || if syncing() { text::SYNCING } else { text::SYNC_NOW }}
                </button>
            </Show>
        </div>
        {move || status.and_then(|s| s.problem.get()).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
    }
}

/// A JavaScript date in the phone's own time zone.
fn local_minute(date: &js_sys::Date) -> LocalMinute {
    let day = CivilDate::new(
        date.get_full_year() as i32,
        date.get_month() as u8 + 1,
        date.get_date() as u8,
    )
    .unwrap_or(CivilDate {
        year: 1970,
        month: 1,
        day: 1,
    });
    LocalMinute {
        date: day,
        hour: date.get_hours() as u8,
        minute: date.get_minutes() as u8,
    }
}
