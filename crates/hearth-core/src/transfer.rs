//! Import and export. Files are read and checked whole by
//! hearth-interchange before anything is written; the new entries are then
//! stored in one transaction, so a bad file or a crash writes nothing.

use crate::attachments::{key_places, replace_links};
use crate::entry::{Entry, EntryDraft, EntryId, ListFilter, truncate_millis};
use crate::journal::Journal;
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_interchange::{Dropped, Format, Record};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Entries already in the journal (same id, or same time, title and body).
    pub duplicates: usize,
    /// What was kept, per kind, in the entries imported.
    pub kept: Vec<Kept>,
    /// What the source held that Hearth did not keep.
    pub dropped: Vec<Dropped>,
    /// Nothing was written: this is what an import would do.
    pub dry_run: bool,
}

/// One kind of thing an import kept, and how many entries had it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub what: String,
    pub entries: usize,
}

type Fingerprint = (i64, String, String);

fn fingerprint(created_at: DateTime<Utc>, title: &str, body: &str) -> Fingerprint {
    (
        created_at.timestamp_millis(),
        title.to_string(),
        without_attachment_targets(body),
    )
}

/// The body with every `attachment:…` link target emptied: the same entry
/// imported twice names its files by the source's keys once and by their
/// hashes after, and is still the same entry.
fn without_attachment_targets(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("](attachment:") {
        let start = at + "](attachment:".len();
        out.push_str(&rest[..start]);
        let end = rest[start..].find(')').map_or(rest.len(), |e| start + e);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// An entry to store, with the files its record named.
struct Pending {
    entry: Entry,
    files: Vec<hearth_interchange::RecordAttachment>,
}

impl Journal {
    /// Read `path` in `format` and add its entries, skipping duplicates,
    /// with their photos and files. `progress(done, total)` is called as
    /// files and entries are stored.
    pub fn import(
        &mut self,
        format: Format,
        path: &Path,
        progress: impl FnMut(usize, usize),
    ) -> Result<ImportReport> {
        self.import_with(format, path, false, progress)
    }

    /// What [`Journal::import`] would do, without writing anything.
    pub fn import_dry_run(&mut self, format: Format, path: &Path) -> Result<ImportReport> {
        self.import_with(format, path, true, |_, _| {})
    }

    fn import_with(
        &mut self,
        format: Format,
        path: &Path,
        dry_run: bool,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<ImportReport> {
        let parsed = hearth_interchange::read(format, path)?;
        let mut seen: HashSet<Fingerprint> = self
            .entries
            .values()
            .map(|e| fingerprint(e.created_at, &e.title, &e.body))
            .collect();
        let mut pending = Vec::new();
        let mut restores = Vec::new();
        let mut duplicates = 0;
        let mut renamed = 0;
        let mut bad_zones = 0;
        let mut ids = HashSet::new();
        for (i, rec) in parsed.records.into_iter().enumerate() {
            let files = rec.attachments.clone();
            let (mut entry, was_renamed) =
                record_to_entry(rec, format != Format::Hearth).map_err(|e| {
                    CoreError::invalid(format!("{}: entry {}: {e}", path.display(), i + 1))
                })?;
            renamed += usize::from(was_renamed);
            if entry
                .time_zone
                .as_deref()
                .is_some_and(|z| z.parse::<chrono_tz::Tz>().is_err())
            {
                entry.time_zone = None;
                bad_zones += 1;
            }
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
            pending.push(Pending { entry, files });
        }
        let mut dropped = parsed.dropped;
        let mut note = |what: &str, entries: usize, why: &str| {
            if entries > 0 {
                dropped.push(Dropped {
                    what: what.into(),
                    entries,
                    why: why.into(),
                });
            }
        };
        note(
            "punctuation in tags and feelings",
            renamed,
            "a Hearth tag or feeling holds letters, digits, spaces and - _ / ' . & +, so other characters became _",
        );
        note(
            "time zones Hearth does not know",
            bad_zones,
            "the zone's name is not in the IANA time zone database; the times themselves were kept",
        );
        let files_total: usize = pending.iter().map(|p| p.files.len()).sum();
        let total = files_total + pending.len() + restores.len();
        if dry_run {
            let mut report = ImportReport {
                imported: pending.len() + restores.len(),
                duplicates,
                kept: kept(pending.iter().map(|p| (&p.entry, p.files.len()))),
                dropped,
                dry_run: true,
            };
            report.kept.retain(|k| k.entries > 0);
            return Ok(report);
        }
        let mut done = 0;
        let mut unreadable = 0;
        let mut too_big = 0;
        let mut entries = Vec::with_capacity(pending.len());
        let mut counted = Vec::with_capacity(pending.len());
        for Pending { mut entry, files } in pending {
            let (mut ok, mut missing) = (0, Vec::new());
            for f in &files {
                let new = crate::attachments::NewAttachment {
                    name: f.name.clone(),
                    media_type: f.media_type.clone(),
                    source: f.source.clone(),
                };
                match self.store_files(std::slice::from_ref(&new)) {
                    Ok(mut stored) => {
                        let mut a = stored.remove(0);
                        a.added_at = entry.created_at;
                        entry.body = rename_key(&entry.body, &f.key, &a.id);
                        if !entry.attachments.iter().any(|have| have.id == a.id) {
                            entry.attachments.push(a);
                        }
                        ok += 1;
                    }
                    Err(e) => {
                        if e.to_string().contains("MiB a file in an entry may be") {
                            too_big += 1;
                        } else {
                            unreadable += 1;
                        }
                        missing.push(f);
                    }
                }
                done += 1;
                progress(done, total);
            }
            for f in missing {
                entry.body = without_reference(&entry.body, &f.key, &f.name);
            }
            crate::entry::check_body(&entry.body)?;
            counted.push(ok);
            entries.push(entry);
        }
        let mut kept = kept(entries.iter().zip(counted.iter().copied()));
        kept.retain(|k| k.entries > 0);
        note(
            "files over 100 MiB",
            too_big,
            "a file in an entry may be at most 100 MiB; the text says where each was",
        );
        note(
            "files that could not be read",
            unreadable,
            "they were missing or unreadable in the source; the text says where each was",
        );
        let mut batch = self.batch();
        for e in &entries {
            batch.create(e)?;
        }
        for e in &restores {
            batch.replace(e);
        }
        let stored = batch.commit_with(|d, _| progress(done + d, total));
        let imported = match stored {
            Ok(ids) => ids.len(),
            Err(e) => {
                self.sweep_blobs()?;
                return Err(e);
            }
        };
        Ok(ImportReport {
            imported,
            duplicates,
            kept,
            dropped,
            dry_run: false,
        })
    }

    /// Write every entry outside the trash to `path` in `format`; returns how
    /// many were written.
    pub fn export(&self, format: Format, path: &Path) -> Result<usize> {
        Ok(self.export_report(format, path)?.0)
    }

    /// [`Journal::export`], also saying what the format left out.
    pub fn export_report(&self, format: Format, path: &Path) -> Result<(usize, Vec<Dropped>)> {
        let mut entries = self.list(&ListFilter::default())?;
        entries.reverse();
        let records: Vec<Record> = entries.into_iter().map(entry_to_record).collect();
        hearth_interchange::write_with(format, path, &records, &StoredFiles(self))?;
        Ok((
            records.len(),
            hearth_interchange::lost_on_write(format, &records),
        ))
    }
}

/// The journal's attachments, for writers of other formats.
struct StoredFiles<'a>(&'a Journal);

impl hearth_interchange::Blobs for StoredFiles<'_> {
    fn copy(&self, id: &str, out: &mut dyn std::io::Write) -> std::io::Result<u64> {
        let a = self
            .0
            .find_attachment(id)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.0
            .copy_attachment(&a, out)
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// What a set of entries (each with how many files it brings) keeps, per
/// kind.
fn kept<'a>(entries: impl Iterator<Item = (&'a Entry, usize)>) -> Vec<Kept> {
    let mut counts = [0usize; 8];
    let mut n = 0;
    for (e, files) in entries {
        n += 1;
        let has = [
            !e.title.is_empty(),
            !e.tags.is_empty(),
            e.starred,
            e.mood.is_some() || !e.feelings.is_empty(),
            files > 0,
            e.place.is_some(),
            e.weather.is_some(),
            e.time_zone.is_some(),
        ];
        for (c, h) in counts.iter_mut().zip(has) {
            *c += usize::from(h);
        }
    }
    let names = [
        "titles",
        "tags",
        "stars",
        "moods and feelings",
        "photos and files",
        "places",
        "weather",
        "time zones",
    ];
    std::iter::once(Kept {
        what: "entries with their text and times".into(),
        entries: n,
    })
    .chain(names.iter().zip(counts).map(|(w, c)| Kept {
        what: (*w).into(),
        entries: c,
    }))
    .collect()
}

/// The body with the source's name for a file (`attachment:KEY`) replaced
/// by its id.
fn rename_key(body: &str, key: &str, id: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut last = 0;
    for r in key_places(body, key) {
        out.push_str(&body[last..r.start]);
        out.push_str("attachment:");
        out.push_str(id);
        last = r.end;
    }
    out.push_str(&body[last..]);
    out
}

/// The body with each link to a file that was not imported replaced by
/// words saying so.
fn without_reference(body: &str, key: &str, name: &str) -> String {
    replace_links(body, key, &format!("({name}: not imported)"))
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
        attachments: e
            .attachments
            .iter()
            .map(|a| hearth_interchange::RecordAttachment {
                key: a.id.clone(),
                name: a.name.clone(),
                media_type: Some(a.media_type.clone()),
                source: hearth_interchange::AttachmentSource::Stored(a.id.clone()),
            })
            .collect(),
        place: e.place.clone(),
        weather: e.weather.clone(),
        time_zone: e.time_zone.clone(),
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
    entry.place = r.place;
    entry.weather = r.weather;
    entry.time_zone = r.time_zone;
    entry.updated_at = truncate_millis(r.updated_at);
    Ok((entry, lenient && renamed))
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn keys_become_ids_wherever_a_link_names_them() {
        let body = "![a](attachment:p.jpg \"t\") [b](attachment:p.jpg) attachment:p.jpgx";
        assert_eq!(
            rename_key(body, "p.jpg", "ID"),
            "![a](attachment:ID \"t\") [b](attachment:ID) attachment:p.jpgx"
        );
        assert_eq!(
            without_reference("x ![a](attachment:k \"t\") y", "k", "a.jpg"),
            "x (a.jpg: not imported) y"
        );
    }
}
