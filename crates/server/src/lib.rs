//! mimamori-server: the sync API and the built PWA, over one storage trait.

pub mod accounts;
pub mod admin;
pub mod connections;
pub mod demo;
mod demo_district;
mod demo_resources;
mod demo_salons;
pub mod gate;
pub mod http;
pub mod ical;
pub mod proxy;
pub mod pwa;
pub mod storage;
pub mod throttle;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;

/// Everything `serve` needs; the CLI fills it from flags and `MIMAMORI_*` variables.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub static_dir: Option<PathBuf>,
    /// Load the demo districts when the database has none.
    pub demo: bool,
    /// With `demo`: also the demo district's residents, visits and follow-ups.
    pub demo_records: bool,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: proxy::TrustedProxies,
    pub limits: connections::ConnectionLimits,
}

/// Runs the server until SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let storage = storage::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    if config.demo {
        demo::load(storage.as_ref(), config.demo_records).await?;
    }
    let pwa = match &config.static_dir {
        Some(dir) => {
            let dir = dir.clone();
            let pwa = Arc::new(tokio::task::spawn_blocking(move || pwa::Pwa::load(&dir)).await??);
            tracing::info!(build = pwa.build_id(), "serving the PWA");
            let compressing = pwa.clone();
            std::thread::spawn(move || {
                compressing.compress_all();
                tracing::info!("PWA files compressed");
            });
            Some(pwa)
        }
        None => None,
    };
    let state = http::AppState::new(storage.clone(), pwa)
        .with_trusted_proxies(config.trusted_proxies.clone());
    let app = http::router(state);

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "mimamori-server ready");
    println!("mimamori-server: listening on http://{address}/");

    connections::serve(
        listener,
        app,
        config.limits,
        config.trusted_proxies,
        async {
            shutdown_signal().await;
            tracing::info!("shutting down: finishing requests in flight");
        },
    )
    .await;
    storage.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
