use std::collections::BTreeMap;

use mimamori_core::kinds::{Content, SalonPatch};
use mimamori_core::salons::{Exception, Repeat, Schedule};

use super::*;

fn d(year: i32, month: u8, day: u8) -> CivilDate {
    CivilDate::new(year, month, day).unwrap()
}

fn t(hour: u8, minute: u8) -> TimeOfDay {
    TimeOfDay::new(hour, minute).unwrap()
}

/// 「いきいきサロン」: every Monday 10:00–12:00, resting on holidays; 11/2 cancelled for the
/// venue, 11/9 moved to Wednesday afternoon upstairs.
fn salon() -> (RecordId, SalonPatch) {
    let mut exceptions = BTreeMap::new();
    exceptions.insert(
        d(2026, 11, 2),
        Some(Exception {
            cancelled: true,
            reason: "会場の都合".into(),
            ..Exception::default()
        }),
    );
    exceptions.insert(
        d(2026, 11, 9),
        Some(Exception {
            date: Some(d(2026, 11, 11)),
            start: Some(t(13, 30)),
            end: Some(t(15, 0)),
            venue: Some("乗附公民館 2階".into()),
            ..Exception::default()
        }),
    );
    // Taken back: as if never set.
    exceptions.insert(d(2026, 11, 16), None);
    let salon = SalonPatch {
        name: Some("いきいきサロン, 乗附; 月曜の会".into()),
        venue: Some("乗附公民館".into()),
        address: Some("高崎市乗附町1234".into()),
        contents: Some(vec![Content::Exercise, Content::Tea]),
        schedule: Some(Schedule {
            repeat: Repeat::Weekly,
            weekdays: vec![1],
            weeks: Vec::new(),
            dates: Vec::new(),
            from: d(2026, 4, 6),
            until: None,
            start: t(10, 0),
            end: t(12, 0),
            skip_holidays: true,
        }),
        fee: Some("100円".into()),
        contact_name: Some("代表 乗附".into()),
        contact_phone: Some("027-000-0000".into()),
        note: Some("持ち物: タオル、飲み物\n動きやすい服で".into()),
        exceptions,
        ..SalonPatch::default()
    };
    (RecordId::new_v7(1_770_000_000_000, [7; 10]), salon)
}

fn feed() -> String {
    salons_calendar(
        "乗附のサロン",
        &[salon()],
        d(2026, 11, 1),
        "20261101T000000Z",
    )
}

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none(), "only one");
    calendar
}

fn value<'a>(properties: &'a [ical::property::Property], name: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

#[test]
fn lines_end_in_crlf_and_fold_within_75_octets() {
    let text = feed();
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
    }
    assert!(!text.replace("\r\n", "").contains('\n'), "no bare newline");
    // Unfolding gives back whole lines, characters intact.
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains("持ち物: タオル、飲み物\\n動きやすい服で"));
}

#[test]
fn a_parser_reads_back_each_session_with_its_status() {
    let calendar = parse(&feed());
    assert_eq!(value(&calendar.properties, "VERSION"), Some("2.0"));
    assert_eq!(calendar.timezones.len(), 1);
    let events: Vec<_> = calendar
        .events
        .iter()
        .map(|e| {
            (
                value(&e.properties, "DTSTART").unwrap().to_owned(),
                value(&e.properties, "STATUS").unwrap().to_owned(),
                value(&e.properties, "SUMMARY").unwrap().to_owned(),
            )
        })
        .collect();
    let november: Vec<_> = events
        .iter()
        .filter(|(start, _, _)| start.starts_with("202611"))
        .collect();
    assert_eq!(november.len(), 5, "{november:#?}");
    assert_eq!(november[0].0, "20261102T100000");
    assert_eq!(november[0].1, "CANCELLED");
    assert!(november[0].2.starts_with("【中止】"));
    assert_eq!(
        november[1].0, "20261111T133000",
        "moved to Wednesday afternoon"
    );
    assert_eq!(november[1].1, "CONFIRMED");
    assert_eq!(
        november[2].0, "20261116T100000",
        "the exception was taken back"
    );
    assert_eq!(november[3].0, "20261123T100000");
    assert_eq!(november[3].1, "CANCELLED", "勤労感謝の日: the salon rests");
    assert!(november[3].2.starts_with("【休み】"));
    assert_eq!(november[4].0, "20261130T100000");
    let moved = &calendar.events[events
        .iter()
        .position(|e| e.0 == "20261111T133000")
        .unwrap()];
    let start = moved
        .properties
        .iter()
        .find(|p| p.name == "DTSTART")
        .unwrap();
    assert_eq!(
        start.params.as_ref().unwrap()[0],
        ("TZID".to_owned(), vec!["Asia/Tokyo".to_owned()])
    );
    assert_eq!(
        value(&moved.properties, "LOCATION"),
        Some("乗附公民館 2階 高崎市乗附町1234")
    );
    // Escaped text reads back as written.
    assert_eq!(november[0].2, "【中止】いきいきサロン\\, 乗附\\; 月曜の会");
}

