use leptos::prelude::*;
use mimamori_core::sync_status::{status_line, SyncState};

use crate::app::AppSync;
use crate::engine::SyncStatus;
use crate::{local_time, text};

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
            signed_in: status.is_some_and(|s| s.me.get().is_some()),
            online: online.get(),
            unsent,
            last_success: last.map(local_time::minute_at),
        };
        status_line(state, local_time::today())
    };
    let signed_in = move || status.is_some_and(|s| s.me.get().is_some());
    let syncing = move || status.is_some_and(|s| s.syncing.get());
    view! {
        <div class="sync-bar">
            <p class="sync-status" role="status" aria-live="polite" data-online=move || online.get().to_string()>
                {line}
            </p>
            {crate::widgets::shown_when(signed_in, move || view! {
                <button
                    class="button small"
                    data-action="sync-now"
                    disabled=syncing
                    on:click=move |_| sync.request_now()
                >
                    {move || if syncing() { text::SYNCING } else { text::SYNC_NOW }}
                </button>
            }.into_any())}
        </div>
        {move || status.and_then(|s| s.notice.get()).map(|m| view! { <p class="sync-notice" role="status" data-notice="">{m}</p> })}
        {move || status.and_then(|s| s.problem.get()).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
    }
}
