//! The 見守り job's rules that need no browser: when a resident is due, the order of the
//! watch list (未訪問 first), a visit as people say it, the follow-ups to do, what the
//! coordinator's desk shows, and the gentle hint against writing diagnoses. The app reads
//! records as typed states (`kinds::State`) and hands them here.

use std::collections::{BTreeMap, BTreeSet};

use crate::calendar::{say_day, say_day_and_time, CivilDate};
use crate::kinds::{
    FollowUpPatch, Need, Outcome, ResidentPatch, State, VisitBody, WatchStatus,
    DEFAULT_VISIT_INTERVAL_DAYS,
};
use crate::order;
use crate::record::{Body, RecordId, UserId};
use crate::sync_status::LocalMinute;

/// A resident as the 見守り screens need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub id: RecordId,
    pub name: String,
    /// ふりがな, for sorting as people look names up; empty when not given.
    pub kana: String,
    pub status: WatchStatus,
    pub interval_days: u16,
    /// When consent was given: a resident never visited is due from then.
    pub registered: Option<CivilDate>,
    pub assigned: BTreeSet<UserId>,
    pub patch: ResidentPatch,
}

/// A live resident from its state (`None` for a deleted one, or another kind).
pub fn resident(id: RecordId, state: &State) -> Option<Resident> {
    if state.is_deleted() {
        return None;
    }
    let Body::Resident(patch) = state.current()? else {
        return None;
    };
    Some(Resident {
        id,
        name: patch.name.clone().unwrap_or_default(),
        kana: patch.kana.clone().unwrap_or_default(),
        status: patch
            .status
            .as_ref()
            .map_or(WatchStatus::Active, |s| s.state),
        interval_days: patch
            .visit_interval_days
            .unwrap_or(DEFAULT_VISIT_INTERVAL_DAYS)
            .max(1),
        registered: patch.consent.as_ref().map(|c| c.date),
        assigned: patch.assigned_volunteers.clone().unwrap_or_default(),
        patch,
    })
}

/// A live visit from its state (`None` for a deleted one, or another kind).
pub fn visit_of(state: &State) -> Option<VisitBody> {
    if state.is_deleted() {
        return None;
    }
    match state.current()? {
        Body::Visit(visit) => Some(visit),
        _ => None,
    }
}

/// A resident's most recent visit, as far as the list needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastVisit {
    pub date: CivilDate,
    pub outcome: Outcome,
    /// 次回の予定, when the visitor set one.
    pub next_visit: Option<CivilDate>,
}

/// When a resident should next be seen: the date the last visit planned, else the last
/// visit plus their interval, else (never visited) the day they were registered, else today.
pub fn due_date(
    interval_days: u16,
    registered: Option<CivilDate>,
    last: Option<LastVisit>,
    today: CivilDate,
) -> CivilDate {
    match last {
        Some(last) => last
            .next_visit
            .unwrap_or_else(|| last.date.add_days(i64::from(interval_days.max(1)))),
        None => registered.unwrap_or(today),
    }
}

/// Past due (未訪問) by some days, or due in some days (0: today).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Overdue { days: i64 },
    Due { in_days: i64 },
}

impl Standing {
    pub fn of(due: CivilDate, today: CivilDate) -> Self {
        let late = today.days_since_epoch() - due.days_since_epoch();
        if late > 0 {
            Self::Overdue { days: late }
        } else {
            Self::Due { in_days: -late }
        }
    }

    pub fn is_overdue(self) -> bool {
        matches!(self, Self::Overdue { .. })
    }

    /// 「未訪問・12日過ぎています」「今日が訪問の目安です」「あと5日」
    pub fn text(self) -> String {
        match self {
            Self::Overdue { days } => format!("未訪問・{days}日過ぎています"),
            Self::Due { in_days: 0 } => "今日が訪問の目安です".to_owned(),
            Self::Due { in_days } => format!("次の訪問まで あと{in_days}日"),
        }
    }
}

