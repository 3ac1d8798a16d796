//! Bookkeeping the hub keeps for health and diagnostics: connections, counters and the time
//! of the last message per type and per FOP.

use super::{ConnId, Note};
use serde::Serialize;
use std::collections::BTreeMap;
use tracing::{info, warn};

/// One OWLCMS WebSocket connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    /// Connection id.
    pub id: ConnId,
    /// Remote address.
    pub peer: String,
    /// Server epoch milliseconds when it opened.
    pub since_ms: i64,
    /// Whether it proved the update key (always true when no key is configured).
    pub authenticated: bool,
}

/// Counters and times, published with the hub state.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    /// Open connections.
    pub connections: Vec<ConnectionInfo>,
    /// Server epoch milliseconds of the last frame, per message type.
    pub last_message_ms: BTreeMap<String, i64>,
    /// Frames received, per message type.
    pub message_counts: BTreeMap<String, u64>,
    /// The protocol version OWLCMS sent last.
    pub protocol_version: Option<String>,
    /// Server epoch milliseconds of the last message, per FOP.
    pub last_fop_message_ms: BTreeMap<String, i64>,
    /// Frames refused by the version check.
    pub protocol_errors: u64,
    /// Text frames with a wrong or missing update key.
    pub auth_failures: u64,
    /// 428 requests sent to OWLCMS.
    pub requests_sent: u64,
    /// Frames that could not be used (bad ZIP, bad database, …).
    pub ingest_errors: u64,
    /// The last ingest error, for humans.
    pub last_ingest_error: Option<String>,
}

impl Diagnostics {
    /// Records a note; returns true when the connection list changed.
    pub fn record(&mut self, note: Note, now_ms: i64) -> bool {
        match note {
            Note::Opened { id, peer, .. } => {
                info!(connection = id, %peer, "OWLCMS connection opened");
                self.connections.push(ConnectionInfo { id, peer, since_ms: now_ms, authenticated: false });
                return true;
            }
            Note::Authenticated(id) => {
                if let Some(c) = self.connections.iter_mut().find(|c| c.id == id) {
                    c.authenticated = true;
                }
                return true;
            }
            Note::Closed(id) => {
                self.connections.retain(|c| c.id != id);
                info!(connection = id, open = self.connections.len(), "OWLCMS connection closed; state kept");
                return true;
            }
            Note::Received(kind) => {
                *self.message_counts.entry(kind.clone()).or_default() += 1;
                self.last_message_ms.insert(kind, now_ms);
            }
            Note::Version(version) => self.protocol_version = Some(version),
            Note::AuthFailure => self.auth_failures += 1,
            Note::Requested(_) => self.requests_sent += 1,
            Note::IngestError(error) => {
                warn!(%error, "frame refused");
                self.ingest_errors += 1;
                self.last_ingest_error = Some(error);
            }
        }
        false
    }

    /// Notes a message for a FOP.
    pub fn fop_seen(&mut self, fop: &str, now_ms: i64) {
        self.last_fop_message_ms.insert(fop.to_owned(), now_ms);
    }

    /// The most recently opened authenticated connection.
    pub fn latest_authenticated(&self) -> Option<ConnId> {
        self.connections.iter().rev().find(|c| c.authenticated).map(|c| c.id)
    }
}
