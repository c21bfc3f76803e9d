//! Full-text search: an FTS5 index in an in-memory SQLite database. It is
//! never written to disk as it is: [`SearchIndex::to_bytes`] gives the
//! database image for the caller to seal before storing it, and
//! [`SearchIndex::from_bytes`] takes an opened image back.
//!
//! Queries accept words (all must match), prefixes (`calm*`) and phrases in
//! double quotes. Anything else a person types is treated as plain words, so
//! no input can be a syntax error.

use crate::{DocId, Query, StoreError};
use rusqlite::{Connection, MAIN_DB, OptionalExtension, params};

/// What the index stores for one entry.
#[derive(Debug, Clone)]
pub struct SearchDoc<'a> {
    pub doc: DocId,
    pub title: &'a str,
    pub body: &'a str,
    pub tags: &'a [String],
    pub feelings: &'a [String],
    pub mood: Option<u8>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// Restrictions on a search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub tag: Option<String>,
    pub mood: Option<u8>,
    /// Unix milliseconds, inclusive.
    pub from: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to: Option<i64>,
    pub limit: Option<usize>,
}

/// The in-memory index.
pub struct SearchIndex {
    conn: Connection,
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// The index as a database image, to be sealed by the caller.
    pub fn to_bytes(&mut self) -> Result<Vec<u8>, StoreError> {
        Ok(self.conn.serialize(MAIN_DB)?.to_vec())
    }

    /// An index from an image made by [`SearchIndex::to_bytes`]. An image of
    /// another layout is refused.
    pub fn from_bytes(image: &[u8]) -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        conn.deserialize_read_exact(MAIN_DB, image, image.len(), false)?;
        let version: Option<i64> = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .optional()?;
        if version != Some(LAYOUT) {
            return Err(StoreError::Corrupt(
                "search index image has another layout".into(),
            ));
        }
        Ok(Self { conn })
    }

    /// Build an index over `docs` in one transaction.
    pub fn build<'a>(docs: impl IntoIterator<Item = SearchDoc<'a>>) -> Result<Self, StoreError> {
        let mut index = Self::new()?;
        let tx = index.conn.transaction()?;
        for doc in docs {
            insert(&tx, &doc)?;
        }
        tx.commit()?;
        Ok(index)
    }

    /// Add or replace one entry.
    pub fn upsert(&mut self, doc: &SearchDoc<'_>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        delete(&tx, &doc.doc)?;
        insert(&tx, doc)?;
        tx.commit()?;
        Ok(())
    }

    /// Remove one entry.
    pub fn remove(&mut self, doc: &DocId) -> Result<(), StoreError> {
        delete(&self.conn, doc)
    }

    /// Documents matching `query`, most relevant first.
    pub fn search(&self, query: &Query, filter: &SearchFilter) -> Result<Vec<DocId>, StoreError> {
        let expr = query.to_fts();
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let mut stmt = self.conn.prepare_cached(
            "SELECT facts.doc
             FROM fts JOIN facts ON facts.id = fts.rowid
             WHERE fts MATCH ?1
               AND (?2 IS NULL OR facts.mood = ?2)
               AND (?3 IS NULL OR facts.created_at >= ?3)
               AND (?4 IS NULL OR facts.created_at < ?4)
               AND (?5 IS NULL OR EXISTS
                    (SELECT 1 FROM tags WHERE tags.id = fts.rowid AND tags.tag = ?5))
             ORDER BY bm25(fts, 4.0, 1.0, 2.0, 2.0)
             LIMIT ?6",
        )?;
        let rows = stmt.query_map(
            params![expr, filter.mood, filter.from, filter.to, filter.tag, limit],
            |r| r.get::<_, Vec<u8>>(0),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let doc = row?;
            let doc = DocId::try_from(doc.as_slice())
                .map_err(|_| StoreError::Corrupt("search index holds a bad document id".into()))?;
            out.push(doc);
        }
        Ok(out)
    }
}

/// The index's own layout version, kept in `user_version` of its image.
const LAYOUT: i64 = 3;

