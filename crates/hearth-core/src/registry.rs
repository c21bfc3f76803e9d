//! The device registry of a person's journal: which devices may write in
//! it, and the keys of its epochs.
//!
//! Trust is computed from the log, never assumed: a device is trusted when
//! an op of kind [`KIND_DEVICE`] in the personal scope carries a certificate
//! for it signed by the person's identity key. Certificates live in one
//! document of the scope, [`REGISTRY_DOC`], and sync like any op; since only
//! the identity key can make one, it does not matter which trusted device
//! wrote the op that carries it. A device's latest certificate (by
//! `issued_at`) gives its name.
//!
//! Epoch 0's key is the personal scope key in the user secrets; a later
//! epoch's key is stored sealed in the `epochs` table under that key (the
//! vault's storage key), bound to its scope and epoch.

use crate::oplog::{self, KIND_DEVICE, KIND_EPOCH, KIND_REMOVAL, Writer};
use crate::{CoreError, Result};
use hearth_crypto::wrap::{WRAPPED_LEN, unwrap_key, wrap_key};
use hearth_crypto::{DeviceCertificate, DeviceRemoval, SymmetricKey, aead};
use hearth_store::{DocId, EpochRecord, OpRecord, ScopeId, StoreTx};
use std::collections::{BTreeMap, BTreeSet};

/// The registry document's id in every scope.
pub(crate) const REGISTRY_DOC: DocId = [0; 16];

/// Who may write in a scope, and the keys to read it.
pub(crate) struct Registry {
    identity: [u8; 32],
    devices: BTreeMap<[u8; 32], DeviceCertificate>,
    /// Removed devices and the last of their ops that counts.
    removed: BTreeMap<[u8; 32], u64>,
    /// The epochs this device can read the announcement of.
    epochs: BTreeMap<u32, EpochChange>,
    keys: BTreeMap<u32, SymmetricKey>,
}

/// A new epoch of a scope, as its announcement op (kind 5) carries it,
/// sealed under the parent epoch's key: the fresh key wrapped to each
/// device that stays, bound to the scope, both epochs and the member set.
///
/// `0x01 || u32 epoch || u32 parent || members hash (32) || u16 n || n ×
/// (device (32) || wrapping (80))`, devices ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EpochChange {
    pub epoch: u32,
    pub parent: u32,
    pub wraps: BTreeMap<[u8; 32], Vec<u8>>,
}

/// An epoch number: the generation (how many epochs since the first) in
/// its top 12 bits and 20 random bits below, so that two devices starting
/// an epoch at once pick different numbers, and every device agrees which
/// is newest (the highest).
pub(crate) fn next_epoch(parent: u32) -> u32 {
    let generation = (parent >> 20) + 1;
    let low: u32 = rand::random::<u32>() & 0xF_FFFF;
    (generation << 20) | low.max(1)
}

impl EpochChange {
    fn members_hash(&self) -> [u8; 32] {
        let ids: Vec<&[u8]> = self.wraps.keys().map(|d| d.as_slice()).collect();
        hearth_crypto::hash(&ids)
    }

