//! The vault's tables and migrations. `PRAGMA user_version` holds the schema
//! version; each migration runs in the transaction that bumps it.

use crate::StoreError;
use rusqlite::Connection;

/// The schema version this build writes.
pub const VERSION: i64 = 6;

const V1: &str = "
CREATE TABLE vault (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format INTEGER NOT NULL,
    kdf_memory_kib INTEGER NOT NULL,
    kdf_iterations INTEGER NOT NULL,
    kdf_parallelism INTEGER NOT NULL,
    salt BLOB NOT NULL,
    wrapped_secrets BLOB NOT NULL,
    device BLOB NOT NULL,
    personal_scope BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
-- Every change, as signed, encrypted ops. One row per (scope, author, seq);
-- seq is gap-free per author device and scope.
CREATE TABLE ops (
    scope BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    doc BLOB NOT NULL,
    kind INTEGER NOT NULL,
    payload BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (scope, author, seq)
) WITHOUT ROWID;
CREATE INDEX ops_by_doc ON ops (doc);
-- The materialised view of each document: its decrypted fields, sealed.
CREATE TABLE views (
    doc BLOB PRIMARY KEY,
    scope BLOB NOT NULL,
    payload BLOB NOT NULL
) WITHOUT ROWID;
";

const V2: &str = "
-- The user secrets sealed a second time, under the recovery key.
ALTER TABLE vault ADD COLUMN wrapped_recovery BLOB;
-- Sealed settings (preferences, templates, crisis lines), one row per name.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    payload BLOB NOT NULL
) WITHOUT ROWID;
";

const V3: &str = "
-- Sealed caches that can always be rebuilt from the views (the search index
-- image), with the op-log position they were made at.
CREATE TABLE caches (
    name TEXT PRIMARY KEY,
    position BLOB NOT NULL,
    payload BLOB NOT NULL
) WITHOUT ROWID;
";

const V4: &str = "
-- The multi-writer format. Rows written by format 1 get the new op columns
-- and the device secrets when the vault is next unlocked (they need keys).
ALTER TABLE vault ADD COLUMN device_secrets BLOB;
ALTER TABLE ops ADD COLUMN prev BLOB;
ALTER TABLE ops ADD COLUMN payload_hash BLOB;
ALTER TABLE ops ADD COLUMN hash BLOB;
DROP INDEX ops_by_doc;
CREATE INDEX ops_by_doc ON ops (scope, doc);
-- Views keyed by (scope, doc), with the document's type.
CREATE TABLE views_v4 (
    scope BLOB NOT NULL,
    doc BLOB NOT NULL,
    doc_type INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (scope, doc)
) WITHOUT ROWID;
INSERT INTO views_v4 (scope, doc, doc_type, payload) SELECT scope, doc, 1, payload FROM views;
DROP TABLE views;
ALTER TABLE views_v4 RENAME TO views;
-- The keys of every epoch after a scope's first, sealed.
CREATE TABLE epochs (
    scope BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (scope, epoch)
) WITHOUT ROWID;
-- Purged documents: later ops for them are kept only as markers.
CREATE TABLE tombstones (
    scope BLOB NOT NULL,
    doc BLOB NOT NULL,
    author BLOB NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (scope, doc)
) WITHOUT ROWID;
";

const V5: &str = "
-- Attachments' bytes, in sealed chunks, one row per chunk; `id` is derived
-- from the content's hash with the storage key, so the same file is stored
-- once and the table does not say which files it holds.
CREATE TABLE blobs (
    id BLOB NOT NULL,
    idx INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (id, idx)
) WITHOUT ROWID;
";

// The same table with a rowid, and the chunks' ids in an index beside it:
// a chunk's payload (up to 1 MiB) then sits in its own overflow pages, and
// inserting one no longer moves its neighbours' payloads through the b-tree,
// which made storing photos several times slower.
const V6: &str = "
CREATE TABLE blob_chunks (
    id BLOB NOT NULL,
    idx INTEGER NOT NULL,
    payload BLOB NOT NULL,
    UNIQUE (id, idx)
);
INSERT INTO blob_chunks (id, idx, payload) SELECT id, idx, payload FROM blobs ORDER BY id, idx;
DROP TABLE blobs;
ALTER TABLE blob_chunks RENAME TO blobs;
";

/// Each migration, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: [&str; 6] = [V1, V2, V3, V4, V5, V6];

/// Bring a connection's schema up to [`VERSION`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        return Err(StoreError::NotAVault(format!(
            "this vault was written by a newer Hearth (schema {current}, this one knows {VERSION}); upgrade Hearth to open it"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if current < version {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_schema_5_vault_keeps_its_chunks_in_the_rowid_table() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
        for (id, idx, payload) in [
            ([1u8; 32], 0, vec![7u8; 100]),
            ([1; 32], 1, vec![8; 3]),
            ([2; 32], 0, vec![9; 5]),
        ] {
            conn.execute(
                "INSERT INTO blobs (id, idx, payload) VALUES (?1, ?2, ?3)",
                rusqlite::params![id.as_slice(), idx, payload],
            )
            .unwrap();
        }
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = conn
            .prepare("SELECT id, idx, payload FROM blobs ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (vec![1; 32], 0, vec![7; 100]),
                (vec![1; 32], 1, vec![8; 3]),
                (vec![2; 32], 0, vec![9; 5]),
            ]
        );
        // One chunk per (id, idx), as before.
        conn.execute(
            "INSERT OR REPLACE INTO blobs (id, idx, payload) VALUES (?1, 0, x'00')",
            [[2u8; 32].as_slice()],
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }
}
