//! The recovery key: a second way to open the user secrets, for a person who
//! has forgotten their passphrase.
//!
//! # The key and how it is written
//!
//! A recovery key is 20 random bytes (160 bits). It is shown once, as 36
//! characters of Crockford's base32 in nine groups of four:
//!
//! ```text
//! 7K3M-Q9XA-...-C4TZ
//! ```
//!
//! The first 32 characters are the 20 bytes, 5 bits a character, most
//! significant first. The last 4 are check characters, so that a mistyped key
//! is refused before any work is done.
//!
//! Reading a key back forgives what people do when they copy one by hand:
//! lower case, spaces or line breaks, dashes anywhere or nowhere, and
//! Crockford's look-alikes (`I` and `L` read as `1`, `O` as `0`). `U` is not
//! in the alphabet and is refused.
//!
//! # The check characters
//!
//! They are not a truncated hash, because a hash catches a given typo only
//! with high probability. They are the syndrome of a linear code over
//! GF(32) (the field `x^5 + x^2 + 1`): with `d_i` the value of key character
//! `i` (0 to 31) and `b_i` the field element whose bits are `i`,
//!
//! ```text
//! check_k = sum over i of b_i^k * d_i        for k = 0, 1, 2, 3
//! ```
//!
//! The columns `(1, b_i, b_i^2, b_i^3)` of the key characters are distinct
//! and any four of them form an invertible Vandermonde matrix; the check
//! characters have the unit columns. So, guaranteed rather than likely:
//! every change of one character is caught, every swap of two neighbouring
//! characters is caught, and every change of up to four of the 32 key
//! characters is caught. A random wrong string passes with probability
//! 2^-20.
//!
//! # The key-encryption key
//!
//! The recovery key-encryption key is
//! `BLAKE2b-256(key = the 20 bytes, salt = 16 random bytes,
//! personalisation = "hearth-recovery1")` (BLAKE2's own keyed mode, which is
//! a PRF; salt and personalisation are its built-in domain separation). No
//! Argon2 here, by choice: Argon2 exists to slow the guessing of a
//! low-entropy passphrase, and a key of 160 uniformly random bits cannot be
//! guessed however fast each guess is. The salt is drawn afresh for every
//! wrapping and stored with it (it cannot be the vault header's salt, which
//! changes with every passphrase change while the recovery wrapping stays).
//!
//! # The wrapping
//!
//! `format (1 byte, 1) || salt (16) || sealed envelope`, where the envelope
//! seals the same bytes the passphrase wrapping seals (see
//! [`UserSecrets`]), with associated data chosen by the caller to bind it
//! to its vault. Nothing else is encrypted under the recovery key.

use crate::{CryptoError, SymmetricKey, Unwrapped, UserSecrets};
use blake2::Blake2bMac;
use blake2::digest::Mac;
use blake2::digest::consts::U32;
use rand::RngCore;
use rand::rngs::OsRng;
use std::fmt;
use std::str::FromStr;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Bytes of randomness in a recovery key.
pub const KEY_LEN: usize = 20;
/// Characters of a written key without dashes: 32 for the key, 4 to check it.
pub const CHARS: usize = DATA_CHARS + CHECK_CHARS;
const DATA_CHARS: usize = KEY_LEN * 8 / 5;
const CHECK_CHARS: usize = 4;
const GROUP: usize = 4;

/// Crockford's base32 alphabet: digits and upper-case letters without I, L,
/// O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const WRAP_FORMAT: u8 = 1;
const SALT_LEN: usize = 16;
const PERSONA: &[u8; 16] = b"hearth-recovery1";

/// A recovery key: 20 random bytes. Zeroized on drop, redacted in `Debug`,
/// never serialisable; [`RecoveryKey::encoded`] is the one way to see it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKey([u8; KEY_LEN]);

