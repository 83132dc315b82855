//! What the IndexedDB tests share: a fresh database with a volunteer signed in, and the
//! records they save.
// Each test binary uses part of it.
#![allow(dead_code)]

use mimamori::store::{Draft, Session, Store};
use mimamori_core::account::Role;
use mimamori_core::api::Me;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{Consent, Outcome, ResidentPatch, VisitBody, VisitMethod};
use mimamori_core::record::{Body, Change, DeviceId, DistrictId, RecordId, UserId};

/// Late November 2026, when these tests were written: consent dates are in the past.
pub const NOW_MS: f64 = 1_764_000_000_000.0;
pub const VOLUNTEER: UserId = UserId(3);
pub const PHONE: DeviceId = DeviceId(4);

/// A fresh database with a volunteer of district 1 signed in.
pub async fn fresh(test: &str) -> (Store, String) {
    fresh_in(test, &[DistrictId(1)]).await
}

/// A fresh database with a volunteer of `districts` signed in.
pub async fn fresh_in(test: &str, districts: &[DistrictId]) -> (Store, String) {
    let name = format!("mimamori-sync-{test}-{}", js_sys::Math::random());
    let store = Store::open_named(&name, mimamori::store::SCHEMA_VERSION)
        .await
        .unwrap();
    store
        .save_session(&Session {
            token: "t".into(),
            me: Me {
                user_id: VOLUNTEER,
                device_id: PHONE,
                login_id: "v1".into(),
                display_name: "ボランティア".into(),
                role: Role::Volunteer,
                districts: districts.to_vec(),
                must_change_password: false,
            },
            districts: Vec::new(),
            people: Vec::new(),
            all_districts: Vec::new(),
        })
        .await
        .unwrap();
    (store, name)
}

pub fn new_resident(name: &str) -> Draft {
    Draft::new(Body::Resident(ResidentPatch {
        name: Some(name.into()),
        assigned_volunteers: Some([VOLUNTEER].into_iter().collect()),
        consent: Some(Consent {
            date: CivilDate::new(2025, 11, 1).unwrap(),
            scope: "見守り".into(),
            share_with_center: false,
            taken_by: VOLUNTEER,
        }),
        ..ResidentPatch::default()
    }))
}

pub fn visit_to(resident: RecordId, note: &str) -> Draft {
    Draft::new(Body::Visit(VisitBody {
        resident_id: resident,
        visited_at_ms: NOW_MS as i64 - 60_000,
        visitors: vec![VOLUNTEER],
        method: VisitMethod::Met,
        outcome: Outcome::Fine,
        signs: Default::default(),
        needs: Default::default(),
        actions: Default::default(),
        referred_resources: vec![],
        resources_note: String::new(),
        follow_up: None,
        note: note.into(),
    }))
}

/// Saves as the app does, with fresh randomness for the record id.
pub async fn save(store: &Store, draft: Draft, at: f64) -> Change {
    let random = std::array::from_fn(|_| (js_sys::Math::random() * 256.0) as u8);
    store.save_made_here(draft, at, random).await.unwrap()
}
