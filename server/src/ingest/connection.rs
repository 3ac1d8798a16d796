//! One OWLCMS connection's frame handling: envelope and version checks, the update key,
//! holding binary frames until the connection authenticates, routing to the hub, and the
//! per-connection rate limit on 428 requests (protocol P5, P17).

use super::IngestContext;
use crate::hub::{Input, Note, Outcome};
use crate::protocol::key::{KEY_MEMBERS, keys_match};
use crate::protocol::replies::{self, Resource};
use crate::protocol::scalar::as_string;
use crate::protocol::{TextKind, decode_text};
use axum::body::Bytes;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tracing::{debug, info, warn};

/// What to do after a frame: replies to send, then maybe close with a code and reason.
#[derive(Debug, Default)]
pub(super) struct Step {
    pub replies: Vec<Value>,
    pub close: Option<(u16, &'static str)>,
}

impl Step {
    fn reply(reply: Value) -> Step {
        Step { replies: vec![reply], close: None }
    }
}

pub(super) struct Connection {
    pub(super) id: u64,
    pub(super) ctx: Arc<IngestContext>,
    authenticated: bool,
    held: Vec<Bytes>,
    held_bytes: usize,
    last_request: HashMap<Resource, Instant>,
    version: Option<String>,
}

/// The update key OWLCMS put in a payload, under any of the spellings receivers accept.
fn payload_key(payload: &Map<String, Value>) -> Option<String> {
    KEY_MEMBERS.iter().find_map(|k| as_string(payload.get(*k)))
}

impl Connection {
    pub(super) fn new(id: u64, ctx: Arc<IngestContext>) -> Connection {
        Connection {
            id,
            authenticated: ctx.update_key.is_none(),
            ctx,
            held: Vec::new(),
            held_bytes: 0,
            last_request: HashMap::new(),
            version: None,
        }
    }

    pub(super) async fn on_text(&mut self, text: &str) -> Step {
        if let Some(learning) = &self.ctx.learning {
            learning.text(text).await;
        }
        let envelope = match decode_text(text) {
            Ok(envelope) => envelope,
            Err(error) => {
                self.ctx.hub.note(Note::Received("invalid".into())).await;
                if error.is_version_error() && self.may_latch(text) {
                    let received = error.received_version().map(str::to_owned);
                    let _ = self.ctx.hub.apply(Input::ProtocolMismatch { received, reason: error.to_string() }).await;
                } else {
                    self.ctx.hub.note(Note::IngestError(error.to_string())).await;
                }
                return Step::reply(replies::decode_error(&error));
            }
        };
        let type_name = match &envelope.kind {
            TextKind::Unknown(name) => name.clone(),
            known => format!("{known:?}").to_lowercase(),
        };
        self.ctx.hub.note(Note::Received(type_name)).await;
        if self.version.as_deref() != Some(envelope.version.as_str()) {
            self.version = Some(envelope.version.clone());
            self.ctx.hub.note(Note::Version(envelope.version.clone())).await;
        }
        if self.ctx.hub.state().protocol_error.is_some() && self.may_latch(text) {
            let _ = self.ctx.hub.apply(Input::ProtocolOk).await;
        }
        let mut step = Step::default();
        if let Some(key) = &self.ctx.update_key {
            if !payload_key(&envelope.payload).is_some_and(|given| keys_match(&given, key)) {
                warn!(connection = self.id, "wrong or missing updateKey; closing (1008)");
                self.ctx.hub.note(Note::AuthFailure).await;
                self.drop_held();
                return Step {
                    replies: vec![replies::unauthorized()],
                    close: Some((1008, "Unauthorized: invalid updateKey")),
                };
            }
            if !self.authenticated {
                self.authenticated = true;
                self.ctx.hub.note(Note::Authenticated(self.id)).await;
                let held = std::mem::take(&mut self.held);
                self.held_bytes = 0;
                if !held.is_empty() {
                    info!(frames = held.len(), "connection authenticated; applying held binary frames");
                }
                for frame in held {
                    step.replies.extend(self.process_binary(frame).await);
                }
            }
        }
        step.replies.extend(self.route(envelope.kind, envelope.payload).await);
        step
    }

    /// A protocol mismatch is latched (and shown to viewers) only from a sender that could
    /// also change state: with an update key, only when the frame carries the right one.
    fn may_latch(&self, text: &str) -> bool {
        let Some(key) = &self.ctx.update_key else { return true };
        let value: Value = serde_json::from_str(text).unwrap_or_default();
        value
            .get("payload")
            .and_then(Value::as_object)
            .and_then(payload_key)
            .is_some_and(|given| keys_match(&given, key))
    }

