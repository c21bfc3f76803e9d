//! Bringing a vault of format 1 (one device, written before sync) to the
//! multi-writer format 2, the first time it is unlocked.
//!
//! Format 1 signed each op over its place and sealed payload, kept the
//! device's signing key inside the user secrets, and turned purged ops into
//! markers without payload or signature. Format 2 needs keys to get there,
//! so it happens at unlock, in one transaction:
//! - every op is checked as format 1 checked it, then given its previous-op
//!   hash, payload hash and own hash, and signed again by its author (this
//!   device: a format-1 vault holds no one else's ops). An op that fails its
//!   format-1 check keeps no signature, so it stays damaged instead of being
//!   vouched for anew. A format-1 marker becomes a change op with no payload
//!   and an all-zero payload hash (its payload was gone before hashes were
//!   kept);
//! - every purge op leaves a tombstone;
//! - the device's secrets move out of the user secrets into their own sealed
//!   column, with a new agreement key, and the device is certified in the
//!   registry;
//! - when the passphrase's key is at hand, the user secrets are wrapped
//!   again without the device key (layout 2).
//!
//! A restored copy passes `fresh_device`: the ops keep their author's
//! signatures, but the copy becomes a new device with its own key, so it
//! never writes a seq its original might also write.

use crate::oplog::{self, KIND_CHANGE, KIND_PURGE, KIND_PURGED_V1, Writer};
use crate::registry::{Registry, default_device_name};
use crate::{CoreError, Result, vault};
use hearth_crypto::{
    DeviceCertificate, DeviceKey, DevicePublicKey, DeviceSecrets, SymmetricKey, UserSecrets, hash,
};
use hearth_store::{OpRecord, Store, Tombstone, VaultHeader};

/// Migrate the format-1 vault in `store`; returns this device's secrets.
pub(crate) fn format_1_to_2(
    store: &mut Store,
    header: &VaultHeader,
    user: &UserSecrets,
    legacy_device: Option<DeviceKey>,
    kek: Option<&SymmetricKey>,
    fresh_device: bool,
) -> Result<DeviceSecrets> {
    let legacy = legacy_device.ok_or_else(|| {
        CoreError::invalid(
            "this format-1 vault's secrets hold no device key; the vault file was changed",
        )
    })?;
    if *legacy.public().as_bytes() != header.device {
        return Err(CoreError::invalid(
            "the vault header does not match its secrets; the vault file was changed",
        ));
    }
    let device = if fresh_device {
        DeviceSecrets::generate()
    } else {
        DeviceSecrets::with_key(legacy.clone())
    };
    let scope = header.personal_scope;
    let storage_key = &user.personal_scope_key;
    store.write(|tx| -> Result<()> {
        let mut prev: Option<([u8; 16], [u8; 32], [u8; 32])> = None;
        for mut op in tx.all_ops()? {
            let chain = match prev {
                Some((s, a, h)) if s == op.scope && a == op.author => h,
                _ => [0; 32],
            };
            let intact = format_1_intact(&op, &legacy.public());
            if op.kind == KIND_PURGED_V1 {
                op.kind = KIND_CHANGE;
            }
            op.prev = chain;
            if op.author == *legacy.public().as_bytes() && intact {
                oplog::sign(&mut op, &legacy);
                if op.is_marker() {
                    op.payload_hash = [0; 32];
                    let header = oplog::signed_header(&op);
                    op.signature = legacy.sign(&header).to_vec();
                    op.hash = hash(&[&header]);
                }
            } else {
                op.payload_hash = hash(&[&op.payload]);
                op.signature = Vec::new();
                op.hash = hash(&[&oplog::signed_header(&op)]);
            }
            if op.kind == KIND_PURGE {
                tx.put_tombstone(&Tombstone {
                    scope: op.scope,
                    doc: op.doc,
                    author: op.author,
                    seq: op.seq,
                })?;
            }
            tx.rewrite_op(&op)?;
            prev = Some((op.scope, op.author, op.hash));
        }
        let me = device.key.public();
        tx.set_device(
            me.as_bytes(),
            &device.seal(storage_key, &vault::device_binding(&scope, &me)),
        )?;
        let mut registry = Registry::load(tx, &scope, user.identity_public(), storage_key)?;
        let writer = Writer {
            scope,
            epoch: 0,
            key: storage_key,
            device: &device.key,
        };
        if fresh_device {
            // The original device keeps its place in the registry (its ops
            // stay trusted). Its agreement key is unknown here: the
            // certificate is dated 0 so that the original's own wins.
            let cert = DeviceCertificate::issue(
                &user.identity,
                &legacy.public(),
                [0; 32],
                "Earlier device",
                0,
            )?;
            registry.certify(tx, &writer, cert)?;
        }
        let cert = DeviceCertificate::issue(
            &user.identity,
            &me,
            device.agreement_public(),
            &default_device_name(),
            chrono::Utc::now().timestamp_millis(),
        )?;
        registry.certify(tx, &writer, cert)?;
        let wrapped = match kek {
            Some(kek) => user.wrap(kek, &vault::secrets_aad(header)),
            None => header.wrapped_secrets.clone(),
        };
        tx.set_format(vault::FORMAT, &wrapped)?;
        Ok(())
    })?;
    tracing::info!(fresh_device, "migrated the vault from format 1 to format 2");
    Ok(device)
}

/// Whether a format-1 op passes format 1's own check: its author's signature
/// over the old header and the sealed payload. Markers had nothing to check.
pub(crate) fn format_1_intact(op: &OpRecord, device: &DevicePublicKey) -> bool {
    if op.kind == KIND_PURGED_V1 {
        return op.payload.is_empty() && op.signature.is_empty();
    }
    if op.author != *device.as_bytes() {
        return false;
    }
    let mut m = oplog::payload_aad(op);
    m.extend_from_slice(&op.payload);
    device.verify(&m, &op.signature).is_ok()
}
