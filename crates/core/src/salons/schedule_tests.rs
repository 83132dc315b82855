use super::*;
use crate::salons::Holidays;
use proptest::prelude::*;

fn d(year: i32, month: u8, day: u8) -> CivilDate {
    CivilDate::new(year, month, day).unwrap()
}

fn t(hour: u8, minute: u8) -> TimeOfDay {
    TimeOfDay::new(hour, minute).unwrap()
}

fn rule(repeat: Repeat, weekdays: &[u8], weeks: &[u8]) -> Schedule {
    Schedule {
        repeat,
        weekdays: weekdays.to_vec(),
        weeks: weeks.to_vec(),
        dates: Vec::new(),
        from: d(2026, 1, 1),
        until: None,
        start: t(10, 0),
        end: t(12, 0),
        skip_holidays: false,
    }
}

fn no_holidays(_: CivilDate) -> Option<String> {
    None
}

fn dates(schedule: &Schedule, from: CivilDate, to: CivilDate) -> Vec<CivilDate> {
    sessions(schedule, &BTreeMap::new(), &no_holidays, from, to)
        .into_iter()
        .map(|s| s.date)
        .collect()
}

const TUE: u8 = 2;
const WED: u8 = 3;
const THU: u8 = 4;
const FRI: u8 = 5;

#[test]
fn each_kind_of_rule_gives_its_dates() {
    let december = (d(2026, 12, 1), d(2026, 12, 31));
    let weekly = rule(Repeat::Weekly, &[TUE], &[]);
    let days: Vec<u8> = dates(&weekly, december.0, december.1)
        .iter()
        .map(|d| d.day)
        .collect();
    assert_eq!(days, [1, 8, 15, 22, 29]);

    let second_thursday = rule(Repeat::NthWeekday, &[THU], &[2]);
    assert_eq!(
        dates(&second_thursday, december.0, december.1),
        [d(2026, 12, 10)]
    );
    let first_and_third_wednesday = rule(Repeat::NthWeekday, &[WED], &[1, 3]);
    assert_eq!(
        dates(&first_and_third_wednesday, december.0, december.1),
        [d(2026, 12, 2), d(2026, 12, 16)]
    );
    // A fifth Wednesday only in the months that have one.
    let fifth = rule(Repeat::NthWeekday, &[WED], &[5]);
    assert_eq!(dates(&fifth, december.0, december.1), [d(2026, 12, 30)]);
    assert!(dates(&fifth, d(2026, 11, 1), d(2026, 11, 30)).is_empty());

    let last_friday = rule(Repeat::LastWeekday, &[FRI], &[]);
    assert_eq!(
        dates(&last_friday, december.0, december.1),
        [d(2026, 12, 25)]
    );
    // The last Tuesday of February in a leap year is the 29th.
    let last_tuesday = rule(Repeat::LastWeekday, &[TUE], &[]);
    assert_eq!(
        dates(&last_tuesday, d(2028, 2, 1), d(2028, 2, 29)),
        [d(2028, 2, 29)]
    );
    assert_eq!(
        dates(&last_tuesday, d(2027, 2, 1), d(2027, 2, 28)),
        [d(2027, 2, 23)]
    );

    let mut every_other = rule(Repeat::EveryOtherWeek, &[TUE, FRI], &[]);
    every_other.from = d(2026, 12, 1);
    assert_eq!(
        dates(&every_other, d(2026, 11, 1), d(2027, 1, 10)),
        [
            d(2026, 12, 1),
            d(2026, 12, 4),
            d(2026, 12, 15),
            d(2026, 12, 18),
            d(2026, 12, 29),
            d(2027, 1, 1)
        ]
    );

    let mut listed = rule(Repeat::Dates, &[], &[]);
    listed.dates = vec![d(2026, 12, 20), d(2026, 12, 5), d(2027, 3, 1)];
    assert_eq!(
        dates(&listed, december.0, december.1),
        [d(2026, 12, 5), d(2026, 12, 20)]
    );
}

#[test]
fn a_rule_meets_only_between_its_first_and_last_day() {
    let mut weekly = rule(Repeat::Weekly, &[TUE], &[]);
    weekly.from = d(2026, 12, 9);
    weekly.until = Some(d(2026, 12, 22));
    assert_eq!(
        dates(&weekly, d(2026, 12, 1), d(2026, 12, 31)),
        [d(2026, 12, 15), d(2026, 12, 22)]
    );
}

