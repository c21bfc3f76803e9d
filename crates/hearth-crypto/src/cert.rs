//! Device certificates: the person's identity key vouching for one device.
//!
//! Every device a person pairs holds the same identity key; a device is
//! trusted to write in the person's scopes because a certificate signed by
//! that key names its signing key and its own agreement key. Renaming a
//! device issues a new certificate; the latest `issued_at` wins.
//!
//! Encoding (what an op of kind "device" carries, sealed):
//! `0x01 || identity (32) || device (32) || agreement (32) || i64 issued_at
//! || u16 name length || name (UTF-8) || signature (64)`, the signature by
//! the identity key over `"hearth/device-cert/v1"` and every byte before it.

use crate::{CryptoError, DevicePublicKey};
use ed25519_dalek::{Signer, Verifier};

const VERSION: u8 = 1;
const CONTEXT: &[u8] = b"hearth/device-cert/v1";
/// The longest device name, in bytes of UTF-8.
pub const NAME_MAX: usize = 100;

/// A device's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCertificate {
    /// The identity that signed it.
    pub identity: [u8; 32],
    /// The device's signing (and transport) public key.
    pub device: [u8; 32],
    /// The device's own agreement (x25519) public key.
    pub agreement: [u8; 32],
    /// Unix milliseconds.
    pub issued_at: i64,
    pub name: String,
    pub signature: [u8; 64],
}

impl DeviceCertificate {
    /// Sign a certificate for `device` with the person's identity key.
    pub fn issue(
        identity: &ed25519_dalek::SigningKey,
        device: &DevicePublicKey,
        agreement: [u8; 32],
        name: &str,
        issued_at: i64,
    ) -> Result<Self, CryptoError> {
        check_name(name)?;
        let mut cert = Self {
            identity: identity.verifying_key().to_bytes(),
            device: *device.as_bytes(),
            agreement,
            issued_at,
            name: name.to_string(),
            signature: [0; 64],
        };
        cert.signature = identity.sign(&cert.signed_message()).to_bytes();
        Ok(cert)
    }

    fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 3 * 32 + 8 + 2 + self.name.len());
        out.push(VERSION);
        out.extend_from_slice(&self.identity);
        out.extend_from_slice(&self.device);
        out.extend_from_slice(&self.agreement);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        // check_name keeps the name far below u16::MAX.
        out.extend_from_slice(&(self.name.len() as u16).to_be_bytes());
        out.extend_from_slice(self.name.as_bytes());
        out
    }

    fn signed_message(&self) -> Vec<u8> {
        let mut m = CONTEXT.to_vec();
        m.extend_from_slice(&self.body());
        m
    }

    /// The certificate's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.body();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Read a certificate (its signature is not checked here).
    pub fn decode(bytes: &[u8]) -> Result<Self, CryptoError> {
        let bad = || CryptoError::MalformedKey("malformed device certificate");
        let fixed = 1 + 3 * 32 + 8 + 2;
        if bytes.len() < fixed + 64 || bytes[0] != VERSION {
            return Err(bad());
        }
        let arr = |at: usize| -> [u8; 32] {
            let mut a = [0u8; 32];
            a.copy_from_slice(&bytes[at..at + 32]);
            a
        };
        let mut when = [0u8; 8];
        when.copy_from_slice(&bytes[97..105]);
        let len = u16::from_be_bytes([bytes[105], bytes[106]]) as usize;
        if bytes.len() != fixed + len + 64 {
            return Err(bad());
        }
        let name = std::str::from_utf8(&bytes[fixed..fixed + len]).map_err(|_| bad())?;
        check_name(name).map_err(|_| bad())?;
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[fixed + len..]);
        Ok(Self {
            identity: arr(1),
            device: arr(33),
            agreement: arr(65),
            issued_at: i64::from_be_bytes(when),
            name: name.to_string(),
            signature,
        })
    }

    /// Check that `identity` signed this certificate.
    pub fn verify(&self, identity: &[u8; 32]) -> Result<(), CryptoError> {
        verify_by_identity(
            identity,
            &self.identity,
            &self.signed_message(),
            &self.signature,
        )
    }
}

/// The person's identity key saying a device is removed: its ops after
/// `last_seq` (in the personal scope) are refused from then on.
///
/// Encoding: `0x01 || identity (32) || device (32) || u64 last_seq || i64
/// removed_at || signature (64)`, the signature by the identity key over
/// `"hearth/device-removal/v1"` and every byte before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRemoval {
    pub identity: [u8; 32],
    pub device: [u8; 32],
    /// The last of its ops that still counts.
    pub last_seq: u64,
    /// Unix milliseconds.
    pub removed_at: i64,
    pub signature: [u8; 64],
}