impl RecoveryKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut k = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut k);
        Self(k)
    }

    /// The key as a person writes it down: 36 characters in groups of four.
    pub fn encoded(&self) -> Zeroizing<String> {
        let mut symbols = Zeroizing::new([0u8; CHARS]);
        let data = to_symbols(&self.0);
        symbols[..DATA_CHARS].copy_from_slice(data.as_ref());
        symbols[DATA_CHARS..].copy_from_slice(&check(data.as_ref()));
        let mut out = Zeroizing::new(String::with_capacity(CHARS + CHARS / GROUP));
        for (i, s) in symbols.iter().enumerate() {
            if i > 0 && i % GROUP == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(*s)]));
        }
        out
    }

    /// Read a key as a person typed it (see the module docs for what is
    /// forgiven). A wrong length, a character outside the alphabet or check
    /// characters that do not match are refused.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let mut symbols = Zeroizing::new([0u8; CHARS]);
        let mut n = 0usize;
        for c in text.chars() {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            let value = symbol_value(c).ok_or_else(|| {
                CryptoError::RecoveryKeyFormat(format!(
                    "{c:?} is not a character recovery keys use (digits and the letters A to Z except U)"
                ))
            })?;
            if n < CHARS {
                symbols[n] = value;
            }
            n += 1;
        }
        if n != CHARS {
            return Err(CryptoError::RecoveryKeyFormat(format!(
                "a recovery key has {CHARS} characters, not counting dashes and spaces; this has {n}"
            )));
        }
        let (data, given) = symbols.split_at(DATA_CHARS);
        if check(data) != given {
            return Err(CryptoError::RecoveryKeyMistyped);
        }
        Ok(Self(from_symbols(data)))
    }

    /// The key that wraps the secrets, from this key and a wrapping's salt.
    fn kek(&self, salt: &[u8; SALT_LEN]) -> Result<SymmetricKey, CryptoError> {
        let mut mac = Blake2bMac::<U32>::new_with_salt_and_personal(&self.0, salt, PERSONA)
            .map_err(|_| CryptoError::MalformedKey("recovery key derivation parameters"))?;
        mac.update(b"hearth recovery key-encryption key");
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&mac.finalize().into_bytes());
        Ok(SymmetricKey::from_bytes(*out))
    }

    /// Seal `secrets` under this key, binding `aad`.
    pub fn wrap(&self, secrets: &UserSecrets, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut salt = [0u8; SALT_LEN];
        OsRng.fill_bytes(&mut salt);
        let kek = self.kek(&salt)?;
        let sealed = secrets.wrap(&kek, aad);
        let mut out = Vec::with_capacity(1 + SALT_LEN + sealed.len());
        out.push(WRAP_FORMAT);
        out.extend_from_slice(&salt);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Open secrets sealed by [`RecoveryKey::wrap`]. A key that is well
    /// formed but not this vault's (say, one since replaced) shows up here as
    /// [`CryptoError::Decrypt`].
    pub fn unwrap(&self, aad: &[u8], wrapped: &[u8]) -> Result<Unwrapped, CryptoError> {
        let Some((&format, rest)) = wrapped.split_first() else {
            return Err(CryptoError::Truncated);
        };
        if format != WRAP_FORMAT {
            return Err(CryptoError::MalformedKey(
                "unknown recovery wrapping format",
            ));
        }
        if rest.len() < SALT_LEN {
            return Err(CryptoError::Truncated);
        }
        let (salt, sealed) = rest.split_at(SALT_LEN);
        let mut s = [0u8; SALT_LEN];
        s.copy_from_slice(salt);
        UserSecrets::unwrap(&self.kek(&s)?, aad, sealed)
    }
}

impl FromStr for RecoveryKey {
    type Err = CryptoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

/// The 5-bit value of a typed character, with Crockford's substitutions.
fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    let b = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == b)
        .and_then(|p| u8::try_from(p).ok())
}

/// 20 bytes as 32 five-bit symbols, most significant bits first.
fn to_symbols(bytes: &[u8; KEY_LEN]) -> Zeroizing<[u8; DATA_CHARS]> {
    let mut out = Zeroizing::new([0u8; DATA_CHARS]);
    let mut acc: u16 = 0;
    let mut bits = 0u32;
    let mut n = 0usize;
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out[n] = ((acc >> bits) & 0x1f) as u8;
            n += 1;
        }
        acc &= (1 << bits) - 1;
    }
    acc.zeroize();
    out
}

/// The inverse of [`to_symbols`] (160 bits fill 32 symbols exactly).
fn from_symbols(symbols: &[u8]) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    let mut acc: u16 = 0;
    let mut bits = 0u32;
    let mut n = 0usize;
    for &s in symbols.iter().take(DATA_CHARS) {
        acc = (acc << 5) | u16::from(s & 0x1f);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out[n] = (acc >> bits) as u8;
            n += 1;
        }
        acc &= (1 << bits) - 1;
    }
    acc.zeroize();
    out
}

/// Multiplication in GF(32) = GF(2)[x] / (x^5 + x^2 + 1).
fn gf_mul(a: u8, b: u8) -> u8 {
    let (mut a, mut b, mut p) = (a & 0x1f, b & 0x1f, 0u8);
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0b10_0101;
        }
    }
    p
}