#[test]
fn holidays_are_rested_on_and_named() {
    let mut mondays = rule(Repeat::Weekly, &[1], &[]);
    mondays.skip_holidays = true;
    let holidays = Holidays::default();
    let november = sessions(
        &mondays,
        &BTreeMap::new(),
        &|date| holidays.name(date),
        d(2026, 11, 1),
        d(2026, 11, 30),
    );
    let shown: Vec<(u8, bool)> = november
        .iter()
        .map(|s| (s.date.day, s.takes_place()))
        .collect();
    assert_eq!(
        shown,
        [(2, true), (9, true), (16, true), (23, false), (30, true)]
    );
    assert_eq!(
        november[3].status,
        SessionStatus::HolidayOff("勤労感謝の日".into())
    );
    // Without the option the holiday is an ordinary session.
    mondays.skip_holidays = false;
    assert!(sessions(
        &mondays,
        &BTreeMap::new(),
        &|date| holidays.name(date),
        d(2026, 11, 23),
        d(2026, 11, 23),
    )[0]
    .takes_place());
}

#[test]
fn exceptions_cancel_move_or_hold_a_date() {
    let mut mondays = rule(Repeat::Weekly, &[1], &[]);
    mondays.skip_holidays = true;
    let holidays = Holidays::default();
    let exceptions: BTreeMap<CivilDate, Exception> = [
        (
            d(2026, 11, 2),
            Exception {
                cancelled: true,
                reason: "会場の都合".into(),
                ..Exception::default()
            },
        ),
        // Moved from the 9th to Wednesday the 11th afternoon, elsewhere.
        (
            d(2026, 11, 9),
            Exception {
                date: Some(d(2026, 11, 11)),
                start: Some(t(13, 30)),
                end: Some(t(15, 0)),
                venue: Some("乗附公民館 2階".into()),
                ..Exception::default()
            },
        ),
        // Held on the holiday after all.
        (d(2026, 11, 23), Exception::default()),
        // Moved out of the range asked for.
        (
            d(2026, 11, 30),
            Exception {
                date: Some(d(2026, 12, 1)),
                ..Exception::default()
            },
        ),
        // Not a Monday: ignored.
        (
            d(2026, 11, 18),
            Exception {
                cancelled: true,
                ..Exception::default()
            },
        ),
    ]
    .into_iter()
    .collect();
    let november = sessions(
        &mondays,
        &exceptions,
        &|date| holidays.name(date),
        d(2026, 11, 1),
        d(2026, 11, 30),
    );
    let shown: Vec<(CivilDate, SessionStatus)> = november
        .iter()
        .map(|s| (s.date, s.status.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                d(2026, 11, 2),
                SessionStatus::Cancelled("会場の都合".into())
            ),
            (d(2026, 11, 11), SessionStatus::Moved),
            (d(2026, 11, 16), SessionStatus::Held),
            (d(2026, 11, 23), SessionStatus::Held),
        ]
    );
    assert_eq!(november[1].scheduled, d(2026, 11, 9));
    assert_eq!((november[1].start, november[1].end), (t(13, 30), t(15, 0)));
    assert_eq!(november[1].venue.as_deref(), Some("乗附公民館 2階"));
    // The session moved into December appears there, from a November date.
    let december_first = sessions(
        &mondays,
        &exceptions,
        &|date| holidays.name(date),
        d(2026, 12, 1),
        d(2026, 12, 1),
    );
    assert_eq!(december_first.len(), 1);
    assert_eq!(december_first[0].scheduled, d(2026, 11, 30));
}

#[test]
fn rules_are_said_as_people_say_them() {
    let mut weekly = rule(Repeat::Weekly, &[FRI, TUE], &[]);
    weekly.skip_holidays = true;
    assert_eq!(
        weekly.describe_ja(),
        "毎週 火・金曜 10:00〜12:00（祝日は休み）"
    );
    let mut second = rule(Repeat::NthWeekday, &[THU], &[2]);
    second.start = t(13, 30);
    second.end = t(15, 30);
    assert_eq!(second.describe_ja(), "毎月 第2木曜 13:30〜15:30");
    assert_eq!(
        rule(Repeat::NthWeekday, &[WED], &[3, 1]).describe_ja(),
        "毎月 第1・第3水曜 10:00〜12:00"
    );
    assert_eq!(
        rule(Repeat::LastWeekday, &[FRI], &[]).describe_ja(),
        "毎月 最終金曜 10:00〜12:00"
    );
    assert_eq!(
        rule(Repeat::EveryOtherWeek, &[0], &[]).describe_ja(),
        "隔週 日曜 10:00〜12:00"
    );
}

