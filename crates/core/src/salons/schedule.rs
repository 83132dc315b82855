//! When a salon meets: a rule (毎週火曜, 隔週, 第2木曜, 第1・第3水曜, 最終金曜, or a list of
//! dates), the option to rest on public holidays, and exceptions for single dates (中止 with a
//! reason, or moved to another date, time or venue). [`sessions`] turns them into the dated
//! sessions a volunteer sees, the iCalendar feed publishes and attendance is taken for.
//!
//! Dates are civil dates in Japan's local time; the arithmetic is `calendar`'s.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::{days_in_month, CivilDate};
use crate::vocab::labelled_enum;

/// A time of day, stored as `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(Self { hour, minute })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{:02}", self.hour, self.minute)
    }
}

impl std::str::FromStr for TimeOfDay {
    type Err = &'static str;

    /// `H:MM` or `HH:MM` (what a time input gives), a time that exists.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (hour, minute) = s.split_once(':').ok_or("expected a time as HH:MM")?;
        let number = |t: &str| {
            (!t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u8>().ok())
                .flatten()
        };
        match (number(hour), number(minute)) {
            (Some(hour), Some(minute)) => Self::new(hour, minute).ok_or("no such time"),
            _ => Err("expected a time as HH:MM"),
        }
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{:02}:{:02}", self.hour, self.minute))
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

labelled_enum! {
    /// How a salon's dates repeat.
    Repeat {
        Weekly => "weekly", "毎週";
        EveryOtherWeek => "biweekly", "隔週";
        NthWeekday => "monthly", "毎月（第何週）";
        LastWeekday => "last", "毎月（最終週）";
        Dates => "dates", "日付を指定";
    }
}

const WEEKDAYS_JA: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];
const DAY_NAMES_JA: [&str; 7] = ["日曜", "月曜", "火曜", "水曜", "木曜", "金曜", "土曜"];

/// When a salon meets, as a rule. One flat shape for every kind of rule (a tagged enum
/// would cost the app a buffering deserializer); [`Schedule::problems`] says which fields
/// each kind needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub repeat: Repeat,
    /// The weekdays it meets on (0 = Sunday … 6 = Saturday), for every kind but `dates`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<u8>,
    /// Which weeks of the month (1–5), for `monthly`: 第1・第3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weeks: Vec<u8>,
    /// The dates themselves, for `dates`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<CivilDate>,
    /// The first day it may meet. Every other week counts from the week of this date
    /// (weeks begin on Monday).
    pub from: CivilDate,
    /// The last day it may meet, if it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<CivilDate>,
    pub start: TimeOfDay,
    pub end: TimeOfDay,
    /// Rests on Japanese public holidays (and substitute holidays).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_holidays: bool,
}

/// What is wrong with a schedule, each with the field it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleProblem {
    NoWeekday,
    BadWeekday,
    NoWeek,
    BadWeek,
    NoDates,
    TooManyDates,
    EndsBeforeStart,
    UntilBeforeFrom,
    TooEarly,
}

/// The most dates a `dates` rule lists (two years of weekly dates).
pub const MAX_DATES: usize = 104;

impl Schedule {
    /// Whether `date` is one of the rule's dates (before holidays and exceptions).
    pub fn matches(&self, date: CivilDate) -> bool {
        if date < self.from || self.until.is_some_and(|until| date > until) {
            return false;
        }
        let weekday = date.weekday();
        let on_weekday = self.weekdays.contains(&weekday);
        match self.repeat {
            Repeat::Weekly => on_weekday,
            Repeat::EveryOtherWeek => {
                let weeks = (monday_of(date) - monday_of(self.from)) / 7;
                on_weekday && weeks % 2 == 0
            }
            Repeat::NthWeekday => on_weekday && self.weeks.contains(&(((date.day - 1) / 7) + 1)),
            Repeat::LastWeekday => {
                on_weekday && date.day + 7 > days_in_month(date.year, date.month)
            }
            Repeat::Dates => self.dates.contains(&date),
        }
    }

    /// The rule's dates from `from` to `to` (both included), in order.
    pub fn dates_between(&self, from: CivilDate, to: CivilDate) -> Vec<CivilDate> {
        if self.repeat == Repeat::Dates {
            let mut dates: Vec<CivilDate> = self
                .dates
                .iter()
                .copied()
                .filter(|d| (from..=to).contains(d) && self.matches(*d))
                .collect();
            crate::order::sort_by_key(&mut dates, |x| *x);
            dates.dedup();
            return dates;
        }
        let first = from.max(self.from).days_since_epoch();
        let last = self
            .until
            .map_or(to, |until| until.min(to))
            .days_since_epoch();
        (first..=last)
            .map(CivilDate::from_days_since_epoch)
            .filter(|d| self.matches(*d))
            .collect()
    }

