//! Validation of every field of a change, with the same code on the phone (before saving)
//! and on the server (before accepting). Unknown fields and unknown enum values never get
//! this far: the types refuse them while parsing. Each kind checks its own fields (in
//! `kinds::`) with the helpers here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::kinds::{RecordKind, State};
use crate::record::{Body, Change, RecordId};

/// What the validator needs to know about the world; the server answers from its
/// database, the phone from what it holds.
pub trait Context {
    /// Now, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Whether the author may see (and so refer to) this record of this kind.
    fn visible(&self, kind: RecordKind, id: RecordId) -> bool;
    /// The current values of a record of this kind the author may see, for rules that
    /// read another record (a session its salon's schedule holds, a tick of the salon's
    /// own member). `None`: not held here, or not theirs to see.
    fn current(&self, _kind: RecordKind, _id: RecordId) -> Option<Body> {
        None
    }
}

/// Why a field was refused. Stable codes (`code`): clients branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max_chars: usize,
    },
    OutOfRange,
    InFuture,
    Duplicate,
    InvalidCharacters,
    UnknownReference,
    MustIncludeAuthor,
    BeforeVisit,
    /// Control characters (or the invisible marks that reorder text) that no keyboard types.
    ControlCharacters,
    /// A date on which the salon holds no session (not in its schedule, 中止, or a holiday
    /// it rests on).
    NotScheduled,
    /// A code from a newer server that this app does not know yet.
    Other,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::OutOfRange => "out_of_range",
            Self::InFuture => "in_future",
            Self::Duplicate => "duplicate",
            Self::InvalidCharacters => "invalid_characters",
            Self::UnknownReference => "unknown_reference",
            Self::MustIncludeAuthor => "must_include_author",
            Self::BeforeVisit => "before_visit",
            Self::ControlCharacters => "control_characters",
            Self::NotScheduled => "not_scheduled",
            Self::Other => "other",
        }
    }

    fn from_code(code: &str, max_chars: Option<usize>) -> Self {
        match code {
            "required" => Self::Required,
            "too_long" => Self::TooLong {
                max_chars: max_chars.unwrap_or_default(),
            },
            "out_of_range" => Self::OutOfRange,
            "in_future" => Self::InFuture,
            "duplicate" => Self::Duplicate,
            "invalid_characters" => Self::InvalidCharacters,
            "unknown_reference" => Self::UnknownReference,
            "must_include_author" => Self::MustIncludeAuthor,
            "before_visit" => Self::BeforeVisit,
            "control_characters" => Self::ControlCharacters,
            "not_scheduled" => Self::NotScheduled,
            _ => Self::Other,
        }
    }

    /// What the volunteer reads next to the field.
    pub fn message_ja(self) -> String {
        match self {
            Self::Required => "入力してください。".to_owned(),
            Self::TooLong { max_chars } => format!("{max_chars}文字以内で入力してください。"),
            Self::OutOfRange => "入力できる範囲を超えています。".to_owned(),
            Self::InFuture => {
                "未来の日時は入力できません。端末の時計も確かめてください。".to_owned()
            }
            Self::Duplicate => "同じものが重なっています。".to_owned(),
            Self::InvalidCharacters => "数字とハイフンで入力してください。".to_owned(),
            Self::UnknownReference => {
                "選んだ方が見つかりません。一覧を更新してください。".to_owned()
            }
            Self::MustIncludeAuthor => "訪問した人に、ご自分を含めてください。".to_owned(),
            Self::BeforeVisit => "次回の予定は、訪問日より後にしてください。".to_owned(),
            Self::ControlCharacters => {
                "表示できない特殊な文字が含まれています。その文字を消してください。".to_owned()
            }
            Self::NotScheduled => {
                "この日はサロンの開催日ではありません（中止・休みの日を含みます）。臨時開催なら、先に日程に加えてください。".to_owned()
            }
            Self::Other => "入力を確かめてください。".to_owned(),
        }
    }
}

/// One refused field. Its JSON is flat, `{"field":"note","code":"too_long","max_chars":1000}`,
/// and read through [`FieldErrorWire`]: an internally tagged or flattened form would make
/// serde buffer it, and that buffering costs the app a deserializer of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "FieldErrorWire", into = "FieldErrorWire")]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

#[derive(Serialize, Deserialize)]
struct FieldErrorWire {
    field: String,
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_chars: Option<usize>,
}

impl From<FieldErrorWire> for FieldError {
    fn from(wire: FieldErrorWire) -> Self {
        Self {
            field: wire.field,
            problem: Problem::from_code(&wire.code, wire.max_chars),
        }
    }
}

