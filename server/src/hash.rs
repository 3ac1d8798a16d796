//! Content hashes: database checksums, plugin revisions and view ids.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256, prefixed so it cannot be mistaken for an OWLCMS checksum.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
