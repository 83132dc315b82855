//! A seeded simulation of many phones syncing with the real server (router, SQLite file,
//! storage) in one process: offline spells, answers lost after the server committed,
//! duplicated deliveries, server restarts, wall clocks that jump by minutes, hours and days,
//! phones whose clock is wrong, permission changes (reassignments, a volunteer removed from
//! every district or made city, and back), visit corrections that arrive late or move a
//! visit, and hostile pushes.
//!
//! An oracle of its own (`model.rs`) follows every answer, and at every step:
//! - every record a pull hands over is one its user may see, in the state the server should
//!   hold; after a complete pull a phone holds exactly what its user may see;
//! - what a phone shows (pulled state with unsent changes laid over it) is, field by field,
//!   the newest write it knows of;
//! - a push made only of changes applied before never advances the server's sequence, and
//!   the server notes each accepted (record, stamp) once.
//!
//! At the end: nothing lost (every change saved is accepted or in its phone's quarantine),
//! nothing duplicated, and the server's records equal the oracle's.
//!
//! Every run prints its seed. Replay one with `MIMAMORI_SIM_SEED=<seed>`; run longer with
//! `MIMAMORI_SIM_STEPS=<n>` (`cargo xtask sim` does both).

mod model;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use mimamori_core::account::Role;
use mimamori_core::calendar::CivilDate;
use mimamori_core::hlc::{Hlc, HlcClock};
use mimamori_core::kinds::{
    attendance_id, AttendancePatch, Consent, MemberPatch, Outcome, ResidentPatch, State, VisitBody,
    VisitMethod,
};
use mimamori_core::merge::LwwRecord;
use mimamori_core::record::{
    Body as RecordBody, Change, DeviceId, DistrictId, RecordId, RecordKind, UserId,
};
use mimamori_core::salons::{session_on, sessions, Counts, Holidays, Session};
use mimamori_core::sync::replica::MemoryReplica;
use mimamori_core::sync::{ItemResult, PullResponse};
use mimamori_server::admin::{create_district, create_user, UserSpec};
use mimamori_server::http::{router, AppState};
use mimamori_server::storage::{Accounts as _, SqliteStorage, Storage as _};
use model::{expected_view, Access, Model, View};
use serde_json::{json, Value};
use tower::ServiceExt as _;

const PASSWORD: &str = "simulation password";
const NORITSUKE: DistrictId = DistrictId(1);
const KATAOKA: DistrictId = DistrictId(2);
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// xorshift64*: small, seedable, good enough to choose actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }
    fn bytes(&mut self) -> [u8; 10] {
        let a = self.next().to_le_bytes();
        let b = self.next().to_le_bytes();
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }
}

struct Phone {
    login_id: String,
    token: String,
    user: UserId,
    device: DeviceId,
    /// The districts the app learnt at sign-in (it is not told of later changes).
    districts: Vec<DistrictId>,
    replica: MemoryReplica,
    clock: HlcClock,
    /// How far this phone's wall clock is from true time.
    skew_ms: i64,
    online: bool,
}

struct Server {
    url: String,
    app: Router,
    storage: Arc<SqliteStorage>,
}

