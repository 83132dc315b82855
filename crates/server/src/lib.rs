//! mimamori-server: the sync API and the built PWA, over one storage trait.

pub mod accounts;
pub mod admin;
pub mod demo;
pub mod http;
pub mod pwa;
pub mod storage;
pub mod throttle;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::serve::{Listener as _, ListenerExt as _};
use tokio::net::TcpListener;

/// Everything `serve` needs; the CLI fills it from flags and `MIMAMORI_*` variables.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub static_dir: Option<PathBuf>,
    /// Load the demo districts when the database has none.
    pub demo: bool,
}

/// How long in-flight requests get to finish after SIGINT or SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Runs the server until SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let storage = storage::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    if config.demo {
        demo::load(storage.as_ref()).await?;
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
    let app = http::router(http::AppState::new(storage.clone(), pwa));

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?
        // Answers go out as soon as they are written: with Nagle's algorithm on, a small
        // last packet waits for the phone's delayed ACK and every sync request took ~40 ms
        // more than its work (measured by `cargo xtask bench sync`).
        .tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
    let address = listener.local_addr()?;
    tracing::info!(%address, "mimamori-server ready");
    println!("mimamori-server: listening on http://{address}/");

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        // Connection info gives the login throttle the caller's address.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stop_rx.await;
        })
        .await
    });
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    let _ = stop_tx.send(());
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(result) => result??,
        Err(_) => tracing::warn!("requests still open after {SHUTDOWN_GRACE:?}; closing anyway"),
    }
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
