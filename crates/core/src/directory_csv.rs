//! The directory as a spreadsheet, for coordinators who keep their lists in Excel: the
//! columns (Japanese headings, Japanese words, never codes), an entry as a row, and a row
//! read back as the fields it sets, with each problem said in Japanese under its column.
//! Reading bytes (UTF-8, Shift_JIS or UTF-16) and splitting CSV are the server's; these
//! rules are pure, so the phone could use them too.

use serde::{Deserialize, Serialize};

use crate::calendar::CivilDate;
use crate::hlc::Hlc;
use crate::kinds::{Category, ResourcePatch};
use crate::record::{Body, Change, DeviceId, DistrictId, RecordId, UserId};
use crate::validate::{validate_change, Context};

/// The columns, in the order an export writes them. An import finds them by heading, in any
/// order; only 名称 and 分類 must be there.
pub const COLUMNS: [&str; 17] = [
    "ID",
    "名称",
    "よみがな",
    "分類",
    "運営主体",
    "住所",
    "とき",
    "対象",
    "定員",
    "費用",
    "申込",
    "電話",
    "送迎",
    "バリアフリー",
    "説明",
    "最終確認日",
    "公開",
];

/// Between categories in a cell (the labels themselves contain ・).
const CATEGORY_SEPARATOR: &str = "、";

/// An entry as a row of [`COLUMNS`].
pub fn export_row(id: RecordId, entry: &ResourcePatch) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let flag = |v: Option<bool>, yes: &str, no: &str| {
        v.map(|v| if v { yes } else { no }.to_owned())
            .unwrap_or_default()
    };
    vec![
        id.to_string(),
        text(&entry.name),
        text(&entry.kana),
        entry
            .categories
            .iter()
            .flatten()
            .map(|c| c.label_ja())
            .collect::<Vec<_>>()
            .join(CATEGORY_SEPARATOR),
        text(&entry.operator),
        text(&entry.address),
        text(&entry.when),
        text(&entry.audience),
        text(&entry.capacity),
        text(&entry.fee),
        flag(entry.apply_first, "必要", "不要"),
        text(&entry.phone),
        flag(entry.pickup, "あり", "なし"),
        flag(entry.barrier_free, "あり", "なし"),
        text(&entry.description),
        entry.checked_on.map(|d| d.to_string()).unwrap_or_default(),
        if entry.public == Some(true) {
            "公開"
        } else {
            "内部"
        }
        .to_owned(),
    ]
}

/// The entries as a CSV file Excel opens as it is: UTF-8 with a byte-order mark, CRLF, a
/// cell a spreadsheet would run as a formula kept as text (`export::field`'s rule).
pub fn export_csv(entries: &[(RecordId, ResourcePatch)]) -> String {
    let mut out = String::from("\u{FEFF}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| crate::export::field(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    out.push_str(&line(COLUMNS.iter().map(|c| (*c).to_owned()).collect()));
    out.push_str("\r\n");
    for (id, entry) in entries {
        out.push_str(&line(export_row(*id, entry)));
        out.push_str("\r\n");
    }
    out
}

/// A problem with one cell (or the headings), said in Japanese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The column's heading (empty for a problem of the whole row).
    pub column: String,
    pub message: String,
}

/// One row read: its number as the spreadsheet shows it (the headings are row 1), the id it
/// names (exported files carry one), and the fields it sets or what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowReading {
    pub row: usize,
    pub id: Option<RecordId>,
    /// The 名称 cell as written (to name a refused row too).
    pub name: String,
    pub entry: Result<ResourcePatch, Vec<CellProblem>>,
}

