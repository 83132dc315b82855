//! The HTTP surface: `/api/v1/…` grouped by resource, and the PWA's files for everything else.

pub mod auth;
mod devices;
mod districts;
pub mod error;
mod health;
mod public;
mod resources;
mod salons;
mod sync;

use std::sync::Arc;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::gate::PasswordGate;
use crate::proxy::TrustedProxies;
use crate::pwa::Pwa;
use crate::storage::Storage;
use crate::throttle::LoginThrottle;
use error::ApiError;

/// The largest request body the API reads. Bigger bodies get 413 before any parsing.
/// Room for a full push batch (500 changes) even with every note at its longest in
/// four-byte characters; the app halves a batch that still gets 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A request body that takes longer than this to arrive is cut off: a full push batch
/// crosses a weak line in seconds, and a body sent a byte a second would hold a
/// connection (and its buffer) for days.
const BODY_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// The built PWA, when this server serves one (`--static`).
    pub pwa: Option<Arc<Pwa>>,
    pub throttle: Arc<LoginThrottle>,
    /// Bounds the password checks running at once.
    pub password_gate: Arc<PasswordGate>,
    /// Proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Now, in milliseconds since the Unix epoch: the system clock, or a simulation's.
    pub clock: Clock,
}

/// Where the server reads the time that pushed stamps are judged by.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

fn system_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, pwa: Option<Arc<Pwa>>) -> Self {
        Self {
            storage,
            pwa,
            throttle: Arc::default(),
            password_gate: Arc::default(),
            trusted_proxies: Arc::default(),
            clock: Arc::new(system_clock),
        }
    }

    /// A clock other than the system's (the simulation runs its own time).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    pub fn with_password_gate(mut self, gate: PasswordGate) -> Self {
        self.password_gate = Arc::new(gate);
        self
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
        .merge(salons::routes())
        .merge(resources::routes())
        .merge(sync::routes())
        .merge(extra)
        // Must come after every route: it is applied to the routes that exist when called.
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(axum::middleware::map_response(error::json_errors_only))
        // Answers name residents and carry tokens: no browser or proxy cache may keep them
        // outside the IndexedDB that revocation wipes.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    Router::new()
        .nest("/api/v1", api)
        .route(
            "/public/resources",
            axum::routing::get(public::resources_page),
        )
        .fallback(crate::pwa::serve)
        .with_state(state)
        // On every answer, the PWA's files included.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // No one may frame the app to trick a tap (clickjacking).
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
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
mod hardening_tests;
#[cfg(test)]
mod probe_tests;
#[cfg(test)]
mod resources_tests;
#[cfg(test)]
mod salons_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod test_support;