#[test]
fn uids_are_stable_and_unique() {
    let first = parse(&feed());
    let again = parse(&salons_calendar(
        "乗附のサロン",
        &[salon()],
        d(2026, 11, 1),
        "20261102T090000Z",
    ));
    let uids = |c: &ical::parser::ical::component::IcalCalendar| -> Vec<String> {
        c.events
            .iter()
            .map(|e| value(&e.properties, "UID").unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        uids(&first),
        uids(&again),
        "the same sessions, the same UIDs"
    );
    let mut distinct = uids(&first);
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), first.events.len());
    // The moved session keeps the UID of its scheduled date: calendars move it in place.
    assert!(uids(&first)
        .iter()
        .any(|u| u.ends_with("-20261109@mimamori")));
}

#[test]
fn an_ended_salon_or_one_without_a_schedule_has_no_events() {
    let (id, mut ended) = salon();
    ended.active = Some(false);
    let calendar = parse(&salons_calendar(
        "x",
        &[(id, ended)],
        d(2026, 11, 1),
        "20261101T000000Z",
    ));
    assert!(calendar.events.is_empty());
}

#[test]
fn an_extra_session_is_published_and_no_session_ends_before_it_starts() {
    let (id, mut salon) = salon();
    // 臨時開催 on a Thursday, in the afternoon.
    salon.exceptions.insert(
        d(2026, 11, 19),
        Some(Exception {
            extra: true,
            start: Some(t(13, 0)),
            end: Some(t(14, 30)),
            reason: "臨時開催".into(),
            ..Exception::default()
        }),
    );
    // Stored before the rule that refuses it: moved by its start alone past its end.
    salon.exceptions.insert(
        d(2026, 11, 30),
        Some(Exception {
            start: Some(t(13, 0)),
            ..Exception::default()
        }),
    );
    let text = salons_calendar("乗附", &[(id, salon)], d(2026, 11, 1), "20261101T000000Z");
    let calendar = parse(&text);
    let event = |start: &str| {
        calendar
            .events
            .iter()
            .find(|e| value(&e.properties, "DTSTART") == Some(start))
            .unwrap_or_else(|| panic!("an event at {start}"))
    };
    let extra = event("20261119T130000");
    assert_eq!(value(&extra.properties, "DTEND"), Some("20261119T143000"));
    assert_eq!(value(&extra.properties, "STATUS"), Some("CONFIRMED"));
    assert!(value(&extra.properties, "SUMMARY")
        .unwrap()
        .ends_with("（臨時開催）"));
    let broken = event("20261130T130000");
    assert_eq!(
        value(&broken.properties, "DTEND"),
        None,
        "published with its start alone, never an end before it"
    );
    for event in &calendar.events {
        let start = value(&event.properties, "DTSTART").unwrap();
        if let Some(end) = value(&event.properties, "DTEND") {
            assert!(end > start, "{start} ends at {end}");
        }
    }
}

#[test]
fn a_line_separator_in_stored_text_cannot_forge_a_property() {
    let (id, mut salon) = salon();
    salon.note = Some("雪の日は\u{2028}DTEND:19700101T000000\u{2029}休み".into());
    let text = salons_calendar("乗附", &[(id, salon)], d(2026, 11, 1), "20261101T000000Z");
    assert!(!text.contains('\u{2028}') && !text.contains('\u{2029}'));
    assert!(text
        .replace("\r\n ", "")
        .contains("雪の日は\\nDTEND:19700101T000000\\n休み"));
    let calendar = parse(&text);
    for event in &calendar.events {
        let ends: Vec<_> = event
            .properties
            .iter()
            .filter(|p| p.name == "DTEND")
            .collect();
        assert!(ends.len() <= 1);
        assert_ne!(value(&event.properties, "DTEND"), Some("19700101T000000"));
    }
}
