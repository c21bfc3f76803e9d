//! The vault file: one SQLite database in WAL mode with `secure_delete` on.
//!
//! Invariant: an op and the view it produces are written in one transaction,
//! so after a crash at any point the views match the log.

use crate::{StoreError, schema};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::time::Duration;

/// A document id: 16 random bytes.
pub type DocId = [u8; 16];
/// A scope id (the personal journal, or a circle): 16 random bytes.
pub type ScopeId = [u8; 16];

/// The vault's plaintext header: what is needed to derive the key that opens
/// the rest. It holds no journal content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultHeader {
    pub format: u32,
    pub kdf_memory_kib: u32,
    pub kdf_iterations: u32,
    pub kdf_parallelism: u32,
    pub salt: Vec<u8>,
    pub wrapped_secrets: Vec<u8>,
    /// This device's public key.
    pub device: [u8; 32],
    pub personal_scope: ScopeId,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// One op as stored: everything but `payload` is in the clear so that the
/// log can be reconciled without keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRecord {
    pub scope: ScopeId,
    pub author: [u8; 32],
    pub seq: u64,
    pub epoch: u32,
    pub doc: DocId,
    pub kind: u8,
    /// Sealed bytes.
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// One document's sealed materialised view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRecord {
    pub doc: DocId,
    pub scope: ScopeId,
    pub payload: Vec<u8>,
}

/// An open vault database.
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Create a new vault file at `path` holding `header`. Refuses if a file
    /// is already there.
    pub fn create(path: &Path, header: &VaultHeader) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::NotAVault(format!(
                "a vault already exists at {}",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        Self::configure(&conn)?;
        schema::migrate(&mut conn)?;
        conn.execute(
            "INSERT INTO vault (id, format, kdf_memory_kib, kdf_iterations, kdf_parallelism,
                salt, wrapped_secrets, device, personal_scope, created_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                header.format,
                header.kdf_memory_kib,
                header.kdf_iterations,
                header.kdf_parallelism,
                header.salt,
                header.wrapped_secrets,
                header.device.as_slice(),
                header.personal_scope.as_slice(),
                header.created_at,
            ],
        )?;
        Ok(Self { conn })
    }

    /// Open an existing vault file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotAVault(format!(
                "no vault at {}",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        let is_db: Result<i64, _> = conn.query_row("PRAGMA user_version", [], |r| r.get(0));
        if is_db.is_err() {
            return Err(StoreError::NotAVault(format!(
                "{} is not a Hearth vault",
                path.display()
            )));
        }
        Self::configure(&conn)?;
        schema::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    fn configure(conn: &Connection) -> Result<(), StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    /// The vault header.
    pub fn header(&self) -> Result<VaultHeader, StoreError> {
        self.conn
            .query_row(
                "SELECT format, kdf_memory_kib, kdf_iterations, kdf_parallelism, salt,
                        wrapped_secrets, device, personal_scope, created_at
                 FROM vault WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, u32>(2)?,
                        r.get::<_, u32>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, Vec<u8>>(5)?,
                        r.get::<_, Vec<u8>>(6)?,
                        r.get::<_, Vec<u8>>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotAVault("the vault header is missing".into()))
            .and_then(
                |(format, m, t, p, salt, wrapped, device, scope, created_at)| {
                    Ok(VaultHeader {
                        format,
                        kdf_memory_kib: m,
                        kdf_iterations: t,
                        kdf_parallelism: p,
                        salt,
                        wrapped_secrets: wrapped,
                        device: fixed(&device, "device key")?,
                        personal_scope: fixed(&scope, "scope id")?,
                        created_at,
                    })
                },
            )
    }

    /// Replace the wrapped secrets and KDF settings (a passphrase change).
    pub fn rewrap(
        &mut self,
        kdf: (u32, u32, u32),
        salt: &[u8],
        wrapped: &[u8],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE vault SET kdf_memory_kib = ?1, kdf_iterations = ?2, kdf_parallelism = ?3,
                salt = ?4, wrapped_secrets = ?5 WHERE id = 1",
            params![kdf.0, kdf.1, kdf.2, salt, wrapped],
        )?;
        Ok(())
    }

    /// The user secrets sealed under the recovery key, if one was made.
    pub fn wrapped_recovery(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT wrapped_recovery FROM vault WHERE id = 1", [], |r| {
                r.get(0)
            })?)
    }

    /// Replace the secrets sealed under the recovery key.
    pub fn set_wrapped_recovery(&mut self, wrapped: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE vault SET wrapped_recovery = ?1 WHERE id = 1",
            params![wrapped],
        )?;
        Ok(())
    }

    /// A sealed setting.
    pub fn setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT payload FROM settings WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Store a sealed setting, replacing any earlier value.
    pub fn put_setting(&mut self, name: &str, payload: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (name, payload) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET payload = excluded.payload",
            params![name, payload],
        )?;
        Ok(())
    }

    /// A sealed cache and the log position it was made at.
    pub fn cache(&self, name: &str) -> Result<Option<SealedCache>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT position, payload FROM caches WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Store a sealed cache made at `position`.
    pub fn put_cache(
        &mut self,
        name: &str,
        position: &[u8],
        payload: &[u8],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO caches (name, position, payload) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET position = excluded.position, payload = excluded.payload",
            params![name, position, payload],
        )?;
        Ok(())
    }

    /// Forget a cache (it is rebuilt when next needed).
    pub fn drop_cache(&mut self, name: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM caches WHERE name = ?1", [name])?;
        Ok(())
    }

    /// Every stored view.
    pub fn views(&self) -> Result<Vec<ViewRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc, scope, payload FROM views")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc, scope, payload) = row?;
            out.push(ViewRecord {
                doc: fixed(&doc, "doc id")?,
                scope: fixed(&scope, "scope id")?,
                payload,
            });
        }
        Ok(out)
    }

    /// Run `f` in one write transaction; everything it wrote is committed
    /// together, or, if it returns an error, nothing is.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&StoreTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&StoreTx { tx: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Read-only access outside a write transaction.
    pub fn read(&self) -> StoreTx<'_> {
        StoreTx { tx: &self.conn }
    }

    /// Move everything in the WAL into the database file and truncate the WAL.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(())
    }
}

