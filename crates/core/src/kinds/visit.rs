//! 見守り記録: one visit to one resident (domain.md, job 1). Visits are immutable events: a
//! correction is a new version of the same record by its author, and the newest wins
//! whole ([`Newest`]).
//!
//! - Parent: its resident; it lives in the resident's district.
//! - Audience: the district's coordinators and the volunteers the resident is assigned to.
//! - Who may change it: anyone who may see the resident logs a visit (a volunteer or a
//!   coordinator); only its author corrects or deletes it. The city and administrators,
//!   nothing.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::hlc::MAX_CLOCK_SKEW_MS;
use crate::merge::Newest;
use crate::record::{Change, RecordId, UserId};
use crate::validate::{Context, Errors, Problem};
use crate::vocab::labelled_enum;

pub mod limits {
    /// Longest free-text note, in characters: a few sentences, not a case file.
    pub const MAX_NOTE_CHARS: usize = 1000;
    /// More visitors than this on one doorstep is a data error, not a visit.
    pub const MAX_VISITORS: usize = 5;
    pub const MAX_REFERRED_RESOURCES: usize = 20;
    /// 紹介した資源, written freely until the directory's entries can be pointed to.
    pub const MAX_RESOURCES_NOTE_CHARS: usize = 200;
}
use limits::*;

labelled_enum!(
    /// How the resident was seen.
    VisitMethod {
        Met => "met", "面会";
        Absent => "absent", "不在";
        Phone => "phone", "電話";
        OutsideOnly => "outside_only", "外観のみ";
        AtSalon => "at_salon", "サロンで会った";
    }
);

labelled_enum!(
    /// How things stood, from fine to emergency.
    Outcome {
        Fine => "fine", "元気";
        AwayNothingOdd => "away_nothing_odd", "不在・異常なし";
        Worrying => "worrying", "気になる";
        MustReport => "must_report", "要連絡";
        Emergency => "emergency", "緊急";
    }
);

labelled_enum!(
    /// 気づき: warning signs noticed at the door.
    WarningSign {
        MailPilingUp => "mail_piling_up", "郵便物・新聞がたまっている";
        LaundryLeftOut => "laundry_left_out", "洗濯物が干したまま";
        LightsOnByDay => "lights_on_by_day", "昼も電気がついたまま";
        ShuttersUnusual => "shutters_unusual", "雨戸・窓が開いたまま/閉じたまま";
        NotSeenForDays => "not_seen_for_days", "数日姿を見ない";
        LowEnergyOrThinner => "low_energy_or_thinner", "元気がない・痩せた";
        ConfusedOrRepeating => "confused_or_repeating", "話がかみ合わない・同じ話をくり返す";
        BruisesOrInjury => "bruises_or_injury", "あざ・けが";
        RoomOrSmellChanged => "room_or_smell_changed", "部屋やにおいの異変";
        StrangersComingAndGoing => "strangers_coming_and_going", "見知らぬ人の出入り";
    }
);

labelled_enum!(
    /// 困りごと: needs noticed.
    Need {
        Shopping => "shopping", "買い物";
        Rubbish => "rubbish", "ごみ出し";
        Transport => "transport", "通院・外出(移動)";
        Garden => "garden", "庭木・草取り";
        SmallRepairs => "small_repairs", "電球・電池交換・小修理";
        MovingFurniture => "moving_furniture", "家具移動";
        CleaningCooking => "cleaning_cooking", "掃除・調理";
        Company => "company", "話し相手・付き添い";
        Smartphone => "smartphone", "スマホ操作";
        ReadingWriting => "reading_writing", "代読・代筆";
        Meals => "meals", "食事・配食";
        Pets => "pets", "ペット";
        MoneyContractsFraud => "money_contracts_fraud", "お金・契約・詐欺";
        HealthCare => "health_care", "健康・介護";
    }
);

labelled_enum!(
    /// 対応: what was done.
    Action {
        GreetingOnly => "greeting_only", "声かけのみ";
        IntroducedResource => "introduced_resource", "資源を紹介";
        ConsultedSc => "consulted_sc", "SCへ相談";
        ContactedAnshinCenter => "contacted_anshin_center", "あんしんセンターへ連絡";
        ToMinseiIin => "to_minsei_iin", "民生委員へ";
        ToFamily => "to_family", "家族へ";
        Called119 => "called_119", "119";
        Called110 => "called_110", "110";
    }
);