/// Where each known column is in the file, or what is wrong with the headings.
pub fn read_headings(headings: &[String]) -> Result<Vec<Option<usize>>, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let mut at = vec![None; COLUMNS.len()];
    for (position, heading) in headings.iter().enumerate() {
        // Excel may leave the byte-order mark on the first heading.
        let heading = heading.trim().trim_start_matches('\u{FEFF}');
        if heading.is_empty() {
            continue;
        }
        match COLUMNS.iter().position(|c| *c == heading) {
            Some(column) if at[column].is_some() => problems.push(CellProblem {
                column: heading.to_owned(),
                message: "同じ見出しの列が2つあります。".to_owned(),
            }),
            Some(column) => at[column] = Some(position),
            None => problems.push(CellProblem {
                column: heading.to_owned(),
                message: format!("知らない見出しです。使える見出し：{}", COLUMNS.join("、")),
            }),
        }
    }
    for required in ["名称", "分類"] {
        let column = COLUMNS.iter().position(|c| *c == required).unwrap_or(0);
        if at[column].is_none() {
            problems.push(CellProblem {
                column: required.to_owned(),
                message: format!("「{required}」の列がありません。"),
            });
        }
    }
    if problems.is_empty() {
        Ok(at)
    } else {
        Err(problems)
    }
}

/// Accepts no salon links and checks nothing against stored records: a row stands alone.
struct RowContext {
    now_ms: i64,
}

impl Context for RowContext {
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
    fn visible(&self, _: crate::record::RecordKind, _: RecordId) -> bool {
        false
    }
}

