//! The sync engine: pushes the outbox and pulls what changed, one run at a time, whenever
//! there is a chance (sync.md: on start, on `online`, on becoming visible, every few
//! minutes while online, and from the button), backing off with jitter after failures.
//! The rules it follows are `mimamori_core::sync::replica`'s; the storage is `store`'s.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use mimamori_core::api::{ErrorCode, Me};

use crate::api::{self, ApiFailure};
use crate::store::{Draft, PreparedPage, SaveError, Session, Store};
use mimamori_core::record::Change;
use mimamori_core::sync::PushResponse;

/// How many changes one push carries, and how many records one pull page asks for.
pub const PUSH_BATCH: u32 = 500;
pub const PULL_PAGE: u32 = 1000;
/// While online, sync at least this often.
const PERIOD: Duration = Duration::from_secs(3 * 60);
const FIRST_RETRY: Duration = Duration::from_secs(5);
const LONGEST_RETRY: Duration = Duration::from_secs(5 * 60);

/// What the screens show about sync. Signals, so that every view stays current.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    pub unsent: RwSignal<usize>,
    pub last_success_ms: RwSignal<Option<f64>>,
    pub syncing: RwSignal<bool>,
    /// A problem the user can act on (not "offline", which is normal).
    pub problem: RwSignal<Option<String>>,
    /// The signed-in user, or `None`.
    pub me: RwSignal<Option<Me>>,
    /// A calm word after 今すぐ同期 could not reach the server (offline is not a problem).
    pub notice: RwSignal<Option<String>>,
}

/// The engine: the store, the status, and the one-run-at-a-time guard.
#[derive(Clone)]
pub struct SyncEngine {
    store: Store,
    pub status: SyncStatus,
    running: Rc<Cell<bool>>,
    /// Asked for while a run was under way (a save during the push): run once more after.
    again: Rc<Cell<bool>>,
    failures: Rc<Cell<u32>>,
    /// The user pressed 今すぐ同期 and waits to hear how it went.
    asked: Rc<Cell<bool>>,
}

