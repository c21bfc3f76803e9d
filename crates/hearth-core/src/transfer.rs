//! Import and export. Files are read and checked whole by
//! hearth-interchange before anything is written; the new entries are then
//! stored in one transaction, so a bad file or a crash writes nothing.

use crate::entry::{Entry, EntryDraft, EntryId, ListFilter, truncate_millis};
use crate::journal::Journal;
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_interchange::{Dropped, Format, Record};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Entries already in the journal (same id, or same time, title and body).
    pub duplicates: usize,
    /// What the source held that Hearth did not keep.
    pub dropped: Vec<Dropped>,
}

type Fingerprint = (i64, String, String);

fn fingerprint(created_at: DateTime<Utc>, title: &str, body: &str) -> Fingerprint {
    (
        created_at.timestamp_millis(),
        title.to_string(),
        body.to_string(),
    )
}

impl Journal {
    /// Read `path` in `format` and add its entries, skipping duplicates.
    /// `progress(done, total)` is called as entries are stored.
    pub fn import(
        &mut self,
        format: Format,
        path: &Path,
        progress: impl FnMut(usize, usize),
    ) -> Result<ImportReport> {
        let parsed = hearth_interchange::read(format, path)?;
        let mut seen: HashSet<Fingerprint> = self
            .entries
            .values()
            .map(|e| fingerprint(e.created_at, &e.title, &e.body))
            .collect();
        let mut entries = Vec::new();
        let mut duplicates = 0;
        let mut ids = HashSet::new();
        for (i, rec) in parsed.records.into_iter().enumerate() {
            let entry = record_to_entry(rec).map_err(|e| {
                CoreError::invalid(format!("{}: entry {}: {e}", path.display(), i + 1))
            })?;
            let fp = fingerprint(entry.created_at, &entry.title, &entry.body);
            if self.entries.contains_key(&entry.id) || !ids.insert(entry.id) || !seen.insert(fp) {
                duplicates += 1;
                continue;
            }
            entries.push(entry);
        }
        let mut batch = self.batch();
        for e in &entries {
            batch.create(e)?;
        }
        let imported = batch.commit_with(progress)?.len();
        Ok(ImportReport {
            imported,
            duplicates,
            dropped: parsed.dropped,
        })
    }

    /// Write every entry outside the trash to `path` in `format`; returns how
    /// many were written.
    pub fn export(&self, format: Format, path: &Path) -> Result<usize> {
        let mut entries = self.list(&ListFilter::default())?;
        entries.reverse();
        let records: Vec<Record> = entries.into_iter().map(entry_to_record).collect();
        hearth_interchange::write(format, path, &records)?;
        Ok(records.len())
    }
}

/// The record form of an entry, as `--json` and the backup format show it.
pub fn entry_to_record(e: &Entry) -> Record {
    Record {
        id: Some(e.id.to_string()),
        title: e.title.clone(),
        body: e.body.clone(),
        mood: e.mood,
        feelings: e.feelings.clone(),
        tags: e.tags.clone(),
        starred: e.starred,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

fn record_to_entry(r: Record) -> Result<Entry> {
    let id = match &r.id {
        Some(s) => EntryId::parse(s)?,
        None => EntryId::random(),
    };
    let title = r.title.replace(['\r', '\n'], " ");
    let draft = EntryDraft {
        title,
        body: r.body,
        mood: r.mood,
        feelings: r.feelings,
        tags: r.tags,
        starred: r.starred,
        created_at: Some(r.created_at),
    };
    let mut entry = draft.into_entry(id, r.updated_at)?;
    entry.updated_at = truncate_millis(r.updated_at);
    Ok(entry)
}
