//! Bounds the password checks running at once, and the memory they hold. An argon2id check
//! takes about 19 MiB and tens of milliseconds of a core: unbounded, thirty logins at once
//! took the server from about 210 MB to 736 MB. So checks run on a few threads of their
//! own (one per core), a short queue waits for a turn, and anything beyond the queue is told
//! to come back (503 with `Retry-After`).
//!
//! Each thread keeps the 19 MiB an argon2 computation needs and reuses it
//! ([`crate::accounts::Scratch`]): memory for checks is bounded by the number of threads,
//! however many sign-ins come.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::accounts::Scratch;

/// How long a queued check waits for its turn before giving up.
const LONGEST_QUEUE_WAIT: Duration = Duration::from_secs(10);
/// What `Retry-After` says to a check that found no room.
pub const RETRY_AFTER_SECS: u64 = 2;

type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

pub struct PasswordGate {
    jobs: Option<SyncSender<Job>>,
    /// Checks queued or running.
    in_flight: Arc<AtomicUsize>,
    capacity: usize,
}

impl std::fmt::Debug for PasswordGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordGate")
            .field("in_flight", &self.in_flight.load(Ordering::SeqCst))
            .field("capacity", &self.capacity)
            .finish()
    }
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
    /// `workers` threads run checks; `max_waiting` more may queue.
    pub fn new(workers: usize, max_waiting: usize) -> Self {
        let capacity = workers + max_waiting;
        if workers == 0 {
            return Self {
                jobs: None,
                in_flight: Arc::default(),
                capacity: 0,
            };
        }
        let (jobs, queue) = sync_channel::<Job>(capacity);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || work(&queue));
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password-check thread");
            }
        }
        Self {
            jobs: Some(jobs),
            in_flight: Arc::default(),
            capacity,
        }
    }

    /// Runs `check` on a password-check thread, with that thread's memory, when a turn
    /// comes; or says [`Busy`].
    pub async fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let jobs = self.jobs.as_ref().ok_or(Busy)?;
        if self.in_flight.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let (answer, answered) = tokio::sync::oneshot::channel();
        let in_flight = self.in_flight.clone();
        let deadline = Instant::now() + LONGEST_QUEUE_WAIT;
        let job: Job = Box::new(move |scratch| {
            // A check whose caller gave up is not worth the core.
            if Instant::now() < deadline {
                let _ = answer.send(check(scratch));
            }
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
        if jobs.try_send(job).is_err() {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        match tokio::time::timeout(LONGEST_QUEUE_WAIT, answered).await {
            Ok(Ok(result)) => Ok(result),
            _ => Err(Busy),
        }
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    // Made at the first check, kept for the thread's life.
    let mut scratch: Option<Scratch> = None;
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(scratch.get_or_insert_with(Scratch::default)),
            // The gate is gone (the server stopped).
            Err(_) => return,
        }
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
            move |_: &mut Scratch| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        // The first check holds its turn until released.
        let first = {
            let (gate, check) = (gate.clone(), check.clone());
            tokio::spawn(async move {
                gate.run(move |scratch| {
                    let _ = started.send(());
                    let _ = hold.recv();
                    check(scratch);
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
        while gate.in_flight.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(check.clone()).await, Err(Busy));
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(()));
        assert_eq!(second.await.unwrap(), Ok(()));
        assert_eq!(most.load(Ordering::SeqCst), 1);
        // Room again once they are done.
        assert_eq!(gate.run(|_| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn checks_run_on_the_gates_own_threads() {
        let gate = PasswordGate::new(2, 8);
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..20 {
            let name = gate
                .run(|_| std::thread::current().name().map(str::to_owned))
                .await
                .unwrap();
            names.insert(name.unwrap_or_default());
        }
        assert!(
            names.iter().all(|n| n.starts_with("password-check-")),
            "{names:?}"
        );
        assert!(names.len() <= 2);
    }
}
