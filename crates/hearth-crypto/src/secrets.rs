//! The secrets a passphrase unlocks, the device's own secrets, and their
//! wrapping.
//!
//! A person's **user secrets** are the same on every device they pair:
//! identity key (ed25519 seed, 32), agreement key (x25519 secret, 32) and the
//! personal scope key (32). Wrapped under the passphrase's key-encryption key
//! (and under the recovery key) as layout 2: a format byte `0x02` then those
//! 96 bytes. Layout 1, written by vaults of format 1, carried the device's
//! signing key as a fourth part; it is still read, and that key is handed
//! back as the legacy device key so a migration can keep it.
//!
//! A device's **device secrets** never leave it: its signing key (ed25519
//! seed, the author of its ops and its transport identity) and its own
//! agreement key (x25519), to which keys are wrapped for this device alone.
//! They are sealed under the personal scope key, bound to the device's
//! public key, so a restored copy or a new device mints its own.

use crate::{CryptoError, DeviceKey, SymmetricKey, aead};
use rand::rngs::OsRng;
use std::fmt;
use zeroize::Zeroizing;

const LAYOUT_V1: u8 = 1;
const LAYOUT_V2: u8 = 2;
const V1_LEN: usize = 1 + 4 * 32;
const V2_LEN: usize = 1 + 3 * 32;
const DEVICE_LAYOUT: u8 = 1;
const DEVICE_LEN: usize = 1 + 2 * 32;
const DEVICE_AAD: &[u8] = b"hearth/device-secrets/v1";

/// What every device of one person holds.
pub struct UserSecrets {
    /// The person's identity (ed25519); signs device certificates.
    pub identity: ed25519_dalek::SigningKey,
    /// The person's key agreement key (x25519); receives wrapped circle keys.
    pub agreement: x25519_dalek::StaticSecret,
    /// The personal scope's first key (epoch 0). It also seals what is only
    /// ever stored on this device: views, settings, caches, epoch keys.
    pub personal_scope_key: SymmetricKey,
}

/// Secrets unwrapped from a passphrase or recovery wrapping.
#[derive(Debug)]
pub struct Unwrapped {
    pub user: UserSecrets,
    /// The device key a layout-1 wrapping carried (vaults of format 1).
    pub legacy_device: Option<DeviceKey>,
}

impl UserSecrets {
    /// Fresh secrets for a new person.
    pub fn generate() -> Self {
        Self {
            identity: ed25519_dalek::SigningKey::generate(&mut OsRng),
            agreement: x25519_dalek::StaticSecret::random_from_rng(OsRng),
            personal_scope_key: SymmetricKey::random(),
        }
    }

    /// The identity's public key.
    pub fn identity_public(&self) -> [u8; 32] {
        self.identity.verifying_key().to_bytes()
    }

    /// The bytes a wrapping seals (layout 2).
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(V2_LEN));
        out.push(LAYOUT_V2);
        out.extend_from_slice(self.identity.as_bytes());
        out.extend_from_slice(self.agreement.as_bytes());
        out.extend_from_slice(self.personal_scope_key.as_bytes());
        out
    }

    /// Read layout 2, or layout 1 with its device key.
    pub fn decode(bytes: &[u8]) -> Result<Unwrapped, CryptoError> {
        let legacy = match (bytes.len(), bytes.first()) {
            (V2_LEN, Some(&LAYOUT_V2)) => false,
            (V1_LEN, Some(&LAYOUT_V1)) => true,
            _ => return Err(CryptoError::MalformedKey("unknown user secrets layout")),
        };
        let part = |i: usize| -> Zeroizing<[u8; 32]> { part(bytes, i) };
        Ok(Unwrapped {
            user: Self {
                identity: ed25519_dalek::SigningKey::from_bytes(&part(0)),
                agreement: x25519_dalek::StaticSecret::from(*part(1)),
                personal_scope_key: SymmetricKey::from_bytes(*part(2)),
            },
            legacy_device: legacy.then(|| DeviceKey::from_bytes(&part(3))),
        })
    }

    /// Seal these secrets under a key-encryption key.
    pub fn wrap(&self, kek: &SymmetricKey, aad: &[u8]) -> Vec<u8> {
        aead::seal(kek, aad, &self.encode())
    }

    /// Open secrets sealed by [`UserSecrets::wrap`] (or by a format-1
    /// vault). A wrong passphrase shows up here as [`CryptoError::Decrypt`].
    pub fn unwrap(kek: &SymmetricKey, aad: &[u8], sealed: &[u8]) -> Result<Unwrapped, CryptoError> {
        let plain = Zeroizing::new(aead::open(kek, aad, sealed)?);
        Self::decode(&plain)
    }
}

fn part(bytes: &[u8], i: usize) -> Zeroizing<[u8; 32]> {
    let mut a = Zeroizing::new([0u8; 32]);
    a.copy_from_slice(&bytes[1 + 32 * i..1 + 32 * (i + 1)]);
    a
}

