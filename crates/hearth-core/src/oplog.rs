//! Ops: how a document change is sealed, signed and appended to the device's
//! log, and how a stored (or received) op is checked and opened again.
//!
//! The payload is sealed with the scope key of the op's epoch, with
//! associated data binding it to its place in the log (scope, epoch, doc,
//! author, seq, kind), so an op moved to another place does not open. The
//! signature, by the author device's key, covers the op's header: that same
//! place, the hash of the author's previous op in the scope and the hash of
//! the sealed payload. So a peer can check an op without being able to read
//! it, a purge marker (an op whose payload is gone) keeps a checkable
//! signature, and two different ops at one (scope, author, seq) are told
//! apart by their hashes.

use crate::registry::Registry;
use crate::{CoreError, Result};
use hearth_crypto::{DeviceKey, DevicePublicKey, SymmetricKey, aead, hash};
use hearth_store::{DocId, OpRecord, ScopeId, StoreTx};

/// What is left of a format-1 op after its document was purged; format 2
/// keeps the op's own kind and drops only the payload. Read only when
/// migrating.
pub(crate) const KIND_PURGED_V1: u8 = 0;
/// An op whose payload is one Automerge change.
pub(crate) const KIND_CHANGE: u8 = 1;
/// An op telling every device to purge its document (empty plaintext).
pub(crate) const KIND_PURGE: u8 = 2;
/// A device certificate signed by the identity key (the registry document).
pub(crate) const KIND_DEVICE: u8 = 3;
/// A device's removal signed by the identity key (the registry document).
pub(crate) const KIND_REMOVAL: u8 = 4;
/// A new epoch: its key wrapped to each remaining device (the registry
/// document).
pub(crate) const KIND_EPOCH: u8 = 5;

pub(crate) use hearth_store::OP_PAYLOAD_MAX;

/// Who is writing, and under which key.
pub(crate) struct Writer<'a> {
    pub scope: ScopeId,
    pub epoch: u32,
    pub key: &'a SymmetricKey,
    pub device: &'a DeviceKey,
}

/// An op's place in the log after `tag`: scope, epoch, doc, author, seq,
/// kind. Room is made for `extra` more bytes.
fn place(tag: &[u8], op: &OpRecord, extra: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(tag.len() + 16 + 4 + 16 + 32 + 8 + 1 + extra);
    h.extend_from_slice(tag);
    h.extend_from_slice(&op.scope);
    h.extend_from_slice(&op.epoch.to_be_bytes());
    h.extend_from_slice(&op.doc);
    h.extend_from_slice(&op.author);
    h.extend_from_slice(&op.seq.to_be_bytes());
    h.push(op.kind);
    h
}

/// The associated data of an op's payload: its place in the log.
pub(crate) fn payload_aad(op: &OpRecord) -> Vec<u8> {
    place(b"hearth/op/v1", op, 0)
}

/// The bytes an op's signature covers, and its hash names: its place, the
/// previous op's hash and the payload's hash.
pub(crate) fn signed_header(op: &OpRecord) -> Vec<u8> {
    let mut h = place(b"hearth/op/v2", op, 64);
    h.extend_from_slice(&op.prev);
    h.extend_from_slice(&op.payload_hash);
    h
}

/// Fill in an op's payload hash, signature and own hash, given its place,
/// previous-op hash and sealed payload.
pub(crate) fn sign(op: &mut OpRecord, device: &DeviceKey) {
    op.payload_hash = hash(&[&op.payload]);
    let header = signed_header(op);
    op.signature = device.sign(&header).to_vec();
    op.hash = hash(&[&header]);
}

