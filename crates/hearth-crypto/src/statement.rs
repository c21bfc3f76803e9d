//! Circle statements: a person's identity key saying something about a
//! circle's membership (create it, add, remove, change a role, leave,
//! describe it).
//!
//! A statement names the statements its signer had seen (`parents`, by
//! hash), so the statements of a circle form a graph that every device
//! orders alike; the rules that decide which statements take effect are
//! hearth-core's (`circle::membership`). Here: the bytes, the signature,
//! and the limits a statement must keep to.
//!
//! Encoding (what an op of kind "statement" carries, sealed):
//! `0x01 || circle (16) || author (32) || i64 issued_at || u16 n || n ×
//! parent (32, ascending, no repeats) || u8 action || action body ||
//! signature (64)`, the signature by the author's identity key over
//! `"hearth/circle-statement/v1"` and every byte before it. Texts are
//! `u16 length || UTF-8` (`u32` for the agreements). Action bodies:
//!
//! | action | body |
//! | --- | --- |
//! | 1 create | nonce (16), circle name, author's name, about, agreements |
//! | 2 add | member (32), member's name |
//! | 3 remove | member (32), `u16 m`, m × (device (32) `u64` last seq) |
//! | 4 role | member (32), `u8` role (1 member, 2 admin) |
//! | 5 leave | (nothing) |
//! | 6 describe | circle name, about, agreements |
//!
//! A circle's id is derived from its creation ([`circle_id`]), so no one
//! but its creator can make a creation statement for it.

use crate::{CryptoError, hash};
use ed25519_dalek::Signer;

const VERSION: u8 = 1;
const CONTEXT: &[u8] = b"hearth/circle-statement/v1";

/// The longest circle name or member name, in bytes.
pub const NAME_MAX: usize = 100;
/// The longest purpose ("about"), in bytes.
pub const ABOUT_MAX: usize = 2_000;
/// The longest agreements text, in bytes.
pub const AGREEMENTS_MAX: usize = 16_384;
/// The most parents a statement names.
pub const PARENTS_MAX: usize = 64;
/// The most devices a removal names.
pub const DEVICES_MAX: usize = 64;

/// A circle's id: 16 bytes, as a scope id.
pub type CircleId = [u8; 16];

/// A member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Member,
    Admin,
}

impl Role {
    fn byte(self) -> u8 {
        match self {
            Role::Member => 1,
            Role::Admin => 2,
        }
    }

    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Role::Member),
            2 => Some(Role::Admin),
            _ => None,
        }
    }
}

/// What a circle is for and how its members treat each other.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Charter {
    pub name: String,
    pub about: String,
    pub agreements: String,
}

/// What a statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The circle begins; its author is its owner.
    Create {
        nonce: [u8; 16],
        charter: Charter,
        /// How the owner appears to the circle.
        author_name: String,
    },
    Add {
        member: [u8; 32],
        name: String,
    },
    /// `devices`: the member's devices and the last of each one's ops in the
    /// circle that still counts, as the remover held them.
    Remove {
        member: [u8; 32],
        devices: Vec<([u8; 32], u64)>,
    },
    SetRole {
        member: [u8; 32],
        role: Role,
    },
    Leave,
    Describe(Charter),
}

impl Action {
    fn code(&self) -> u8 {
        match self {
            Action::Create { .. } => 1,
            Action::Add { .. } => 2,
            Action::Remove { .. } => 3,
            Action::SetRole { .. } => 4,
            Action::Leave => 5,
            Action::Describe(_) => 6,
        }
    }
}

/// One signed statement about a circle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub circle: CircleId,
    /// The signer's identity (public key).
    pub author: [u8; 32],
    /// Unix milliseconds, as the signer's clock had it (shown, never
    /// trusted for order).
    pub issued_at: i64,
    /// Hashes of the statements the signer had seen last, ascending.
    pub parents: Vec<[u8; 32]>,
    pub action: Action,
    pub signature: [u8; 64],
}

/// The id of the circle a creation statement by `author` with `nonce`
/// begins.
pub fn circle_id(author: &[u8; 32], nonce: &[u8; 16]) -> CircleId {
    let h = hash(&[b"hearth/circle-id/v1", author, nonce]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&h[..16]);
    id
}

impl Statement {
    /// Sign a statement. Parents are sorted and repeats dropped; texts and
    /// counts are checked against their limits.
    pub fn issue(
        identity: &ed25519_dalek::SigningKey,
        circle: CircleId,
        issued_at: i64,
        mut parents: Vec<[u8; 32]>,
        action: Action,
    ) -> Result<Self, CryptoError> {
        parents.sort();
        parents.dedup();
        let mut s = Self {
            circle,
            author: identity.verifying_key().to_bytes(),
            issued_at,
            parents,
            action,
            signature: [0; 64],
        };
        s.check()?;
        s.signature = identity.sign(&s.signed_message()).to_bytes();
        Ok(s)
    }

