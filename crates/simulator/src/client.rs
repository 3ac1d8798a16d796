//! One OWLCMS WebSocket connection to a tracker's `/ws`: what OWLCMS sends (v64 JSON envelopes
//! carrying the update key, versioned binary frames) and the raw messages the tracker answers
//! with (JSON replies, 428 requests, pongs, close frames). The simulator's shared
//! [`Link`](crate::link::Link) drives one from its task; the test suites drive one directly
//! through [`Owlcms`](crate::test_client::Owlcms).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Protocol version OWLCMS 64 sends, and the simulator claims.
pub const VERSION: &str = "64.0.0";

/// The connection failed or the tracker went away.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Could not connect.
    #[error("cannot connect to {url}: {error}")]
    Connect {
        /// Tracker URL.
        url: String,
        /// Why.
        error: String,
    },
    /// A frame could not be written (the tracker closed the connection or the socket failed).
    #[error("sending to the tracker failed: {0}")]
    Send(String),
    /// The connection closed.
    #[error("the tracker closed the connection")]
    Closed,
}

/// A text frame in the v64 envelope; the update key, when given, goes into an object payload
/// (replacing any there), as OWLCMS puts its configured key in every message.
pub fn envelope(kind: &str, payload: &Value, key: Option<&str>) -> String {
    let mut payload = payload.clone();
    if let (Some(key), Some(map)) = (key, payload.as_object_mut()) {
        map.insert("updateKey".into(), json!(key));
    }
    json!({"version": VERSION, "type": kind, "payload": payload}).to_string()
}

/// An open connection.
pub struct Connection {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    key: Option<String>,
}

impl Connection {
    /// Connects to `ws://host:port/ws`; messages built by [`Connection::envelope`] carry `key`.
    pub async fn open(url: &str, key: Option<String>) -> Result<Connection, LinkError> {
        // OWLCMS sends pictures ZIPs of many MiB; the tracker's own limit is what tests probe.
        let mut config = WebSocketConfig::default();
        config.max_message_size = Some(256 << 20);
        config.max_frame_size = Some(256 << 20);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
            .await
            .map_err(|e| LinkError::Connect { url: url.to_owned(), error: e.to_string() })?;
        Ok(Connection { ws, key })
    }

    /// The update key put into envelopes.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// Changes the update key put into envelopes.
    pub fn set_key(&mut self, key: Option<String>) {
        self.key = key;
    }

    /// A payload in the v64 envelope with this connection's update key.
    pub fn envelope(&self, kind: &str, payload: &Value) -> String {
        envelope(kind, payload, self.key())
    }

    /// Sends any WebSocket message as is (pings, oversized or malformed frames).
    pub async fn send(&mut self, message: Message) -> Result<(), LinkError> {
        self.ws.send(message).await.map_err(|e| LinkError::Send(e.to_string()))
    }

    /// Sends a text frame as is.
    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<(), LinkError> {
        self.send(Message::text(text.into())).await
    }

    /// Sends a binary frame (see [`encode_frame`](crate::wire::encode_frame)).
    pub async fn send_binary(&mut self, frame: Vec<u8>) -> Result<(), LinkError> {
        self.send(Message::binary(frame)).await
    }

    /// The next message from the tracker, `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<Message, LinkError>> {
        self.ws.next().await.map(|m| m.map_err(|_| LinkError::Closed))
    }

    /// Closes the connection (a close frame without a code, as OWLCMS does on shutdown).
    pub async fn close(&mut self) -> Result<(), LinkError> {
        self.ws.close(None).await.map_err(|e| LinkError::Send(e.to_string()))
    }
}
