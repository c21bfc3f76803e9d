//! Key types. Secret keys are zeroized on drop, never serialisable, and print
//! as `<redacted>`.

use crate::CryptoError;
use ed25519_dalek::{Signer, Verifier};
use rand::RngCore;
use rand::rngs::OsRng;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A 32-byte symmetric key: a scope key or a key-encryption key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SymmetricKey([u8; 32]);

impl SymmetricKey {
    /// A fresh random key.
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        Self(k)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey(<redacted>)")
    }
}

/// A device's signing key (ed25519). It signs every op the device writes, and
/// is the same key the device will use as its transport identity.
#[derive(Clone)]
pub struct DeviceKey(ed25519_dalek::SigningKey);

impl DeviceKey {
    pub fn generate() -> Self {
        Self(ed25519_dalek::SigningKey::generate(&mut OsRng))
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(bytes))
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public(&self) -> DevicePublicKey {
        DevicePublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({}, <redacted>)", self.public())
    }
}

/// The public half of a [`DeviceKey`]; also the author id in the op log.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DevicePublicKey(ed25519_dalek::VerifyingKey);

impl DevicePublicKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::MalformedKey("device public key must be 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(arr)
            .map(Self)
            .map_err(|_| CryptoError::MalformedKey("not an ed25519 public key"))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// Check a signature made by [`DeviceKey::sign`].
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let sig = ed25519_dalek::Signature::from_slice(signature)
            .map_err(|_| CryptoError::BadSignature)?;
        self.0
            .verify(message, &sig)
            .map_err(|_| CryptoError::BadSignature)
    }
}

impl fmt::Display for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DevicePublicKey({self})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sign_verify() {
        let k = DeviceKey::generate();
        let sig = k.sign(b"op");
        k.public().verify(b"op", &sig).unwrap();
        assert_eq!(
            k.public().verify(b"oq", &sig),
            Err(CryptoError::BadSignature)
        );
        let again = DevicePublicKey::from_bytes(k.public().as_bytes()).unwrap();
        assert_eq!(again, k.public());
    }

    #[test]
    fn debug_is_redacted() {
        let k = SymmetricKey::from_bytes([7u8; 32]);
        assert!(!format!("{k:?}").contains('7'));
    }
}