/// 次回の予定: when this resident should be seen next, if sooner (or later) than their usual
/// interval (`watch::due_date` reads it). Things to do for them are `FollowUp` records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitPlan {
    #[serde(default)]
    pub next_visit: Option<CivilDate>,
    #[serde(default)]
    pub by: Option<UserId>,
    #[serde(default)]
    pub done: bool,
}

/// A visit as the volunteer logged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitBody {
    pub resident_id: RecordId,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub visited_at_ms: i64,
    /// One or more volunteers; the author among them.
    pub visitors: Vec<UserId>,
    pub method: VisitMethod,
    pub outcome: Outcome,
    #[serde(default)]
    pub signs: BTreeSet<WarningSign>,
    #[serde(default)]
    pub needs: BTreeSet<Need>,
    #[serde(default)]
    pub actions: BTreeSet<Action>,
    /// Resource entries pointed to (with 資源を紹介).
    #[serde(default)]
    pub referred_resources: Vec<RecordId>,
    /// 紹介した資源, in the visitor's words (「配食サービスのチラシを渡した」).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resources_note: String,
    /// Serialised as `follow_up` for the visits stored before follow-ups were records.
    #[serde(default)]
    pub follow_up: Option<VisitPlan>,
    #[serde(default)]
    pub note: String,
}

impl Outcome {
    /// Outcomes the SC must hear about the same day (domain.md, escalation).
    pub fn needs_escalation(self) -> bool {
        matches!(self, Self::Worrying | Self::MustReport | Self::Emergency)
    }

    /// How soon someone must act: 0 for what needs nobody, then 気になる, 要連絡, 緊急.
    /// Lists put the most urgent first and mark each level the same way everywhere.
    pub fn urgency(self) -> u8 {
        match self {
            Self::Emergency => 3,
            Self::MustReport => 2,
            Self::Worrying => 1,
            _ => 0,
        }
    }
}

/// See the module documentation.
pub struct Visit;

impl Kind for Visit {
    type Body = VisitBody;
    type Merge = Newest;
    const KIND: RecordKind = RecordKind::Visit;
    const AUDIENCE: Audience = Audience::ParentAssigned;
    const NEEDS_DISTRICT: bool = true;
    const PARENT_KIND: Option<RecordKind> = Some(RecordKind::Resident);
    const LABEL_JA: &'static str = "訪問";
    /// A visit logged under the wrong resident is corrected by its author.
    const MOVES: bool = true;

    fn describe_ja(body: &VisitBody) -> String {
        let mut words = format!("{}・{}", body.outcome.label_ja(), body.method.label_ja());
        if !body.note.is_empty() {
            words.push_str(&format!("「{}」", body.note));
        }
        words
    }

    fn parent(body: &VisitBody) -> Option<(RecordKind, RecordId)> {
        Some((RecordKind::Resident, body.resident_id))
    }

    fn references(body: &VisitBody) -> Vec<RecordId> {
        body.referred_resources.clone()
    }

    fn validate(body: &VisitBody, change: &Change, world: &dyn Context, errors: &mut Errors) {
        if !world.visible(RecordKind::Resident, body.resident_id) {
            errors.add("resident_id", Problem::UnknownReference);
        }
        let latest_allowed = world.now_ms().saturating_add(MAX_CLOCK_SKEW_MS as i64);
        if body.visited_at_ms > latest_allowed {
            errors.add("visited_at_ms", Problem::InFuture);
        }
        // Before 2000 is a broken clock or a typo, not a visit.
        if body.visited_at_ms < 946_684_800_000 {
            errors.add("visited_at_ms", Problem::OutOfRange);
        }
        if body.visitors.is_empty() {
            errors.add("visitors", Problem::Required);
        } else if body.visitors.len() > MAX_VISITORS {
            errors.add("visitors", Problem::OutOfRange);
        } else if crate::order::has_duplicates(&body.visitors) {
            errors.add("visitors", Problem::Duplicate);
        } else if !body.visitors.contains(&change.author) {
            errors.add("visitors", Problem::MustIncludeAuthor);
        }
        if body.referred_resources.len() > MAX_REFERRED_RESOURCES {
            errors.add("referred_resources", Problem::OutOfRange);
        } else if crate::order::has_duplicates(&body.referred_resources) {
            errors.add("referred_resources", Problem::Duplicate);
        } else if body
            .referred_resources
            .iter()
            .any(|r| !world.visible(RecordKind::Resource, *r))
        {
            errors.add("referred_resources", Problem::UnknownReference);
        }
        if let Some(next) = body.follow_up.as_ref().and_then(|f| f.next_visit) {
            let visit_day = body.visited_at_ms.div_euclid(86_400_000);
            if next.days_since_epoch() < visit_day {
                errors.add("follow_up.next_visit", Problem::BeforeVisit);
            }
        }
        errors.note(
            "resources_note",
            &body.resources_note,
            MAX_RESOURCES_NOTE_CHARS,
        );
        errors.note("note", &body.note, MAX_NOTE_CHARS);
    }

