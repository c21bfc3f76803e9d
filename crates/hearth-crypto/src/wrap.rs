//! Wrapping a key to one device: HPKE (RFC 9180) in base mode with
//! X25519-HKDF-SHA256 and ChaCha20-Poly1305, to the device's own agreement
//! key. A new epoch's key travels this way to each device that stays, so a
//! device that was removed, which holds the person's shared secrets but not
//! the others' agreement keys, cannot open it.
//!
//! A wrapping is `encapsulated key (32) || sealed key (32) || tag (16)`.
//! `info` binds it to what it is for (scope, epoch, parent, member set);
//! `aad` to the device it is for.

use crate::{CryptoError, SymmetricKey};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use zeroize::Zeroizing;

/// The bytes of one wrapping.
pub const WRAPPED_LEN: usize = 32 + 32 + 16;

type Suite = (ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256);

/// Wrap `key` to the device whose agreement public key is `recipient`.
pub fn wrap_key(
    recipient: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    key: &SymmetricKey,
) -> Result<Vec<u8>, CryptoError> {
    let public = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(recipient)
        .map_err(|_| CryptoError::MalformedKey("not an x25519 public key"))?;
    let (encapped, sealed) = hpke::single_shot_seal::<
        <Suite as SuiteParts>::A,
        <Suite as SuiteParts>::K,
        <Suite as SuiteParts>::M,
    >(&OpModeS::Base, &public, info, key.as_bytes(), aad)
    .map_err(|_| CryptoError::MalformedKey("a key could not be wrapped"))?;
    let mut out = encapped.to_bytes().to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Open a wrapping made by [`wrap_key`] with this device's agreement secret.
pub fn unwrap_key(
    secret: &x25519_dalek::StaticSecret,
    info: &[u8],
    aad: &[u8],
    wrapped: &[u8],
) -> Result<SymmetricKey, CryptoError> {
    if wrapped.len() != WRAPPED_LEN {
        return Err(CryptoError::Truncated);
    }
    let private = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(secret.as_bytes())
        .map_err(|_| CryptoError::MalformedKey("not an x25519 secret key"))?;
    let encapped = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(&wrapped[..32])
        .map_err(|_| CryptoError::Decrypt)?;
    let plain = Zeroizing::new(
        hpke::single_shot_open::<
            <Suite as SuiteParts>::A,
            <Suite as SuiteParts>::K,
            <Suite as SuiteParts>::M,
        >(
            &OpModeR::Base,
            &private,
            &encapped,
            info,
            &wrapped[32..],
            aad,
        )
        .map_err(|_| CryptoError::Decrypt)?,
    );
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::MalformedKey("a wrapped key is not 32 bytes"))?;
    Ok(SymmetricKey::from_bytes(bytes))
}

/// The suite's parts by name.
trait SuiteParts {
    type A: hpke::aead::Aead;
    type K: hpke::kdf::Kdf;
    type M: Kem;
}

impl SuiteParts for Suite {
    type A = ChaCha20Poly1305;
    type K = HkdfSha256;
    type M = X25519HkdfSha256;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::DeviceSecrets;

    #[test]
    fn only_the_device_it_is_wrapped_to_opens_it_and_only_for_what_it_is_bound_to() {
        let (kept, removed) = (DeviceSecrets::generate(), DeviceSecrets::generate());
        let key = SymmetricKey::random();
        let wrapped = wrap_key(&kept.agreement_public(), b"epoch 2", b"kept", &key).unwrap();
        assert_eq!(wrapped.len(), WRAPPED_LEN);
        let opened = unwrap_key(&kept.agreement, b"epoch 2", b"kept", &wrapped).unwrap();
        assert_eq!(opened.as_bytes(), key.as_bytes());
        assert!(unwrap_key(&removed.agreement, b"epoch 2", b"kept", &wrapped).is_err());
        assert!(unwrap_key(&kept.agreement, b"epoch 3", b"kept", &wrapped).is_err());
        assert!(unwrap_key(&kept.agreement, b"epoch 2", b"other", &wrapped).is_err());
        let mut bent = wrapped.clone();
        bent[40] ^= 1;
        assert!(unwrap_key(&kept.agreement, b"epoch 2", b"kept", &bent).is_err());
    }
}
