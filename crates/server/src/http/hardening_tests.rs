//! What a hostile or unlucky client could do to the server, each tried through the real
//! router (issue 7). Every test here failed before its fix.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use mimamori_core::kinds::ResidentPatch;
use mimamori_core::record::{Body as RecordBody, RecordId};
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::test_support::*;
use crate::gate::PasswordGate;
use crate::proxy::TrustedProxies;
use crate::storage::{Accounts as _, SqliteStorage};

/// The SC registers residents A (assigned to vol1) and B (assigned to vol2).
async fn residents_a_and_b(
    app: &Router,
    sc: &Signed,
    v1: &Signed,
    v2: &Signed,
) -> (RecordId, RecordId) {
    let (a, b) = (id(1), id(2));
    let results = push(
        app,
        sc,
        &[
            change(sc, a, 0, resident(v1.user)),
            change(sc, b, 1, resident(v2.user)),
        ],
    )
    .await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );
    (a, b)
}

fn statuses(results: &[Value]) -> Vec<(String, Option<String>)> {
    results
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap_or_default().to_owned(),
                r["code"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_late_older_version_of_a_visit_never_shows_it_to_another_residents_volunteer() {
    let app = app().await;
    let (v1, v2, sc) = (
        sign_in(&app, "vol1").await,
        sign_in(&app, "vol2").await,
        sign_in(&app, "sc.noritsuke").await,
    );
    let (a, b) = residents_a_and_b(&app, &sc, &v1, &v2).await;
    let (_, sc_cursor) = pull_after(&app, &sc, 0).await;
    let visit_id = id(3);
    let about_a = change(&sc, visit_id, 5, visit(a, sc.user, "Aさん、お元気"));
    let mut about_b = change(&sc, visit_id, 4, visit(b, sc.user, "Bさん"));
    about_b.stamp.wall_ms -= 60_000;
    push(&app, &sc, &[about_a]).await;
    let (_, after_a) = pull_after(&app, &sc, sc_cursor).await;
    let results = push(&app, &sc, &[about_b]).await;
    assert_eq!(results[0]["status"], "accepted");
    assert!(
        !pull_ids(&app, &v2).await.contains(&visit_id.to_string()),
        "B's volunteer must not get a visit about A"
    );
    assert!(pull_ids(&app, &v1).await.contains(&visit_id.to_string()));
    // It changed nothing, so nothing is sent again.
    let (again, _) = pull_after(&app, &sc, after_a).await;
    assert!(again.is_empty(), "re-sequenced: {again:?}");
}

#[tokio::test]
async fn a_visit_moved_to_another_resident_leaves_the_first_residents_volunteer() {
    let app = app().await;
    let (v1, v2, sc) = (
        sign_in(&app, "vol1").await,
        sign_in(&app, "vol2").await,
        sign_in(&app, "sc.noritsuke").await,
    );
    let (a, b) = residents_a_and_b(&app, &sc, &v1, &v2).await;
    let visit_id = id(3);
    push(
        &app,
        &sc,
        &[change(&sc, visit_id, 5, visit(a, sc.user, "書き間違い"))],
    )
    .await;
    let (held, cursor) = pull_after(&app, &v1, 0).await;
    assert!(held.iter().any(|(id, _)| *id == visit_id.to_string()));
    push(
        &app,
        &sc,
        &[change(
            &sc,
            visit_id,
            6,
            visit(b, sc.user, "Bさんの訪問でした"),
        )],
    )
    .await;
    let (gone, _) = pull_after(&app, &v1, cursor).await;
    assert!(
        gone.contains(&(visit_id.to_string(), true)),
        "vol1 must be told to remove it: {gone:?}"
    );
    assert!(pull_ids(&app, &v2).await.contains(&visit_id.to_string()));
}

#[tokio::test]
async fn a_volunteer_cannot_claim_a_resident_registered_without_an_assignee() {
    let app = app().await;
    let (v1, sc) = (
        sign_in(&app, "vol1").await,
        sign_in(&app, "sc.noritsuke").await,
    );
    let hana = id(1);
    let mut registration = change(&sc, hana, 0, resident(sc.user));
    if let RecordBody::Resident(patch) = &mut registration.body {
        patch.assigned_volunteers = None;
    }
    push(&app, &sc, &[registration.clone()]).await;
    let mut claim = change(
        &v1,
        hana,
        1,
        RecordBody::Resident(ResidentPatch {
            assigned_volunteers: Some([v1.user].into_iter().collect()),
            ..ResidentPatch::default()
        }),
    );
    claim.base = Some(registration.stamp);
    let results = push(&app, &v1, &[claim]).await;
    assert_eq!(
        statuses(&results),
        [("rejected".into(), Some("not_allowed".into()))]
    );
    assert!(
        pull_ids(&app, &v1).await.is_empty(),
        "the name never reaches vol1"
    );
}

#[tokio::test]
async fn losing_every_district_or_becoming_city_removes_the_data_at_the_next_pull() {
    let (app, storage) = app_and_storage().await;
    let (v1, v2) = (sign_in(&app, "vol1").await, sign_in(&app, "vol2").await);
    for volunteer in [&v1, &v2] {
        let resident_id = RecordId::new_v7(now_ms(), [volunteer.user.0 as u8; 10]);
        let results = push(
            &app,
            volunteer,
            &[
                change(volunteer, resident_id, 0, resident(volunteer.user)),
                change(
                    volunteer,
                    id(volunteer.user.0 as u8 + 20),
                    1,
                    visit(resident_id, volunteer.user, ""),
                ),
            ],
        )
        .await;
        assert!(
            results.iter().all(|r| r["status"] == "accepted"),
            "{results:?}"
        );
    }
    let (held1, cursor1) = pull_after(&app, &v1, 0).await;
    let (held2, cursor2) = pull_after(&app, &v2, 0).await;
    assert_eq!((held1.len(), held2.len()), (2, 2));

    storage.set_user_districts(v1.user, &[]).await.unwrap();
    storage
        .set_user_role(v2.user, mimamori_core::account::Role::City)
        .await
        .unwrap();
    for (who, cursor, held) in [(&v1, cursor1, held1), (&v2, cursor2, held2)] {
        let (gone, _) = pull_after(&app, who, cursor).await;
        for (id, _) in held {
            assert!(
                gone.contains(&(id.clone(), true)),
                "{id} must become a tombstone: {gone:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_stamp_cannot_be_taken_before_its_owner_uses_it() {
    let app = app().await;
    let (v1, v2) = (sign_in(&app, "vol1").await, sign_in(&app, "vol2").await);
    let hana = id(1);
    push(&app, &v1, &[change(&v1, hana, 0, resident(v1.user))]).await;
    let real = change(&v1, id(2), 1, visit(hana, v1.user, "本当の記録"));
    // vol2 guesses the id and stamp vol1's phone will send, and pushes junk under them,
    // as themselves and as vol1.
    let mut squat = real.clone();
    squat.author = v2.user;
    squat.device = v2.device;
    if let RecordBody::Visit(visit) = &mut squat.body {
        visit.note = "にせもの".into();
        visit.visitors = vec![v2.user];
    }
    let mut forged = real.clone();
    if let RecordBody::Visit(visit) = &mut forged.body {
        visit.note = "にせもの".into();
    }
    let results = push(&app, &v2, &[squat, forged]).await;
    assert_eq!(
        statuses(&results),
        [
            ("rejected".into(), Some("forged_author".into())),
            ("rejected".into(), Some("forged_author".into()))
        ]
    );
    let results = push(&app, &v1, std::slice::from_ref(&real)).await;
    assert_eq!(results[0]["status"], "accepted");
    let (_, page) = call(
        &app,
        Method::GET,
        "/api/v1/sync/pull?cursor=0",
        &v1.token,
        None,
    )
    .await;
    let stored = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == real.id.to_string())
        .unwrap();
    assert_eq!(stored["state"]["body"]["data"]["note"], "本当の記録");
    // The same phone sending other content under a stamp it already used is told so.
    let mut reused = real.clone();
    if let RecordBody::Visit(visit) = &mut reused.body {
        visit.note = "別の内容".into();
    }
    let results = push(&app, &v1, &[real, reused]).await;
    assert_eq!(
        statuses(&results),
        [
            ("accepted".into(), None),
            ("rejected".into(), Some("stamp_reused".into()))
        ]
    );
}

#[tokio::test]
async fn a_deletion_is_validated_like_any_change() {
    let app = app().await;
    let (v1, v2) = (sign_in(&app, "vol1").await, sign_in(&app, "vol2").await);
    let hana = id(1);
    let visit_id = id(2);
    push(
        &app,
        &v1,
        &[
            change(&v1, hana, 0, resident(v1.user)),
            change(&v1, visit_id, 1, visit(hana, v1.user, "")),
        ],
    )
    .await;
    let mut long = change(&v1, visit_id, 2, visit(hana, v1.user, &"あ".repeat(5000)));
    long.deleted = true;
    let mut not_visitor = change(&v1, visit_id, 3, visit(hana, v2.user, ""));
    not_visitor.deleted = true;
    let mut unseen = change(&v2, id(3), 0, visit(hana, v2.user, ""));
    unseen.deleted = true;
    let results = push(&app, &v1, &[long, not_visitor]).await;
    assert_eq!(
        statuses(&results),
        [
            ("rejected".into(), Some("invalid".into())),
            ("rejected".into(), Some("invalid".into()))
        ]
    );
    let results = push(&app, &v2, &[unseen]).await;
    assert_eq!(results[0]["code"], "not_allowed");
}

#[tokio::test]
async fn control_characters_are_field_errors_and_never_a_500() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    let mut named = change(&v1, id(1), 0, resident(v1.user));
    if let RecordBody::Resident(patch) = &mut named.body {
        patch.name = Some("高崎\u{0}花子".into());
    }
    let results = push(&app, &v1, &[named]).await;
    assert_eq!(results[0]["code"], "invalid");
    assert_eq!(
        results[0]["fields"][0],
        json!({"field": "name", "code": "control_characters"})
    );
    for device_name in ["スマホ\u{0}", "スマホ\nINFO forged"] {
        let body = json!({"login_id": "vol1", "password": PASSWORD, "device_name": device_name});
        let (status, answer) = call(&app, Method::POST, "/api/v1/login", "", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["code"], "invalid_body");
    }
}

#[tokio::test]
async fn bad_ids_in_a_path_are_json_errors() {
    let app = app().await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    for path in [
        "/api/v1/devices/abc/revoke",
        "/api/v1/devices/99999999999999999999/revoke",
        "/api/v1/devices/%00/revoke",
    ] {
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", sc.token))
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json",
            "{path}"
        );
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["error"]["code"], "invalid_path", "{path}");
    }
}

#[tokio::test]
async fn an_unreadable_item_is_refused_alone_and_the_rest_are_stored() {
    let app = app().await;
    let (v1, sc) = (
        sign_in(&app, "vol1").await,
        sign_in(&app, "sc.noritsuke").await,
    );
    let hana = id(1);
    let good = change(&v1, hana, 0, resident(v1.user));
    let later = change(&v1, id(2), 2, visit(hana, v1.user, ""));
    let newer_id = id(3);
    let mut newer_kind =
        serde_json::to_value(change(&v1, newer_id, 1, visit(hana, v1.user, ""))).unwrap();
    newer_kind["body"] = json!({"kind": "salon_session", "data": {"salon": "x"}});
    let mut broken = serde_json::to_value(&later).unwrap();
    broken["id"] = json!(id(4).to_string());
    broken["body"]["data"]["outcome"] = json!("great");
    let body = json!({"changes": [good, newer_kind, broken, 42, later]});
    let (status, answer) = call(
        &app,
        Method::POST,
        "/api/v1/sync/push",
        &v1.token,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(
        statuses(results),
        [
            ("accepted".into(), None),
            ("rejected".into(), Some("unknown_kind".into())),
            ("rejected".into(), Some("malformed".into())),
            ("rejected".into(), Some("malformed".into())),
            ("accepted".into(), None)
        ]
    );
    assert_eq!(
        results[1]["id"],
        newer_id.to_string(),
        "named, so the phone can pair it"
    );
    assert!(results[3].get("id").is_none());
    assert_eq!(pull_ids(&app, &sc).await.len(), 2);
}

/// Collects what the server logs, as the fmt subscriber writes it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_login_id_cannot_write_a_line_into_the_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = app().await;
    let body = json!({"login_id": "nobody\nINFO mimamori: admin signed in", "password": "x", "device_name": "x"});
    let (status, _) = call(&app, Method::POST, "/api/v1/login", "", Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("failed login"), "{log}");
    assert!(
        log.lines().all(|line| !line.starts_with("INFO mimamori")),
        "a forged line: {log}"
    );
}

async fn login_status(
    app: &Router,
    login_id: &str,
    password: &str,
    from: Option<(&str, &str)>,
) -> StatusCode {
    let body = json!({"login_id": login_id, "password": password, "device_name": "x"});
    let mut request =
        Request::post("/api/v1/login").header(header::CONTENT_TYPE, "application/json");
    if let Some((_, forwarded)) = from {
        request = request.header("x-forwarded-for", forwarded);
    }
    let mut request = request.body(Body::from(body.to_string())).unwrap();
    if let Some((peer, _)) = from {
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
    }
    app.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn spaces_capitals_or_full_width_letters_do_not_make_a_fresh_account_to_guess() {
    let app = app().await;
    for typed in [
        "vol1 ",
        " vol1",
        "VOL1",
        "ｖｏｌ１",
        "vol1\u{3000}",
        "Vol1 ",
    ] {
        assert_eq!(
            login_status(&app, typed, "guess guess", None).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_status(&app, " vol1 ", PASSWORD, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn thirty_guesses_at_once_are_not_thirty_password_checks() {
    let app = app().await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let app = app.clone();
        guesses.spawn(async move { login_status(&app, "vol1", "guess guess", None).await });
    }
    let answers = guesses.join_all().await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(checked <= 6, "{checked} of 30 were checked: {answers:?}");
    assert!(answers
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn password_checks_beyond_the_gate_are_told_to_come_back() {
    let (app, _) = app_with(|state| state.with_password_gate(PasswordGate::new(0, 0))).await;
    let body = json!({"login_id": "vol1", "password": PASSWORD, "device_name": "x"});
    let request = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_guesser_does_not_lock_out_everyone() {
    let proxy = "127.0.0.1:50000";
    let trusted = TrustedProxies::new(vec![TrustedProxies::parse_one("127.0.0.1").unwrap()]);
    let (app, _) = app_with(|state| state.with_trusted_proxies(trusted)).await;
    // Someone guesses at many made-up accounts through the proxy.
    for n in 0..25 {
        login_status(
            &app,
            &format!("guess{n}"),
            "guess guess",
            Some((proxy, "203.0.113.66")),
        )
        .await;
    }
    assert_eq!(
        login_status(&app, "nobody", "guess guess", Some((proxy, "203.0.113.66"))).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser waits"
    );
    assert_eq!(
        login_status(&app, "vol1", PASSWORD, Some((proxy, "203.0.113.7"))).await,
        StatusCode::OK,
        "a volunteer elsewhere signs in"
    );
    // A client that is not a trusted proxy cannot pick its address.
    assert_eq!(
        login_status(
            &app,
            "nobody",
            "guess guess",
            Some(("198.51.100.1:1", "203.0.113.7"))
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
}

async fn temporary_user(storage: &SqliteStorage) -> String {
    let districts = ["乗附".to_owned()];
    let spec = crate::admin::UserSpec {
        login_id: "new.volunteer",
        display_name: "新しい人",
        role: mimamori_core::account::Role::Volunteer,
        districts: &districts,
    };
    let printed = crate::admin::create_user(storage, spec, None)
        .await
        .unwrap();
    printed
        .lines()
        .find_map(|line| line.strip_prefix("temporary password: "))
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_temporary_password_allows_nothing_but_replacing_it() {
    let (app, storage) = app_and_storage().await;
    let temporary = temporary_user(&storage).await;
    let body = json!({"login_id": "new.volunteer", "password": temporary, "device_name": "スマホ"});
    let (status, answer) = call(&app, Method::POST, "/api/v1/login", "", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = answer["token"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/sync/push",
            Some(json!({"changes": []})),
        ),
        (Method::GET, "/api/v1/sync/pull?cursor=0", None),
        (Method::GET, "/api/v1/devices", None),
    ] {
        let (status, answer) = call(&app, method, path, &token, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_eq!(
            answer["error"]["code"], "password_change_required",
            "{path}"
        );
    }
    let (status, _) = call(&app, Method::GET, "/api/v1/me", &token, None).await;
    assert_eq!(status, StatusCode::OK);
    let good = json!({"current_password": temporary, "new_password": "sakura-no-hana"});
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/me/password",
        &token,
        Some(good),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/v1/sync/pull?cursor=0",
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_reset_signs_out_every_device_of_the_user() {
    let (app, storage) = app_and_storage().await;
    let v1 = sign_in(&app, "vol1").await;
    crate::admin::reset_password(storage.as_ref(), "vol1")
        .await
        .unwrap();
    let (status, answer) = call(&app, Method::GET, "/api/v1/me", &v1.token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"]["code"], "device_revoked");
}

#[tokio::test]
async fn every_answer_says_how_to_treat_it() {
    let app = app().await;
    let v1 = sign_in(&app, "vol1").await;
    for (path, token) in [
        ("/api/v1/me", Some(v1.token.as_str())),
        ("/api/v1/sync/pull?cursor=0", Some(v1.token.as_str())),
        ("/api/v1/health", None),
        ("/api/v1/nothing", None),
        ("/", None),
    ] {
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        if path.starts_with("/api/") {
            assert_eq!(headers[header::CACHE_CONTROL], "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn a_replayed_batch_never_advances_the_sequence() {
    let app = app().await;
    let (v1, sc) = (
        sign_in(&app, "vol1").await,
        sign_in(&app, "sc.noritsuke").await,
    );
    let hana = id(1);
    let batch = [
        change(&v1, hana, 0, resident(v1.user)),
        change(&v1, id(2), 1, visit(hana, v1.user, "")),
    ];
    push(&app, &v1, &batch).await;
    let (_, cursor) = pull_after(&app, &sc, 0).await;
    push(&app, &v1, &batch).await;
    let (again, _) = pull_after(&app, &sc, cursor).await;
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn a_districts_people_are_named_to_those_who_work_there_only() {
    let app = app().await;
    let (v1, other_sc) = (
        sign_in(&app, "vol1").await,
        sign_in(&app, "sc.kataoka").await,
    );
    let (status, people) = call(
        &app,
        Method::GET,
        "/api/v1/districts/1/people",
        &v1.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{people}");
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["sc.noritsuke", "vol1", "vol2"],
        "coordinators first, then by name"
    );
    assert!(people[0].get("login_id").is_none(), "names only");
    let (status, answer) = call(
        &app,
        Method::GET,
        "/api/v1/districts/1/people",
        &other_sc.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, _) = call(&app, Method::GET, "/api/v1/districts/1/people", "", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
