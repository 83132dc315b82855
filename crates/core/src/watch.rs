//! The 見守り screens' logic that needs no browser: which residents a list shows and in what
//! order, and a visit as the history says it. The app reads records as typed states
//! (`kinds::State`) and hands them here.

use crate::calendar::{say_day_and_time, CivilDate};
use crate::kinds::{State, VisitBody};
use crate::record::{Body, RecordId};
use crate::sync_status::LocalMinute;

/// A resident as a list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentRow {
    pub id: RecordId,
    pub name: String,
    /// ふりがな, for sorting as people look names up; empty when not given.
    pub kana: String,
}

/// The row of a live resident (`None` for a deleted one, or another kind).
pub fn resident_row(id: RecordId, state: &State) -> Option<ResidentRow> {
    if state.is_deleted() {
        return None;
    }
    match state.current()? {
        Body::Resident(patch) => Some(ResidentRow {
            id,
            name: patch.name.unwrap_or_default(),
            kana: patch.kana.unwrap_or_default(),
        }),
        _ => None,
    }
}

/// In the order of the 五十音 where a reading is known (the name's own order otherwise).
pub fn sort_residents(rows: &mut [ResidentRow]) {
    rows.sort_by(|a, b| {
        let key = |r: &ResidentRow| {
            if r.kana.is_empty() {
                r.name.clone()
            } else {
                r.kana.clone()
            }
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
}

/// One visit in a resident's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitLine {
    pub id: RecordId,
    pub visited_at_ms: i64,
    /// 「今日 10:05 元気 お元気でした」
    pub text: String,
}

/// The visit of a live record (`None` for a deleted one, or another kind).
pub fn visit_of(state: &State) -> Option<VisitBody> {
    if state.is_deleted() {
        return None;
    }
    match state.current()? {
        Body::Visit(visit) => Some(visit),
        _ => None,
    }
}

/// A resident's visits, newest first, as people say them. `minute_at` reads a time on the
/// phone's own clock.
pub fn visit_history(
    visits: impl IntoIterator<Item = (RecordId, VisitBody)>,
    minute_at: impl Fn(i64) -> LocalMinute,
    today: CivilDate,
) -> Vec<VisitLine> {
    let mut lines: Vec<VisitLine> = visits
        .into_iter()
        .map(|(id, visit)| {
            let at = minute_at(visit.visited_at_ms);
            let when = say_day_and_time(at.date, at.hour, at.minute, today);
            let text = format!("{when} {} {}", visit.outcome.label_ja(), visit.note)
                .trim()
                .to_owned();
            VisitLine {
                id,
                visited_at_ms: visit.visited_at_ms,
                text,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.visited_at_ms
            .cmp(&a.visited_at_ms)
            .then_with(|| b.id.cmp(&a.id))
    });
    lines
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::hlc::Hlc;
    use crate::kinds::{Outcome, ResidentPatch, VisitMethod};
    use crate::record::{Change, DeviceId, DistrictId, UserId};

    fn state_of(body: Body, deleted: bool) -> State {
        let change = Change {
            id: RecordId::new_v7(1, [1; 10]),
            district_id: Some(DistrictId(1)),
            author: UserId(1),
            device: DeviceId(1),
            stamp: Hlc {
                wall_ms: 5,
                counter: 0,
                node: 1,
            },
            base: None,
            deleted,
            body,
        };
        State::apply(None, &change).unwrap().0
    }

    fn resident(name: &str, kana: Option<&str>) -> State {
        state_of(
            Body::Resident(ResidentPatch {
                name: Some(name.into()),
                kana: kana.map(str::to_owned),
                ..ResidentPatch::default()
            }),
            false,
        )
    }

    #[test]
    fn residents_are_listed_by_their_reading_and_deleted_ones_not_at_all() {
        let id = |n: u8| RecordId::new_v7(1, [n; 10]);
        let mut rows: Vec<ResidentRow> = [
            (id(1), resident("渡辺 一郎", Some("わたなべ いちろう"))),
            (id(2), resident("青木 花", Some("あおき はな"))),
            (id(3), resident("佐藤 清", None)),
        ]
        .iter()
        .filter_map(|(id, state)| resident_row(*id, state))
        .collect();
        sort_residents(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["青木 花", "渡辺 一郎", "佐藤 清"]);
        let gone = state_of(Body::Resident(ResidentPatch::default()), true);
        assert_eq!(resident_row(id(4), &gone), None);
    }

    #[test]
    fn a_visit_history_says_when_and_how_newest_first() {
        let visit = |at: i64, outcome: Outcome, note: &str| VisitBody {
            resident_id: RecordId::new_v7(1, [1; 10]),
            visited_at_ms: at,
            visitors: vec![UserId(1)],
            method: VisitMethod::Met,
            outcome,
            signs: BTreeSet::new(),
            needs: BTreeSet::new(),
            actions: BTreeSet::new(),
            referred_resources: vec![],
            follow_up: None,
            note: note.into(),
        };
        let today = CivilDate::new(2026, 11, 25).unwrap();
        let minute_at = |ms: i64| LocalMinute {
            date: if ms > 100 {
                today
            } else {
                CivilDate::new(2026, 11, 24).unwrap()
            },
            hour: 10,
            minute: 5,
        };
        let lines = visit_history(
            [
                (
                    RecordId::new_v7(1, [2; 10]),
                    visit(50, Outcome::Worrying, ""),
                ),
                (
                    RecordId::new_v7(1, [3; 10]),
                    visit(500, Outcome::Fine, "お元気でした"),
                ),
            ],
            minute_at,
            today,
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts.len(), 2);
        assert!(
            texts[0].starts_with("今日") && texts[0].ends_with("元気 お元気でした"),
            "{texts:?}"
        );
        assert!(
            texts[1].starts_with("昨日") && texts[1].ends_with("気になる"),
            "{texts:?}"
        );
    }
}
