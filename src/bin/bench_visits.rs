//! The page `cargo xtask bench visits` and `cargo xtask bench resources` drive in headless
//! Chromium (`bench/visits/index.html`).
//!
//! For the directory: `bench_fill_resources` pulls a city's worth of entries (2,000) through
//! the same path; `bench_search` times the search itself as the screen runs it per
//! keystroke (the query folded with the browser's NFKC, every entry ranked), with its floor,
//! a plain substring scan of the same folded texts.
//!
//! It fills the app's own database as a district's SC's phone holds it after a sync (500
//! residents, 20,000 visits, one resident with 200 of them), through the app's own pull path
//! (`Store::apply_pull_page`, which also keeps each resident's latest visit), then starts the
//! real app on it; the benchmark's WebDriver script opens the screens and times them. Saves
//! are timed here, through the path 保存する runs (`SyncEngine::save_all`: stamped, checked
//! with the shared rules, written with its outbox entry and latest-visit entry in one
//! transaction). Beside each, its floor in the same run: plain IndexedDB reads of the same
//! records (the list, the resident page) and a plain put of the same record (a save).

fn main() {}

#[cfg(target_arch = "wasm32")]
#[path = "../../bench/visit_body.rs"]
mod visit_body;

#[cfg(target_arch = "wasm32")]
mod page {
    use super::visit_body::visit_body;
    use mimamori::engine::SyncEngine;
    use mimamori::store::{Draft, Session, Store, LATEST, RECORDS};
    use mimamori_core::account::Role;
    use mimamori_core::api::Me;
    use mimamori_core::calendar::CivilDate;
    use mimamori_core::hlc::Hlc;
    use mimamori_core::kinds::{Consent, ResidentPatch, SalonPatch, State};
    use mimamori_core::record::{Body, Change, DeviceId, DistrictId, RecordId, UserId};
    use mimamori_core::salons::{Repeat, Schedule, TimeOfDay};
    use mimamori_core::sync::{PullResponse, PulledRecord};
    use rexie::{ObjectStore, Rexie, TransactionMode};
    use wasm_bindgen::prelude::*;

    const TOKEN: &str = "bench";
    const SC: UserId = UserId(1);
    const VOLUNTEERS: [UserId; 2] = [UserId(2), UserId(3)];
    const DISTRICT: DistrictId = DistrictId(1);
    const DAY_MS: i64 = 86_400_000;
    const PAGE: usize = 1000;
    /// Salons in the district (a city has about 200 in all).
    pub const SALONS: usize = 200;

    fn fail(error: impl std::fmt::Debug) -> JsValue {
        JsValue::from_str(&format!("{error:?}"))
    }

