//! Bounds the password checks running at once. An argon2id check takes about 19 MiB and
//! tens of milliseconds of a core: unbounded, thirty logins at once took the server from
//! about 210 MB to 736 MB. So checks run at most one per core, a short queue waits for a
//! turn, and anything beyond the queue is told to come back (503 with `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

/// How long a queued check waits for its turn before giving up.
const LONGEST_QUEUE_WAIT: Duration = Duration::from_secs(10);
/// What `Retry-After` says to a check that found no room.
pub const RETRY_AFTER_SECS: u64 = 2;

#[derive(Debug)]
pub struct PasswordGate {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// No room now: the caller should answer 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Default for PasswordGate {
    /// One check per core, and a queue four times as long.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, cores * 4)
    }
}

impl PasswordGate {
    pub fn new(at_once: usize, max_waiting: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(at_once)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Runs `check` on a blocking thread when a turn comes, or says [`Busy`].
    pub async fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = match self.running.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(Busy);
                }
                let turn =
                    tokio::time::timeout(LONGEST_QUEUE_WAIT, self.running.clone().acquire_owned())
                        .await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match turn {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(Busy),
                }
            }
        };
        let result = tokio::task::spawn_blocking(move || {
            let _turn = permit;
            check()
        })
        .await;
        result.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checks_beyond_the_queue_are_turned_away_and_never_run_side_by_side() {
        let gate = Arc::new(PasswordGate::new(1, 1));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, first_running) = tokio::sync::oneshot::channel();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let check = {
            let (running, most) = (running.clone(), most.clone());
            move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        // The first check holds its turn until released.
        let first = {
            let (gate, check) = (gate.clone(), check.clone());
            tokio::spawn(async move {
                gate.run(move || {
                    let _ = started.send(());
                    let _ = hold.recv();
                    check();
                })
                .await
            })
        };
        first_running.await.unwrap();
        // The second queues; the third finds the queue full.
        let second = {
            let (gate, check) = (gate.clone(), check.clone());
            tokio::spawn(async move { gate.run(check).await })
        };
        while gate.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(check.clone()).await, Err(Busy));
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(()));
        assert_eq!(second.await.unwrap(), Ok(()));
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}
