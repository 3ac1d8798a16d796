//! OWLCMS for the browser tests: the shared OWLCMS test client (`owlcms_simulator::test_client`)
//! sending the real captured payloads of `samples/owlcms/`, with the few scenes the browser tests
//! play (startup and the captured session, then timers, updates and decisions on FOP A).

use owlcms_simulator::test_client::{self, database_zip_frame, flags_zip_frame, translations_zip_frame};
use serde_json::{Value, json};
use std::path::PathBuf;

/// The captured session (FOP `A`).
pub(crate) const LIFTING_ORDER: &str = "ws-2025-12/2025-12-18T14-05-16-672-UPDATE-LIFTINGORDERUPDATED.json";
const DATABASE: &str = "ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json";

/// An OWLCMS-like WebSocket client.
pub(crate) struct Owlcms(test_client::Owlcms);

impl Owlcms {
    /// Connects to the tracker's `/ws`.
    pub(crate) async fn connect(url: &str) -> Owlcms {
        Owlcms(test_client::Owlcms::connect(url).await)
    }

    /// Database, translations and flags, as OWLCMS sends them when it connects, then the
    /// captured lifting-order update: KJELLEVAND lifting, HOLME next.
    pub(crate) async fn competition(url: &str) -> Owlcms {
        let mut owlcms = Owlcms::connect(url).await;
        owlcms.0.send_binary(database_zip_frame(&sample(DATABASE)["database"])).await;
        let translations = owlcms_simulator::assets::translations_json();
        owlcms.0.send_binary(translations_zip_frame(&translations)).await;
        owlcms.0.send_binary(flags_zip_frame(&[("Spydeberg Atletene.svg", FLAG)])).await;
        for reply in owlcms.0.replies_until_sync().await {
            assert_applied(&reply);
        }
        owlcms.send_applied("update", &sample(LIFTING_ORDER)).await;
        owlcms
    }

    /// Sends a text frame as is and returns the JSON reply.
    pub(crate) async fn request_raw(&mut self, text: &str) -> Value {
        self.0.request_raw(text).await
    }

    /// Sends a message and checks that every reply up to the next sync says it was applied.
    async fn send_applied(&mut self, kind: &str, payload: &Value) {
        let text = self.0.envelope(kind, payload);
        self.0.send_raw(&text).await;
        let replies = self.0.replies_until_sync().await;
        assert!(!replies.is_empty(), "no reply to {kind}");
        for reply in replies {
            assert_applied(&reply);
        }
    }

    /// A `timer` message for FOP A.
    pub(crate) async fn timer(&mut self, fields: Value) {
        let mut payload = json!({"fopName": "A", "fopState": "TIME_RUNNING", "mode": "CURRENT_ATHLETE"});
        payload.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        self.send_applied("timer", &payload).await;
    }

    /// An `update` message as captured (e.g. the next athlete called).
    pub(crate) async fn update(&mut self, payload: &Value) {
        self.send_applied("update", payload).await;
    }

    /// A `decision` message for FOP A.
    pub(crate) async fn decision(&mut self, fields: Value) {
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
pub(crate) fn sample(path: &str) -> Value {
    let text = std::fs::read_to_string(samples_dir().join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A flag for the current athlete's team (a small Norwegian-looking SVG).
const FLAG: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 22 16"><rect width="22" height="16" fill="#ba0c2f"/><rect x="6" width="4" height="16" fill="#fff"/><rect y="6" width="22" height="4" fill="#fff"/><rect x="7" width="2" height="16" fill="#00205b"/><rect y="7" width="22" height="2" fill="#00205b"/></svg>"##;