impl Server {
    async fn start(url: &str, now: Arc<AtomicI64>) -> Self {
        let storage = Arc::new(SqliteStorage::connect(url).await.unwrap());
        let clock = Arc::new(move || now.load(Ordering::SeqCst));
        let app = router(AppState::new(storage.clone(), None).with_clock(clock));
        Self {
            url: url.to_owned(),
            app,
            storage,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

struct Simulation {
    seed: u64,
    rng: Rng,
    /// Built once: the holiday rules the salons' schedules rest on.
    holidays: Holidays,
    /// True time, which the server reads too.
    now: Arc<AtomicI64>,
    server: Server,
    /// Reads the database beside the server, for the checks.
    checker: sqlx::SqlitePool,
    phones: Vec<Phone>,
    /// The access each user starts with, to give it back after a permission change.
    initial: BTreeMap<UserId, Access>,
    model: Model,
    /// Every change any phone saved, to check that none was lost.
    saved: Vec<Change>,
    stats: Stats,
}

#[derive(Debug, Default)]
struct Stats {
    pushes: usize,
    replays_checked: usize,
    pages: usize,
    full_pulls_checked: usize,
    views_checked: usize,
    permission_changes: usize,
    clock_jumps: usize,
    hostile_refused: usize,
    /// Refusals by code, to see that the run exercised acceptance as much as refusal.
    refused: BTreeMap<String, usize>,
}

fn consent(by: UserId) -> Consent {
    Consent {
        date: CivilDate::new(2026, 11, 1).unwrap(),
        scope: "見守り訪問".into(),
        share_with_center: false,
        taken_by: by,
    }
}

impl Simulation {
    async fn new(seed: u64, url: &str) -> Self {
        let start_ms = 1_764_000_000_000;
        let now = Arc::new(AtomicI64::new(start_ms));
        let server = Server::start(url, now.clone()).await;
        let storage = server.storage.as_ref();
        create_district(storage, "乗附").await.unwrap();
        create_district(storage, "片岡").await.unwrap();
        // The SC of both districts signs in on a phone and a tablet.
        let people: [(&str, Role, &[&str]); 6] = [
            ("sc.sim", Role::Coordinator, &["乗附", "片岡"]),
            ("sc.sim", Role::Coordinator, &["乗附", "片岡"]),
            ("vol.sim0", Role::Volunteer, &["乗附"]),
            ("vol.sim1", Role::Volunteer, &["乗附"]),
            ("vol.sim2", Role::Volunteer, &["片岡"]),
            ("vol.sim3", Role::Volunteer, &["乗附", "片岡"]),
        ];
        let mut rng = Rng(seed | 1);
        let mut model = Model::default();
        let mut phones = Vec::new();
        for (n, (login_id, role, districts)) in people.iter().enumerate() {
            if n != 1 {
                let districts: Vec<String> = districts.iter().map(|d| (*d).to_owned()).collect();
                let spec = UserSpec {
                    login_id,
                    display_name: login_id,
                    role: *role,
                    districts: &districts,
                };
                create_user(storage, spec, Some(PASSWORD)).await.unwrap();
            }
            let body = json!({"login_id": login_id, "password": PASSWORD, "device_name": "sim"});
            let (status, answer) = server
                .call(Method::POST, "/api/v1/login", None, Some(body))
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            let device = DeviceId(answer["me"]["device_id"].as_i64().unwrap());
            let user = UserId(answer["me"]["user_id"].as_i64().unwrap());
            let districts: Vec<DistrictId> =
                serde_json::from_value(answer["me"]["districts"].clone()).unwrap();
            model.access.insert(
                user,
                Access {
                    role: *role,
                    districts: districts.iter().copied().collect(),
                },
            );
            // Some phones' clocks are wrong: hours behind (reset by a flat battery) or ten
            // minutes fast; the rest are within two minutes.
            let skew_ms = match rng.below(10) {
                0 => -(rng.below(12 * HOUR as usize) as i64),
                1 => 10 * MINUTE,
                _ => (rng.below(4 * MINUTE as usize) as i64) - 2 * MINUTE,
            };
            phones.push(Phone {
                login_id: login_id.to_string(),
                token: answer["token"].as_str().unwrap().to_owned(),
                user,
                device,
                districts,
                replica: MemoryReplica::default(),
                clock: HlcClock::new(device.0 as u64),
                skew_ms,
                online: true,
            });
        }
        let checker = sqlx::SqlitePool::connect(url).await.unwrap();
        Self {
            seed,
            rng,
            holidays: Holidays::default(),
            now,
            server,
            checker,
            phones,
            initial: model.access.clone(),
            model,
            saved: Vec::new(),
            stats: Stats::default(),
        }
    }

    fn now_ms(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn local_ms(&self, phone: usize) -> i64 {
        self.now_ms() + self.phones[phone].skew_ms
    }

    fn stamp(&mut self, phone: usize) -> Hlc {
        let local = self.local_ms(phone).max(0) as u64;
        self.phones[phone].clock.now(local)
    }

    fn volunteer_phone(&mut self) -> usize {
        2 + self.rng.below(self.phones.len() - 2)
    }

    fn sc_phone(&mut self) -> usize {
        self.rng.below(2)
    }

    fn volunteers(&self) -> Vec<UserId> {
        self.phones[2..].iter().map(|p| p.user).collect()
    }

    /// Records this phone shows of a kind (pulled or still in its outbox).
    fn shown(&self, phone: usize, kind: RecordKind) -> Vec<RecordId> {
        let replica = &self.phones[phone].replica;
        let pulled = replica
            .records
            .iter()
            .filter(|(_, held)| held.kind == kind)
            .map(|(id, _)| *id);
        let pending = replica
            .outbox
            .values()
            .filter(|c| c.kind() == kind)
            .map(|c| c.id);
        pulled
            .chain(pending)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    fn view(&self, phone: usize, id: RecordId, kind: RecordKind) -> Option<Value> {
        self.phones[phone].replica.view(id, kind)
    }

    fn change(
        &mut self,
        phone: usize,
        id: RecordId,
        base: Option<Hlc>,
        body: RecordBody,
    ) -> Change {
        let stamp = self.stamp(phone);
        let chosen = self.rng.pick(&self.phones[phone].districts.clone());
        // A record goes to its parent's district and an edit stays in its record's, as the
        // app files them; a new record goes to one of the districts known at sign-in.
        let held_in = match body.parent() {
            Some((_, parent)) => self.district_on(phone, parent),
            None => self.district_on(phone, id),
        };
        let district = held_in.or(chosen).unwrap_or(NORITSUKE);
        let p = &self.phones[phone];
        Change {
            id,
            district_id: Some(district),
            author: p.user,
            device: p.device,
            stamp,
            base,
            deleted: false,
            body,
        }
    }

    /// The district a phone has a record in.
    fn district_on(&self, phone: usize, id: RecordId) -> Option<DistrictId> {
        let replica = &self.phones[phone].replica;
        replica
            .outbox
            .values()
            .find(|c| c.id == id)
            .map(|c| c.district_id)
            .or_else(|| replica.records.get(&id).map(|held| held.district))
            .flatten()
    }

    /// Saves a change as the app does: only if the phone's own checks pass.
    fn save(&mut self, phone: usize, change: Change) {
        let now = self.local_ms(phone);
        if self.phones[phone].replica.check(&change, now).is_err() {
            return;
        }
        let id = change.id;
        let kind = change.kind();
        self.saved.push(change.clone());
        self.phones[phone].replica.save(change);
        self.check_view(phone, id, kind);
    }

    fn newest_seen(&self, phone: usize, id: RecordId) -> Option<Hlc> {
        self.view(phone, id, RecordKind::Resident)
            .and_then(|v| serde_json::from_value::<LwwRecord>(v).ok())
            .and_then(|r| r.newest_stamp())
    }

    fn create_resident(&mut self) {
        let phone = self.volunteer_phone();
        let id = RecordId::new_v7(self.now_ms() as u64, self.rng.bytes());
        let user = self.phones[phone].user;
        let body = RecordBody::Resident(ResidentPatch {
            name: Some(format!("住民{}", self.rng.below(1000))),
            assigned_volunteers: Some([user].into_iter().collect()),
            consent: Some(consent(user)),
            ..ResidentPatch::default()
        });
        let change = self.change(phone, id, None, body);
        self.save(phone, change);
    }

    /// The SC registers a resident, assigned to a volunteer or (for now) to no one.
    fn register_as_sc(&mut self) {
        let phone = self.sc_phone();
        let id = RecordId::new_v7(self.now_ms() as u64, self.rng.bytes());
        let assigned = if self.rng.chance(50) {
            let volunteers = self.volunteers();
            self.rng
                .pick(&volunteers)
                .map(|v| [v].into_iter().collect())
        } else {
            None
        };
        let user = self.phones[phone].user;
        let body = RecordBody::Resident(ResidentPatch {
            name: Some(format!("登録{}", self.rng.below(1000))),
            assigned_volunteers: assigned,
            consent: Some(consent(user)),
            ..ResidentPatch::default()
        });
        let change = self.change(phone, id, None, body);
        self.save(phone, change);
    }

    fn visit_body(&mut self, phone: usize, resident: RecordId) -> RecordBody {
        let user = self.phones[phone].user;
        let note = [
            "お元気でした",
            "郵便物がたまっていた",
            "",
            "庭の草が伸びていた",
        ][self.rng.below(4)];
        RecordBody::Visit(VisitBody {
            resident_id: resident,
            visited_at_ms: self.local_ms(phone) - MINUTE,
            visitors: vec![user],
            method: VisitMethod::Met,
            outcome: if note.is_empty() {
                Outcome::Fine
            } else {
                Outcome::Worrying
            },
            signs: BTreeSet::new(),
            needs: BTreeSet::new(),
            actions: BTreeSet::new(),
            referred_resources: vec![],
            resources_note: String::new(),
            follow_up: None,
            note: note.into(),
        })
    }

    fn log_visit(&mut self) {
        let phone = if self.rng.chance(15) {
            self.sc_phone()
        } else {
            self.volunteer_phone()
        };
        let residents = self.shown(phone, RecordKind::Resident);
        let Some(resident) = self.rng.pick(&residents) else {
            return;
        };
        let id = RecordId::new_v7(self.now_ms() as u64, self.rng.bytes());
        let body = self.visit_body(phone, resident);
        let change = self.change(phone, id, None, body);
        self.save(phone, change);
    }

    /// The author corrects a visit they hold: another note, sometimes another resident
    /// (a visit filed under the wrong person), now and then a deletion. The SC's two
    /// devices make versions of the same visit that may arrive out of order.
    fn correct_visit(&mut self) {
        let phone = self.rng.below(self.phones.len());
        let user = self.phones[phone].user;
        let mine: Vec<RecordId> = self
            .shown(phone, RecordKind::Visit)
            .into_iter()
            .filter(|id| {
                self.view(phone, *id, RecordKind::Visit)
                    .and_then(|v| serde_json::from_value::<Change>(v).ok())
                    .is_some_and(|c| c.author == user && !c.deleted)
            })
            .collect();
        let Some(visit) = self.rng.pick(&mine) else {
            return;
        };
        let shown: Change =
            serde_json::from_value(self.view(phone, visit, RecordKind::Visit).unwrap()).unwrap();
        let RecordBody::Visit(mut body) = shown.body.clone() else {
            return;
        };
        if self.rng.chance(20) {
            let residents = self.shown(phone, RecordKind::Resident);
            if let Some(other) = self.rng.pick(&residents) {
                body.resident_id = other;
            }
        }
        body.note = format!("訂正{}", self.rng.below(100));
        let mut change = self.change(phone, visit, None, RecordBody::Visit(body));
        change.deleted = self.rng.chance(10);
        self.save(phone, change);
    }

    /// A volunteer or the SC edits a resident they hold.
    fn edit_resident(&mut self) {
        let sc = self.rng.chance(30);
        let phone = if sc {
            self.sc_phone()
        } else {
            self.volunteer_phone()
        };
        let residents = self.shown(phone, RecordKind::Resident);
        let Some(resident) = self.rng.pick(&residents) else {
            return;
        };
        let base = self.newest_seen(phone, resident);
        let patch = if sc && self.rng.chance(50) {
            ResidentPatch {
                name: Some(format!("改名{}", self.rng.below(100))),
                ..ResidentPatch::default()
            }
        } else {
            ResidentPatch {
                note: Some(format!("メモ{}", self.rng.below(100))),
                ..ResidentPatch::default()
            }
        };
        let change = self.change(phone, resident, base, RecordBody::Resident(patch));
        self.save(phone, change);
    }

    /// The SC assigns a resident they hold to one or two volunteers, or deletes it.
    fn reassign(&mut self) {
        let phone = self.sc_phone();
        let residents = self.shown(phone, RecordKind::Resident);
        let Some(resident) = self.rng.pick(&residents) else {
            return;
        };
        let base = self.newest_seen(phone, resident);
        let volunteers = self.volunteers();
        let mut to: BTreeSet<UserId> = BTreeSet::new();
        for _ in 0..1 + self.rng.below(2) {
            if let Some(v) = self.rng.pick(&volunteers) {
                to.insert(v);
            }
        }
        let body = RecordBody::Resident(ResidentPatch {
            assigned_volunteers: Some(to),
            ..ResidentPatch::default()
        });
        let mut change = self.change(phone, resident, base, body);
        change.deleted = self.rng.chance(5);
        self.save(phone, change);
    }

    /// A volunteer's phone, tampered with, pushes an assignment to itself onto any
    /// resident the server holds, and a copy of someone else's change under its own name.
    /// Both must be refused, whatever their state.
    async fn hostile(&mut self) {
        let phone = self.volunteer_phone();
        let residents: Vec<RecordId> = self
            .model
            .records
            .keys()
            .copied()
            .filter(|id| self.model.kind(*id) == Some(RecordKind::Resident))
            .collect();
        let Some(target) = self.rng.pick(&residents) else {
            return;
        };
        let user = self.phones[phone].user;
        let district = self.model.records[&target].district;
        let mut claim = self.change(
            phone,
            target,
            None,
            RecordBody::Resident(ResidentPatch {
                assigned_volunteers: Some([user].into_iter().collect()),
                ..ResidentPatch::default()
            }),
        );
        claim.district_id = district;
        let mut batch = vec![claim];
        batch.extend(self.hostile_salon_changes(phone));
        let others: Vec<usize> = (0..self.saved.len())
            .filter(|n| self.saved[*n].author != user)
            .collect();
        if let Some(theirs) = self.rng.pick(&others) {
            let mut copy = self.saved[theirs].clone();
            copy.author = user;
            copy.device = self.phones[phone].device;
            batch.push(copy);
        }
        if !self.phones[phone].online {
            return;
        }
        let token = self.phones[phone].token.clone();
        let (status, answer) = self
            .server
            .call(
                Method::POST,
                "/api/v1/sync/push",
                Some(&token),
                Some(json!({ "changes": batch })),
            )
            .await;
        assert!(
            status == StatusCode::OK || status == StatusCode::FORBIDDEN,
            "seed {}: {answer}",
            self.seed
        );
        if status == StatusCode::OK {
            for result in answer["results"].as_array().unwrap() {
                assert_eq!(
                    result["status"], "rejected",
                    "seed {}: a hostile push was accepted: {result}",
                    self.seed
                );
                self.stats.hostile_refused += 1;
            }
        }
    }

    /// The administrator changes what a volunteer may see: every district taken away,
    /// made city, moved to the other district, or given back what they started with.
    async fn change_permission(&mut self) {
        let volunteers = self.volunteers();
        let user = self.rng.pick(&volunteers).unwrap();
        let storage = self.server.storage.clone();
        let initial = self.initial[&user].clone();
        let (role, districts): (Role, BTreeSet<DistrictId>) = match self.rng.below(6) {
            0 => (Role::Volunteer, BTreeSet::new()),
            1 => (Role::City, initial.districts.clone()),
            2 => {
                let other = if initial.districts.contains(&NORITSUKE) {
                    KATAOKA
                } else {
                    NORITSUKE
                };
                (Role::Volunteer, [other].into_iter().collect())
            }
            _ => (initial.role, initial.districts.clone()),
        };
        let current = self.model.access[&user].clone();
        if current.role != role {
            storage.set_user_role(user, role).await.unwrap();
        }
        if current.districts != districts {
            let list: Vec<DistrictId> = districts.iter().copied().collect();
            storage.set_user_districts(user, &list).await.unwrap();
        }
        self.model.access.insert(user, Access { role, districts });
        self.stats.permission_changes += 1;
    }

    /// A phone's wall clock jumps (a user sets it by hand, a dead battery, a time zone).
    fn jump_clock(&mut self) {
        let phone = self.rng.below(self.phones.len());
        let size = match self.rng.below(10) {
            0..=5 => MINUTE * (1 + self.rng.below(60) as i64),
            6..=8 => HOUR * (1 + self.rng.below(12) as i64),
            _ => DAY * (1 + self.rng.below(3) as i64),
        };
        let skew = &mut self.phones[phone].skew_ms;
        *skew = match self.rng.below(20) {
            0..=8 => *skew - size,
            9..=13 => *skew + size,
            // Set right again (by the network's time).
            _ => 0,
        };
        self.stats.clock_jumps += 1;
    }

    async fn sequence(&self) -> i64 {
        sqlx::query_scalar("SELECT value FROM sync_sequence WHERE id = 1")
            .fetch_one(&self.checker)
            .await
            .unwrap()
    }

    async fn applied_count(&self) -> usize {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applied_changes")
            .fetch_one(&self.checker)
            .await
            .unwrap();
        count as usize
    }

    /// One push as the server answers it: the oracle learns what was accepted, and a push
    /// of only changes applied before must not move the sequence.
    async fn push(&mut self, phone: usize, batch: &[Change]) -> Value {
        let all_applied_before = batch
            .iter()
            .all(|c| self.model.accepted.contains(&(c.id, c.stamp)));
        let before = self.sequence().await;
        let token = self.phones[phone].token.clone();
        let (status, answer) = self
            .server
            .call(
                Method::POST,
                "/api/v1/sync/push",
                Some(&token),
                Some(json!({ "changes": batch })),
            )
            .await;
        self.stats.pushes += 1;
        if status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED {
            return answer;
        }
        assert_eq!(status, StatusCode::OK, "seed {}: {answer}", self.seed);
        let results: Vec<ItemResult> = serde_json::from_value(answer["results"].clone()).unwrap();
        assert_eq!(results.len(), batch.len());
        for (change, result) in batch.iter().zip(&results) {
            match result {
                ItemResult::Accepted { .. } => self.model.accept(change),
                ItemResult::Rejected { code, .. } => {
                    *self.stats.refused.entry(format!("{code:?}")).or_default() += 1;
                }
            }
        }
        if all_applied_before {
            assert_eq!(
                self.sequence().await,
                before,
                "seed {}: a replay advanced the sequence",
                self.seed
            );
            self.stats.replays_checked += 1;
        }
        assert_eq!(
            self.applied_count().await,
            self.model.accepted.len(),
            "seed {}: accepted changes and the server's notes of them differ",
            self.seed
        );
        answer
    }

    async fn sync(&mut self, phone: usize, faults: bool) {
        if !self.phones[phone].online {
            return;
        }
        loop {
            let batch = self.phones[phone].replica.next_batch(40);
            if batch.is_empty() {
                break;
            }
            let mut answer = self.push(phone, &batch).await;
            if answer.get("results").is_none() {
                return; // Signed out or refused as a whole: the outbox waits.
            }
            if faults && self.rng.chance(10) {
                // Delivered twice (a retry racing the first attempt): the same answer.
                let again = self.push(phone, &batch).await;
                assert_eq!(
                    again, answer,
                    "seed {}: a replay answered differently",
                    self.seed
                );
                answer = again;
            }
            if faults && self.rng.chance(25) {
                return; // The answer was lost after the server committed.
            }
            let results: Vec<ItemResult> =
                serde_json::from_value(answer["results"].clone()).unwrap();
            self.phones[phone]
                .replica
                .on_push_answer(&batch, &results)
                .expect("answers pair up");
            for change in &batch {
                self.check_view(phone, change.id, change.kind());
            }
        }
        loop {
            let path = format!(
                "/api/v1/sync/pull?cursor={}&limit=7",
                self.phones[phone].replica.cursor
            );
            let token = self.phones[phone].token.clone();
            let (status, answer) = self
                .server
                .call(Method::GET, &path, Some(&token), None)
                .await;
            assert_eq!(status, StatusCode::OK, "seed {}: {answer}", self.seed);
            if faults && self.rng.chance(15) {
                return; // The page was lost on the way: the cursor stays.
            }
            let page: PullResponse = serde_json::from_value(answer).unwrap();
            self.check_page(phone, &page);
            let local = self.local_ms(phone).max(0) as u64;
            for record in &page.records {
                if let Some(stamp) = newest_stamp(record.kind, record.state.as_ref()) {
                    let _ = self.phones[phone].clock.observe(stamp, local);
                }
            }
            self.phones[phone].replica.on_pull_page(&page);
            let pending: Vec<(RecordId, RecordKind)> = self.phones[phone]
                .replica
                .outbox
                .values()
                .map(|c| (c.id, c.kind()))
                .collect();
            for (id, kind) in page.records.iter().map(|r| (r.id, r.kind)).chain(pending) {
                self.check_view(phone, id, kind);
            }
            if !page.more {
                break;
            }
        }
        self.check_holdings(phone);
    }

    /// Everything a page hands over may be seen by its user, in the state the server
    /// should hold.
    fn check_page(&mut self, phone: usize, page: &PullResponse) {
        let user = self.phones[phone].user;
        for record in &page.records {
            if record.tombstone {
                continue;
            }
            assert!(
                self.model.may_see(user, record.id),
                "seed {}: {} was sent {} which it may not see",
                self.seed,
                self.phones[phone].login_id,
                record.id
            );
            assert_eq!(
                record.state,
                self.model.state_json(record.id),
                "seed {}: {} was sent {} in a state the server should not hold",
                self.seed,
                self.phones[phone].login_id,
                record.id
            );
        }
        self.stats.pages += 1;
    }

    /// After a complete pull, a phone holds exactly what its user may see, as it is.
    fn check_holdings(&mut self, phone: usize) {
        let held: BTreeMap<RecordId, Value> = self.phones[phone]
            .replica
            .records
            .iter()
            .map(|(id, held)| (*id, held.state.clone()))
            .collect();
        let expected = self.model.holdings(self.phones[phone].user);
        if held != expected {
            let extra: Vec<_> = held
                .keys()
                .filter(|id| !expected.contains_key(id))
                .collect();
            let missing: Vec<_> = expected
                .keys()
                .filter(|id| !held.contains_key(id))
                .collect();
            let kinds: Vec<_> = extra
                .iter()
                .chain(&missing)
                .map(|id| self.model.kind(**id))
                .collect();
            panic!(
                "seed {}: {} holds what it should not ({extra:?}) or lacks what it should ({missing:?}) or differs (kinds {kinds:?})",
                self.seed, self.phones[phone].login_id
            );
        }
        self.stats.full_pulls_checked += 1;
    }

    /// What the phone shows is, field by field, the newest write it knows of.
    fn check_view(&mut self, phone: usize, id: RecordId, kind: RecordKind) {
        let replica = &self.phones[phone].replica;
        let pending: Vec<&Change> = replica.outbox.values().filter(|c| c.id == id).collect();
        let pulled = replica.records.get(&id).map(|held| &held.state);
        let expected = expected_view(kind, pulled, &pending);
        let shown = replica
            .view(id, kind)
            .map(|v| View::read(kind, &v).expect("a view the phone can read"));
        assert_eq!(
            shown, expected,
            "seed {}: {} shows {id} wrongly",
            self.seed, self.phones[phone].login_id
        );
        self.stats.views_checked += 1;
    }

    /// A new record of `kind`, as its users make them. Every kind must be here (the match
    /// is exhaustive): convergence is proven per kind.
    fn create(&mut self, kind: RecordKind) {
        match kind {
            RecordKind::Resident => {
                if self.rng.chance(25) {
                    self.register_as_sc();
                } else {
                    self.create_resident();
                }
            }
            // Visits are the main job: more of them.
            // Visits are the main job: more of them, as the form makes them and as the
            // kind's own sample says (other outcomes and methods).
            RecordKind::Visit => {
                self.log_visit();
                self.create_sampled(kind);
            }
            RecordKind::FollowUp => self.create_follow_up(),
            // Only coordinators may; anyone else's attempt must be refused.
            RecordKind::DistrictInfo | RecordKind::Salon => self.create_sampled(kind),
            // Coordinators and the salon's organisers add members.
            RecordKind::SalonMember => self.create_sampled(kind),
            // Attendance under the session's own id, so that phones taking it for one
            // session write one record: a session the schedule holds, the salon's members.
            RecordKind::Attendance => self.take_attendance(),
            // A district's entries by its coordinators; anyone else's must be refused.
            RecordKind::Resource => self.create_sampled(kind),
        }
    }

    /// A change to an existing record of `kind`, including the ones that move records in
    /// and out of view (a reassignment, a visit moved to another resident, a deletion).
    fn change_existing(&mut self, kind: RecordKind) {
        match kind {
            RecordKind::Resident => {
                if self.rng.chance(50) {
                    self.reassign();
                } else {
                    self.edit_resident();
                }
            }
            RecordKind::Visit => {
                if self.rng.chance(70) {
                    self.correct_visit();
                } else {
                    // Anyone's version of any visit they see: the author's are corrections,
                    // anyone else's must be refused.
                    self.edit_sampled(kind);
                }
            }
            RecordKind::FollowUp => {
                if self.rng.chance(60) {
                    self.complete_follow_up();
                } else {
                    self.edit_sampled(kind);
                }
            }
            RecordKind::DistrictInfo | RecordKind::SalonMember | RecordKind::Resource => {
                self.edit_sampled(kind)
            }
            RecordKind::Salon => {
                if self.rng.chance(50) {
                    self.cancel_session();
                } else {
                    // Renaming, and naming other organisers: what hangs from the salon
                    // moves in and out of view with them.
                    self.edit_sampled(kind);
                }
            }
            // More ticks and counts for a session, often one already taken.
            RecordKind::Attendance => self.take_attendance(),
        }
    }

    /// Someone cancels one date of a salon the phone shows: its organisers may, and the SC;
    /// anyone else's attempt must be refused.
    fn cancel_session(&mut self) {
        let phone = self.rng.below(self.phones.len());
        let shown = self.shown(phone, RecordKind::Salon);
        let Some(id) = self.rng.pick(&shown) else {
            return;
        };
        let base = self
            .view(phone, id, RecordKind::Salon)
            .and_then(|v| State::from_json(RecordKind::Salon, v).ok())
            .and_then(|s| s.newest_stamp());
        let day = mimamori_core::calendar::CivilDate::from_days_since_epoch(
            self.local_ms(phone).div_euclid(86_400_000) + self.rng.below(30) as i64,
        );
        let exception = self
            .rng
            .chance(80)
            .then(|| mimamori_core::salons::Exception {
                cancelled: true,
                reason: "雪".into(),
                ..Default::default()
            });
        let body = RecordBody::Salon(mimamori_core::kinds::SalonPatch {
            exceptions: [(day, exception)].into_iter().collect(),
            ..Default::default()
        });
        let change = self.change(phone, id, base, body);
        self.save(phone, change);
    }

    /// What a phone shows of a record, as its kind's current values.
    fn current(&self, phone: usize, id: RecordId, kind: RecordKind) -> Option<RecordBody> {
        State::from_json(kind, self.view(phone, id, kind)?)
            .ok()?
            .current()
    }

    /// The sessions a salon the phone shows held (or holds) in the five weeks to `today`,
    /// as the phone sees its schedule.
    fn recent_sessions(&self, phone: usize, salon: RecordId) -> Vec<Session> {
        let Some(RecordBody::Salon(patch)) = self.current(phone, salon, RecordKind::Salon) else {
            return Vec::new();
        };
        let Some(schedule) = &patch.schedule else {
            return Vec::new();
        };
        let today = CivilDate::from_days_since_epoch(self.local_ms(phone).div_euclid(DAY));
        sessions(
            schedule,
            &patch.exceptions_in_force(),
            &|d| self.holidays.name(d),
            today.add_days(-35),
            today,
        )
    }

    /// An organiser (or the SC, or anyone, who must then be refused) takes a session's
    /// attendance at the door: a session that took place, ticking members of that salon
    /// the phone shows, counting for themselves.
    fn take_attendance(&mut self) {
        let phone = self.rng.below(self.phones.len());
        let salons = self.shown(phone, RecordKind::Salon);
        let Some(salon) = self.rng.pick(&salons) else {
            return;
        };
        let held: Vec<Session> = self
            .recent_sessions(phone, salon)
            .into_iter()
            .filter(Session::takes_place)
            .collect();
        if held.is_empty() {
            return;
        }
        let session = held[self.rng.below(held.len())].clone();
        let members: Vec<RecordId> = self
            .shown(phone, RecordKind::SalonMember)
            .into_iter()
            .filter(|m| {
                matches!(self.current(phone, *m, RecordKind::SalonMember),
                    Some(RecordBody::SalonMember(member)) if member.salon_id == Some(salon))
            })
            .collect();
        let mut present = BTreeMap::new();
        for member in members {
            if self.rng.chance(60) {
                present.insert(member, self.rng.chance(85));
            }
        }
        let user = self.phones[phone].user;
        let counts = Counts {
            walk_ins: self.rng.below(4) as u16,
            helpers: 1 + self.rng.below(3) as u16,
            ..Counts::default()
        };
        let body = RecordBody::Attendance(AttendancePatch {
            salon_id: Some(salon),
            date: Some(session.scheduled),
            held_on: (session.date != session.scheduled).then_some(session.date),
            present,
            counts: [(user, counts)].into_iter().collect(),
            note: self.rng.chance(20).then(|| "にぎやかでした".to_owned()),
        });
        let id = attendance_id(salon, session.scheduled);
        let base = self
            .view(phone, id, RecordKind::Attendance)
            .and_then(|v| State::from_json(RecordKind::Attendance, v).ok())
            .and_then(|s| s.newest_stamp());
        let change = self.change(phone, id, base, body);
        self.save(phone, change);
    }

    /// A change by `phone`'s user filed in `district`, whatever the phone would choose.
    fn filed(
        &mut self,
        phone: usize,
        id: RecordId,
        base: Option<Hlc>,
        district: Option<DistrictId>,
        body: RecordBody,
    ) -> Change {
        let mut change = self.change(phone, id, base, body);
        change.district_id = district;
        change
    }

    /// Live records of `kind` the server holds, by the oracle.
    fn held_of_kind(&self, kind: RecordKind) -> Vec<RecordId> {
        self.model
            .records
            .iter()
            .filter(|(_, r)| r.state.kind() == kind && !r.state.is_deleted())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Hostile changes to the salons' records, made by `phone`'s user, each of which the
    /// rules must refuse whoever makes it: moving a member or a session's attendance to
    /// another salon, making a session's record in two halves under a fresh id, ticking
    /// someone who is not the salon's member, taking a session on a date its schedule does
    /// not hold, and moving a taken session to another date.
    fn hostile_salon_changes(&mut self, phone: usize) -> Vec<Change> {
        let salons = self.held_of_kind(RecordKind::Salon);
        let mut hostile = Vec::new();
        let Some(salon) = self.rng.pick(&salons) else {
            return hostile;
        };
        let district = self.model.records[&salon].district;
        let Some(RecordBody::Salon(salon_now)) = self.model.records[&salon].state.current() else {
            return hostile;
        };
        // A member or a session's record moved to another salon.
        let children: Vec<RecordId> = self
            .held_of_kind(RecordKind::SalonMember)
            .into_iter()
            .chain(self.held_of_kind(RecordKind::Attendance))
            .collect();
        if let Some(child) = self.rng.pick(&children) {
            let record = &self.model.records[&child];
            let (kind, at, base) = (
                record.state.kind(),
                record.district,
                record.state.newest_stamp(),
            );
            let parent = record.state.parent();
            let elsewhere = salons
                .iter()
                .copied()
                .find(|s| Some((RecordKind::Salon, *s)) != parent);
            if let Some(elsewhere) = elsewhere {
                let body = if kind == RecordKind::SalonMember {
                    RecordBody::SalonMember(MemberPatch {
                        salon_id: Some(elsewhere),
                        ..MemberPatch::default()
                    })
                } else {
                    RecordBody::Attendance(AttendancePatch {
                        salon_id: Some(elsewhere),
                        ..AttendancePatch::default()
                    })
                };
                hostile.push(self.filed(phone, child, base, at, body));
            }
        }
        // A session's record made in halves under a fresh id, each half claiming a base.
        let seen = self.model.records[&salon].state.newest_stamp();
        let fresh = RecordId::new_v7(self.now_ms() as u64, self.rng.bytes());
        let today = CivilDate::from_days_since_epoch(self.now_ms().div_euclid(DAY));
        for half in [
            AttendancePatch {
                salon_id: Some(salon),
                ..AttendancePatch::default()
            },
            AttendancePatch {
                date: Some(today),
                ..AttendancePatch::default()
            },
        ] {
            let change = self.filed(phone, fresh, seen, district, RecordBody::Attendance(half));
            hostile.push(change);
        }
        let Some(schedule) = salon_now.schedule.clone() else {
            return hostile;
        };
        let exceptions = salon_now.exceptions_in_force();
        // A stranger (a resident, or an id nobody holds) ticked at a session it held.
        let held = sessions(
            &schedule,
            &exceptions,
            &|d| self.holidays.name(d),
            today.add_days(-35),
            today,
        );
        if let Some(session) = held.iter().find(|s| s.takes_place()) {
            let residents = self.held_of_kind(RecordKind::Resident);
            let stranger = match self.rng.pick(&residents) {
                Some(resident) if self.rng.chance(50) => resident,
                _ => RecordId::new_v7(1, self.rng.bytes()),
            };
            let id = attendance_id(salon, session.scheduled);
            let base = self
                .model
                .records
                .get(&id)
                .and_then(|r| r.state.newest_stamp());
            let body = RecordBody::Attendance(AttendancePatch {
                salon_id: Some(salon),
                date: Some(session.scheduled),
                present: [(stranger, true)].into_iter().collect(),
                ..AttendancePatch::default()
            });
            hostile.push(self.filed(phone, id, base, district, body));
        }
        // A session on a day the schedule does not hold, never taken before.
        let unheld = (0..14).map(|n| today.add_days(-n)).find(|d| {
            session_on(&schedule, &exceptions, &|d| self.holidays.name(d), *d)
                .is_none_or(|s| !s.takes_place())
                && !self.model.records.contains_key(&attendance_id(salon, *d))
        });
        if let Some(day) = unheld {
            let body = RecordBody::Attendance(AttendancePatch {
                salon_id: Some(salon),
                date: Some(day),
                ..AttendancePatch::default()
            });
            hostile.push(self.filed(phone, attendance_id(salon, day), None, district, body));
        }
        // A taken session moved to another date.
        let taken = self.held_of_kind(RecordKind::Attendance);
        if let Some(session) = self.rng.pick(&taken) {
            let record = &self.model.records[&session];
            let (at, base) = (record.district, record.state.newest_stamp());
            if let Some(RecordBody::Attendance(AttendancePatch {
                date: Some(date), ..
            })) = record.state.current()
            {
                let body = RecordBody::Attendance(AttendancePatch {
                    date: Some(date.add_days(7)),
                    ..AttendancePatch::default()
                });
                hostile.push(self.filed(phone, session, base, at, body));
            }
        }
        hostile
    }

    /// A new record of `kind` made from the kind's own sample, by any phone, under a parent
    /// the phone shows (where the kind has one): enough for a kind with no special rules.
    fn create_sampled(&mut self, kind: RecordKind) {
        let phone = self.rng.below(self.phones.len());
        let user = self.phones[phone].user;
        let n = self.rng.next();
        let now = self.local_ms(phone);
        let parent = match kind.sample(n, user, now, None).parent() {
            Some((parent_kind, _)) => {
                let shown = self.shown(phone, parent_kind);
                match self.rng.pick(&shown) {
                    Some(parent) => Some(parent),
                    None => return,
                }
            }
            None => None,
        };
        let random_id = RecordId::new_v7(self.now_ms() as u64, self.rng.bytes());
        let mut change = self.change(phone, random_id, None, kind.sample(n, user, now, parent));
        // A kind of one record per district takes that district's id, one record per
        // thing (a session's attendance) the thing's.
        if let Some(fixed) = change.district_id.and_then(|d| kind.fixed_id(d)) {
            change.id = fixed;
        }
        if let Some(derived) = change.body.derived_id() {
            change.id = derived;
        }
        self.save(phone, change);
    }

    /// Something to do for a resident the phone shows, for someone: the maker, the SC, or
    /// another volunteer (who may not see the resident: the follow-up still reaches them).
    fn create_follow_up(&mut self) {
        let phone = self.rng.below(self.phones.len());
        let residents = self.shown(phone, RecordKind::Resident);
        let Some(resident) = self.rng.pick(&residents) else {
            return;
        };
        let people: Vec<UserId> = self.phones.iter().map(|p| p.user).collect();
        let owner = self.rng.pick(&people).unwrap();
        let now = self.local_ms(phone);
        let user = self.phones[phone].user;
        let mut body = RecordKind::FollowUp.sample(self.rng.next(), user, now, Some(resident));
        if let RecordBody::FollowUp(patch) = &mut body {
            patch.owner = Some(owner);
            patch.done = None;
            patch.done_note = None;
            patch.done_on = None;
        }
        let id = RecordId::new_v7(self.now_ms() as u64, self.rng.bytes());
        let change = self.change(phone, id, None, body);
        self.save(phone, change);
    }

    /// The owner of a follow-up the phone shows marks it done, with a note.
    fn complete_follow_up(&mut self) {
        let phone = self.rng.below(self.phones.len());
        let shown = self.shown(phone, RecordKind::FollowUp);
        let Some(id) = self.rng.pick(&shown) else {
            return;
        };
        let base = self
            .view(phone, id, RecordKind::FollowUp)
            .and_then(|v| State::from_json(RecordKind::FollowUp, v).ok())
            .and_then(|s| s.newest_stamp());
        let today = mimamori_core::calendar::CivilDate::from_days_since_epoch(
            self.local_ms(phone).div_euclid(86_400_000),
        );
        let body = RecordBody::FollowUp(mimamori_core::kinds::FollowUpPatch {
            done: Some(true),
            done_note: Some("済みました".into()),
            done_on: Some(today),
            ..Default::default()
        });
        let change = self.change(phone, id, base, body);
        self.save(phone, change);
    }

    /// A new version of a record of `kind` the phone shows, from the kind's own sample.
    fn edit_sampled(&mut self, kind: RecordKind) {
        let phone = self.rng.below(self.phones.len());
        let shown = self.shown(phone, kind);
        let Some(id) = self.rng.pick(&shown) else {
            return;
        };
        let base = self
            .view(phone, id, kind)
            .and_then(|v| State::from_json(kind, v).ok())
            .and_then(|s| s.newest_stamp());
        let parent = self
            .view(phone, id, kind)
            .and_then(|v| State::from_json(kind, v).ok())
            .and_then(|s| s.parent())
            .map(|(_, p)| p);
        let user = self.phones[phone].user;
        let body = kind.sample(self.rng.next(), user, self.local_ms(phone), parent);
        let change = self.change(phone, id, base, body);
        self.save(phone, change);
    }

    async fn restart_server(&mut self) {
        self.server.storage.close().await;
        self.server = Server::start(&self.server.url.clone(), self.now.clone()).await;
    }

    async fn step(&mut self) {
        self.now
            .fetch_add(self.rng.below(MINUTE as usize) as i64, Ordering::SeqCst);
        match self.rng.below(100) {
            0..=30 => {
                let kind = self.rng.pick(RecordKind::ALL).unwrap();
                self.create(kind);
            }
            31..=43 => {
                let kind = self.rng.pick(RecordKind::ALL).unwrap();
                self.change_existing(kind);
            }
            44..=45 => self.hostile().await,
            46..=71 => {
                let phone = self.rng.below(self.phones.len());
                self.sync(phone, true).await;
            }
            72..=85 => {
                let phone = self.rng.below(self.phones.len());
                self.phones[phone].online = !self.phones[phone].online;
            }
            86 => self.jump_clock(),
            87 => self.change_permission().await,
            88..=89 => self.restart_server().await,
            _ => {}
        }
    }

    async fn settle(&mut self) {
        for phone in &mut self.phones {
            phone.online = true;
        }
        // Round more than once: changes pushed late by one phone reach the others' pulls.
        for _ in 0..3 {
            for phone in 0..self.phones.len() {
                self.sync(phone, false).await;
            }
        }
    }
}

fn newest_stamp(kind: RecordKind, state: Option<&Value>) -> Option<Hlc> {
    State::from_json(kind, state?.clone()).ok()?.newest_stamp()
}

async fn run(seed: u64, steps: usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sim.db", dir.path().display());
    let mut sim = Simulation::new(seed, &url).await;
    for _ in 0..steps {
        sim.step().await;
    }
    sim.settle().await;

    // Nothing lost: every change saved was accepted, or is in its phone's quarantine.
    let mut quarantined = BTreeSet::new();
    for phone in &sim.phones {
        assert!(
            phone.replica.outbox.is_empty(),
            "seed {seed}: {} still has unsent changes",
            phone.login_id
        );
        quarantined.extend(
            phone
                .replica
                .quarantine
                .iter()
                .map(|q| (q.change.id, q.change.stamp)),
        );
    }
    for change in &sim.saved {
        let key = (change.id, change.stamp);
        assert!(
            sim.model.accepted.contains(&key) || quarantined.contains(&key),
            "seed {seed}: lost {} at {}",
            change.id,
            change.stamp
        );
    }

    // Nothing duplicated, and the server holds what the oracle says.
    let applied = sim.applied_count().await;
    assert_eq!(
        applied,
        sim.model.accepted.len(),
        "seed {seed}: changes applied more than once"
    );
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, state FROM records")
        .fetch_all(&sim.checker)
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        sim.model.records.len(),
        "seed {seed}: duplicate or phantom records"
    );
    for (id, state) in rows {
        let id: RecordId = id.parse().unwrap();
        let state: Value = serde_json::from_str(&state).unwrap();
        assert_eq!(
            Some(state),
            sim.model.state_json(id),
            "seed {seed}: {id} differs from the oracle"
        );
    }
    // Every kind was made, changed and converged, not only the common ones.
    let mut by_kind: BTreeMap<RecordKind, usize> = BTreeMap::new();
    for record in sim.model.records.values() {
        *by_kind.entry(record.state.kind()).or_default() += 1;
    }
    if steps >= 1000 {
        for kind in RecordKind::ALL {
            assert!(
                by_kind.get(kind).copied().unwrap_or(0) > 0,
                "seed {seed}: no {kind:?} record reached the server"
            );
        }
    }
    println!(
        "simulation seed {seed}: {steps} steps, {} changes saved, {} accepted, {} quarantined, records by kind {by_kind:?}; {:?}",
        sim.saved.len(),
        sim.model.accepted.len(),
        quarantined.len(),
        sim.stats
    );
    sim.checker.close().await;
    sim.server.storage.close().await;
}

#[tokio::test]
async fn phones_converge_with_the_server_whatever_the_network_does() {
    let seed = std::env::var("MIMAMORI_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let steps = std::env::var("MIMAMORI_SIM_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    // Printed first, so that a failing run can be replayed.
    println!("simulation seed {seed} (replay: MIMAMORI_SIM_SEED={seed})");
    run(seed, steps).await;
}