/// How long ago a day was: 「今日」「昨日」「3日前」, and the date itself past a month.
pub fn days_ago(date: CivilDate, today: CivilDate) -> String {
    let days = today.days_since_epoch() - date.days_since_epoch();
    match days {
        0 => "今日".to_owned(),
        1 => "昨日".to_owned(),
        // One way of saying it down the whole list (a date here and a count there reads
        // as two different things); only what is over a year old is given its date.
        2..=364 => format!("{days}日前"),
        _ => say_day(date, today),
    }
}

/// 「3日前・元気」, or 「まだ訪問していません」.
pub fn last_visit_text(last: Option<LastVisit>, today: CivilDate) -> String {
    match last {
        Some(last) => format!(
            "{}・{}",
            days_ago(last.date, today),
            last.outcome.label_ja()
        ),
        None => "まだ訪問していません".to_owned(),
    }
}

/// One row of the 見守りリスト.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRow {
    pub id: RecordId,
    pub name: String,
    pub kana: String,
    pub due: CivilDate,
    pub standing: Standing,
    pub last_visit: String,
    /// The latest visit's outcome: a 緊急 or 要連絡 is marked on the row.
    pub last_outcome: Option<Outcome>,
    pub unassigned: bool,
}

/// The residents being visited (見守り中), the most overdue first, then by the next due date,
/// then in the order of their reading. `last` gives each one's latest visit.
pub fn watch_list(
    residents: &[Resident],
    last: &BTreeMap<RecordId, LastVisit>,
    today: CivilDate,
) -> Vec<WatchRow> {
    let mut rows: Vec<WatchRow> = residents
        .iter()
        .filter(|r| r.status == WatchStatus::Active)
        .map(|r| {
            let latest = last.get(&r.id).copied();
            let due = due_date(r.interval_days, r.registered, latest, today);
            WatchRow {
                id: r.id,
                name: r.name.clone(),
                kana: r.kana.clone(),
                due,
                standing: Standing::of(due, today),
                last_visit: last_visit_text(latest, today),
                last_outcome: latest.map(|l| l.outcome),
                unassigned: r.assigned.is_empty(),
            }
        })
        .collect();
    order::sort_by(&mut rows, |a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| reading(&a.kana, &a.name).cmp(reading(&b.kana, &b.name)))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

fn reading<'a>(kana: &'a str, name: &'a str) -> &'a str {
    if kana.is_empty() {
        name
    } else {
        kana
    }
}

/// Each resident's latest visit, from every visit this phone holds.
pub fn latest_visits<'a>(
    visits: impl IntoIterator<Item = &'a VisitBody>,
    minute_at: impl Fn(i64) -> LocalMinute,
) -> BTreeMap<RecordId, LastVisit> {
    let mut latest: BTreeMap<RecordId, (i64, LastVisit)> = BTreeMap::new();
    for visit in visits {
        let entry = LastVisit {
            date: minute_at(visit.visited_at_ms).date,
            outcome: visit.outcome,
            next_visit: visit.follow_up.as_ref().and_then(|p| p.next_visit),
        };
        match latest.get(&visit.resident_id) {
            Some((at, _)) if *at >= visit.visited_at_ms => {}
            _ => {
                latest.insert(visit.resident_id, (visit.visited_at_ms, entry));
            }
        }
    }
    latest.into_iter().map(|(id, (_, v))| (id, v)).collect()
}

/// One visit in a resident's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitLine {
    pub id: RecordId,
    pub visited_at_ms: i64,
    /// 「今日 10:05 元気 お元気でした」; 「今日 10:05 郵便物が…」 for a 緊急 (marked apart).
    pub text: String,
    /// Who made it (their user id; the screen puts the name).
    pub author: UserId,
    /// Marked on the line when someone must act (緊急, 要連絡, 気になる).
    pub outcome: Outcome,
    /// When it was last corrected, as people say it (`None`: never corrected).
    pub corrected: Option<String>,
}

