//! The page `cargo xtask bench sync` drives in headless Chromium (`bench/sync/index.html`).
//!
//! It exposes the app's own paths to the benchmark's WebDriver script, through trunk's
//! `window.wasmBindings`: saving visits (`SyncEngine::save`, exactly what a tap on 保存 runs),
//! pushing the outbox and pulling pages (`SyncEngine::push_all` / `pull_all`, what every sync
//! runs), and the floors they are measured against: plain IndexedDB puts of the very same
//! objects, one per transaction (what a save cannot beat) and in page-sized transactions
//! (what storing a pulled page cannot beat). Each function returns milliseconds measured
//! with `performance.now()` around the work only; preparing the inputs is not timed.

fn main() {}

#[cfg(target_arch = "wasm32")]
#[path = "../../bench/visit_body.rs"]
mod visit_body;

#[cfg(target_arch = "wasm32")]
mod page {
    use super::visit_body::visit_body;
    use std::cell::RefCell;

    use mimamori::api;
    use mimamori::engine::{SyncEngine, PULL_PAGE};
    use mimamori::store::{Draft, Session, Store, OUTBOX, RECORDS};
    use mimamori_core::api::LoginRequest;
    use mimamori_core::calendar::CivilDate;
    use mimamori_core::kinds::{Consent, ResidentPatch};
    use mimamori_core::record::{Body, RecordId};
    use rexie::{ObjectStore, Rexie, TransactionMode};
    use wasm_bindgen::prelude::*;

    thread_local! {
        static ENGINE: RefCell<Option<SyncEngine>> = const { RefCell::new(None) };
    }

    fn engine() -> Result<SyncEngine, JsValue> {
        ENGINE
            .with_borrow(Clone::clone)
            .ok_or_else(|| JsValue::from_str("call bench_sign_in first"))
    }

    fn fail(error: impl std::fmt::Debug) -> JsValue {
        JsValue::from_str(&format!("{error:?}"))
    }