    /// Begin a new circle: its creation statement, whose author owns it.
    pub fn create(
        identity: &ed25519_dalek::SigningKey,
        issued_at: i64,
        charter: Charter,
        author_name: &str,
    ) -> Result<Self, CryptoError> {
        let nonce: [u8; 16] = rand::random();
        let circle = circle_id(&identity.verifying_key().to_bytes(), &nonce);
        Self::issue(
            identity,
            circle,
            issued_at,
            Vec::new(),
            Action::Create {
                nonce,
                charter,
                author_name: author_name.to_string(),
            },
        )
    }

    /// The statement's hash: how others name it as a parent.
    pub fn hash(&self) -> [u8; 32] {
        hash(&[&self.encode()])
    }

    fn check(&self) -> Result<(), CryptoError> {
        let bad = CryptoError::MalformedKey;
        if self.parents.len() > PARENTS_MAX {
            return Err(bad("a circle statement names at most 64 parents"));
        }
        if self.parents.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("a circle statement's parents are not in order"));
        }
        match &self.action {
            Action::Create {
                nonce,
                charter,
                author_name,
            } => {
                if !self.parents.is_empty() || circle_id(&self.author, nonce) != self.circle {
                    return Err(bad("a circle's creation does not match its id"));
                }
                check_charter(charter)?;
                check_line(author_name)?;
            }
            Action::Add { name, .. } => check_line(name)?,
            Action::Remove { devices, .. } => {
                if devices.len() > DEVICES_MAX {
                    return Err(bad("a removal names at most 64 devices"));
                }
            }
            Action::Describe(charter) => check_charter(charter)?,
            Action::SetRole { .. } | Action::Leave => {}
        }
        if !matches!(self.action, Action::Create { .. }) && self.parents.is_empty() {
            return Err(bad(
                "a circle statement other than its creation names a parent",
            ));
        }
        Ok(())
    }

    fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.push(VERSION);
        out.extend_from_slice(&self.circle);
        out.extend_from_slice(&self.author);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        // check() keeps every count and length within its field.
        out.extend_from_slice(&(self.parents.len() as u16).to_be_bytes());
        for p in &self.parents {
            out.extend_from_slice(p);
        }
        out.push(self.action.code());
        match &self.action {
            Action::Create {
                nonce,
                charter,
                author_name,
            } => {
                out.extend_from_slice(nonce);
                put_charter(&mut out, charter);
                put_text(&mut out, author_name);
            }
            Action::Add { member, name } => {
                out.extend_from_slice(member);
                put_text(&mut out, name);
            }
            Action::Remove { member, devices } => {
                out.extend_from_slice(member);
                out.extend_from_slice(&(devices.len() as u16).to_be_bytes());
                for (device, seq) in devices {
                    out.extend_from_slice(device);
                    out.extend_from_slice(&seq.to_be_bytes());
                }
            }
            Action::SetRole { member, role } => {
                out.extend_from_slice(member);
                out.push(role.byte());
            }
            Action::Leave => {}
            Action::Describe(charter) => put_charter(&mut out, charter),
        }
        out
    }

    fn signed_message(&self) -> Vec<u8> {
        let mut m = CONTEXT.to_vec();
        m.extend_from_slice(&self.body());
        m
    }

    /// The statement's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.body();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Read a statement and check its signature by its author and its
    /// limits: a statement that decodes is one its author made.
    pub fn decode(bytes: &[u8]) -> Result<Self, CryptoError> {
        let malformed = || CryptoError::MalformedKey("malformed circle statement");
        let mut r = Reader(bytes);
        if r.u8()? != VERSION {
            return Err(malformed());
        }
        let circle = r.array::<16>()?;
        let author = r.array::<32>()?;
        let issued_at = i64::from_be_bytes(r.array::<8>()?);
        let n = usize::from(u16::from_be_bytes(r.array::<2>()?));
        if n > PARENTS_MAX {
            return Err(malformed());
        }
        let parents = (0..n)
            .map(|_| r.array::<32>())
            .collect::<Result<Vec<_>, _>>()?;
        let action = match r.u8()? {
            1 => Action::Create {
                nonce: r.array::<16>()?,
                charter: r.charter()?,
                author_name: r.text16()?,
            },
            2 => Action::Add {
                member: r.array::<32>()?,
                name: r.text16()?,
            },
            3 => {
                let member = r.array::<32>()?;
                let m = usize::from(u16::from_be_bytes(r.array::<2>()?));
                if m > DEVICES_MAX {
                    return Err(malformed());
                }
                let devices = (0..m)
                    .map(|_| Ok((r.array::<32>()?, u64::from_be_bytes(r.array::<8>()?))))
                    .collect::<Result<Vec<_>, CryptoError>>()?;
                Action::Remove { member, devices }
            }
            4 => Action::SetRole {
                member: r.array::<32>()?,
                role: Role::from_byte(r.u8()?).ok_or_else(malformed)?,
            },
            5 => Action::Leave,
            6 => Action::Describe(r.charter()?),
            _ => return Err(malformed()),
        };
        let signature = r.array::<64>()?;
        if !r.0.is_empty() {
            return Err(malformed());
        }
        let s = Self {
            circle,
            author,
            issued_at,
            parents,
            action,
            signature,
        };
        s.check()?;
        crate::cert::verify_by_identity(&s.author, &s.author, &s.signed_message(), &s.signature)?;
        Ok(s)
    }
}