/// A visit as its history shows it. `created_ms` is when it was first saved (its id's
/// time) and `changed_ms` when its newest version was: a version saved over a minute
/// later is a correction.
pub fn visit_line(
    id: RecordId,
    visit: &VisitBody,
    author: UserId,
    changed_ms: u64,
    minute_at: impl Fn(i64) -> LocalMinute,
    today: CivilDate,
) -> VisitLine {
    let at = minute_at(visit.visited_at_ms);
    let when = say_day_and_time(at.date, at.hour, at.minute, today);
    // An outcome someone must act on is worn as a mark beside the line (UrgencyMark), so
    // the line does not say it a second time.
    let outcome = if visit.outcome.urgency() > 0 {
        ""
    } else {
        visit.outcome.label_ja()
    };
    let text = format!("{when} {outcome} {}", visit.note)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let created_ms = id.as_uuid().get_timestamp().map_or(0, |t| {
        let (seconds, nanos) = t.to_unix();
        seconds * 1000 + u64::from(nanos) / 1_000_000
    });
    let corrected = (changed_ms > created_ms + 60_000).then(|| {
        let at = minute_at(changed_ms as i64);
        say_day_and_time(at.date, at.hour, at.minute, today)
    });
    VisitLine {
        id,
        visited_at_ms: visit.visited_at_ms,
        text,
        author,
        outcome: visit.outcome,
        corrected,
    }
}

/// Newest first.
pub fn sort_history(lines: &mut Vec<VisitLine>) {
    order::sort_by(lines, history_order);
}

/// The history's order: newest first (the later-made first, for one time).
pub fn history_order(a: &VisitLine, b: &VisitLine) -> std::cmp::Ordering {
    b.visited_at_ms
        .cmp(&a.visited_at_ms)
        .then_with(|| b.id.cmp(&a.id))
}

/// The needs noted over the latest `last` visits, the most often noted first: what a
/// resident's page shows at a glance.
pub fn needs_at_a_glance(visits_newest_first: &[&VisitBody], last: usize) -> Vec<(Need, usize)> {
    let mut counts: BTreeMap<Need, usize> = BTreeMap::new();
    for visit in visits_newest_first.iter().take(last) {
        for need in &visit.needs {
            *counts.entry(*need).or_default() += 1;
        }
    }
    let mut needs: Vec<(Need, usize)> = counts.into_iter().collect();
    order::sort_by(&mut needs, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    needs
}

/// A follow-up as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRow {
    pub id: RecordId,
    pub resident_id: Option<RecordId>,
    pub what: String,
    pub due: Option<CivilDate>,
    pub owner: Option<UserId>,
    pub done: bool,
    /// The newest write seen of it: what a change to it (済みにする) has seen.
    pub base: Option<crate::hlc::Hlc>,
}

impl FollowUpRow {
    /// A live follow-up from its state (`None` for a deleted one, or another kind).
    pub fn from_state(id: RecordId, state: &State) -> Option<Self> {
        if state.is_deleted() {
            return None;
        }
        let Body::FollowUp(patch) = state.current()? else {
            return None;
        };
        Some(Self {
            base: state.newest_stamp(),
            ..Self::from_patch(id, &patch)
        })
    }

    pub fn from_patch(id: RecordId, patch: &FollowUpPatch) -> Self {
        Self {
            id,
            resident_id: patch.resident_id,
            what: patch.what.clone().unwrap_or_default(),
            due: patch.due,
            owner: patch.owner,
            done: patch.done.unwrap_or(false),
            base: None,
        }
    }

    /// 「期限を3日過ぎています」「今日まで」「11月30日(月)まで」, or nothing without a date.
    pub fn due_text(&self, today: CivilDate) -> Option<String> {
        let due = self.due?;
        Some(match Standing::of(due, today) {
            Standing::Overdue { days } => format!("期限を{days}日過ぎています"),
            Standing::Due { in_days: 0 } => "今日まで".to_owned(),
            Standing::Due { .. } => format!("{}まで", say_day(due, today)),
        })
    }
}

