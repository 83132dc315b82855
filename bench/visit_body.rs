//! A realistic visit for the benchmark pages (`src/bin/bench_*.rs` include this file): short,
//! plain Japanese notes, now and then a sign and a need, about 500 bytes of JSON with its
//! envelope; varied by `n`.

use std::collections::BTreeSet;

use mimamori_core::kinds::{Action, Need, Outcome, VisitBody, VisitMethod, WarningSign};
use mimamori_core::record::{RecordId, UserId};

/// Notes as volunteers write them.
const NOTES: &[&str] = &[
    "お元気そうでした。庭の草取りをされていて、膝が少し痛いとのこと。次回は来週の火曜日に伺います。",
    "不在。新聞が二日分たまっていたので、夕方にもう一度寄って、お隣の方にも声をかけました。",
    "娘さんが来ていて一緒にお話しました。買い物の送迎があると助かるとのことで、サロンの送迎を紹介。",
    "少し元気がなく、食事があまり取れていないそうです。SCさんに相談し、来週一緒に訪問の予定。",
    "電話で安否確認。雨で外に出られず退屈とのこと。サロンの日程をお伝えしたら行ってみたいと。",
];

pub fn visit_body(resident: RecordId, author: UserId, n: usize, at_ms: i64) -> VisitBody {
    let mut signs = BTreeSet::new();
    let mut needs = BTreeSet::new();
    let mut actions = BTreeSet::new();
    if n.is_multiple_of(3) {
        signs.insert(WarningSign::ALL[n % WarningSign::ALL.len()]);
        needs.insert(Need::ALL[n % Need::ALL.len()]);
    }
    actions.insert(Action::ALL[n % 3]);
    VisitBody {
        resident_id: resident,
        visited_at_ms: at_ms,
        visitors: vec![author],
        method: VisitMethod::ALL[n % 3],
        outcome: [
            Outcome::Fine,
            Outcome::Fine,
            Outcome::AwayNothingOdd,
            Outcome::Worrying,
        ][n % 4],
        signs,
        needs,
        actions,
        referred_resources: vec![],
        resources_note: String::new(),
        follow_up: None,
        note: NOTES[n % NOTES.len()].into(),
    }
}
