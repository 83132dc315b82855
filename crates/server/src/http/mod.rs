//! The HTTP surface: `/api/v1/…` grouped by resource, and the PWA's files for everything else.

pub mod auth;
mod devices;
mod districts;
pub mod error;
mod health;
mod sync;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::pwa::Pwa;
use crate::storage::Storage;
use crate::throttle::LoginThrottle;
use error::ApiError;

/// The largest request body the API reads. Bigger bodies get 413 before any parsing.
/// Room for a full push batch (500 changes) even with every note at its longest in
/// four-byte characters; the app halves a batch that still gets 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// The built PWA, when this server serves one (`--static`).
    pub pwa: Option<Arc<Pwa>>,
    pub throttle: Arc<LoginThrottle>,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, pwa: Option<Arc<Pwa>>) -> Self {
        Self {
            storage,
            pwa,
            throttle: Arc::default(),
        }
    }
}

pub fn router(state: AppState) -> Router {
    router_with_api(state, Router::new())
}

/// The full router with `extra` merged into the API. Tests use it to exercise the shared
/// error handling through routes of their own; production passes an empty router.
pub fn router_with_api(state: AppState, extra: Router<AppState>) -> Router {
    let api = Router::new()
        .merge(health::routes())
        .merge(districts::routes())
        .merge(auth::routes())
        .merge(devices::routes())
        .merge(sync::routes())
        .merge(extra)
        // Must come after every route: it is applied to the routes that exist when called.
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));

    Router::new()
        .nest("/api/v1", api)
        .fallback(crate::pwa::serve)
        .with_state(state)
        .layer(
            // Method, path and status at INFO. Headers are left out on purpose: the
            // Authorization header carries a device token and must never reach a log.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod auth_tests;
#[cfg(test)]
mod sync_tests;