impl SyncEngine {
    pub fn new(store: Store) -> Self {
        let status = SyncStatus {
            unsent: RwSignal::new(0),
            last_success_ms: RwSignal::new(None),
            syncing: RwSignal::new(false),
            problem: RwSignal::new(None),
            me: RwSignal::new(None),
            notice: RwSignal::new(None),
        };
        Self {
            store,
            status,
            running: Rc::default(),
            again: Rc::default(),
            failures: Rc::default(),
            asked: Rc::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Reads what is stored (who is signed in, unsent count, last sync) into the status.
    pub async fn load(&self) {
        let _ = self.store.pull_again_once_for_districts().await;
        if let Ok(session) = self.store.session().await {
            self.status.me.set(session.map(|s| s.me));
        }
        self.refresh_counts().await;
    }

    pub async fn refresh_counts(&self) {
        if let Ok(count) = self.store.unsent_count().await {
            self.status.unsent.set(count as usize);
        }
        if let Ok(last) = self.store.last_sync_ms().await {
            self.status.last_success_ms.set(last);
        }
    }

    /// Saves a change made on this phone: stamped, checked with the server's own rules and
    /// stored with its outbox entry in one transaction (`Store::save_made_here`). It waits
    /// in the outbox until the next run; callers that want it sent now call
    /// [`Self::request`].
    pub async fn save(&self, draft: Draft) -> Result<Change, SaveError> {
        let change = self
            .store
            .save_made_here(draft, js_sys::Date::now(), random_bytes())
            .await?;
        // Every save adds exactly one outbox entry (its stamp is new): no need to count.
        self.status.unsent.update(|n| *n += 1);
        Ok(change)
    }

    /// Saves changes made on this phone together, and drops the form's draft they came
    /// from, in one transaction (`Store::save_all`): a visit with the follow-up it asks for
    /// is saved whole or not at all.
    pub async fn save_all(
        &self,
        drafts: Vec<Draft>,
        form_draft: Option<String>,
    ) -> Result<Vec<Change>, SaveError> {
        let changes = self
            .store
            .save_all(drafts, form_draft, js_sys::Date::now(), &mut random_bytes)
            .await?;
        self.status.unsent.update(|n| *n += changes.len());
        Ok(changes)
    }

    /// A run the user asked for (今すぐ同期): if it cannot reach the server, they are told.
    pub fn request_now(&self) {
        self.asked.set(true);
        self.status.notice.set(None);
        self.request();
    }

    /// Starts a run unless one is under way.
    pub fn request(&self) {
        if self.running.replace(true) {
            self.again.set(true);
            return;
        }
        self.again.set(false);
        let engine = self.clone();
        leptos::task::spawn_local(async move {
            engine.status.syncing.set(true);
            let outcome = engine.run().await;
            engine.status.syncing.set(false);
            engine.running.set(false);
            engine.refresh_counts().await;
            let asked = engine.asked.replace(false);
            match &outcome {
                Err(ApiFailure::Offline) if asked => engine
                    .status
                    .notice
                    .set(Some(crate::text::SYNC_OFFLINE_NOTICE.to_owned())),
                Ok(()) => engine.status.notice.set(None),
                Err(_) => {}
            }
            match outcome {
                Ok(()) => {
                    engine.failures.set(0);
                    engine.status.problem.set(None);
                    if engine.again.replace(false) {
                        engine.request();
                    }
                }
                Err(ApiFailure::Revoked) => {
                    engine
                        .forget_user(Some(ApiFailure::Revoked.message_ja()))
                        .await
                }
                // Nothing to retry until the password is replaced (which asks again).
                Err(
                    failure @ ApiFailure::Server {
                        code: Some(ErrorCode::PasswordChangeRequired),
                        ..
                    },
                ) => engine.status.problem.set(Some(failure.message_ja())),
                Err(failure) => {
                    if failure != ApiFailure::Offline {
                        engine.status.problem.set(Some(failure.message_ja()));
                    }
                    engine.retry_later();
                }
            }
        });
    }

    async fn run(&self) -> Result<(), ApiFailure> {
        let Ok(Some(session)) = self.store.session().await else {
            return Ok(());
        };
        // The server takes nothing from a session still on its temporary password.
        if session.me.must_change_password {
            return Err(ApiFailure::Server {
                code: Some(ErrorCode::PasswordChangeRequired),
                message: ErrorCode::PasswordChangeRequired.message_ja().to_owned(),
            });
        }
        self.push_all(&session).await?;
        self.pull_all(&session).await?;
        self.refresh_people(&session).await?;
        let _ = self.store.save_last_success(js_sys::Date::now()).await;
        Ok(())
    }

    /// Pushes the outbox, oldest first, until it is empty. Returns how many changes the
    /// server answered for.
    pub async fn push_all(&self, session: &Session) -> Result<usize, ApiFailure> {
        let mut answered = 0;
        let mut size = PUSH_BATCH;
        let mut batch = self
            .store
            .batch_after(None, size)
            .await
            .map_err(store_failure)?;
        // The answer to the batch before, taken in while this one is sent: the phone's
        // share of a batch (storing an answer takes a tenth of the server's time) overlaps
        // the server's. Sending a batch before the last answer is stored is safe: the
        // server takes a change it already holds as acknowledged, so a push cut off here
        // and sent again changes nothing.
        let mut unstored: Option<(Vec<Change>, PushResponse)> = None;
        while let Some(last) = batch.last() {
            // The next batch is read while the server works on this one, too.
            let (answer, next, stored) = futures::join!(
                api::push(&session.token, batch.iter().map(|o| o.json.as_str())),
                self.store.batch_after(Some(&last.change), size),
                self.take_in(session, unstored.take()),
            );
            answered += stored?;
            let answer = match answer {
                // Long notes in unusual characters can make a full batch too big for one
                // request: send it in halves rather than retrying the same size for ever.
                Err(ApiFailure::Server {
                    code: Some(ErrorCode::PayloadTooLarge),
                    ..
                }) if batch.len() > 1 => {
                    size = (batch.len() / 2) as u32;
                    batch.truncate(size as usize);
                    continue;
                }
                other => other?,
            };
            unstored = Some((batch.into_iter().map(|o| o.change).collect(), answer));
            batch = next.map_err(store_failure)?;
        }
        answered += self.take_in(session, unstored).await?;
        Ok(answered)
    }

    /// Stores the server's answer to a pushed batch (see [`Store::apply_push_answer`]);
    /// returns how many changes it answered.
    async fn take_in(
        &self,
        session: &Session,
        answer: Option<(Vec<Change>, PushResponse)>,
    ) -> Result<usize, ApiFailure> {
        let Some((sent, answer)) = answer else {
            return Ok(0);
        };
        let paired = self
            .store
            .apply_push_answer(&session.token, &sent, &answer.results)
            .await
            .map_err(store_failure)?;
        if !paired {
            return Err(ApiFailure::Offline);
        }
        // Every change sent left the outbox (accepted, or moved to the quarantine).
        self.status
            .unsent
            .update(|n| *n = n.saturating_sub(sent.len()));
        Ok(sent.len())
    }

    /// Pulls pages after the stored cursor until the server has no more, each page stored
    /// with its cursor in one transaction. The next page is fetched while this one is
    /// stored; if storing fails, it is dropped and the cursor stays where it was. Stops
    /// quietly if the user signed out meanwhile. Returns how many records were stored.
    pub async fn pull_all(&self, session: &Session) -> Result<usize, ApiFailure> {
        let cursor = self.store.cursor().await.map_err(store_failure)?;
        let mut page = fetch_page(&session.token, cursor).await?;
        let mut pulled = 0;
        loop {
            let (prepared, more) = page;
            let count = prepared.len();
            let cursor = prepared.cursor();
            let (stored, next) = if more {
                let (stored, next) = futures::join!(
                    self.store.apply_prepared_page(&session.token, prepared),
                    fetch_page(&session.token, cursor),
                );
                (stored, Some(next))
            } else {
                let stored = self
                    .store
                    .apply_prepared_page(&session.token, prepared)
                    .await;
                (stored, None)
            };
            if !stored.map_err(store_failure)? {
                return Ok(pulled);
            }
            pulled += count;
            match next {
                Some(next) => page = next?,
                None => return Ok(pulled),
            }
        }
    }

    /// Reads who works in the user's districts again (someone joined, left, or was
    /// renamed), so that names and the choice of a follow-up's owner stay current offline.
    async fn refresh_people(&self, session: &Session) -> Result<(), ApiFailure> {
        let mut people = Vec::new();
        for district in &session.me.districts {
            for person in api::people(&session.token, *district).await? {
                if !people
                    .iter()
                    .any(|p: &mimamori_core::api::Person| p.user_id == person.user_id)
                {
                    people.push(person);
                }
            }
        }
        self.store
            .save_people(&session.token, people)
            .await
            .map_err(store_failure)
    }

    /// Exponential backoff with jitter, so that a district's phones coming back into signal
    /// together do not all knock at once.
    fn retry_later(&self) {
        let failures = self.failures.get().saturating_add(1);
        self.failures.set(failures);
        let base = FIRST_RETRY
            .saturating_mul(1 << failures.min(8))
            .min(LONGEST_RETRY);
        let jitter = 0.5 + js_sys::Math::random();
        let delay = base.mul_f64(jitter);
        let engine = self.clone();
        leptos::task::spawn_local(async move {
            gloo_timers::future::sleep(delay).await;
            if navigator_online() {
                engine.request();
            }
        });
    }

    /// Erases the signed-in user's data from this phone (revoked, or signed out).
    pub async fn forget_user(&self, reason: Option<String>) {
        let _ = self.store.wipe_user_data().await;
        self.status.me.set(None);
        self.status.problem.set(reason);
        self.refresh_counts().await;
    }

    /// Sync on start, on `online`, on becoming visible, and every few minutes while online.
    pub fn start_triggers(&self) {
        self.request();
        let engine = self.clone();
        let _ = window_event_listener(leptos::ev::online, move |_| engine.request());
        let engine = self.clone();
        let _ = window_event_listener_untyped("visibilitychange", move |_| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                engine.request();
            }
        });
        let engine = self.clone();
        gloo_timers::callback::Interval::new(PERIOD.as_millis() as u32, move || {
            if navigator_online() {
                engine.request();
            }
        })
        .forget();
    }
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn store_failure(error: crate::store::StoreError) -> ApiFailure {
    ApiFailure::Server {
        code: None,
        message: error.message_ja().to_owned(),
    }
}

/// A new record id (UUIDv7), made on this phone: for a record others must point to before
/// it is saved (a visit and the follow-up it asks for, saved together).
pub fn new_record_id() -> mimamori_core::record::RecordId {
    mimamori_core::record::RecordId::new_v7(js_sys::Date::now() as u64, random_bytes())
}

/// Ten random bytes for a UUIDv7, from the browser's cryptographic generator.
fn random_bytes() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}

/// The page after `cursor`, fetched and made ready to store (while the page before is
/// being written: see [`PreparedPage`]), and whether more follow.
async fn fetch_page(token: &str, cursor: i64) -> Result<(PreparedPage, bool), ApiFailure> {
    let page = api::pull(token, cursor, PULL_PAGE).await?;
    let more = page.more;
    let prepared = PreparedPage::of(page).map_err(store_failure)?;
    Ok((prepared, more))
}
