//! The page's live connection: one `EventSource` on `/api/stream`, its four event kinds turned
//! into signals, the server-time ticker, and reconnection.
//!
//! Where the browser has `SharedWorker` (and the URL does not say `share=false`) the events
//! come instead from the browser's one shared stream (`shared_stream.js`, `stream-worker.js`):
//! browsers open ~6 HTTP/1.1 connections per host, so a 7th board with a stream of its own
//! would stall. The shared source looks like an `EventSource` (same events, `readyState`), so
//! everything below is the same in both modes.
//!
//! After the first full view the server sends `patch` events (RFC 6902 against the version
//! the page holds, named by `base`); the page keeps the envelope as JSON to apply them, and a
//! patch it cannot apply makes it open a new stream, which starts with the full view. Clock
//! frames carry only what changed and are merged into the clocks the page holds.
//!
//! `EventSource` reconnects by itself after a dropped connection (the server asks for 2 s),
//! sending the id of the last view version it received: the server then sends a patch from
//! it, or the full view, and the status, clock and decision, so the page resyncs on its own. When the browser gives up (the server answered with an error, e.g. an unknown FOP,
//! or a proxy's 502) the page asks `/api/view` why, shows it, and opens a new stream later.

use crate::clock::OffsetEstimator;
use crate::dom;
use leptos::prelude::*;
use owlcms_contract::events::{ClockEvent, ClockFrame, DecisionEvent, Status, StreamEvent, ViewEnvelope, ViewPatch};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::{EventSource, EventTarget, MessageEvent};

#[wasm_bindgen(module = "/src/shared_stream.js")]
extern "C" {
    /// The board's events from the browser's shared stream; `None` without `SharedWorker`
    /// or when the page opted out.
    #[wasm_bindgen(js_name = sharedSource)]
    fn shared_source(url: &str) -> Option<EventTarget>;
    /// Closes an `EventSource` or a shared source.
    #[wasm_bindgen(js_name = closeSource)]
    fn close_source(source: &EventTarget);
}

/// `EventSource.CLOSED`, which the shared source's `readyState` uses too.
const CLOSED: f64 = 2.0;

/// How often clocks are redrawn.
const TICK: Duration = Duration::from_millis(100);
/// Delay before a new stream after the browser gave up on one.
const RETRY_REFUSED: Duration = Duration::from_secs(5);
const RETRY_UNREACHABLE: Duration = Duration::from_secs(2);

/// State of the connection to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Opening the first stream.
    Connecting,
    /// Events are flowing.
    Live,
    /// The stream dropped; the browser (or the page) is reconnecting.
    Reconnecting,
    /// The server refused the stream: its message, and the FOPs it lists.
    Refused(String, Vec<String>),
}

/// Signals fed by the stream; `Copy`, so every component can hold it. The stream, its
/// handlers, the retry timer and the clock ticker belong to the reactive owner that created
/// the `Live` (the page): they are closed and cleared when it is cleaned up.
#[derive(Clone, Copy)]
pub struct Live {
    /// The last `view` event.
    pub envelope: RwSignal<Option<ViewEnvelope>>,
    /// The last `status` event.
    pub status: RwSignal<Option<Status>>,
    /// The clocks, merged from every `clock` frame.
    pub clock: RwSignal<Option<ClockEvent>>,
    /// The last `decision` event.
    pub decision: RwSignal<Option<DecisionEvent>>,
    /// Connection state.
    pub link: RwSignal<Link>,
    /// Server time now (browser time corrected by the estimated offset), every 100 ms.
    pub now: RwSignal<f64>,
    offset: StoredValue<OffsetEstimator>,
    connection: StoredValue<Option<Connection>, LocalStorage>,
    retry: StoredValue<Option<TimeoutHandle>>,
    /// The envelope as JSON and its version: what the next patch applies to.
    held: StoredValue<Option<(serde_json::Value, String)>, LocalStorage>,
}

/// An open stream and the handlers registered on it (dropped together: a handler must not
/// outlive the source that calls it).
struct Connection {
    source: EventTarget,
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        close_source(&self.source);
    }
}

impl Live {
    /// Signals with nothing received yet, and the clock ticker running until the current
    /// owner is cleaned up.
    pub fn new() -> Live {
        let live = Live {
            envelope: RwSignal::new(None),
            status: RwSignal::new(None),
            clock: RwSignal::new(None),
            decision: RwSignal::new(None),
            link: RwSignal::new(Link::Connecting),
            now: RwSignal::new(dom::now_ms()),
            offset: StoredValue::new(OffsetEstimator::default()),
            connection: StoredValue::new_local(None),
            retry: StoredValue::new(None),
            held: StoredValue::new_local(None),
        };
        let ticker = set_interval_with_handle(
            move || live.now.set(live.offset.with_value(|o| o.server_now(dom::now_ms()))),
            TICK,
        )
        .ok();
        on_cleanup(move || {
            if let Some(ticker) = ticker {
                ticker.clear();
            }
            live.close();
        });
        live
    }

    /// Closes the stream and cancels a pending reconnection.
    fn close(self) {
        if let Some(Some(retry)) = self.retry.try_update_value(Option::take) {
            retry.clear();
        }
        // Dropping the connection closes its source (see `Drop`).
        self.connection.try_update_value(Option::take);
    }

    fn sample_offset(&self, server_time_ms: f64) {
        let local = dom::now_ms();
        self.offset.update_value(|o| o.add(server_time_ms, local));
        self.now.set(self.offset.with_value(|o| o.server_now(local)));
    }