    /// What every wrapping is bound to.
    pub(crate) fn info(&self, scope: &ScopeId) -> Vec<u8> {
        let mut i = b"hearth/epoch/v1".to_vec();
        i.extend_from_slice(scope);
        i.extend_from_slice(&self.epoch.to_be_bytes());
        i.extend_from_slice(&self.parent.to_be_bytes());
        i.extend_from_slice(&self.members_hash());
        i
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = vec![1u8];
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.parent.to_be_bytes());
        out.extend_from_slice(&self.members_hash());
        out.extend_from_slice(&(self.wraps.len() as u16).to_be_bytes());
        for (device, wrapped) in &self.wraps {
            out.extend_from_slice(device);
            out.extend_from_slice(wrapped);
        }
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let (&version, rest) = bytes.split_first()?;
        let (epoch, rest) = rest.split_first_chunk::<4>()?;
        let (parent, rest) = rest.split_first_chunk::<4>()?;
        let (members, rest) = rest.split_first_chunk::<32>()?;
        let (count, mut rest) = rest.split_first_chunk::<2>()?;
        let count = usize::from(u16::from_be_bytes(*count));
        if version != 1 || rest.len() != count * (32 + WRAPPED_LEN) {
            return None;
        }
        let mut wraps = BTreeMap::new();
        for _ in 0..count {
            let (device, more) = rest.split_first_chunk::<32>()?;
            let (wrapped, more) = more.split_at(WRAPPED_LEN);
            wraps.insert(*device, wrapped.to_vec());
            rest = more;
        }
        let change = Self {
            epoch: u32::from_be_bytes(*epoch),
            parent: u32::from_be_bytes(*parent),
            wraps,
        };
        (change.members_hash() == *members && change.epoch >> 20 > change.parent >> 20)
            .then_some(change)
    }
}

impl Registry {
    /// The registry of `scope` as the store holds it. `storage_key` is the
    /// scope's epoch-0 key, which also seals the later epochs' keys.
    pub(crate) fn load(
        tx: &StoreTx<'_>,
        scope: &ScopeId,
        identity: [u8; 32],
        storage_key: &SymmetricKey,
    ) -> Result<Self> {
        let certs = tx.ops_for_doc(scope, &REGISTRY_DOC)?;
        let epochs = tx.epochs(scope)?;
        Self::from_parts(&certs, &epochs, identity, storage_key)
    }

