//! Fuzz property of the binary frame header (`protocol::binary::parse_header`).

use owlcms_simulator::wire::encode_frame;
use owlcms_tracker::protocol::Version;
use owlcms_tracker::protocol::binary::{BinaryKind, parse_header};

/// Parses `data` as a binary frame; an accepted header describes the frame exactly: encoding
/// its parts again gives back the same bytes.
pub fn check(data: &[u8]) {
    let Ok(header) = parse_header(data) else { return };
    assert!(header.payload_offset <= data.len(), "payload offset inside the frame");
    let payload = &data[header.payload_offset..];
    let rebuilt = match &header.version {
        Some(version) => {
            assert!(Version::parse(version).is_some(), "a versioned header has a version");
            encode_frame(version, &header.type_name, payload)
        }
        // A bare ZIP (no header at all): the whole frame is the payload.
        None if header.payload_offset == 0 => {
            assert_eq!(header.kind, BinaryKind::FlagsZip);
            assert!(data.starts_with(b"PK\x03\x04"));
            data.to_vec()
        }
        None => {
            let mut legacy = (header.type_name.len() as u32).to_be_bytes().to_vec();
            legacy.extend_from_slice(header.type_name.as_bytes());
            legacy.extend_from_slice(payload);
            legacy
        }
    };
    assert_eq!(rebuilt, data, "the header read is the header sent");
    if header.payload_offset > 0 {
        assert_eq!(header.kind, BinaryKind::from_type(&header.type_name));
        assert!((1..=256).contains(&header.type_name.len()));
    }
}
