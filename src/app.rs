//! The shell: header with the sync status, the routed page, the bottom navigation; and the
//! contexts every feature uses (the store, the sync engine, the text size). The routes are
//! listed here, in one place.

use leptos::prelude::*;
use mimamori_core::record::RecordId;
use mimamori_core::settings::{DeviceSettings, TextSize};

use crate::engine::SyncEngine;
use crate::store::{Draft, SaveError, Session, Store, StoreError};
use crate::widgets::{BottomNav, SyncStatusLine, UpdateBanner};
use crate::{connectivity, pwa, text};

/// The open database, shared by every screen. `None` when IndexedDB could not be opened:
/// the app still shows, with the reason, instead of a blank page.
#[derive(Clone, Copy)]
pub struct AppStore(pub StoredValue<Option<Store>, LocalStorage>);

impl AppStore {
    pub fn get(self) -> Option<Store> {
        self.0.get_value()
    }
}

/// The sync engine, shared by the status line, the account section and (later) every
/// screen that saves. `None` when the database could not be opened.
#[derive(Clone, Copy)]
pub struct AppSync(pub StoredValue<Option<SyncEngine>, LocalStorage>);

impl AppSync {
    /// 今すぐ同期: a sync the user waits to hear about.
    pub fn request_now(self) {
        if let Some(engine) = self.0.get_value() {
            engine.request_now();
        }
    }

    /// Keeps a new session and syncs at once.
    pub async fn signed_in(self, session: Session) {
        let Some(engine) = self.0.get_value() else {
            return;
        };
        if let Err(error) = engine.store().save_session(&session).await {
            engine
                .status
                .problem
                .set(Some(error.message_ja().to_owned()));
            return;
        }
        engine.status.me.set(Some(session.me));
        engine.request();
    }

    /// Saves a change made on this phone (see [`SyncEngine::save`]) and offers it to the
    /// server at once. Returns the record's id, or why it was not saved (a refusal names
    /// the fields that failed).
    pub async fn save_draft(self, draft: Draft) -> Result<RecordId, SaveError> {
        let engine = self
            .0
            .get_value()
            .ok_or(SaveError::Store(StoreError::Unavailable(
                "no database".to_owned(),
            )))?;
        let change = engine.save(draft).await?;
        engine.request();
        Ok(change.id)
    }

    /// Saves changes together and drops the form draft they came from (see
    /// [`SyncEngine::save_all`]), and offers them to the server at once. Returns what was
    /// saved (ids and stamps: a later save from the same form corrects them).
    pub async fn save_changes(
        self,
        drafts: Vec<Draft>,
        form_draft: Option<String>,
    ) -> Result<Vec<mimamori_core::record::Change>, SaveError> {
        let engine = self
            .0
            .get_value()
            .ok_or(SaveError::Store(StoreError::Unavailable(
                "no database".to_owned(),
            )))?;
        let changes = engine.save_all(drafts, form_draft).await?;
        engine.request();
        Ok(changes)
    }

    /// Keeps what the server now says of the signed-in user (after a password change).
    pub async fn update_me(self, me: mimamori_core::api::Me) -> Result<(), String> {
        let engine = self
            .0
            .get_value()
            .ok_or_else(|| crate::text::STORAGE_UNAVAILABLE.to_owned())?;
        let store = engine.store();
        let mut session = store
            .session()
            .await
            .map_err(|e| e.message_ja().to_owned())?
            .ok_or_else(|| crate::text::SIGN_IN_FIRST.to_owned())?;
        session.me = me.clone();
        store
            .save_session(&session)
            .await
            .map_err(|e| e.message_ja().to_owned())?;
        engine.status.me.set(Some(me));
        // A temporary password replaced: what waited can go now.
        engine.request();
        Ok(())
    }

    /// The signed-in session's token, for calls the sync engine does not make.
    pub async fn token(self) -> Option<String> {
        let engine = self.0.get_value()?;
        engine
            .store()
            .session()
            .await
            .ok()
            .flatten()
            .map(|s| s.token)
    }

    /// Signs out: erases the user's data from this phone.
    pub async fn forget_user(self, reason: Option<String>) {
        if let Some(engine) = self.0.get_value() {
            engine.forget_user(reason).await;
        }
    }
}

/// A line saying what just happened (「〇〇さんの訪問を保存しました」), shown on the screen
/// the user is taken to, and gone at the next change of screen.
#[derive(Clone, Copy)]
pub struct Flash {
    message: RwSignal<Option<String>>,
    /// The screen it was shown on (`None`: not shown yet).
    shown_on: RwSignal<Option<String>>,
}

impl Flash {
    pub fn show(self, message: String) {
        self.shown_on.set(None);
        self.message.set(Some(message));
    }
}

