//! Following a JetStream key-value bucket on a relay: last values first, then every change in
//! order, the watch reopened after NATS comes back, until shutdown. One loop for the views',
//! FOPs', catalogue and files buckets.

use async_nats::jetstream::kv::{Entry, Store};
use futures_util::StreamExt;
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// Wait before reopening a lost watch.
pub const RETRY: Duration = Duration::from_millis(500);

/// Calls `on` with each entry of `bucket` (`what` names it in logs), one at a time and in
/// order, from its last values on; returns at `shutdown`.
pub async fn each_entry<F, Fut>(bucket: &Store, what: &str, shutdown: &CancellationToken, mut on: F)
where
    F: FnMut(Entry) -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        match bucket.watch_with_history(">").await {
            Ok(mut watch) => loop {
                let entry = tokio::select! {
                    () = shutdown.cancelled() => return,
                    entry = watch.next() => entry,
                };
                match entry {
                    Some(Ok(entry)) => on(entry).await,
                    Some(Err(_)) | None => break,
                }
            },
            Err(error) => debug!(%error, "{what} watch not open yet"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(RETRY) => {}
        }
    }
}