    pub(super) async fn on_binary(&mut self, frame: Bytes) -> Step {
        if let Some(learning) = &self.ctx.learning {
            learning.binary(&frame).await;
        }
        if self.authenticated {
            return Step { replies: self.process_binary(frame).await.into_iter().collect(), close: None };
        }
        if self.held.len() >= self.ctx.max_pending_frames || self.held_bytes + frame.len() > self.ctx.max_pending_bytes
        {
            warn!(
                connection = self.id,
                held = self.held.len(),
                "too many binary frames before authentication; closing (1008)"
            );
            self.ctx.hub.note(Note::AuthFailure).await;
            self.drop_held();
            return Step {
                replies: vec![replies::not_authenticated_binary()],
                close: Some((1008, "Unauthorized: binary frames before a valid updateKey")),
            };
        }
        debug!(bytes = frame.len(), "binary frame held until the connection authenticates");
        self.held_bytes += frame.len();
        self.held.push(frame);
        Step::default()
    }

    fn drop_held(&mut self) {
        if !self.held.is_empty() {
            info!(frames = self.held.len(), "discarding binary frames of an unauthenticated connection");
        }
        self.held.clear();
        self.held_bytes = 0;
    }

    async fn route(&mut self, kind: TextKind, mut payload: Map<String, Value>) -> Vec<Value> {
        let input = match &kind {
            TextKind::Update => {
                // Older builds embed the whole database in SwitchGroup updates (protocol §4.5).
                if let Some(database) = payload.remove("database").filter(Value::is_object) {
                    let checksum = as_string(payload.get("databaseChecksum"));
                    if let Err(error) = self.load_database_value(database, checksum).await {
                        return vec![self.refuse(error).await];
                    }
                }
                Input::Update(payload)
            }
            TextKind::Timer => Input::Timer(payload),
            TextKind::Decision => Input::Decision(payload),
            TextKind::Database => return vec![self.database_text(payload).await],
            TextKind::DatabaseMetadata => match as_string(payload.get("databaseChecksum")) {
                Some(checksum) if !checksum.is_empty() => Input::DatabaseMetadata(checksum),
                _ => return vec![replies::failed(400, "database_metadata without databaseChecksum")],
            },
            TextKind::Unknown(name) => {
                info!(r#type = %name, "unknown message type; nothing changed");
                return vec![replies::unknown_type(name)];
            }
        };
        match self.ctx.hub.apply(input).await {
            Ok(outcome) => vec![self.reply_for(outcome, &kind).await],
            Err(closed) => vec![replies::failed(500, &closed.to_string())],
        }
    }

    async fn database_text(&mut self, mut payload: Map<String, Value>) -> Value {
        let (value, checksum) = if payload.contains_key("athletes") {
            let checksum = as_string(payload.get("databaseChecksum")).or_else(|| as_string(payload.get("checksum")));
            (Value::Object(payload), checksum)
        } else if let Some(database) = payload.remove("database").filter(Value::is_object) {
            let checksum = as_string(payload.get("databaseChecksum"))
                .or_else(|| as_string(payload.get("checksum")))
                .or_else(|| as_string(database.get("checksum")));
            (database, checksum)
        } else {
            return replies::database_pending();
        };
        match self.load_database_value(value, checksum).await {
            Ok(()) => replies::database_loaded(),
            Err(error) => self.refuse(error).await,
        }
    }

    /// 200 when nothing is missing; a 428 for what is missing and was not asked for recently
    /// on this connection; otherwise a 202 saying we are waiting for it.
    async fn reply_for(&mut self, outcome: Outcome, kind: &TextKind) -> Value {
        if outcome.missing.is_empty() {
            return replies::processed(kind);
        }
        let now = Instant::now();
        let interval = self.ctx.request_interval;
        let due: Vec<Resource> = outcome
            .missing
            .iter()
            .copied()
            .filter(|r| self.last_request.get(r).is_none_or(|at| now.duration_since(*at) >= interval))
            .collect();
        if due.is_empty() {
            return replies::awaiting(&outcome.missing, kind);
        }
        for resource in &due {
            self.last_request.insert(*resource, now);
        }
        info!(connection = self.id, missing = ?due, "asking OWLCMS for missing data (428)");
        self.ctx.hub.note(Note::Requested(due.clone())).await;
        replies::missing(&due, false)
    }
}
