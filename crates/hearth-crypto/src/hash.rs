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