#[test]
fn rules_that_cannot_meet_are_refused() {
    let problems = |s: &Schedule| -> Vec<ScheduleProblem> {
        s.problems().into_iter().map(|(_, p)| p).collect()
    };
    assert!(problems(&rule(Repeat::Weekly, &[TUE], &[])).is_empty());
    assert_eq!(
        problems(&rule(Repeat::Weekly, &[], &[])),
        [ScheduleProblem::NoWeekday]
    );
    assert_eq!(
        problems(&rule(Repeat::Weekly, &[7], &[])),
        [ScheduleProblem::BadWeekday]
    );
    assert_eq!(
        problems(&rule(Repeat::NthWeekday, &[TUE], &[])),
        [ScheduleProblem::NoWeek]
    );
    assert_eq!(
        problems(&rule(Repeat::NthWeekday, &[TUE], &[6])),
        [ScheduleProblem::BadWeek]
    );
    assert_eq!(
        problems(&rule(Repeat::Dates, &[], &[])),
        [ScheduleProblem::NoDates]
    );
    let mut backwards = rule(Repeat::Weekly, &[TUE], &[]);
    backwards.end = t(9, 0);
    backwards.until = Some(d(2025, 1, 1));
    assert_eq!(
        problems(&backwards),
        [
            ScheduleProblem::EndsBeforeStart,
            ScheduleProblem::UntilBeforeFrom
        ]
    );
}

#[test]
fn times_are_read_and_written_as_hh_mm() {
    assert_eq!("9:05".parse::<TimeOfDay>(), Ok(t(9, 5)));
    assert_eq!("13:30".parse::<TimeOfDay>(), Ok(t(13, 30)));
    assert!("24:00".parse::<TimeOfDay>().is_err());
    assert!("12:60".parse::<TimeOfDay>().is_err());
    assert!("1230".parse::<TimeOfDay>().is_err());
    assert!("+1:00".parse::<TimeOfDay>().is_err());
    assert_eq!(serde_json::to_string(&t(9, 5)).unwrap(), "\"09:05\"");
    let schedule = rule(Repeat::NthWeekday, &[WED], &[1, 3]);
    let json = serde_json::to_value(&schedule).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "repeat": "monthly", "weekdays": [3], "weeks": [1, 3], "from": "2026-01-01",
            "start": "10:00", "end": "12:00"
        })
    );
    assert_eq!(serde_json::from_value::<Schedule>(json).unwrap(), schedule);
}

fn any_date() -> impl Strategy<Value = CivilDate> {
    // 2024–2031: leap years and every month end in between.
    (0i64..(8 * 366)).prop_map(|n| d(2024, 1, 1).add_days(n))
}

fn any_schedule() -> impl Strategy<Value = Schedule> {
    let repeat = prop_oneof![
        Just(Repeat::Weekly),
        Just(Repeat::EveryOtherWeek),
        Just(Repeat::NthWeekday),
        Just(Repeat::LastWeekday),
        Just(Repeat::Dates),
    ];
    (
        repeat,
        proptest::collection::btree_set(0u8..7, 1..4),
        proptest::collection::btree_set(1u8..=5, 1..3),
        proptest::collection::vec(any_date(), 1..20),
        any_date(),
        proptest::option::of(0i64..800),
        any::<bool>(),
    )
        .prop_map(
            |(repeat, weekdays, weeks, dates, from, length, skip)| Schedule {
                repeat,
                weekdays: if repeat == Repeat::Dates {
                    Vec::new()
                } else {
                    weekdays.into_iter().collect()
                },
                weeks: if repeat == Repeat::NthWeekday {
                    weeks.into_iter().collect()
                } else {
                    Vec::new()
                },
                dates: if repeat == Repeat::Dates {
                    dates
                } else {
                    Vec::new()
                },
                from,
                until: length.map(|n| from.add_days(n)),
                start: t(10, 0),
                end: t(11, 30),
                skip_holidays: skip,
            },
        )
}

/// Holidays for the properties: every 1st and 15th, and every day of May 3–5.
fn fake_holiday(date: CivilDate) -> Option<String> {
    (date.day == 1 || date.day == 15 || (date.month == 5 && (3..=5).contains(&date.day)))
        .then(|| "祝日".to_owned())
}