    /// Everything wrong with the rule (nothing: it can be saved).
    pub fn problems(&self) -> Vec<(&'static str, ScheduleProblem)> {
        let mut problems = Vec::new();
        let needs_weekday = self.repeat != Repeat::Dates;
        if needs_weekday && self.weekdays.is_empty() {
            problems.push(("weekdays", ScheduleProblem::NoWeekday));
        }
        let mut weekdays = self.weekdays.clone();
        crate::order::sort_by_key(&mut weekdays, |x| *x);
        weekdays.dedup();
        if weekdays.len() != self.weekdays.len() || self.weekdays.iter().any(|d| *d > 6) {
            problems.push(("weekdays", ScheduleProblem::BadWeekday));
        }
        if self.repeat == Repeat::NthWeekday && self.weeks.is_empty() {
            problems.push(("weeks", ScheduleProblem::NoWeek));
        }
        let mut weeks = self.weeks.clone();
        crate::order::sort_by_key(&mut weeks, |x| *x);
        weeks.dedup();
        if weeks.len() != self.weeks.len() || self.weeks.iter().any(|w| !(1..=5).contains(w)) {
            problems.push(("weeks", ScheduleProblem::BadWeek));
        }
        if self.repeat == Repeat::Dates && self.dates.is_empty() {
            problems.push(("dates", ScheduleProblem::NoDates));
        }
        if self.dates.len() > MAX_DATES {
            problems.push(("dates", ScheduleProblem::TooManyDates));
        }
        if self.end <= self.start {
            problems.push(("end", ScheduleProblem::EndsBeforeStart));
        }
        if self.until.is_some_and(|until| until < self.from) {
            problems.push(("until", ScheduleProblem::UntilBeforeFrom));
        }
        if self.from.year < 2000 || self.dates.iter().any(|d| d.year < 2000) {
            problems.push(("from", ScheduleProblem::TooEarly));
        }
        problems
    }

    /// The rule as people say it: 「毎週 火・金曜 10:00〜12:00（祝日は休み）」.
    pub fn describe_ja(&self) -> String {
        let days = |weekdays: &[u8]| {
            let mut sorted: Vec<u8> = weekdays.iter().copied().filter(|d| *d < 7).collect();
            crate::order::sort_by_key(&mut sorted, |d| (d + 6) % 7);
            match sorted.as_slice() {
                [one] => DAY_NAMES_JA[usize::from(*one)].to_owned(),
                many => {
                    let names: Vec<&str> =
                        many.iter().map(|d| WEEKDAYS_JA[usize::from(*d)]).collect();
                    format!("{}曜", names.join("・"))
                }
            }
        };
        let when = match self.repeat {
            Repeat::Weekly => format!("毎週 {}", days(&self.weekdays)),
            Repeat::EveryOtherWeek => format!("隔週 {}", days(&self.weekdays)),
            Repeat::NthWeekday => {
                let mut weeks = self.weeks.clone();
                crate::order::sort_by_key(&mut weeks, |x| *x);
                let weeks: Vec<String> = weeks.iter().map(|w| format!("第{w}")).collect();
                format!("毎月 {}{}", weeks.join("・"), days(&self.weekdays))
            }
            Repeat::LastWeekday => format!("毎月 最終{}", days(&self.weekdays)),
            Repeat::Dates => {
                let mut dates = self.dates.clone();
                crate::order::sort_by_key(&mut dates, |x| *x);
                let shown: Vec<String> = dates
                    .iter()
                    .take(4)
                    .map(|d| format!("{}/{}", d.month, d.day))
                    .collect();
                let more = if dates.len() > 4 { "…" } else { "" };
                format!("{}{more}", shown.join("・"))
            }
        };
        let rest = if self.skip_holidays {
            "（祝日は休み）"
        } else {
            ""
        };
        format!("{when} {}〜{}{rest}", self.start, self.end)
    }
}

/// Days since the epoch of the Monday on or before `date`.
fn monday_of(date: CivilDate) -> i64 {
    date.days_since_epoch() - i64::from((date.weekday() + 6) % 7)
}

/// One date's exception: cancelled (with why), or moved to another date, time or venue.
/// An exception that neither cancels nor moves holds the session as the rule says, even on
/// a holiday the salon otherwise rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
    /// Why (暑さ, 雪, 会場の都合…): said beside 中止 or the change.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Moved to this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CivilDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<TimeOfDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<TimeOfDay>,
    /// Held elsewhere this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// 臨時開催: a session on a date the rule does not give, kept under that date, at the
    /// rule's times and venue unless `start`, `end` or `venue` say otherwise. On a date the
    /// rule gives, it is that date's ordinary session.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extra: bool,
}

impl Exception {
    pub fn moves(&self) -> bool {
        !self.cancelled
            && (self.date.is_some()
                || self.start.is_some()
                || self.end.is_some()
                || self.venue.is_some())
    }

