//! Japanese public holidays (祝日, 振替休日, 国民の休日), from the `jpholiday` crate, which
//! computes them from the law's rules (equinoxes included) rather than a typed table. Its
//! 0.1 line: the 0.2 line needs a newer rustc than ours.

use jpholiday::chrono::NaiveDate;
use jpholiday::jpholiday::JPHoliday;

use crate::calendar::CivilDate;

/// The holiday rules, built once for a run of questions.
pub struct Holidays(JPHoliday<'static>);

impl Default for Holidays {
    fn default() -> Self {
        Self(JPHoliday::new())
    }
}

impl Holidays {
    /// The holiday's name (「勤労感謝の日」, 「振替休日」…), or `None` on an ordinary day.
    pub fn name(&self, date: CivilDate) -> Option<String> {
        let date = NaiveDate::from_ymd_opt(date.year, date.month.into(), date.day.into())?;
        let name = self.0.is_holiday_name(&date)?;
        // The crate names a substitute holiday after the one it replaces.
        Some(if name.ends_with("振替休日") {
            "振替休日".to_owned()
        } else {
            name
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u8, day: u8) -> CivilDate {
        CivilDate::new(year, month, day).unwrap()
    }

    /// The holidays of 2026–2028 as the Cabinet Office publishes them (内閣府「国民の祝日」):
    /// the oracle, typed here for the test only.
    const PUBLISHED: &[(i32, &[(u8, u8)])] = &[
        (
            2026,
            &[
                (1, 1),
                (1, 12),
                (2, 11),
                (2, 23),
                (3, 20),
                (4, 29),
                (5, 3),
                (5, 4),
                (5, 5),
                (5, 6),
                (7, 20),
                (8, 11),
                (9, 21),
                (9, 22),
                (9, 23),
                (10, 12),
                (11, 3),
                (11, 23),
            ],
        ),
        (
            2027,
            &[
                (1, 1),
                (1, 11),
                (2, 11),
                (2, 23),
                (3, 21),
                (3, 22),
                (4, 29),
                (5, 3),
                (5, 4),
                (5, 5),
                (7, 19),
                (8, 11),
                (9, 20),
                (9, 23),
                (10, 11),
                (11, 3),
                (11, 23),
            ],
        ),
        (
            2028,
            &[
                (1, 1),
                (1, 10),
                (2, 11),
                (2, 23),
                (3, 20),
                (4, 29),
                (5, 3),
                (5, 4),
                (5, 5),
                (7, 17),
                (8, 11),
                (9, 18),
                (9, 22),
                (10, 9),
                (11, 3),
                (11, 23),
            ],
        ),
    ];

    #[test]
    fn every_day_of_2026_to_2028_agrees_with_the_published_holidays() {
        let holidays = Holidays::default();
        for (year, days) in PUBLISHED {
            let mut day = d(*year, 1, 1);
            while day.year == *year {
                let published = days.contains(&(day.month, day.day));
                assert_eq!(holidays.name(day).is_some(), published, "{day}");
                day = day.add_days(1);
            }
        }
    }

    #[test]
    fn holidays_are_named_as_people_say_them() {
        let holidays = Holidays::default();
        assert_eq!(
            holidays.name(d(2026, 11, 23)).as_deref(),
            Some("勤労感謝の日")
        );
        assert_eq!(holidays.name(d(2026, 5, 6)).as_deref(), Some("振替休日"));
        assert_eq!(holidays.name(d(2026, 9, 22)).as_deref(), Some("国民の休日"));
        assert_eq!(holidays.name(d(2026, 11, 24)), None);
    }
}
