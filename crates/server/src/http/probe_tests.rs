//! The hostile client on the real HTTP API (issue 16's probe, kept in the suite): an
//! organiser of one salon attacks another salon's records, and a coordinator of one
//! district attacks another district's, through every kind. Each attempt must be refused
//! with its code, and what the attacker pulls afterwards must hold nothing of the target's
//! names. What stays allowed is said beside it, so a rule cannot pass by refusing all.

use axum::http::Method;
use axum::Router;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{
    attendance_id, district_info_id, AttendancePatch, Category, DistrictInfoPatch, FollowUpPatch,
    MemberPatch, ResidentPatch, ResourcePatch, SalonPatch,
};
use mimamori_core::record::{Body as RecordBody, Change, DistrictId, RecordId};
use mimamori_core::salons::{Exception, Holidays, Repeat, Schedule, TimeOfDay};
use serde_json::Value;

use super::test_support::*;

fn today() -> CivilDate {
    CivilDate::from_days_since_epoch(now_ms().div_euclid(86_400_000) as i64)
}

/// Every day but holidays, from two months ago.
fn daily() -> Schedule {
    Schedule {
        repeat: Repeat::Weekly,
        weekdays: (0..7).collect(),
        weeks: Vec::new(),
        dates: Vec::new(),
        from: today().add_days(-60),
        until: None,
        start: TimeOfDay::new(10, 0).unwrap(),
        end: TimeOfDay::new(12, 0).unwrap(),
        skip_holidays: true,
    }
}

/// A day of the last fortnight that is no holiday: a session of [`daily`].
fn last_session() -> CivilDate {
    let holidays = Holidays::default();
    (1..14)
        .map(|n| today().add_days(-n))
        .find(|d| holidays.name(*d).is_none())
        .unwrap()
}

/// A change to a record the author claims to have seen.
fn seen(mut change: Change) -> Change {
    change.base = Some(mimamori_core::hlc::Hlc {
        wall_ms: 1,
        counter: 0,
        node: 0,
    });
    change
}

fn in_district(mut change: Change, district: i64) -> Change {
    change.district_id = Some(DistrictId(district));
    change
}

/// The code each change got, `accepted` for those stored.
async fn outcomes(app: &Router, by: &Signed, changes: &[Change]) -> Vec<String> {
    push(app, by, changes)
        .await
        .iter()
        .map(|r| {
            r["code"]
                .as_str()
                .unwrap_or(r["status"].as_str().unwrap())
                .to_owned()
        })
        .collect()
}

/// What `by` holds after a full pull, as record id → state.
async fn holdings(app: &Router, by: &Signed) -> Vec<(String, Value)> {
    let (_, page) = call(
        app,
        Method::GET,
        "/api/v1/sync/pull?cursor=0&limit=1000",
        &by.token,
        None,
    )
    .await;
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tombstone"] == false)
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["state"].clone()))
        .collect()
}

/// 乗附 as its coordinator keeps it: salon A run by vol1 and salon B run by vol2, a
/// member of each, a session of B taken by vol2, a resident of vol2's with a visit and a
/// follow-up, the district's contacts and a directory entry.
struct Noritsuke {
    app: Router,
    sc: Signed,
    vol1: Signed,
    vol2: Signed,
    salon_a: RecordId,
    salon_b: RecordId,
    member_a: RecordId,
    member_b: RecordId,
    session_b: RecordId,
    resident_b: RecordId,
    visit_b: RecordId,
    follow_up_b: RecordId,
    entry: RecordId,
}