impl From<FieldError> for FieldErrorWire {
    fn from(error: FieldError) -> Self {
        let max_chars = match error.problem {
            Problem::TooLong { max_chars } => Some(max_chars),
            _ => None,
        };
        Self {
            field: error.field,
            code: error.problem.code().to_owned(),
            max_chars,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem.message_ja())
    }
}

/// The problems found so far, in the order checked.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, field: &str, problem: Problem) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem,
        });
    }

    /// A text a record must have (its name), present and not blank.
    pub fn required(&mut self, field: &str, value: Option<&str>) {
        if value.is_none_or(|v| v.trim().is_empty()) {
            self.add(field, Problem::Required);
        }
    }

    /// A one-line text: a name, an address.
    pub fn text(&mut self, field: &str, value: &str, max_chars: usize, required: bool) {
        self.checked_text(field, value, max_chars, required, Lines::One);
    }

    /// A phone number: digits and `-+() ` only, at most 20 characters (the phone makes
    /// what was typed in 全角 half-width first: `kinds::normalize_phone`).
    pub fn phone(&mut self, field: &str, value: &str) {
        const MAX_PHONE_CHARS: usize = 20;
        self.text(field, value, MAX_PHONE_CHARS, false);
        if !value
            .chars()
            .all(|c| c.is_ascii_digit() || "-+() ".contains(c))
        {
            self.add(field, Problem::InvalidCharacters);
        }
    }

    /// A note: newlines and tabs allowed.
    pub fn note(&mut self, field: &str, value: &str, max_chars: usize) {
        self.checked_text(field, value, max_chars, false, Lines::Many);
    }

    fn checked_text(
        &mut self,
        field: &str,
        value: &str,
        max_chars: usize,
        required: bool,
        lines: Lines,
    ) {
        if required && value.trim().is_empty() {
            self.add(field, Problem::Required);
        } else if value.chars().count() > max_chars {
            self.add(field, Problem::TooLong { max_chars });
        } else if has_forbidden_characters(value, lines) {
            self.add(field, Problem::ControlCharacters);
        }
    }
}

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Characters no one types on purpose and that do harm where text goes: control characters
/// (a NUL cuts text short in SQLite's `length()` and in C libraries, a newline forges a line
/// in a log), the line and paragraph separators U+2028/U+2029 (a line break to JavaScript
/// and to calendar apps, but not to the rules that fold and escape lines), and the
/// bidirectional marks that make text read differently from what it is. A note keeps its
/// newlines and tabs. The same rule on the phone and the server.
pub fn has_forbidden_characters(text: &str, lines: Lines) -> bool {
    text.chars().any(|c| {
        let allowed_space = lines == Lines::Many && (c == '\n' || c == '\t');
        (c.is_control() && !allowed_space)
            || matches!(
                c,
                '\u{2028}'
                    | '\u{2029}'
                    | '\u{200E}'
                    | '\u{200F}'
                    | '\u{061C}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2066}'..='\u{2069}'
            )
    })
}

/// Checks a change that makes a record on its own (a first save, a spreadsheet row): its
/// fields and the new record it makes. See [`validate_result`].
pub fn validate_change(change: &Change, context: &dyn Context) -> Result<(), Vec<FieldError>> {
    match State::apply(None, change) {
        Ok((made, _)) => validate_result(change, None, &made, context),
        Err(_) => Err(vec![FieldError {
            field: "id".to_owned(),
            problem: Problem::OutOfRange,
        }]),
    }
}