/// The four check symbols of 32 key symbols (see the module docs).
fn check(data: &[u8]) -> [u8; CHECK_CHARS] {
    let mut out = [0u8; CHECK_CHARS];
    for (i, &d) in data.iter().enumerate().take(DATA_CHARS) {
        let locator = i as u8;
        let mut power = 1u8;
        for c in out.iter_mut() {
            *c ^= gf_mul(power, d);
            power = gf_mul(power, locator);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn decode(s: &str) -> Vec<u8> {
        s.chars()
            .filter(|&c| c != '-')
            .map(|c| symbol_value(c).unwrap())
            .collect()
    }

    fn encode(symbols: &[u8]) -> String {
        symbols
            .iter()
            .map(|&s| char::from(ALPHABET[usize::from(s)]))
            .collect()
    }

    #[test]
    fn round_trip() {
        for _ in 0..200 {
            let k = RecoveryKey::generate();
            let text = k.encoded();
            assert_eq!(text.len(), CHARS + CHARS / GROUP - 1);
            let groups: Vec<&str> = text.split('-').collect();
            assert_eq!(groups.len(), 9);
            assert!(groups.iter().all(|g| g.len() == 4));
            assert!(
                text.chars()
                    .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
            );
            assert_eq!(RecoveryKey::parse(&text).unwrap().0, k.0);
            assert_eq!(text.parse::<RecoveryKey>().unwrap().0, k.0);
        }
        let zeros = RecoveryKey([0; KEY_LEN]);
        assert_eq!(
            RecoveryKey::parse(&zeros.encoded()).unwrap().0,
            [0; KEY_LEN]
        );
        let ones = RecoveryKey([0xff; KEY_LEN]);
        assert_eq!(
            RecoveryKey::parse(&ones.encoded()).unwrap().0,
            [0xff; KEY_LEN]
        );
    }

    #[test]
    fn symbols_round_trip_bit_for_bit() {
        let mut bytes = [0u8; KEY_LEN];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
        assert_eq!(from_symbols(to_symbols(&bytes).as_ref()), bytes);
        // The first symbol is the top five bits of the first byte.
        let mut one = [0u8; KEY_LEN];
        one[0] = 0b1010_1000;
        assert_eq!(to_symbols(&one)[0], 0b10101);
    }

    #[test]
    fn every_single_character_change_is_caught() {
        for _ in 0..20 {
            let good = decode(&RecoveryKey::generate().encoded());
            for pos in 0..CHARS {
                for v in 0..32u8 {
                    if v == good[pos] {
                        continue;
                    }
                    let mut bad = good.clone();
                    bad[pos] = v;
                    assert_eq!(
                        RecoveryKey::parse(&encode(&bad)).unwrap_err(),
                        CryptoError::RecoveryKeyMistyped,
                        "change at {pos} to {v} went unnoticed"
                    );
                }
            }
        }
    }

    #[test]
    fn every_swap_of_neighbours_is_caught() {
        for _ in 0..50 {
            let good = decode(&RecoveryKey::generate().encoded());
            for pos in 0..CHARS - 1 {
                if good[pos] == good[pos + 1] {
                    continue;
                }
                let mut bad = good.clone();
                bad.swap(pos, pos + 1);
                assert_eq!(
                    RecoveryKey::parse(&encode(&bad)).unwrap_err(),
                    CryptoError::RecoveryKeyMistyped
                );
            }
        }
    }

    #[test]
    fn up_to_four_changes_in_the_key_part_are_caught() {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        for _ in 0..20_000 {
            let good = decode(&RecoveryKey::generate().encoded());
            let mut bad = good.clone();
            let errors = rng.gen_range(1..=4);
            let mut positions = Vec::new();
            while positions.len() < errors {
                let p = rng.gen_range(0..DATA_CHARS);
                if !positions.contains(&p) {
                    positions.push(p);
                }
            }
            for p in positions {
                bad[p] ^= rng.gen_range(1..32u8);
            }
            assert!(RecoveryKey::parse(&encode(&bad)).is_err());
        }
    }

    #[test]
    fn input_is_normalised() {
        let k = RecoveryKey::generate();
        let text = k.encoded().to_string();
        let plain: String = text.chars().filter(|&c| c != '-').collect();
        let variants = [
            text.to_lowercase(),
            plain.clone(),
            plain.to_lowercase(),
            text.replace('-', " "),
            format!("  {}\n", text.replace('-', "  ")),
            plain
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let sep = if i % 3 == 2 { Some('-') } else { None };
                    std::iter::once(c).chain(sep)
                })
                .collect(),
            text.replace('1', "I").replace('0', "O"),
            text.replace('1', "l").replace('0', "o"),
            text.replace('1', "L"),
        ];
        for v in variants {
            assert_eq!(RecoveryKey::parse(&v).unwrap().0, k.0, "{v:?}");
        }
    }

    #[test]
    fn malformed_input_is_refused_plainly() {
        let text = RecoveryKey::generate().encoded().to_string();
        let short = &text[..text.len() - 1];
        assert!(matches!(
            RecoveryKey::parse(short),
            Err(CryptoError::RecoveryKeyFormat(m)) if m.contains("36 characters") && m.contains("35")
        ));
        let long = format!("{text}A");
        assert!(matches!(
            RecoveryKey::parse(&long),
            Err(CryptoError::RecoveryKeyFormat(m)) if m.contains("37")
        ));
        let with_u = format!("U{}", &text[1..]);
        assert!(matches!(
            RecoveryKey::parse(&with_u),
            Err(CryptoError::RecoveryKeyFormat(m)) if m.contains("'U'")
        ));
        assert!(RecoveryKey::parse("").is_err());
        assert!(RecoveryKey::parse("é☃").is_err());
        assert!(RecoveryKey::parse(&"Z".repeat(10_000)).is_err());
    }

    #[test]
    fn gf_multiplication_is_a_field() {
        // Every non-zero element has an inverse, and multiplication commutes.
        for a in 1..32u8 {
            assert_eq!((1..32u8).filter(|&b| gf_mul(a, b) == 1).count(), 1);
            for b in 0..32u8 {
                assert_eq!(gf_mul(a, b), gf_mul(b, a));
                assert!(gf_mul(a, b) < 32);
            }
        }
        // x (2) generates all 31 non-zero elements: the modulus is primitive.
        let mut seen = std::collections::HashSet::new();
        let mut p = 1u8;
        for _ in 0..31 {
            seen.insert(p);
            p = gf_mul(p, 2);
        }
        assert_eq!(seen.len(), 31);
    }

    #[test]
    fn wrap_unwrap_and_wrong_key() {
        let secrets = UserSecrets::generate();
        let k = RecoveryKey::generate();
        let wrapped = k.wrap(&secrets, b"vault").unwrap();
        let back = k.unwrap(b"vault", &wrapped).unwrap().user;
        assert_eq!(
            back.personal_scope_key.as_bytes(),
            secrets.personal_scope_key.as_bytes()
        );
        assert_eq!(back.identity.as_bytes(), secrets.identity.as_bytes());
        // Two wrappings under the same key differ (fresh salt and nonce).
        assert_ne!(k.wrap(&secrets, b"vault").unwrap(), wrapped);
        assert_eq!(
            RecoveryKey::generate()
                .unwrap(b"vault", &wrapped)
                .unwrap_err(),
            CryptoError::Decrypt
        );
        assert_eq!(
            k.unwrap(b"other vault", &wrapped).unwrap_err(),
            CryptoError::Decrypt
        );
        for i in 0..wrapped.len() {
            let mut bad = wrapped.clone();
            bad[i] ^= 1;
            assert!(k.unwrap(b"vault", &bad).is_err());
        }
        assert!(k.unwrap(b"vault", &[]).is_err());
        assert!(k.unwrap(b"vault", &wrapped[..10]).is_err());
    }

    #[test]
    fn kek_depends_on_key_and_salt() {
        let k = RecoveryKey([1; KEY_LEN]);
        let a = k.kek(&[0; SALT_LEN]).unwrap();
        assert_eq!(a.as_bytes(), k.kek(&[0; SALT_LEN]).unwrap().as_bytes());
        assert_ne!(a.as_bytes(), k.kek(&[1; SALT_LEN]).unwrap().as_bytes());
        assert_ne!(
            a.as_bytes(),
            RecoveryKey([2; KEY_LEN])
                .kek(&[0; SALT_LEN])
                .unwrap()
                .as_bytes()
        );
    }

    /// The written form and the derivation are a stored format: pin them.
    /// (Checked against Python's `base64.b32encode` with the alphabet
    /// swapped, and `hashlib.blake2b(key=, salt=, person=)`.)
    #[test]
    fn known_answers() {
        let mut bytes = [0u8; KEY_LEN];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = i as u8;
        }
        let k = RecoveryKey(bytes);
        assert_eq!(
            &*k.encoded(),
            "000G-40R4-0M30-E209-185G-R38E-1W81-24GK-AED4"
        );
        let kek: String = k
            .kek(&[7; SALT_LEN])
            .unwrap()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            kek,
            "207c8185e9029220600cc35498354a272f142eacf219be2906d72e45c17ed5b1"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let k = RecoveryKey([0xab; KEY_LEN]);
        let shown = format!("{k:?}");
        assert!(!shown.contains("ab") && !shown.contains("171"));
        assert!(!shown.contains(&k.encoded()[..4]));
    }
}
