use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::kinds::{Need, ResidentPatch, VisitMethod, VisitPlan};

fn date(y: i32, m: u8, d: u8) -> CivilDate {
    CivilDate::new(y, m, d).unwrap()
}

fn id(n: u8) -> RecordId {
    RecordId::new_v7(1_764_000_000_000, [n; 10])
}

fn resident(n: u8, name: &str, kana: &str, interval: u16, registered: CivilDate) -> Resident {
    Resident {
        id: id(n),
        name: name.into(),
        kana: kana.into(),
        status: WatchStatus::Active,
        interval_days: interval,
        registered: Some(registered),
        assigned: [UserId(1)].into_iter().collect(),
        patch: ResidentPatch::default(),
    }
}

fn last(on: CivilDate, outcome: Outcome) -> LastVisit {
    LastVisit {
        date: on,
        outcome,
        next_visit: None,
    }
}

fn any_date() -> impl Strategy<Value = CivilDate> {
    // 1999 to 2040: leap years, century rules (2000), every month end.
    (0i64..15_000).prop_map(|d| CivilDate::from_days_since_epoch(10_500 + d))
}

proptest! {
    #[test]
    fn the_due_date_is_the_interval_after_the_last_visit_across_month_ends_and_leap_years(
        visited in any_date(),
        interval in 1u16..=365,
        today_offset in 0i64..400,
    ) {
        let today = visited.add_days(today_offset);
        let due = due_date(interval, None, Some(last(visited, Outcome::Fine)), today);
        prop_assert_eq!(due.days_since_epoch() - visited.days_since_epoch(), i64::from(interval));
        prop_assert!(CivilDate::new(due.year, due.month, due.day).is_some(), "a real date");
        let overdue = Standing::of(due, today).is_overdue();
        prop_assert_eq!(overdue, today_offset > i64::from(interval));
    }

    #[test]
    fn someone_visited_today_is_never_overdue(today in any_date(), interval in 1u16..=365) {
        let due = due_date(interval, Some(today.add_days(-900)), Some(last(today, Outcome::Fine)), today);
        prop_assert!(!Standing::of(due, today).is_overdue());
    }

    #[test]
    fn the_list_puts_the_most_overdue_first_then_the_next_due(
        people in proptest::collection::vec((1u16..60, 0i64..120, any::<bool>()), 1..30),
        today in any_date(),
    ) {
        let residents: Vec<Resident> = people
            .iter()
            .enumerate()
            .map(|(n, (interval, _, _))| resident(n as u8, &format!("住民{n}"), "", *interval, today.add_days(-200)))
            .collect();
        let latest: BTreeMap<RecordId, LastVisit> = people
            .iter()
            .enumerate()
            .filter(|(_, (_, _, visited))| *visited)
            .map(|(n, (_, ago, _))| (id(n as u8), last(today.add_days(-ago), Outcome::Fine)))
            .collect();
        let rows = watch_list(&residents, &latest, today);
        prop_assert_eq!(rows.len(), residents.len());
        for pair in rows.windows(2) {
            prop_assert!(pair[0].due <= pair[1].due);
            // Every overdue row comes before every row not yet due.
            prop_assert!(pair[0].standing.is_overdue() || !pair[1].standing.is_overdue());
        }
    }
}

#[test]
fn a_resident_never_visited_is_due_from_their_registration_and_a_planned_date_wins() {
    let today = date(2026, 11, 25);
    assert_eq!(
        due_date(30, Some(date(2026, 11, 1)), None, today),
        date(2026, 11, 1)
    );
    assert_eq!(due_date(30, None, None, today), today);
    let planned = LastVisit {
        next_visit: Some(date(2026, 11, 28)),
        ..last(date(2026, 11, 20), Outcome::Worrying)
    };
    assert_eq!(due_date(30, None, Some(planned), today), date(2026, 11, 28));
    // Leap day plus thirty days is the end of March.
    assert_eq!(
        due_date(
            30,
            None,
            Some(last(date(2028, 2, 29), Outcome::Fine)),
            today
        ),
        date(2028, 3, 30)
    );
}

#[test]
fn the_list_says_the_last_visit_as_people_do_and_shows_only_those_being_visited() {
    let today = date(2026, 11, 25);
    let mut paused = resident(3, "休止 中", "きゅうし", 30, date(2026, 1, 1));
    paused.status = WatchStatus::Paused;
    let residents = vec![
        resident(1, "青木 花", "あおき はな", 30, date(2026, 10, 1)),
        resident(2, "渡辺 一郎", "わたなべ", 14, date(2026, 10, 1)),
        paused,
    ];
    let latest: BTreeMap<RecordId, LastVisit> = [
        (id(1), last(date(2026, 11, 22), Outcome::Fine)),
        (id(2), last(date(2026, 11, 1), Outcome::Worrying)),
    ]
    .into_iter()
    .collect();
    let rows = watch_list(&residents, &latest, today);
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["渡辺 一郎", "青木 花"],
        "the overdue one first; the paused one not at all"
    );
    assert_eq!(rows[0].last_visit, "24日前・気になる");
    assert_eq!(rows[0].standing, Standing::Overdue { days: 10 });
    assert_eq!(rows[0].standing.text(), "未訪問・10日過ぎています");
    assert_eq!(rows[1].last_visit, "3日前・元気");
    assert_eq!(rows[1].standing.text(), "次の訪問まで あと27日");
    assert_eq!(last_visit_text(None, today), "まだ訪問していません");
    assert_eq!(days_ago(date(2026, 11, 24), today), "昨日");
    assert_eq!(
        days_ago(date(2026, 9, 1), today),
        "85日前",
        "counted in days like the recent ones, not a date among counts"
    );
    assert_eq!(days_ago(date(2025, 11, 20), today), "2025年11月20日(木)");
    assert_eq!(rows[0].last_outcome, Some(Outcome::Worrying));
}