/// Checks a change that turns the record held as `before` (`None`: nothing was held, so
/// it makes one, whatever its `base` says) into `after`: the fields it carries, then the
/// record it leaves, never the change's fields alone. `Ok` means both are acceptable;
/// `Err` lists every problem at once, so the volunteer can fix them all in one go. The
/// same on the phone, the server and the spreadsheet import.
pub fn validate_result(
    change: &Change,
    before: Option<&State>,
    after: &State,
    context: &dyn Context,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::default();
    if change.district_id.is_none() && change.kind().needs_district() {
        errors.add("district_id", Problem::Required);
    }
    // Deletions are checked like any change: their body is stored and relayed too.
    change.body.validate(change, context, &mut errors);
    after.validate_record(change, before.is_none(), context, &mut errors);
    if errors.0.is_empty() {
        Ok(())
    } else {
        Err(errors.0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::calendar::CivilDate;
    use crate::hlc::{Hlc, MAX_CLOCK_SKEW_MS};
    use crate::kinds::{
        limits, Consent, Outcome, ResidentPatch, VisitBody, VisitMethod, VisitPlan,
    };
    use crate::record::{Body, DeviceId, DistrictId, UserId};

    const NOW: i64 = 1_764_000_000_000;

    struct World {
        visible: RecordId,
    }

    impl Context for World {
        fn now_ms(&self) -> i64 {
            NOW
        }
        fn visible(&self, kind: RecordKind, id: RecordId) -> bool {
            kind == RecordKind::Resident && id == self.visible
        }
    }

    fn world() -> World {
        World {
            visible: RecordId::new_v7(1, [1; 10]),
        }
    }

    fn change(body: Body, base: Option<Hlc>) -> Change {
        Change {
            id: RecordId::new_v7(NOW as u64, [2; 10]),
            district_id: Some(DistrictId(1)),
            author: UserId(3),
            device: DeviceId(4),
            stamp: Hlc {
                wall_ms: NOW as u64,
                counter: 0,
                node: 4,
            },
            base,
            deleted: false,
            body,
        }
    }

    fn fine_visit() -> VisitBody {
        VisitBody {
            resident_id: world().visible,
            visited_at_ms: NOW - 60_000,
            visitors: vec![UserId(3)],
            method: VisitMethod::Met,
            outcome: Outcome::Fine,
            signs: BTreeSet::new(),
            needs: BTreeSet::new(),
            actions: BTreeSet::new(),
            referred_resources: Vec::new(),
            resources_note: String::new(),
            follow_up: None,
            note: String::new(),
        }
    }

    fn problems(change: &Change) -> Vec<(String, Problem)> {
        validate_change(change, &world())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    /// The problems of an edit of a resident held whole.
    fn edit_problems(patch: ResidentPatch) -> Vec<(String, Problem)> {
        let made = change(
            Body::Resident(ResidentPatch {
                name: Some("高崎 花子".into()),
                consent: Some(Consent {
                    date: CivilDate::new(2026, 11, 1).unwrap(),
                    scope: "見守り訪問".into(),
                    share_with_center: false,
                    taken_by: UserId(3),
                }),
                ..ResidentPatch::default()
            }),
            None,
        );
        let (held, _) = State::apply(None, &made).unwrap();
        let mut edit = change(Body::Resident(patch), Some(made.stamp));
        edit.stamp.counter = 1;
        let (after, _) = State::apply(Some(&held), &edit).unwrap();
        validate_result(&edit, Some(&held), &after, &world())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    #[test]
    fn a_fine_visit_in_three_taps_is_valid() {
        assert_eq!(problems(&change(Body::Visit(fine_visit()), None)), vec![]);
    }

    #[test]
    fn a_visit_is_refused_for_every_problem_at_once() {
        let mut visit = fine_visit();
        visit.resident_id = RecordId::new_v7(9, [9; 10]);
        visit.visited_at_ms = NOW + MAX_CLOCK_SKEW_MS as i64 + 1;
        visit.visitors = vec![UserId(5)];
        visit.note = "あ".repeat(limits::visit::MAX_NOTE_CHARS + 1);
        let found = problems(&change(Body::Visit(visit), None));
        assert_eq!(
            found,
            vec![
                ("resident_id".to_owned(), Problem::UnknownReference),
                ("visited_at_ms".to_owned(), Problem::InFuture),
                ("visitors".to_owned(), Problem::MustIncludeAuthor),
                (
                    "note".to_owned(),
                    Problem::TooLong {
                        max_chars: limits::visit::MAX_NOTE_CHARS
                    }
                ),
            ]
        );
    }

    #[test]
    fn clock_skew_within_the_limit_is_tolerated_and_notes_count_characters_not_bytes() {
        let mut visit = fine_visit();
        visit.visited_at_ms = NOW + 60_000;
        visit.note = "郵".repeat(limits::visit::MAX_NOTE_CHARS);
        assert_eq!(problems(&change(Body::Visit(visit), None)), vec![]);
    }

    #[test]
    fn follow_up_cannot_come_before_the_visit() {
        let mut visit = fine_visit();
        visit.follow_up = Some(VisitPlan {
            next_visit: Some(CivilDate::new(2020, 1, 1).unwrap()),
            by: None,
            done: false,
        });
        assert_eq!(
            problems(&change(Body::Visit(visit), None)),
            vec![("follow_up.next_visit".to_owned(), Problem::BeforeVisit)]
        );
    }

    #[test]
    fn a_new_resident_needs_a_name_and_consent() {
        let found = problems(&change(Body::Resident(ResidentPatch::default()), None));
        assert_eq!(
            found,
            vec![
                ("name".to_owned(), Problem::Required),
                ("consent".to_owned(), Problem::Required)
            ]
        );
        let patch = ResidentPatch {
            name: Some("高崎 花子".into()),
            phone: Some("027-321-1319".into()),
            consent: Some(Consent {
                date: CivilDate::new(2026, 11, 1).unwrap(),
                scope: "見守り訪問と地区SCへの共有".into(),
                share_with_center: false,
                taken_by: UserId(3),
            }),
            ..ResidentPatch::default()
        };
        assert_eq!(problems(&change(Body::Resident(patch), None)), vec![]);
    }

    #[test]
    fn an_edit_checks_only_what_it_sets() {
        let base = Some(Hlc {
            wall_ms: 1,
            counter: 0,
            node: 1,
        });
        let patch = ResidentPatch {
            phone: Some("０２７".into()),
            ..ResidentPatch::default()
        };
        assert_eq!(
            edit_problems(patch),
            vec![("phone".to_owned(), Problem::InvalidCharacters)]
        );
        let interval = ResidentPatch {
            visit_interval_days: Some(0),
            ..ResidentPatch::default()
        };
        assert_eq!(
            edit_problems(interval),
            vec![("visit_interval_days".to_owned(), Problem::OutOfRange)]
        );
        // The same patch to a record nobody holds makes one: it must then be whole,
        // whatever its `base` says.
        let phone_only = ResidentPatch {
            phone: Some("027".into()),
            ..ResidentPatch::default()
        };
        assert_eq!(
            problems(&change(Body::Resident(phone_only), base)),
            vec![
                ("name".to_owned(), Problem::Required),
                ("consent".to_owned(), Problem::Required)
            ]
        );
    }

    #[test]
    fn control_characters_are_refused_but_notes_keep_their_lines() {
        let mut visit = fine_visit();
        visit.note = "一行目\n\t二行目".into();
        assert_eq!(problems(&change(Body::Visit(visit.clone()), None)), vec![]);
        for bad in [
            "\0",
            "\r",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{202e}",
            "\u{2028}",
            "\u{2029}",
            "\u{200f}",
        ] {
            visit.note = format!("お元気{bad}でした");
            assert_eq!(
                problems(&change(Body::Visit(visit.clone()), None)),
                vec![("note".to_owned(), Problem::ControlCharacters)],
                "{bad:?}"
            );
        }
        let patch = ResidentPatch {
            name: Some("高崎\n花子".into()),
            kana: Some("たかさき\0".into()),
            address: Some("乗附町\t1".into()),
            note: Some("二行の\nメモ".into()),
            ..ResidentPatch::default()
        };
        assert_eq!(
            edit_problems(patch),
            vec![
                ("name".to_owned(), Problem::ControlCharacters),
                ("kana".to_owned(), Problem::ControlCharacters),
                ("address".to_owned(), Problem::ControlCharacters),
            ]
        );
    }

    #[test]
    fn a_deletion_is_checked_like_any_change() {
        let mut visit = fine_visit();
        visit.note = "あ".repeat(limits::visit::MAX_NOTE_CHARS + 1);
        visit.visitors = vec![UserId(5)];
        let mut deletion = change(Body::Visit(visit), None);
        deletion.deleted = true;
        let found: Vec<Problem> = problems(&deletion).into_iter().map(|p| p.1).collect();
        assert_eq!(
            found,
            vec![
                Problem::MustIncludeAuthor,
                Problem::TooLong {
                    max_chars: limits::visit::MAX_NOTE_CHARS
                }
            ]
        );
    }

    #[test]
    fn field_errors_serialise_with_a_stable_code() {
        let error = FieldError {
            field: "note".into(),
            problem: Problem::TooLong { max_chars: 10 },
        };
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"field":"note","code":"too_long","max_chars":10})
        );
        assert_eq!(serde_json::from_value::<FieldError>(json).unwrap(), error);
        let plain = FieldError {
            field: "name".into(),
            problem: Problem::Required,
        };
        let json = serde_json::to_value(&plain).unwrap();
        assert_eq!(json, serde_json::json!({"field":"name","code":"required"}));
        assert_eq!(serde_json::from_value::<FieldError>(json).unwrap(), plain);
        let newer: FieldError =
            serde_json::from_str(r#"{"field":"x","code":"from_the_future"}"#).unwrap();
        assert_eq!(newer.problem, Problem::Other);
    }
}
