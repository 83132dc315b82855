//! The envelope every synced record travels in, whatever its kind.
//!
//! A record is made on a device with a UUIDv7 id, so a re-sent create is the same row and
//! never a duplicate. Each change carries the author's device clock stamp; the pair
//! (record id, stamp) names a change, which makes applying it twice the same as once.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::Hlc;

pub use crate::kinds::{Body, RecordKind};

/// A record's id: a UUIDv7 made on the device (time-ordered, so indexes stay compact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Uuid", into = "Uuid")]
pub struct RecordId(Uuid);

impl RecordId {
    /// A new id from the time and ten random bytes (the caller owns the randomness).
    pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
        Self(uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid())
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl TryFrom<Uuid> for RecordId {
    type Error = &'static str;

    fn try_from(id: Uuid) -> Result<Self, Self::Error> {
        if id.get_version_num() == 7 {
            Ok(Self(id))
        } else {
            Err("record ids are UUIDv7")
        }
    }
}

impl From<RecordId> for Uuid {
    fn from(id: RecordId) -> Self {
        id.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for RecordId {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map_err(|_| "not a UUID")?.try_into()
    }
}

macro_rules! server_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

server_id!(
    /// A 第2層協議体, numbered by the server.
    DistrictId
);
server_id!(
    /// A person with an account, numbered by the server.
    UserId
);
server_id!(
    /// A logged-in phone or browser, numbered by the server at login; also the node of the
    /// device's clock.
    DeviceId
);

/// One change to one record, as a device makes it and as the server stores and relays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub id: RecordId,
    /// The district the record belongs to; `None` for a city-wide record (where its kind
    /// allows one). Left out of the JSON when `None`, so that every change made before
    /// city-wide records existed keeps exactly its JSON (and its fingerprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_id: Option<DistrictId>,
    pub author: UserId,
    pub device: DeviceId,
    /// The author's clock when the change was made; with `id`, the change's identity.
    pub stamp: Hlc,
    /// The newest stamp of the record as the author saw it before editing (`None` for a
    /// create): a field changed since then by someone else is a conflict worth showing.
    #[serde(default)]
    pub base: Option<Hlc>,
    #[serde(default)]
    pub deleted: bool,
    pub body: Body,
}

impl Change {
    pub fn kind(&self) -> RecordKind {
        self.body.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_refuse_other_versions() {
        let id = RecordId::new_v7(1_764_000_000_000, [7; 10]);
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(id.to_string().parse::<RecordId>().unwrap(), id);
        let v4 = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert!(v4.parse::<RecordId>().is_err());
        assert!(serde_json::from_str::<RecordId>(&format!("\"{v4}\"")).is_err());
    }

    #[test]
    fn a_changes_json_is_stable_so_its_fingerprint_is() {
        // The server compares replays by the SHA-256 of this JSON: changing the form of an
        // existing change (field order, names, a default written out) would refuse every
        // honest replay after an update. Add fields only as omitted-when-default.
        let change = Change {
            id: "019ab000-0000-7000-8000-000000000001".parse().unwrap(),
            district_id: Some(DistrictId(1)),
            author: UserId(3),
            device: DeviceId(4),
            stamp: "0001764000000000-00000000-0000000000000004"
                .parse()
                .unwrap(),
            base: None,
            deleted: false,
            body: Body::Resident(crate::kinds::ResidentPatch {
                name: Some("高崎 花子".into()),
                ..Default::default()
            }),
        };
        assert_eq!(
            serde_json::to_string(&change).unwrap(),
            r#"{"id":"019ab000-0000-7000-8000-000000000001","district_id":1,"author":3,"device":4,"stamp":"0001764000000000-00000000-0000000000000004","base":null,"deleted":false,"body":{"kind":"resident","data":{"name":"高崎 花子"}}}"#
        );
    }

    #[test]
    fn ids_made_later_sort_later() {
        let earlier = RecordId::new_v7(1_000, [255; 10]);
        let later = RecordId::new_v7(1_001, [0; 10]);
        assert!(earlier < later);
    }
}