/// Seal `plaintext` as the next op of the writer's log and append it.
pub(crate) fn append(
    tx: &StoreTx<'_>,
    w: &Writer<'_>,
    doc: &DocId,
    kind: u8,
    plaintext: &[u8],
) -> Result<()> {
    let author = *w.device.public().as_bytes();
    let (seq, prev) = match tx.head(&w.scope, &author)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, [0; 32]),
    };
    let mut op = OpRecord {
        scope: w.scope,
        author,
        seq,
        epoch: w.epoch,
        doc: *doc,
        kind,
        prev,
        payload_hash: [0; 32],
        hash: [0; 32],
        payload: Vec::new(),
        signature: Vec::new(),
    };
    op.payload = aead::seal(w.key, &payload_aad(&op), plaintext);
    if op.payload.len() > OP_PAYLOAD_MAX {
        return Err(CoreError::invalid(format!(
            "this change is {} bytes sealed, over the {} MiB an op may hold; nothing was saved",
            op.payload.len(),
            OP_PAYLOAD_MAX >> 20
        )));
    }
    sign(&mut op, w.device);
    tx.append_op(&op)?;
    Ok(())
}

/// Check an op without opening it: its hashes, that its author is a device
/// the registry trusts, and its signature. A purge marker passes too.
pub(crate) fn verify(op: &OpRecord, registry: &Registry) -> Result<()> {
    let damaged = |reason: String| CoreError::Damaged {
        id: hex::encode(op.doc),
        reason,
    };
    if !registry.trusts(&op.author) {
        return Err(damaged(format!(
            "op {} is from a device this journal does not trust",
            op.seq
        )));
    }
    verify_signature(op).map_err(damaged)
}

/// Check an op's signature and hashes against its author's key alone.
pub(crate) fn verify_signature(op: &OpRecord) -> std::result::Result<(), String> {
    if !op.is_marker() && hash(&[&op.payload]) != op.payload_hash {
        return Err(format!(
            "op {} does not match its payload hash (the stored data was changed)",
            op.seq
        ));
    }
    let header = signed_header(op);
    if hash(&[&header]) != op.hash {
        return Err(format!(
            "op {} does not match its own hash (the stored data was changed)",
            op.seq
        ));
    }
    let author = DevicePublicKey::from_bytes(&op.author)
        .map_err(|_| format!("op {} names a malformed author key", op.seq))?;
    author.verify(&header, &op.signature).map_err(|_| {
        format!(
            "op {} has a bad signature (the stored data was changed)",
            op.seq
        )
    })
}

/// Check an op (see [`verify`]), then open its payload with the key of its
/// epoch.
pub(crate) fn open(op: &OpRecord, registry: &Registry) -> Result<Vec<u8>> {
    verify(op, registry)?;
    let id = hex::encode(op.doc);
    if op.is_marker() {
        return Err(CoreError::Damaged {
            id,
            reason: format!("op {} was purged", op.seq),
        });
    }
    let key = registry
        .epoch_key(op.epoch)
        .ok_or_else(|| CoreError::Damaged {
            id: id.clone(),
            reason: format!(
                "op {} is sealed in key epoch {}, which this device does not hold",
                op.seq, op.epoch
            ),
        })?;
    aead::open(key, &payload_aad(op), &op.payload).map_err(|_| CoreError::Damaged {
        id,
        reason: format!(
            "op {} does not decrypt (the stored data was changed)",
            op.seq
        ),
    })
}

/// Open a change op and check that its payload is exactly one Automerge
/// change by the op's author.
pub(crate) fn open_change(
    op: &OpRecord,
    registry: &Registry,
) -> Result<(Vec<u8>, hearth_doc::ChangeMeta)> {
    let bytes = open(op, registry)?;
    let damaged = |reason: String| CoreError::Damaged {
        id: hex::encode(op.doc),
        reason,
    };
    let meta = hearth_doc::change_meta(&bytes)
        .map_err(|e| damaged(format!("op {} does not hold one change: {e}", op.seq)))?;
    if meta.actor != op.author {
        return Err(damaged(format!(
            "op {} holds a change made by another device than its author",
            op.seq
        )));
    }
    Ok((bytes, meta))
}

#[cfg(test)]
mod tests;
