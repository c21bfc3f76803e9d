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

/// The largest sealed op payload a device writes or accepts, whichever
/// device sent it.
pub const OP_PAYLOAD_MAX: usize = 4 << 20;

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
    /// The hash of the author's previous op in this scope (zeros for seq 1).
    pub prev: [u8; 32],
    /// The hash of the sealed payload, which the signature covers.
    pub payload_hash: [u8; 32],
    /// This op's own hash (what the next op's `prev` names).
    pub hash: [u8; 32],
    /// Sealed bytes; empty once the op's document was purged.
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

impl OpRecord {
    /// Whether only the op's place is left (its document was purged).
    pub fn is_marker(&self) -> bool {
        self.payload.is_empty()
    }
}

/// One document's sealed materialised view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRecord {
    pub scope: ScopeId,
    pub doc: DocId,
    /// What kind of document it is (an entry, ...), as the core numbers them.
    pub doc_type: u8,
    pub payload: Vec<u8>,
}

/// A purged document: the purge op that removed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub scope: ScopeId,
    pub doc: DocId,
    pub author: [u8; 32],
    pub seq: u64,
}

/// A scope key of an epoch after the first, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochRecord {
    pub scope: ScopeId,
    pub epoch: u32,
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
            .prepare_cached("SELECT scope, doc, doc_type, payload FROM views")?;
        let rows = stmt.query_map([], view_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(view_record(row?)?);
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
        Ok(self.head(scope, author)?.map_or(1, |(seq, _)| seq + 1))
    }

    /// The author's last op in `scope`: its seq and hash.
    pub fn head(
        &self,
        scope: &ScopeId,
        author: &[u8; 32],
    ) -> Result<Option<(u64, [u8; 32])>, StoreError> {
        let row: Option<(i64, Option<Vec<u8>>)> = self
            .tx
            .prepare_cached(
                "SELECT seq, hash FROM ops WHERE scope = ?1 AND author = ?2
                 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(params![scope.as_slice(), author.as_slice()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(seq, hash)| Ok((seq as u64, or_zeros(hash, "op hash")?)))
            .transpose()
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
                "INSERT INTO ops (scope, author, seq, epoch, doc, kind, prev, payload_hash, hash,
                    payload, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                op.scope.as_slice(),
                op.author.as_slice(),
                op.seq as i64,
                op.epoch,
                op.doc.as_slice(),
                op.kind,
                op.prev.as_slice(),
                op.payload_hash.as_slice(),
                op.hash.as_slice(),
                op.payload,
                op.signature,
            ])?;
        Ok(())
    }

    /// Rewrite a stored op in place (the migration from format 1 signs every
    /// op again): everything but its place (scope, author, seq).
    pub fn rewrite_op(&self, op: &OpRecord) -> Result<(), StoreError> {
        let n = self
            .tx
            .prepare_cached(
                "UPDATE ops SET epoch = ?4, doc = ?5, kind = ?6, prev = ?7, payload_hash = ?8,
                    hash = ?9, payload = ?10, signature = ?11
                 WHERE scope = ?1 AND author = ?2 AND seq = ?3",
            )?
            .execute(params![
                op.scope.as_slice(),
                op.author.as_slice(),
                op.seq as i64,
                op.epoch,
                op.doc.as_slice(),
                op.kind,
                op.prev.as_slice(),
                op.payload_hash.as_slice(),
                op.hash.as_slice(),
                op.payload,
                op.signature,
            ])?;
        if n != 1 {
            return Err(StoreError::Sequence(format!("no op {} to rewrite", op.seq)));
        }
        Ok(())
    }

    /// Every op, in (scope, author, seq) order.
    pub fn all_ops(&self) -> Result<Vec<OpRecord>, StoreError> {
        self.query_ops("ORDER BY scope, author, seq", [])
    }

    /// The ops `tail` (what follows `SELECT ... FROM ops`) selects.
    fn query_ops(
        &self,
        tail: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<OpRecord>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!("SELECT {OP_COLUMNS} FROM ops {tail}"))?;
        let rows = stmt.query_map(params, op_row)?;
        rows.map(|row| op_record(row?)).collect()
    }

    /// The op at one place in the log.
    pub fn op_at(
        &self,
        scope: &ScopeId,
        author: &[u8; 32],
        seq: u64,
    ) -> Result<Option<OpRecord>, StoreError> {
        Ok(self
            .query_ops(
                "WHERE scope = ?1 AND author = ?2 AND seq = ?3",
                params![scope.as_slice(), author.as_slice(), seq as i64],
            )?
            .pop())
    }

    /// The ops of one author in a scope after `seq`, in seq order, at most
    /// `limit` of them.
    pub fn ops_after(
        &self,
        scope: &ScopeId,
        author: &[u8; 32],
        seq: u64,
        limit: usize,
    ) -> Result<Vec<OpRecord>, StoreError> {
        self.query_ops(
            "WHERE scope = ?1 AND author = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
            params![
                scope.as_slice(),
                author.as_slice(),
                seq as i64,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
        )
    }

    /// Every (scope, author) in the log with its last seq and op hash: the
    /// log's version vector.
    pub fn heads(&self) -> Result<Vec<LogHead>, StoreError> {
        let mut out = Vec::new();
        for (scope, author, _) in parse_position(&self.log_position()?)? {
            if let Some((seq, hash)) = self.head(&scope, &author)? {
                out.push((scope, author, seq, hash));
            }
        }
        Ok(out)
    }

    /// Insert or replace a document's view.
    pub fn put_view(&self, view: &ViewRecord) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO views (scope, doc, doc_type, payload) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (scope, doc) DO UPDATE SET doc_type = excluded.doc_type,
                    payload = excluded.payload",
            )?
            .execute(params![
                view.scope.as_slice(),
                view.doc.as_slice(),
                view.doc_type,
                view.payload
            ])?;
        Ok(())
    }

    /// One document's view.
    pub fn view(&self, scope: &ScopeId, doc: &DocId) -> Result<Option<ViewRecord>, StoreError> {
        let row = self
            .tx
            .prepare_cached(
                "SELECT scope, doc, doc_type, payload FROM views WHERE scope = ?1 AND doc = ?2",
            )?
            .query_row(params![scope.as_slice(), doc.as_slice()], view_row)
            .optional()?;
        row.map(view_record).transpose()
    }

    /// How many ops a document has (purge markers included): a count that
    /// only grows, since ops are only ever appended.
    pub fn doc_op_count(&self, scope: &ScopeId, doc: &DocId) -> Result<u64, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT COUNT(*) FROM ops INDEXED BY ops_by_doc WHERE scope = ?1 AND doc = ?2",
        )?;
        let n: i64 = stmt.query_row(params![scope.as_slice(), doc.as_slice()], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Every op of one document, in log order per author.
    pub fn ops_for_doc(&self, scope: &ScopeId, doc: &DocId) -> Result<Vec<OpRecord>, StoreError> {
        // Sorted here: an ORDER BY would tempt SQLite to walk the whole
        // scope along the primary key instead of using the doc index.
        let mut out = self.query_ops(
            "INDEXED BY ops_by_doc WHERE scope = ?1 AND doc = ?2",
            params![scope.as_slice(), doc.as_slice()],
        )?;
        out.sort_by_key(|a| (a.author, a.seq));
        Ok(out)
    }

    /// Every op of one scope with the given kind, in log order per author.
    pub fn ops_of_kind(&self, scope: &ScopeId, kind: u8) -> Result<Vec<OpRecord>, StoreError> {
        self.query_ops(
            "WHERE scope = ?1 AND kind = ?2 ORDER BY author, seq",
            params![scope.as_slice(), kind],
        )
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
    ) -> Result<Vec<(ScopeId, DocId)>, StoreError> {
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
                out.insert((scope, fixed::<16>(&doc?, "doc id")?));
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Purge a document: every op of it keeps its place, kind, hashes and
    /// signature but loses its payload, its view is deleted, and a tombstone
    /// names the purge op. With `secure_delete` on, the old bytes are
    /// zeroed.
    pub fn purge_doc(&self, stone: &Tombstone, keep_kind: u8) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE ops SET payload = X'' WHERE scope = ?1 AND doc = ?2 AND kind != ?3",
            )?
            .execute(params![
                stone.scope.as_slice(),
                stone.doc.as_slice(),
                keep_kind
            ])?;
        self.tx
            .prepare_cached("DELETE FROM views WHERE scope = ?1 AND doc = ?2")?
            .execute(params![stone.scope.as_slice(), stone.doc.as_slice()])?;
        self.put_tombstone(stone)
    }

    /// Record that a document was purged (keeping the first purge op seen).
    pub fn put_tombstone(&self, stone: &Tombstone) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO tombstones (scope, doc, author, seq) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (scope, doc) DO NOTHING",
            )?
            .execute(params![
                stone.scope.as_slice(),
                stone.doc.as_slice(),
                stone.author.as_slice(),
                stone.seq as i64
            ])?;
        Ok(())
    }

    /// The tombstone of a purged document.
    pub fn tombstone(&self, scope: &ScopeId, doc: &DocId) -> Result<Option<Tombstone>, StoreError> {
        let row: Option<(Vec<u8>, i64)> = self
            .tx
            .prepare_cached("SELECT author, seq FROM tombstones WHERE scope = ?1 AND doc = ?2")?
            .query_row(params![scope.as_slice(), doc.as_slice()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(author, seq)| {
            Ok(Tombstone {
                scope: *scope,
                doc: *doc,
                author: fixed(&author, "author key")?,
                seq: seq as u64,
            })
        })
        .transpose()
    }

    /// Number of ops in the log.
    pub fn op_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .tx
            .query_row("SELECT COUNT(*) FROM ops", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// This device's sealed secrets (none in a format-1 vault not yet
    /// migrated).
    pub fn device_secrets(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT device_secrets FROM vault WHERE id = 1", [], |r| {
                r.get(0)
            })?)
    }

    /// Make `device` this vault's device, with its sealed secrets.
    pub fn set_device(&self, device: &[u8; 32], sealed: &[u8]) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE vault SET device = ?1, device_secrets = ?2 WHERE id = 1",
            params![device.as_slice(), sealed],
        )?;
        Ok(())
    }

    /// Set the vault's format and its passphrase-wrapped secrets together
    /// (a migration).
    pub fn set_format(&self, format: u32, wrapped_secrets: &[u8]) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE vault SET format = ?1, wrapped_secrets = ?2 WHERE id = 1",
            params![format, wrapped_secrets],
        )?;
        Ok(())
    }

    /// Every sealed epoch key of a scope, by epoch.
    pub fn epochs(&self, scope: &ScopeId) -> Result<Vec<EpochRecord>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT epoch, payload FROM epochs WHERE scope = ?1 ORDER BY epoch")?;
        let rows = stmt.query_map(params![scope.as_slice()], |r| {
            Ok(EpochRecord {
                scope: *scope,
                epoch: r.get(0)?,
                payload: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The documents of a scope with ops sealed in `epoch`.
    pub fn docs_in_epoch(&self, scope: &ScopeId, epoch: u32) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT DISTINCT doc FROM ops WHERE scope = ?1 AND epoch = ?2")?;
        let rows = stmt.query_map(params![scope.as_slice(), epoch], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for doc in rows {
            if let Ok(doc) = DocId::try_from(doc?.as_slice()) {
                out.push(doc);
            }
        }
        Ok(out)
    }

    /// Store a sealed epoch key.
    /// Every scope with at least one sealed epoch key: the personal scope
    /// once it moved past epoch 0, and each circle this person is in.
    pub fn epoch_scopes(&self) -> Result<Vec<ScopeId>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT DISTINCT scope FROM epochs ORDER BY scope")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for scope in rows {
            out.push(fixed(&scope?, "scope id")?);
        }
        Ok(out)
    }

    /// Store a sealed setting in this transaction.
    pub fn put_setting(&self, name: &str, payload: &[u8]) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO settings (name, payload) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET payload = excluded.payload",
            params![name, payload],
        )?;
        Ok(())
    }

    pub fn put_epoch(&self, e: &EpochRecord) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO epochs (scope, epoch, payload) VALUES (?1, ?2, ?3)",
            params![e.scope.as_slice(), e.epoch, e.payload],
        )?;
        Ok(())
    }
}

