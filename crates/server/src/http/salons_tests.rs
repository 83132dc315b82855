//! Salons through the real router: who may make and change them and what hangs from them,
//! who pulls them, and the iCalendar feeds anyone may read.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{attendance_id, AttendancePatch, MemberPatch, SalonPatch};
use mimamori_core::record::{Body as RecordBody, RecordId};
use mimamori_core::salons::{Counts, Exception, Repeat, Schedule, TimeOfDay};
use tower::ServiceExt as _;

use super::test_support::*;

fn today() -> CivilDate {
    CivilDate::from_days_since_epoch((now_ms() as i64 + 9 * 3_600_000).div_euclid(86_400_000))
}

fn salon(organiser: mimamori_core::record::UserId) -> RecordBody {
    RecordBody::Salon(SalonPatch {
        name: Some("いきいきサロン".into()),
        venue: Some("乗附公民館".into()),
        schedule: Some(Schedule {
            repeat: Repeat::Weekly,
            weekdays: vec![1, 4],
            weeks: Vec::new(),
            dates: Vec::new(),
            from: today().add_days(-60),
            until: None,
            start: TimeOfDay::new(10, 0).unwrap(),
            end: TimeOfDay::new(12, 0).unwrap(),
            skip_holidays: true,
        }),
        organisers: Some([organiser].into_iter().collect()),
        ..SalonPatch::default()
    })
}

/// The salon's latest session before today: a Monday or Thursday that is no holiday.
fn last_session() -> CivilDate {
    let holidays = mimamori_core::salons::Holidays::default();
    (1..30)
        .map(|n| today().add_days(-n))
        .find(|d| matches!(d.weekday(), 1 | 4) && holidays.name(*d).is_none())
        .expect("a session in the last month")
}

fn cancel(date: CivilDate) -> RecordBody {
    RecordBody::Salon(SalonPatch {
        exceptions: [(
            date,
            Some(Exception {
                cancelled: true,
                reason: "雪".into(),
                ..Exception::default()
            }),
        )]
        .into_iter()
        .collect(),
        ..SalonPatch::default()
    })
}

fn member(salon: RecordId, name: &str) -> RecordBody {
    RecordBody::SalonMember(MemberPatch {
        salon_id: Some(salon),
        name: Some(name.into()),
        kana: Some("ひみつ".into()),
        ..MemberPatch::default()
    })
}

/// A change to a record the author has seen (`base` set: not its creation).
fn edit(
    by: &Signed,
    id: RecordId,
    counter: u32,
    body: RecordBody,
) -> mimamori_core::record::Change {
    let mut change = change(by, id, counter, body);
    change.base = Some(mimamori_core::hlc::Hlc {
        wall_ms: 1,
        counter: 0,
        node: 0,
    });
    change
}

fn statuses(results: &[serde_json::Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| {
            r["code"]
                .as_str()
                .unwrap_or(r["status"].as_str().unwrap())
                .to_owned()
        })
        .collect()
}

