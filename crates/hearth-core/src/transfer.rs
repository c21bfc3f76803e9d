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
        let mut restores = Vec::new();
        let mut duplicates = 0;
        let mut renamed = 0;
        let mut ids = HashSet::new();
        for (i, rec) in parsed.records.into_iter().enumerate() {
            let (entry, was_renamed) =
                record_to_entry(rec, format != Format::Hearth).map_err(|e| {
                    CoreError::invalid(format!("{}: entry {}: {e}", path.display(), i + 1))
                })?;
            renamed += usize::from(was_renamed);
            if !ids.insert(entry.id) {
                duplicates += 1;
                continue;
            }
            if let Some(existing) = self.entries.get(&entry.id) {
                // A backup brings back an entry that was moved to the trash.
                if existing.is_trashed() {
                    restores.push(entry);
                } else {
                    duplicates += 1;
                }
                continue;
            }
            if !seen.insert(fingerprint(entry.created_at, &entry.title, &entry.body)) {
                duplicates += 1;
                continue;
            }
            entries.push(entry);
        }
        let mut batch = self.batch();
        for e in &entries {
            batch.create(e)?;
        }
        for e in &restores {
            batch.replace(e);
        }
        let imported = batch.commit_with(progress)?.len();
        let mut dropped = parsed.dropped;
        if renamed > 0 {
            dropped.push(Dropped {
                what: "punctuation in tags and feelings".into(),
                entries: renamed,
                why: "a Hearth tag or feeling holds letters, digits, spaces and - _ / ' . & +, so other characters became _".into(),
            });
        }
        Ok(ImportReport {
            imported,
            duplicates,
            dropped,
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
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    }
}

/// Make a tag or feeling from another program one Hearth accepts: every
/// run of characters Hearth does not allow in one becomes `_`.
fn one_word(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.trim().trim_start_matches(['@', '#']).chars() {
        if c.is_alphanumeric() || crate::entry::WORD_PUNCTUATION.contains(c) {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// The entry for a record, and whether any tag or feeling had to be renamed.
/// Only files from other programs (`lenient`) get their words renamed and
/// titles joined onto one line; a Hearth backup holding what Hearth cannot
/// is refused.
fn record_to_entry(r: Record, lenient: bool) -> Result<(Entry, bool)> {
    let id = match &r.id {
        Some(s) => EntryId::parse(s)?,
        None => EntryId::random(),
    };
    let (title, tags, feelings) = if lenient {
        let words = |ws: &[String]| -> Vec<String> {
            ws.iter()
                .map(|w| one_word(w))
                .filter(|w| !w.is_empty())
                .collect()
        };
        (
            r.title.replace(['\r', '\n'], " "),
            words(&r.tags),
            words(&r.feelings),
        )
    } else {
        (r.title, r.tags.clone(), r.feelings.clone())
    };
    let plain = |ws: &[String]| -> Vec<String> {
        ws.iter()
            .map(|w| w.trim().trim_start_matches(['@', '#']).to_string())
            .collect()
    };
    let renamed = tags != plain(&r.tags) || feelings != plain(&r.feelings);
    let draft = EntryDraft {
        title,
        body: r.body,
        mood: r.mood,
        feelings,
        tags,
        starred: r.starred,
        created_at: Some(r.created_at),
    };
    let mut entry = draft.into_entry(id, r.updated_at)?;
    entry.updated_at = truncate_millis(r.updated_at);
    Ok((entry, lenient && renamed))
}