    /// The registry from its ops (any order; other kinds are skipped) and
    /// the scope's sealed epoch keys.
    pub(crate) fn from_parts<'a>(
        ops: impl IntoIterator<Item = &'a OpRecord>,
        epochs: &[EpochRecord],
        identity: [u8; 32],
        storage_key: &SymmetricKey,
    ) -> Result<Self> {
        let mut keys = BTreeMap::new();
        keys.insert(0, storage_key.clone());
        for e in epochs {
            let key = open_epoch_key(storage_key, e).map_err(|bad| {
                CoreError::invalid(match bad {
                    BadEpochKey::Sealed => format!(
                        "the key of epoch {} does not open (the vault file was changed)",
                        e.epoch
                    ),
                    BadEpochKey::Malformed => format!("the key of epoch {} is malformed", e.epoch),
                })
            })?;
            keys.insert(e.epoch, key);
        }
        let mut this = Self {
            identity,
            devices: BTreeMap::new(),
            removed: BTreeMap::new(),
            epochs: BTreeMap::new(),
            keys,
        };
        for op in ops {
            if !matches!(op.kind, KIND_DEVICE | KIND_REMOVAL | KIND_EPOCH) || op.is_marker() {
                continue;
            }
            // A certificate proves itself by the identity's signature; the
            // op around it must still be intact.
            if oplog::verify_signature(op).is_err() {
                continue;
            }
            let Some(key) = this.keys.get(&op.epoch) else {
                continue;
            };
            let aad = oplog::payload_aad(op);
            let Ok(plain) = aead::open(key, &aad, &op.payload) else {
                continue;
            };
            match op.kind {
                KIND_DEVICE => {
                    if let Ok(cert) = DeviceCertificate::decode(&plain)
                        && cert.verify(&identity).is_ok()
                    {
                        this.add(cert);
                    }
                }
                KIND_REMOVAL => {
                    if let Ok(removal) = DeviceRemoval::decode(&plain)
                        && removal.verify(&identity).is_ok()
                    {
                        this.remove(&removal);
                    }
                }
                _ => {
                    if let Some(change) = EpochChange::decode(&plain) {
                        this.epochs.insert(change.epoch, change);
                    }
                }
            }
        }
        Ok(this)
    }

    fn remove(&mut self, removal: &DeviceRemoval) {
        let last = self
            .removed
            .entry(removal.device)
            .or_insert(removal.last_seq);
        *last = (*last).min(removal.last_seq);
    }

    /// Whether `author` was removed and `seq` comes after the last of its
    /// ops that counts.
    pub(crate) fn removed_beyond(&self, author: &[u8; 32], seq: u64) -> bool {
        self.removed.get(author).is_some_and(|last| seq > *last)
    }

    /// The last op of a removed device that counts.
    pub(crate) fn removed_at_seq(&self, author: &[u8; 32]) -> Option<u64> {
        self.removed.get(author).copied()
    }

    /// The certified devices that were not removed.
    pub(crate) fn members(&self) -> BTreeSet<[u8; 32]> {
        self.devices
            .keys()
            .filter(|d| !self.removed.contains_key(*d))
            .copied()
            .collect()
    }

    /// The epochs announced to `device` whose key it does not hold yet,
    /// opened with its agreement secret; a wrapping that does not open is
    /// left alone.
    pub(crate) fn keys_to_adopt(
        &self,
        scope: &ScopeId,
        device: &[u8; 32],
        agreement: &x25519_dalek::StaticSecret,
    ) -> Vec<(u32, SymmetricKey)> {
        self.epochs
            .values()
            .filter(|e| !self.keys.contains_key(&e.epoch))
            .filter_map(|e| {
                let wrapped = e.wraps.get(device)?;
                let key = unwrap_key(agreement, &e.info(scope), device, wrapped).ok()?;
                Some((e.epoch, key))
            })
            .collect()
    }

    /// Store an epoch key this device now holds (sealed under the storage
    /// key) and read with it from now on.
    pub(crate) fn adopt_key(
        &mut self,
        tx: &StoreTx<'_>,
        scope: &ScopeId,
        epoch: u32,
        key: SymmetricKey,
    ) -> Result<()> {
        let storage = self.keys.get(&0).cloned().ok_or_else(|| {
            CoreError::invalid("this device does not hold the journal's first key")
        })?;
        tx.put_epoch(&seal_epoch_key(&storage, scope, epoch, &key))?;
        self.keys.insert(epoch, key);
        Ok(())
    }

    /// Whether the epoch this device writes in is one a removed device may
    /// hold: epoch 0 once any device was removed, or a later one whose key
    /// was wrapped to a device removed since (two removals made at once).
    pub(crate) fn needs_new_epoch(&self) -> bool {
        if self.removed.is_empty() {
            return false;
        }
        match self.epochs.get(&self.current_epoch()) {
            Some(e) => e.wraps.keys().any(|d| self.removed.contains_key(d)),
            None => true,
        }
    }

    /// Start a new epoch: a fresh key, wrapped to every member's own
    /// agreement key, announced in an op of the writer's log (sealed under
    /// the epoch it replaces), and kept here.
    pub(crate) fn start_epoch(&mut self, tx: &StoreTx<'_>, writer: &Writer<'_>) -> Result<u32> {
        let key = SymmetricKey::random();
        let mut change = EpochChange {
            epoch: next_epoch(writer.epoch),
            parent: writer.epoch,
            wraps: BTreeMap::new(),
        };
        let members: Vec<([u8; 32], [u8; 32])> = self
            .members()
            .into_iter()
            .filter_map(|d| self.devices.get(&d).map(|c| (d, c.agreement)))
            .collect();
        // The info binds the member set, so it is known before wrapping.
        for (device, _) in &members {
            change.wraps.insert(*device, vec![0; WRAPPED_LEN]);
        }
        let info = change.info(&writer.scope);
        for (device, agreement) in &members {
            let wrapped = wrap_key(agreement, &info, device, &key)?;
            change.wraps.insert(*device, wrapped);
        }
        oplog::append(tx, writer, &REGISTRY_DOC, KIND_EPOCH, &change.encode())?;
        let epoch = change.epoch;
        self.epochs.insert(epoch, change);
        self.adopt_key(tx, &writer.scope, epoch, key)?;
        Ok(epoch)
    }

    /// Record a device's removal as an op of the writer's log.
    pub(crate) fn record_removal(
        &mut self,
        tx: &StoreTx<'_>,
        writer: &Writer<'_>,
        removal: DeviceRemoval,
    ) -> Result<()> {
        oplog::append(tx, writer, &REGISTRY_DOC, KIND_REMOVAL, &removal.encode())?;
        self.remove(&removal);
        Ok(())
    }

    /// Every epoch key this device holds, for a device joining the journal.
    pub(crate) fn all_keys(&self) -> impl Iterator<Item = (u32, &SymmetricKey)> {
        self.keys.iter().map(|(e, k)| (*e, k))
    }

    fn add(&mut self, cert: DeviceCertificate) {
        match self.devices.get(&cert.device) {
            Some(known)
                if (known.issued_at, known.signature) >= (cert.issued_at, cert.signature) => {}
            _ => {
                self.devices.insert(cert.device, cert);
            }
        }
    }

    /// Whether `author` may write in this scope.
    pub(crate) fn trusts(&self, author: &[u8; 32]) -> bool {
        self.devices.contains_key(author)
    }

    /// The key of `epoch`, when this device holds it.
    pub(crate) fn epoch_key(&self, epoch: u32) -> Option<&SymmetricKey> {
        self.keys.get(&epoch)
    }

    /// The newest epoch this device holds a key for: the one it writes in.
    pub(crate) fn current_epoch(&self) -> u32 {
        self.keys.keys().next_back().copied().unwrap_or(0)
    }

    /// The certified devices, by id.
    pub(crate) fn devices(&self) -> impl Iterator<Item = &DeviceCertificate> {
        self.devices.values()
    }

    /// Record a device's certificate as an op of the writer's log.
    pub(crate) fn certify(
        &mut self,
        tx: &StoreTx<'_>,
        writer: &Writer<'_>,
        cert: DeviceCertificate,
    ) -> Result<()> {
        if cert.verify(&self.identity).is_err() {
            return Err(CoreError::invalid(
                "a device certificate is not signed by this journal's identity",
            ));
        }
        oplog::append(tx, writer, &REGISTRY_DOC, KIND_DEVICE, &cert.encode())?;
        self.add(cert);
        Ok(())
    }

    pub(crate) fn identity(&self) -> &[u8; 32] {
        &self.identity
    }
}

