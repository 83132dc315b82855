//! The salons' schedules as iCalendar feeds a family subscribes to in their phone's
//! calendar: `GET /api/v1/salons/{id}/calendar.ics` for one salon and
//! `GET /api/v1/districts/{id}/salons.ics` for a district's. Salons are public information
//! (the newsletter prints them), so these need no account; the feed holds what the
//! newsletter says and never a member's name (`crate::ical`).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{SalonPatch, State as RecordState};
use mimamori_core::record::{Body, DistrictId, RecordId, RecordKind};

use super::error::{ApiError, ApiPath, ApiResult};
use super::AppState;
use crate::storage::{SharedRecord, SharedScope};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/salons/{id}/calendar.ics", get(salon_feed))
        .route("/districts/{id}/salons.ics", get(district_feed))
}

async fn salon_feed(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RecordId>,
) -> ApiResult<impl IntoResponse> {
    let salons = salons(
        state
            .storage
            .shared_records(RecordKind::Salon, SharedScope::Record(id))
            .await?,
    );
    let Some((_, salon)) = salons.first() else {
        return Err(ApiError::NotFound);
    };
    let name = salon.name.clone().unwrap_or_else(|| "サロン".into());
    Ok(calendar(&state, &name, &salons))
}

async fn district_feed(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let district = state
        .storage
        .list_districts()
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(ApiError::NotFound)?;
    let salons = salons(
        state
            .storage
            .shared_records(
                RecordKind::Salon,
                SharedScope::District(DistrictId(district.id)),
            )
            .await?,
    );
    Ok(calendar(
        &state,
        &format!("{}のサロン・居場所", district.name),
        &salons,
    ))
}

fn salons(records: Vec<SharedRecord>) -> Vec<(RecordId, SalonPatch)> {
    records
        .into_iter()
        .filter_map(|record| match (record.state, record.id) {
            (state @ RecordState::Salon(_), id) => match state.current() {
                Some(Body::Salon(salon)) => Some((id, salon)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn calendar(state: &AppState, name: &str, salons: &[(RecordId, SalonPatch)]) -> impl IntoResponse {
    let now_ms = (state.clock)();
    // The sessions are Japan's dates (UTC+9, no daylight time).
    let today = CivilDate::from_days_since_epoch((now_ms + 9 * 3_600_000).div_euclid(86_400_000));
    let text = crate::ical::salons_calendar(name, salons, today, &utc_stamp(now_ms));
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"salons.ics\"",
            ),
        ],
        text,
    )
}

/// `YYYYMMDDTHHMMSSZ`, the UTC form iCalendar stamps take.
fn utc_stamp(now_ms: i64) -> String {
    let date = CivilDate::from_days_since_epoch(now_ms.div_euclid(86_400_000));
    let seconds = now_ms.rem_euclid(86_400_000) / 1000;
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        date.year,
        date.month,
        date.day,
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}
