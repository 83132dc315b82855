//! 社会資源: an entry of the resource directory (domain.md, Job 3), what a volunteer shows a
//! resident at the kitchen table: who helps with shopping, transport, meals, chores, where
//! the salons are, whom to call. Kept current by the coordinators; every entry says when it
//! was last checked. Several people may edit one, so it merges field by field.
//!
//! - District: a district's entry, or none for a city-wide one (the city keeps those).
//! - Audience: everyone signed in, whatever their district, internal entries included;
//!   entries marked public are also on the server's public page, without signing in.
//! - Who may change it: a district's coordinators their district's entries; the city
//!   (第1層SC) the city-wide ones. Volunteers and administrators, nothing.

use serde::{Deserialize, Deserializer, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::calendar::CivilDate;
use crate::merge::{FieldLww, LwwPatch, LwwRecord};
use crate::record::{Change, RecordId, UserId};
use crate::validate::{Context, Errors, Problem};
use crate::vocab::labelled_enum;

pub mod limits {
    pub const MAX_NAME_CHARS: usize = 80;
    pub const MAX_SHORT_CHARS: usize = 80;
    pub const MAX_ADDRESS_CHARS: usize = 200;
    pub const MAX_WHEN_CHARS: usize = 200;
    pub const MAX_DESCRIPTION_CHARS: usize = 1000;
    pub const MAX_CATEGORIES: usize = 9;
    /// An entry unchecked for longer than this says so, and the SC's desk lists it.
    pub const STALE_AFTER_DAYS: i64 = 365;
}
use limits::*;

labelled_enum!(
    /// What an entry helps with (domain.md's categories), in the newsletter's order.
    Category {
        Gathering => "gathering", "通いの場・サロン・居場所";
        Shopping => "shopping", "買い物支援";
        Transport => "transport", "移動支援";
        Meals => "meals", "配食・会食";
        Housework => "housework", "家事・生活支援";
        Watching => "watching", "見守り・安否確認";
        Care => "care", "介護・認知症・はいかい";
        Consultation => "consultation", "相談窓口";
        Participation => "participation", "社会参加・ボランティア・就労";
    }
);

/// The fields a change sets; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcePatch {
    /// 名称 (「おとしよりぐるりんタクシー」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its reading in kana, for sorting and search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<Category>>,
    /// 運営主体 (「高崎市」「社会福祉協議会」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// When, as said (「毎週火曜 10時〜」「平日 9時〜17時」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The salon this entry is (its schedule is then the salon's); `null` unlinks it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub salon_id: Option<Option<RecordId>>,
    /// 対象 (「70歳以上の市民」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// 定員, as said (「20人」「なし」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// 費用, as said (「無料」「1回100円」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// 申込が必要.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_first: Option<bool>,
    /// The organisation's number (never a private person's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 送迎あり.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<bool>,
    /// バリアフリー.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barrier_free: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 最終確認日: when someone last checked that it is still so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_on: Option<CivilDate>,
    /// On the public page (and in what may be handed to anyone); `false`: for the
    /// volunteers only (内部).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
}

/// A field that is there, even as `null` (which then unlinks).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

impl LwwPatch for ResourcePatch {}

impl ResourcePatch {
    /// Whether nobody has checked it for over a year (or ever), as of `today`.
    pub fn is_stale(&self, today: CivilDate) -> bool {
        self.checked_on.is_none_or(|checked| {
            today.days_since_epoch() - checked.days_since_epoch() > STALE_AFTER_DAYS
        })
    }

    /// The salon it is, if linked.
    pub fn salon(&self) -> Option<RecordId> {
        self.salon_id.flatten()
    }

