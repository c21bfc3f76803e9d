//! The journal's side of moving photos and files between devices
//! (hearth-sync's `files`): which files this device lacks, what it may
//! send, and storing what arrives, sealed under this device's storage key a
//! chunk at a time.
//!
//! Between the person's own devices, a file is asked for when an entry (in
//! any of its versions) or an entry shared with them in a circle has it and
//! this device holds none or only part of it. A circle member's device is
//! sent, and asked for, only the files of what is shared now (the latest
//! version of each entry still shared) in the circles it is in with this
//! journal, and of those, a file of this journal's own entries only when
//! this person shared it; anyone else, nothing. Chunks were checked against
//! the file's name before they reach [`FileStore::take`].

use crate::attachments::{blob_id, chunk_aad, chunk_count, parse_hash};
use crate::journal::Journal;
use crate::network::{JournalReplica, NetEvent, failed, lock};
use crate::{CoreError, EntryId, Result};
use hearth_crypto::{aead, hash};
use hearth_store::BlobChunk;
use hearth_sync::{FileInfo, FileStore, ReplicaError, Wanted};
use std::collections::BTreeMap;

impl Journal {
    /// Whether `peer` is one of the person's own devices.
    fn is_own_device(&self, peer: &[u8; 32]) -> bool {
        self.registry.members().contains(peer) || self.paired_with == Some(*peer)
    }

    /// Every file an entry here has, in any version, with its size when an
    /// entry has it now (a file only in history has no size here).
    fn files_known(&self) -> BTreeMap<[u8; 32], Option<u64>> {
        let mut out = BTreeMap::new();
        for e in self.entries.values() {
            for f in &e.files {
                if let Some(h) = parse_hash(f) {
                    out.entry(h).or_insert(None);
                }
            }
            for a in &e.attachments {
                if let Some(h) = parse_hash(&a.id) {
                    out.insert(h, Some(a.size));
                }
            }
        }
        out
    }

    /// How many chunks of a file are stored, and whether they are all of it
    /// (the last one opens as the last).
    fn stored_chunks(&self, content: &[u8; 32]) -> Result<(u32, bool)> {
        let key = self.scope_key();
        let id = blob_id(key, content);
        let tx = self.store.read();
        let n = tx.blob_chunk_count(&id)?;
        if n == 0 {
            return Ok((0, false));
        }
        let whole = tx.blob_chunk(&id, n - 1)?.is_some_and(|sealed| {
            aead::open(key, &chunk_aad(content, n - 1, true), &sealed).is_ok()
        });
        Ok((n, whole))
    }

    /// The files this device and `peer` may exchange, with their sizes
    /// when known.
    fn files_with(&self, peer: &[u8; 32]) -> Result<BTreeMap<[u8; 32], Option<u64>>> {
        let (mut out, shared) = if self.is_own_device(peer) {
            (self.files_known(), self.shared_attachments()?)
        } else {
            let circles = self
                .circle_peers()?
                .remove(peer)
                .map(|p| p.circles)
                .unwrap_or_default();
            // A file of this journal's own entries goes to a member only
            // when this person shared it: another member listing the same
            // hash (one they saw before it was unshared, say) does not
            // make this device hand it out.
            let own = self.files_known();
            let mut shared = Vec::new();
            for circle in circles {
                for (mine, a) in self.shared_files_in(&circle)? {
                    let private = parse_hash(&a.id).is_some_and(|h| own.contains_key(&h));
                    if mine || !private {
                        shared.push(a);
                    }
                }
            }
            (BTreeMap::new(), shared)
        };
        for a in shared {
            if let Some(h) = parse_hash(&a.id) {
                out.insert(h, Some(a.size));
            }
        }
        Ok(out)
    }

    fn wanted_files(&self, peer: &[u8; 32]) -> Result<Vec<Wanted>> {
        let mut out = Vec::new();
        for (content, size) in self.files_with(peer)? {
            let (have, whole) = self.stored_chunks(&content)?;
            let lacking = match size {
                Some(size) => have < chunk_count(size),
                None => !whole,
            };
            if lacking && !whole {
                out.push(Wanted {
                    hash: content,
                    have,
                });
            }
        }
        Ok(out)
    }

