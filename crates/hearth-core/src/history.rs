//! Every saved version of an entry. Each change op is one version; the
//! versions are rebuilt by replaying the entry's document change by change,
//! so nothing but the op log is needed to keep them. The changes are
//! replayed in causal order (each after the changes it depends on, ties by
//! device and its count), so two devices that both edited an entry list the
//! same versions in the same order, and a version is always a state the
//! document really had.

use crate::entry::{Entry, EntryId, EntryPatch, from_millis};
use crate::journal::Journal;
use crate::oplog::{self, KIND_CHANGE};
use crate::view;
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_doc::{EntryDoc, EntryFields, causal_order};
use serde::Serialize;

/// One saved version of an entry.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// Numbered from 1, oldest first.
    pub version: usize,
    /// When it was saved.
    pub at: DateTime<Utc>,
    /// The device that saved it (its public key, hex).
    pub device: String,
    /// What changed from the version before, in a few words.
    pub summary: String,
    #[serde(skip)]
    pub(crate) fields: EntryFields,
}

/// One piece of a word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffPart {
    Same(String),
    Added(String),
    Removed(String),
}

impl Journal {
    /// The versions of an entry, oldest first.
    pub fn history(&self, id_or_prefix: &str) -> Result<Vec<Version>> {
        let mut out: Vec<Version> = Vec::new();
        for (i, (fields, device)) in self.states(id_or_prefix)?.into_iter().enumerate() {
            let summary = match out.last() {
                None => "created".to_string(),
                Some(prev) => summarize(&prev.fields, &fields),
            };
            out.push(Version {
                version: i + 1,
                at: from_millis(fields.updated_at),
                device,
                summary,
                fields,
            });
        }
        Ok(out)
    }

    /// Version `n` against the one before it (the first against nothing), as
    /// a word diff of the title and the body.
    pub fn version_diff(&self, id_or_prefix: &str, n: usize) -> Result<Vec<DiffPart>> {
        let states = self.states(id_or_prefix)?;
        let after = pick_version(&states, n)?;
        let empty = EntryFields::default();
        let before = if n > 1 { &states[n - 2].0 } else { &empty };
        let mut parts = word_diff(&before.title, &after.title);
        parts.push(DiffPart::Same("\n\n".into()));
        parts.extend(word_diff(&before.body, &after.body));
        Ok(parts)
    }

    /// Bring version `n` back as a new edit: nothing saved after it is lost,
    /// since that stays in the history too.
    pub fn restore_version(&mut self, id_or_prefix: &str, n: usize) -> Result<Entry> {
        let id = self.resolve(id_or_prefix)?;
        let states = self.states(&id.to_string())?;
        let f = pick_version(&states, n)?;
        let current = self.get(&id.to_string())?;
        let patch = EntryPatch {
            title: Some(f.title.clone()),
            body: Some(f.body.clone()),
            mood: Some(f.mood),
            feelings: Some(f.feelings.clone()),
            add_tags: f.tags.clone(),
            remove_tags: current
                .tags
                .iter()
                .filter(|t| !f.tags.contains(t))
                .cloned()
                .collect(),
            starred: Some(f.starred),
            created_at: Some(from_millis(f.created_at)),
        };
        let old = Entry::from_fields(id, f.clone());
        self.change(id, |e| {
            patch.apply(e)?;
            e.attachments = old.attachments;
            e.place = old.place;
            e.weather = old.weather;
            e.time_zone = old.time_zone;
            Ok(())
        })
    }

    /// The fields of each version of an entry, oldest first, with the
    /// device that saved it.
    fn states(&self, id_or_prefix: &str) -> Result<Vec<(EntryFields, String)>> {
        let id = self.resolve_any(id_or_prefix)?;
        let scope = self.scope();
        let ops = self.store.read().ops_for_doc(&scope, &id.0)?;
        let mut opened = Vec::new();
        let mut metas = Vec::new();
        for op in ops
            .iter()
            .filter(|op| op.kind == KIND_CHANGE && !op.is_marker())
        {
            let (bytes, meta) = oplog::open_change(op, &self.registry)?;
            opened.push((bytes, hex::encode(op.author)));
            metas.push(meta);
        }
        let (order, _waiting) = causal_order(&metas);
        let (changes, authors): (Vec<Vec<u8>>, Vec<String>) = order
            .into_iter()
            .map(|i| std::mem::take(&mut opened[i]))
            .unzip();
        // The view holds the state the document is in now, which saves
        // loading the document to check the replay against.
        let now = self
            .store
            .read()
            .view(&scope, &id.0)?
            .and_then(|rec| view::open(self.scope_key(), &rec).ok());
        let states =
            EntryDoc::replay(changes.iter().map(Vec::as_slice), now.as_ref()).map_err(|e| {
                CoreError::Damaged {
                    id: id.to_string(),
                    reason: format!("its history does not load: {e}"),
                }
            })?;
        Ok(states.into_iter().zip(authors).collect())
    }

    /// An id among all entries, the trashed ones included.
    fn resolve_any(&self, id_or_prefix: &str) -> Result<EntryId> {
        self.resolve(id_or_prefix).or_else(|e| match e {
            CoreError::NotFound(_) => self
                .trashed()
                .into_iter()
                .map(|t| t.id)
                .find(|t| t.has_prefix(&id_or_prefix.trim().to_ascii_lowercase()))
                .ok_or(e),
            other => Err(other),
        })
    }
}

fn pick_version(states: &[(EntryFields, String)], n: usize) -> Result<&EntryFields> {
    states
        .get(n.wrapping_sub(1))
        .map(|(fields, _)| fields)
        .ok_or_else(|| {
            CoreError::invalid(format!(
                "there is no version {n}: this entry has versions 1 to {}",
                states.len()
            ))
        })
}