/// The columns [`op_row`] reads, in its order.
const OP_COLUMNS: &str =
    "scope, author, seq, epoch, doc, kind, prev, payload_hash, hash, payload, signature";

type RawOp = (
    Vec<u8>,
    Vec<u8>,
    i64,
    u32,
    Vec<u8>,
    u8,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<u8>,
    Vec<u8>,
);

pub(crate) fn op_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawOp> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

pub(crate) fn op_record(raw: RawOp) -> Result<OpRecord, StoreError> {
    let (scope, author, seq, epoch, doc, kind, prev, payload_hash, hash, payload, signature) = raw;
    Ok(OpRecord {
        scope: fixed(&scope, "scope id")?,
        author: fixed(&author, "author key")?,
        seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("stored op seq {seq}")))?,
        epoch,
        doc: fixed(&doc, "doc id")?,
        kind,
        prev: or_zeros(prev, "previous-op hash")?,
        payload_hash: or_zeros(payload_hash, "payload hash")?,
        hash: or_zeros(hash, "op hash")?,
        payload,
        signature,
    })
}

type RawView = (Vec<u8>, Vec<u8>, u8, Vec<u8>);

pub(crate) fn view_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawView> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

pub(crate) fn view_record(raw: RawView) -> Result<ViewRecord, StoreError> {
    let (scope, doc, doc_type, payload) = raw;
    Ok(ViewRecord {
        scope: fixed(&scope, "scope id")?,
        doc: fixed(&doc, "doc id")?,
        doc_type,
        payload,
    })
}

