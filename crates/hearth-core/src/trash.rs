//! Emptying the trash: purging entries for good.
//!
//! Purging an entry keeps each of its ops' places in the log (scope, author,
//! seq, doc) so version vectors and seq continuity still hold, but replaces
//! the op with a purge marker: no payload, no signature. Its view and the
//! sealed search-index image go too. A purge op (kind [`KIND_PURGE`]) is
//! appended for the entry so that the person's other devices, once they
//! sync, purge it as well. SQLite's `secure_delete` zeroes the freed bytes,
//! and a WAL checkpoint afterwards takes the old pages out of the WAL file.

use crate::journal::Journal;
use crate::oplog::{self, KIND_PURGE, KIND_PURGED, Writer};
use crate::{EntryId, Result};
use chrono::{Duration, Utc};

/// How long an entry stays in the trash before it is purged at unlock.
pub const TRASH_DAYS: i64 = 30;

impl Journal {
    /// Purge every entry in the trash; returns how many.
    pub fn empty_trash(&mut self) -> Result<usize> {
        let ids: Vec<EntryId> = self.trashed().iter().map(|e| e.id).collect();
        self.purge(&ids)
    }

    /// Purge entries that have been in the trash for more than
    /// [`TRASH_DAYS`] days; returns how many.
    pub fn purge_expired(&mut self) -> Result<usize> {
        let cutoff = Utc::now() - Duration::days(TRASH_DAYS);
        let ids: Vec<EntryId> = self
            .trashed()
            .iter()
            .filter(|e| e.trashed_at.is_some_and(|t| t < cutoff))
            .map(|e| e.id)
            .collect();
        self.purge(&ids)
    }

    fn purge(&mut self, ids: &[EntryId]) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let key = self.scope_key().clone();
        let device = self.device_key().clone();
        let writer = Writer {
            scope: self.scope(),
            epoch: 0,
            key: &key,
            device: &device,
        };
        self.store.write(|tx| -> Result<()> {
            for id in ids {
                tx.purge_doc(&id.0, KIND_PURGED)?;
                oplog::append(tx, &writer, &id.0, KIND_PURGE, &[])?;
            }
            Ok(())
        })?;
        self.forget(ids)?;
        self.store.drop_cache(crate::search::CACHE)?;
        self.store.checkpoint()?;
        Ok(ids.len())
    }
}