/// Reads data row `row` (its spreadsheet number) with the columns found by
/// [`read_headings`], for an entry of `district` (none: city-wide), as of `now_ms`. The
/// fields are checked by the kind's own rules, each problem put under its column.
pub fn read_row(
    row: usize,
    cells: &[String],
    at: &[Option<usize>],
    district: Option<DistrictId>,
    now_ms: i64,
) -> RowReading {
    let cell = |column: &str| -> String {
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|i| at.get(i).copied().flatten())
            .and_then(|i| cells.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let text = |column: &str| Some(cell(column)).filter(|v| !v.is_empty());
    let mut problems: Vec<CellProblem> = Vec::new();
    let id = match cell("ID") {
        id if id.is_empty() => None,
        id => match id.parse::<RecordId>() {
            Ok(id) => Some(id),
            Err(_) => {
                say(
                    &mut problems,
                    "ID",
                    "書き出したときのIDではありません。新しく加える行は空欄にしてください。"
                        .to_owned(),
                );
                None
            }
        },
    };
    let mut categories = Vec::new();
    for part in cell("分類")
        .split([',', '，', '、', '/', '／', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match Category::ALL
            .iter()
            .find(|c| c.label_ja() == part || c.code() == part)
        {
            Some(c) if !categories.contains(c) => categories.push(*c),
            Some(_) => {}
            None => say(
                &mut problems,
                "分類",
                format!(
                    "「{part}」という分類はありません。使える分類：{}",
                    Category::ALL
                        .iter()
                        .map(|c| c.label_ja())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ),
        }
    }
    let yes_no = |problems: &mut Vec<CellProblem>, column: &str, yes: &[&str], no: &[&str]| {
        let value = cell(column);
        if value.is_empty() {
            None
        } else if yes.contains(&value.as_str()) {
            Some(true)
        } else if no.contains(&value.as_str()) {
            Some(false)
        } else {
            say(
                problems,
                column,
                format!("「{}」か「{}」で書いてください。", yes[0], no[0]),
            );
            None
        }
    };
    let apply_first = yes_no(
        &mut problems,
        "申込",
        &["必要", "要", "あり", "はい"],
        &["不要", "なし", "いいえ"],
    );
    let pickup = yes_no(
        &mut problems,
        "送迎",
        &["あり", "はい"],
        &["なし", "いいえ"],
    );
    let barrier_free = yes_no(
        &mut problems,
        "バリアフリー",
        &["あり", "はい"],
        &["なし", "いいえ"],
    );
    // Left empty, an entry stays internal: nothing reaches the public page by omission.
    let public = yes_no(
        &mut problems,
        "公開",
        &["公開", "はい"],
        &["内部", "いいえ"],
    )
    .or(Some(false));
    let checked_on = match cell("最終確認日") {
        date if date.is_empty() => None,
        date => match read_date(&date) {
            Some(date) => Some(date),
            None => {
                say(
                    &mut problems,
                    "最終確認日",
                    "日付は 2026-11-26 か 2026/11/26 の形で書いてください。".to_owned(),
                );
                None
            }
        },
    };
    let entry = ResourcePatch {
        name: text("名称"),
        kana: text("よみがな"),
        categories: Some(categories),
        operator: text("運営主体"),
        address: text("住所"),
        when: text("とき"),
        audience: text("対象"),
        capacity: text("定員"),
        fee: text("費用"),
        apply_first,
        phone: text("電話").map(|p| crate::kinds::normalize_phone(&p)),
        pickup,
        barrier_free,
        description: text("説明"),
        checked_on,
        public,
        salon_id: None,
    };
    // The kind's own rules, as for a new entry made on a phone.
    let change = Change {
        id: RecordId::new_v7(now_ms.max(0) as u64, [0; 10]),
        district_id: district,
        author: UserId(0),
        device: DeviceId(0),
        stamp: Hlc {
            wall_ms: now_ms.max(0) as u64,
            counter: 0,
            node: 0,
        },
        base: None,
        deleted: false,
        body: Body::Resource(entry.clone()),
    };
    if let Err(fields) = validate_change(&change, &RowContext { now_ms }) {
        for field in fields {
            let column = column_of(&field.field);
            // Categories already said which word is unknown.
            if column == "分類" && problems.iter().any(|p| p.column == "分類") {
                continue;
            }
            problems.push(CellProblem {
                column: column.to_owned(),
                message: field.problem.message_ja(),
            });
        }
    }
    RowReading {
        row,
        id,
        name: cell("名称"),
        entry: if problems.is_empty() {
            Ok(entry)
        } else {
            Err(problems)
        },
    }
}

fn say(problems: &mut Vec<CellProblem>, column: &str, message: String) {
    problems.push(CellProblem {
        column: column.to_owned(),
        message,
    });
}

/// The column a field of the entry is written in.
fn column_of(field: &str) -> &'static str {
    match field {
        "name" => "名称",
        "kana" => "よみがな",
        "categories" => "分類",
        "operator" => "運営主体",
        "address" => "住所",
        "when" => "とき",
        "audience" => "対象",
        "capacity" => "定員",
        "fee" => "費用",
        "phone" => "電話",
        "description" => "説明",
        "checked_on" => "最終確認日",
        _ => "",
    }
}

/// 2026-11-26, 2026/11/26 (as Excel rewrites dates) or 2026年11月26日.
fn read_date(text: &str) -> Option<CivilDate> {
    let parts: Vec<&str> = text
        .split(['-', '/', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y, m, d] => CivilDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        _ => None,
    }
}

/// The fields of `incoming` that differ from `held` (what an update must set); `None` when
/// nothing differs. A text cell left empty clears what was held; an empty yes/no or date
/// cell leaves it as it is.
/// Whether two texts are the same once a round trip through Windows' Shift_JIS (CP932) is
/// forgiven: Excel saving the exported file as Shift_JIS turns 〜 into ～, − into －, ‖ into
/// ∥, ¢ £ ¬ into their full-width forms and — into ―. An entry the user did not touch must
/// not come back as 「更新」.
fn same_through_shift_jis(held: &str, incoming: &str) -> bool {
    let fold = |c: char| match c {
        '\u{301C}' => '\u{FF5E}',
        '\u{2212}' => '\u{FF0D}',
        '\u{2016}' => '\u{2225}',
        '\u{00A2}' => '\u{FFE0}',
        '\u{00A3}' => '\u{FFE1}',
        '\u{00AC}' => '\u{FFE2}',
        '\u{2014}' => '\u{2015}',
        c => c,
    };
    held == incoming || held.chars().map(fold).eq(incoming.chars().map(fold))
}

pub fn changed_fields(held: &ResourcePatch, incoming: &ResourcePatch) -> Option<ResourcePatch> {
    let mut patch = ResourcePatch::default();
    let mut any = false;
    macro_rules! texts {
        ($($field:ident),+) => {
            $(
                let was = held.$field.as_deref().unwrap_or_default();
                let now = incoming.$field.as_deref().unwrap_or_default();
                if !same_through_shift_jis(was, now) {
                    patch.$field = Some(now.to_owned());
                    any = true;
                }
            )+
        };
    }
    macro_rules! values {
        ($($field:ident),+) => {
            $(
                if incoming.$field.is_some() && held.$field != incoming.$field {
                    patch.$field = incoming.$field.clone();
                    any = true;
                }
            )+
        };
    }
    texts!(
        name,
        kana,
        operator,
        address,
        when,
        audience,
        capacity,
        fee,
        phone,
        description
    );
    values!(
        categories,
        apply_first,
        pickup,
        barrier_free,
        checked_on,
        public
    );
    any.then_some(patch)
}

/// What importing a file would do, row by row (`POST /api/v1/resources/import`): nothing is
/// saved by the server; the coordinator's phone saves the rows, all or none, once `ok`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// No problem anywhere: every row can be saved.
    pub ok: bool,
    /// How the file was read: `utf-8`, `shift_jis` or `utf-16`.
    pub encoding: String,
    /// Problems with the headings (then no row is read).
    pub headings: Vec<ImportProblem>,
    pub rows: Vec<ImportRow>,
}

/// A problem in a cell, or with the headings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub column: String,
    pub message: String,
}

