//! Hearth's cryptography, kept apart from all IO so it can be read and tested
//! on its own.
//!
//! - [`kdf`]: passphrase to key-encryption key (Argon2id).
//! - [`aead`]: the sealed envelope every op payload and view is stored in
//!   (XChaCha20-Poly1305 with a random 24-byte nonce).
//! - [`keys`]: symmetric keys and the user's and device's key pairs, zeroized
//!   on drop and redacted in `Debug`.
//! - [`secrets`]: the person's secrets a passphrase unlocks, and their
//!   wrapping; the device's own secrets.
//! - [`cert`]: device certificates signed by the identity key.
//! - [`statement`]: circle statements (membership, roles, the charter)
//!   signed by a person's identity key.
//! - [`hash`]: BLAKE2b-256, which names ops and payloads.
//! - [`recovery`]: the recovery key, its written form and check characters,
//!   and the second wrapping of the secrets it opens.

pub mod aead;
pub mod cert;
pub mod hash;
pub mod kdf;
pub mod keys;
pub mod recovery;
pub mod secrets;
pub mod statement;
pub mod wrap;

pub use aead::{open, seal};
pub use cert::{DeviceCertificate, DeviceRemoval};
pub use hash::{FILE_CHUNK, file_chunks, file_hash, hash};
pub use kdf::KdfParams;
pub use keys::{DeviceKey, DevicePublicKey, SymmetricKey};
pub use recovery::RecoveryKey;
pub use secrets::{DeviceSecrets, Unwrapped, UserSecrets, VaultSecrets};

/// Errors from Hearth's cryptography.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// Decryption failed: wrong key, or the bytes were changed.
    #[error("decryption failed: wrong key or damaged data")]
    Decrypt,
    /// A sealed blob is shorter than a nonce and a tag.
    #[error("sealed data is truncated")]
    Truncated,
    /// A signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// Key material has the wrong length or form.
    #[error("malformed key material: {0}")]
    MalformedKey(&'static str),
    /// KDF parameters out of range.
    #[error("invalid key-derivation settings: {0}")]
    KdfParams(String),
    /// Typed text is not a recovery key: wrong length or a foreign character.
    #[error("that is not a recovery key: {0}")]
    RecoveryKeyFormat(String),
    /// A recovery key's check characters do not match the rest of it.
    #[error(
        "the recovery key is mistyped: its last characters do not check out against the rest; look at each character again"
    )]
    RecoveryKeyMistyped,
}