const SCHEMA: &str = "
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    PRAGMA user_version = 3;
    CREATE VIRTUAL TABLE fts USING fts5(
        title, body, tags, feelings,
        tokenize = 'unicode61 remove_diacritics 2',
        content = '', contentless_delete = 1);
    CREATE TABLE facts (
        id INTEGER PRIMARY KEY,
        doc BLOB NOT NULL UNIQUE,
        mood INTEGER,
        created_at INTEGER NOT NULL);
    CREATE TABLE tags (id INTEGER NOT NULL, tag TEXT NOT NULL COLLATE NOCASE);
    CREATE INDEX tags_by_tag ON tags (tag, id);
    CREATE INDEX tags_by_id ON tags (id);
";

fn insert(conn: &Connection, doc: &SearchDoc<'_>) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO facts (doc, mood, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![doc.doc.as_slice(), doc.mood, doc.created_at])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO fts (rowid, title, body, tags, feelings) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        doc.title,
        doc.body,
        doc.tags.join(" "),
        doc.feelings.join(" ")
    ])?;
    let mut tag_stmt = conn.prepare_cached("INSERT INTO tags (id, tag) VALUES (?1, ?2)")?;
    for tag in doc.tags {
        tag_stmt.execute(params![id, tag])?;
    }
    Ok(())
}

fn delete(conn: &Connection, doc: &DocId) -> Result<(), StoreError> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT id FROM facts WHERE doc = ?1")?
        .query_row([doc.as_slice()], |r| r.get(0))
        .optional()?;
    if let Some(id) = id {
        conn.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM facts WHERE id = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM tags WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc<'a>(key: u8, title: &'a str, body: &'a str, tags: &'a [String]) -> SearchDoc<'a> {
        SearchDoc {
            doc: [key; 16],
            title,
            body,
            tags,
            feelings: &[],
            mood: Some(key),
            created_at: i64::from(key) * 1000,
        }
    }

    fn q(s: &str) -> Query {
        Query::parse(s).unwrap()
    }

    #[test]
    fn ranks_and_filters() {
        let tags = vec!["walk".to_string()];
        let mut idx = SearchIndex::build([
            doc(1, "Rain", "A long walk in the rain. Rain again.", &tags),
            doc(2, "Work", "Meetings all day, some rain", &[]),
            doc(3, "Hope", "Hopeful about tomorrow", &[]),
        ])
        .unwrap();
        let f = SearchFilter::default();
        let hits = idx.search(&q("rain"), &f).unwrap();
        assert_eq!(hits.iter().map(|h| h[0]).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(idx.search(&q("hope*"), &f).unwrap()[0][0], 3);
        assert_eq!(idx.search(&q("\"long walk\""), &f).unwrap().len(), 1);
        assert!(idx.search(&q("\"walk long\""), &f).unwrap().is_empty());
        let by_mood = SearchFilter {
            mood: Some(2),
            ..Default::default()
        };
        assert_eq!(idx.search(&q("rain"), &by_mood).unwrap()[0][0], 2);
        let by_tag = SearchFilter {
            tag: Some("WALK".into()),
            ..Default::default()
        };
        assert_eq!(idx.search(&q("rain"), &by_tag).unwrap().len(), 1);
        let by_date = SearchFilter {
            from: Some(1500),
            to: Some(2500),
            ..Default::default()
        };
        assert_eq!(idx.search(&q("rain"), &by_date).unwrap()[0][0], 2);
        let image = idx.to_bytes().unwrap();
        let mut idx = SearchIndex::from_bytes(&image).unwrap();
        assert_eq!(idx.search(&q("rain"), &f).unwrap().len(), 2);
        assert!(SearchIndex::from_bytes(b"not an image").is_err());
        idx.remove(&[1; 16]).unwrap();
        assert_eq!(idx.search(&q("rain"), &f).unwrap().len(), 1);
        idx.upsert(&doc(2, "Work", "sunny now", &[])).unwrap();
        assert!(idx.search(&q("rain"), &f).unwrap().is_empty());
    }
}
