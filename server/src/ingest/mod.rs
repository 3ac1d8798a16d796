//! The OWLCMS WebSocket endpoint (`/ws`): one task per connection that reads frames strictly in
//! order, hands decoded inputs to the hub, and answers as OWLCMS expects (protocol §6).

mod connection;
pub mod learning;
mod loader;

use crate::assets::AssetStore;
use crate::hub::{HubHandle, Note};
use crate::protocol::archive::Limits;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use connection::{Connection, Step};
use learning::Learning;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info_span, warn};

/// Everything a connection needs, shared by all connections.
pub struct IngestContext {
    /// The hub.
    pub hub: HubHandle,
    /// Shared secret OWLCMS must send as `updateKey`, when set.
    pub update_key: Option<String>,
    /// ZIP caps.
    pub zip_limits: Limits,
    /// Most binary frames held before the connection authenticates.
    pub max_pending_frames: usize,
    /// Most bytes held before the connection authenticates.
    pub max_pending_bytes: usize,
    /// Least time between two 428 requests for the same data on one connection.
    pub request_interval: Duration,
    /// Where asset ZIPs are extracted.
    pub assets: AssetStore,
    /// Frame capture, when learning mode is on.
    pub learning: Option<Learning>,
    /// Server shutdown.
    pub shutdown: CancellationToken,
    next_id: AtomicU64,
}

impl IngestContext {
    /// Bundles the ingest settings.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        hub: HubHandle,
        update_key: Option<String>,
        zip_limits: Limits,
        max_pending: (usize, usize),
        request_interval: Duration,
        assets: AssetStore,
        learning: Option<Learning>,
        shutdown: CancellationToken,
    ) -> IngestContext {
        IngestContext {
            hub,
            update_key: update_key.filter(|k| !k.is_empty()),
            zip_limits,
            max_pending_frames: max_pending.0,
            max_pending_bytes: max_pending.1,
            request_interval,
            assets,
            learning,
            shutdown,
            next_id: AtomicU64::new(1),
        }
    }
}

/// Serves one upgraded OWLCMS connection until it closes or the server shuts down.
pub async fn serve(socket: WebSocket, peer: String, ctx: Arc<IngestContext>) {
    let id = ctx.next_id.fetch_add(1, Ordering::Relaxed);
    run(socket, id, peer, ctx).instrument(info_span!("owlcms", connection = id)).await;
}

async fn run(mut socket: WebSocket, id: u64, peer: String, ctx: Arc<IngestContext>) {
    // Bounded: unsolicited requests are rare; the hub drops one rather than wait.
    let (outbox, mut requests) = mpsc::channel(16);
    ctx.hub.note(Note::Opened { id, peer, outbox }).await;
    let mut conn = Connection::new(id, ctx.clone());
    if ctx.update_key.is_none() {
        ctx.hub.note(Note::Authenticated(id)).await;
    }
    loop {
        let step = tokio::select! {
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) => conn.on_text(text.as_str()).await,
                Some(Ok(Message::Binary(bytes))) => conn.on_binary(bytes).await,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => Step::default(),
                Some(Ok(Message::Close(frame))) => {
                    debug!(?frame, "OWLCMS closed the connection");
                    break;
                }
                Some(Err(error)) => {
                    warn!(%error, "OWLCMS connection failed");
                    // Too-large frames end here; tell the peer why when the socket still writes.
                    let close = CloseFrame { code: 1009, reason: "message too big (limit exceeded)".into() };
                    let _ = socket.send(Message::Close(Some(close))).await;
                    break;
                }
                None => break,
            },
            Some(request) = requests.recv() => Step { replies: vec![request], close: None },
            () = ctx.shutdown.cancelled() => Step { replies: vec![], close: Some((1001, "server shutting down")) },
        };
        for reply in step.replies {
            if socket.send(Message::Text(reply.to_string().into())).await.is_err() {
                break;
            }
        }
        if let Some((code, reason)) = step.close {
            let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
            break;
        }
    }
    ctx.hub.note(Note::Closed(id)).await;
}
