//! `GET /api/stream`: one Server-Sent Events stream per viewer. First the status and the full
//! view, then a new view on every change, `clock` and `decision` events, and `status` changes.
//! A viewer that falls behind is resynced with the latest state; it never slows anyone else.

use super::limits::client_address;
use super::request::resolve;
use crate::AppState;
use crate::error::AppError;
use crate::hub::HubEvent;
use crate::views::{ViewFrame, events};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use owlcms_contract::events::{ClockEvent, DecisionEvent, Status, StreamEvent, ViewEnvelope};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Browsers reconnect this long after a dropped stream.
const RETRY: Duration = Duration::from_secs(2);
/// Comment lines keep proxies from closing idle streams.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// How long a new stream waits for a view computed for the first time.
const FIRST_VIEW_WAIT: Duration = Duration::from_secs(5);

pub(super) async fn stream(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let request = resolve(&app, &params)?;
    let address = client_address(&app.options.http, &headers, peer);
    let slot = app.streams.acquire(address).map_err(|_| {
        AppError::TooManyRequests(format!(
            "{address} holds the maximum of {} open streams; close some boards or raise MAX_STREAMS_PER_ADDRESS",
            app.options.http.max_streams_per_address
        ))
    })?;
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut viewer = Viewer {
        view_rx: app.views.subscribe(request.key.clone()),
        fop: request.key.fop.clone(),
        sent_view: last_id,
        sent_status: Arc::from(""),
        first: true,
        app: app.clone(),
    };
    let mut hub_events = app.hub.events();
    let shutdown = app.shutdown.clone();
    // The first event is the full view: give a view that nobody watched yet time to compute.
    let computed = viewer.view_rx.wait_for(|f| f.body.is_some() || f.error.is_some());
    let _ = tokio::time::timeout(FIRST_VIEW_WAIT, computed).await;
    let guard = ClientCount::new(app.clone());
    let stream = async_stream::stream! {
        let _counted = (guard, slot);
        for event in viewer.resync() {
            yield Ok(event);
        }
        loop {
            let events = tokio::select! {
                () = shutdown.cancelled() => break,
                changed = viewer.view_rx.changed() => match changed {
                    Ok(()) => viewer.view_changed(),
                    Err(_) => break,
                },
                event = hub_events.recv() => match event {
                    Ok(HubEvent::Fop { change, snapshot, rendered }) if viewer.fop.as_deref() == Some(snapshot.name.as_str()) => {
                        let mut out = Vec::with_capacity(2);
                        if change.clock {
                            let data = rendered.clock.get_or_init(|| events::data(&events::clock(&snapshot)));
                            out.push(Event::default().event(ClockEvent::NAME).data(data.as_str()));
                        }
                        if change.decision {
                            let data = rendered.decision.get_or_init(|| events::data(&events::decision(&snapshot)));
                            out.push(Event::default().event(DecisionEvent::NAME).data(data.as_str()));
                        }
                        out
                    }
                    // Status changes reach viewers through their view's frame.
                    Ok(HubEvent::Competition | HubEvent::Fop { .. }) => Vec::new(),
                    // Fell behind the shared event ring: send the latest state instead.
                    Err(RecvError::Lagged(_)) => viewer.resync(),
                    Err(RecvError::Closed) => break,
                },
            };
            for event in events {
                yield Ok(event);
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")))
}

/// Counts an open stream for diagnostics and metrics, until the stream is dropped.
struct ClientCount(Arc<AppState>);

impl ClientCount {
    fn new(app: Arc<AppState>) -> ClientCount {
        app.sse_clients.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ClientCount(app)
    }
}

impl Drop for ClientCount {
    fn drop(&mut self) {
        self.0.sse_clients.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn json_event<T: serde::Serialize + StreamEvent>(payload: &T) -> Event {
    Event::default().event(T::NAME).data(events::data(payload))
}

struct Viewer {
    app: Arc<AppState>,
    view_rx: tokio::sync::watch::Receiver<Arc<ViewFrame>>,
    fop: Option<String>,
    sent_view: Option<String>,
    sent_status: Arc<str>,
    first: bool,
}

impl Viewer {
    /// Everything a (re)connecting or lagging viewer needs: view, status, clocks, decisions.
    fn resync(&mut self) -> Vec<Event> {
        let frame = self.view_rx.borrow_and_update().clone();
        let mut out: Vec<Event> = self.view_event(&frame).into_iter().collect();
        out.extend(self.status_if_changed());
        if let Some(fop) = self.fop.as_deref().and_then(|f| self.app.hub.fop(f)) {
            out.push(json_event(&events::clock(&fop)));
            out.push(json_event(&events::decision(&fop)));
        }
        out
    }

    fn view_changed(&mut self) -> Vec<Event> {
        let frame = self.view_rx.borrow_and_update().clone();
        let mut out: Vec<Event> = self.status_if_changed().into_iter().collect();
        out.extend(self.view_event(&frame));
        out
    }

    fn view_event(&mut self, frame: &ViewFrame) -> Option<Event> {
        let body = frame.body.as_ref()?;
        if self.sent_view.as_deref() == Some(frame.id.as_str()) {
            return None;
        }
        self.sent_view = Some(frame.id.clone());
        let text = std::str::from_utf8(body).ok()?;
        let event = Event::default().event(ViewEnvelope::NAME).id(frame.id.clone()).data(text);
        // The first event also tells the browser how soon to reconnect.
        Some(if self.first {
            self.first = false;
            event.retry(RETRY)
        } else {
            event
        })
    }

    fn status_if_changed(&mut self) -> Option<Event> {
        let status = self.view_rx.borrow().status.clone();
        if status.is_empty() || status == self.sent_status {
            return None;
        }
        self.sent_status = status.clone();
        Some(Event::default().event(Status::NAME).data(&*status))
    }
}