    /// What a resident needs to know, as (label, value), in the order the 見せる view and a
    /// handout give them: when, where, for whom, cost, whether to apply first, pick-up,
    /// whom to call. Empty fields are left out.
    pub fn essentials_ja(&self) -> Vec<(&'static str, String)> {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let flag = |value: Option<bool>, yes: &str, no: &str| {
            value.map(|v| if v { yes } else { no }.to_owned())
        };
        [
            ("とき", text(&self.when)),
            ("ところ", text(&self.address)),
            ("対象", text(&self.audience)),
            ("費用", text(&self.fee)),
            ("申込み", flag(self.apply_first, "必要", "いりません")),
            (
                "送迎",
                self.pickup.filter(|p| *p).map(|_| "あり".to_owned()),
            ),
            ("電話", text(&self.phone)),
        ]
        .into_iter()
        .filter_map(|(label, value)| value.map(|v| (label, v)))
        .collect()
    }

    /// The entry as a text to hand on (a QR code a phone camera reads as is, or the share
    /// sheet): its name, its essentials and where it came from. Internal entries are not
    /// handed on; the caller checks [`ResourcePatch::public`].
    pub fn handout_ja(&self) -> String {
        let mut lines = vec![self.name.clone().unwrap_or_default()];
        for (label, value) in self.essentials_ja() {
            lines.push(format!("{label}：{value}"));
        }
        lines.push("（社会資源まとめ・見守り手帳より）".to_owned());
        lines.join("\n")
    }
}

/// See the module documentation.
pub struct Resource;

impl Kind for Resource {
    type Body = ResourcePatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::Resource;
    const AUDIENCE: Audience = Audience::City;
    const NEEDS_DISTRICT: bool = false;
    const LABEL_JA: &'static str = "社会資源";

    fn describe_ja(body: &ResourcePatch) -> String {
        body.name.clone().unwrap_or_else(|| "変更".to_owned())
    }

    fn parent(_: &ResourcePatch) -> Option<(RecordKind, RecordId)> {
        None
    }

    fn validate(body: &ResourcePatch, _: &Change, world: &dyn Context, errors: &mut Errors) {
        if let Some(name) = &body.name {
            errors.text("name", name, MAX_NAME_CHARS, true);
        }
        for (field, value, max) in [
            ("kana", &body.kana, MAX_NAME_CHARS),
            ("operator", &body.operator, MAX_SHORT_CHARS),
            ("address", &body.address, MAX_ADDRESS_CHARS),
            ("audience", &body.audience, MAX_SHORT_CHARS),
            ("capacity", &body.capacity, MAX_SHORT_CHARS),
            ("fee", &body.fee, MAX_SHORT_CHARS),
        ] {
            if let Some(value) = value {
                errors.text(field, value, max, false);
            }
        }
        for (field, value, max) in [
            ("when", &body.when, MAX_WHEN_CHARS),
            ("description", &body.description, MAX_DESCRIPTION_CHARS),
        ] {
            if let Some(value) = value {
                errors.note(field, value, max);
            }
        }
        if let Some(phone) = &body.phone {
            errors.phone("phone", phone);
        }
        if let Some(categories) = &body.categories {
            if categories.len() > MAX_CATEGORIES || crate::order::has_duplicates(categories) {
                errors.add("categories", Problem::Duplicate);
            }
        }
        if let Some(salon) = body.salon() {
            if !world.visible(RecordKind::Salon, salon) {
                errors.add("salon_id", Problem::UnknownReference);
            }
        }
        if let Some(checked) = body.checked_on {
            let today = CivilDate::from_days_since_epoch(world.now_ms().div_euclid(86_400_000));
            if checked.year < 2000 {
                errors.add("checked_on", Problem::OutOfRange);
            } else if checked > today.add_days(1) {
                // A day's grace: the phone's day may be ahead of the server's (time zones).
                errors.add("checked_on", Problem::InFuture);
            }
        }
    }

    fn validate_record(
        record: &ResourcePatch,
        _: &Change,
        creating: bool,
        _: &dyn Context,
        errors: &mut Errors,
    ) {
        if creating {
            errors.required("name", record.name.as_deref());
        }
        // Every entry says what it helps with, made or corrected.
        if record.categories.as_ref().is_none_or(Vec::is_empty) {
            errors.add("categories", Problem::Required);
        }
    }

    /// A district's coordinators keep its entries; the city (第1層SC) the city-wide ones.
    fn may_change(actor: Actor<'_>, side: Side<'_, LwwRecord>) -> bool {
        matches!(
            (actor.role, side.district),
            (Role::Coordinator, Some(_)) | (Role::City, None)
        )
    }

    fn references(body: &ResourcePatch) -> Vec<RecordId> {
        body.salon().into_iter().collect()
    }

