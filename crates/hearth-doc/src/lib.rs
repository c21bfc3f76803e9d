//! Hearth's CRDT documents.
//!
//! An entry is one Automerge document. This crate turns [`EntryFields`] into
//! Automerge changes and back, and nothing else: no storage, no keys. The
//! store keeps the change bytes (encrypted) as ops; the core loads them here
//! to edit or merge.

mod change;
mod entry;
mod linear;
mod read;

pub use change::{ChangeMeta, causal_order, change_meta};
pub use entry::{EntryDoc, EntryFields};

/// Errors from reading or changing a document.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// Automerge refused the bytes or the operation.
    #[error("document data is invalid: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// The document loaded but lacks a field or has one of the wrong type.
    #[error("document is malformed: {0}")]
    Malformed(String),
}