/// The flash line, under the header.
#[component]
fn FlashLine() -> impl IntoView {
    let flash = expect_context::<Flash>();
    move || {
        flash.message.get().map(|message| {
            view! { <p class="flash" role="status" data-flash="">{message}</p> }
        })
    }
}

/// What follows every change of screen: the flash moves on, the document's title names the
/// screen, and focus goes to the screen's title (so a screen reader starts there, not in
/// the bottom bar).
#[component]
fn RouteChanges() -> impl IntoView {
    let flash = expect_context::<Flash>();
    let location = crate::nav::use_location();
    Effect::new(move |_| {
        let path = location.path.get();
        match flash.shown_on.get_untracked() {
            None => flash.shown_on.set(Some(path.clone())),
            Some(shown) if shown != path => {
                flash.message.set(None);
                flash.shown_on.set(None);
            }
            Some(_) => {}
        }
        name_the_screen(0);
    });
}

/// Puts the screen's title into the document's and focuses it, once the screen has drawn
/// it (a screen still reading shows it a moment later: tried for up to a second).
fn name_the_screen(attempt: u32) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    match document.query_selector("main .page-title").ok().flatten() {
        Some(title) => {
            let words = title.text_content().unwrap_or_default();
            document.set_title(&format!("{words} | {}", text::APP_NAME));
            let _ = title.set_attribute("tabindex", "-1");
            if let Ok(title) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(title) {
                let _ = title.focus();
            }
        }
        None if attempt < 20 => {
            gloo_timers::callback::Timeout::new(50, move || name_the_screen(attempt + 1)).forget();
        }
        None => document.set_title(text::APP_NAME),
    }
}

/// The text size chosen in 設定, applied to the whole document.
#[derive(Clone, Copy)]
pub struct TextSizeSetting(pub RwSignal<TextSize>);

const LARGE_TEXT_CLASS: &str = "large-text";

/// Sets the document's base size; every size in the style sheet is relative to it.
pub fn apply_text_size(size: TextSize) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root
            .class_list()
            .toggle_with_force(LARGE_TEXT_CLASS, size == TextSize::Large);
    }
}

/// Loads `address` in place of this page (no history entry: back does not return here).
pub fn move_to(address: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(address);
    }
}

#[component]
pub fn App(
    store: Result<Store, StoreError>,
    settings: DeviceSettings,
    /// Read before the first frame, so that no screen paints "signed out" and then changes.
    session: Option<Session>,
) -> impl IntoView {
    let store_problem = store
        .as_ref()
        .err()
        .map(|e| (e.message_ja(), e.detail().to_owned()));
    let engine = store.as_ref().ok().cloned().map(SyncEngine::new);
    if let Some(engine) = &engine {
        engine.status.me.set(session.map(|s| s.me));
    }
    if let Some(engine) = &engine {
        provide_context(engine.status);
        let engine = engine.clone();
        leptos::task::spawn_local(async move {
            engine.load().await;
            engine.start_triggers();
        });
    }
    provide_context(AppSync(StoredValue::new_local(engine)));
    provide_context(AppStore(StoredValue::new_local(store.ok())));
    provide_context(Flash {
        message: RwSignal::new(None),
        shown_on: RwSignal::new(None),
    });

    let text_size = RwSignal::new(settings.text_size);
    Effect::new(move |_| apply_text_size(text_size.get()));
    provide_context(TextSizeSetting(text_size));

    let online = connectivity::online_signal();
    let update_ready = RwSignal::new(false);
    pwa::register_service_worker(update_ready);
    let location = crate::nav::provide_location();
    // Coordinators and the city work in their own build (`sc.html`, under /sc/), volunteers
    // in theirs: whoever signs in, or opens the app, in the other one moves, to the same place.
    if let Some(status) = use_context::<crate::engine::SyncStatus>() {
        Effect::new(move |_| {
            let Some(me) = status.me.get() else {
                return;
            };
            if crate::screens::uses_coordinators_build(me.role) != cfg!(feature = "coordinator") {
                move_to(&crate::nav::in_other_build(
                    &location.path.get_untracked(),
                    &location.search.get_untracked(),
                ));
            }
        });
    }

    view! {
        <div class="shell">
                <header class="app-header" data-online=move || online.get().to_string()>
                    <h1 class="app-title">{text::APP_NAME}</h1>
                    <SyncStatusLine online=online />
                </header>
                <UpdateBanner ready=update_ready />
                <RouteChanges />
                <FlashLine />
                <crate::widgets::HomeScreenHint />
                // The browser's own words ride along for whoever helps the user.
                {store_problem.map(|(message, detail)| view! { <p class="alert" role="alert" data-store-error=detail>{message}</p> })}
                <main class="content">
                    <crate::screens::Screens />
                </main>
                <BottomNav />
            </div>
    }
}