fn word_diff(old: &str, new: &str) -> Vec<DiffPart> {
    let diff = similar::TextDiff::from_words(old, new);
    let mut out: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value().to_string();
        let part = match change.tag() {
            similar::ChangeTag::Equal => DiffPart::Same(text),
            similar::ChangeTag::Insert => DiffPart::Added(text),
            similar::ChangeTag::Delete => DiffPart::Removed(text),
        };
        match (out.last_mut(), part) {
            (Some(DiffPart::Same(a)), DiffPart::Same(b))
            | (Some(DiffPart::Added(a)), DiffPart::Added(b))
            | (Some(DiffPart::Removed(a)), DiffPart::Removed(b)) => a.push_str(&b),
            (_, part) => out.push(part),
        }
    }
    out
}

/// The parts of two texts that differ, widened to whole words. Most edits
/// touch a little of a long body, and a word diff costs time in proportion
/// to the length of what it is given.
fn differing_words<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    let same_start = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let start = a[..same_start]
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + a[i..].chars().next().map_or(1, char::len_utf8));
    let same_end = a[start..]
        .chars()
        .rev()
        .zip(b[start..].chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>();
    let tail = &a[a.len() - same_end..];
    let end = same_end - tail.find(char::is_whitespace).unwrap_or(same_end);
    (&a[start..a.len() - end], &b[start..b.len() - end])
}

/// Words added and removed, by a word diff.
fn words_added_removed(old: &str, new: &str) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for change in similar::TextDiff::from_words(old, new).iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Insert => added += words(change.value()),
            similar::ChangeTag::Delete => removed += words(change.value()),
            similar::ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// What changed between two versions, in a few words.
fn summarize(a: &EntryFields, b: &EntryFields) -> String {
    let mut parts = Vec::new();
    match (a.trashed_at, b.trashed_at) {
        (None, Some(_)) => parts.push("moved to the trash".to_string()),
        (Some(_), None) => parts.push("taken out of the trash".to_string()),
        _ => {}
    }
    if a.title != b.title {
        parts.push(format!("title now {:?}", b.title));
    }
    if a.body != b.body {
        let (old, new) = differing_words(&a.body, &b.body);
        parts.push(match words_added_removed(old, new) {
            (0, 0) => "body spacing".to_string(),
            (n, 0) => format!("body +{n} words"),
            (0, n) => format!("body -{n} words"),
            (n, m) => format!("body +{n} -{m} words"),
        });
    }
    if a.mood != b.mood {
        let show = |m: Option<u8>| m.map_or("none".to_string(), |m| m.to_string());
        parts.push(format!("mood {} to {}", show(a.mood), show(b.mood)));
    }
    for (what, old, new) in [
        ("tag", &a.tags, &b.tags),
        ("feeling", &a.feelings, &b.feelings),
    ] {
        for t in new.iter().filter(|t| !old.contains(t)) {
            parts.push(format!("+{what} {t}"));
        }
        for t in old.iter().filter(|t| !new.contains(t)) {
            parts.push(format!("-{what} {t}"));
        }
    }
    if a.starred != b.starred {
        parts.push(if b.starred { "starred" } else { "unstarred" }.to_string());
    }
    let names = |list: &[String]| -> Vec<(String, String)> {
        list.iter()
            .filter_map(|x| crate::attachments::Attachment::decode(x))
            .map(|x| (x.id, x.name))
            .collect()
    };
    let (before, after) = (names(&a.attachments), names(&b.attachments));
    for (id, name) in &after {
        if !before.iter().any(|(i, _)| i == id) {
            parts.push(format!("+file {name}"));
        }
    }
    for (id, name) in &before {
        if !after.iter().any(|(i, _)| i == id) {
            parts.push(format!("-file {name}"));
        }
    }
    if a.created_at != b.created_at {
        parts.push(format!(
            "date now {}",
            from_millis(b.created_at).format("%Y-%m-%d %H:%M")
        ));
    }
    if parts.is_empty() {
        "no visible change".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body(text: &str) -> EntryFields {
        EntryFields {
            body: text.to_string(),
            ..EntryFields::default()
        }
    }

    #[test]
    fn summary_counts_words_around_an_edit_inside_a_word() {
        let a = body("the quiet morning by the river, then coffee");
        let b = body("the quieter morning by the river, then tea and coffee");
        assert_eq!(summarize(&a, &b), "body +3 -1 words");
        let (old, new) = differing_words(&a.body, &b.body);
        assert_eq!(
            (old, new),
            (
                "quiet morning by the river, then",
                "quieter morning by the river, then tea and"
            )
        );
    }

    proptest! {
        /// After cutting off the common start and end, what the summary
        /// counts as added and removed still takes the one body to the other.
        #[test]
        fn trimmed_counts_still_add_up(
            start in "[a-c ]{0,12}", a in "[a-cé ]{0,8}", b in "[a-cé ]{0,8}", end in "[a-c ]{0,12}",
        ) {
            let (x, y) = (format!("{start}{a}{end}"), format!("{start}{b}{end}"));
            let (old, new) = differing_words(&x, &y);
            // The cut is the same on both sides, and leaves no word split.
            let cut = old.as_ptr() as usize - x.as_ptr() as usize;
            prop_assert_eq!(&x[..cut], &y[..cut]);
            prop_assert_eq!(&x[cut + old.len()..], &y[cut + new.len()..]);
            prop_assert_eq!(words(&x), words(&x[..cut]) + words(old) + words(&x[cut + old.len()..]));
            let (added, removed) = words_added_removed(old, new);
            prop_assert_eq!(words(&x) + added, words(&y) + removed);
        }
    }
}
