//! The page's side of the service worker (the worker itself is `crates/server/src/
//! service-worker.js`): register it, notice a new build waiting, and switch to it only when
//! the user says so.

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

const SERVICE_WORKER_URL: &str = "/sw.js";

thread_local! {
    /// Set when the user accepted an update. The first install also changes the controller
    /// (the worker claims the page), and that must not reload the page.
    static UPDATE_ACCEPTED: Cell<bool> = const { Cell::new(false) };
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Browsers without service workers (or insecure origins) have no such property.
    js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .ok()
        .filter(|has| *has)
        .map(|_| navigator.service_worker())
}

/// Registers the worker and sets `update_ready` when a new build has installed and waits.
pub fn register_service_worker(update_ready: RwSignal<bool>) {
    let Some(container) = container() else { return };
    let on_controller_change = Closure::<dyn FnMut()>::new(|| {
        if UPDATE_ACCEPTED.with(Cell::get) {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    container.set_oncontrollerchange(Some(on_controller_change.as_ref().unchecked_ref()));
    on_controller_change.forget();

    leptos::task::spawn_local(async move {
        let registration = match JsFuture::from(container.register(SERVICE_WORKER_URL)).await {
            Ok(registration) => registration.unchecked_into::<ServiceWorkerRegistration>(),
            Err(error) => {
                web_sys::console::warn_2(&"service worker registration failed".into(), &error);
                return;
            }
        };
        watch_registration(&container, &registration, update_ready);
        // Opening the app is the moment a volunteer expects it to be current.
        check_for_update(&registration);
        check_for_updates_when_visible(registration);
        if cfg!(feature = "coordinator") {
            keep_coordinators_build(&container).await;
        }
    });
}

/// The worker precaches only the volunteers' build: on a coordinator's phone, ask it to keep
/// this one too, so that it opens with no signal (it may have loaded before the worker was
/// in charge of the page).
async fn keep_coordinators_build(container: &ServiceWorkerContainer) {
    let Ok(ready) = container.ready() else { return };
    let Ok(registration) = JsFuture::from(ready).await else {
        return;
    };
    let registration = registration.unchecked_into::<ServiceWorkerRegistration>();
    if let Some(worker) = registration.active() {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &message,
            &JsValue::from_str("type"),
            &JsValue::from_str("KEEP_COORDINATORS"),
        );
        let _ = worker.post_message(&message);
    }
}

fn watch_registration(
    container: &ServiceWorkerContainer,
    registration: &ServiceWorkerRegistration,
    update_ready: RwSignal<bool>,
) {
    if registration
        .waiting()
        .is_some_and(|waiting| is_update(container.controller().as_ref(), &waiting))
    {
        update_ready.set(true);
    }
    if let Some(installing) = registration.installing() {
        notify_when_installed(installing, update_ready);
    }
    let watched = registration.clone();
    let on_update_found = Closure::<dyn FnMut()>::new(move || {
        if let Some(installing) = watched.installing() {
            notify_when_installed(installing, update_ready);
        }
    });
    registration.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
    on_update_found.forget();
}

fn notify_when_installed(worker: ServiceWorker, update_ready: RwSignal<bool>) {
    let watched = worker.clone();
    let on_state_change = Closure::<dyn FnMut()>::new(move || {
        let controller = container().and_then(|c| c.controller());
        if watched.state() == ServiceWorkerState::Installed
            && is_update(controller.as_ref(), &watched)
        {
            update_ready.set(true);
        }
    });
    worker.set_onstatechange(Some(on_state_change.as_ref().unchecked_ref()));
    on_state_change.forget();
}

/// Whether `installed` is a new build for this page: only when another worker controls
/// it. On a first visit there is nothing to update from, and WebKit may tell of the first
/// worker's install only once that same worker already controls the page (it has
/// claimed it): the workers themselves are compared, not the presence of a controller.
pub fn is_update(controller: Option<&ServiceWorker>, installed: &ServiceWorker) -> bool {
    controller.is_some_and(|controller| !js_sys::Object::is(controller, installed))
}

/// Volunteers leave the app open for days: look for a new build whenever it comes back
/// to the foreground.
fn check_for_updates_when_visible(registration: ServiceWorkerRegistration) {
    let _ = window_event_listener_untyped("visibilitychange", move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            check_for_update(&registration);
        }
    });
}

/// Asks the browser to fetch `/sw.js` again. Failing while offline is normal: the next
/// check will try again, so the error is swallowed rather than logged as unhandled.
fn check_for_update(registration: &ServiceWorkerRegistration) {
    if let Ok(promise) = registration.update() {
        leptos::task::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// Tells the waiting worker to take over; the page reloads when it has.
pub fn apply_update() {
    UPDATE_ACCEPTED.with(|accepted| accepted.set(true));
    leptos::task::spawn_local(async {
        let Some(container) = container() else { return };
        let Ok(registration) = JsFuture::from(container.get_registration()).await else {
            return;
        };
        let Some(registration) = registration.dyn_ref::<ServiceWorkerRegistration>() else {
            return;
        };
        match registration.waiting() {
            Some(waiting) => {
                let message = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
                let _ = waiting.post_message(&message);
            }
            // Already activated elsewhere (another tab accepted): just load it.
            None => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        }
    });
}
