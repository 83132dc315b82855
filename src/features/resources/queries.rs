//! What the 社会資源 screens read from the phone's store, and the search index over it. The
//! folding and ranking are the core's `search`; NFKC is the browser's own (the core says why).

use mimamori_core::kinds::{Category, ResourcePatch};
use mimamori_core::record::{Body, DistrictId, RecordId, RecordKind};
use mimamori_core::search::{self, Field, Tier};

use crate::store::{LocalRecord, Store};

/// An entry this phone holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceItem {
    pub id: RecordId,
    /// `None`: city-wide.
    pub district: Option<DistrictId>,
    pub entry: ResourcePatch,
    /// What an edit of it has seen.
    pub base: Option<mimamori_core::hlc::Hlc>,
}

impl ResourceItem {
    pub fn name(&self) -> String {
        self.entry.name.clone().unwrap_or_default()
    }

    pub fn categories_ja(&self) -> String {
        self.entry
            .categories
            .iter()
            .flatten()
            .map(|c| c.label_ja())
            .collect::<Vec<_>>()
            .join("・")
    }

    pub fn has_category(&self, code: &str) -> bool {
        self.entry
            .categories
            .iter()
            .flatten()
            .any(|c| c.code() == code)
    }

    pub fn public(&self) -> bool {
        self.entry.public == Some(true)
    }

    /// The original text of a searched field (what [`index`] folded as `field`).
    pub fn field_text(&self, field: u8) -> String {
        let e = &self.entry;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match field {
            NAME => self.name(),
            KANA => text(&e.kana),
            CATEGORIES => self.categories_ja(),
            OPERATOR => text(&e.operator),
            AUDIENCE => text(&e.audience),
            WHEN => text(&e.when),
            ADDRESS => text(&e.address),
            _ => text(&e.description),
        }
    }
}

/// The searched fields, by the id the core's search reports.
pub const NAME: u8 = 0;
pub const KANA: u8 = 1;
pub const CATEGORIES: u8 = 2;
pub const OPERATOR: u8 = 3;
pub const AUDIENCE: u8 = 4;
pub const WHEN: u8 = 5;
pub const ADDRESS: u8 = 6;
pub const DESCRIPTION: u8 = 7;

const FIELDS: [(u8, Tier); 8] = [
    (NAME, Tier::Title),
    (KANA, Tier::Title),
    (CATEGORIES, Tier::Label),
    (OPERATOR, Tier::Label),
    (AUDIENCE, Tier::Label),
    (WHEN, Tier::Body),
    (ADDRESS, Tier::Body),
    (DESCRIPTION, Tier::Body),
];

/// Unicode NFKC by the browser (`String.prototype.normalize`).
pub fn browser_nfkc(text: &str) -> String {
    js_sys::JsString::from(text).normalize("NFKC").into()
}

/// Each entry's searched fields, folded once when the screen opens.
pub fn index(items: &[ResourceItem]) -> Vec<Vec<Field>> {
    items
        .iter()
        .map(|item| {
            FIELDS
                .iter()
                .map(|(id, tier)| Field {
                    id: *id,
                    tier: *tier,
                    folded: search::fold(&item.field_text(*id), &browser_nfkc),
                })
                .filter(|f| !f.folded.is_empty())
                .collect()
        })
        .collect()
}

fn resource_item(record: &LocalRecord) -> Option<ResourceItem> {
    let state = record.live()?;
    match state.current()? {
        Body::Resource(entry) => Some(ResourceItem {
            id: record.id.parse().ok()?,
            district: record.district_id,
            entry,
            base: state.newest_stamp(),
        }),
        _ => None,
    }
}

/// Every live entry this phone holds, by reading.
pub async fn resources(store: &Store) -> Vec<ResourceItem> {
    let mut all: Vec<ResourceItem> = store
        .records_of_kind(RecordKind::Resource)
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(resource_item)
        .collect();
    mimamori_core::order::sort_by_key(&mut all, |item| {
        item.entry.kana.clone().or_else(|| item.entry.name.clone())
    });
    all
}

/// One entry, if this phone holds it.
pub async fn resource(store: &Store, id: RecordId) -> Option<ResourceItem> {
    resource_item(&store.record(&id.to_string()).await.ok()??)
}

/// The categories to filter by, as the screen's chips name them.
pub fn category_codes() -> impl Iterator<Item = (&'static str, &'static str)> {
    Category::ALL.iter().map(|c| (c.code(), c.label_ja()))
}

/// Whether `me` keeps the entries of `district` (none: city-wide), as the kind permits.
pub fn keeps(me: &mimamori_core::api::Me, district: Option<DistrictId>) -> bool {
    use mimamori_core::account::Role;
    match (me.role, district) {
        (Role::Coordinator, Some(d)) => me.districts.contains(&d),
        (Role::City, None) => true,
        _ => false,
    }
}
