//! Hearth's storage, and the only crate that speaks SQL.
//!
//! The store holds opaque bytes: it never sees a key or a plaintext entry.
//! - [`Store`]: the vault file (header, op log, materialised views, epoch
//!   keys, tombstones).
//! - Blob chunks ([`BlobChunk`]): attachments' bytes, sealed, a chunk at a
//!   time so no file is ever held whole.
//! - [`VaultRows`]: every row a backup carries, read or written whole;
//!   [`backup_stream`] gives the same rows with the blob chunks one at a
//!   time, which is how backups are made and restored.
//! - [`SearchIndex`]: the full-text index, built in memory at unlock so that
//!   no plaintext index ever reaches the disk.

mod backup;
pub mod backup_stream;
mod blobs;
#[cfg(test)]
mod fixtures;
mod query;
mod schema;
mod search;
mod store;

pub use backup::{SettingRecord, VaultRows};
pub use blobs::{BLOB_CHUNK_MAX, BlobChunk, BlobId};
pub use query::{MATCH_END, MATCH_START, Query};
pub use search::{SearchDoc, SearchFilter, SearchIndex};
pub use store::{
    DocId, EpochRecord, OP_PAYLOAD_MAX, OpRecord, ScopeId, Store, StoreTx, Tombstone, VaultHeader,
    ViewRecord,
};

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file exists but is not a Hearth vault, or is from a newer Hearth.
    #[error("{0}")]
    NotAVault(String),
    /// The op log would get a gap or a duplicate.
    #[error("op log conflict: {0}")]
    Sequence(String),
    #[error("{0}")]
    Corrupt(String),
}