    /// The times it sets, the rule's where it sets none: a session moved by its start
    /// alone must still end after it starts.
    pub fn times(&self, schedule: &Schedule) -> (TimeOfDay, TimeOfDay) {
        (
            self.start.unwrap_or(schedule.start),
            self.end.unwrap_or(schedule.end),
        )
    }
}

/// Reasons offered for a cancellation (the form also takes free text).
pub const CANCEL_REASONS_JA: &[&str] = &["暑さ", "雪", "台風・大雨", "会場の都合", "感染症"];

/// What becomes of a scheduled date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStatus {
    Held,
    /// Held at another date, time or venue ([`Session`] says where and when).
    Moved,
    /// 臨時開催: an extra session on a date the rule does not give.
    Extra,
    /// 中止, with why ("" when not said).
    Cancelled(String),
    /// A public holiday the salon rests on, with the holiday's name.
    HolidayOff(String),
}

/// One dated session of a salon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The date the rule gave: what identifies the session (its attendance, its exception).
    pub scheduled: CivilDate,
    /// The date it happens (the scheduled one unless moved).
    pub date: CivilDate,
    pub start: TimeOfDay,
    pub end: TimeOfDay,
    /// Another venue this time, if moved there.
    pub venue: Option<String>,
    pub status: SessionStatus,
    /// Why it was moved, if said.
    pub reason: String,
}

impl Session {
    /// Held (where it said, or where it moved to).
    pub fn takes_place(&self) -> bool {
        matches!(
            self.status,
            SessionStatus::Held | SessionStatus::Moved | SessionStatus::Extra
        )
    }
}

/// The sessions whose date falls from `from` to `to` (both included), in date and time
/// order, one per scheduled date: the rule's dates, holidays rested on (named, through
/// `holiday`), the exceptions applied (a session moved into the range from a date outside
/// it is included; one moved out of it is not), and extra sessions (臨時開催). Other
/// exceptions on dates the rule does not give are ignored.
pub fn sessions(
    schedule: &Schedule,
    exceptions: &BTreeMap<CivilDate, Exception>,
    holiday: &dyn Fn(CivilDate) -> Option<String>,
    from: CivilDate,
    to: CivilDate,
) -> Vec<Session> {
    let mut scheduled = schedule.dates_between(from, to);
    for (date, exception) in exceptions {
        // Sessions moved here from dates outside the range.
        let moved_in = exception.date.is_some_and(|d| (from..=to).contains(&d));
        if moved_in && exception.moves() && !(from..=to).contains(date) && schedule.matches(*date) {
            scheduled.push(*date);
        }
        if exception.extra && (from..=to).contains(date) && !schedule.matches(*date) {
            scheduled.push(*date);
        }
    }
    let mut out: Vec<Session> = scheduled
        .into_iter()
        .filter_map(|date| session_on(schedule, exceptions, holiday, date))
        .filter(|session| (from..=to).contains(&session.date))
        .collect();
    crate::order::sort_by_key(&mut out, |s| (s.date, s.start, s.scheduled));
    out
}

/// The session the salon holds under the scheduled date `date` (a date the rule gives, or
/// an extra session's), whatever became of it (moved, 中止, a holiday rested on); `None`:
/// the schedule holds no session under that date.
pub fn session_on(
    schedule: &Schedule,
    exceptions: &BTreeMap<CivilDate, Exception>,
    holiday: &dyn Fn(CivilDate) -> Option<String>,
    date: CivilDate,
) -> Option<Session> {
    let exception = exceptions.get(&date);
    let ruled = schedule.matches(date);
    let extra = !ruled && exception.is_some_and(|e| e.extra && !e.cancelled);
    if !ruled && !extra {
        return None;
    }
    let mut session = Session {
        scheduled: date,
        date,
        start: schedule.start,
        end: schedule.end,
        venue: None,
        status: SessionStatus::Held,
        reason: String::new(),
    };
    match exception {
        Some(exception) if extra => {
            (session.start, session.end) = exception.times(schedule);
            session.venue = exception.venue.clone();
            session.status = SessionStatus::Extra;
            session.reason = exception.reason.clone();
        }
        Some(exception) if exception.cancelled => {
            session.status = SessionStatus::Cancelled(exception.reason.clone());
        }
        Some(exception) if exception.moves() => {
            session.date = exception.date.unwrap_or(date);
            (session.start, session.end) = exception.times(schedule);
            session.venue = exception.venue.clone();
            session.status = SessionStatus::Moved;
            session.reason = exception.reason.clone();
        }
        Some(_) => {}
        None if schedule.skip_holidays => {
            if let Some(name) = holiday(date) {
                session.status = SessionStatus::HolidayOff(name);
            }
        }
        None => {}
    }
    Some(session)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