impl Noritsuke {
    async fn new() -> Self {
        let app = app().await;
        let sc = sign_in(&app, "sc.noritsuke").await;
        let vol1 = sign_in(&app, "vol1").await;
        let vol2 = sign_in(&app, "vol2").await;
        let (salon_a, salon_b, member_a, member_b) = (id(1), id(2), id(3), id(4));
        let (resident_b, visit_b, follow_up_b, entry) = (id(5), id(6), id(7), id(8));
        let salon = |organiser: &Signed, name: &str| {
            RecordBody::Salon(SalonPatch {
                name: Some(name.into()),
                schedule: Some(daily()),
                organisers: Some([organiser.user].into_iter().collect()),
                ..SalonPatch::default()
            })
        };
        let member = |salon: RecordId, name: &str| {
            RecordBody::SalonMember(MemberPatch {
                salon_id: Some(salon),
                name: Some(name.into()),
                ..MemberPatch::default()
            })
        };
        let made = [
            change(&sc, salon_a, 0, salon(&vol1, "Aサロン")),
            change(&sc, salon_b, 1, salon(&vol2, "Bサロン")),
            change(&sc, member_a, 2, member(salon_a, "会員 A")),
            change(&sc, member_b, 3, member(salon_b, "会員 B")),
            change(&sc, resident_b, 4, resident(vol2.user)),
            change(
                &sc,
                district_info_id(DistrictId(1)),
                5,
                RecordBody::DistrictInfo(DistrictInfoPatch {
                    sc_name: Some("高崎 花子".into()),
                    ..DistrictInfoPatch::default()
                }),
            ),
            change(
                &sc,
                entry,
                6,
                RecordBody::Resource(ResourcePatch {
                    name: Some("乗附の買い物支援".into()),
                    categories: Some(vec![Category::Shopping]),
                    ..ResourcePatch::default()
                }),
            ),
        ];
        assert!(outcomes(&app, &sc, &made)
            .await
            .iter()
            .all(|o| o == "accepted"));
        let session_b = attendance_id(salon_b, last_session());
        let theirs = [
            change(&vol2, visit_b, 0, visit(resident_b, vol2.user, "お元気")),
            change(
                &vol2,
                follow_up_b,
                1,
                RecordBody::FollowUp(FollowUpPatch {
                    resident_id: Some(resident_b),
                    what: Some("家族に連絡する".into()),
                    owner: Some(vol2.user),
                    ..FollowUpPatch::default()
                }),
            ),
            change(
                &vol2,
                session_b,
                2,
                RecordBody::Attendance(AttendancePatch {
                    salon_id: Some(salon_b),
                    date: Some(last_session()),
                    present: [(member_b, true)].into_iter().collect(),
                    note: Some("Bさんは足が痛いそう".into()),
                    ..AttendancePatch::default()
                }),
            ),
        ];
        assert_eq!(
            outcomes(&app, &vol2, &theirs).await,
            ["accepted", "accepted", "accepted"]
        );
        Self {
            app,
            sc,
            vol1,
            vol2,
            salon_a,
            salon_b,
            member_a,
            member_b,
            session_b,
            resident_b,
            visit_b,
            follow_up_b,
            entry,
        }
    }
}

