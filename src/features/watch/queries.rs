//! What the 見守り screens read from the phone's store, as typed values. The rules (order,
//! due dates, how a visit is said) are the core's `watch` module; this only gathers.

use std::collections::BTreeMap;

use mimamori_core::api::Person;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{
    district_info_id, DistrictInfoPatch, Need, State, VisitBody, WatchStatus,
};
use mimamori_core::merge::{Conflict, LwwRecord};
use mimamori_core::record::{Body, DistrictId, RecordId, RecordKind, UserId};
use mimamori_core::watch::{
    self, due_date, needs_at_a_glance, open_follow_ups, visit_line, visit_of, FollowUpRow,
    LastVisit, Resident, Standing, VisitLine, WatchRow,
};

use crate::local_time;
use crate::store::{Latest, LocalRecord, Session, Store, StoreError};

/// How many of the latest visits the needs "at a glance" count.
const NEEDS_OVER_VISITS: usize = 5;

/// Who is who: the signed-in user and the people of their districts (from the session).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct People {
    pub me: Option<UserId>,
    pub my_device: Option<u64>,
    pub coordinator: bool,
    pub everyone: Vec<Person>,
}

impl People {
    pub fn of(session: Option<&Session>) -> Self {
        let Some(session) = session else {
            return Self::default();
        };
        let mut everyone = session.people.clone();
        if !everyone.iter().any(|p| p.user_id == session.me.user_id) {
            everyone.push(Person {
                user_id: session.me.user_id,
                display_name: session.me.display_name.clone(),
                role: session.me.role,
            });
        }
        Self {
            me: Some(session.me.user_id),
            my_device: Some(session.me.device_id.0 as u64),
            coordinator: session.me.role.is_coordinator(),
            everyone,
        }
    }

    /// A person's name, or 「ほかの方」 for someone no longer on the district's list.
    pub fn name(&self, user: UserId) -> String {
        self.everyone
            .iter()
            .find(|p| p.user_id == user)
            .map_or_else(|| "ほかの方".to_owned(), |p| p.display_name.clone())
    }

    /// The district's coordinators.
    pub fn coordinators(&self) -> impl Iterator<Item = &Person> {
        self.everyone.iter().filter(|p| p.role.is_coordinator())
    }

    /// The district's volunteers (co-visitors, another volunteer to hand a follow-up to).
    pub fn volunteers(&self) -> impl Iterator<Item = &Person> {
        self.everyone
            .iter()
            .filter(|p| p.role == mimamori_core::account::Role::Volunteer)
    }
}

pub async fn people(store: &Store) -> People {
    People::of(store.session().await.ok().flatten().as_ref())
}

/// The live residents this phone holds.
pub async fn residents(store: &Store) -> Result<Vec<Resident>, StoreError> {
    Ok(store
        .records_of_kind(RecordKind::Resident)
        .await?
        .iter()
        .filter_map(|record| watch::resident(record.id.parse().ok()?, &record.shown()?))
        .collect())
}

/// A resident's last visit, from the latest-child entry kept for them.
fn last_visit(entry: &Latest) -> Option<(RecordId, LastVisit)> {
    let state = State::from_json(entry.kind, entry.view.clone()).ok()?;
    let visit = visit_of(&state)?;
    Some((visit.resident_id, summary(&visit)))
}

fn summary(visit: &VisitBody) -> LastVisit {
    LastVisit {
        date: local_time::minute_at(visit.visited_at_ms as f64).date,
        outcome: visit.outcome,
        next_visit: visit.follow_up.as_ref().and_then(|p| p.next_visit),
    }
}

/// Every resident's last visit, in one read of the latest entries (never every visit).
pub async fn last_visits(store: &Store) -> Result<BTreeMap<RecordId, LastVisit>, StoreError> {
    Ok(mimamori_core::order::map_of(
        store
            .latest_children()
            .await?
            .iter()
            .filter(|entry| entry.kind == RecordKind::Visit)
            .filter_map(last_visit),
    ))
}

/// The 見守りリスト: residents being visited, 未訪問 first.
pub async fn watch_rows(store: &Store) -> Result<Vec<WatchRow>, StoreError> {
    let (residents, last) = futures::try_join!(residents(store), last_visits(store))?;
    Ok(watch::watch_list(&residents, &last, local_time::today()))
}

