use std::future::Future;

use leptos::prelude::*;

use crate::engine::SyncStatus;
use crate::text;

/// Reads what a screen shows, keyed on what it depends on (`key`, read reactively: a new id
/// reads again), and again whenever sync stores something or a change is saved. `None`
/// until the first read has ended: a screen says "loading" then, never a false "not
/// found". Later reads keep the last value until they end, so nothing flickers.
pub fn load<K, T, Fut>(
    key: impl Fn() -> K + 'static,
    read: impl Fn(K) -> Fut + 'static,
) -> LocalResource<T>
where
    K: 'static,
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let status = use_context::<SyncStatus>();
    LocalResource::new(move || {
        if let Some(status) = status {
            status.last_success_ms.track();
            status.unsent.track();
        }
        read(key())
    })
}

/// The line a screen shows while its first read is under way.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">{text::LOADING}</p> }
}
