//! Test harness: a real server on 127.0.0.1:0, the OWLCMS client of every test suite
//! (`owlcms_simulator::test_client`), and the real OWLCMS payloads from `samples/` turned into
//! the frames OWLCMS sends.
// Each test crate uses a part of this harness (and of what it re-exports).
#![allow(dead_code, unused_imports)]

pub(crate) mod binary;

use futures_util::StreamExt;
pub(crate) use owlcms_simulator::client::VERSION;
pub(crate) use owlcms_simulator::test_client::{
    Owlcms, PATIENCE, database_zip_frame, flags_zip_frame, translations_zip_frame,
};
pub(crate) use owlcms_simulator::wire::{encode_frame, zip_of};
use owlcms_tracker::{Server, ServerOptions};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;
use tokio::net::TcpListener;

/// A server on a random loopback port with its own folders.
pub(crate) struct TestServer {
    pub server: Option<Server>,
    pub dir: TempDir,
}

impl TestServer {
    pub(crate) async fn start() -> TestServer {
        TestServer::with(|_| {}).await
    }

    pub(crate) async fn with(configure: impl FnOnce(&mut ServerOptions)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut options = ServerOptions::default();
        options.local_dir = dir.path().join("local");
        options.samples_dir = dir.path().join("samples");
        // A private copy of the project's plugins, so tests can edit them.
        options.plugins_dir = dir.path().join("plugins");
        copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins"), &options.plugins_dir);
        configure(&mut options);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::with_listener(listener, options).await.unwrap();
        TestServer { server: Some(server), dir }
    }

    pub(crate) fn server(&self) -> &Server {
        self.server.as_ref().unwrap()
    }

    pub(crate) fn hub(&self) -> &owlcms_tracker::hub::HubHandle {
        self.server().hub()
    }

    pub(crate) fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.server().addr())
    }

    pub(crate) fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.server().addr())
    }

    pub(crate) async fn owlcms(&self) -> Owlcms {
        Owlcms::connect(&self.ws_url()).await
    }

    /// A server that has received this database and the translations, and its OWLCMS client.
    pub(crate) async fn with_database(database: &Value) -> (TestServer, Owlcms) {
        let t = TestServer::start().await;
        let mut owlcms = t.owlcms().await;
        owlcms.send_binary(database_zip_frame(database)).await;
        owlcms.send_binary(translations_zip_frame(&translations_json())).await;
        owlcms.sync().await;
        (t, owlcms)
    }

    /// `GET /api/view?{query}`: the whole envelope, asserting a 200.
    pub(crate) async fn view_envelope(&self, query: &str) -> Value {
        let response = reqwest::get(self.http(&format!("/api/view?{query}"))).await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{query}: {body}");
        body
    }

    pub(crate) async fn health(&self) -> (u16, Value) {
        let response = reqwest::get(self.http("/api/health")).await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// A comparable picture of everything the hub holds, to prove bad input changed nothing.
    pub(crate) fn state_fingerprint(&self) -> Value {
        let state = self.hub().state();
        let fops: Vec<Value> = state
            .fops
            .iter()
            .filter_map(|name| self.hub().fop(name))
            .map(|f| {
                // A digest keeps assertion messages short; any change in the data changes it.
                let data = owlcms_tracker::hash::sha256_hex(&serde_json::to_vec(&*f.data).unwrap());
                json!({"name": f.name, "version": f.version, "data": data})
            })
            .collect();
        json!({
            "database": state.database.as_ref().map(|d| d.checksum.clone()),
            "announced": state.announced_checksum,
            "translations": state.translations.as_ref().map(|t| t.key_count()),
            "assets": serde_json::to_value(&state.assets).unwrap(),
            "protocolError": state.protocol_error.is_some(),
            "fops": fops,
        })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown_token().cancel();
        }
    }
}

pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A Server-Sent Events client that holds what a page holds: the view (full `view` frames,
/// then `patch` frames applied to it, each result checked byte for byte against the content
/// id the server gave it) and the clocks (`clock` frames merged).
pub(crate) struct SseClient {
    events: std::pin::Pin<Box<dyn futures_util::Stream<Item = eventsource_stream::Event> + Send>>,
    /// The envelope as JSON and its version (SSE id).
    pub view: Option<(Value, String)>,
    /// The clocks, merged from every `clock` frame.
    pub clock: owlcms_contract::ClockEvent,
    /// `patch` frames applied so far.
    pub patches: usize,
}

impl SseClient {
    pub(crate) async fn connect(url: &str, last_event_id: Option<&str>) -> SseClient {
        use eventsource_stream::Eventsource;
        let mut request = reqwest::Client::new().get(url);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "stream {url}: {}", response.text().await.unwrap_or_default());
        let events = response.bytes_stream().eventsource().map(|e| e.expect("well-formed SSE"));
        SseClient { events: Box::pin(events), view: None, clock: owlcms_contract::ClockEvent::default(), patches: 0 }
    }

    /// A client that resumes holding `view` (as after a reconnection with `Last-Event-ID`).
    pub(crate) async fn resume(url: &str, view: (Value, String)) -> SseClient {
        let mut client = SseClient::connect(url, Some(&view.1)).await;
        client.view = Some(view);
        client
    }

    /// The next event (any kind), after updating what the client holds.
    pub(crate) async fn next(&mut self) -> eventsource_stream::Event {
        let event = tokio::time::timeout(PATIENCE, self.events.next())
            .await
            .expect("an SSE event in time")
            .expect("stream open");
        match event.event.as_str() {
            "view" => {
                assert_eq!(owlcms_tracker::views::frames::content_id(event.data.as_bytes()), event.id, "view id");
                self.view = Some((serde_json::from_str(&event.data).unwrap(), event.id.clone()));
            }
            "patch" => {
                let patch: owlcms_contract::ViewPatch = serde_json::from_str(&event.data).unwrap();
                let (view, id) = self.view.as_mut().expect("a patch comes after a view");
                assert_eq!(&patch.base, id, "the patch applies to the version held");
                patch.apply_to(view).unwrap();
                let rebuilt = serde_json::to_vec(view).unwrap();
                assert_eq!(
                    owlcms_tracker::views::frames::content_id(&rebuilt),
                    event.id,
                    "patched view, byte for byte"
                );
                *id = event.id.clone();
                self.patches += 1;
            }
            "clock" => self.clock.apply(&serde_json::from_str(&event.data).unwrap()),
            _ => {}
        }
        event
    }

    /// The next event of a kind, skipping others; returns its parsed data. A `patch` counts
    /// as a `view` (the patched view is returned), a `clock` frame returns the merged clocks.
    pub(crate) async fn next_of(&mut self, kind: &str) -> (Value, String) {
        loop {
            let event = self.next().await;
            if kind == "view" && event.event == "patch" {
                let (view, id) = self.view.clone().unwrap();
                return (view, id);
            }
            if kind == "clock" && event.event == "clock" {
                return (serde_json::to_value(&self.clock).unwrap(), event.id);
            }
            if event.event == kind {
                return (serde_json::from_str(&event.data).unwrap(), event.id);
            }
        }
    }

    /// Like `next_of`, but `None` if nothing of that kind comes within `wait`.
    pub(crate) async fn maybe_next_of(&mut self, kind: &str, wait: Duration) -> Option<Value> {
        tokio::time::timeout(wait, self.next_of(kind)).await.ok().map(|(v, _)| v)
    }
}

pub(crate) fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../samples/owlcms")
}

/// A captured payload from `samples/owlcms/<path>`.
pub(crate) fn sample(path: &str) -> Value {
    let text = std::fs::read_to_string(samples_dir().join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub(crate) const DATABASE: &str = "ws-2025-12/2025-12-18T13-52-13-909-DATABASE.json";
pub(crate) const SWITCH_GROUP: &str = "ws-2025-12/2025-12-18T13-58-21-398-UPDATE-SWITCHGROUP.json";
pub(crate) const START_LIFTING: &str = "ws-2025-12/2025-12-18T14-05-16-652-UPDATE-STARTLIFTING.json";
pub(crate) const LIFTING_ORDER: &str = "ws-2025-12/2025-12-18T14-05-16-672-UPDATE-LIFTINGORDERUPDATED.json";
/// The update key of the Dec-2025 captures.
pub(crate) const SAMPLE_KEY: &str = "Louis-Cyr";

/// A payload without its captured update key (tests add their own).
pub(crate) fn without_key(mut payload: Value) -> Value {
    payload.as_object_mut().unwrap().remove("updateKey");
    payload
}

/// The inner V2 database of the captured `database` message.
pub(crate) fn database_json() -> Value {
    sample(DATABASE)["database"].clone()
}

/// `translations.json` as OWLCMS builds it from its CSV (the simulator's builder).
pub(crate) fn translations_json() -> Value {
    owlcms_simulator::assets::translations_json()
}

/// Database, translations and flags, as OWLCMS sends them when it connects.
pub(crate) async fn startup(owlcms: &mut Owlcms) {
    owlcms.send_binary(database_zip_frame(&database_json())).await;
    owlcms.send_binary(translations_zip_frame(&translations_json())).await;
    owlcms.send_binary(flags_zip_frame(&[("Spydeberg Atletene.svg", b"<svg/>")])).await;
    owlcms.sync().await;
}

/// The captured lifting-order update moved to a second platform, B.
pub(crate) fn lifting_order_on_b() -> Value {
    let mut on_b = sample(LIFTING_ORDER);
    on_b["fop"] = json!("B");
    on_b["fopName"] = json!("B");
    on_b
}

/// A server after OWLCMS's startup data (database, translations, flags), and its client.
pub(crate) async fn ready() -> (TestServer, Owlcms) {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await;
    startup(&mut owlcms).await;
    (t, owlcms)
}

/// A server after the startup data and the captured lifting-order update (a live session).
pub(crate) async fn live() -> (TestServer, Owlcms) {
    let (t, mut owlcms) = ready().await;
    assert_eq!(owlcms.request("update", &sample(LIFTING_ORDER)).await["status"], 200);
    (t, owlcms)
}
