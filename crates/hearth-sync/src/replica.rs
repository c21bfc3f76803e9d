//! What a sync exchange needs from the journal on this device. hearth-core
//! implements it; this crate only moves ops, so the dependency points from
//! the core to sync and never back, and every check of a received op stays
//! in the core.

use crate::plan::{Author, VersionVector};
use hearth_store::{OpRecord, ScopeId};
use std::collections::BTreeMap;

/// Why the journal side of an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaError {
    /// The peer sent ops this device will not store (a bad signature, an
    /// untrusted author, a fork...). Nothing of the batch was stored.
    #[error("{0}")]
    Refused(String),
    /// This device failed on its own side (its storage, say).
    #[error("{0}")]
    Failed(String),
}

/// What storing one batch of a peer's ops did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taken {
    pub stored: usize,
    /// Ops this device already held.
    pub duplicates: usize,
    /// Ops not stored because an earlier op of their author is missing.
    pub after_a_gap: usize,
}

impl Taken {
    pub fn add(&mut self, other: &Taken) {
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.after_a_gap += other.after_a_gap;
    }
}

/// The journal's side of an exchange with one peer. Calls are blocking (they
/// read and write the vault); the session runs them off the async threads.
pub trait Replica: Send + Sync + 'static {
    /// The version vector of each scope this device syncs with `peer` (a
    /// device id): every scope for the person's own devices, the circles
    /// both are in for another member's device. The exchange moves ops of
    /// these scopes only, either way.
    fn vectors(&self, peer: &[u8; 32]) -> Result<BTreeMap<ScopeId, VersionVector>, ReplicaError>;

    /// `author`'s ops in `scope` from seq `from` to `to`, in seq order, at
    /// most `limit`. A purged op comes as its marker.
    fn ops(
        &self,
        scope: &ScopeId,
        author: &Author,
        from: u64,
        to: u64,
        limit: usize,
    ) -> Result<Vec<OpRecord>, ReplicaError>;

    /// Check a batch of the peer's ops and store it, all or nothing. The
    /// ops' own `hash` fields are zero: the receiver computes them.
    fn receive(&self, ops: Vec<OpRecord>) -> Result<Taken, ReplicaError>;
}
