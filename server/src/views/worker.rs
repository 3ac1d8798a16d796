//! Threads that run mappings. jq programs can recurse deeply and cannot be interrupted, so they
//! run on a few dedicated threads with large stacks, and callers stop waiting after a timeout.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::time::Duration;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Deep but finite recursion in a mapping must not overflow a thread's stack.
const STACK_BYTES: usize = 64 * 1024 * 1024;
/// Jobs waiting for a thread; beyond this, new work is refused rather than queued.
const QUEUE: usize = 256;

/// A pool of mapping threads.
#[derive(Clone)]
pub struct Workers {
    jobs: SyncSender<Job>,
    timeout: Duration,
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
        let queue = std::sync::Arc::new(parking_lot::Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("mapping-{i}"))
                .stack_size(STACK_BYTES)
                .spawn(move || {
                    loop {
                        // Held only while taking a job, never while running one.
                        let job = queue.lock().recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                })
                .expect("spawn a mapping thread");
        }
        Workers { jobs, timeout }
    }

    /// Runs `work` on a mapping thread and waits for its result at most the timeout.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, WorkerError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(result);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => return Err(WorkerError::Busy),
        }
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(_))) | Ok(Err(_)) => Err(WorkerError::Crashed),
            Err(_) => Err(WorkerError::Timeout(self.timeout)),
        }
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
}
