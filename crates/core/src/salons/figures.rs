//! A salon's month in numbers, for the 協議体 meeting (domain.md, Reports): 開催回数,
//! 延べ参加者数, 実人数, the average per session, 担い手延べ人数 and first-timers.
//!
//! Who counts: a participant is a registered member ticked present or a walk-in
//! (当日参加). 見学 and 担い手 are counted apart, not as participants. Walk-ins are not
//! named, so 実人数 counts each session's walk-ins as different people: it is the
//! distinct members who came plus every walk-in, and never more than 延べ.

use std::collections::BTreeSet;
use std::fmt;

use super::Taken;
use crate::record::RecordId;

/// A salon's figures for one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthFigures {
    /// 開催回数: sessions that took place with attendance taken.
    pub sessions: u32,
    /// 延べ参加者数: participants summed over the sessions.
    pub attendances: u32,
    /// 実人数: distinct participants (see the module documentation).
    pub people: u32,
    /// 担い手延べ人数.
    pub helpers: u32,
    /// 初参加.
    pub first_timers: u32,
    /// 見学.
    pub visitors: u32,
}

impl MonthFigures {
    /// Participants per session, kept as the exact fraction (`None` with no session).
    pub fn average(&self) -> Option<Average> {
        (self.sessions > 0).then_some(Average {
            total: self.attendances,
            sessions: self.sessions,
        })
    }
}

/// An exact average: `total / sessions`, shown to one decimal rounded half up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Average {
    pub total: u32,
    pub sessions: u32,
}

impl Average {
    /// The average in tenths, rounded half up (12.25 → 123).
    pub fn tenths(self) -> u64 {
        (u64::from(self.total) * 20 + u64::from(self.sessions)) / (2 * u64::from(self.sessions))
    }
}

impl fmt::Display for Average {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenths = self.tenths();
        write!(f, "{}.{}", tenths / 10, tenths % 10)
    }
}

/// The figures of the sessions that took place in `year`-`month` (by the date they took
/// place) among `taken`.
pub fn month_figures(taken: &[Taken], year: i32, month: u8) -> MonthFigures {
    let mut figures = MonthFigures::default();
    let mut members: BTreeSet<RecordId> = BTreeSet::new();
    let mut walk_ins = 0u32;
    for session in taken
        .iter()
        .filter(|t| t.date.year == year && t.date.month == month)
    {
        let came = session.present.len() as u32 + u32::from(session.counts.walk_ins);
        figures.sessions += 1;
        figures.attendances += came;
        figures.helpers += u32::from(session.counts.helpers);
        figures.visitors += u32::from(session.counts.visitors);
        // More first-timers than participants is a typing slip: never count more.
        figures.first_timers += u32::from(session.counts.first_timers).min(came);
        walk_ins += u32::from(session.counts.walk_ins);
        members.extend(session.present.iter().copied());
    }
    figures.people = members.len() as u32 + walk_ins;
    figures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CivilDate;
    use crate::salons::Counts;
    use proptest::prelude::*;

    fn member(n: u8) -> RecordId {
        RecordId::new_v7(1, [n; 10])
    }

    fn taken(day: u8, present: &[u8], walk_ins: u16, helpers: u16) -> Taken {
        let date = CivilDate::new(2026, 12, day).unwrap();
        Taken {
            scheduled: date,
            date,
            present: present.iter().map(|n| member(*n)).collect(),
            counts: Counts {
                walk_ins,
                helpers,
                ..Counts::default()
            },
        }
    }

    #[test]
    fn a_month_of_three_sessions() {
        let month = [
            taken(1, &[1, 2, 3], 2, 3),
            taken(8, &[1, 2], 0, 2),
            taken(15, &[1, 4], 1, 3),
            // Another month: not counted.
            Taken {
                date: CivilDate::new(2027, 1, 5).unwrap(),
                ..taken(22, &[5], 4, 1)
            },
        ];
        let figures = month_figures(&month, 2026, 12);
        assert_eq!(figures.sessions, 3);
        assert_eq!(figures.attendances, 5 + 2 + 3);
        assert_eq!(figures.people, 4 + 3, "members 1–4 and three walk-ins");
        assert_eq!(figures.helpers, 8);
        let average = figures.average().unwrap();
        assert_eq!(average.to_string(), "3.3");
        assert_eq!(month_figures(&month, 2026, 11).average(), None);
    }

    #[test]
    fn averages_round_half_up_to_one_decimal() {
        let at = |total, sessions| Average { total, sessions }.to_string();
        assert_eq!(at(49, 4), "12.3"); // 12.25
        assert_eq!(at(10, 4), "2.5");
        assert_eq!(at(2, 3), "0.7");
        assert_eq!(at(0, 2), "0.0");
    }

    fn any_taken() -> impl Strategy<Value = Taken> {
        (
            1u8..=31,
            proptest::collection::btree_set(0u8..12, 0..8),
            0u16..6,
            0u16..4,
            0u16..9,
        )
            .prop_map(|(day, present, walk_ins, helpers, first)| {
                let date = CivilDate::new(2026, 12, day).unwrap();
                Taken {
                    scheduled: date,
                    date,
                    present: present.into_iter().map(member).collect(),
                    counts: Counts {
                        walk_ins,
                        helpers,
                        first_timers: first,
                        visitors: 1,
                    },
                }
            })
    }

    proptest! {
        #[test]
        fn people_never_exceed_attendances_and_the_average_is_exact(
            month in proptest::collection::vec(any_taken(), 0..10)
        ) {
            let figures = month_figures(&month, 2026, 12);
            prop_assert!(figures.people <= figures.attendances);
            prop_assert!(figures.first_timers <= figures.attendances);
            prop_assert_eq!(figures.sessions as usize, month.len());
            prop_assert_eq!(figures.visitors as usize, month.len());
            let participants: u32 = month
                .iter()
                .map(|t| t.present.len() as u32 + u32::from(t.counts.walk_ins))
                .sum();
            prop_assert_eq!(figures.attendances, participants);
            if let Some(average) = figures.average() {
                prop_assert_eq!(u64::from(average.total), u64::from(figures.attendances));
                // The tenths shown are within half a tenth of the exact average.
                let exact_times_20 = u64::from(average.total) * 20;
                let shown_times_20 = average.tenths() * 2 * u64::from(average.sessions);
                prop_assert!(shown_times_20.abs_diff(exact_times_20) <= u64::from(average.sessions));
            }
        }
    }
}