#[tokio::test]
async fn an_organiser_of_one_salon_cannot_touch_another_salons_records_through_any_kind() {
    let n = Noritsuke::new().await;
    let vol1 = &n.vol1;
    let attendance = |patch: AttendancePatch| RecordBody::Attendance(patch);
    let attempts = [
        // The other salon's session, moved under one's own salon, written to, or ticked.
        seen(change(
            vol1,
            n.session_b,
            0,
            attendance(AttendancePatch {
                salon_id: Some(n.salon_a),
                ..AttendancePatch::default()
            }),
        )),
        seen(change(
            vol1,
            n.session_b,
            1,
            attendance(AttendancePatch {
                note: Some("書き換え".into()),
                ..AttendancePatch::default()
            }),
        )),
        seen(change(
            vol1,
            n.session_b,
            2,
            attendance(AttendancePatch {
                salon_id: Some(n.salon_b),
                date: Some(last_session()),
                present: [(n.member_b, false)].into_iter().collect(),
                ..AttendancePatch::default()
            }),
        )),
        // The other salon's member, moved to one's own salon or renamed.
        seen(change(
            vol1,
            n.member_b,
            3,
            RecordBody::SalonMember(MemberPatch {
                salon_id: Some(n.salon_a),
                ..MemberPatch::default()
            }),
        )),
        seen(change(
            vol1,
            n.member_b,
            4,
            RecordBody::SalonMember(MemberPatch {
                name: Some("別人".into()),
                ..MemberPatch::default()
            }),
        )),
        // A member added to the other salon.
        change(
            vol1,
            id(20),
            5,
            RecordBody::SalonMember(MemberPatch {
                salon_id: Some(n.salon_b),
                name: Some("紛れ込み".into()),
                ..MemberPatch::default()
            }),
        ),
        // The other salon itself: a date cancelled, taken over, ended.
        seen(change(
            vol1,
            n.salon_b,
            6,
            RecordBody::Salon(SalonPatch {
                exceptions: [(
                    today().add_days(3),
                    Some(Exception {
                        cancelled: true,
                        reason: "雪".into(),
                        ..Exception::default()
                    }),
                )]
                .into_iter()
                .collect(),
                ..SalonPatch::default()
            }),
        )),
        seen(change(
            vol1,
            n.salon_b,
            7,
            RecordBody::Salon(SalonPatch {
                organisers: Some([vol1.user].into_iter().collect()),
                ..SalonPatch::default()
            }),
        )),
        // Another volunteer's resident, their visit and their follow-up.
        seen(change(
            vol1,
            n.resident_b,
            8,
            RecordBody::Resident(ResidentPatch {
                assigned_volunteers: Some([vol1.user].into_iter().collect()),
                ..ResidentPatch::default()
            }),
        )),
        seen(change(
            vol1,
            n.resident_b,
            9,
            RecordBody::Resident(ResidentPatch {
                note: Some("書き換え".into()),
                ..ResidentPatch::default()
            }),
        )),
        change(vol1, n.visit_b, 10, visit(n.resident_b, vol1.user, "")),
        change(vol1, id(21), 11, visit(n.resident_b, vol1.user, "")),
        seen(change(
            vol1,
            n.follow_up_b,
            12,
            RecordBody::FollowUp(FollowUpPatch {
                done: Some(true),
                ..FollowUpPatch::default()
            }),
        )),
        // The district's contacts and its directory.
        seen(change(
            vol1,
            district_info_id(DistrictId(1)),
            13,
            RecordBody::DistrictInfo(DistrictInfoPatch {
                sc_phone: Some("090-0000-0000".into()),
                ..DistrictInfoPatch::default()
            }),
        )),
        seen(change(
            vol1,
            n.entry,
            14,
            RecordBody::Resource(ResourcePatch {
                phone: Some("090-0000-0000".into()),
                ..ResourcePatch::default()
            }),
        )),
    ];
    let got = outcomes(&n.app, vol1, &attempts).await;
    for (n, outcome) in got.iter().enumerate() {
        assert_ne!(outcome, "accepted", "attempt {n} was accepted: {got:?}");
    }
    assert_eq!(
        got,
        [
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
            "not_allowed",
        ]
    );
    // Nothing of salon B's people reached the attacker, and B's records are as they were.
    let held = holdings(&n.app, vol1).await;
    let text = serde_json::to_string(&held).unwrap();
    for secret in ["会員 B", "Bさんは足が痛いそう", "乗附 ハナ"] {
        assert!(!text.contains(secret), "{secret} reached vol1");
    }
    for id in [
        n.member_b,
        n.session_b,
        n.resident_b,
        n.visit_b,
        n.follow_up_b,
    ] {
        assert!(!held.iter().any(|(h, _)| *h == id.to_string()));
    }
    let theirs = holdings(&n.app, &n.vol2).await;
    let text = serde_json::to_string(&theirs).unwrap();
    assert!(text.contains("Bさんは足が痛いそう") && text.contains("会員 B"));
    // What stays allowed: the organiser's own salon, its member, its session.
    let own = [
        seen(change(
            vol1,
            n.member_a,
            30,
            RecordBody::SalonMember(MemberPatch {
                kana: Some("かいいん えー".into()),
                ..MemberPatch::default()
            }),
        )),
        change(
            vol1,
            attendance_id(n.salon_a, last_session()),
            31,
            RecordBody::Attendance(AttendancePatch {
                salon_id: Some(n.salon_a),
                date: Some(last_session()),
                present: [(n.member_a, true)].into_iter().collect(),
                ..AttendancePatch::default()
            }),
        ),
    ];
    assert_eq!(outcomes(&n.app, vol1, &own).await, ["accepted", "accepted"]);
}

