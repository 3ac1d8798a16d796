//! Threads that run mappings. jq programs can recurse deeply, so they run on a few dedicated
//! threads with large stacks. Mappings stop themselves at their time limit; for work that
//! cannot be stopped, callers stop waiting after a timeout and a new thread takes the stuck
//! one's place (it retires when its job ends), so a stuck job never costs other views a thread.

use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;
use tokio::sync::oneshot;

/// A job; it returns whether its thread must retire (a replacement took its place).
type Job = Box<dyn FnOnce() -> bool + Send>;

/// Deep but finite recursion in a mapping must not overflow a thread's stack.
const STACK_BYTES: usize = 64 * 1024 * 1024;
/// Jobs waiting for a thread; beyond this, new work is refused rather than queued.
const QUEUE: usize = 256;
/// Most replacement threads alive at once: jobs that never end each keep one busy.
const MAX_REPLACEMENTS: usize = 4;
/// Longest a job waits for a thread (all busy, or stuck) before it is refused as `Busy`.
const QUEUE_WAIT: Duration = Duration::from_secs(30);

/// A pool of mapping threads.
#[derive(Clone)]
pub struct Workers {
    jobs: SyncSender<Job>,
    queue: Arc<Mutex<Receiver<Job>>>,
    timeout: Duration,
    /// Replacement threads started and not retired yet.
    replacements: Arc<AtomicUsize>,
    /// Threads started in all (for tests and diagnostics).
    started: Arc<AtomicUsize>,
}

/// Why a job produced no result.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// Still running after the timeout (the thread keeps running; the result is dropped).
    #[error("the mapping took longer than {0:?} (an endless loop?)")]
    Timeout(Duration),
    /// All threads busy and the queue full.
    #[error("too many mappings waiting to run")]
    Busy,
    /// The job panicked.
    #[error("the mapping crashed")]
    Crashed,
}

impl Workers {
    /// Starts `threads` workers.
    pub fn start(threads: usize, timeout: Duration) -> Workers {
        let (jobs, queue) = sync_channel::<Job>(QUEUE);
        let workers = Workers {
            jobs,
            queue: Arc::new(Mutex::new(queue)),
            timeout,
            replacements: Arc::default(),
            started: Arc::default(),
        };
        for _ in 0..threads.max(1) {
            workers.spawn_thread();
        }
        workers
    }

    fn spawn_thread(&self) {
        let (queue, replacements) = (self.queue.clone(), self.replacements.clone());
        let i = self.started.fetch_add(1, Ordering::Relaxed);
        let spawned =
            std::thread::Builder::new().name(format!("mapping-{i}")).stack_size(STACK_BYTES).spawn(move || {
                loop {
                    // Held only while taking a job, never while running one.
                    let job = queue.lock().recv();
                    let Ok(job) = job else { break };
                    if job() {
                        replacements.fetch_sub(1, Ordering::Relaxed);
                        break;
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start a mapping thread");
        }
    }

    /// Threads started since the pool was created, replacements included.
    pub fn threads_started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Runs `work` on a mapping thread and waits for its result at most the timeout, counted
    /// from the moment a thread starts it.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, WorkerError> {
        let (tx, rx) = oneshot::channel();
        let (started_tx, started_rx) = oneshot::channel::<()>();
        let abandoned = Arc::new(AtomicBool::new(false));
        let retire = abandoned.clone();
        let job: Job = Box::new(move || {
            let _ = started_tx.send(());
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(result);
            retire.load(Ordering::Acquire)
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => return Err(WorkerError::Busy),
        }
        // Time in the queue is not time running: when many views are recomputed at once (an
        // update with a thousand boards open, a slow machine), the last job waits for a while,
        // and counting that wait made the soak take busy moments for endless mappings (and
        // stop their plugins until edited).
        match tokio::time::timeout(QUEUE_WAIT, started_rx).await {
            Ok(Ok(())) => {}
            // Dropped without running: the pool is gone.
            Ok(Err(_)) => return Err(WorkerError::Crashed),
            Err(_) => return Err(WorkerError::Busy),
        }
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(_))) | Ok(Err(_)) => Err(WorkerError::Crashed),
            Err(_) => {
                self.replace_stuck(&abandoned);
                Err(WorkerError::Timeout(self.timeout))
            }
        }
    }

    /// A job is still running after the timeout: a new thread takes its thread's place, and
    /// that thread retires when the job ends. Bounded: endless jobs each keep a thread.
    fn replace_stuck(&self, abandoned: &AtomicBool) {
        let taken = self
            .replacements
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < MAX_REPLACEMENTS).then_some(n + 1));
        if taken.is_err() {
            tracing::error!(
                stuck = MAX_REPLACEMENTS,
                "mapping threads stuck in jobs that do not end; no more replacements"
            );
            return;
        }
        // Waiting jobs may have started it already: then it is not stuck in this job.
        abandoned.store(true, Ordering::Release);
        tracing::warn!("a mapping thread is stuck past the timeout; starting a replacement");
        self.spawn_thread();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn results_timeouts_and_panics() {
        let workers = Workers::start(2, Duration::from_millis(300));
        assert_eq!(workers.run(|| 6 * 7).await.unwrap(), 42);
        let slow = workers.run(|| std::thread::sleep(Duration::from_secs(1))).await;
        assert!(matches!(slow, Err(WorkerError::Timeout(_))));
        assert_eq!(workers.run(|| 1).await.unwrap(), 1, "the other thread still serves");
        // A generous timeout: printing a panic (with RUST_BACKTRACE) can take a while.
        let patient = Workers::start(1, Duration::from_secs(20));
        let crashed = patient.run(|| panic!("boom")).await;
        assert!(matches!(crashed, Err(WorkerError::Crashed)), "{crashed:?}");
        assert_eq!(patient.run(|| 2).await.unwrap(), 2, "the thread survives the panic");
    }

    #[tokio::test]
    async fn waiting_for_a_thread_does_not_count_as_running() {
        let workers = Workers::start(1, Duration::from_millis(300));
        // Three 200 ms jobs on one thread: the last one starts after 400 ms in the queue.
        let job = || std::thread::sleep(Duration::from_millis(200));
        let (a, b, c) = tokio::join!(workers.run(job), workers.run(job), workers.run(job));
        assert!(a.is_ok() && b.is_ok() && c.is_ok(), "{a:?} {b:?} {c:?}");
        assert_eq!(workers.threads_started(), 1, "no thread was taken for stuck");
    }

    #[tokio::test]
    async fn a_stuck_thread_is_replaced_and_retires_when_its_job_ends() {
        let workers = Workers::start(1, Duration::from_millis(200));
        let release = Arc::new(AtomicBool::new(false));
        let hold = release.clone();
        let stuck = workers
            .run(move || {
                while !hold.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
            .await;
        assert!(matches!(stuck, Err(WorkerError::Timeout(_))));
        assert_eq!(workers.threads_started(), 2, "a replacement started");
        assert_eq!(workers.run(|| 7).await.unwrap(), 7, "the replacement serves while the old thread is stuck");
        release.store(true, Ordering::Release);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(workers.replacements.load(Ordering::Relaxed), 0, "the stuck thread retired");
        assert_eq!(workers.run(|| 8).await.unwrap(), 8);
    }
}