/// A GET without any account.
async fn get_anonymous(app: &axum::Router, path: &str) -> (StatusCode, String, String) {
    let request = Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn each_role_may_do_what_a_salon_allows_and_no_more() {
    let app = app().await;
    let organiser = sign_in(&app, "vol1").await;
    let other = sign_in(&app, "vol2").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let other_sc = sign_in(&app, "sc.kataoka").await;
    let city = sign_in(&app, "city").await;
    let salon_id = id(10);
    let member_id = id(11);

    // Only the district's SC makes a salon.
    let attempts = [
        push(
            &app,
            &organiser,
            &[change(&organiser, salon_id, 0, salon(organiser.user))],
        )
        .await,
        push(
            &app,
            &city,
            &[change(&city, salon_id, 0, salon(organiser.user))],
        )
        .await,
        push(
            &app,
            &other_sc,
            &[change(&other_sc, salon_id, 0, salon(organiser.user))],
        )
        .await,
    ];
    for results in &attempts {
        assert_ne!(statuses(results), ["accepted"]);
    }
    let made = push(
        &app,
        &sc,
        &[change(&sc, salon_id, 0, salon(organiser.user))],
    )
    .await;
    assert_eq!(statuses(&made), ["accepted"]);

    // Its organiser cancels a date; another volunteer cannot; nobody but the SC renames it.
    let day = today().add_days(3);
    assert_eq!(
        statuses(
            &push(
                &app,
                &organiser,
                &[edit(&organiser, salon_id, 1, cancel(day))]
            )
            .await
        ),
        ["accepted"]
    );
    assert_eq!(
        statuses(&push(&app, &other, &[edit(&other, salon_id, 1, cancel(day))]).await),
        ["not_allowed"]
    );
    let rename = RecordBody::Salon(SalonPatch {
        name: Some("改名".into()),
        ..SalonPatch::default()
    });
    assert_eq!(
        statuses(&push(&app, &organiser, &[edit(&organiser, salon_id, 2, rename)]).await),
        ["not_allowed"]
    );

    // Members: the organiser and the SC add them; another volunteer cannot.
    let results = push(
        &app,
        &organiser,
        &[change(
            &organiser,
            member_id,
            3,
            member(salon_id, "秘密 花子"),
        )],
    )
    .await;
    assert_eq!(statuses(&results), ["accepted"]);
    assert_eq!(
        statuses(
            &push(
                &app,
                &other,
                &[change(&other, id(12), 3, member(salon_id, "x"))]
            )
            .await
        ),
        ["not_allowed"]
    );
    // Linking a member to a 見守り resident takes seeing that resident: the organiser cannot
    // name someone assigned to another volunteer, the SC can.
    let hana = id(14);
    assert_eq!(
        statuses(
            &push(
                &app,
                &other,
                &[change(&other, hana, 4, resident(other.user))]
            )
            .await
        ),
        ["accepted"]
    );
    let linked = |by: &Signed| {
        edit(
            by,
            member_id,
            5,
            RecordBody::SalonMember(MemberPatch {
                resident_id: Some(hana),
                ..MemberPatch::default()
            }),
        )
    };
    assert_eq!(
        statuses(&push(&app, &organiser, &[linked(&organiser)]).await),
        ["invalid"]
    );
    assert_eq!(
        statuses(&push(&app, &sc, &[linked(&sc)]).await),
        ["accepted"]
    );
    // An edit that does not repeat the salon is judged by the salon held: its organiser may.
    let stays = edit(
        &organiser,
        member_id,
        6,
        RecordBody::SalonMember(MemberPatch {
            active: Some(true),
            ..MemberPatch::default()
        }),
    );
    assert_eq!(
        statuses(&push(&app, &organiser, &[stays]).await),
        ["accepted"]
    );

    // Attendance: under the session's own id, each counting for themselves.
    let session = last_session();
    let taken = |by: &Signed, counter_for: mimamori_core::record::UserId| {
        let body = RecordBody::Attendance(AttendancePatch {
            salon_id: Some(salon_id),
            date: Some(session),
            present: [(member_id, true)].into_iter().collect(),
            counts: [(
                counter_for,
                Counts {
                    walk_ins: 2,
                    ..Counts::default()
                },
            )]
            .into_iter()
            .collect(),
            ..AttendancePatch::default()
        });
        change(by, attendance_id(salon_id, session), 4, body)
    };
    assert_eq!(
        statuses(&push(&app, &organiser, &[taken(&organiser, organiser.user)]).await),
        ["accepted"]
    );
    assert_eq!(
        statuses(&push(&app, &sc, &[taken(&sc, organiser.user)]).await),
        ["not_allowed"],
        "nobody writes another's count"
    );
    let mut elsewhere = taken(&sc, sc.user);
    elsewhere.id = id(13);
    assert_eq!(
        statuses(&push(&app, &sc, &[elsewhere]).await),
        ["invalid"],
        "attendance lives under the session's id"
    );

    // Everyone signed in pulls the salon (the other district's SC too); its members and
    // attendance only its organiser and the district's SC.
    let salon_text = salon_id.to_string();
    let member_text = member_id.to_string();
    for (name, who, sees_members) in [
        ("organiser", &organiser, true),
        ("sc", &sc, true),
        ("other", &other, false),
        ("other_sc", &other_sc, false),
    ] {
        let ids = pull_ids(&app, who).await;
        assert!(ids.contains(&salon_text), "everyone sees the salon");
        assert_eq!(ids.contains(&member_text), sees_members, "{name}: {ids:?}");
    }

    // The SC hands the salon to another organiser: the first loses its members at once.
    let handed = RecordBody::Salon(SalonPatch {
        organisers: Some([other.user].into_iter().collect()),
        ..SalonPatch::default()
    });
    assert_eq!(
        statuses(&push(&app, &sc, &[edit(&sc, salon_id, 5, handed)]).await),
        ["accepted"]
    );
    assert!(pull_ids(&app, &other).await.contains(&member_text));
    let (_, page) = call(
        &app,
        Method::GET,
        "/api/v1/sync/pull?cursor=0",
        &organiser.token,
        None,
    )
    .await;
    let member_row = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|r| r["id"] == member_text.as_str())
        .expect("told of the member");
    assert_eq!(member_row["tombstone"], true, "{member_row}");
}

