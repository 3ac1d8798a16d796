//! Binary frame headers (protocol §5.1): `[u32 verLen][version][u32 typeLen][type][payload]`,
//! the legacy `[u32 typeLen][type][payload]`, and a bare flags ZIP.

use super::Version;

/// What a binary frame carries, from its type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryKind {
    /// `database_zip` (alias `database`).
    DatabaseZip,
    /// `translations_zip`.
    TranslationsZip,
    /// `flags_zip` (alias `flags`).
    FlagsZip,
    /// `logos_zip`.
    LogosZip,
    /// `pictures_zip` (alias `pictures`).
    PicturesZip,
    /// `gamx_zip` (alias `gamx`): GAMX parameter tables, sent only when asked (§6.2).
    GamxZip,
    /// Anything else (`styles`, …): ignored with a log line.
    Other,
}

impl BinaryKind {
    /// Maps a header type name to its kind.
    pub fn from_type(name: &str) -> BinaryKind {
        match name {
            "database_zip" | "database" => BinaryKind::DatabaseZip,
            "translations_zip" => BinaryKind::TranslationsZip,
            "flags_zip" | "flags" => BinaryKind::FlagsZip,
            "logos_zip" => BinaryKind::LogosZip,
            "pictures_zip" | "pictures" => BinaryKind::PicturesZip,
            "gamx_zip" | "gamx" => BinaryKind::GamxZip,
            _ => BinaryKind::Other,
        }
    }
}

/// A parsed binary header; the payload is `frame[payload_offset..]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryHeader {
    /// The version string of a versioned header, `None` for legacy frames.
    pub version: Option<String>,
    /// The type name as sent.
    pub type_name: String,
    /// What the type name means.
    pub kind: BinaryKind,
    /// Where the payload starts.
    pub payload_offset: usize,
}

/// A binary frame whose header cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinaryError {
    /// Fewer bytes than the header announces.
    #[error("binary frame too short for its header ({0} bytes)")]
    TooShort(usize),
    /// The type name length is implausible.
    #[error("binary frame type length {0} is out of range (1..=256)")]
    BadTypeLength(u32),
    /// The type name is not UTF-8.
    #[error("binary frame type name is not UTF-8")]
    TypeNotUtf8,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Above this, a first word that is not a plausible length means "bare ZIP" (tracker-core rule).
const BARE_ZIP_THRESHOLD: u32 = 10 * 1024 * 1024;

fn read_u32(frame: &[u8], at: usize) -> Option<u32> {
    let bytes = frame.get(at..at + 4)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// Reads the header of a binary frame, trying the versioned layout first.
pub fn parse_header(frame: &[u8]) -> Result<BinaryHeader, BinaryError> {
    let first = read_u32(frame, 0).ok_or(BinaryError::TooShort(frame.len()))?;
    if (1..=20).contains(&first) {
        let end = 4 + first as usize;
        if let Some(version) = frame.get(4..end).and_then(|b| std::str::from_utf8(b).ok())
            && Version::parse(version).is_some()
        {
            let (type_name, payload_offset) = read_type(frame, end)?;
            return Ok(BinaryHeader {
                version: Some(version.to_owned()),
                kind: BinaryKind::from_type(&type_name),
                type_name,
                payload_offset,
            });
        }
    }
    if first > BARE_ZIP_THRESHOLD && frame.starts_with(ZIP_MAGIC) {
        return Ok(BinaryHeader {
            version: None,
            type_name: "flags_zip".into(),
            kind: BinaryKind::FlagsZip,
            payload_offset: 0,
        });
    }
    let (type_name, payload_offset) = read_type(frame, 0)?;
    Ok(BinaryHeader { version: None, kind: BinaryKind::from_type(&type_name), type_name, payload_offset })
}

fn read_type(frame: &[u8], at: usize) -> Result<(String, usize), BinaryError> {
    let len = read_u32(frame, at).ok_or(BinaryError::TooShort(frame.len()))?;
    if !(1..=256).contains(&len) {
        return Err(BinaryError::BadTypeLength(len));
    }
    let start = at + 4;
    let end = start + len as usize;
    let bytes = frame.get(start..end).ok_or(BinaryError::TooShort(frame.len()))?;
    let name = std::str::from_utf8(bytes).map_err(|_| BinaryError::TypeNotUtf8)?;
    Ok((name.to_owned(), end))
}

#[cfg(test)]
mod tests {
    use super::*;
    // OWLCMS's side of the wire: the simulator writes frames as OWLCMS does.
    use owlcms_simulator::wire::encode_frame;

    #[test]
    fn versioned_header_from_protocol_example() {
        let frame = encode_frame("64.0.0", "flags_zip", b"PK\x03\x04rest");
        assert_eq!(&frame[..4], &[0, 0, 0, 6]);
        let header = parse_header(&frame).unwrap();
        assert_eq!(header.version.as_deref(), Some("64.0.0"));
        assert_eq!(header.kind, BinaryKind::FlagsZip);
        assert_eq!(&frame[header.payload_offset..], b"PK\x03\x04rest");
    }

    #[test]
    fn legacy_header_has_no_version() {
        let mut frame = 16u32.to_be_bytes().to_vec();
        frame.extend_from_slice(b"translations_zip");
        frame.extend_from_slice(b"PK..");
        let header = parse_header(&frame).unwrap();
        assert_eq!(header.version, None);
        assert_eq!(header.kind, BinaryKind::TranslationsZip);
        assert_eq!(header.payload_offset, 20);
        // A short legacy type such as "flags" (5 bytes) is not mistaken for a version.
        let mut frame = 5u32.to_be_bytes().to_vec();
        frame.extend_from_slice(b"flagsPK");
        assert_eq!(parse_header(&frame).unwrap().kind, BinaryKind::FlagsZip);
    }

    #[test]
    fn bad_headers_are_errors() {
        assert_eq!(parse_header(b"ab"), Err(BinaryError::TooShort(2)));
        assert_eq!(parse_header(&[0, 0, 0, 0, 1]), Err(BinaryError::BadTypeLength(0)));
        assert!(matches!(parse_header(&[0, 0, 0, 9, b'a']), Err(BinaryError::TooShort(_))));
        assert_eq!(parse_header(&[0, 0, 0, 2, 0xff, 0xfe]), Err(BinaryError::TypeNotUtf8));
        assert_eq!(BinaryKind::from_type("gamx_zip"), BinaryKind::GamxZip);
    }
}
