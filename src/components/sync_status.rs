use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::sync_status::{status_line, LocalMinute, SyncState};

use crate::app::AppStore;

/// The calm line under the title: offline or not, how many records wait, when the last
/// sync succeeded. It reads the outbox, so it is true even before sync exists.
#[component]
pub fn SyncStatusLine(online: ReadSignal<bool>) -> impl IntoView {
    let store = expect_context::<AppStore>();
    let unsent = RwSignal::new(0usize);
    let last_success = RwSignal::new(None::<LocalMinute>);
    leptos::task::spawn_local(async move {
        let Some(store) = store.get() else { return };
        if let Ok(count) = store.unsent_count().await {
            unsent.set(count as usize);
        }
        if let Ok(Some(ms)) = store.last_sync_ms().await {
            last_success.set(Some(local_minute(&js_sys::Date::new(&ms.into()))));
        }
    });
    let line = move || {
        let state = SyncState {
            online: online.get(),
            unsent: unsent.get(),
            last_success: last_success.get(),
        };
        status_line(state, local_minute(&js_sys::Date::new_0()).date)
    };
    view! {
        <p class="sync-status" role="status" aria-live="polite" data-online=move || online.get().to_string()>
            {line}
        </p>
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