/// One visit in a resident's history, with its author's name.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLine {
    pub line: VisitLine,
    pub author: String,
    /// Made by the signed-in user: they may correct it.
    pub mine: bool,
}

/// A field of the resident this user changed that lost to someone else's change.
#[derive(Debug, Clone, PartialEq)]
pub struct LostEdit(pub Conflict);

/// One resident as their page shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentView {
    pub resident: Resident,
    pub district: Option<DistrictId>,
    /// The merged record, with its conflicts (for the SC).
    pub record: LwwRecord,
    pub standing: Option<Standing>,
    pub last_visit: String,
    pub history: Vec<HistoryLine>,
    pub follow_ups: Vec<FollowUpRow>,
    pub needs: Vec<(Need, usize)>,
    pub assigned_names: Vec<String>,
    pub lost_edits: Vec<LostEdit>,
    pub has_draft: bool,
    /// The directory's entries introduced at visits, the latest introduction of each first.
    pub introduced: Vec<Introduced>,
}

/// An entry of the directory introduced to a resident, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Introduced {
    pub id: RecordId,
    /// Its name, if this phone holds it.
    pub name: Option<String>,
    pub on: mimamori_core::calendar::CivilDate,
}

/// The key a visit form's draft is kept under.
pub fn visit_draft_key(resident: RecordId) -> String {
    format!("visit|{resident}")
}

