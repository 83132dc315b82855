//! The rules of 居場所・サロン (domain.md, Job 2): when a salon meets ([`schedule`]), which days
//! are public holidays ([`holidays`]), the month's figures for the 協議体 meeting
//! ([`figures`]) and the members whose absences suggest a 見守り visit ([`absences`]).
//! The records themselves are kinds (`kinds::salon`, `salon_member`, `attendance`).

pub mod absences;
pub mod figures;
pub mod holidays;
pub mod schedule;

pub use absences::{absentees, Absentee, MemberSince};
pub use figures::{month_figures, Average, MonthFigures};
pub use holidays::Holidays;
pub use schedule::{
    session_on, sessions, Exception, Repeat, Schedule, ScheduleProblem, Session, SessionStatus,
    TimeOfDay, CANCEL_REASONS_JA,
};

use std::collections::BTreeSet;

use crate::calendar::CivilDate;
use crate::record::RecordId;

/// The numbers counted at the door beside the members' ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// 当日参加: people who came without being registered members.
    #[serde(default)]
    pub walk_ins: u16,
    /// 見学: visitors who came to look.
    #[serde(default)]
    pub visitors: u16,
    /// 担い手: the helpers running it.
    #[serde(default)]
    pub helpers: u16,
    /// 初参加: of those who took part (members and walk-ins), how many for the first time.
    #[serde(default)]
    pub first_timers: u16,
}

impl Counts {
    /// The counts of two organisers counting the same door: each number the larger of the
    /// two (see ARCHITECTURE.md: two people at one door count the same people, so adding
    /// would count them twice; the larger count is the one who saw more).
    pub fn joined(self, other: Self) -> Self {
        Self {
            walk_ins: self.walk_ins.max(other.walk_ins),
            visitors: self.visitors.max(other.visitors),
            helpers: self.helpers.max(other.helpers),
            first_timers: self.first_timers.max(other.first_timers),
        }
    }
}

/// One session's attendance as merged: the input of the month's figures and of absences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The session's scheduled date (what identifies it).
    pub scheduled: CivilDate,
    /// The date it took place.
    pub date: CivilDate,
    /// The registered members ticked present.
    pub present: BTreeSet<RecordId>,
    pub counts: Counts,
}
