//! Salons' schedules as iCalendar (RFC 5545), for families to subscribe to in their phone's
//! calendar. Public information only: what the newsletter prints (name, venue, content,
//! fee, contact), never members.
//!
//! Written here rather than with the `ics` crate: it folds continuation lines to 76
//! octets, past the 75 the RFC asks for, and what we need is a few dozen lines.
//!
//! - Each session is one event whose UID is the salon's id and the scheduled date, so a
//!   calendar that subscribed updates it in place when it is moved or cancelled.
//! - A cancelled date (and a holiday the salon rests on) is an event with
//!   `STATUS:CANCELLED`; a moved one sits at its new date, time and venue.
//! - Times are local to Japan: `TZID=Asia/Tokyo`, defined in the feed (no daylight time).

use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::SalonPatch;
use mimamori_core::record::RecordId;
use mimamori_core::salons::{sessions, Holidays, SessionStatus, TimeOfDay};

/// How far back and ahead a feed reaches: last month for reference, a year ahead to plan.
const DAYS_BACK: i64 = 31;
const DAYS_AHEAD: i64 = 366;

/// The octets a content line may take before it is folded (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// A calendar of `salons` (id and current values), named `name`. `today` is Japan's date;
/// `stamp` the UTC time of writing, `YYYYMMDDTHHMMSSZ`.
pub fn salons_calendar(
    name: &str,
    salons: &[(RecordId, SalonPatch)],
    today: CivilDate,
    stamp: &str,
) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//mimamori//salons//JA");
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    out.property("NAME", &escape(name));
    out.property("X-WR-CALNAME", &escape(name));
    out.line("X-WR-TIMEZONE:Asia/Tokyo");
    // Calendars that honour it look again twice a day (RFC 7986).
    out.line("REFRESH-INTERVAL;VALUE=DURATION:PT12H");
    for line in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Tokyo",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+0900",
        "TZNAME:JST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        out.line(line);
    }
    let holidays = Holidays::default();
    for (id, salon) in salons {
        write_salon(&mut out, *id, salon, today, stamp, &holidays);
    }
    out.line("END:VCALENDAR");
    out.text
}

fn write_salon(
    out: &mut Lines,
    id: RecordId,
    salon: &SalonPatch,
    today: CivilDate,
    stamp: &str,
    holidays: &Holidays,
) {
    let Some(schedule) = &salon.schedule else {
        return;
    };
    if salon.active == Some(false) {
        return;
    }
    let name = salon.name.as_deref().unwrap_or("サロン");
    let exceptions = salon.exceptions_in_force();
    let found = sessions(
        schedule,
        &exceptions,
        &|date| holidays.name(date),
        today.add_days(-DAYS_BACK),
        today.add_days(DAYS_AHEAD),
    );
    let about = description(salon);
    for session in found {
        let (summary, status, why) = match &session.status {
            SessionStatus::Held => (name.to_owned(), "CONFIRMED", String::new()),
            SessionStatus::Extra => (
                format!("{name}（臨時開催）"),
                "CONFIRMED",
                session.reason.clone(),
            ),
            SessionStatus::Moved => (
                format!("{name}（日時・会場の変更）"),
                "CONFIRMED",
                session.reason.clone(),
            ),
            SessionStatus::Cancelled(reason) => {
                (format!("【中止】{name}"), "CANCELLED", reason.clone())
            }
            SessionStatus::HolidayOff(holiday) => (
                format!("【休み】{name}"),
                "CANCELLED",
                format!("{holiday}のため休み"),
            ),
        };
        let venue = session.venue.as_deref().or(salon.venue.as_deref());
        let location: Vec<&str> = venue
            .into_iter()
            .chain(salon.address.as_deref())
            .filter(|s| !s.is_empty())
            .collect();
        let description = [why.as_str(), about.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        out.line("BEGIN:VEVENT");
        out.property(
            "UID",
            &format!("{id}-{}@mimamori", compact(session.scheduled)),
        );
        out.property("DTSTAMP", stamp);
        out.property(
            "DTSTART;TZID=Asia/Tokyo",
            &local(session.date, session.start),
        );
        // Records refuse a session that ends before it starts; one stored before that rule
        // is published with its start alone (RFC 5545: it then ends as it starts), never
        // with an end before its start, which calendar apps reject or misplace.
        if session.end > session.start {
            out.property("DTEND;TZID=Asia/Tokyo", &local(session.date, session.end));
        }
        out.property("SUMMARY", &escape(&summary));
        if !location.is_empty() {
            out.property("LOCATION", &escape(&location.join(" ")));
        }
        if !description.is_empty() {
            out.property("DESCRIPTION", &escape(&description));
        }
        out.property("STATUS", status);
        let changed = !matches!(session.status, SessionStatus::Held);
        out.property("SEQUENCE", if changed { "1" } else { "0" });
        out.line("END:VEVENT");
    }
}

/// What the newsletter says of a salon: content, fee, capacity, whether to apply, whom to
/// call, and its note.
fn description(salon: &SalonPatch) -> String {
    let mut lines = Vec::new();
    if let Some(contents) = salon.contents.as_ref().filter(|c| !c.is_empty()) {
        let labels: Vec<&str> = contents.iter().map(|c| c.label_ja()).collect();
        lines.push(format!("内容: {}", labels.join("・")));
    }
    if let Some(fee) = salon.fee.as_deref().filter(|f| !f.is_empty()) {
        lines.push(format!("参加費: {fee}"));
    }
    if let Some(capacity) = salon.capacity.filter(|c| *c > 0) {
        lines.push(format!("定員: {capacity}人"));
    }
    if salon.apply_first == Some(true) {
        lines.push("申込が必要です".to_owned());
    }
    let contact: Vec<&str> = [
        salon.contact_name.as_deref(),
        salon.contact_phone.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect();
    if !contact.is_empty() {
        lines.push(format!("問い合わせ: {}", contact.join(" ")));
    }
    if let Some(note) = salon.note.as_deref().filter(|n| !n.is_empty()) {
        lines.push(note.to_owned());
    }
    lines.join("\n")
}

fn compact(date: CivilDate) -> String {
    format!("{:04}{:02}{:02}", date.year, date.month, date.day)
}

fn local(date: CivilDate, time: TimeOfDay) -> String {
    format!("{}T{:02}{:02}00", compact(date), time.hour, time.minute)
}

/// TEXT as RFC 5545 §3.3.11 writes it: backslash, semicolon, comma and newline escaped.
/// Control characters, line and paragraph separators and bidirectional marks never reach
/// here (the records refuse them), but text stored before a rule is escaped all the same:
/// a separator becomes an escaped newline (what it means), the rest is dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("\\n"),
            c if mimamori_core::validate::has_forbidden_characters(
                c.encode_utf8(&mut [0; 4]),
                mimamori_core::validate::Lines::One,
            ) => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, CRLF-ended and folded at 75 octets without splitting a character.
#[derive(Default)]
struct Lines {
    text: String,
}

impl Lines {
    fn property(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    fn line(&mut self, line: &str) {
        let mut room = LINE_OCTETS;
        let mut used = 0;
        for c in line.chars() {
            if used + c.len_utf8() > room {
                self.text.push_str("\r\n ");
                // A continuation line starts with the space, which counts.
                room = LINE_OCTETS - 1;
                used = 0;
            }
            self.text.push(c);
            used += c.len_utf8();
        }
        self.text.push_str("\r\n");
    }
}

#[cfg(test)]
#[path = "ical_tests.rs"]
mod tests;