    fn sample(n: u64, _: UserId, now_ms: i64, _: Option<RecordId>) -> ResourcePatch {
        let today = CivilDate::from_days_since_epoch(now_ms.div_euclid(86_400_000));
        let entries = [
            (
                "おとしよりぐるりんタクシー",
                "おとしよりぐるりんたくしー",
                Category::Transport,
            ),
            ("とくし丸", "とくしまる", Category::Shopping),
            (
                "たのも〜お助け隊",
                "たのもーおたすけたい",
                Category::Housework,
            ),
        ];
        let (name, kana, category) = entries[(n % 3) as usize];
        ResourcePatch {
            name: Some(name.into()),
            kana: Some(kana.into()),
            categories: Some(vec![category]),
            fee: n.is_multiple_of(2).then(|| "無料".to_owned()),
            checked_on: Some(today.add_days(-((n % 400) as i64))),
            public: Some(n % 4 != 3),
            ..ResourcePatch::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::test_support::{self, actor};
    use crate::record::{Body, DistrictId};
    use crate::sync::RejectCode;

    fn change(author: UserId, district: Option<DistrictId>) -> Change {
        let body = Body::Resource(Resource::sample(0, author, 0, None));
        let mut change = test_support::change(RecordId::new_v7(1, [8; 10]), author, 10, None, body);
        change.district_id = district;
        change
    }

    #[test]
    fn coordinators_keep_their_districts_entries_and_the_city_the_city_wide_ones() {
        let district = Some(DistrictId(1));
        let check = |user: u32, role: Role, district: Option<DistrictId>| {
            let user = UserId(user.into());
            test_support::permit(actor(user, role), None, &[], &change(user, district))
        };
        assert_eq!(check(1, Role::Coordinator, district), Ok(()));
        assert_eq!(
            check(1, Role::Coordinator, None),
            Err(RejectCode::NotAllowed)
        );
        assert_eq!(check(2, Role::City, None), Ok(()));
        assert_eq!(check(2, Role::City, district), Err(RejectCode::NotAllowed));
        for role in [Role::Volunteer, Role::Admin] {
            assert_eq!(check(3, role, district), Err(RejectCode::NotAllowed));
            assert_eq!(check(3, role, None), Err(RejectCode::NotAllowed));
        }
    }

    #[test]
    fn an_entry_unchecked_for_over_a_year_is_stale() {
        let today = CivilDate::new(2026, 11, 26).unwrap();
        let checked = |date: Option<CivilDate>| ResourcePatch {
            checked_on: date,
            ..ResourcePatch::default()
        };
        assert!(!checked(Some(today)).is_stale(today));
        assert!(!checked(Some(today.add_days(-365))).is_stale(today));
        assert!(checked(Some(today.add_days(-366))).is_stale(today));
        assert!(checked(None).is_stale(today));
    }

    #[test]
    fn a_handout_gives_the_essentials_in_order_and_leaves_out_what_is_empty() {
        let entry = ResourcePatch {
            name: Some("おとしよりぐるりんタクシー".into()),
            when: Some("平日".into()),
            address: Some("  ".into()),
            fee: Some("1回100円".into()),
            apply_first: Some(true),
            pickup: Some(false),
            phone: Some("027-321-1319".into()),
            description: Some("説明は渡さない".into()),
            ..ResourcePatch::default()
        };
        assert_eq!(
            entry.handout_ja(),
            "おとしよりぐるりんタクシー\nとき：平日\n費用：1回100円\n申込み：必要\n電話：027-321-1319\n（社会資源まとめ・見守り手帳より）"
        );
    }

    #[test]
    fn a_salon_link_is_set_kept_or_taken_back() {
        let salon = RecordId::new_v7(5, [1; 10]);
        let linked: ResourcePatch =
            serde_json::from_str(&format!(r#"{{"salon_id":"{salon}"}}"#)).unwrap();
        assert_eq!(linked.salon(), Some(salon));
        let unlinked: ResourcePatch = serde_json::from_str(r#"{"salon_id":null}"#).unwrap();
        assert_eq!(unlinked.salon_id, Some(None));
        assert_eq!(
            serde_json::to_string(&unlinked).unwrap(),
            r#"{"salon_id":null}"#
        );
        let untouched: ResourcePatch = serde_json::from_str("{}").unwrap();
        assert_eq!(untouched.salon_id, None);
        assert_eq!(serde_json::to_string(&untouched).unwrap(), "{}");
    }
}