fn visit(resident: RecordId, at_ms: i64, outcome: Outcome, needs: &[Need]) -> VisitBody {
    VisitBody {
        resident_id: resident,
        visited_at_ms: at_ms,
        visitors: vec![UserId(1)],
        method: VisitMethod::Met,
        outcome,
        signs: BTreeSet::new(),
        needs: needs.iter().copied().collect(),
        actions: BTreeSet::new(),
        referred_resources: vec![],
        resources_note: String::new(),
        follow_up: None,
        note: String::new(),
    }
}

const DAY_MS: i64 = 86_400_000;

fn minute_at(ms: i64) -> LocalMinute {
    LocalMinute {
        date: CivilDate::from_days_since_epoch(ms.div_euclid(DAY_MS)),
        hour: 10,
        minute: 5,
    }
}

#[test]
fn the_latest_visit_of_each_resident_is_found_and_its_plan_kept() {
    let today = date(2026, 11, 25);
    let at = |d: CivilDate| d.days_since_epoch() * DAY_MS + 3_600_000;
    let mut planned = visit(id(1), at(date(2026, 11, 20)), Outcome::Worrying, &[]);
    planned.follow_up = Some(VisitPlan {
        next_visit: Some(date(2026, 11, 27)),
        by: None,
        done: false,
    });
    let older = visit(id(1), at(date(2026, 11, 1)), Outcome::Fine, &[]);
    let other = visit(id(2), at(today), Outcome::Fine, &[]);
    let latest = latest_visits([&older, &planned, &other], minute_at);
    assert_eq!(latest[&id(1)].next_visit, Some(date(2026, 11, 27)));
    assert_eq!(latest[&id(1)].outcome, Outcome::Worrying);
    assert_eq!(latest[&id(2)].date, today);
}

#[test]
fn needs_at_a_glance_count_the_latest_visits_most_often_first() {
    let r = id(1);
    let visits = [
        visit(r, 3, Outcome::Fine, &[Need::Shopping, Need::Rubbish]),
        visit(r, 2, Outcome::Fine, &[Need::Shopping]),
        visit(r, 1, Outcome::Fine, &[Need::Company]),
    ];
    let refs: Vec<&VisitBody> = visits.iter().collect();
    assert_eq!(
        needs_at_a_glance(&refs, 2),
        vec![(Need::Shopping, 2), (Need::Rubbish, 1)]
    );
}

#[test]
fn open_follow_ups_are_the_owners_overdue_and_soonest_first() {
    let today = date(2026, 11, 25);
    let row = |n: u8, due: Option<CivilDate>, owner: u8, done: bool| FollowUpRow {
        id: id(n),
        resident_id: Some(id(100)),
        what: format!("やること{n}"),
        due,
        owner: Some(UserId(i64::from(owner))),
        done,
        base: None,
    };
    let rows = vec![
        row(1, Some(date(2026, 11, 30)), 1, false),
        row(2, None, 1, false),
        row(3, Some(date(2026, 11, 20)), 1, false),
        row(4, Some(date(2026, 11, 10)), 1, true),
        row(5, Some(date(2026, 11, 1)), 2, false),
    ];
    let mine: Vec<RecordId> = open_follow_ups(&rows, Some(UserId(1)))
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(mine, [id(3), id(1), id(2)]);
    assert_eq!(open_follow_ups(&rows, None).len(), 4);
    assert_eq!(rows[2].due_text(today).unwrap(), "期限を5日過ぎています");
    assert_eq!(rows[0].due_text(today).unwrap(), "11月30日(月)まで");
    assert_eq!(rows[1].due_text(today), None);
}

#[test]
fn recent_concerns_are_the_worrying_visits_of_the_last_days_the_most_urgent_first() {
    let today = date(2026, 11, 25);
    let at = |d: CivilDate| d.days_since_epoch() * DAY_MS + 3_600_000;
    let visits = [
        visit(id(1), at(date(2026, 11, 24)), Outcome::MustReport, &[]),
        visit(id(1), at(date(2026, 11, 25)), Outcome::Fine, &[]),
        visit(id(2), at(date(2026, 11, 12)), Outcome::Emergency, &[]),
        visit(id(2), at(date(2026, 11, 11)), Outcome::Worrying, &[]),
        visit(id(3), at(date(2026, 11, 20)), Outcome::Worrying, &[]),
    ];
    let found = recent_concerns(
        visits.iter().enumerate().map(|(n, v)| (id(n as u8), v)),
        minute_at,
        today,
        14,
    );
    let outcomes: Vec<Outcome> = found.iter().map(|(_, v)| v.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Emergency, Outcome::MustReport, Outcome::Worrying],
        "14 days: from the 12th; 緊急 above what is newer"
    );
}