/// What only this device holds.
pub struct DeviceSecrets {
    /// Signs this device's ops; its public key is the device's id.
    pub key: DeviceKey,
    /// This device's own agreement key (x25519): a new epoch key is wrapped
    /// to each remaining device's, so a removed device cannot open it.
    pub agreement: x25519_dalek::StaticSecret,
}

impl DeviceSecrets {
    /// Fresh secrets for a new device.
    pub fn generate() -> Self {
        Self::with_key(DeviceKey::generate())
    }

    /// Secrets around an existing signing key, with a new agreement key.
    pub fn with_key(key: DeviceKey) -> Self {
        Self {
            key,
            agreement: x25519_dalek::StaticSecret::random_from_rng(OsRng),
        }
    }

    /// The agreement key's public half.
    pub fn agreement_public(&self) -> [u8; 32] {
        x25519_dalek::PublicKey::from(&self.agreement).to_bytes()
    }

    fn aad(bound_to: &[u8]) -> Vec<u8> {
        let mut a = DEVICE_AAD.to_vec();
        a.extend_from_slice(bound_to);
        a
    }

    /// Seal under `key`, bound to `bound_to` (the vault's scope id and this
    /// device's public key).
    pub fn seal(&self, key: &SymmetricKey, bound_to: &[u8]) -> Vec<u8> {
        let mut plain = Zeroizing::new(Vec::with_capacity(DEVICE_LEN));
        plain.push(DEVICE_LAYOUT);
        plain.extend_from_slice(&self.key.to_bytes());
        plain.extend_from_slice(self.agreement.as_bytes());
        aead::seal(key, &Self::aad(bound_to), &plain)
    }

    /// Open what [`DeviceSecrets::seal`] sealed.
    pub fn open(key: &SymmetricKey, bound_to: &[u8], sealed: &[u8]) -> Result<Self, CryptoError> {
        let plain = Zeroizing::new(aead::open(key, &Self::aad(bound_to), sealed)?);
        if plain.len() != DEVICE_LEN || plain[0] != DEVICE_LAYOUT {
            return Err(CryptoError::MalformedKey("unknown device secrets layout"));
        }
        Ok(Self {
            key: DeviceKey::from_bytes(&part(&plain, 0)),
            agreement: x25519_dalek::StaticSecret::from(*part(&plain, 1)),
        })
    }
}

/// Everything an unlocked vault holds: the person's secrets and this
/// device's.
pub struct VaultSecrets {
    pub user: UserSecrets,
    pub device: DeviceSecrets,
}

impl fmt::Debug for VaultSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultSecrets(<redacted>)")
    }
}

impl fmt::Debug for UserSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserSecrets(<redacted>)")
    }
}

impl fmt::Debug for DeviceSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceSecrets({}, <redacted>)", self.key.public())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wrap_unwrap() {
        let s = UserSecrets::generate();
        let kek = SymmetricKey::random();
        let sealed = s.wrap(&kek, b"hdr");
        let back = UserSecrets::unwrap(&kek, b"hdr", &sealed).unwrap();
        assert!(back.legacy_device.is_none());
        let back = back.user;
        assert_eq!(
            back.personal_scope_key.as_bytes(),
            s.personal_scope_key.as_bytes()
        );
        assert_eq!(back.identity.as_bytes(), s.identity.as_bytes());
        assert_eq!(back.agreement.as_bytes(), s.agreement.as_bytes());
        assert!(UserSecrets::unwrap(&SymmetricKey::random(), b"hdr", &sealed).is_err());
        assert!(UserSecrets::unwrap(&kek, b"other", &sealed).is_err());
    }

    #[test]
    fn layout_1_gives_its_device_key() {
        let s = UserSecrets::generate();
        let device = DeviceKey::generate();
        let mut v1 = Zeroizing::new(vec![LAYOUT_V1]);
        v1.extend_from_slice(s.identity.as_bytes());
        v1.extend_from_slice(s.agreement.as_bytes());
        v1.extend_from_slice(s.personal_scope_key.as_bytes());
        v1.extend_from_slice(&device.to_bytes());
        let back = UserSecrets::decode(&v1).unwrap();
        assert_eq!(back.legacy_device.unwrap().public(), device.public());
        assert_eq!(back.user.identity.as_bytes(), s.identity.as_bytes());
        assert!(UserSecrets::decode(&v1[..V1_LEN - 1]).is_err());
    }

    #[test]
    fn device_secrets_are_bound() {
        let d = DeviceSecrets::generate();
        let key = SymmetricKey::random();
        let sealed = d.seal(&key, b"here");
        let back = DeviceSecrets::open(&key, b"here", &sealed).unwrap();
        assert_eq!(back.key.public(), d.key.public());
        assert_eq!(back.agreement_public(), d.agreement_public());
        assert!(DeviceSecrets::open(&key, b"there", &sealed).is_err());
    }
}
