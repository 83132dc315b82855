//! What the サロン screens read from the phone's store, as typed values. The rules (when a
//! salon meets, the month's figures, absences) are the core's `salons` module; this only
//! gathers.

use std::collections::BTreeMap;

use mimamori_core::calendar::CivilDate;
use mimamori_core::hlc::Hlc;
use mimamori_core::kinds::{AttendancePatch, MemberPatch, SalonPatch};
use mimamori_core::record::{Body, DistrictId, RecordId, RecordKind};
use mimamori_core::salons::{sessions, Holidays, Session, Taken};

use crate::store::{LocalRecord, Store};

/// A salon this phone holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SalonItem {
    pub id: RecordId,
    pub district: Option<DistrictId>,
    pub salon: SalonPatch,
    /// What an edit of it has seen.
    pub base: Option<Hlc>,
}

impl SalonItem {
    pub fn name(&self) -> String {
        self.salon.name.clone().unwrap_or_default()
    }

    /// Whether `me` runs it: an organiser while it runs, or a coordinator of its district.
    pub fn run_by(&self, me: &mimamori_core::api::Me) -> bool {
        let organiser = self.salon.active != Some(false)
            && self
                .salon
                .organisers
                .as_ref()
                .is_some_and(|o| o.contains(&me.user_id));
        let coordinator =
            me.role.is_coordinator() && self.district.is_some_and(|d| me.districts.contains(&d));
        organiser || coordinator
    }

    /// Its sessions dated from `from` to `to` (nothing for an ended salon).
    pub fn sessions(&self, holidays: &Holidays, from: CivilDate, to: CivilDate) -> Vec<Session> {
        match &self.salon.schedule {
            Some(schedule) if self.salon.active != Some(false) => sessions(
                schedule,
                &self.salon.exceptions_in_force(),
                &|date| holidays.name(date),
                from,
                to,
            ),
            _ => Vec::new(),
        }
    }
}

fn current(record: &LocalRecord) -> Option<(Body, Option<Hlc>)> {
    let state = record.live()?;
    Some((state.current()?, state.newest_stamp()))
}

fn salon_item(record: &LocalRecord) -> Option<SalonItem> {
    match current(record)? {
        (Body::Salon(salon), base) => Some(SalonItem {
            id: record.id.parse().ok()?,
            district: record.district_id,
            salon,
            base,
        }),
        _ => None,
    }
}

/// Every live salon this phone holds, by kana.
pub async fn salons(store: &Store) -> Vec<SalonItem> {
    let mut all: Vec<SalonItem> = store
        .records_of_kind(RecordKind::Salon)
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(salon_item)
        .collect();
    mimamori_core::order::sort_by_key(&mut all, |s| {
        (s.salon.kana.clone().unwrap_or_default(), s.name())
    });
    all
}

pub async fn salon(store: &Store, id: RecordId) -> Option<SalonItem> {
    salon_item(&store.record(&id.to_string()).await.ok()??)
}

/// A member of a salon.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: RecordId,
    pub member: MemberPatch,
    pub base: Option<Hlc>,
}

impl Member {
    pub fn name(&self) -> String {
        self.member.name.clone().unwrap_or_default()
    }

    pub fn active(&self) -> bool {
        self.member.active != Some(false)
    }
}

/// One session's attendance as held here.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub taken: AttendancePatch,
    pub base: Option<Hlc>,
}

/// What hangs from a salon: its members (by kana) and its sessions' attendance (by
/// scheduled date). Held only by its organisers and the district's coordinators.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalonRecords {
    pub members: Vec<Member>,
    pub attendance: BTreeMap<CivilDate, Attendance>,
}

impl SalonRecords {
    /// The sessions that took place with attendance taken (a cancelled one does not count,
    /// whatever was recorded for it).
    pub fn taken(&self, item: &SalonItem) -> Vec<Taken> {
        let exceptions = item.salon.exceptions_in_force();
        self.attendance
            .values()
            .filter_map(|a| a.taken.taken())
            .filter(|t| !exceptions.get(&t.scheduled).is_some_and(|e| e.cancelled))
            .collect()
    }
}

pub async fn salon_records(store: &Store, salon: RecordId) -> SalonRecords {
    let mut records = SalonRecords::default();
    for record in store.children_of(salon).await.unwrap_or_default() {
        let Some(id) = record.id.parse().ok() else {
            continue;
        };
        match current(&record) {
            Some((Body::SalonMember(member), base)) => {
                records.members.push(Member { id, member, base });
            }
            Some((Body::Attendance(taken), base)) => {
                if let Some(date) = taken.date {
                    records.attendance.insert(date, Attendance { taken, base });
                }
            }
            _ => {}
        }
    }
    mimamori_core::order::sort_by_key(&mut records.members, |m| {
        (m.member.kana.clone().unwrap_or_default(), m.name())
    });
    records
}

/// Who is signed in on this phone.
pub async fn me(store: &Store) -> Option<mimamori_core::api::Me> {
    Some(store.session().await.ok()??.me)
}

/// The volunteers of the user's districts by name (organisers are chosen from them).
#[cfg(feature = "coordinator")]
pub async fn volunteers(store: &Store) -> Vec<(mimamori_core::record::UserId, String)> {
    let people = crate::features::watch::queries::people(store).await;
    people
        .volunteers()
        .map(|p| (p.user_id, p.display_name.clone()))
        .collect()
}
