//! Dates as people say them (ux.md): 「今日」「昨日」「7月4日(火)」, and 和暦 years for reports.
//!
//! Civil-date arithmetic is done here by hand (Howard Hinnant's `days_from_civil`) rather than
//! with a date crate: it is thirty lines, has no time-zone rules to get wrong, and keeps the
//! wasm small. Callers pass dates already in the user's local time.

use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

const WEEKDAYS_JA: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];

impl CivilDate {
    /// A date, or `None` when the month or day does not exist (e.g. 2023-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// 0 = Sunday … 6 = Saturday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (4).
        (self.days_since_epoch() + 4).rem_euclid(7) as u8
    }

    pub fn weekday_ja(self) -> &'static str {
        WEEKDAYS_JA[usize::from(self.weekday())]
    }

    pub fn add_days(self, days: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

impl fmt::Display for CivilDate {
    /// ISO 8601, the form stored and exchanged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for CivilDate {
    type Err = &'static str;

    /// `YYYY-MM-DD`, a date that exists.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err("expected a date as YYYY-MM-DD");
        }
        let number = |range: std::ops::Range<usize>| s[range].parse().unwrap_or(0);
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        let month = u8::try_from(month).unwrap_or(0);
        let day = u8::try_from(day).unwrap_or(0);
        Self::new(year, month, day).ok_or("no such date")
    }
}

impl serde::Serialize for CivilDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CivilDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// How a day is said relative to today: 「今日」「明日」「昨日」, else 「7月4日(火)」,
/// with the year in front when it is not this year (「2023年7月4日(火)」).
pub fn say_day(date: CivilDate, today: CivilDate) -> String {
    match date.days_since_epoch() - today.days_since_epoch() {
        0 => "今日".to_owned(),
        1 => "明日".to_owned(),
        -1 => "昨日".to_owned(),
        _ if date.year == today.year => {
            format!("{}月{}日({})", date.month, date.day, date.weekday_ja())
        }
        _ => format!(
            "{}年{}月{}日({})",
            date.year,
            date.month,
            date.day,
            date.weekday_ja()
        ),
    }
}

/// 「今日 10:05」: a day as [`say_day`] says it, then the time on a 24-hour clock.
pub fn say_day_and_time(date: CivilDate, hour: u8, minute: u8, today: CivilDate) -> String {
    format!("{} {hour}:{minute:02}", say_day(date, today))
}

/// A Japanese era and the year within it, e.g. 令和 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EraYear {
    pub era: &'static str,
    pub year: i32,
}

impl fmt::Display for EraYear {
    /// 「令和7年」, with 元年 for the first year as reports write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year == 1 {
            write!(f, "{}元年", self.era)
        } else {
            write!(f, "{}{}年", self.era, self.year)
        }
    }
}

/// The 和暦 year of a date, for the eras a living resident's records can fall in.
/// Returns `None` before 明治 (1868-10-23 in the Gregorian calendar as used here).
pub fn era_year(date: CivilDate) -> Option<EraYear> {
    // (era, first day) newest first; the era starts on that day.
    const ERAS: [(&str, CivilDate); 5] = [
        (
            "令和",
            CivilDate {
                year: 2019,
                month: 5,
                day: 1,
            },
        ),
        (
            "平成",
            CivilDate {
                year: 1989,
                month: 1,
                day: 8,
            },
        ),
        (
            "昭和",
            CivilDate {
                year: 1926,
                month: 12,
                day: 25,
            },
        ),
        (
            "大正",
            CivilDate {
                year: 1912,
                month: 7,
                day: 30,
            },
        ),
        (
            "明治",
            CivilDate {
                year: 1868,
                month: 10,
                day: 23,
            },
        ),
    ];
    ERAS.iter()
        .find(|(_, start)| date >= *start)
        .map(|(era, start)| EraYear {
            era,
            year: date.year - start.year + 1,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> CivilDate {
        CivilDate::new(y, m, day).unwrap()
    }

    #[test]
    fn the_newsletters_meeting_was_on_a_tuesday() {
        // 令和5年7月4日（火）10:00～12:00, 佐野公民館.
        let meeting = d(2023, 7, 4);
        assert_eq!(meeting.weekday_ja(), "火");
        assert_eq!(era_year(meeting).unwrap().to_string(), "令和5年");
    }

    #[test]
    fn days_are_said_relative_to_today() {
        let today = d(2026, 11, 25);
        assert_eq!(say_day(today, today), "今日");
        assert_eq!(say_day(d(2026, 11, 26), today), "明日");
        assert_eq!(say_day(d(2026, 11, 24), today), "昨日");
        assert_eq!(say_day(d(2026, 7, 4), today), "7月4日(土)");
        assert_eq!(say_day(d(2023, 7, 4), today), "2023年7月4日(火)");
        assert_eq!(say_day_and_time(today, 9, 5, today), "今日 9:05");
    }

    #[test]
    fn yesterday_crosses_a_year_boundary() {
        assert_eq!(say_day(d(2025, 12, 31), d(2026, 1, 1)), "昨日");
    }

    #[test]
    fn era_boundaries_and_gannen() {
        assert_eq!(era_year(d(2019, 4, 30)).unwrap().to_string(), "平成31年");
        assert_eq!(era_year(d(2019, 5, 1)).unwrap().to_string(), "令和元年");
        assert_eq!(era_year(d(1989, 1, 7)).unwrap().to_string(), "昭和64年");
        assert_eq!(era_year(d(2026, 11, 25)).unwrap().to_string(), "令和8年");
        assert_eq!(era_year(d(1800, 1, 1)), None);
    }

    #[test]
    fn dates_travel_as_iso_text_and_impossible_ones_are_refused() {
        assert_eq!(
            serde_json::to_string(&d(2023, 7, 4)).unwrap(),
            "\"2023-07-04\""
        );
        assert_eq!("2024-02-29".parse::<CivilDate>().unwrap(), d(2024, 2, 29));
        for bad in ["2023-02-29", "2023-7-4", "２０２３-07-04", "2023/07/04", ""] {
            assert!(bad.parse::<CivilDate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(CivilDate::new(2023, 2, 29).is_none());
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(2024, 13, 1).is_none());
        assert!(CivilDate::new(2024, 4, 31).is_none());
        assert!(CivilDate::new(2024, 4, 0).is_none());
    }

    fn any_date() -> impl Strategy<Value = CivilDate> {
        (1800i32..2300, 1u8..=12, 1u8..=31)
            .prop_filter_map("a real date", |(y, m, day)| CivilDate::new(y, m, day))
    }

    proptest! {
        #[test]
        fn day_numbers_round_trip(date in any_date()) {
            prop_assert_eq!(CivilDate::from_days_since_epoch(date.days_since_epoch()), date);
        }

        #[test]
        fn consecutive_days_are_one_apart_and_weekdays_cycle(date in any_date()) {
            let next = date.add_days(1);
            prop_assert!(next > date);
            prop_assert_eq!(next.days_since_epoch() - date.days_since_epoch(), 1);
            prop_assert_eq!(next.weekday(), (date.weekday() + 1) % 7);
            prop_assert!(CivilDate::new(next.year, next.month, next.day).is_some());
        }
    }
}
