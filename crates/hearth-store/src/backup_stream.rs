//! A vault's rows for a backup a piece at a time, so that photos and files
//! (gigabytes, perhaps) never sit whole in memory.
//!
//! - [`BackupSnapshot`]: one read transaction; the small rows (header, ops,
//!   views, settings, epoch keys, tombstones) whole, then the blob chunks
//!   one by one in (id, index) order, all from the same snapshot.
//! - [`BlobAppender`]: blob chunks written into a vault (a restore's new
//!   file, made by [`Store::create_with_rows`]) as they come, committed in
//!   batches of transactions.

use crate::backup::small_rows;
use crate::store::fixed;
use crate::{BlobChunk, Store, StoreError, StoreTx, VaultRows};

/// Blob bytes written per transaction by a [`BlobAppender`].
const BATCH_BYTES: usize = 16 << 20;

/// A read transaction over a vault for a backup: everything read through
/// it is one consistent snapshot. Dropping it ends the transaction.
pub struct BackupSnapshot<'a> {
    store: &'a Store,
    tx: rusqlite::Transaction<'a>,
}

impl Store {
    /// Begin the read transaction a backup reads its rows in.
    pub fn backup_snapshot(&self) -> Result<BackupSnapshot<'_>, StoreError> {
        Ok(BackupSnapshot {
            store: self,
            tx: self.conn.unchecked_transaction()?,
        })
    }

    /// Write blob chunks into this vault as they come (a restore's new
    /// file, after [`Store::create_with_rows`]).
    pub fn blob_appender(self) -> BlobAppender {
        BlobAppender {
            store: Some(self),
            in_tx: false,
            pending: 0,
        }
    }
}

impl BackupSnapshot<'_> {
    /// Every row a backup carries but the blob chunks (`blobs` is empty).
    pub fn rows(&self) -> Result<VaultRows, StoreError> {
        small_rows(self.store, &self.tx)
    }

    /// Call `f` with each blob chunk, in (id, index) order, one at a time;
    /// the first error `f` returns stops it and is returned.
    pub fn for_each_blob_chunk<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(BlobChunk) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .tx
            .prepare("SELECT id, idx, payload FROM blobs ORDER BY id, idx")
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let id: Vec<u8> = row.get(0).map_err(StoreError::from)?;
            let index: i64 = row.get(1).map_err(StoreError::from)?;
            f(BlobChunk {
                id: fixed(&id, "blob id")?,
                index: u32::try_from(index)
                    .map_err(|_| StoreError::Corrupt("a blob chunk index is impossible".into()))?,
                payload: row.get(2).map_err(StoreError::from)?,
            })?;
        }
        Ok(())
    }
}

/// Writes blob chunks into a vault, committing every few megabytes; see
/// [`Store::blob_appender`]. Dropped before [`BlobAppender::finish`], it
/// rolls back the batch it was in.
pub struct BlobAppender {
    /// Always `Some` until `finish`.
    store: Option<Store>,
    in_tx: bool,
    /// Payload bytes in the open transaction.
    pending: usize,
}

impl BlobAppender {
    /// Store one chunk (replacing a chunk already at that place).
    pub fn put(&mut self, chunk: &BlobChunk) -> Result<(), StoreError> {
        if !self.in_tx {
            self.store()?.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.in_tx = true;
        }
        StoreTx {
            tx: &self.store()?.conn,
        }
        .put_blob_chunk(chunk)?;
        self.pending += chunk.payload.len();
        if self.pending >= BATCH_BYTES {
            self.commit()?;
        }
        Ok(())
    }

    /// Commit what is left and give the vault back.
    pub fn finish(mut self) -> Result<Store, StoreError> {
        self.commit()?;
        self.store
            .take()
            .ok_or_else(|| StoreError::Corrupt("the blob writer was already finished".into()))
    }

    fn store(&self) -> Result<&Store, StoreError> {
        self.store
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("the blob writer was already finished".into()))
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.in_tx {
            self.store()?.conn.execute_batch("COMMIT")?;
            self.in_tx = false;
            self.pending = 0;
        }
        Ok(())
    }
}

impl Drop for BlobAppender {
    fn drop(&mut self) {
        if let (true, Some(store)) = (self.in_tx, &self.store) {
            let _ = store.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fixtures::header;

    fn chunk(id: u8, index: u32, len: usize) -> BlobChunk {
        BlobChunk {
            id: [id; 32],
            index,
            payload: vec![id ^ index as u8; len],
        }
    }

    #[test]
    fn chunks_stream_in_order_from_one_snapshot_and_back_in_batches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let mut blobs = Store::create(&path, &header()).unwrap().blob_appender();
        // More than one batch: 3 of 8 MiB.
        let written = [
            chunk(2, 0, 8 << 20),
            chunk(1, 1, 8 << 20),
            chunk(1, 0, 8 << 20),
            chunk(3, 0, 10),
        ];
        for c in &written {
            blobs.put(c).unwrap();
        }
        let mut store = blobs.finish().unwrap();
        let snapshot = store.backup_snapshot().unwrap();
        assert!(snapshot.rows().unwrap().blobs.is_empty());
        let mut seen = Vec::new();
        snapshot
            .for_each_blob_chunk(|c| -> Result<(), StoreError> {
                // A write while the snapshot is open is not seen.
                if seen.is_empty() {
                    let other = Store::open(&path).unwrap();
                    other
                        .conn
                        .execute("DELETE FROM blobs WHERE id = ?1", [[3u8; 32].as_slice()])
                        .unwrap();
                }
                seen.push((c.id[0], c.index, c.payload));
                Ok(())
            })
            .unwrap();
        let want: Vec<_> = [&written[2], &written[1], &written[0], &written[3]]
            .iter()
            .map(|c| (c.id[0], c.index, c.payload.clone()))
            .collect();
        assert_eq!(seen, want);
        // The first error stops it.
        let mut n = 0;
        let err = snapshot.for_each_blob_chunk(|_| {
            n += 1;
            Err(StoreError::Corrupt("stop".into()))
        });
        assert!(err.is_err());
        assert_eq!(n, 1);
        drop(snapshot);
        assert_eq!(store.rows().unwrap().blobs.len(), 3);

        // Dropped unfinished, the open batch is rolled back.
        let mut blobs = store.blob_appender();
        blobs.put(&chunk(9, 0, 10)).unwrap();
        drop(blobs);
        store = Store::open(&path).unwrap();
        assert_eq!(store.read().blob_chunk_count(&[9; 32]).unwrap(), 0);
    }
}
