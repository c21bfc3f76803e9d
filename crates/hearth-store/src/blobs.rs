//! Attachments' bytes as rows: each file is a run of sealed chunks under one
//! blob id. The store only moves opaque bytes; the core seals, names and
//! checks them.

use crate::store::fixed;
use crate::{StoreError, StoreTx};
use rusqlite::{OptionalExtension, params};

/// A blob's id in the vault: 32 bytes the core derives from the file's
/// content hash.
pub type BlobId = [u8; 32];

/// The most plaintext one chunk holds: 1 MiB.
pub const BLOB_CHUNK_MAX: usize = 1 << 20;

/// One sealed chunk of a blob, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobChunk {
    pub id: BlobId,
    /// Counts from 0.
    pub index: u32,
    /// Sealed bytes.
    pub payload: Vec<u8>,
}

impl StoreTx<'_> {
    /// Store one chunk (replacing a chunk already at that place).
    pub fn put_blob_chunk(&self, chunk: &BlobChunk) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO blobs (id, idx, payload) VALUES (?1, ?2, ?3)")?
            .execute(params![
                chunk.id.as_slice(),
                i64::from(chunk.index),
                chunk.payload
            ])?;
        Ok(())
    }

    /// The sealed chunk `index` of blob `id`.
    pub fn blob_chunk(&self, id: &BlobId, index: u32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tx
            .prepare_cached("SELECT payload FROM blobs WHERE id = ?1 AND idx = ?2")?
            .query_row(params![id.as_slice(), i64::from(index)], |r| r.get(0))
            .optional()?)
    }

    /// How many chunks of blob `id` are stored.
    pub fn blob_chunk_count(&self, id: &BlobId) -> Result<u32, StoreError> {
        let n: i64 = self
            .tx
            .prepare_cached("SELECT COUNT(*) FROM blobs WHERE id = ?1")?
            .query_row(params![id.as_slice()], |r| r.get(0))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Delete every chunk of blob `id` (zeroed on disk: `secure_delete`).
    pub fn delete_blob(&self, id: &BlobId) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM blobs WHERE id = ?1")?
            .execute(params![id.as_slice()])?;
        Ok(())
    }

    /// Every stored blob's id and number of chunks, in id order.
    pub fn blob_ids(&self) -> Result<Vec<(BlobId, u32)>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id, COUNT(*) FROM blobs GROUP BY id ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, n) = row?;
            out.push((fixed(&id, "blob id")?, u32::try_from(n).unwrap_or(u32::MAX)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::Store;
    use crate::fixtures::header;

    use super::*;

    #[test]
    fn chunks_are_kept_by_blob_and_index_and_deleted_together() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("vault.db"), &header()).unwrap();
        store
            .write(|tx| -> Result<(), StoreError> {
                for (id, index) in [([1; 32], 0), ([1; 32], 1), ([2; 32], 0)] {
                    tx.put_blob_chunk(&BlobChunk {
                        id,
                        index,
                        payload: vec![index as u8; 50],
                    })?;
                }
                Ok(())
            })
            .unwrap();
        let tx = store.read();
        assert_eq!(tx.blob_chunk(&[1; 32], 1).unwrap(), Some(vec![1; 50]));
        assert_eq!(tx.blob_chunk(&[1; 32], 2).unwrap(), None);
        assert_eq!(tx.blob_ids().unwrap(), vec![([1; 32], 2), ([2; 32], 1)]);
        tx.delete_blob(&[1; 32]).unwrap();
        assert_eq!(tx.blob_chunk_count(&[1; 32]).unwrap(), 0);
        assert_eq!(tx.blob_chunk_count(&[2; 32]).unwrap(), 1);
    }
}
