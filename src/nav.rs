//! Where the app is: the address, its links, and going to another screen.
//!
//! The app is one page; the address names the screen (`screens.rs` matches it). This keeps
//! the path and query in signals, follows the browser's back and forward buttons, and turns
//! a tap on one of the app's own links into a change of screen without loading the page.
//! It replaces leptos_router, whose general machinery (nested routes, forms, transitions)
//! the app never used: 11.7 KB of the first visit (43 KB of wasm before compression).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Where this build lives: the coordinators' build under `/sc`, the volunteers' at the root.
/// Paths inside the app (what `screens.rs` matches, what links say) never carry it.
pub const BASE: &str = if cfg!(feature = "coordinator") {
    "/sc"
} else {
    ""
};

/// `path` without this build's base (`/sc/desk` → `/desk`).
fn inside(path: &str) -> String {
    match path.strip_prefix(BASE) {
        Some("") => "/".to_owned(),
        Some(rest) if !BASE.is_empty() && rest.starts_with('/') => rest.to_owned(),
        _ => path.to_owned(),
    }
}

/// The address of the app's `path` in the other build (the coordinators' or the volunteers').
pub fn in_other_build(path: &str, search: &str) -> String {
    let query = if search.is_empty() {
        String::new()
    } else {
        format!("?{search}")
    };
    if BASE.is_empty() {
        format!("/sc{path}{query}")
    } else {
        format!("{path}{query}")
    }
}

/// The current address. Cheap to copy; provided by [`provide_location`].
#[derive(Clone, Copy)]
pub struct Location {
    /// `/residents/…`: what `screens.rs` matches.
    pub path: RwSignal<String>,
    /// The query without its `?` (`name=…&kana=…`), or empty.
    pub search: RwSignal<String>,
    /// The path shown before this one, if the app showed one.
    previous: StoredValue<Option<String>>,
}

impl Location {
    fn from_window() -> (String, String) {
        let location = web_sys::window().map(|w| w.location());
        let path = inside(
            &location
                .as_ref()
                .and_then(|l| l.pathname().ok())
                .unwrap_or_else(|| "/".to_owned()),
        );
        let search = location
            .and_then(|l| l.search().ok())
            .unwrap_or_default()
            .trim_start_matches('?')
            .to_owned();
        (path, search)
    }

    fn follow_window(&self) {
        let (path, search) = Self::from_window();
        self.previous.set_value(Some(self.path.get_untracked()));
        self.path.set(path);
        self.search.set(search);
    }
}

/// Starts following the address for the app's lifetime and provides it as context.
pub fn provide_location() -> Location {
    let (path, search) = Location::from_window();
    let location = Location {
        path: RwSignal::new(path),
        search: RwSignal::new(search),
        previous: StoredValue::new(None),
    };
    provide_context(location);
    let Some(window) = web_sys::window() else {
        return location;
    };
    // Back and forward.
    let on_popstate = Closure::<dyn Fn()>::new(move || location.follow_window());
    let _ =
        window.add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref());
    on_popstate.forget();
    // A tap on one of the app's own links: one listener for every link there will be.
    let on_click =
        Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |event: web_sys::MouseEvent| {
            if let Some(path) = own_link_target(&event) {
                event.prevent_default();
                go(location, &path);
            }
        });
    if let Some(document) = window.document() {
        let _ =
            document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    }
    on_click.forget();
    location
}

/// The current address (inside the app; taken when a component is made, so that code
/// running later, after a save, can still navigate).
pub fn use_location() -> Location {
    expect_context::<Location>()
}

impl Location {
    /// Goes to `path` (with its query, if any) as following a link would: a new history
    /// entry, the new screen, from its top.
    pub fn navigate(&self, path: &str) {
        go(*self, path);
    }

    /// Returns to `path`: through the history when it is the screen shown before this one
    /// (so that the back button does not lead here again), else as a new entry.
    pub fn back_to(&self, path: &str) {
        let came_from = self.previous.with_value(|p| p.as_deref() == Some(path));
        match web_sys::window().and_then(|w| w.history().ok()) {
            Some(history) if came_from => {
                let _ = history.back();
            }
            _ => go(*self, path),
        }
    }
}

fn go(location: Location, path: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let address = format!("{BASE}{path}");
    if let Ok(history) = window.history() {
        if history
            .push_state_with_url(&JsValue::NULL, "", Some(&address))
            .is_err()
        {
            // Not an address of this page (never expected): let the browser load it.
            let _ = window.location().set_href(&address);
            return;
        }
    }
    location.follow_window();
    window.scroll_to_with_x_and_y(0.0, 0.0);
}

/// The path and query a click should open inside the app, if it is a plain click on a link
/// to one of the app's own screens. Not: a click with a modifier (a new tab is wanted), a
/// link that downloads or opens elsewhere, another site, `tel:`, the server's API (a
/// calendar feed is a file, not a screen) or its public pages.
fn own_link_target(event: &web_sys::MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let anchor: web_sys::HtmlAnchorElement = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??
        .dyn_into()
        .ok()?;
    let target = anchor.target();
    if anchor.has_attribute("download") || !(target.is_empty() || target == "_self") {
        return None;
    }
    let here = web_sys::window()?.location().origin().ok()?;
    if anchor.origin() != here {
        return None;
    }
    let path = inside(&anchor.pathname());
    if path.starts_with("/api/") || path.starts_with("/public/") {
        return None;
    }
    Some(path + &anchor.search())
}
