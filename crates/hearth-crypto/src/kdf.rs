//! Passphrase to key-encryption key with Argon2id. The parameters live in the
//! vault header so that they can be raised later without a format change.

use crate::{CryptoError, SymmetricKey};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

/// Argon2id cost settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// Smallest memory cost accepted (8 MiB), so a typo cannot make a vault
    /// trivially guessable.
    pub const MIN_MEMORY_KIB: u32 = 8 * 1024;

    /// Build and check parameters.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, CryptoError> {
        let p = Self {
            memory_kib,
            iterations,
            parallelism,
        };
        p.check()?;
        Ok(p)
    }

    /// Hearth's defaults: 64 MiB, 3 iterations, 1 lane.
    pub const fn default_params() -> Self {
        Self {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
        }
    }

    /// Reject settings outside the accepted range.
    pub fn check(&self) -> Result<(), CryptoError> {
        if self.memory_kib < Self::MIN_MEMORY_KIB {
            return Err(CryptoError::KdfParams(format!(
                "memory must be at least {} MiB",
                Self::MIN_MEMORY_KIB / 1024
            )));
        }
        if self.memory_kib > 4 * 1024 * 1024 {
            return Err(CryptoError::KdfParams(
                "memory must be at most 4096 MiB".into(),
            ));
        }
        if !(1..=100).contains(&self.iterations) {
            return Err(CryptoError::KdfParams(
                "iterations must be between 1 and 100".into(),
            ));
        }
        if !(1..=16).contains(&self.parallelism) {
            return Err(CryptoError::KdfParams(
                "parallelism must be between 1 and 16".into(),
            ));
        }
        Ok(())
    }

    /// Derive the 32-byte key-encryption key from a passphrase and salt.
    pub fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<SymmetricKey, CryptoError> {
        self.check()?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| CryptoError::KdfParams(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase, salt, out.as_mut())
            .map_err(|e| CryptoError::KdfParams(e.to_string()))?;
        Ok(SymmetricKey::from_bytes(*out))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::default_params()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn derive_is_deterministic_and_salted() {
        let p = KdfParams::new(8 * 1024, 1, 1).unwrap();
        let a = p.derive(b"pw", b"0123456789abcdef").unwrap();
        let b = p.derive(b"pw", b"0123456789abcdef").unwrap();
        let c = p.derive(b"pw", b"fedcba9876543210").unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        assert_ne!(a.as_bytes(), c.as_bytes());
    }

    #[test]
    fn rejects_weak_settings() {
        assert!(KdfParams::new(1024, 3, 1).is_err());
        assert!(KdfParams::new(65536, 0, 1).is_err());
    }
}
