//! Whether the phone believes it is online. Offline is normal for this app, so this only
//! informs the status line and, later, when sync is attempted.

use leptos::ev;
use leptos::prelude::*;

/// `navigator.onLine`, kept current by the window's `online` and `offline` events.
pub fn online_signal() -> ReadSignal<bool> {
    let initial = web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true);
    let (online, set_online) = signal(initial);
    // The handles live as long as the app; dropping them would not remove the listeners.
    let _ = window_event_listener(ev::online, move |_| set_online.set(true));
    let _ = window_event_listener(ev::offline, move |_| set_online.set(false));
    online
}