/// A name: one line of 1 to [`NAME_MAX`] bytes.
pub fn check_line(text: &str) -> Result<(), CryptoError> {
    if text.trim().is_empty() || text.len() > NAME_MAX || text.chars().any(char::is_control) {
        return Err(CryptoError::MalformedKey(
            "a name is one line of 1 to 100 bytes",
        ));
    }
    Ok(())
}

fn check_charter(c: &Charter) -> Result<(), CryptoError> {
    check_line(&c.name)?;
    if c.about.len() > ABOUT_MAX {
        return Err(CryptoError::MalformedKey(
            "a circle's purpose is at most 2,000 bytes",
        ));
    }
    if c.agreements.len() > AGREEMENTS_MAX {
        return Err(CryptoError::MalformedKey(
            "a circle's agreements are at most 16,384 bytes",
        ));
    }
    Ok(())
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn put_charter(out: &mut Vec<u8>, c: &Charter) {
    put_text(out, &c.name);
    put_text(out, &c.about);
    out.extend_from_slice(&(c.agreements.len() as u32).to_be_bytes());
    out.extend_from_slice(c.agreements.as_bytes());
}

/// Reads fields off the front of a statement's bytes.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CryptoError> {
        if self.0.len() < n {
            return Err(CryptoError::MalformedKey("malformed circle statement"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CryptoError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, CryptoError> {
        Ok(self.array::<1>()?[0])
    }

    fn text(&mut self, len: usize) -> Result<String, CryptoError> {
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| CryptoError::MalformedKey("malformed circle statement"))
    }

    fn text16(&mut self) -> Result<String, CryptoError> {
        let len = usize::from(u16::from_be_bytes(self.array::<2>()?));
        self.text(len)
    }

    fn charter(&mut self) -> Result<Charter, CryptoError> {
        let name = self.text16()?;
        let about = self.text16()?;
        let len = u32::from_be_bytes(self.array::<4>()?) as usize;
        if len > AGREEMENTS_MAX {
            return Err(CryptoError::MalformedKey("malformed circle statement"));
        }
        Ok(Charter {
            name,
            about,
            agreements: self.text(len)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rand::rngs::OsRng;

    fn charter() -> Charter {
        Charter {
            name: "Tuesday evenings".into(),
            about: "Getting through the winter".into(),
            agreements: "What is said here stays here.\nNo advice unless asked.".into(),
        }
    }

    #[test]
    fn every_action_round_trips_and_checks_its_signature() {
        let owner = ed25519_dalek::SigningKey::generate(&mut OsRng);
        let create = Statement::create(&owner, 1, charter(), "Sam").unwrap();
        let circle = create.circle;
        let parent = vec![create.hash()];
        let actions = [
            Action::Add {
                member: [7; 32],
                name: "Robin".into(),
            },
            Action::Remove {
                member: [7; 32],
                devices: vec![([8; 32], 12)],
            },
            Action::SetRole {
                member: [7; 32],
                role: Role::Admin,
            },
            Action::Leave,
            Action::Describe(charter()),
        ];
        assert_eq!(Statement::decode(&create.encode()).unwrap(), create);
        for action in actions {
            let s = Statement::issue(&owner, circle, 2, parent.clone(), action).unwrap();
            let bytes = s.encode();
            assert_eq!(Statement::decode(&bytes).unwrap(), s);
            for cut in [1, bytes.len() / 2, bytes.len() - 1] {
                assert!(Statement::decode(&bytes[..cut]).is_err());
            }
            let mut flipped = bytes.clone();
            flipped[20] ^= 1;
            assert!(Statement::decode(&flipped).is_err());
            let mut longer = bytes;
            longer.push(0);
            assert!(Statement::decode(&longer).is_err());
        }
    }

    #[test]
    fn a_creation_cannot_be_made_for_someone_elses_circle_and_limits_hold() {
        let owner = ed25519_dalek::SigningKey::generate(&mut OsRng);
        let other = ed25519_dalek::SigningKey::generate(&mut OsRng);
        let create = Statement::create(&owner, 1, charter(), "Sam").unwrap();
        let Action::Create { nonce, .. } = create.action else {
            unreachable!()
        };
        let forged = Statement::issue(
            &other,
            create.circle,
            1,
            vec![],
            Action::Create {
                nonce,
                charter: charter(),
                author_name: "Sam".into(),
            },
        );
        assert!(forged.is_err());
        let long = Charter {
            agreements: "x".repeat(AGREEMENTS_MAX + 1),
            ..charter()
        };
        assert!(Statement::create(&owner, 1, long, "Sam").is_err());
        assert!(Statement::create(&owner, 1, charter(), "two\nlines").is_err());
        let orphan = Statement::issue(&owner, create.circle, 1, vec![], Action::Leave);
        assert!(orphan.is_err(), "only a creation has no parent");
    }
}