    fn now_ms() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }

    async fn session(engine: &SyncEngine) -> Result<Session, JsValue> {
        engine
            .store()
            .session()
            .await
            .map_err(fail)?
            .ok_or_else(|| JsValue::from_str("not signed in"))
    }

    /// Opens the app's database and signs in as `login_id`, as the 設定 screen does.
    #[wasm_bindgen]
    pub async fn bench_sign_in(login_id: String, password: String) -> Result<(), JsValue> {
        let store = Store::open().await.map_err(fail)?;
        let answer = api::login(&LoginRequest {
            login_id,
            password,
            device_name: "bench".into(),
        })
        .await
        .map_err(fail)?;
        let session = Session {
            token: answer.token,
            me: answer.me,
            districts: Vec::new(),
            people: Vec::new(),
            all_districts: Vec::new(),
        };
        store.save_session(&session).await.map_err(fail)?;
        ENGINE.set(Some(SyncEngine::new(store)));
        Ok(())
    }

    /// Registers the resident the visits are for, assigned to the signed-in volunteer.
    #[wasm_bindgen]
    pub async fn bench_register_resident() -> Result<String, JsValue> {
        let engine = engine()?;
        let me = session(&engine).await?.me;
        let patch = ResidentPatch {
            name: Some("高崎 花子".into()),
            assigned_volunteers: Some([me.user_id].into_iter().collect()),
            consent: Some(Consent {
                date: CivilDate::new(2026, 4, 1).ok_or("date")?,
                scope: "見守り・記録の共有".into(),
                share_with_center: false,
                taken_by: me.user_id,
            }),
            ..ResidentPatch::default()
        };
        let change = engine
            .save(Draft::new(Body::Resident(patch)))
            .await
            .map_err(fail)?;
        Ok(change.id.to_string())
    }

    /// A realistic visit, spread over the last ninety days, never in the future.
    fn visit(resident: RecordId, me: mimamori_core::record::UserId, n: usize, now: f64) -> Draft {
        let at = (now as i64) - 60_000 - (n as i64 % 90) * 86_400_000;
        Draft::new(Body::Visit(visit_body(resident, me, n, at)))
    }

    /// Saves `count` visits to `resident` one by one, as that many taps on 保存 would, and
    /// measures the floor beside them: after each hundred saves, the outbox objects they
    /// made are put into a plain object store, one per transaction. Interleaved, so that
    /// both see the same machine (this one's speed wanders by half between minutes).
    /// Returns `[save ms, floor ms]`.
    #[wasm_bindgen]
    pub async fn bench_save_visits(resident: String, count: usize) -> Result<Vec<f64>, JsValue> {
        const ROUND: usize = 100;
        let engine = engine()?;
        let me = session(&engine).await?.me;
        let resident: RecordId = resident.parse().map_err(fail)?;
        let now = js_sys::Date::now();
        let drafts: Vec<Draft> = (0..count)
            .map(|n| visit(resident, me.user_id, n, now))
            .collect();
        let floor = floor_database("bench-floor-saves").await?;
        let (mut save_ms, mut floor_ms) = (0.0, 0.0);
        let mut drafts = drafts.into_iter().peekable();
        while drafts.peek().is_some() {
            let round: Vec<Draft> = drafts.by_ref().take(ROUND).collect();
            let made = round.len();
            let started = now_ms();
            for draft in round {
                engine.save(draft).await.map_err(fail)?;
            }
            save_ms += now_ms() - started;
            let objects = all_objects(OUTBOX).await?;
            floor_ms += timed_puts(&floor, &objects[objects.len() - made..], 1).await?;
        }
        floor.close();
        Ok(vec![save_ms, floor_ms])
    }

    /// How many bytes of JSON the outbox's changes are, on average (to check "realistic").
    #[wasm_bindgen]
    pub async fn bench_mean_change_bytes() -> Result<f64, JsValue> {
        let batch = engine()?.store().next_batch(u32::MAX).await.map_err(fail)?;
        let total: usize = batch
            .iter()
            .map(|c| serde_json::to_string(c).map_or(0, |s| s.len()))
            .sum();
        Ok(total as f64 / batch.len().max(1) as f64)
    }

    /// Pushes the whole outbox with the engine's own loop. Returns `[ms, changes]`.
    #[wasm_bindgen]
    pub async fn bench_push() -> Result<Vec<f64>, JsValue> {
        let engine = engine()?;
        let session = session(&engine).await?;
        let started = now_ms();
        let answered = engine.push_all(&session).await.map_err(fail)?;
        let elapsed = now_ms() - started;
        let left = engine.store().unsent_count().await.map_err(fail)?;
        let refused = engine.store().quarantined().await.map_err(fail)?.len();
        if left != 0 || refused != 0 {
            return Err(JsValue::from_str(&format!(
                "{left} left unsent and {refused} refused after the push"
            )));
        }
        Ok(vec![elapsed, answered as f64])
    }

    /// Pulls everything this user may see with the engine's own loop. Returns `[ms, records]`.
    #[wasm_bindgen]
    pub async fn bench_pull() -> Result<Vec<f64>, JsValue> {
        let engine = engine()?;
        let session = session(&engine).await?;
        let started = now_ms();
        let pulled = engine.pull_all(&session).await.map_err(fail)?;
        Ok(vec![now_ms() - started, pulled as f64])
    }

    /// The floor under storing pulled pages: the records the pull stored, put into a plain
    /// object store in transactions of one page (the engine's page size) each.
    #[wasm_bindgen]
    pub async fn bench_floor_page_puts() -> Result<f64, JsValue> {
        floor_puts(RECORDS, PULL_PAGE as usize).await
    }

    /// Puts every object of `source` into a fresh plain store, `per_transaction` at a time;
    /// returns the milliseconds the puts took.
    async fn floor_puts(source: &str, per_transaction: usize) -> Result<f64, JsValue> {
        let objects = all_objects(source).await?;
        let floor = floor_database(&format!("bench-floor-{source}")).await?;
        let elapsed = timed_puts(&floor, &objects, per_transaction).await?;
        floor.close();
        Ok(elapsed)
    }

    /// Puts `objects` into `floor`'s plain store, `per_transaction` at a time; returns the
    /// milliseconds the puts took.
    async fn timed_puts(
        floor: &Rexie,
        objects: &[JsValue],
        per_transaction: usize,
    ) -> Result<f64, JsValue> {
        let started = now_ms();
        for chunk in objects.chunks(per_transaction.max(1)) {
            let tx = floor
                .transaction(&["objects"], TransactionMode::ReadWrite)
                .map_err(fail)?;
            tx.store("objects")
                .map_err(fail)?
                .put_all(chunk.iter().map(|object| (object.clone(), None)))
                .await
                .map_err(fail)?;
            tx.done().await.map_err(fail)?;
        }
        Ok(now_ms() - started)
    }

    async fn all_objects(store_name: &str) -> Result<Vec<JsValue>, JsValue> {
        let engine = engine()?;
        engine.store().all_values(store_name).await.map_err(fail)
    }

    async fn floor_database(name: &str) -> Result<Rexie, JsValue> {
        Rexie::delete(name).await.map_err(fail)?;
        Rexie::builder(name)
            .version(1)
            .add_object_store(ObjectStore::new("objects").key_path("id"))
            .build()
            .await
            .map_err(fail)
    }
}
