//! The whole vault as rows, for backups: every row a backup carries (the
//! header with both wrappings of the secrets, the op log, the views, the
//! settings, the epoch keys, the tombstones and the attachments' chunks),
//! read in one transaction so they are a consistent snapshot, and a new
//! vault file written from such rows.
//!
//! [`Store::rows`] and [`Store::create_from_rows`] hold every row in memory,
//! blob chunks included; backups of real journals go through
//! [`crate::backup_stream`] instead, which moves the chunks one at a time.
//!
//! Caches are not part of it: they can always be rebuilt from the views. Nor
//! are the device's own secrets: a restored copy is a new device.

use crate::store::{fixed, view_record, view_row};
use crate::{
    BlobChunk, EpochRecord, OpRecord, Store, StoreError, StoreTx, Tombstone, VaultHeader,
    ViewRecord,
};
use rusqlite::{Connection, params};
use std::path::Path;

/// One sealed setting as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRecord {
    pub name: String,
    /// Sealed bytes.
    pub payload: Vec<u8>,
}

/// Every row of a vault that a backup carries, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultRows {
    pub header: VaultHeader,
    /// The secrets sealed under the recovery key, when one was made.
    pub wrapped_recovery: Option<Vec<u8>>,
    /// In (scope, author, seq) order.
    pub ops: Vec<OpRecord>,
    /// In (scope, doc) order.
    pub views: Vec<ViewRecord>,
    /// In name order.
    pub settings: Vec<SettingRecord>,
    /// In (scope, epoch) order.
    pub epochs: Vec<EpochRecord>,
    /// In (scope, doc) order.
    pub tombstones: Vec<Tombstone>,
    /// Attachments' sealed chunks, in (id, index) order. Empty where the
    /// chunks travel on their own ([`crate::backup_stream`]).
    pub blobs: Vec<BlobChunk>,
}

impl Store {
    /// Every row a backup carries, blob chunks included, read in one
    /// transaction.
    pub fn rows(&self) -> Result<VaultRows, StoreError> {
        let snapshot = self.backup_snapshot()?;
        let mut rows = snapshot.rows()?;
        snapshot.for_each_blob_chunk(|c| -> Result<(), StoreError> {
            rows.blobs.push(c);
            Ok(())
        })?;
        Ok(rows)
    }

    /// Create a new vault file at `path` holding exactly `rows`: the small
    /// rows in one transaction after the header, then the blob chunks in
    /// batches ([`Store::create_with_rows`], [`Store::blob_appender`]).
    /// Refuses if a file is already there, and (as
    /// [`crate::StoreTx::append_op`] does) an op log with a gap or a
    /// duplicate. On error the caller removes the file.
    pub fn create_from_rows(path: &Path, rows: &VaultRows) -> Result<(), StoreError> {
        let mut blobs = Self::create_with_rows(path, rows)?.blob_appender();
        for b in &rows.blobs {
            blobs.put(b)?;
        }
        blobs.finish()?.checkpoint()?;
        Ok(())
    }

    /// Create a new vault file at `path` holding the rows of `rows` other
    /// than the blob chunks (`rows.blobs` is not looked at), in one
    /// transaction after the header, and return it open: the chunks follow
    /// through [`Store::blob_appender`]. Refuses as
    /// [`Store::create_from_rows`] does. On error the caller removes the
    /// file.
    pub fn create_with_rows(path: &Path, rows: &VaultRows) -> Result<Self, StoreError> {
        let mut store = Self::create(path, &rows.header)?;
        store.write(|tx| -> Result<(), StoreError> {
            if let Some(wrapped) = &rows.wrapped_recovery {
                tx.tx.execute(
                    "UPDATE vault SET wrapped_recovery = ?1 WHERE id = 1",
                    params![wrapped],
                )?;
            }
            for op in &rows.ops {
                tx.append_op(op)?;
            }
            for view in &rows.views {
                if tx.view(&view.scope, &view.doc)?.is_some() {
                    return Err(StoreError::Corrupt(format!(
                        "two views of document {}",
                        hex::encode(view.doc)
                    )));
                }
                tx.put_view(view)?;
            }
            let mut insert = tx
                .tx
                .prepare("INSERT INTO settings (name, payload) VALUES (?1, ?2)")?;
            for s in &rows.settings {
                insert.execute(params![s.name, s.payload])?;
            }
            for e in &rows.epochs {
                tx.put_epoch(e)?;
            }
            for t in &rows.tombstones {
                tx.put_tombstone(t)?;
            }
            Ok(())
        })?;
        Ok(store)
    }
}

