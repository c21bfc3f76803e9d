//! Circles on this person's devices: making one, and what each circle the
//! person is in says (its charter, its members and their roles, its key
//! epoch).
//!
//! A circle is a scope of its own with its own key, in epochs. Where things
//! are kept:
//! - each epoch key this device holds: the `epochs` table (scope = the
//!   circle), sealed under the vault's storage key;
//! - the same keys, for the person's other devices: ops of kind
//!   [`KIND_CIRCLE_KEY`] in the personal scope's [`CIRCLES_DOC`], sealed
//!   like any personal op, so a device removed from the journal never
//!   learns a circle key made after its removal;
//! - the circle's statements (hearth-crypto's `statement`), ops of kind
//!   [`KIND_STATEMENT`] in the circle scope's [`MEMBERSHIP_DOC`], beside
//!   each writing device's certificate (kind 3), so every member can check
//!   who wrote what. `membership::fold` turns the statements into the
//!   members.

use crate::journal::Journal;
use crate::membership::{self, Membership};
use crate::oplog::{self, KIND_DEVICE, Writer};
use crate::registry::{BadEpochKey, open_epoch_key, seal_epoch_key};
use crate::{CoreError, Result};
use chrono::Utc;
use hearth_crypto::statement::{Charter, CircleId, Role, Statement};
use hearth_crypto::{SymmetricKey, aead};
use hearth_store::{DocId, OpRecord, ScopeId, StoreTx};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An op carrying a circle's epoch key to the person's other devices
/// (personal scope).
pub(crate) const KIND_CIRCLE_KEY: u8 = 7;
/// An op carrying one circle statement (circle scope).
pub(crate) const KIND_STATEMENT: u8 = 6;
/// The personal scope's document of circle keys.
pub(crate) const CIRCLES_DOC: DocId = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// A circle scope's document of statements and device certificates.
pub(crate) const MEMBERSHIP_DOC: DocId = [0; 16];

/// A circle's epoch key as a kind-7 op carries it:
/// `0x01 || circle (16) || u32 epoch || key (32)`.
pub(crate) struct CircleKey {
    pub circle: CircleId,
    pub epoch: u32,
    pub key: SymmetricKey,
}

impl CircleKey {
    const LEN: usize = 1 + 16 + 4 + 32;

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.push(1);
        out.extend_from_slice(&self.circle);
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(self.key.as_bytes());
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::LEN || bytes[0] != 1 {
            return None;
        }
        let circle: CircleId = bytes[1..17].try_into().ok()?;
        let epoch = u32::from_be_bytes(bytes[17..21].try_into().ok()?);
        let key: [u8; 32] = bytes[21..].try_into().ok()?;
        Some(Self {
            circle,
            epoch,
            key: SymmetricKey::from_bytes(key),
        })
    }
}

/// A person's part in a circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CircleRole {
    Owner,
    Admin,
    Member,
}

/// One circle, as `hearth circle list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CircleSummary {
    /// 32 hex digits.
    pub id: String,
    pub name: String,
    /// This person's role; `None` once they left or were removed.
    pub role: Option<CircleRole>,
}

/// One member of a circle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CircleMember {
    /// Their identity key, 64 hex digits.
    pub id: String,
    /// How they appear to the circle.
    pub name: String,
    pub role: CircleRole,
    /// Whether it is the person this journal belongs to.
    pub you: bool,
    /// Their away note, while it stands.
    pub away: Option<crate::circle_notes::Away>,
    /// Whether this person muted them (for themselves alone).
    pub muted: bool,
}

/// A circle, whole, as `hearth circle show` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CircleDetail {
    pub id: String,
    pub name: String,
    /// What the circle is for.
    pub about: String,
    /// How its members treat each other.
    pub agreements: String,
    /// Owner first, then admins, then members, each by name.
    pub members: Vec<CircleMember>,
    pub role: Option<CircleRole>,
    /// The key epoch it is written in now.
    pub epoch: u32,
    /// Statements waiting for ones that have not arrived.
    pub waiting: usize,
    /// The entries shared with it now (muted members' left out), newest
    /// first: their ids, titles and authors.
    pub shared: Vec<SharedTitle>,
}