#[tokio::test]
async fn a_coordinator_of_one_district_cannot_touch_another_districts_records_through_any_kind() {
    let n = Noritsuke::new().await;
    let other = sign_in(&n.app, "sc.kataoka").await;
    // Named in 乗附, refused as another district's; named in 片岡 but hanging from 乗附's
    // records, refused too; under 乗附's ids in 片岡, refused as taken.
    let in_noritsuke = [
        seen(change(
            &other,
            n.salon_b,
            0,
            RecordBody::Salon(SalonPatch {
                name: Some("乗っ取り".into()),
                ..SalonPatch::default()
            }),
        )),
        change(&other, id(40), 1, visit(n.resident_b, other.user, "")),
        seen(change(
            &other,
            district_info_id(DistrictId(1)),
            2,
            RecordBody::DistrictInfo(DistrictInfoPatch {
                sc_phone: Some("090-0000-0000".into()),
                ..DistrictInfoPatch::default()
            }),
        )),
    ];
    assert_eq!(
        outcomes(&n.app, &other, &in_noritsuke).await,
        ["wrong_district", "wrong_district", "wrong_district"]
    );
    let in_kataoka = [
        in_district(
            change(
                &other,
                id(41),
                3,
                RecordBody::SalonMember(MemberPatch {
                    salon_id: Some(n.salon_b),
                    name: Some("紛れ込み".into()),
                    ..MemberPatch::default()
                }),
            ),
            2,
        ),
        in_district(
            change(
                &other,
                n.session_b,
                4,
                RecordBody::Attendance(AttendancePatch {
                    salon_id: Some(n.salon_b),
                    date: Some(last_session()),
                    ..AttendancePatch::default()
                }),
            ),
            2,
        ),
        in_district(
            change(
                &other,
                id(42),
                5,
                RecordBody::FollowUp(FollowUpPatch {
                    resident_id: Some(n.resident_b),
                    what: Some("のぞき見".into()),
                    owner: Some(other.user),
                    ..FollowUpPatch::default()
                }),
            ),
            2,
        ),
        in_district(
            change(&other, n.visit_b, 6, visit(n.resident_b, other.user, "")),
            2,
        ),
        in_district(
            seen(change(
                &other,
                n.resident_b,
                7,
                RecordBody::Resident(ResidentPatch {
                    note: Some("書き換え".into()),
                    ..ResidentPatch::default()
                }),
            )),
            2,
        ),
        in_district(
            seen(change(
                &other,
                n.entry,
                8,
                RecordBody::Resource(ResourcePatch {
                    phone: Some("090-0000-0000".into()),
                    ..ResourcePatch::default()
                }),
            )),
            2,
        ),
    ];
    let got = outcomes(&n.app, &other, &in_kataoka).await;
    assert_eq!(
        got,
        [
            // The member names a salon of 乗附: it would live in another district.
            "wrong_district",
            // 乗附's session, its visit, resident and entry: their ids are taken there.
            "id_taken",
            // A follow-up for 乗附's resident, whom 片岡's SC cannot see.
            "invalid",
            "id_taken",
            "id_taken",
            "id_taken",
        ]
    );
    // Salons and the directory are everyone's to read; names and visits are not.
    let held = holdings(&n.app, &other).await;
    let ids: Vec<&String> = held.iter().map(|(id, _)| id).collect();
    assert!(ids.contains(&&n.salon_b.to_string()) && ids.contains(&&n.entry.to_string()));
    for id in [
        n.member_a,
        n.member_b,
        n.session_b,
        n.resident_b,
        n.visit_b,
        n.follow_up_b,
    ] {
        assert!(!ids.contains(&&id.to_string()), "片岡's SC holds {id}");
    }
    // 乗附's own coordinator still may.
    let fine = seen(change(
        &n.sc,
        n.salon_b,
        9,
        RecordBody::Salon(SalonPatch {
            fee: Some("100円".into()),
            ..SalonPatch::default()
        }),
    ));
    assert_eq!(outcomes(&n.app, &n.sc, &[fine]).await, ["accepted"]);
    assert!(holdings(&n.app, &n.vol2).await.len() >= 5);
}
