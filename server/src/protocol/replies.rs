//! The JSON replies the tracker sends back to OWLCMS (protocol §6.1). OWLCMS only acts on
//! `status` 428 with a non-empty `missing`; the rest is for its logs and for humans.

use super::{DecodeError, MINIMUM_VERSION, TextKind};
use serde_json::{Value, json};

/// Something the tracker can ask OWLCMS to send, by the names OWLCMS registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// The competition database (`database_metadata` + `database_zip`).
    Database,
    /// The translations ZIP.
    TranslationsZip,
    /// Team flags.
    FlagsZip,
    /// Team and competition logos.
    LogosZip,
    /// Athlete pictures.
    PicturesZip,
    /// GAMX parameter tables (newest OWLCMS; protocol §6.2).
    GamxZip,
}

impl Resource {
    /// The name OWLCMS expects in a 428 `missing` list.
    pub fn wire_name(self) -> &'static str {
        match self {
            Resource::Database => "database",
            Resource::TranslationsZip => "translations_zip",
            Resource::FlagsZip => "flags_zip",
            Resource::LogosZip => "logos_zip",
            Resource::PicturesZip => "pictures_zip",
            Resource::GamxZip => "gamx_zip",
        }
    }
}

/// Reply for a frame that failed decoding.
pub fn decode_error(error: &DecodeError) -> Value {
    match error {
        DecodeError::InvalidJson(_) | DecodeError::InvalidFormat => {
            json!({ "error": error.to_string() })
        }
        DecodeError::MissingVersion => version_error(
            None,
            "Message missing \"version\" field. Expected format: {\"version\":\"64.0.0\",\"type\":\"...\",\"payload\":{...}}",
        ),
        DecodeError::BadVersion(v) => version_error(
            Some(v),
            &format!("Invalid protocol version \"{v}\". Expected MAJOR.MINOR.PATCH, at least {MINIMUM_VERSION}."),
        ),
        DecodeError::TooOld(v) => version_error(
            Some(v),
            &format!("OWLCMS protocol version {v} is below required minimum {MINIMUM_VERSION}. Please upgrade OWLCMS."),
        ),
    }
}

fn version_error(received: Option<&str>, reason: &str) -> Value {
    json!({
        "status": 400,
        "error": "Protocol version check failed",
        "reason": reason,
        "details": {
            "received": received,
            "minimum": MINIMUM_VERSION.to_string(),
            "info": "Please ensure OWLCMS is configured with the correct tracker WebSocket URL and is up to date"
        }
    })
}

/// Reply for a text frame with a wrong or missing update key (the connection then closes).
pub fn unauthorized() -> Value {
    json!({ "status": 401, "message": "Access not authorized" })
}

/// Reply when unauthenticated binary frames overflow the holding buffer.
pub fn not_authenticated_binary() -> Value {
    json!({ "status": 401, "message": "Not authenticated. Send text frame with valid updateKey first" })
}

/// Reply for an accepted update, timer, decision or metadata message.
pub fn processed(kind: &TextKind) -> Value {
    let what = match kind {
        TextKind::Update => "Update",
        TextKind::Timer => "Timer",
        TextKind::Decision => "Decision",
        TextKind::Database => "Database",
        TextKind::DatabaseMetadata => "Database metadata",
        TextKind::Unknown(_) => "Message",
    };
    json!({ "status": 200, "message": format!("{what} processed") })
}

/// Reply for a message type this tracker does not know; nothing was changed.
pub fn unknown_type(name: &str) -> Value {
    json!({
        "status": 400,
        "error": format!("Unknown message type \"{name}\""),
        "known": TextKind::KNOWN,
    })
}

/// Reply for a text `database` message that loaded (or matched the loaded checksum).
pub fn database_loaded() -> Value {
    json!({ "status": 200, "message": "Full competition data loaded successfully" })
}

/// Reply for a `database` message without athletes: the database is expected as a ZIP.
pub fn database_pending() -> Value {
    json!({
        "status": 202,
        "message": "Empty database stored - expecting database_zip binary message",
        "pending": true,
        "reason": "awaiting_binary_database",
        "timeout": 5000
    })
}

/// Reply for data that could not be used (bad database, bad ZIP, internal failure).
pub fn failed(status: u16, message: &str) -> Value {
    json!({ "status": status, "message": message })
}

/// The 428 request that makes OWLCMS send what is missing.
pub fn missing(resources: &[Resource], plugin_request: bool) -> Value {
    let names: Vec<&str> = resources.iter().map(|r| r.wire_name()).collect();
    let (message, reason) = if plugin_request {
        ("Precondition Required: Plugin needs resources", "plugin_preconditions")
    } else {
        ("Precondition Required: Missing required data", "missing_preconditions")
    };
    json!({ "status": 428, "message": message, "reason": reason, "missing": names })
}

/// Reply when data is missing but was already requested moments ago on this connection:
/// asking again would make OWLCMS export everything once more (protocol P17).
pub fn awaiting(resources: &[Resource], kind: &TextKind) -> Value {
    let names: Vec<&str> = resources.iter().map(|r| r.wire_name()).collect();
    let mut reply = processed(kind);
    reply["status"] = json!(202);
    reply["reason"] = json!("awaiting_requested_data");
    reply["awaiting"] = json!(names);
    reply
}