/// An entry shared with a circle, as `hearth circle show` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SharedTitle {
    /// What `hearth circle read` takes.
    pub id: String,
    pub title: String,
    /// How its author appears to the circle.
    pub author: String,
    pub you: bool,
}

/// What a new circle is called and is for.
#[derive(Debug, Clone, Default)]
pub struct NewCircle {
    pub name: String,
    pub about: String,
    pub agreements: String,
    /// How this person appears to the circle.
    pub as_name: String,
}

/// A circle this device holds: its keys and its statements' membership.
pub(crate) struct Circle {
    pub id: CircleId,
    pub keys: BTreeMap<u32, SymmetricKey>,
    pub membership: Option<Membership>,
    pub waiting: usize,
}

impl Circle {
    /// The epoch this device writes in: the highest whose key it holds.
    pub(crate) fn epoch(&self) -> u32 {
        self.keys.keys().next_back().copied().unwrap_or(0)
    }
}

impl Journal {
    /// Make a circle this person owns. Nothing is shared with it, and it
    /// has no other member until someone is invited.
    pub fn create_circle(&mut self, new: &NewCircle) -> Result<CircleSummary> {
        let charter = Charter {
            name: new.name.trim().to_string(),
            about: new.about.trim().to_string(),
            agreements: new.agreements.trim().to_string(),
        };
        check_new_circle(&charter, new.as_name.trim())?;
        let statement = Statement::create(
            &self.secrets.user.identity,
            Utc::now().timestamp_millis(),
            charter,
            new.as_name.trim(),
        )
        .map_err(|e| CoreError::invalid(format!("{e}; nothing was changed")))?;
        let circle = statement.circle;
        let key = SymmetricKey::random();
        let me = *self.device_key().public().as_bytes();
        let cert = self
            .registry
            .devices()
            .find(|c| c.device == me)
            .cloned()
            .ok_or_else(|| CoreError::invalid("this device has no certificate in the journal"))?;
        let storage = self.scope_key().clone();
        let (epoch, personal_key) = self.write_key();
        let personal_key = personal_key.clone();
        let device = self.device_key().clone();
        let personal = Writer {
            scope: self.scope(),
            epoch,
            key: &personal_key,
            device: &device,
        };
        let in_circle = Writer {
            scope: circle,
            epoch: 0,
            key: &key,
            device: &device,
        };
        self.store.write(|tx| -> Result<()> {
            keep_circle_key(tx, &personal, &storage, &circle, 0, &key)?;
            oplog::append(tx, &in_circle, &MEMBERSHIP_DOC, KIND_DEVICE, &cert.encode())?;
            oplog::append(
                tx,
                &in_circle,
                &MEMBERSHIP_DOC,
                KIND_STATEMENT,
                &statement.encode(),
            )?;
            Ok(())
        })?;
        tracing::info!("made a circle");
        Ok(self.summary(&self.load_circle(&circle)?))
    }

    /// Every circle this person is in (or was), by name.
    pub fn circles(&self) -> Result<Vec<CircleSummary>> {
        let mut out = Vec::new();
        for id in self.circle_ids()? {
            out.push(self.summary(&self.load_circle(&id)?));
        }
        out.sort_by_key(|a| a.name.to_lowercase());
        Ok(out)
    }