    fn describe_file(&self, peer: &[u8; 32], content: &[u8; 32]) -> Result<Option<FileInfo>> {
        if !self.files_with(peer)?.contains_key(content) {
            return Ok(None);
        }
        let (n, whole) = self.stored_chunks(content)?;
        if !whole {
            return Ok(None);
        }
        let mut info = FileInfo {
            size: 0,
            chunks: Vec::with_capacity(n as usize),
        };
        for index in 0..n {
            let plain = self.open_chunk(content, index, n)?;
            info.size += plain.len() as u64;
            info.chunks.push(hash(&[&plain]));
        }
        Ok(info.names(content).then_some(info))
    }

    fn open_chunk(&self, content: &[u8; 32], index: u32, count: u32) -> Result<Vec<u8>> {
        let key = self.scope_key();
        let sealed = self
            .store
            .read()
            .blob_chunk(&blob_id(key, content), index)?
            .ok_or_else(|| CoreError::invalid("a file's chunk is missing"))?;
        aead::open(key, &chunk_aad(content, index, index + 1 == count), &sealed)
            .map_err(|_| CoreError::invalid("a file's chunk is damaged"))
    }

    /// Store one checked chunk; returns whether the file is now whole.
    fn take_chunk(
        &mut self,
        content: &[u8; 32],
        info: &FileInfo,
        index: u32,
        bytes: &[u8],
    ) -> Result<bool> {
        let key = self.scope_key().clone();
        let id = blob_id(&key, content);
        let count = info.chunks.len() as u32;
        self.store.write(|tx| -> Result<()> {
            let stored = tx.blob_chunk_count(&id)?;
            if stored > index {
                // Another transfer of the same file (the other device
                // pushing while this one asks) stored it first: the chunk
                // is named by the file, so it is this one.
                return Ok(());
            }
            if stored < index {
                return Err(CoreError::invalid("a file's chunks came out of order"));
            }
            tx.put_blob_chunk(&BlobChunk {
                id,
                index,
                payload: aead::seal(&key, &chunk_aad(content, index, index + 1 == count), bytes),
            })?;
            Ok(())
        })?;
        Ok(index + 1 == count)
    }

    /// The entries that have a file now.
    fn entries_with(&self, content: &[u8; 32]) -> Vec<EntryId> {
        let id = hex::encode(content);
        self.entries
            .values()
            .filter(|e| e.attachments.iter().any(|a| a.id == id))
            .map(|e| e.id)
            .collect()
    }

    /// The circles (their ids) where an entry shared now has a file.
    fn circles_with(&self, content: &[u8; 32]) -> Result<Vec<String>> {
        let id = hex::encode(content);
        let mut out = Vec::new();
        for circle in self.circle_ids()? {
            if self
                .shared_attachments_in(&circle)?
                .iter()
                .any(|a| a.id == id)
            {
                out.push(hex::encode(circle));
            }
        }
        Ok(out)
    }
}

impl FileStore for JournalReplica {
    fn wanted(&self, peer: &[u8; 32]) -> std::result::Result<Vec<Wanted>, ReplicaError> {
        lock(&self.journal).wanted_files(peer).map_err(failed)
    }

    fn describe(
        &self,
        peer: &[u8; 32],
        content: &[u8; 32],
    ) -> std::result::Result<Option<FileInfo>, ReplicaError> {
        lock(&self.journal)
            .describe_file(peer, content)
            .map_err(failed)
    }

    fn chunk(&self, content: &[u8; 32], index: u32) -> std::result::Result<Vec<u8>, ReplicaError> {
        let j = lock(&self.journal);
        let (n, _) = j.stored_chunks(content).map_err(failed)?;
        j.open_chunk(content, index, n).map_err(failed)
    }

    fn take(
        &self,
        content: &[u8; 32],
        info: &FileInfo,
        index: u32,
        bytes: &[u8],
    ) -> std::result::Result<(), ReplicaError> {
        let mut j = lock(&self.journal);
        let whole = j.take_chunk(content, info, index, bytes).map_err(failed)?;
        if whole && let Some(events) = &self.events {
            let changed = j.entries_with(content);
            if !changed.is_empty() {
                let _ = events.send(NetEvent::EntriesChanged {
                    changed,
                    purged: Vec::new(),
                });
            }
            let circles = j.circles_with(content).map_err(failed)?;
            if !circles.is_empty() {
                let _ = events.send(NetEvent::CirclesChanged { circles });
            }
        }
        Ok(())
    }
}