fn any_exceptions() -> impl Strategy<Value = BTreeMap<CivilDate, Exception>> {
    // Each exception cancels, moves, holds a holiday session, or adds an extra session.
    let exception = (any::<bool>(), proptest::option::of(-20i64..20), 0u8..4);
    proptest::collection::btree_map(any_date(), exception, 0..12).prop_map(|raw| {
        raw.into_iter()
            .map(|(date, (cancelled, moved, extra))| {
                let extra = extra == 0 && !cancelled;
                (
                    date,
                    Exception {
                        cancelled,
                        reason: if cancelled {
                            "雪".into()
                        } else {
                            String::new()
                        },
                        date: moved.filter(|_| !extra).map(|n| date.add_days(n)),
                        extra,
                        ..Exception::default()
                    },
                )
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn every_session_satisfies_the_rule_in_order_and_once(
        schedule in any_schedule(),
        exceptions in any_exceptions(),
        from in any_date(),
        span in 0i64..120,
    ) {
        let to = from.add_days(span);
        let found = sessions(&schedule, &exceptions, &fake_holiday, from, to);
        for pair in found.windows(2) {
            prop_assert!((pair[0].date, pair[0].start) <= (pair[1].date, pair[1].start), "ordered");
        }
        let mut scheduled: Vec<CivilDate> = found.iter().map(|s| s.scheduled).collect();
        scheduled.sort_unstable();
        scheduled.dedup();
        prop_assert_eq!(scheduled.len(), found.len(), "one session per scheduled date");
        for session in &found {
            let extra = session.status == SessionStatus::Extra;
            prop_assert!(schedule.matches(session.scheduled) != extra, "{} is a date of the rule, or an extra session", session.scheduled);
            prop_assert!((from..=to).contains(&session.date));
            let exception = exceptions.get(&session.scheduled);
            prop_assert_eq!(
                session_on(&schedule, &exceptions, &fake_holiday, session.scheduled),
                Some(session.clone()),
                "the session of a scheduled date is the same asked alone"
            );
            match &session.status {
                SessionStatus::Extra => {
                    prop_assert!(exception.is_some_and(|e| e.extra && !e.cancelled));
                    prop_assert_eq!(session.date, session.scheduled);
                }
                SessionStatus::Cancelled(reason) => {
                    prop_assert!(exception.is_some_and(|e| e.cancelled));
                    prop_assert_eq!(reason, "雪");
                }
                SessionStatus::Moved => {
                    prop_assert!(exception.is_some_and(|e| e.moves()));
                }
                SessionStatus::HolidayOff(_) => {
                    prop_assert!(schedule.skip_holidays && exception.is_none());
                    prop_assert!(fake_holiday(session.scheduled).is_some());
                }
                SessionStatus::Held => {
                    prop_assert_eq!(session.date, session.scheduled);
                    prop_assert!(
                        !schedule.skip_holidays
                            || fake_holiday(session.date).is_none()
                            || exception.is_some(),
                        "no session on a holiday the salon rests on"
                    );
                }
            }
        }
        // Nothing is lost: every date of the rule in the range is there unless it moved away.
        for date in schedule.dates_between(from, to) {
            let moved_away = exceptions
                .get(&date)
                .is_some_and(|e| e.moves() && e.date.is_some_and(|m| !(from..=to).contains(&m)));
            prop_assert_eq!(found.iter().any(|s| s.scheduled == date), !moved_away);
        }
        // Every extra session in the range is there, and no date outside the rule without one.
        for (date, exception) in &exceptions {
            let extra = exception.extra && !schedule.matches(*date) && (from..=to).contains(date);
            prop_assert_eq!(found.iter().any(|s| s.scheduled == *date && s.status == SessionStatus::Extra), extra);
            if !schedule.matches(*date) && !exception.extra {
                prop_assert!(session_on(&schedule, &exceptions, &fake_holiday, *date).is_none());
            }
        }
    }

    #[test]
    fn each_rule_means_what_it_says(schedule in any_schedule(), from in any_date(), span in 0i64..400) {
        let to = from.add_days(span);
        let dates = schedule.dates_between(from, to);
        let first_monday = schedule.from.days_since_epoch() - i64::from((schedule.from.weekday() + 6) % 7);
        for date in &dates {
            prop_assert!(*date >= schedule.from && schedule.until.is_none_or(|u| *date <= u));
            match schedule.repeat {
                Repeat::Weekly => prop_assert!(schedule.weekdays.contains(&date.weekday())),
                Repeat::EveryOtherWeek => {
                    prop_assert!(schedule.weekdays.contains(&date.weekday()));
                    prop_assert_eq!((date.days_since_epoch() - first_monday).div_euclid(7) % 2, 0);
                }
                Repeat::NthWeekday => {
                    prop_assert!(schedule.weekdays.contains(&date.weekday()));
                    // The nth such weekday: n − 1 of them earlier in the month.
                    let n = (1..date.day).filter(|day| d(date.year, date.month, *day).weekday() == date.weekday()).count() + 1;
                    prop_assert!(schedule.weeks.contains(&(n as u8)));
                }
                Repeat::LastWeekday => {
                    prop_assert!(schedule.weekdays.contains(&date.weekday()));
                    prop_assert_ne!(date.add_days(7).month, date.month, "no later such weekday this month");
                }
                Repeat::Dates => prop_assert!(schedule.dates.contains(date)),
            }
        }
        // And every day that fits is there (weekly rules: the days of the week in range).
        if schedule.repeat == Repeat::Weekly {
            let first = from.max(schedule.from);
            let last = schedule.until.map_or(to, |u| u.min(to));
            let expected = (first.days_since_epoch()..=last.days_since_epoch())
                .map(CivilDate::from_days_since_epoch)
                .filter(|d| schedule.weekdays.contains(&d.weekday()))
                .count();
            prop_assert_eq!(dates.len(), expected);
        }
    }
}