    /// Opens the stream (replacing any previous one). `explain` is the `/api/view` URL with
    /// the same query, asked when the server refuses the stream.
    pub fn connect(self, stream: String, explain: String) {
        // A page that is gone opens nothing (a reconnection may have been under way).
        if self.connection.try_with_value(|_| ()).is_none() {
            return;
        }
        let Some(source) = shared_source(&stream).or_else(|| EventSource::new(&stream).ok().map(Into::into)) else {
            self.link.set(Link::Refused(format!("cannot open {stream}"), Vec::new()));
            return;
        };
        let mut handlers: Vec<Closure<dyn FnMut(web_sys::Event)>> = Vec::new();
        let mut on = |name: &str, f: Box<dyn FnMut(web_sys::Event)>| {
            let closure = Closure::wrap(f);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            handlers.push(closure);
        };
        on("open", Box::new(move |_| self.link.set(Link::Live)));
        on(
            ViewEnvelope::NAME,
            Box::new(move |e| {
                if let Some(value) = parse::<ViewEnvelope, serde_json::Value>(&e) {
                    self.hold(value, event_id(&e));
                }
            }),
        );
        let (stream_again, explain_again) = (stream.clone(), explain.clone());
        on(
            ViewPatch::NAME,
            Box::new(move |e| {
                let Some(patch) = parse::<ViewPatch, ViewPatch>(&e) else { return };
                let patched = self.held.try_update_value(|held| match held.take() {
                    Some((mut value, id)) if id == patch.base => patch.apply_to(&mut value).ok().map(|()| value),
                    _ => None,
                });
                match patched.flatten() {
                    Some(value) => self.hold(value, event_id(&e)),
                    None => {
                        // Not the version this page holds: a new stream starts with the full view.
                        leptos::logging::warn!("a view patch did not apply; reopening the stream");
                        let (stream, explain) = (stream_again.clone(), explain_again.clone());
                        // After this handler returns: reconnecting drops the source that runs it.
                        leptos::task::spawn_local(async move { self.connect(stream, explain) });
                    }
                }
            }),
        );
        on(
            Status::NAME,
            Box::new(move |e| {
                if let Some(status) = parse::<Status, Status>(&e) {
                    self.link.set(Link::Live);
                    self.status.set(Some(status));
                }
            }),
        );
        on(
            ClockFrame::NAME,
            Box::new(move |e| {
                if let Some(frame) = parse::<ClockFrame, ClockFrame>(&e) {
                    self.sample_offset(frame.now as f64);
                    self.clock.update(|clock| clock.get_or_insert_with(ClockEvent::initial).apply(&frame));
                }
            }),
        );
        on(
            DecisionEvent::NAME,
            Box::new(move |e| {
                if let Some(decision) = parse::<DecisionEvent, DecisionEvent>(&e) {
                    self.sample_offset(decision.server_time_ms as f64);
                    self.decision.set(Some(decision));
                }
            }),
        );
        let (stream_again, explain_again) = (stream, explain);
        on(
            "error",
            Box::new(move |e| {
                let closed = e
                    .target()
                    .and_then(|t| js_sys::Reflect::get(&t, &"readyState".into()).ok())
                    .and_then(|state| state.as_f64())
                    .is_none_or(|state| state == CLOSED);
                if !closed {
                    // The browser retries by itself.
                    self.link.set(Link::Reconnecting);
                    return;
                }
                let (stream, explain) = (stream_again.clone(), explain_again.clone());
                leptos::task::spawn_local(async move { self.refused(stream, explain).await });
            }),
        );
        // Replacing the previous connection drops it, which closes it.
        self.connection.try_set_value(Some(Connection { source, _handlers: handlers }));
    }

    /// Keeps a new version of the envelope and shows it.
    fn hold(self, value: serde_json::Value, id: String) {
        // From a reference: no copy of the whole view, and no owned-`Value` deserializer in the bundle.
        match ViewEnvelope::deserialize(&value) {
            Ok(envelope) => {
                self.held.try_set_value(Some((value, id)));
                self.link.set(Link::Live);
                self.envelope.set(Some(envelope));
            }
            Err(error) => leptos::logging::warn!("unreadable view: {error}"),
        }
    }

    /// The browser gave up on the stream: find out why, show it, and try again later.
    async fn refused(self, stream: String, explain: String) {
        let delay = match dom::fetch_text(&explain).await {
            Ok((status, body)) if (400..500).contains(&status) => {
                let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let message = json["error"].as_str().map_or_else(|| format!("HTTP {status}"), str::to_owned);
                let fops = json["details"]["fops"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                self.link.try_set(Link::Refused(message, fops));
                RETRY_REFUSED
            }
            _ => {
                self.link.set(Link::Reconnecting);
                RETRY_UNREACHABLE
            }
        };
        if let Ok(handle) = set_timeout_with_handle(move || self.connect(stream, explain), delay) {
            self.retry.try_set_value(Some(handle));
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

/// The data of an event of kind `E`, read as `T`.
fn parse<E: StreamEvent, T: DeserializeOwned>(event: &web_sys::Event) -> Option<T> {
    let data = event.dyn_ref::<MessageEvent>()?.data().as_string()?;
    match serde_json::from_str(&data) {
        Ok(value) => Some(value),
        Err(error) => {
            leptos::logging::warn!("unreadable {} event: {error}", E::NAME);
            None
        }
    }
}

/// The SSE id of an event (the view version).
fn event_id(event: &web_sys::Event) -> String {
    event.dyn_ref::<MessageEvent>().map(MessageEvent::last_event_id).unwrap_or_default()
}
