//! The secrets a passphrase unlocks, and their wrapping.
//!
//! Layout before wrapping (`SECRETS_LEN` bytes): a format byte (1), then the
//! user's identity key (ed25519 seed, 32), agreement key (x25519 secret, 32),
//! personal scope key (32) and this device's signing key (ed25519 seed, 32).
//! The whole is sealed under the key-encryption key; changing the passphrase
//! seals the same bytes under a new KEK, so nothing else is re-encrypted.

use crate::{CryptoError, DeviceKey, SymmetricKey, aead};
use rand::rngs::OsRng;
use std::fmt;
use zeroize::Zeroizing;

const FORMAT: u8 = 1;
const SECRETS_LEN: usize = 1 + 4 * 32;

/// Everything a vault's passphrase protects.
pub struct VaultSecrets {
    /// The person's identity (ed25519); signs device certificates.
    pub identity: ed25519_dalek::SigningKey,
    /// The person's key agreement key (x25519); receives wrapped circle keys.
    pub agreement: x25519_dalek::StaticSecret,
    /// Encrypts the personal journal's ops and views.
    pub personal_scope_key: SymmetricKey,
    /// This device's op-signing key.
    pub device: DeviceKey,
}

impl VaultSecrets {
    /// Fresh secrets for a new vault.
    pub fn generate() -> Self {
        Self {
            identity: ed25519_dalek::SigningKey::generate(&mut OsRng),
            agreement: x25519_dalek::StaticSecret::random_from_rng(OsRng),
            personal_scope_key: SymmetricKey::random(),
            device: DeviceKey::generate(),
        }
    }

    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(SECRETS_LEN));
        out.push(FORMAT);
        out.extend_from_slice(self.identity.as_bytes());
        out.extend_from_slice(self.agreement.as_bytes());
        out.extend_from_slice(self.personal_scope_key.as_bytes());
        out.extend_from_slice(&self.device.to_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != SECRETS_LEN || bytes[0] != FORMAT {
            return Err(CryptoError::MalformedKey("unknown vault secrets layout"));
        }
        let part = |i: usize| -> Zeroizing<[u8; 32]> {
            let mut a = Zeroizing::new([0u8; 32]);
            a.copy_from_slice(&bytes[1 + 32 * i..1 + 32 * (i + 1)]);
            a
        };
        Ok(Self {
            identity: ed25519_dalek::SigningKey::from_bytes(&part(0)),
            agreement: x25519_dalek::StaticSecret::from(*part(1)),
            personal_scope_key: SymmetricKey::from_bytes(*part(2)),
            device: DeviceKey::from_bytes(&part(3)),
        })
    }

    /// Seal these secrets under a key-encryption key.
    pub fn wrap(&self, kek: &SymmetricKey, aad: &[u8]) -> Vec<u8> {
        aead::seal(kek, aad, &self.encode())
    }

    /// Open secrets sealed by [`VaultSecrets::wrap`]. A wrong passphrase shows
    /// up here as [`CryptoError::Decrypt`].
    pub fn unwrap(kek: &SymmetricKey, aad: &[u8], sealed: &[u8]) -> Result<Self, CryptoError> {
        let plain = Zeroizing::new(aead::open(kek, aad, sealed)?);
        Self::decode(&plain)
    }
}

impl fmt::Debug for VaultSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultSecrets(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wrap_unwrap() {
        let s = VaultSecrets::generate();
        let kek = SymmetricKey::random();
        let sealed = s.wrap(&kek, b"hdr");
        let back = VaultSecrets::unwrap(&kek, b"hdr", &sealed).unwrap();
        assert_eq!(
            back.personal_scope_key.as_bytes(),
            s.personal_scope_key.as_bytes()
        );
        assert_eq!(back.device.public(), s.device.public());
        assert_eq!(back.identity.as_bytes(), s.identity.as_bytes());
        assert_eq!(back.agreement.as_bytes(), s.agreement.as_bytes());
        assert!(VaultSecrets::unwrap(&SymmetricKey::random(), b"hdr", &sealed).is_err());
        assert!(VaultSecrets::unwrap(&kek, b"other", &sealed).is_err());
    }
}