/// A hash column: NULL (a format-1 row not yet migrated) reads as zeros.
fn or_zeros(bytes: Option<Vec<u8>>, what: &str) -> Result<[u8; 32], StoreError> {
    bytes.map_or(Ok([0; 32]), |b| fixed(&b, what))
}

type Head = (ScopeId, [u8; 32], u64);

/// One log's head: (scope, author, last seq, last op's hash).
pub type LogHead = (ScopeId, [u8; 32], u64, [u8; 32]);

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
                scope: [4; 16],
                doc: [9; 16],
                doc_type: 1,
                payload: vec![1],
            })
        })
        .unwrap();
        let err = s.write(|tx| tx.append_op(&op(3, 9))).unwrap_err();
        assert!(matches!(err, StoreError::Sequence(_)));
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.header().unwrap(), header());
        assert_eq!(
            s.read().ops_for_doc(&[4; 16], &[9; 16]).unwrap(),
            vec![op(1, 9)]
        );
        assert_eq!(s.views().unwrap().len(), 1);
        assert_eq!(s.read().next_seq(&[4; 16], &[3; 32]).unwrap(), 2);
        let at = s.read().log_position().unwrap();
        let now = s.read().log_position().unwrap();
        assert!(s.read().docs_changed_since(&at, &now).unwrap().is_empty());
        assert_eq!(
            s.read().docs_changed_since(&[], &now).unwrap(),
            vec![([4; 16], [9; 16])]
        );
        let mut s = s;
        s.write(|tx| tx.append_op(&op(2, 9))).unwrap();
        let now = s.read().log_position().unwrap();
        assert_eq!(
            s.read().docs_changed_since(&at, &now).unwrap(),
            vec![([4; 16], [9; 16])]
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