    /// Everything a visit must be is checked on its body ([`Kind::validate`]): the body is
    /// the whole record (the newest version wins whole).
    fn validate_record(_: &VisitBody, _: &Change, _: bool, _: &dyn Context, _: &mut Errors) {}

    /// Visits are events: only their author logs and corrects them, for a resident they
    /// see (a coordinator sees the district's; a volunteer, those assigned to them). A
    /// visit moved to another resident needs both.
    fn may_change(actor: Actor<'_>, side: Side<'_, Box<Change>>) -> bool {
        let sees_resident = match actor.role {
            Role::Coordinator => true,
            Role::Volunteer => side.parent_holders.contains(&actor.user),
            Role::City | Role::Admin => false,
        };
        sees_resident && side.created_by == actor.user
    }

    fn occurred_at(body: &VisitBody) -> Option<i64> {
        Some(body.visited_at_ms)
    }

    fn sample(n: u64, author: UserId, now_ms: i64, parent: Option<RecordId>) -> VisitBody {
        let outcome = Outcome::ALL[(n % Outcome::ALL.len() as u64) as usize];
        VisitBody {
            resident_id: parent.unwrap_or_else(|| RecordId::new_v7(1, [1; 10])),
            visited_at_ms: now_ms - 60_000,
            visitors: vec![author],
            method: VisitMethod::ALL[(n % VisitMethod::ALL.len() as u64) as usize],
            outcome,
            signs: if outcome.needs_escalation() {
                [WarningSign::MailPilingUp].into_iter().collect()
            } else {
                BTreeSet::new()
            },
            needs: BTreeSet::new(),
            actions: BTreeSet::new(),
            referred_resources: vec![],
            resources_note: String::new(),
            follow_up: None,
            note: [
                "お元気でした",
                "郵便物がたまっていた",
                "",
                "庭の草が伸びていた",
            ][(n % 4) as usize]
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip_through_json() {
        fn check<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug + Copy>(
            all: &[T],
            code: fn(T) -> &'static str,
        ) {
            let mut seen = std::collections::HashSet::new();
            for value in all {
                assert!(seen.insert(code(*value)), "duplicate code {}", code(*value));
                let json = serde_json::to_string(value).unwrap();
                assert_eq!(json, format!("\"{}\"", code(*value)));
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *value);
            }
        }
        check(VisitMethod::ALL, VisitMethod::code);
        check(Outcome::ALL, Outcome::code);
        check(WarningSign::ALL, WarningSign::code);
        check(Need::ALL, Need::code);
        check(Action::ALL, Action::code);
        assert_eq!(WarningSign::ALL.len(), 10);
        assert_eq!(Need::ALL.len(), 14);
    }

    #[test]
    fn a_fine_visit_needs_only_the_essentials_and_unknown_fields_are_refused() {
        let json = r#"{"resident_id":"0190f0a0-0000-7000-8000-000000000001",
            "visited_at_ms":1764000000000,"visitors":[3],"method":"met","outcome":"fine"}"#;
        let visit: VisitBody = serde_json::from_str(json).unwrap();
        assert!(visit.signs.is_empty() && visit.note.is_empty());
        assert!(!visit.outcome.needs_escalation());
        let extra = json.replace("\"fine\"", "\"fine\",\"diagnosis\":\"x\"");
        assert!(serde_json::from_str::<VisitBody>(&extra).is_err());
    }
}