/// Reads and writes inside a transaction (or on the plain connection for
/// reads).
pub struct StoreTx<'a> {
    pub(crate) tx: &'a Connection,
}

impl StoreTx<'_> {
    /// The next seq for `author` in `scope` (1 for the first op).
    pub fn next_seq(&self, scope: &ScopeId, author: &[u8; 32]) -> Result<u64, StoreError> {
        let max: Option<i64> = self.tx.query_row(
            "SELECT MAX(seq) FROM ops WHERE scope = ?1 AND author = ?2",
            params![scope.as_slice(), author.as_slice()],
            |r| r.get(0),
        )?;
        Ok(max.map_or(1, |m| m as u64 + 1))
    }

    /// Append an op. Its seq must be exactly the next one for its author and
    /// scope.
    pub fn append_op(&self, op: &OpRecord) -> Result<(), StoreError> {
        let expected = self.next_seq(&op.scope, &op.author)?;
        if op.seq != expected {
            return Err(StoreError::Sequence(format!(
                "op seq {} does not follow {}",
                op.seq,
                expected - 1
            )));
        }
        self.tx
            .prepare_cached(
                "INSERT INTO ops (scope, author, seq, epoch, doc, kind, payload, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                op.scope.as_slice(),
                op.author.as_slice(),
                op.seq as i64,
                op.epoch,
                op.doc.as_slice(),
                op.kind,
                op.payload,
                op.signature,
            ])?;
        Ok(())
    }

    /// Insert or replace a document's view.
    pub fn put_view(&self, view: &ViewRecord) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO views (doc, scope, payload) VALUES (?1, ?2, ?3)
                 ON CONFLICT (doc) DO UPDATE SET scope = excluded.scope, payload = excluded.payload",
            )?
            .execute(params![view.doc.as_slice(), view.scope.as_slice(), view.payload])?;
        Ok(())
    }

    /// One document's view.
    pub fn view(&self, doc: &DocId) -> Result<Option<ViewRecord>, StoreError> {
        let row = self
            .tx
            .prepare_cached("SELECT scope, payload FROM views WHERE doc = ?1")?
            .query_row(params![doc.as_slice()], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        row.map(|(scope, payload)| {
            Ok(ViewRecord {
                doc: *doc,
                scope: fixed(&scope, "scope id")?,
                payload,
            })
        })
        .transpose()
    }

    /// Every op of one document, in log order per author.
    /// How many ops a document has (purge markers included): a count that
    /// only grows, since ops are only ever appended.
    pub fn doc_op_count(&self, doc: &DocId) -> Result<u64, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT COUNT(*) FROM ops WHERE doc = ?1")?;
        let n: i64 = stmt.query_row(params![doc.as_slice()], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub fn ops_for_doc(&self, doc: &DocId) -> Result<Vec<OpRecord>, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT scope, author, seq, epoch, kind, payload, signature FROM ops
             WHERE doc = ?1 ORDER BY author, seq",
        )?;
        let rows = stmt.query_map(params![doc.as_slice()], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, u8>(4)?,
                r.get::<_, Vec<u8>>(5)?,
                r.get::<_, Vec<u8>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (scope, author, seq, epoch, kind, payload, signature) = row?;
            out.push(OpRecord {
                scope: fixed(&scope, "scope id")?,
                author: fixed(&author, "author key")?,
                seq: seq as u64,
                epoch,
                doc: *doc,
                kind,
                payload,
                signature,
            });
        }
        Ok(out)
    }

    /// Where the log stands: the highest seq of every (scope, author), in a
    /// canonical byte form. Equal positions mean no op was added between.
    pub fn log_position(&self) -> Result<Vec<u8>, StoreError> {
        // One step per (scope, author) along the primary key: a GROUP BY
        // would read every op's payload pages.
        let mut first = self
            .tx
            .prepare_cached("SELECT scope, author FROM ops ORDER BY scope, author LIMIT 1")?;
        let mut next = self.tx.prepare_cached(
            "SELECT scope, author FROM ops WHERE (scope, author) > (?1, ?2)
             ORDER BY scope, author LIMIT 1",
        )?;
        let mut out = Vec::new();
        let mut group: Option<(Vec<u8>, Vec<u8>)> = first
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        while let Some((scope, author)) = group {
            let scope_id: ScopeId = fixed(&scope, "scope id")?;
            let author_key: [u8; 32] = fixed(&author, "author key")?;
            let seq = self.next_seq(&scope_id, &author_key)? - 1;
            out.extend_from_slice(&scope_id);
            out.extend_from_slice(&author_key);
            out.extend_from_slice(&seq.to_be_bytes());
            group = next
                .query_row(params![scope, author], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
        }
        Ok(out)
    }

    /// Documents with an op after `position`, given the log's position `now`
    /// (both from [`StoreTx::log_position`]).
    pub fn docs_changed_since(
        &self,
        position: &[u8],
        now: &[u8],
    ) -> Result<Vec<DocId>, StoreError> {
        let known = parse_position(position)?;
        let mut out = std::collections::BTreeSet::new();
        let mut stmt = self.tx.prepare_cached(
            "SELECT DISTINCT doc FROM ops WHERE scope = ?1 AND author = ?2 AND seq > ?3",
        )?;
        for (scope, author, now) in parse_position(now)? {
            let since = known
                .iter()
                .find(|(s, a, _)| *s == scope && *a == author)
                .map_or(0, |k| k.2);
            if now <= since {
                continue;
            }
            let docs = stmt.query_map(
                params![scope.as_slice(), author.as_slice(), since as i64],
                |r| r.get::<_, Vec<u8>>(0),
            )?;
            for doc in docs {
                out.insert(fixed::<16>(&doc?, "doc id")?);
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Purge a document: every op of it keeps its place in the log but
    /// becomes `marker_kind` with no payload and no signature, and its view
    /// is deleted. With `secure_delete` on, the old bytes are zeroed.
    pub fn purge_doc(&self, doc: &DocId, marker_kind: u8) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE ops SET kind = ?2, payload = X'', signature = X'' WHERE doc = ?1",
            )?
            .execute(params![doc.as_slice(), marker_kind])?;
        self.tx
            .prepare_cached("DELETE FROM views WHERE doc = ?1")?
            .execute(params![doc.as_slice()])?;
        Ok(())
    }

    /// Number of ops in the log.
    pub fn op_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .tx
            .query_row("SELECT COUNT(*) FROM ops", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

type Head = (ScopeId, [u8; 32], u64);

/// A cache as stored: the log position it was made at, and its sealed bytes.
pub type SealedCache = (Vec<u8>, Vec<u8>);

fn parse_position(position: &[u8]) -> Result<Vec<Head>, StoreError> {
    const ROW: usize = 16 + 32 + 8;
    if !position.len().is_multiple_of(ROW) {
        return Err(StoreError::Corrupt("malformed log position".into()));
    }
    position
        .chunks_exact(ROW)
        .map(|row| {
            Ok((
                fixed(&row[..16], "scope id")?,
                fixed(&row[16..48], "author key")?,
                u64::from_be_bytes(fixed(&row[48..], "seq")?),
            ))
        })
        .collect()
}

pub(crate) fn fixed<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], StoreError> {
    bytes.try_into().map_err(|_| {
        StoreError::Corrupt(format!(
            "stored {what} has {} bytes, expected {N}",
            bytes.len()
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fixtures::{header, op};

    #[test]
    fn create_open_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let mut s = Store::create(&path, &header()).unwrap();
        assert!(Store::create(&path, &header()).is_err());
        s.write(|tx| -> Result<(), StoreError> {
            tx.append_op(&op(1, 9))?;
            tx.put_view(&ViewRecord {
                doc: [9; 16],
                scope: [4; 16],
                payload: vec![1],
            })
        })
        .unwrap();
        let err = s.write(|tx| tx.append_op(&op(3, 9))).unwrap_err();
        assert!(matches!(err, StoreError::Sequence(_)));
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.header().unwrap(), header());
        assert_eq!(s.read().ops_for_doc(&[9; 16]).unwrap(), vec![op(1, 9)]);
        assert_eq!(s.views().unwrap().len(), 1);
        assert_eq!(s.read().next_seq(&[4; 16], &[3; 32]).unwrap(), 2);
        let at = s.read().log_position().unwrap();
        let now = s.read().log_position().unwrap();
        assert!(s.read().docs_changed_since(&at, &now).unwrap().is_empty());
        assert_eq!(
            s.read().docs_changed_since(&[], &now).unwrap(),
            vec![[9; 16]]
        );
        let mut s = s;
        s.write(|tx| tx.append_op(&op(2, 9))).unwrap();
        let now = s.read().log_position().unwrap();
        assert_eq!(
            s.read().docs_changed_since(&at, &now).unwrap(),
            vec![[9; 16]]
        );
    }

    #[test]
    fn failed_transaction_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let mut s = Store::create(&path, &header()).unwrap();
        let r = s.write(|tx| -> Result<(), StoreError> {
            tx.append_op(&op(1, 9))?;
            Err(StoreError::Corrupt("boom".into()))
        });
        assert!(r.is_err());
        assert_eq!(s.read().op_count().unwrap(), 0);
    }

    #[test]
    fn not_a_vault() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.db");
        std::fs::write(&path, b"this is not sqlite at all, not even close........").unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::NotAVault(_))));
    }
}
