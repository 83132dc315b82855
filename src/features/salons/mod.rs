//! 居場所・サロン (domain.md, Job 2): 今週・来週 in the user's districts or the whole city
//! (`week`), a salon's page (`salon`), the SC's form for a salon (`edit`), one date's
//! 変更・中止 (`dates`) and 出欠 at the door (`attendance`); `queries` gathers what they
//! read. The rules (schedules, holidays, figures, absences) are the core's `salons`.

#[cfg(feature = "coordinator")]
mod absences;
mod attendance;
mod dates;
#[cfg(feature = "coordinator")]
mod edit;
mod figures;
pub mod queries;
mod salon;
mod week;

#[cfg(feature = "coordinator")]
pub use absences::AbsenceSuggestions;
pub use attendance::AttendancePage;
pub use dates::{ExtraSessionPage, SessionChangePage};
#[cfg(feature = "coordinator")]
pub use edit::SalonEditPage;
pub use figures::SalonFigures;
pub use salon::SalonPage;
pub use week::SalonsPage;