impl From<CellProblem> for ImportProblem {
    fn from(p: CellProblem) -> Self {
        Self {
            column: p.column,
            message: p.message,
        }
    }
}

/// What a row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    /// A new entry.
    Create,
    /// Changes an entry already there (named by its ID, or by its name).
    Update,
    /// Says what is already there: nothing to save.
    Unchanged,
    /// Has problems: nothing of the file is saved until they are fixed.
    Refused,
}

/// One data row: its number in the spreadsheet, its name, what it would do, the entry it
/// updates, the fields to save, and its problems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    pub row: usize,
    pub name: String,
    pub action: ImportAction,
    pub id: Option<RecordId>,
    pub entry: Option<ResourcePatch>,
    pub problems: Vec<ImportProblem>,
}

/// Decides each row against the entries already kept in the file's scope (`held`): a row
/// with an ID updates that entry (which must be in scope); one without, the entry of the
/// same name, if any; else it is new. Two rows for one entry are refused.
pub fn plan_import(
    readings: Vec<RowReading>,
    held: &[(RecordId, ResourcePatch)],
) -> Vec<ImportRow> {
    let mut rows: Vec<ImportRow> = Vec::new();
    let mut claimed: Vec<(RecordId, usize)> = Vec::new();
    let mut new_names: Vec<(String, usize)> = Vec::new();
    for reading in readings {
        let RowReading {
            row,
            id,
            name,
            entry,
        } = reading;
        let mut problems: Vec<ImportProblem> = Vec::new();
        let target = match id {
            Some(id) => match held.iter().find(|(h, _)| *h == id) {
                Some(found) => Some(found),
                None => {
                    problems.push(ImportProblem {
                        column: "ID".into(),
                        message: "このIDの社会資源は、ここにはありません。新しく加える行はIDを空欄にしてください。".into(),
                    });
                    None
                }
            },
            None => held
                .iter()
                .find(|(_, h)| !name.is_empty() && h.name.as_deref() == Some(name.as_str())),
        };
        if let Some((target_id, _)) = target {
            if let Some((_, first)) = claimed.iter().find(|(c, _)| c == target_id) {
                problems.push(ImportProblem {
                    column: String::new(),
                    message: format!("{first}行目と同じ社会資源です。1行にまとめてください。"),
                });
            } else {
                claimed.push((*target_id, row));
            }
        } else if !name.is_empty() && id.is_none() {
            if let Some((_, first)) = new_names.iter().find(|(n, _)| *n == name) {
                problems.push(ImportProblem {
                    column: "名称".into(),
                    message: format!("{first}行目と同じ名称です。1行にまとめてください。"),
                });
            } else {
                new_names.push((name.clone(), row));
            }
        }
        let (action, save) = match entry {
            Err(cells) => {
                problems.extend(cells.into_iter().map(ImportProblem::from));
                (ImportAction::Refused, None)
            }
            Ok(_) if !problems.is_empty() => (ImportAction::Refused, None),
            Ok(entry) => match target {
                Some((_, held)) => match changed_fields(held, &entry) {
                    Some(patch) => (ImportAction::Update, Some(patch)),
                    None => (ImportAction::Unchanged, None),
                },
                None => (ImportAction::Create, Some(entry)),
            },
        };
        rows.push(ImportRow {
            row,
            name,
            action,
            id: target.map(|(id, _)| *id),
            entry: save,
            problems,
        });
    }
    rows
}

#[cfg(test)]
#[path = "directory_csv_tests.rs"]
mod tests;
