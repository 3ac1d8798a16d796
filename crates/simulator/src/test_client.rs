//! The OWLCMS client of every test suite (server/tests, tests/browser, the bench's smoke test):
//! a [`Connection`] whose answers are awaited one at a time, as a test reads them. It panics
//! with a message whenever the tracker does not answer in time or as expected, which is what a
//! test wants; the simulator itself uses the fallible [`Link`](crate::link::Link).

use crate::client::{Connection, LinkError, VERSION};
use crate::wire::{encode_frame, zip_of};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// How long a test waits for any single answer.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// An OWLCMS-like WebSocket client for tests.
pub struct Owlcms {
    connection: Connection,
    /// Unsolicited resource requests (428 `plugin_preconditions`) seen while awaiting replies.
    pub requests: Vec<Value>,
}

impl Owlcms {
    /// Connects to the tracker's `/ws` (panics when it cannot).
    pub async fn connect(url: &str) -> Owlcms {
        let connection = Connection::open(url, None).await.unwrap_or_else(|e| panic!("{e}"));
        Owlcms { connection, requests: Vec::new() }
    }

    /// The same client, putting this update key into every envelope.
    pub fn with_key(mut self, key: &str) -> Owlcms {
        self.connection.set_key(Some(key.to_owned()));
        self
    }

    /// Wraps a payload in the v64 envelope, adding the update key when this client has one.
    pub fn envelope(&self, kind: &str, payload: &Value) -> String {
        self.connection.envelope(kind, payload)
    }

    /// Sends a text frame as is.
    pub async fn send_raw(&mut self, text: &str) {
        self.connection.send_text(text).await.unwrap_or_else(|e| panic!("{e}"));
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.connection.send_binary(bytes).await.unwrap_or_else(|e| panic!("{e}"));
    }

    /// Sends any WebSocket message (a ping, say).
    pub async fn send(&mut self, message: Message) {
        self.connection.send(message).await.unwrap_or_else(|e| panic!("{e}"));
    }

    /// Sends a message that the tracker may refuse by closing (an oversized frame): the error
    /// is the caller's to judge.
    pub async fn try_send(&mut self, message: Message) -> Result<(), LinkError> {
        self.connection.send(message).await
    }

    /// Closes the connection as OWLCMS does when it stops.
    pub async fn close(&mut self) {
        self.connection.close().await.unwrap_or_else(|e| panic!("{e}"));
    }

    /// Sends a text frame and returns its JSON reply.
    pub async fn request_raw(&mut self, text: &str) -> Value {
        self.send_raw(text).await;
        self.reply().await
    }

    /// Sends a payload in the envelope and returns its JSON reply.
    pub async fn request(&mut self, kind: &str, payload: &Value) -> Value {
        let text = self.envelope(kind, payload);
        self.request_raw(&text).await
    }

    /// The next reply from the server (unsolicited resource requests are set aside).
    pub async fn reply(&mut self) -> Value {
        loop {
            let message = self.message().await;
            if message["reason"] == "plugin_preconditions" {
                self.requests.push(message);
            } else {
                return message;
            }
        }
    }

    /// The next unsolicited resource request from the tracker.
    pub async fn resource_request(&mut self) -> Value {
        if !self.requests.is_empty() {
            return self.requests.remove(0);
        }
        loop {
            let message = self.message().await;
            if message["reason"] == "plugin_preconditions" {
                return message;
            }
        }
    }

    /// The next JSON text frame from the server.
    async fn message(&mut self) -> Value {
        loop {
            match self.next().await {
                Some(Message::Text(text)) => return serde_json::from_str(text.as_str()).unwrap(),
                Some(Message::Ping(_) | Message::Pong(_)) => continue,
                other => panic!("expected a text reply, got {other:?}"),
            }
        }
    }

    /// The next WebSocket message, within [`PATIENCE`] (`None`: the stream ended).
    pub async fn next(&mut self) -> Option<Message> {
        tokio::time::timeout(PATIENCE, self.connection.next())
            .await
            .expect("server answered in time")
            .map(|m| m.unwrap_or_else(|e| panic!("{e}")))
    }

    /// The next WebSocket message or error, without a time limit (callers set their own).
    pub async fn next_raw(&mut self) -> Option<Result<Message, LinkError>> {
        self.connection.next().await
    }

    /// Waits until every frame sent so far was applied: frames of a connection are handled in
    /// order, so the reply to a harmless unknown-type message comes after them.
    pub async fn sync(&mut self) {
        let reply = self.request("sync", &json!({})).await;
        assert_eq!(reply["status"], 400, "sync reply: {reply}");
    }

    /// Like [`Owlcms::sync`], returning every text reply that came before the sync's own,
    /// unsolicited requests included (the tracker may ask for pictures for an attempt board a
    /// browser opened, with a 428 of its own).
    pub async fn replies_until_sync(&mut self) -> Vec<Value> {
        let text = self.envelope("sync", &json!({}));
        self.send_raw(&text).await;
        let mut before = Vec::new();
        loop {
            let reply = self.message().await;
            if reply["status"] == 400 && reply["error"].as_str().is_some_and(|e| e.contains("\"sync\"")) {
                return before;
            }
            before.push(reply);
        }
    }

    /// Expects the server to close the connection with `code`.
    pub async fn expect_close(&mut self, code: u16) {
        loop {
            match tokio::time::timeout(PATIENCE, self.connection.next()).await.expect("closed in time") {
                Some(Ok(Message::Close(Some(frame)))) => {
                    assert_eq!(u16::from(frame.code), code, "close reason: {}", frame.reason);
                    return;
                }
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected close {code}, got {other:?}"),
            }
        }
    }
}

/// A `database_zip` frame as OWLCMS sends it (`competition.json` in a ZIP).
pub fn database_zip_frame(database: &Value) -> Vec<u8> {
    crate::assets::database_frames(VERSION, database).1
}

/// A `translations_zip` frame as OWLCMS sends it (`translations.json` in a ZIP).
pub fn translations_zip_frame(translations: &Value) -> Vec<u8> {
    crate::assets::translations_frame(VERSION, translations)
}

/// A `flags_zip` frame of these files.
pub fn flags_zip_frame(entries: &[(&str, &[u8])]) -> Vec<u8> {
    encode_frame(VERSION, "flags_zip", &zip_of(entries))
}
