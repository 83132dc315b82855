//! 地区の連絡先: the numbers a volunteer needs when something is wrong at a door, kept by the
//! district's coordinator: whom to call (the 生活支援コーディネーター), and the district's
//! あんしんセンター (地域包括支援センター). Never invented: empty until the coordinator fills
//! them in. One record per district, whose id is made from the district's
//! ([`district_info_id`]), so that two coordinators editing offline edit the same record
//! and merge field by field.
//!
//! - Audience: everyone signed in to the district (volunteers need the numbers offline).
//! - Who may change it: the district's coordinators.

use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Kind, RecordKind, Side};
use crate::account::Role;
use crate::merge::{FieldLww, LwwRecord};
use crate::record::{Change, DistrictId, RecordId, UserId};
use crate::validate::{Context, Errors};

pub mod limits {
    pub const MAX_NAME_CHARS: usize = 50;
    pub const MAX_PHONE_CHARS: usize = 20;
}
use limits::*;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictInfoPatch {
    /// The coordinator volunteers should call (「高崎 花子」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sc_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sc_phone: Option<String>,
    /// The district's あんしんセンター (「あんしんセンター乗附」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_phone: Option<String>,
}

/// The one record of a district's contacts: a UUIDv7 made from the district's number, the
/// same on every phone.
pub fn district_info_id(district: DistrictId) -> RecordId {
    let number = district.0.to_be_bytes();
    let mut random = [0u8; 10];
    random[2..].copy_from_slice(&number);
    RecordId::new_v7(1, random)
}

impl crate::merge::LwwPatch for DistrictInfoPatch {}

/// See the module documentation.
pub struct DistrictInfo;

impl Kind for DistrictInfo {
    type Body = DistrictInfoPatch;
    type Merge = FieldLww;
    const KIND: RecordKind = RecordKind::DistrictInfo;
    const AUDIENCE: Audience = Audience::District;
    const NEEDS_DISTRICT: bool = true;
    const LABEL_JA: &'static str = "地区の連絡先";

    fn describe_ja(body: &DistrictInfoPatch) -> String {
        [
            &body.sc_name,
            &body.sc_phone,
            &body.center_name,
            &body.center_phone,
        ]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect::<Vec<_>>()
        .join(" ")
    }

    fn parent(_: &DistrictInfoPatch) -> Option<(RecordKind, RecordId)> {
        None
    }

    fn validate(body: &DistrictInfoPatch, _: &Change, _: &dyn Context, errors: &mut Errors) {
        for (field, value) in [
            ("sc_name", &body.sc_name),
            ("center_name", &body.center_name),
        ] {
            if let Some(value) = value {
                errors.text(field, value, MAX_NAME_CHARS, false);
            }
        }
        for (field, value) in [
            ("sc_phone", &body.sc_phone),
            ("center_phone", &body.center_phone),
        ] {
            if let Some(phone) = value {
                errors.phone(field, phone);
            }
        }
    }

    /// Only the district's own record, under its own id ([`Kind::fixed_id`], checked with
    /// every kind's); every field may be empty until the coordinator fills it in.
    fn validate_record(
        _: &DistrictInfoPatch,
        _: &Change,
        _: bool,
        _: &dyn Context,
        _: &mut Errors,
    ) {
    }

    fn may_change(actor: Actor<'_>, _: Side<'_, LwwRecord>) -> bool {
        actor.role == Role::Coordinator
    }

    fn fixed_id(district: DistrictId) -> Option<RecordId> {
        Some(district_info_id(district))
    }

    fn sample(n: u64, _: UserId, _: i64, _: Option<RecordId>) -> DistrictInfoPatch {
        DistrictInfoPatch {
            sc_name: Some("高崎 花子".into()),
            sc_phone: n
                .is_multiple_of(2)
                .then(|| format!("027-000-{:04}", n % 10_000)),
            center_name: Some("あんしんセンター".into()),
            center_phone: None,
        }
    }
}