/// Every row a backup carries but the blob chunks, read on `tx` (which the
/// caller holds open, so that they are one snapshot).
pub(crate) fn small_rows(store: &Store, tx: &Connection) -> Result<VaultRows, StoreError> {
    let header = store.header()?;
    let wrapped_recovery = store.wrapped_recovery()?;
    let ops = StoreTx { tx }.all_ops()?;
    let mut views = Vec::new();
    {
        let mut stmt =
            tx.prepare("SELECT scope, doc, doc_type, payload FROM views ORDER BY scope, doc")?;
        for row in stmt.query_map([], view_row)? {
            views.push(view_record(row?)?);
        }
    }
    let mut settings = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT name, payload FROM settings ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (name, payload) = row?;
            settings.push(SettingRecord { name, payload });
        }
    }
    let mut epochs = Vec::new();
    let mut tombstones = Vec::new();
    {
        let mut stmt =
            tx.prepare("SELECT scope, epoch, payload FROM epochs ORDER BY scope, epoch")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (scope, epoch, payload) = row?;
            epochs.push(EpochRecord {
                scope: fixed(&scope, "scope id")?,
                epoch,
                payload,
            });
        }
        let mut stmt =
            tx.prepare("SELECT scope, doc, author, seq FROM tombstones ORDER BY scope, doc")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (scope, doc, author, seq) = row?;
            tombstones.push(Tombstone {
                scope: fixed(&scope, "scope id")?,
                doc: fixed(&doc, "doc id")?,
                author: fixed(&author, "author key")?,
                seq: seq as u64,
            });
        }
    }
    Ok(VaultRows {
        header,
        wrapped_recovery,
        ops,
        views,
        settings,
        epochs,
        tombstones,
        blobs: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fixtures::{header, op};

    fn rows() -> VaultRows {
        VaultRows {
            header: header(),
            wrapped_recovery: Some(vec![9; 60]),
            ops: vec![op(1, 1), op(2, 2), op(3, 1)],
            views: vec![
                ViewRecord {
                    scope: [4; 16],
                    doc: [1; 16],
                    doc_type: 1,
                    payload: vec![1, 2],
                },
                ViewRecord {
                    scope: [4; 16],
                    doc: [2; 16],
                    doc_type: 1,
                    payload: vec![3],
                },
            ],
            settings: vec![SettingRecord {
                name: "theme".into(),
                payload: vec![5; 30],
            }],
            epochs: vec![EpochRecord {
                scope: [4; 16],
                epoch: 1,
                payload: vec![6; 72],
            }],
            tombstones: vec![Tombstone {
                scope: [4; 16],
                doc: [8; 16],
                author: [3; 32],
                seq: 9,
            }],
            blobs: vec![BlobChunk {
                id: [5; 32],
                index: 0,
                payload: vec![7; 45],
            }],
        }
    }

    #[test]
    fn rows_round_trip_through_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        Store::create_from_rows(&path, &rows()).unwrap();
        assert!(Store::create_from_rows(&path, &rows()).is_err());
        let store = Store::open(&path).unwrap();
        assert_eq!(store.rows().unwrap(), rows());
    }

    #[test]
    fn a_gap_in_the_log_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = rows();
        r.ops.remove(1);
        let err = Store::create_from_rows(&dir.path().join("v.db"), &r).unwrap_err();
        assert!(matches!(err, StoreError::Sequence(_)), "{err}");
        let mut r = rows();
        r.views.push(r.views[0].clone());
        assert!(Store::create_from_rows(&dir.path().join("w.db"), &r).is_err());
    }
}