#[test]
fn a_note_that_reads_like_a_diagnosis_gets_a_hint_and_plain_notes_do_not() {
    for (note, word) in [
        ("認知症が進んでいる", "認知症"),
        ("薬を飲み忘れていた", "薬"),
        ("ロキソニン60ＭＧ", "mg"),
        ("がんの治療中", "がん"),
    ] {
        assert_eq!(diagnosis_hint(note), Some(word), "{note}");
    }
    for plain in [
        "お元気でした",
        "体調「気になる」",
        "郵便物がたまっていた",
        "",
    ] {
        assert_eq!(diagnosis_hint(plain), None, "{plain}");
    }
}

#[test]
fn a_visit_saved_again_later_says_it_was_corrected() {
    let today = date(2026, 11, 25);
    let created = 1_764_000_000_000u64;
    let visit_id = RecordId::new_v7(created, [1; 10]);
    let body = visit(id(9), created as i64, Outcome::Fine, &[]);
    let first = visit_line(visit_id, &body, UserId(3), created, minute_at, today);
    assert_eq!(first.corrected, None);
    assert_eq!(first.author, UserId(3));
    assert!(first.text.ends_with(" 元気"), "{}", first.text);
    let urgent = VisitBody {
        note: "郵便物がたまっていた".into(),
        ..visit(id(9), created as i64, Outcome::Emergency, &[])
    };
    let line = visit_line(visit_id, &urgent, UserId(3), created, minute_at, today);
    assert_eq!(line.outcome, Outcome::Emergency);
    assert!(
        !line.text.contains("緊急") && line.text.ends_with(" 10:05 郵便物がたまっていた"),
        "the mark says 緊急, the line only when and what: {}",
        line.text
    );
    let later = visit_line(
        visit_id,
        &body,
        UserId(3),
        created + 3_600_000,
        minute_at,
        today,
    );
    assert!(later.corrected.is_some());
}

#[test]
fn visits_are_counted_by_outcome_within_the_days_asked_for_only() {
    let resident = RecordId::new_v7(1, [1; 10]);
    let day = |d: u8| CivilDate::new(2026, 11, d).unwrap();
    // One visit a day at noon UTC, read as the date itself.
    let at = |d: u8| day(d).days_since_epoch() * 86_400_000 + 43_200_000;
    let visits = [
        visit(resident, at(1), Outcome::Fine, &[]),
        visit(resident, at(10), Outcome::Fine, &[]),
        visit(resident, at(11), Outcome::Worrying, &[]),
        visit(resident, at(30), Outcome::Fine, &[]),
    ];
    let minute = |ms: i64| LocalMinute {
        date: CivilDate::from_days_since_epoch(ms.div_euclid(86_400_000)),
        hour: 12,
        minute: 0,
    };
    let (total, counts) = visits_by_outcome(visits.iter(), minute, day(10), day(29));
    assert_eq!(total, 2);
    assert_eq!(counts, vec![(Outcome::Fine, 1), (Outcome::Worrying, 1)]);
}

#[test]
fn a_salon_member_is_matched_to_residents_by_name_or_reading_however_typed() {
    let nfkc = |t: &str| unicode_normalization::UnicodeNormalization::nfkc(t).collect::<String>();
    let person = |n: u8, name: &str, kana: &str| Resident {
        id: id(n),
        name: name.into(),
        kana: kana.into(),
        status: WatchStatus::Active,
        interval_days: 30,
        registered: None,
        assigned: BTreeSet::new(),
        patch: ResidentPatch::default(),
    };
    let residents = [
        person(1, "青木 トミ", "あおき とみ"),
        person(2, "青木 健", "あおき けん"),
        person(3, "飯塚 ハル", "いいづか はる"),
        person(4, "荒井 正二", "あらい しょうじ"),
    ];
    let names = |typed: &str| -> Vec<String> {
        residents_matching(&residents, typed, &nfkc)
            .into_iter()
            .map(|r| r.name.clone())
            .collect()
    };
    assert_eq!(
        names("青木トミ"),
        ["青木 トミ"],
        "the space between family and given name forgiven"
    );
    assert_eq!(
        names("アオキ　トミ"),
        ["青木 トミ"],
        "by reading, in katakana and a 全角 space"
    );
    assert_eq!(
        names("青木"),
        ["青木 健", "青木 トミ"],
        "every 青木, by reading"
    );
    assert_eq!(names("はる"), ["飯塚 ハル"]);
    assert!(names("").is_empty() && names("  ").is_empty());
    assert!(names("佐藤").is_empty());
}
