//! Pure decoding of what OWLCMS sends: text envelopes, protocol versions, binary headers,
//! ZIP archives and loosely typed scalars. No I/O and no state live here.

pub mod archive;
pub mod athlete;
pub mod binary;
pub mod dates;
pub mod key;
pub mod replies;
pub mod scalar;

use serde_json::{Map, Value};
use std::fmt;

/// A protocol version `MAJOR.MINOR.PATCH`; `-suffix` / `+build` parts are ignored when comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

/// The oldest OWLCMS protocol version this tracker accepts (OWLCMS release numbering).
pub const MINIMUM_VERSION: Version = Version(64, 0, 0);

impl Version {
    /// Parses `64.0.0`, `64.1.0-rc02`, `64.0.0+build7`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Version> {
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let mut number = || -> Option<u32> {
            let part = parts.next()?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let version = Version(number()?, number()?, number()?);
        parts.next().is_none().then_some(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The kind of a text message, from the envelope's `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextKind {
    /// Full FOP snapshot (`update`): replaces the FOP state.
    Update,
    /// Athlete or break clock event (`timer`): merged into the FOP state.
    Timer,
    /// Referee or jury decision (`decision`): merged into the FOP state.
    Decision,
    /// Legacy text database (`database`).
    Database,
    /// Checksum of the database that follows as `database_zip` (`database_metadata`).
    DatabaseMetadata,
    /// Any other type name.
    Unknown(String),
}

impl TextKind {
    fn from_type(name: &str) -> TextKind {
        match name {
            "update" => TextKind::Update,
            "timer" => TextKind::Timer,
            "decision" => TextKind::Decision,
            "database" => TextKind::Database,
            "database_metadata" => TextKind::DatabaseMetadata,
            other => TextKind::Unknown(other.to_owned()),
        }
    }

    /// The type names this tracker understands, for error replies.
    pub const KNOWN: [&'static str; 5] = ["update", "timer", "decision", "database", "database_metadata"];
}

/// A decoded text frame that passed the envelope and version checks.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The sender's version string as received.
    pub version: String,
    /// What the message is.
    pub kind: TextKind,
    /// The message body.
    pub payload: Map<String, Value>,
}

/// Why a text frame was refused before it reached the hub.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The frame is not JSON.
    #[error("Unable to parse JSON: {0}")]
    InvalidJson(String),
    /// No `version` field (or not a string).
    #[error("Message missing \"version\" field")]
    MissingVersion,
    /// The version is not `MAJOR.MINOR.PATCH`.
    #[error("Invalid protocol version {0:?}")]
    BadVersion(String),
    /// The version is older than [`MINIMUM_VERSION`].
    #[error("OWLCMS protocol version {0} is below required minimum {MINIMUM_VERSION}")]
    TooOld(String),
    /// `type` or `payload` missing or of the wrong shape.
    #[error("Invalid message format. Expected {{version, type, payload}}")]
    InvalidFormat,
}

impl DecodeError {
    /// The version string the sender claimed, for version errors.
    pub fn received_version(&self) -> Option<&str> {
        match self {
            DecodeError::BadVersion(v) | DecodeError::TooOld(v) => Some(v),
            _ => None,
        }
    }

    /// True for the errors that the protocol latches as "protocol mismatch".
    pub fn is_version_error(&self) -> bool {
        matches!(self, DecodeError::MissingVersion | DecodeError::BadVersion(_) | DecodeError::TooOld(_))
    }
}

/// Checks a version string against [`MINIMUM_VERSION`].
pub fn check_version(version: &str) -> Result<Version, DecodeError> {
    let parsed = Version::parse(version).ok_or_else(|| DecodeError::BadVersion(version.into()))?;
    if parsed < MINIMUM_VERSION {
        return Err(DecodeError::TooOld(version.into()));
    }
    Ok(parsed)
}

/// Decodes a text frame in the order OWLCMS's receiver does: JSON, version, then shape.
pub fn decode_text(text: &str) -> Result<Envelope, DecodeError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DecodeError::InvalidJson(e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(DecodeError::InvalidFormat);
    };
    let version = match object.get("version") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(DecodeError::MissingVersion),
    };
    check_version(&version)?;
    let kind = match object.get("type") {
        Some(Value::String(t)) if !t.is_empty() => TextKind::from_type(t),
        _ => return Err(DecodeError::InvalidFormat),
    };
    let payload = match object.remove("payload") {
        Some(Value::Object(map)) => map,
        // Some senders wrap the payload in a JSON string; accept it when it holds an object.
        Some(Value::String(s)) => match serde_json::from_str(&s) {
            Ok(Value::Object(map)) => map,
            _ => return Err(DecodeError::InvalidFormat),
        },
        _ => return Err(DecodeError::InvalidFormat),
    };
    Ok(Envelope { version, kind, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_with_suffixes_compare_on_numbers() {
        assert_eq!(Version::parse("64.0.0-rc08"), Some(Version(64, 0, 0)));
        assert_eq!(Version::parse("64.1.2+build.7"), Some(Version(64, 1, 2)));
        assert_eq!(Version::parse("64.0"), None);
        assert_eq!(Version::parse("64.0.0.1"), None);
        assert_eq!(Version::parse("v64.0.0"), None);
        assert!(check_version("64.0.0-SNAPSHOT").is_ok());
        assert!(check_version("65.0.0").is_ok());
        assert_eq!(check_version("2.3.0"), Err(DecodeError::TooOld("2.3.0".into())));
        assert_eq!(check_version("abc"), Err(DecodeError::BadVersion("abc".into())));
    }

    #[test]
    fn decode_checks_in_protocol_order() {
        assert!(matches!(decode_text("{"), Err(DecodeError::InvalidJson(_))));
        assert_eq!(decode_text(r#"{"type":"update","payload":{}}"#).unwrap_err(), DecodeError::MissingVersion);
        // Version is checked before the shape, like the OWLCMS receiver.
        assert_eq!(decode_text(r#"{"version":"2.3.0"}"#).unwrap_err(), DecodeError::TooOld("2.3.0".into()));
        assert_eq!(decode_text(r#"{"version":"64.0.0","type":"update"}"#).unwrap_err(), DecodeError::InvalidFormat);
        let env = decode_text(r#"{"version":"64.0.0","type":"timer","payload":"{\"a\":1}"}"#).unwrap();
        assert_eq!(env.kind, TextKind::Timer);
        assert_eq!(env.payload["a"], 1);
        let env = decode_text(r#"{"version":"64.0.0","type":"foo","payload":{}}"#).unwrap();
        assert_eq!(env.kind, TextKind::Unknown("foo".into()));
    }
}
