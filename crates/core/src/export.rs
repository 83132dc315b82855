//! The file of unsent records a volunteer saves before signing out with no signal: a CSV a
//! person (or the SC, in a spreadsheet) can read, with Japanese headings and words, never
//! the codes the sync sends. UTF-8 with a byte-order mark, which is how Excel knows it.

use std::collections::BTreeMap;

use crate::calendar::say_day_and_time;
use crate::record::{Change, RecordId};
use crate::sync_status::LocalMinute;

const HEADINGS: [&str; 5] = ["記録した日時", "種類", "対象の方", "内容", "記録番号"];

/// One CSV field: quoted when it holds a comma, a quote or a line break; a field that a
/// spreadsheet would run as a formula is kept as text by a leading apostrophe. The one rule
/// for every CSV the project writes (the directory's too).
pub(crate) fn field(text: &str) -> String {
    let text = if runs_as_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Whether a spreadsheet could take `text` for a formula: it begins with `=`, `+`, `-` or
/// `@` once the spaces, tabs and line breaks spreadsheets pass over are skipped, or with a
/// tab or carriage return at all (OWASP's list for CSV injection: some readers drop them
/// and then see what follows).
fn runs_as_formula(text: &str) -> bool {
    text.starts_with(['\t', '\r'])
        || text
            .trim_start_matches(['\t', '\r', '\n', ' '])
            .starts_with(['=', '+', '-', '@'])
}

/// The unsent changes, oldest first. `names` gives the residents' names this phone holds
/// (a visit names whom it was for); `minute_at` reads a time on the phone's clock.
pub fn unsent_csv(
    changes: &[Change],
    names: &BTreeMap<RecordId, String>,
    minute_at: impl Fn(i64) -> LocalMinute,
    today: crate::calendar::CivilDate,
) -> String {
    let mut out = String::from("\u{FEFF}");
    out.push_str(&HEADINGS.join(","));
    out.push_str("\r\n");
    for change in changes {
        let at = minute_at(change.stamp.wall_ms as i64);
        let whom = change
            .body
            .parent()
            .map(|(_, parent)| parent)
            .or(Some(change.id))
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default();
        let what = if change.deleted {
            "削除".to_owned()
        } else {
            change.body.describe_ja()
        };
        let row = [
            say_day_and_time(at.date, at.hour, at.minute, today),
            change.body.label_ja().to_owned(),
            whom,
            what,
            change.id.to_string(),
        ];
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CivilDate;
    use crate::hlc::Hlc;
    use crate::kinds::{Outcome, VisitBody, VisitMethod};
    use crate::record::{Body, DeviceId, DistrictId, UserId};

    #[test]
    fn a_visit_reads_in_japanese_and_a_note_cannot_break_the_file_or_run_as_a_formula() {
        let resident = RecordId::new_v7(1_700_000_000_000, [1; 10]);
        let visit = VisitBody {
            resident_id: resident,
            visited_at_ms: 1_700_000_000_000,
            visitors: vec![UserId(2)],
            method: VisitMethod::Met,
            outcome: Outcome::Fine,
            signs: Default::default(),
            needs: Default::default(),
            actions: Default::default(),
            referred_resources: Vec::new(),
            resources_note: String::new(),
            follow_up: None,
            note: "=HYPERLINK(\"x\"), 庭\n2行目".into(),
        };
        let change = Change {
            id: RecordId::new_v7(1_700_000_000_000, [2; 10]),
            district_id: Some(DistrictId(1)),
            author: UserId(2),
            device: DeviceId(3),
            stamp: Hlc {
                wall_ms: 1_700_000_000_000,
                counter: 0,
                node: 3,
            },
            base: None,
            deleted: false,
            body: Body::Visit(visit),
        };
        let names = BTreeMap::from([(resident, "乗附 ハナ".to_owned())]);
        let today = CivilDate::new(2023, 11, 15).unwrap();
        let minute = |_| LocalMinute {
            date: today,
            hour: 10,
            minute: 5,
        };
        let csv = unsent_csv(&[change], &names, minute, today);
        assert!(csv.starts_with("\u{FEFF}記録した日時,種類,対象の方,内容,記録番号\r\n"));
        let row = csv.lines().nth(1).unwrap();
        assert!(
            row.starts_with("今日 10:05,訪問,乗附 ハナ,\"元気・面会「=HYPERLINK(\"\"x\"\"), 庭"),
            "{row}"
        );
        assert!(!csv.contains("fine"), "no codes: {csv}");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("-5"), "'-5");
    }

    #[test]
    fn a_formula_behind_tabs_spaces_or_line_breaks_is_kept_as_text_too() {
        for (cell, written) in [
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "\"'\r=1+1\""),
            (" =cmd|' /C calc'!A0", "' =cmd|' /C calc'!A0"),
            ("  @SUM(A1)", "'  @SUM(A1)"),
            ("\n+1", "\"'\n+1\""),
            (" \t\r\n-1", "\"' \t\r\n-1\""),
            // A tab or CR leading anything: some readers drop it and read on.
            ("\tabc", "'\tabc"),
            ("\rabc", "\"'\rabc\""),
        ] {
            assert_eq!(field(cell), written, "{cell:?}");
        }
        // What a spreadsheet shows as text stays as it was.
        for cell in [
            "",
            "027-321-1319",
            "通院に、",
            " 火曜",
            "\n火曜",
            "1=1",
            "a-b",
        ] {
            assert!(!field(cell).starts_with('\''), "{cell:?}");
        }
    }
}
