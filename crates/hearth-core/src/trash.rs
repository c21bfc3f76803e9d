//! Emptying the trash: purging entries for good.
//!
//! Purging an entry keeps each of its ops in the log with its place (scope,
//! author, seq, doc), hashes and signature, so version vectors and seq
//! continuity still hold and the marker can still be checked, but drops its
//! payload. Its view and the sealed search-index image go too. A purge op
//! (kind [`KIND_PURGE`]) is appended for the entry and a tombstone names it,
//! so that ops for the entry that arrive later are kept only as markers and
//! the person's other devices, once they sync, purge it as well. A purge op
//! is never itself purged. The entry's attachments are deleted unless
//! another entry (in any of its versions) holds the same file. SQLite's `secure_delete` zeroes the freed bytes,
//! and a WAL checkpoint afterwards takes the old pages out of the WAL file.

use crate::journal::Journal;
use crate::oplog::{self, KIND_PURGE, Writer};
use crate::{EntryId, Result};
use chrono::{Duration, Utc};
use hearth_store::Tombstone;

/// How long an entry stays in the trash before it is purged at unlock.
pub const TRASH_DAYS: i64 = 30;

impl Journal {
    /// Purge every entry in the trash; returns how many.
    pub fn empty_trash(&mut self) -> Result<usize> {
        let ids: Vec<EntryId> = self.trashed().iter().map(|e| e.id).collect();
        if ids.is_empty() {
            // Files of entries no longer shared with this journal go even
            // when there is nothing to purge.
            self.sweep_blobs()?;
        }
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
        // Members' apps stop showing a purged entry; what they received
        // stays with them (SECURITY.md).
        for id in ids {
            if let Err(e) = self.unshare_everywhere(id) {
                tracing::warn!(error = %e, "a purged entry could not be unshared from a circle");
            }
        }
        let (epoch, key) = self.write_key();
        let key = key.clone();
        let device = self.device_key().clone();
        let scope = self.scope();
        let writer = Writer {
            scope,
            epoch,
            key: &key,
            device: &device,
        };
        let author = *device.public().as_bytes();
        self.store.write(|tx| -> Result<()> {
            for id in ids {
                let seq = tx.next_seq(&scope, &author)?;
                oplog::append(tx, &writer, &id.0, KIND_PURGE, &[])?;
                tx.purge_doc(
                    &Tombstone {
                        scope,
                        doc: id.0,
                        author,
                        seq,
                    },
                    KIND_PURGE,
                )?;
            }
            Ok(())
        })?;
        self.forget(ids)?;
        // Photos and files no other entry has, in any version, go too.
        self.sweep_blobs()?;
        self.store.drop_cache(crate::search::CACHE)?;
        self.store.checkpoint()?;
        Ok(ids.len())
    }
}