#[tokio::test]
async fn anyone_reads_a_salons_calendar_and_no_member_is_in_it() {
    let (app, _storage) = app_and_storage().await;
    let organiser = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let salon_id = id(20);
    let member_id = id(21);
    let day = today().add_days(7);
    let results = push(
        &app,
        &sc,
        &[
            change(&sc, salon_id, 0, salon(organiser.user)),
            change(&sc, member_id, 1, member(salon_id, "秘密 花子")),
            edit(&sc, salon_id, 2, cancel(day)),
        ],
    )
    .await;
    assert_eq!(statuses(&results), ["accepted", "accepted", "accepted"]);

    let path = format!("/api/v1/salons/{salon_id}/calendar.ics");
    let (status, content_type, text) = get_anonymous(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/calendar"));
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains("いきいきサロン"));
    assert!(!text.contains("秘密"), "no member's name");
    let compact = format!("{:04}{:02}{:02}", day.year, day.month, day.day);
    let unfolded = text.replace("\r\n ", "");
    let cancelled = unfolded
        .split("BEGIN:VEVENT")
        .find(|event| event.contains(&format!("DTSTART;TZID=Asia/Tokyo:{compact}")));
    match cancelled {
        // The date is a Monday or a Thursday: a session, cancelled.
        Some(event) => assert!(event.contains("STATUS:CANCELLED"), "{event}"),
        None => assert!(![1, 4].contains(&day.weekday()), "a session was lost"),
    }

    let (status, _, district) = get_anonymous(&app, "/api/v1/districts/1/salons.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(district.contains("乗附のサロン・居場所"));
    assert!(district.contains("いきいきサロン"));
    let (_, _, other_district) = get_anonymous(&app, "/api/v1/districts/2/salons.ics").await;
    assert!(!other_district.contains("BEGIN:VEVENT"));

    // Not a salon, no such salon, no such district, not an id: JSON errors.
    for (path, expected) in [
        (
            format!("/api/v1/salons/{}/calendar.ics", member_id),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/v1/salons/{}/calendar.ics", id(99)),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/districts/999/salons.ics".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/salons/nope/calendar.ics".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, content_type, body) = get_anonymous(&app, &path).await;
        assert_eq!(status, expected, "{path}");
        assert!(
            content_type.starts_with("application/json"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn an_ended_salon_leaves_its_organisers_phones_and_stays_with_its_coordinator() {
    let app = app().await;
    let organiser = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let (salon_id, member_id) = (id(10), id(11));
    let session = last_session();
    let session_id = attendance_id(salon_id, session);
    let made = [
        change(&sc, salon_id, 0, salon(organiser.user)),
        change(&sc, member_id, 1, member(salon_id, "井上 ハル")),
    ];
    assert_eq!(statuses(&push(&app, &sc, &made).await), ["accepted"; 2]);
    let taken = RecordBody::Attendance(AttendancePatch {
        salon_id: Some(salon_id),
        date: Some(session),
        present: [(member_id, true)].into_iter().collect(),
        ..AttendancePatch::default()
    });
    let taken = change(&organiser, session_id, 0, taken);
    assert_eq!(
        statuses(&push(&app, &organiser, &[taken]).await),
        ["accepted"]
    );
    let (held, cursor) = pull_after(&app, &organiser, 0).await;
    for id in [member_id, session_id] {
        assert!(held.contains(&(id.to_string(), false)), "{held:?}");
    }

    // A salon is not deleted, by anyone: it ends.
    let mut deletion = edit(&sc, salon_id, 2, RecordBody::Salon(SalonPatch::default()));
    deletion.deleted = true;
    assert_eq!(
        statuses(&push(&app, &sc, &[deletion]).await),
        ["not_allowed"]
    );
    let ended = edit(
        &sc,
        salon_id,
        3,
        RecordBody::Salon(SalonPatch {
            active: Some(false),
            ..SalonPatch::default()
        }),
    );
    assert_eq!(statuses(&push(&app, &sc, &[ended]).await), ["accepted"]);

    // The organiser's next pull takes the member and the session off their phone; the
    // salon itself stays, ended, as everyone's to read. Their coordinator keeps all.
    let (after, _) = pull_after(&app, &organiser, cursor).await;
    for id in [member_id, session_id] {
        assert!(after.contains(&(id.to_string(), true)), "{after:?}");
    }
    assert!(after.contains(&(salon_id.to_string(), false)), "{after:?}");
    let kept = pull_ids(&app, &sc).await;
    for id in [salon_id, member_id, session_id] {
        assert!(kept.contains(&id.to_string()));
    }
    // And the former organiser changes nothing of it any more.
    let note = edit(
        &organiser,
        session_id,
        4,
        RecordBody::Attendance(AttendancePatch {
            note: Some("まだ書ける？".into()),
            ..AttendancePatch::default()
        }),
    );
    assert_eq!(
        statuses(&push(&app, &organiser, &[note]).await),
        ["not_allowed"]
    );
}

#[tokio::test]
async fn a_salon_ended_before_its_organisers_lost_its_members_leaves_their_phones_at_the_next_start(
) {
    let (app, storage) = app_and_storage().await;
    let organiser = sign_in(&app, "vol1").await;
    let sc = sign_in(&app, "sc.noritsuke").await;
    let (salon_id, member_id) = (id(10), id(11));
    let made = [
        change(&sc, salon_id, 0, salon(organiser.user)),
        change(&sc, member_id, 1, member(salon_id, "井上 ハル")),
        edit(
            &sc,
            salon_id,
            2,
            RecordBody::Salon(SalonPatch {
                active: Some(false),
                ..SalonPatch::default()
            }),
        ),
    ];
    assert_eq!(statuses(&push(&app, &sc, &made).await), ["accepted"; 3]);
    // As a build before issue 16 left it: the ended salon still listing its organiser.
    let (_, cursor) = pull_after(&app, &organiser, 0).await;
    sqlx::query("UPDATE records SET assigned = ? WHERE id = ?")
        .bind(format!("[{}]", organiser.user.0))
        .bind(salon_id.to_string())
        .execute(storage.pool())
        .await
        .unwrap();
    let (seen, _) = pull_after(&app, &organiser, 0).await;
    assert!(
        seen.contains(&(member_id.to_string(), false)),
        "the old list shows the member"
    );
    // The server starts again: the list is brought in line and the organiser told.
    storage.refresh_assignments().await.unwrap();
    let (after, _) = pull_after(&app, &organiser, cursor).await;
    assert!(after.contains(&(member_id.to_string(), true)), "{after:?}");
    let (all, _) = pull_after(&app, &organiser, 0).await;
    assert!(!all.contains(&(member_id.to_string(), false)), "{all:?}");
    // Once done, a start finds nothing to do.
    let before: i64 = sqlx::query_scalar("SELECT value FROM sync_sequence WHERE id = 1")
        .fetch_one(storage.pool())
        .await
        .unwrap();
    storage.refresh_assignments().await.unwrap();
    let again: i64 = sqlx::query_scalar("SELECT value FROM sync_sequence WHERE id = 1")
        .fetch_one(storage.pool())
        .await
        .unwrap();
    assert_eq!(before, again);
}