/// The resident `id`, their follow-ups and visits, newest first; `None` when this phone
/// does not hold them (any more).
pub async fn resident(store: &Store, id: RecordId) -> Result<Option<ResidentView>, StoreError> {
    let Some(record) = store.record(&id.to_string()).await? else {
        return Ok(None);
    };
    let Some(state) = record.live() else {
        return Ok(None);
    };
    let Some(resident) = watch::resident(id, &state) else {
        return Ok(None);
    };
    let State::Resident(merged) = state else {
        return Ok(None);
    };
    let draft_key = visit_draft_key(id);
    let (children, people, draft) = futures::join!(
        store.children_of(id),
        people(store),
        store.form_draft(&draft_key)
    );
    let today = local_time::today();
    let mut visits: Vec<(HistoryLine, VisitBody)> = Vec::new();
    let mut follow_ups = Vec::new();
    for child in children? {
        let Some(state) = child.live() else { continue };
        let Ok(child_id) = child.id.parse::<RecordId>() else {
            continue;
        };
        match &state {
            State::Visit(change) => {
                let Body::Visit(visit) = &change.body else {
                    continue;
                };
                let line = visit_line(
                    child_id,
                    visit,
                    change.author,
                    change.stamp.wall_ms,
                    |ms| local_time::minute_at(ms as f64),
                    today,
                );
                visits.push((
                    HistoryLine {
                        line,
                        author: people.name(change.author),
                        mine: Some(change.author) == people.me,
                    },
                    visit.clone(),
                ));
            }
            State::FollowUp(_) => follow_ups.extend(FollowUpRow::from_state(child_id, &state)),
            _ => {}
        }
    }
    mimamori_core::order::sort_by(&mut visits, |a, b| {
        watch::history_order(&a.0.line, &b.0.line)
    });
    let newest: Vec<&VisitBody> = visits.iter().map(|(_, v)| v).collect();
    let needs = needs_at_a_glance(&newest, NEEDS_OVER_VISITS);
    let last = newest.first().map(|v| summary(v));
    let standing = (resident.status == WatchStatus::Active).then(|| {
        Standing::of(
            due_date(resident.interval_days, resident.registered, last, today),
            today,
        )
    });
    let mut introduced: Vec<Introduced> = Vec::new();
    for (_, visit) in &visits {
        for id in &visit.referred_resources {
            if introduced.iter().all(|i| i.id != *id) {
                introduced.push(Introduced {
                    id: *id,
                    name: crate::features::resources::queries::resource(store, *id)
                        .await
                        .map(|r| r.name()),
                    on: local_time::minute_at(visit.visited_at_ms as f64).date,
                });
            }
        }
    }
    let history: Vec<HistoryLine> = visits.into_iter().map(|(line, _)| line).collect();
    let lost_edits = people
        .my_device
        .map(|device| {
            merged
                .conflicts_newest_first()
                .into_iter()
                .filter(|c| c.losing.stamp.node == device && c.winning.stamp.node != device)
                .map(|c| LostEdit(c.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(ResidentView {
        assigned_names: resident.assigned.iter().map(|u| people.name(*u)).collect(),
        district: record.district_id,
        last_visit: watch::last_visit_text(last, today),
        standing,
        follow_ups: open_follow_ups(&follow_ups, None),
        needs,
        history,
        lost_edits,
        has_draft: matches!(draft, Ok(Some(_))),
        introduced,
        record: merged,
        resident,
    }))
}

/// A follow-up with the name of the resident it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpItem {
    pub row: FollowUpRow,
    pub resident: String,
    pub owner: String,
}

/// The open follow-ups this phone holds (of `owner`, when given), overdue first, as
/// rows: enough to count them without reading the residents they are for.
pub async fn open_follow_up_rows(
    store: &Store,
    owner: Option<UserId>,
) -> Result<Vec<FollowUpRow>, StoreError> {
    let rows: Vec<FollowUpRow> = store
        .records_of_kind(RecordKind::FollowUp)
        .await?
        .iter()
        .filter_map(|r| FollowUpRow::from_state(r.id.parse().ok()?, &r.shown()?))
        .collect();
    Ok(open_follow_ups(&rows, owner))
}

/// The open follow-ups this phone holds (of `owner`, when given), overdue first, with
/// the names of their residents and owners.
pub async fn follow_ups(
    store: &Store,
    owner: Option<UserId>,
) -> Result<Vec<FollowUpItem>, StoreError> {
    let (rows, residents, people) = futures::join!(
        open_follow_up_rows(store, owner),
        residents(store),
        people(store)
    );
    Ok(named_follow_ups(rows?, &residents?, &people))
}

/// Names follow-up rows from residents a screen has already read (the desk reads them
/// once for everything it shows).
pub fn named_follow_ups(
    rows: Vec<FollowUpRow>,
    residents: &[Resident],
    people: &People,
) -> Vec<FollowUpItem> {
    let names: BTreeMap<RecordId, &str> =
        mimamori_core::order::map_of(residents.iter().map(|r| (r.id, r.name.as_str())));
    rows.into_iter()
        .map(|row| FollowUpItem {
            resident: row
                .resident_id
                .and_then(|id| names.get(&id).map(|n| n.to_string()))
                .unwrap_or_default(),
            owner: row.owner.map(|o| people.name(o)).unwrap_or_default(),
            row,
        })
        .collect()
}

/// The district's contacts (SC and あんしんセンター), as its coordinators keep them.
pub async fn contacts(
    store: &Store,
    district: DistrictId,
) -> Result<(DistrictInfoPatch, Option<LwwRecord>), StoreError> {
    let record = store
        .record(&district_info_id(district).to_string())
        .await?
        .and_then(|r| r.live());
    Ok(match record {
        Some(State::DistrictInfo(merged)) => (merged.current().unwrap_or_default(), Some(merged)),
        _ => (DistrictInfoPatch::default(), None),
    })
}

/// The live visits logged since the start of the day `days` ago (today is 0), with their
/// ids and authors: read by time, never all 20,000 on a coordinator's phone.
pub async fn recent_visits(
    store: &Store,
    days: i64,
) -> Result<Vec<(RecordId, UserId, VisitBody)>, StoreError> {
    let since = local_time::start_of(local_time::today().add_days(-days));
    Ok(store
        .records_made_since(RecordKind::Visit, since)
        .await?
        .iter()
        .filter_map(visit_with_author)
        .collect())
}

fn visit_with_author(record: &LocalRecord) -> Option<(RecordId, UserId, VisitBody)> {
    let id = record.id.parse().ok()?;
    match record.live()? {
        State::Visit(change) => match change.body {
            Body::Visit(visit) => Some((id, change.author, visit)),
            _ => None,
        },
        _ => None,
    }
}

/// A visit record held here (to correct it), with its stamp.
pub async fn visit(
    store: &Store,
    id: RecordId,
) -> Result<Option<(VisitBody, mimamori_core::record::Change)>, StoreError> {
    Ok(store
        .record(&id.to_string())
        .await?
        .and_then(|r| r.live())
        .and_then(|state| match state {
            State::Visit(change) => match &change.body {
                Body::Visit(visit) => Some((visit.clone(), *change)),
                _ => None,
            },
            _ => None,
        }))
}

/// Today, for screens that say dates relative to it.
pub fn today() -> CivilDate {
    local_time::today()
}
