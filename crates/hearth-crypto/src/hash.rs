//! The one hash Hearth uses to name bytes: BLAKE2b with a 32-byte digest.
//! It names an op (the previous-op link in a log) and an op's payload (so a
//! purge marker without its payload keeps a checkable signature).

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

/// BLAKE2b-256 of the concatenation of `parts`.
pub fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Blake2b::<U32>::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The most bytes one chunk of a file holds when it is named (1 MiB).
pub const FILE_CHUNK: usize = 1 << 20;

/// A file's content hash: BLAKE2b-256 over its size and the hash of each of
/// its [`FILE_CHUNK`]-byte chunks (an empty file is one empty chunk), so
/// each chunk can be checked on its own as it arrives.
pub fn file_hash(size: u64, chunk_hashes: &[[u8; 32]]) -> [u8; 32] {
    let size = size.to_be_bytes();
    let mut parts: Vec<&[u8]> = vec![b"hearth/file/v1", &size];
    parts.extend(chunk_hashes.iter().map(|c| c.as_slice()));
    hash(&parts)
}

/// How many chunks a file of `size` bytes has.
pub fn file_chunks(size: u64) -> u64 {
    size.div_ceil(FILE_CHUNK as u64).max(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_answer() {
        // BLAKE2b-256 of the empty string (RFC 7693 test vectors' digest size 32).
        assert_eq!(
            hex_of(&hash(&[])),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        );
        assert_eq!(hash(&[b"ab", b"c"]), hash(&[b"abc"]));
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
