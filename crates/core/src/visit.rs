//! 見守り記録: one visit to one resident (domain.md, job 1). Visits are immutable events:
//! a correction is a new version of the same record by its author, and the newest wins.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::calendar::CivilDate;
use crate::record::{RecordId, UserId};

/// Longest free-text note, in characters: a few sentences, not a case file.
pub const MAX_NOTE_CHARS: usize = 1000;
/// More visitors than this on one doorstep is a data error, not a visit.
pub const MAX_VISITORS: usize = 5;
pub const MAX_REFERRED_RESOURCES: usize = 20;

macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable code stored and sent.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            /// What the volunteer reads.
            pub fn label_ja(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }
    };
}

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

/// Who follows up, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
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
    #[serde(default)]
    pub follow_up: Option<FollowUp>,
    #[serde(default)]
    pub note: String,
}

impl Outcome {
    /// Outcomes the SC must hear about the same day (domain.md, escalation).
    pub fn needs_escalation(self) -> bool {
        matches!(self, Self::Worrying | Self::MustReport | Self::Emergency)
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
