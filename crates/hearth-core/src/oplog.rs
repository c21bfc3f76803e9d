//! Ops: how a document change is sealed, signed and appended to the device's
//! log, and how a stored op is checked and opened again.
//!
//! The payload is sealed with the scope key, with associated data binding it
//! to its place in the log (scope, epoch, doc, author, seq, kind), so an op
//! moved to another place does not open. The signature, by the author
//! device's key, covers the same header and the sealed payload, so a peer can
//! check an op without being able to read it.

use crate::{CoreError, Result};
use hearth_crypto::{DeviceKey, DevicePublicKey, SymmetricKey, aead};
use hearth_store::{DocId, OpRecord, ScopeId, StoreTx};

/// An op whose payload is Automerge change bytes.
pub(crate) const KIND_CHANGE: u8 = 1;
/// An op telling every device to purge its document (empty payload).
pub(crate) const KIND_PURGE: u8 = 2;
/// What is left of an op after its document was purged: its place in the
/// log, with no payload and no signature.
pub(crate) const KIND_PURGED: u8 = 0;

/// Who is writing, and under which key.
pub(crate) struct Writer<'a> {
    pub scope: ScopeId,
    pub epoch: u32,
    pub key: &'a SymmetricKey,
    pub device: &'a DeviceKey,
}

fn header(
    scope: &ScopeId,
    epoch: u32,
    doc: &DocId,
    author: &[u8; 32],
    seq: u64,
    kind: u8,
) -> Vec<u8> {
    let mut h = Vec::with_capacity(16 + 4 + 16 + 32 + 8 + 1 + 16);
    h.extend_from_slice(b"hearth/op/v1");
    h.extend_from_slice(scope);
    h.extend_from_slice(&epoch.to_be_bytes());
    h.extend_from_slice(doc);
    h.extend_from_slice(author);
    h.extend_from_slice(&seq.to_be_bytes());
    h.push(kind);
    h
}

fn signed_message(op_header: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(op_header.len() + payload.len());
    m.extend_from_slice(op_header);
    m.extend_from_slice(payload);
    m
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
    let seq = tx.next_seq(&w.scope, &author)?;
    let h = header(&w.scope, w.epoch, doc, &author, seq, kind);
    let payload = aead::seal(w.key, &h, plaintext);
    let signature = w.device.sign(&signed_message(&h, &payload)).to_vec();
    tx.append_op(&OpRecord {
        scope: w.scope,
        author,
        seq,
        epoch: w.epoch,
        doc: *doc,
        kind,
        payload,
        signature,
    })?;
    Ok(())
}

/// Check an op's author and signature, then open its payload.
pub(crate) fn open(
    op: &OpRecord,
    key: &SymmetricKey,
    trusted: &[DevicePublicKey],
) -> Result<Vec<u8>> {
    let id = hex::encode(op.doc);
    let author = DevicePublicKey::from_bytes(&op.author)?;
    if !trusted.contains(&author) {
        return Err(CoreError::Damaged {
            id,
            reason: format!("op {} is from an unknown device", op.seq),
        });
    }
    let h = header(&op.scope, op.epoch, &op.doc, &op.author, op.seq, op.kind);
    author
        .verify(&signed_message(&h, &op.payload), &op.signature)
        .map_err(|_| CoreError::Damaged {
            id: id.clone(),
            reason: format!(
                "op {} has a bad signature (the stored data was changed)",
                op.seq
            ),
        })?;
    aead::open(key, &h, &op.payload).map_err(|_| CoreError::Damaged {
        id,
        reason: format!(
            "op {} does not decrypt (the stored data was changed)",
            op.seq
        ),
    })
}
