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

use crate::oplog::{self, KIND_DEVICE, Writer};
use crate::{CoreError, Result};
use hearth_crypto::{DeviceCertificate, SymmetricKey, aead};
use hearth_store::{DocId, EpochRecord, OpRecord, ScopeId, StoreTx};
use std::collections::BTreeMap;

/// The registry document's id in every scope.
pub(crate) const REGISTRY_DOC: DocId = [0; 16];

/// Who may write in a scope, and the keys to read it.
pub(crate) struct Registry {
    identity: [u8; 32],
    devices: BTreeMap<[u8; 32], DeviceCertificate>,
    keys: BTreeMap<u32, SymmetricKey>,
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
            let plain = aead::open(storage_key, &epoch_aad(&e.scope, e.epoch), &e.payload)
                .map_err(|_| {
                    CoreError::invalid(format!(
                        "the key of epoch {} does not open (the vault file was changed)",
                        e.epoch
                    ))
                })?;
            let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| {
                CoreError::invalid(format!("the key of epoch {} is malformed", e.epoch))
            })?;
            keys.insert(e.epoch, SymmetricKey::from_bytes(bytes));
        }
        let mut this = Self {
            identity,
            devices: BTreeMap::new(),
            keys,
        };
        for op in ops {
            if op.kind != KIND_DEVICE || op.is_marker() {
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
            if let Ok(cert) = DeviceCertificate::decode(&plain)
                && cert.verify(&identity).is_ok()
            {
                this.add(cert);
            }
        }
        Ok(this)
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

/// The associated data of a sealed epoch key.
pub(crate) fn epoch_aad(scope: &ScopeId, epoch: u32) -> Vec<u8> {
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
