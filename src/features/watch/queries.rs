//! What the 見守り screens read from the phone's store, as typed values.

use mimamori_core::kinds::State;
use mimamori_core::merge::LwwRecord;
use mimamori_core::record::{RecordId, RecordKind};
use mimamori_core::watch::{
    resident_row, sort_residents, visit_history, visit_of, ResidentRow, VisitLine,
};

use crate::local_time;
use crate::store::{Store, StoreError};

/// The residents this phone holds, in 五十音 order.
pub async fn residents(store: &Store) -> Result<Vec<ResidentRow>, StoreError> {
    let records = store.records_of_kind(RecordKind::Resident).await?;
    let mut rows: Vec<ResidentRow> = records
        .iter()
        .filter_map(|record| {
            let id = record.id.parse().ok()?;
            resident_row(id, &record.live()?)
        })
        .collect();
    sort_residents(&mut rows);
    Ok(rows)
}

/// One resident as their page shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentView {
    pub row: ResidentRow,
    /// The merged record, with its conflicts (for the SC).
    pub record: LwwRecord,
    pub visits: Vec<VisitLine>,
}

/// The resident `id` and their visits, newest first; `None` when this phone does not hold
/// them (any more).
pub async fn resident(store: &Store, id: RecordId) -> Result<Option<ResidentView>, StoreError> {
    let Some(record) = store.record(&id.to_string()).await? else {
        return Ok(None);
    };
    let Some(state) = record.live() else {
        return Ok(None);
    };
    let (Some(row), State::Resident(merged)) = (resident_row(id, &state), state) else {
        return Ok(None);
    };
    let visits = store
        .children_of(id)
        .await?
        .into_iter()
        .filter_map(|visit| {
            let visit_id = visit.id.parse().ok()?;
            Some((visit_id, visit_of(&visit.live()?)?))
        });
    let visits = visit_history(
        visits,
        |ms| local_time::minute_at(ms as f64),
        local_time::today(),
    );
    Ok(Some(ResidentView {
        row,
        record: merged,
        visits,
    }))
}