/// An epoch key as the `epochs` table keeps it: sealed under the storage
/// key, bound to its scope and epoch.
pub(crate) fn seal_epoch_key(
    storage: &SymmetricKey,
    scope: &ScopeId,
    epoch: u32,
    key: &SymmetricKey,
) -> EpochRecord {
    EpochRecord {
        scope: *scope,
        epoch,
        payload: aead::seal(storage, &epoch_aad(scope, epoch), key.as_bytes()),
    }
}

/// Why a kept epoch key could not be read.
pub(crate) enum BadEpochKey {
    /// It does not open under the storage key.
    Sealed,
    /// It opens but is not 32 bytes.
    Malformed,
}

/// Open an epoch key the `epochs` table keeps.
pub(crate) fn open_epoch_key(
    storage: &SymmetricKey,
    e: &EpochRecord,
) -> std::result::Result<SymmetricKey, BadEpochKey> {
    let plain = aead::open(storage, &epoch_aad(&e.scope, e.epoch), &e.payload)
        .map_err(|_| BadEpochKey::Sealed)?;
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| BadEpochKey::Malformed)?;
    Ok(SymmetricKey::from_bytes(bytes))
}

/// The associated data of a sealed epoch key.
fn epoch_aad(scope: &ScopeId, epoch: u32) -> Vec<u8> {
    let mut a = b"hearth/epoch-key/v1".to_vec();
    a.extend_from_slice(scope);
    a.extend_from_slice(&epoch.to_be_bytes());
    a
}

/// This machine's name, for the certificate of a new device.
pub fn default_device_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    if name.is_empty() {
        "This device".into()
    } else {
        name
    }
}