/// The open follow-ups (of `owner`, when given): overdue and soonest first, undated last.
pub fn open_follow_ups(rows: &[FollowUpRow], owner: Option<UserId>) -> Vec<FollowUpRow> {
    let mut open: Vec<FollowUpRow> = rows
        .iter()
        .filter(|r| !r.done && owner.is_none_or(|o| r.owner == Some(o)))
        .cloned()
        .collect();
    order::sort_by(&mut open, |a, b| match (a.due, b.due) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    open
}

/// The visits of the last `days` days (today included) that someone should hear about
/// (気になる・要連絡・緊急), the most urgent first and then the newest: the coordinator's
/// desk, where a 緊急 must not wait below a week of 気になる.
pub fn recent_concerns<'a>(
    visits: impl IntoIterator<Item = (RecordId, &'a VisitBody)>,
    minute_at: impl Fn(i64) -> LocalMinute,
    today: CivilDate,
    days: i64,
) -> Vec<(RecordId, &'a VisitBody)> {
    let since = today.days_since_epoch() - (days - 1);
    let mut found: Vec<(RecordId, &VisitBody)> = visits
        .into_iter()
        .filter(|(_, v)| {
            v.outcome.needs_escalation()
                && minute_at(v.visited_at_ms).date.days_since_epoch() >= since
        })
        .collect();
    order::sort_by_key(&mut found, |(_, v)| {
        std::cmp::Reverse((v.outcome.urgency(), v.visited_at_ms))
    });
    found
}

/// How many visits fell on `from..=to` (local dates), and how many of each outcome, in the
/// order outcomes are listed (元気 first): the 記録 tab's figures for the last days.
pub fn visits_by_outcome<'a>(
    visits: impl IntoIterator<Item = &'a VisitBody>,
    minute_at: impl Fn(i64) -> LocalMinute,
    from: CivilDate,
    to: CivilDate,
) -> (usize, Vec<(Outcome, usize)>) {
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut total = 0;
    for visit in visits {
        let day = minute_at(visit.visited_at_ms).date;
        if day >= from && day <= to {
            total += 1;
            *counts.entry(visit.outcome).or_default() += 1;
        }
    }
    let by_outcome = Outcome::ALL
        .iter()
        .filter_map(|o| counts.get(o).map(|n| (*o, *n)))
        .collect();
    (total, by_outcome)
}

/// Words that read like a diagnosis or a medicine (domain.md: 体調「気になる」, not a
/// disease name). A note holding one gets a gentle hint; it is never refused.
const MEDICAL_WORDS: &[&str] = &[
    "認知症",
    "痴呆",
    "がん",
    "癌",
    "ガン",
    "糖尿病",
    "高血圧",
    "脳梗塞",
    "心筋梗塞",
    "うつ病",
    "パーキンソン",
    "透析",
    "インスリン",
    "診断",
    "処方",
    "薬",
    "くすり",
    "クスリ",
    "錠",
    "mg",
    "ミリグラム",
];

/// The first word of a note that looks like a diagnosis or a medicine, if any (全角 letters
/// and capitals are read as the plain ones: 「ＭＧ」 is 「mg」).
pub fn diagnosis_hint(note: &str) -> Option<&'static str> {
    let plain: String = note
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    MEDICAL_WORDS
        .iter()
        .copied()
        .find(|word| plain.contains(word))
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;

/// The residents a salon member may be, best first: those whose name or reading is the
/// member's own (spaces, kana forms and 全角 forgiven), then those whose name or reading
/// holds every word typed. The SC links a member to the 見守り名簿 from a few likely
/// names, never from the district's whole list.
pub fn residents_matching<'a>(
    residents: &'a [Resident],
    typed: &str,
    nfkc: crate::search::Nfkc<'_>,
) -> Vec<&'a Resident> {
    let terms = crate::search::query_terms(typed, nfkc);
    if terms.is_empty() {
        return Vec::new();
    }
    let whole: String = terms.concat();
    let mut found: Vec<(bool, &Resident)> = residents
        .iter()
        .filter_map(|r| {
            let name = crate::search::fold(&r.name, nfkc).replace(' ', "");
            let kana = crate::search::fold(&r.kana, nfkc).replace(' ', "");
            let same = name == whole || (!kana.is_empty() && kana == whole);
            let holds = terms
                .iter()
                .all(|t| name.contains(t.as_str()) || kana.contains(t.as_str()));
            (same || holds).then_some((same, r))
        })
        .collect();
    order::sort_by_key(&mut found, |(same, r)| {
        (!*same, r.kana.clone(), r.name.clone())
    });
    found.into_iter().map(|(_, r)| r).collect()
}
