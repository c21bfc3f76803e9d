//! The sealed envelope: `nonce (24 bytes) || ciphertext || tag (16 bytes)`,
//! XChaCha20-Poly1305 with caller-supplied associated data. Random nonces are
//! safe at this size, so no nonce state has to be kept anywhere.

use crate::{CryptoError, SymmetricKey};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;

/// Bytes a sealed envelope adds to its plaintext.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Encrypt `plaintext` under `key`, binding `aad`.
pub fn seal(key: &SymmetricKey, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = Vec::with_capacity(plaintext.len() + OVERHEAD);
    out.extend_from_slice(&nonce);
    // Encryption with a 32-byte key and in-memory buffers cannot fail.
    if let Ok(ct) = cipher.encrypt(
        &nonce,
        Payload {
            msg: plaintext,
            aad,
        },
    ) {
        out.extend_from_slice(&ct);
    }
    out
}

/// Decrypt and authenticate a sealed envelope.
pub fn open(key: &SymmetricKey, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < OVERHEAD {
        return Err(CryptoError::Truncated);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| CryptoError::Decrypt)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = SymmetricKey::random();
        let sealed = seal(&key, b"aad", b"dear diary");
        assert_eq!(open(&key, b"aad", &sealed).unwrap(), b"dear diary");
        assert_eq!(open(&key, b"other", &sealed), Err(CryptoError::Decrypt));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(open(&key, b"aad", &bad), Err(CryptoError::Decrypt));
        }
        assert_eq!(
            open(&key, b"aad", &sealed[..10]),
            Err(CryptoError::Truncated)
        );
        assert_eq!(
            open(&SymmetricKey::random(), b"aad", &sealed),
            Err(CryptoError::Decrypt)
        );
    }
}
