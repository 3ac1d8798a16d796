//! The simulator's shared handle on one OWLCMS [`Connection`], used by every simulated FOP at
//! once: frames go out in order, replies come back to whoever sent the frame, and the
//! tracker's requests for data (428 with `missing`) are answered like OWLCMS does, by sending
//! that data again. Tests, which read answers one at a time, use
//! [`Owlcms`](crate::test_client::Owlcms) on the same connection type instead.

use crate::client::Connection;
pub use crate::client::{LinkError, VERSION};
use crate::meet::Meet;
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, info, warn};

/// Frames OWLCMS sends again when the tracker asks for them.
#[derive(Debug, Clone, Default)]
pub struct Resends {
    /// `database_metadata` text frame.
    pub metadata: String,
    /// `database_zip` frame.
    pub database: Vec<u8>,
    /// When set, the database is exported afresh from the running meet on every request, as
    /// OWLCMS does (its results so far, finished sessions marked done).
    pub meet: Option<Arc<Mutex<Meet>>>,
    /// `translations_zip` frame.
    pub translations: Vec<u8>,
    /// `flags_zip` frame.
    pub flags: Vec<u8>,
    /// Answer to requests for logos or pictures (an empty ZIP each).
    pub empty: Vec<(String, Vec<u8>)>,
}

enum Outgoing {
    Text(String, Option<oneshot::Sender<Value>>),
    Binary(Vec<u8>),
}

/// A cheap handle to the connection.
#[derive(Clone)]
pub struct Link {
    tx: mpsc::Sender<Outgoing>,
    update_key: Option<String>,
}

impl Link {
    /// Connects and starts the connection task.
    pub async fn connect(url: &str, resends: Resends, update_key: Option<String>) -> Result<Link, LinkError> {
        let connection = Connection::open(url, update_key.clone()).await?;
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(run(connection, rx, resends));
        Ok(Link { tx, update_key })
    }

    /// Sends a message in the v64 envelope and waits for the tracker's reply.
    pub async fn text(&self, kind: &str, payload: Value) -> Result<Value, LinkError> {
        self.raw_text(crate::client::envelope(kind, &payload, self.update_key.as_deref())).await
    }

    /// Sends a text frame as is and waits for its reply.
    pub async fn raw_text(&self, text: String) -> Result<Value, LinkError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Outgoing::Text(text, Some(reply))).await.map_err(|_| LinkError::Closed)?;
        rx.await.map_err(|_| LinkError::Closed)
    }

    /// Sends a binary frame (no reply on success).
    pub async fn binary(&self, frame: Vec<u8>) -> Result<(), LinkError> {
        self.tx.send(Outgoing::Binary(frame)).await.map_err(|_| LinkError::Closed)
    }
}

async fn run(mut ws: Connection, mut rx: mpsc::Receiver<Outgoing>, resends: Resends) {
    // One entry per text frame sent, in order; `None` for frames whose reply nobody awaits.
    let mut waiting: VecDeque<Option<oneshot::Sender<Value>>> = VecDeque::new();
    loop {
        tokio::select! {
            out = rx.recv() => {
                let sent = match out {
                    Some(Outgoing::Text(text, reply)) => {
                        waiting.push_back(reply);
                        ws.send_text(text).await
                    }
                    Some(Outgoing::Binary(frame)) => ws.send_binary(frame).await,
                    None => break,
                };
                if let Err(error) = sent {
                    warn!(%error, "sending to the tracker failed");
                    break;
                }
            }
            incoming = ws.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                let reply: Value = serde_json::from_str(text.as_str()).unwrap_or_default();
                // Unsolicited requests (plugin resources) answer no frame of ours.
                let unsolicited = reply["reason"] == "plugin_preconditions";
                if reply["status"] == 428 {
                    resend(&mut ws, &reply, &resends, &mut waiting).await;
                }
                if !unsolicited {
                    match waiting.pop_front() {
                        Some(Some(waiter)) => { let _ = waiter.send(reply); }
                        Some(None) => {}
                        None => debug!(%reply, "reply to a binary frame"),
                    }
                }
            }
        }
    }
    let _ = ws.close().await;
}

/// What OWLCMS does on a 428: send each missing item again.
async fn resend(
    ws: &mut Connection,
    request: &Value,
    resends: &Resends,
    waiting: &mut VecDeque<Option<oneshot::Sender<Value>>>,
) {
    for missing in request["missing"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        info!(missing, "tracker asked for data; sending it");
        let frames: Vec<Message> = match missing {
            "database" | "database_zip" => {
                let (metadata, database) = match &resends.meet {
                    Some(meet) => {
                        let export = meet.lock().export();
                        crate::assets::database_frames(VERSION, &export)
                    }
                    None => (resends.metadata.clone(), resends.database.clone()),
                };
                let mut metadata: Value = serde_json::from_str(&metadata).unwrap_or_default();
                if let Some(key) = ws.key() {
                    metadata["payload"]["updateKey"] = json!(key);
                }
                vec![Message::text(metadata.to_string()), Message::binary(database)]
            }
            "translations" | "translations_zip" => vec![Message::binary(resends.translations.clone())],
            "flags" | "flags_zip" => vec![Message::binary(resends.flags.clone())],
            other => resends
                .empty
                .iter()
                .filter(|(name, _)| name == other)
                .map(|(_, f)| Message::binary(f.clone()))
                .collect(),
        };
        // Replays answer nothing: their resend frames are empty.
        for frame in frames.into_iter().filter(|f| !f.is_empty()) {
            if frame.is_text() {
                // The tracker answers the metadata frame too; that reply is for nobody.
                // It comes after the replies already awaited, and after the 428 itself.
                waiting.push_back(None);
            }
            let _ = ws.send(frame).await;
        }
    }
}