    fn now_ms() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }

    /// A record as the server sends it after one change.
    fn pulled(seq: i64, author: UserId, at_ms: i64, id: RecordId, body: Body) -> PulledRecord {
        let change = Change {
            id,
            district_id: Some(DISTRICT),
            author,
            device: DeviceId(author.0),
            stamp: Hlc {
                wall_ms: at_ms as u64,
                counter: 0,
                node: author.0 as u64,
            },
            base: None,
            deleted: false,
            body,
        };
        let kind = change.kind();
        let (state, _) = State::apply(None, &change).expect("a new record");
        PulledRecord {
            id,
            kind,
            district_id: Some(DISTRICT),
            seq,
            tombstone: false,
            state: Some(state.to_json()),
        }
    }

    /// Fills the database as an SC's phone holds its district after a sync, through the
    /// pull path; then starts the app. Returns the id of the resident with `heavy` visits.
    #[wasm_bindgen]
    pub async fn bench_fill(
        residents: usize,
        visits: usize,
        heavy: usize,
    ) -> Result<String, JsValue> {
        let store = Store::open().await.map_err(fail)?;
        store
            .save_session(&Session {
                token: TOKEN.into(),
                me: Me {
                    user_id: SC,
                    device_id: DeviceId(1),
                    login_id: "bench.sc".into(),
                    display_name: "ベンチ SC".into(),
                    role: Role::Coordinator,
                    districts: vec![DISTRICT],
                    must_change_password: false,
                },
                districts: Vec::new(),
                people: Vec::new(),
                all_districts: Vec::new(),
            })
            .await
            .map_err(fail)?;
        let now = js_sys::Date::now() as i64;
        let start = now - 400 * DAY_MS;
        let mut records = Vec::with_capacity(residents + visits);
        let mut ids = Vec::with_capacity(residents);
        for n in 0..residents {
            let at = start + n as i64 * 60_000;
            let id = RecordId::new_v7(
                at as u64,
                [(n % 251) as u8, (n / 251) as u8, 1, 2, 3, 4, 5, 6, 7, 8],
            );
            ids.push(id);
            let patch = ResidentPatch {
                name: Some(format!("高崎 花子{n}")),
                kana: Some(format!("たかさき はなこ{n}")),
                area: Some("乗附町 東".into()),
                visit_interval_days: Some([30, 14, 7][n % 3]),
                assigned_volunteers: Some([VOLUNTEERS[n % 2]].into_iter().collect()),
                consent: Some(Consent {
                    date: CivilDate::from_days_since_epoch(at.div_euclid(DAY_MS)),
                    scope: "見守り訪問と地区SCへの共有".into(),
                    share_with_center: false,
                    taken_by: SC,
                }),
                ..ResidentPatch::default()
            };
            records.push((at, SC, id, Body::Resident(patch)));
        }
        // The heavy resident first, then the rest spread over the others and a year.
        for n in 0..visits {
            let resident = if n < heavy {
                0
            } else {
                1 + n % (residents - 1).max(1)
            };
            let at = start
                + DAY_MS
                + (n as i64 * 397 * DAY_MS) / visits as i64
                + (n as i64 % 600) * 60_000;
            let at = at.min(now - 60_000);
            let author = VOLUNTEERS[resident % 2];
            let id = RecordId::new_v7(
                at as u64,
                [
                    (n % 256) as u8,
                    (n / 256 % 256) as u8,
                    (n / 65536) as u8,
                    9,
                    9,
                    9,
                    9,
                    9,
                    9,
                    9,
                ],
            );
            records.push((
                at,
                author,
                id,
                Body::Visit(visit_body(ids[resident], author, n, at)),
            ));
        }
        // A city's worth of salons in the district, each meeting weekly on one weekday.
        for n in 0..SALONS {
            let at = start + n as i64 * 60_000;
            let id = RecordId::new_v7(at as u64, [(n % 251) as u8, 7, 7, 7, 7, 7, 7, 7, 7, 7]);
            let salon = SalonPatch {
                name: Some(format!("サロン{n}")),
                kana: Some(format!("さろん{n:03}")),
                venue: Some("公民館".into()),
                schedule: Some(Schedule {
                    repeat: Repeat::Weekly,
                    weekdays: vec![(n % 7) as u8],
                    weeks: Vec::new(),
                    dates: Vec::new(),
                    from: CivilDate::from_days_since_epoch(start.div_euclid(DAY_MS)),
                    until: None,
                    start: TimeOfDay::new(10, 0).unwrap_or(TimeOfDay {
                        hour: 10,
                        minute: 0,
                    }),
                    end: TimeOfDay::new(12, 0).unwrap_or(TimeOfDay {
                        hour: 12,
                        minute: 0,
                    }),
                    skip_holidays: true,
                }),
                organisers: Some([VOLUNTEERS[n % 2]].into_iter().collect()),
                ..SalonPatch::default()
            };
            records.push((at, SC, id, Body::Salon(salon)));
        }
        let mut seq = 0;
        let pages: Vec<PullResponse> = records
            .chunks(PAGE)
            .map(|chunk| PullResponse {
                records: chunk
                    .iter()
                    .map(|(at, author, id, body)| {
                        seq += 1;
                        pulled(seq, *author, *at, *id, body.clone())
                    })
                    .collect(),
                cursor: seq,
                more: true,
            })
            .collect();
        for page in &pages {
            if !store.apply_pull_page(TOKEN, page).await.map_err(fail)? {
                return Err(JsValue::from_str("the session was not kept"));
            }
        }
        store.close();
        Ok(ids[0].to_string())
    }

    /// Words a directory is made of, to make `count` believable entries.
    const PLACES: [&str; 12] = [
        "乗附",
        "片岡",
        "寺尾",
        "佐野",
        "大類",
        "岩鼻",
        "八幡",
        "豊岡",
        "長野",
        "吉井",
        "新町",
        "倉賀野",
    ];
    const SERVICES: [(&str, &str, mimamori_core::kinds::Category); 12] = {
        use mimamori_core::kinds::Category::*;
        [
            ("いきいきサロン", "いきいきさろん", Gathering),
            (
                "買い物支援ボランティア",
                "かいものしえんぼらんてぃあ",
                Shopping,
            ),
            ("おでかけタクシー", "おでかけたくしー", Transport),
            ("配食サービス", "はいしょくさーびす", Meals),
            ("お助け隊", "おたすけたい", Housework),
            ("見守りネットワーク", "みまもりねっとわーく", Watching),
            ("認知症カフェ", "にんちしょうかふぇ", Care),
            ("福祉相談窓口", "ふくしそうだんまどぐち", Consultation),
            (
                "シルバー人材センター支部",
                "しるばーじんざいせんたーしぶ",
                Participation,
            ),
            ("体操クラブ", "たいそうくらぶ", Gathering),
            ("移動販売", "いどうはんばい", Shopping),
            ("草取りボランティア", "くさとりぼらんてぃあ", Housework),
        ]
    };
    const PHRASES: [&str; 8] = [
        "電球や電池の交換、草取り、ごみ出しなど、ちょっとした困りごとをお手伝いします。",
        "公民館で体操とお茶の時間。どなたでも参加できます。",
        "通院や買い物に出かけるときの送迎をします。",
        "お弁当を家まで届け、そのときに様子をうかがいます。",
        "介護や認知症のことを気軽に相談できます。",
        "移動販売の車が家の近くまで来ます。",
        "スマートフォンの使い方を一緒に練習します。",
        "話し相手が欲しい方のお宅にうかがいます。",
    ];

    /// Pulls `count` directory entries as a city's directory (plus the district's), through
    /// the pull path.
    #[wasm_bindgen]
    pub async fn bench_fill_resources(count: usize) -> Result<usize, JsValue> {
        use mimamori_core::kinds::ResourcePatch;
        let store = Store::open().await.map_err(fail)?;
        let now = js_sys::Date::now() as i64;
        let mut records = Vec::with_capacity(count);
        for n in 0..count {
            let (service, kana, category) = SERVICES[n % SERVICES.len()];
            let place = PLACES[(n / SERVICES.len()) % PLACES.len()];
            let at = now - 300 * DAY_MS + n as i64 * 60_000;
            let id = RecordId::new_v7(
                at as u64,
                [(n % 251) as u8, (n / 251) as u8, 5, 5, 5, 5, 5, 5, 5, 5],
            );
            let entry = ResourcePatch {
                name: Some(format!(
                    "{place}{service}{}",
                    n / (SERVICES.len() * PLACES.len()) + 1
                )),
                kana: Some(kana.to_owned()),
                categories: Some(vec![category]),
                operator: Some(format!("{place}地区 第2層協議体")),
                when: Some("毎週火曜 10時〜12時".to_owned()),
                audience: Some("地区にお住まいの方".to_owned()),
                fee: Some(["無料", "100円", "実費"][n % 3].to_owned()),
                description: Some(PHRASES[n % PHRASES.len()].to_owned()),
                public: Some(n % 7 != 0),
                checked_on: Some(CivilDate::from_days_since_epoch(
                    (at / DAY_MS) - (n as i64 % 500),
                )),
                ..ResourcePatch::default()
            };
            records.push((at, SC, id, Body::Resource(entry)));
        }
        let mut seq = 1_000_000;
        for chunk in records.chunks(PAGE) {
            let page = PullResponse {
                records: chunk
                    .iter()
                    .map(|(at, author, id, body)| {
                        seq += 1;
                        pulled(seq, *author, *at, *id, body.clone())
                    })
                    .collect(),
                cursor: seq,
                more: true,
            };
            if !store.apply_pull_page(TOKEN, &page).await.map_err(fail)? {
                return Err(JsValue::from_str("the session was not kept"));
            }
        }
        store.close();
        Ok(count)
    }

    /// The search as the directory's screen runs it on each keystroke, for each of
    /// `queries`, `runs` times: `[search ms…, floor ms…]` (the floor: a plain substring scan
    /// of the same folded texts for the same folded query, no ranking).
    #[wasm_bindgen]
    pub async fn bench_search(queries: Vec<String>, runs: usize) -> Result<Vec<f64>, JsValue> {
        use mimamori::features_for_bench::{browser_nfkc, resource_index, resources};
        use mimamori_core::search;
        let store = Store::open().await.map_err(fail)?;
        let items = resources(&store).await;
        store.close();
        if items.is_empty() {
            return Err(JsValue::from_str("no entries"));
        }
        let index = resource_index(&items);
        let mut times = Vec::new();
        let mut floors = Vec::new();
        let mut found = 0;
        for _ in 0..runs {
            for query in &queries {
                let started = now_ms();
                let terms = search::query_terms(query, &browser_nfkc);
                found += search::search(&terms, &index).len();
                times.push(now_ms() - started);

                let started = now_ms();
                let terms = search::query_terms(query, &browser_nfkc);
                found += index
                    .iter()
                    .filter(|fields| {
                        terms
                            .iter()
                            .all(|t| fields.iter().any(|f| f.folded.contains(t.as_str())))
                    })
                    .count();
                floors.push(now_ms() - started);
            }
        }
        if found == 0 {
            return Err(JsValue::from_str("no query found anything"));
        }
        times.extend(floors);
        Ok(times)
    }

    /// Starts the real app on the filled database.
    #[wasm_bindgen]
    pub fn bench_start_app() {
        mimamori::start();
    }

    /// Saves `count` visits to `resident` through the path 保存する runs, one at a time;
    /// returns each save's milliseconds.
    #[wasm_bindgen]
    pub async fn bench_saves(resident: String, count: usize) -> Result<Vec<f64>, JsValue> {
        let store = Store::open().await.map_err(fail)?;
        let engine = SyncEngine::new(store);
        let resident: RecordId = resident.parse().map_err(fail)?;
        let mut times = Vec::with_capacity(count);
        for n in 0..count {
            let body = visit_body(resident, SC, n, js_sys::Date::now() as i64 - 1000);
            let drafts = vec![Draft::new(Body::Visit(body))];
            let started = now_ms();
            engine
                .save_all(drafts, Some(format!("visit|{resident}")))
                .await
                .map_err(fail)?;
            times.push(now_ms() - started);
        }
        Ok(times)
    }

    /// The floor under the list: reading the residents and the latest-visit entries, raw.
    #[wasm_bindgen]
    pub async fn bench_floor_list() -> Result<f64, JsValue> {
        let store = Store::open().await.map_err(fail)?;
        let started = now_ms();
        let residents = store
            .records_of_kind(mimamori_core::record::RecordKind::Resident)
            .await
            .map_err(fail)?;
        let latest = store.all_values(LATEST).await.map_err(fail)?;
        let elapsed = now_ms() - started;
        store.close();
        if residents.is_empty() || latest.is_empty() {
            return Err(JsValue::from_str("nothing to read"));
        }
        Ok(elapsed)
    }

    /// The floor under the SC's desk: reading the residents, the latest-visit entries, the
    /// visits made in the last 14 days and the follow-ups, raw.
    #[wasm_bindgen]
    pub async fn bench_floor_desk() -> Result<f64, JsValue> {
        use mimamori_core::record::RecordKind;
        let store = Store::open().await.map_err(fail)?;
        let since = js_sys::Date::now() - 15.0 * DAY_MS as f64;
        let started = now_ms();
        let (residents, latest, visits, follow_ups) = futures::join!(
            store.records_of_kind(RecordKind::Resident),
            store.all_values(LATEST),
            store.records_made_since(RecordKind::Visit, since),
            store.records_of_kind(RecordKind::FollowUp),
        );
        let elapsed = now_ms() - started;
        store.close();
        let (residents, visits) = (residents.map_err(fail)?, visits.map_err(fail)?);
        latest.map_err(fail)?;
        follow_ups.map_err(fail)?;
        if residents.is_empty() || visits.is_empty() {
            return Err(JsValue::from_str("nothing to read"));
        }
        Ok(elapsed)
    }

    /// The floor under the week of salons: reading the salons, raw.
    #[wasm_bindgen]
    pub async fn bench_floor_salons() -> Result<f64, JsValue> {
        let store = Store::open().await.map_err(fail)?;
        let started = now_ms();
        let salons = store
            .records_of_kind(mimamori_core::record::RecordKind::Salon)
            .await
            .map_err(fail)?;
        let elapsed = now_ms() - started;
        store.close();
        if salons.is_empty() {
            return Err(JsValue::from_str("no salons"));
        }
        Ok(elapsed)
    }

    /// The floor under a resident's page: reading their record and children.
    #[wasm_bindgen]
    pub async fn bench_floor_resident(resident: String) -> Result<f64, JsValue> {
        let store = Store::open().await.map_err(fail)?;
        let id: RecordId = resident.parse().map_err(fail)?;
        let started = now_ms();
        let _ = store.record(&resident).await.map_err(fail)?;
        let children = store.children_of(id).await.map_err(fail)?;
        let elapsed = now_ms() - started;
        store.close();
        if children.is_empty() {
            return Err(JsValue::from_str("no visits"));
        }
        Ok(elapsed)
    }

    /// The floor under a save: a plain put of one visit record in its own transaction,
    /// `count` times; each put's milliseconds.
    #[wasm_bindgen]
    pub async fn bench_floor_saves(count: usize) -> Result<Vec<f64>, JsValue> {
        let store = Store::open().await.map_err(fail)?;
        let sample = store.all_values(RECORDS).await.map_err(fail)?;
        store.close();
        let object = sample.last().cloned().ok_or("no records")?;
        Rexie::delete("bench-floor-save").await.map_err(fail)?;
        let floor = Rexie::builder("bench-floor-save")
            .version(1)
            .add_object_store(ObjectStore::new("objects").key_path("id"))
            .build()
            .await
            .map_err(fail)?;
        let mut times = Vec::with_capacity(count);
        for n in 0..count {
            let object = object.clone();
            js_sys::Reflect::set(
                &object,
                &JsValue::from_str("id"),
                &JsValue::from_str(&format!("floor-{n}")),
            )?;
            let started = now_ms();
            let tx = floor
                .transaction(&["objects"], TransactionMode::ReadWrite)
                .map_err(fail)?;
            tx.store("objects")
                .map_err(fail)?
                .put(&object, None)
                .await
                .map_err(fail)?;
            tx.done().await.map_err(fail)?;
            times.push(now_ms() - started);
        }
        floor.close();
        Ok(times)
    }
}
