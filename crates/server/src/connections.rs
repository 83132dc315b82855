//! Accepting connections with limits axum's own `serve` does not set: a connection must
//! send its request headers within a deadline (or it is closed), only so many connections
//! are served at once (the next ones wait in the kernel's queue), and one address may hold
//! only a share of them (a trusted proxy excepted). Without them, 300 connections that never
//! finished their headers were all still open after 33 s, each holding a task and its buffers.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

use crate::proxy::TrustedProxies;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A connection (new, or idle between requests) must send a request's headers within
    /// this time.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one address may hold at once (a trusted proxy may hold them all).
    pub max_per_address: usize,
    /// How long requests in flight get to finish after shutdown starts.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            // Headers are a few hundred bytes: seconds even on a weak line.
            header_read_timeout: Duration::from_secs(15),
            // Far above a city's volunteers syncing at once; far below the file limit.
            max_connections: 512,
            // A phone needs one or two; an office behind one address, a few dozen.
            max_per_address: 64,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Connections open per address, and a guard that counts one while it lives.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

struct Counted(Arc<PerAddress>, IpAddr);

impl PerAddress {
    fn try_count(self: &Arc<Self>, address: IpAddr, limit: usize) -> Option<Counted> {
        let mut open = self.0.lock().expect("connection count lock");
        let count = open.entry(address).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Counted(self.clone(), address))
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = (self.0).0.lock().expect("connection count lock");
        if let Some(count) = open.get_mut(&self.1) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (within the grace period).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    trusted: TrustedProxies,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::default());
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // Take a slot before accepting: at the limit, new connections wait unaccepted.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let limit = if trusted.trusts(peer.ip()) {
            limits.max_connections
        } else {
            limits.max_per_address
        };
        let Some(counted) = per_address.try_count(peer.ip(), limit) else {
            // Closed at once: this address holds its share already.
            drop(stream);
            continue;
        };
        // Answers go out as soon as they are written: with Nagle's algorithm on, a small
        // last packet waits for the phone's delayed ACK and every sync request took ~40 ms
        // more than its work (measured by `cargo xtask bench sync`).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        // The login throttle reads the caller's address from `ConnectInfo`.
        let service = app
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let service = TowerToHyperService::new(service);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop((slot, counted));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("requests still open after {:?}; closing anyway", limits.shutdown_grace);
        }
    }
}

#[cfg(test)]
#[path = "connections_tests.rs"]
mod tests;