const REMOVAL_CONTEXT: &[u8] = b"hearth/device-removal/v1";
const REMOVAL_LEN: usize = 1 + 32 + 32 + 8 + 8 + 64;

impl DeviceRemoval {
    pub fn issue(
        identity: &ed25519_dalek::SigningKey,
        device: [u8; 32],
        last_seq: u64,
        removed_at: i64,
    ) -> Self {
        let mut r = Self {
            identity: identity.verifying_key().to_bytes(),
            device,
            last_seq,
            removed_at,
            signature: [0; 64],
        };
        r.signature = identity.sign(&r.signed_message()).to_bytes();
        r
    }

    fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(REMOVAL_LEN);
        out.push(VERSION);
        out.extend_from_slice(&self.identity);
        out.extend_from_slice(&self.device);
        out.extend_from_slice(&self.last_seq.to_be_bytes());
        out.extend_from_slice(&self.removed_at.to_be_bytes());
        out
    }

    fn signed_message(&self) -> Vec<u8> {
        let mut m = REMOVAL_CONTEXT.to_vec();
        m.extend_from_slice(&self.body());
        m
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.body();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Read a removal (its signature is not checked here).
    pub fn decode(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != REMOVAL_LEN || bytes[0] != VERSION {
            return Err(CryptoError::MalformedKey("malformed device removal"));
        }
        let take = |at: usize, out: &mut [u8]| out.copy_from_slice(&bytes[at..at + out.len()]);
        let (mut identity, mut device, mut seq, mut at, mut signature) =
            ([0u8; 32], [0u8; 32], [0u8; 8], [0u8; 8], [0u8; 64]);
        take(1, &mut identity);
        take(33, &mut device);
        take(65, &mut seq);
        take(73, &mut at);
        take(81, &mut signature);
        Ok(Self {
            identity,
            device,
            last_seq: u64::from_be_bytes(seq),
            removed_at: i64::from_be_bytes(at),
            signature,
        })
    }

    /// Check that `identity` signed this removal.
    pub fn verify(&self, identity: &[u8; 32]) -> Result<(), CryptoError> {
        verify_by_identity(
            identity,
            &self.identity,
            &self.signed_message(),
            &self.signature,
        )
    }
}

/// Check that `signature` over `message` is by `identity`, and that the
/// statement names that identity as its signer.
pub(crate) fn verify_by_identity(
    identity: &[u8; 32],
    named: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), CryptoError> {
    if named != identity {
        return Err(CryptoError::BadSignature);
    }
    let key = ed25519_dalek::VerifyingKey::from_bytes(identity)
        .map_err(|_| CryptoError::MalformedKey("not an ed25519 public key"))?;
    key.verify(message, &ed25519_dalek::Signature::from_bytes(signature))
        .map_err(|_| CryptoError::BadSignature)
}

/// A device name: 1 to [`NAME_MAX`] bytes, one line.
pub fn check_name(name: &str) -> Result<(), CryptoError> {
    if name.trim().is_empty() || name.len() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(CryptoError::MalformedKey(
            "a device name is one line of 1 to 100 bytes",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::DeviceKey;
    use rand::rngs::OsRng;

    #[test]
    fn issue_encode_verify() {
        let id = ed25519_dalek::SigningKey::generate(&mut OsRng);
        let dev = DeviceKey::generate();
        let c = DeviceCertificate::issue(&id, &dev.public(), [5; 32], "laptop", 7).unwrap();
        let back = DeviceCertificate::decode(&c.encode()).unwrap();
        assert_eq!(back, c);
        back.verify(&id.verifying_key().to_bytes()).unwrap();
        let other = ed25519_dalek::SigningKey::generate(&mut OsRng);
        assert!(back.verify(&other.verifying_key().to_bytes()).is_err());
        let mut renamed = back.clone();
        renamed.name = "desktop".into();
        assert!(renamed.verify(&id.verifying_key().to_bytes()).is_err());
        let bytes = c.encode();
        assert!(DeviceCertificate::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(DeviceCertificate::issue(&id, &dev.public(), [5; 32], "", 7).is_err());
        assert!(DeviceCertificate::issue(&id, &dev.public(), [5; 32], "a\nb", 7).is_err());
    }
}