    /// One circle, named by its id (or a unique prefix of at least 4 hex
    /// digits) or by its unique name.
    pub fn circle(&self, id_or_name: &str) -> Result<CircleDetail> {
        let id = self.find_circle(id_or_name)?;
        let circle = self.load_circle(&id)?;
        let me = self.secrets.user.identity_public();
        let Some(m) = &circle.membership else {
            return Err(CoreError::invalid(format!(
                "circle {} has not arrived whole on this device yet: sync with your other devices",
                hex::encode(id)
            )));
        };
        let mut away = self.away_notes(&circle)?;
        let muted = self.muted(&id)?;
        let mut members: Vec<CircleMember> = m
            .members
            .iter()
            .map(|(person, member)| CircleMember {
                id: hex::encode(person),
                name: member.name.clone(),
                role: role_of(m, person).unwrap_or(CircleRole::Member),
                you: *person == me,
                away: away.remove(person),
                muted: muted.contains(person),
            })
            .collect();
        members.sort_by(|a, b| {
            a.role
                .rank()
                .cmp(&b.role.rank())
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(CircleDetail {
            id: hex::encode(id),
            name: m.charter.name.clone(),
            about: m.charter.about.clone(),
            agreements: m.charter.agreements.clone(),
            members,
            role: role_of(m, &me),
            epoch: circle.epoch(),
            waiting: circle.waiting,
            shared: {
                let mut shared = self.shared_in(&id)?;
                shared.sort_by(|a, b| b.shared_at.cmp(&a.shared_at).then_with(|| a.id.cmp(&b.id)));
                shared
                    .into_iter()
                    .map(|e| SharedTitle {
                        id: e.id,
                        title: e.title,
                        author: e.author,
                        you: e.you,
                    })
                    .collect()
            },
        })
    }

    pub(crate) fn summary(&self, circle: &Circle) -> CircleSummary {
        let me = self.secrets.user.identity_public();
        CircleSummary {
            id: hex::encode(circle.id),
            name: circle
                .membership
                .as_ref()
                .map_or_else(|| "(not arrived yet)".into(), |m| m.charter.name.clone()),
            role: circle.membership.as_ref().and_then(|m| role_of(m, &me)),
        }
    }

    /// The circles whose keys this device holds.
    pub(crate) fn circle_ids(&self) -> Result<Vec<CircleId>> {
        let personal = self.scope();
        Ok(self
            .store
            .read()
            .epoch_scopes()?
            .into_iter()
            .filter(|s| *s != personal)
            .collect())
    }

    pub(crate) fn find_circle(&self, id_or_name: &str) -> Result<CircleId> {
        let wanted = id_or_name.trim();
        let ids = self.circle_ids()?;
        let lower = wanted.to_ascii_lowercase();
        let by_id: Vec<CircleId> =
            if lower.len() >= 4 && lower.chars().all(|c| c.is_ascii_hexdigit()) {
                ids.iter()
                    .filter(|id| hex::encode(id).starts_with(&lower))
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
        let found = if by_id.is_empty() {
            let mut by_name = Vec::new();
            for id in &ids {
                let c = self.load_circle(id)?;
                if c.membership
                    .as_ref()
                    .is_some_and(|m| m.charter.name.eq_ignore_ascii_case(wanted))
                {
                    by_name.push(*id);
                }
            }
            by_name
        } else {
            by_id
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(CoreError::invalid(format!(
                "you are in no circle called {wanted:?}: `hearth circle list` shows your circles"
            ))),
            _ => Err(CoreError::invalid(format!(
                "{wanted:?} names more than one circle: give more of its id, as `hearth circle list --json` shows it"
            ))),
        }
    }

    /// A circle's keys and statements as the store holds them. A statement
    /// counts when its op is intact, opens with the circle's key, and its
    /// signature is its author's.
    pub(crate) fn load_circle(&self, id: &CircleId) -> Result<Circle> {
        let keys = self.circle_keys(id)?;
        let tx = self.store.read();
        let mut statements = Vec::new();
        for op in tx.ops_for_doc(id, &MEMBERSHIP_DOC)? {
            if op.kind != KIND_STATEMENT {
                continue;
            }
            if let Some(s) = open_circle_op(&op, &keys).and_then(|p| Statement::decode(&p).ok()) {
                statements.push(s);
            }
        }
        let membership = membership::fold(id, &statements).ok();
        let waiting = membership.as_ref().map_or(0, |m| m.waiting.len());
        Ok(Circle {
            id: *id,
            keys,
            membership,
            waiting,
        })
    }

    /// The epoch keys of a circle this device holds, by epoch.
    pub(crate) fn circle_keys(&self, id: &CircleId) -> Result<BTreeMap<u32, SymmetricKey>> {
        let tx = self.store.read();
        let storage = self.scope_key();
        let mut keys = BTreeMap::new();
        for e in tx.epochs(id)? {
            let key = open_epoch_key(storage, &e).map_err(|bad| {
                CoreError::invalid(format!(
                    "the key of circle {} {}",
                    hex::encode(id),
                    match bad {
                        BadEpochKey::Sealed => "does not open (the vault file was changed)",
                        BadEpochKey::Malformed => "is malformed",
                    }
                ))
            })?;
            keys.insert(e.epoch, key);
        }
        Ok(keys)
    }
}

/// A device of another person this person shares circles with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CirclePeer {
    /// How its person appears to the circle (the first circle's name for
    /// them, in circle order).
    pub person: String,
    /// The device's own name.
    pub device: String,
    /// The circles both are in.
    pub circles: BTreeSet<CircleId>,
}

impl Journal {
    /// Every device of another person who is a member of a circle this
    /// person is in, certified in that circle's membership document.
    pub(crate) fn circle_peers(&self) -> Result<BTreeMap<[u8; 32], CirclePeer>> {
        let me = self.secrets.user.identity_public();
        let mut out: BTreeMap<[u8; 32], CirclePeer> = BTreeMap::new();
        for id in self.circle_ids()? {
            let keys = self.circle_keys(&id)?;
            let ops = self.store.read().ops_for_doc(&id, &MEMBERSHIP_DOC)?;
            let (Some(m), certs) =
                crate::circle_exchange::membership_and_certificates(&id, &ops, &keys)
            else {
                continue;
            };
            // Someone who left still tells the others so, until they
            // have heard it and refuse them.
            let left = m.departed.get(&me).is_some_and(|d| d.left);
            if !m.is_member(&me) && !left {
                continue;
            }
            for cert in certs {
                let Some(member) = m.members.get(&cert.identity) else {
                    continue;
                };
                if cert.identity == me {
                    continue;
                }
                out.entry(cert.device)
                    .or_insert_with(|| CirclePeer {
                        person: member.name.clone(),
                        device: cert.name.clone(),
                        circles: BTreeSet::new(),
                    })
                    .circles
                    .insert(id);
            }
        }
        Ok(out)
    }

    /// Whether `device` is certified in one of this person's circles by
    /// anyone, member or not.
    pub(crate) fn certified_in_a_circle(&self, device: &[u8; 32]) -> Result<bool> {
        for id in self.circle_ids()? {
            let keys = self.circle_keys(&id)?;
            let ops = self.store.read().ops_for_doc(&id, &MEMBERSHIP_DOC)?;
            let (_, certs) = crate::circle_exchange::membership_and_certificates(&id, &ops, &keys);
            if certs.iter().any(|c| c.device == *device) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The circles this device holds keys for whose membership has not
    /// arrived yet (just joined): offered to any device allowed to
    /// connect, since what comes back is checked against the statements
    /// once they do.
    pub(crate) fn circles_not_arrived(&self) -> Result<Vec<CircleId>> {
        let mut out = Vec::new();
        for id in self.circle_ids()? {
            if self.load_circle(&id)?.membership.is_none() {
                out.push(id);
            }
        }
        Ok(out)
    }
}

/// A new circle's texts against their limits, with an error that says
/// which one is wrong.
fn check_new_circle(charter: &Charter, as_name: &str) -> Result<()> {
    use hearth_crypto::statement::{ABOUT_MAX, AGREEMENTS_MAX, NAME_MAX, check_line};
    if check_line(&charter.name).is_err() {
        return Err(CoreError::invalid(format!(
            "a circle's name is one line of 1 to {NAME_MAX} bytes; nothing was changed"
        )));
    }
    if check_line(as_name).is_err() {
        return Err(CoreError::invalid(format!(
            "how you appear to the circle is one line of 1 to {NAME_MAX} bytes; nothing was changed"
        )));
    }
    if charter.about.len() > ABOUT_MAX {
        return Err(CoreError::invalid(format!(
            "what the circle is for is {} bytes, over the {ABOUT_MAX} it may hold; nothing was changed",
            charter.about.len()
        )));
    }
    if charter.agreements.len() > AGREEMENTS_MAX {
        return Err(CoreError::invalid(format!(
            "the agreements are {} bytes, over the {AGREEMENTS_MAX} they may hold; nothing was changed",
            charter.agreements.len()
        )));
    }
    Ok(())
}

impl CircleRole {
    fn rank(self) -> u8 {
        match self {
            CircleRole::Owner => 0,
            CircleRole::Admin => 1,
            CircleRole::Member => 2,
        }
    }
}

fn role_of(m: &Membership, person: &[u8; 32]) -> Option<CircleRole> {
    let member = m.members.get(person)?;
    Some(if *person == m.owner {
        CircleRole::Owner
    } else if member.role == Role::Admin {
        CircleRole::Admin
    } else {
        CircleRole::Member
    })
}

/// The plaintext of a circle's op: intact (its hashes and its author's
/// signature), not a marker, sealed in an epoch whose key is in `keys`, and
/// opening with it.
pub(crate) fn open_circle_op(op: &OpRecord, keys: &BTreeMap<u32, SymmetricKey>) -> Option<Vec<u8>> {
    if op.is_marker() || oplog::verify_signature(op).is_err() {
        return None;
    }
    let key = keys.get(&op.epoch)?;
    aead::open(key, &oplog::payload_aad(op), &op.payload).ok()
}

/// Keep a circle's epoch key on this device (sealed under the storage key)
/// and carry it to the person's other devices (a kind-7 op of `personal`).
pub(crate) fn keep_circle_key(
    tx: &StoreTx<'_>,
    personal: &Writer<'_>,
    storage: &SymmetricKey,
    circle: &CircleId,
    epoch: u32,
    key: &SymmetricKey,
) -> Result<()> {
    tx.put_epoch(&seal_epoch_key(storage, circle, epoch, key))?;
    let carried = CircleKey {
        circle: *circle,
        epoch,
        key: key.clone(),
    };
    oplog::append(
        tx,
        personal,
        &CIRCLES_DOC,
        KIND_CIRCLE_KEY,
        &carried.encode(),
    )
}

/// Keep every circle key the personal scope carries that this device can
/// open and does not hold yet (after taking in another device's ops); how
/// many. A device new to a circle also writes its certificate into the
/// circle, so that the other members' devices trust it there.
pub(crate) fn adopt_circle_keys(
    tx: &StoreTx<'_>,
    personal: &ScopeId,
    registry: &crate::registry::Registry,
    storage: &SymmetricKey,
    device: &hearth_crypto::DeviceKey,
) -> Result<usize> {
    let me = *device.public().as_bytes();
    let mut kept = 0;
    for op in tx.ops_for_doc(personal, &CIRCLES_DOC)? {
        if op.kind != KIND_CIRCLE_KEY || op.is_marker() {
            continue;
        }
        let Some(key) = registry.epoch_key(op.epoch) else {
            continue;
        };
        let Ok(plain) = aead::open(key, &oplog::payload_aad(&op), &op.payload) else {
            continue;
        };
        let Some(carried) = CircleKey::decode(&plain) else {
            continue;
        };
        if carried.circle == *personal
            || tx
                .epochs(&carried.circle)?
                .iter()
                .any(|e| e.epoch == carried.epoch)
        {
            continue;
        }
        tx.put_epoch(&seal_epoch_key(
            storage,
            &carried.circle,
            carried.epoch,
            &carried.key,
        ))?;
        if tx.head(&carried.circle, &me)?.is_none()
            && let Some(cert) = registry.devices().find(|c| c.device == me)
        {
            let writer = Writer {
                scope: carried.circle,
                epoch: carried.epoch,
                key: &carried.key,
                device,
            };
            oplog::append(tx, &writer, &MEMBERSHIP_DOC, KIND_DEVICE, &cert.encode())?;
        }
        kept += 1;
    }
    Ok(kept)
}
