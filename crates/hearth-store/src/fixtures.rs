//! Rows for the store's unit tests: a vault header and ops, the same in
//! every test module.

use crate::{OpRecord, VaultHeader};

pub(crate) fn header() -> VaultHeader {
    VaultHeader {
        format: 2,
        kdf_memory_kib: 8192,
        kdf_iterations: 1,
        kdf_parallelism: 1,
        salt: vec![1; 16],
        wrapped_secrets: vec![2; 80],
        device: [3; 32],
        personal_scope: [4; 16],
        created_at: 5,
    }
}

/// Op `seq` of the header's device in its personal scope, for document
/// `[doc; 16]`.
pub(crate) fn op(seq: u64, doc: u8) -> OpRecord {
    OpRecord {
        scope: [4; 16],
        author: [3; 32],
        seq,
        epoch: 0,
        doc: [doc; 16],
        kind: 1,
        prev: [seq as u8 - 1; 32],
        payload_hash: [seq as u8; 32],
        hash: [seq as u8; 32],
        payload: vec![seq as u8; 10],
        signature: vec![7; 64],
    }
}
