//! Members whose absences suggest a 見守り visit: absent from the last few sessions of their
//! salon in a row (3 by default, set per salon). Only sessions that took place with
//! attendance taken count: a cancelled session, or one before the member joined, is no
//! absence. Once the SC has acted on a suggestion (arranged a visit, or decided none is
//! needed) the member's `checked_through` date moves past it, and only absences after it
//! count again.

use super::Taken;
use crate::calendar::CivilDate;
use crate::record::RecordId;

/// The default number of absences in a row that suggests a visit.
pub const DEFAULT_ABSENCES: u8 = 3;

/// A member, as far as their absences go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberSince {
    pub member: RecordId,
    /// Sessions before this date are not theirs to miss.
    pub since: CivilDate,
    /// The SC acted on their absences up to this date.
    pub checked_through: Option<CivilDate>,
}

/// A member absent from the last `missed` sessions in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absentee {
    pub member: RecordId,
    pub missed: u32,
    /// The last session they came to, if any.
    pub last_came: Option<CivilDate>,
    /// The latest session they missed: acting on the suggestion checks through it.
    pub last_missed: CivilDate,
}

/// The members absent from at least `threshold` of the latest sessions in `taken` (those
/// that took place) in a row.
pub fn absentees(members: &[MemberSince], taken: &[Taken], threshold: u8) -> Vec<Absentee> {
    let mut sessions: Vec<&Taken> = taken.iter().collect();
    crate::order::sort_by_key(&mut sessions, |t| t.date);
    let threshold = u32::from(threshold.max(1));
    members
        .iter()
        .filter_map(|m| {
            let counted = sessions
                .iter()
                .filter(|t| t.date >= m.since && m.checked_through.is_none_or(|c| t.date > c));
            let mut missed = 0;
            let mut last_missed = None;
            for session in counted.rev() {
                if session.present.contains(&m.member) {
                    break;
                }
                missed += 1;
                last_missed.get_or_insert(session.date);
            }
            let last_came = sessions
                .iter()
                .rev()
                .find(|t| t.present.contains(&m.member))
                .map(|t| t.date);
            (missed >= threshold).then(|| Absentee {
                member: m.member,
                missed,
                last_came,
                last_missed: last_missed.unwrap_or(m.since),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salons::Counts;
    use proptest::prelude::*;

    fn member(n: u8) -> RecordId {
        RecordId::new_v7(1, [n; 10])
    }

    fn day(n: u8) -> CivilDate {
        CivilDate::new(2026, 10, 1)
            .unwrap()
            .add_days(i64::from(n) * 7)
    }

    fn taken(n: u8, present: &[u8]) -> Taken {
        Taken {
            scheduled: day(n),
            date: day(n),
            present: present.iter().map(|m| member(*m)).collect(),
            counts: Counts::default(),
        }
    }

    fn since(n: u8, from: CivilDate) -> MemberSince {
        MemberSince {
            member: member(n),
            since: from,
            checked_through: None,
        }
    }

    #[test]
    fn three_missed_in_a_row_suggest_a_visit() {
        let sessions = [
            taken(0, &[1, 2]),
            taken(1, &[2]),
            taken(2, &[2]),
            taken(3, &[2]),
        ];
        let found = absentees(&[since(1, day(0)), since(2, day(0))], &sessions, 3);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].member, member(1));
        assert_eq!(found[0].missed, 3);
        assert_eq!(found[0].last_came, Some(day(0)));
        assert_eq!(found[0].last_missed, day(3));
        // A salon that waits for four says nothing yet.
        assert!(absentees(&[since(1, day(0))], &sessions, 4).is_empty());
    }

    #[test]
    fn a_session_that_did_not_take_place_is_no_absence() {
        // Week 2 was cancelled: no attendance was taken, so it is not in `taken`.
        let sessions = [taken(0, &[]), taken(1, &[]), taken(3, &[])];
        assert_eq!(absentees(&[since(1, day(0))], &sessions, 3)[0].missed, 3);
        assert!(absentees(&[since(1, day(0))], &sessions[..2], 3).is_empty());
    }

    #[test]
    fn sessions_before_joining_or_already_acted_on_do_not_count() {
        let sessions = [taken(0, &[]), taken(1, &[]), taken(2, &[]), taken(3, &[])];
        assert!(absentees(&[since(1, day(2))], &sessions, 3).is_empty());
        let acted = MemberSince {
            checked_through: Some(day(1)),
            ..since(1, day(0))
        };
        assert!(absentees(&[acted], &sessions, 3).is_empty());
        assert_eq!(absentees(&[acted], &sessions, 2)[0].missed, 2);
    }

    proptest! {
        #[test]
        fn the_count_is_the_run_of_latest_absences(
            attended in proptest::collection::vec(any::<bool>(), 0..12),
            threshold in 1u8..5,
        ) {
            let sessions: Vec<Taken> = attended
                .iter()
                .enumerate()
                .map(|(n, came)| taken(n as u8, if *came { &[1] } else { &[] }))
                .collect();
            let run = attended.iter().rev().take_while(|came| !**came).count() as u32;
            let found = absentees(&[since(1, day(0))], &sessions, threshold);
            prop_assert_eq!(found.first().map(|a| a.missed), (run >= u32::from(threshold)).then_some(run));
            // Coming to one more session always clears the suggestion.
            let mut after = sessions.clone();
            after.push(taken(attended.len() as u8, &[1]));
            prop_assert!(absentees(&[since(1, day(0))], &after, threshold).is_empty());
        }
    }
}
