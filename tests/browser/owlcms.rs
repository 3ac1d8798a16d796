//! An OWLCMS stand-in for the browser tests: a WebSocket client that sends the real captured
//! payloads of `samples/owlcms/` as OWLCMS does (text envelopes and binary ZIP frames). The
//! frame building follows server/tests/common/mod.rs.

use futures_util::{SinkExt, StreamExt};
use owlcms_tracker::protocol::binary::encode_frame;
use serde_json::{Value, json};
use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The version real OWLCMS 64 sends.
pub const VERSION: &str = "64.0.0";
/// The captured session (FOP `A`).
pub const LIFTING_ORDER: &str = "ws-2025-12/2025-12-18T14-05-16-672-UPDATE-LIFTINGORDERUPDATED.json";
const DATABASE: &str = "ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json";

/// An OWLCMS-like WebSocket client.
pub struct Owlcms {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Owlcms {
    /// Connects to the tracker's `/ws`.
    pub async fn connect(url: &str) -> Owlcms {
        let mut config = WebSocketConfig::default();
        config.max_message_size = Some(256 << 20);
        config.max_frame_size = Some(256 << 20);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false).await.unwrap();
        Owlcms { ws }
    }

    /// Database, translations and flags, as OWLCMS sends them when it connects, then the
    /// captured lifting-order update: KJELLEVAND lifting, HOLME next.
    pub async fn competition(url: &str) -> Owlcms {
        let mut owlcms = Owlcms::connect(url).await;
        owlcms.send_binary(database_zip_frame()).await;
        owlcms.send_binary(translations_zip_frame()).await;
        owlcms.send_binary(flags_zip_frame()).await;
        for reply in owlcms.sync().await {
            assert_applied(&reply);
        }
        owlcms.send_applied("update", &sample(LIFTING_ORDER)).await;
        owlcms
    }

    async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::binary(bytes)).await.unwrap();
    }

    /// Sends a text frame as is and returns the JSON reply.
    pub async fn request_raw(&mut self, text: &str) -> Value {
        self.ws.send(Message::text(text)).await.unwrap();
        self.next_reply().await
    }

    /// Waits until every frame sent so far was applied: frames of a connection are handled in
    /// order, so the reply to a harmless unknown-type message comes after theirs. Returns the
    /// replies that came before it (the tracker may also ask for files, e.g. pictures for an
    /// attempt board a browser opened, with a 428 of its own).
    pub async fn sync(&mut self) -> Vec<Value> {
        let text = json!({"version": VERSION, "type": "sync", "payload": {}}).to_string();
        self.ws.send(Message::text(text)).await.unwrap();
        let mut before = Vec::new();
        loop {
            let reply = self.next_reply().await;
            if reply["status"] == 400 && reply["error"].as_str().is_some_and(|e| e.contains("\"sync\"")) {
                return before;
            }
            before.push(reply);
        }
    }

    async fn next_reply(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), self.ws.next()).await.expect("reply in time");
            match next.expect("open").unwrap() {
                Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text reply, got {other:?}"),
            }
        }
    }

    /// Sends a message and checks that every reply up to the next sync says it was applied.
    async fn send_applied(&mut self, kind: &str, payload: &Value) {
        let text = json!({"version": VERSION, "type": kind, "payload": payload}).to_string();
        self.ws.send(Message::text(text)).await.unwrap();
        let replies = self.sync().await;
        assert!(!replies.is_empty(), "no reply to {kind}");
        for reply in replies {
            assert_applied(&reply);
        }
    }

    /// A `timer` message for FOP A.
    pub async fn timer(&mut self, fields: Value) {
        let mut payload = json!({"fopName": "A", "fopState": "TIME_RUNNING", "mode": "CURRENT_ATHLETE"});
        payload.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        self.send_applied("timer", &payload).await;
    }

    /// An `update` message as captured (e.g. the next athlete called).
    pub async fn update(&mut self, payload: &Value) {
        self.send_applied("update", payload).await;
    }

    /// A `decision` message for FOP A.
    pub async fn decision(&mut self, fields: Value) {
        let mut payload = json!({"fop": "A", "mode": "CURRENT_ATHLETE"});
        payload.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        self.send_applied("decision", &payload).await;
    }
}

/// 200, or 428/202 when the tracker also asks for files (pictures, flags): messages are
/// applied in every case.
fn assert_applied(reply: &Value) {
    assert!([200, 202, 428].iter().any(|s| reply["status"] == *s), "reply: {reply}");
}

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../samples/owlcms")
}

/// A captured payload from `samples/owlcms/<path>`.
pub fn sample(path: &str) -> Value {
    let text = std::fs::read_to_string(samples_dir().join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn database_zip_frame() -> Vec<u8> {
    let json = serde_json::to_vec(&sample(DATABASE)["database"]).unwrap();
    encode_frame(VERSION, "database_zip", &zip_of(&[("competition.json", &json)]))
}

/// `translations.json` as OWLCMS builds it (every locale), from the simulator's builder.
fn translations_zip_frame() -> Vec<u8> {
    let translations = owlcms_tracker::simulator::assets::translations_json();
    owlcms_tracker::simulator::assets::translations_frame(VERSION, &translations)
}

/// A flag for the current athlete's team (a small Norwegian-looking SVG).
fn flags_zip_frame() -> Vec<u8> {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 22 16"><rect width="22" height="16" fill="#ba0c2f"/><rect x="6" width="4" height="16" fill="#fff"/><rect y="6" width="22" height="4" fill="#fff"/><rect x="7" width="2" height="16" fill="#00205b"/><rect y="7" width="22" height="2" fill="#00205b"/></svg>"##;
    encode_frame(VERSION, "flags_zip", &zip_of(&[("Spydeberg Atletene.svg", svg)]))
}
