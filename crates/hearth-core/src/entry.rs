//! The entry as the shells see it, the inputs that create or change one, and
//! the rules every input must pass before anything is written.

use crate::attachments::Attachment;
use crate::{CoreError, Result};
use chrono::{DateTime, TimeZone, Utc};
use hearth_doc::EntryFields;
pub use hearth_interchange::Place;
use hearth_store::DocId;
use serde::Serialize;
use std::fmt;

/// An entry id: 16 random bytes, shown as 32 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub(crate) DocId);

impl EntryId {
    pub(crate) fn random() -> Self {
        Self(rand::random())
    }

    /// Parse a full 32-digit id.
    pub fn parse(s: &str) -> Result<Self> {
        let bytes = hex::decode(s)
            .ok()
            .and_then(|b| DocId::try_from(b.as_slice()).ok())
            .ok_or_else(|| {
                CoreError::invalid(format!("{s:?} is not an entry id (32 hex digits)"))
            })?;
        Ok(Self(bytes))
    }

    /// Whether the id's hex form starts with `prefix` (lowercase hex digits).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        prefix.bytes().enumerate().all(|(i, c)| {
            let byte = self.0.get(i / 2).copied().unwrap_or(0);
            let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0xf };
            i < 32 && HEX[usize::from(nibble)] == c
        })
    }

    /// The first 8 digits, as `list` shows them.
    pub fn short(&self) -> String {
        self.to_string()[..8].to_string()
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryId({self})")
    }
}

impl Serialize for EntryId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A journal entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: EntryId,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    pub tags: Vec<String>,
    pub starred: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) trashed_at: Option<DateTime<Utc>>,
    /// Photos and files in the entry, in the order they were added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The content hash of every attachment the entry ever had (its
    /// history keeps them).
    #[serde(skip)]
    pub(crate) files: Vec<String>,
    /// Where it was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// The weather then, as a person reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weather: Option<String>,
    /// The IANA time zone it was written in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

impl Entry {
    pub(crate) fn from_fields(id: EntryId, f: EntryFields) -> Self {
        Self {
            id,
            title: f.title,
            body: f.body,
            mood: f.mood,
            feelings: f.feelings,
            tags: f.tags,
            starred: f.starred,
            created_at: from_millis(f.created_at),
            updated_at: from_millis(f.updated_at),
            trashed_at: f.trashed_at.map(from_millis),
            attachments: f
                .attachments
                .iter()
                .filter_map(|a| Attachment::decode(a))
                .collect(),
            files: f.files,
            place: f.place.and_then(|p| serde_json::from_str(&p).ok()),
            weather: f.weather,
            time_zone: f.time_zone,
        }
    }

    pub(crate) fn to_fields(&self) -> EntryFields {
        EntryFields {
            title: self.title.clone(),
            body: self.body.clone(),
            mood: self.mood,
            feelings: self.feelings.clone(),
            tags: self.tags.clone(),
            starred: self.starred,
            created_at: self.created_at.timestamp_millis(),
            updated_at: self.updated_at.timestamp_millis(),
            trashed_at: self.trashed_at.map(|t| t.timestamp_millis()),
            attachments: self.attachments.iter().map(Attachment::encode).collect(),
            files: self.files_with_attachments(),
            place: self
                .place
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok()),
            weather: self.weather.clone(),
            time_zone: self.time_zone.clone(),
        }
    }

    /// `files` with the current attachments' hashes added.
    fn files_with_attachments(&self) -> Vec<String> {
        let mut files = self.files.clone();
        for a in &self.attachments {
            if !files.contains(&a.id) {
                files.push(a.id.clone());
            }
        }
        files
    }

    /// When it was written as the clock read where it was written, with
    /// the zone: `09:30 in Europe/Berlin (UTC+02:00)`; `None` without a
    /// known time zone.
    pub fn time_there(&self) -> Option<String> {
        let tz: chrono_tz::Tz = self.time_zone.as_deref()?.parse().ok()?;
        let t = self.created_at.with_timezone(&tz);
        Some(format!(
            "{} in {} (UTC{})",
            t.format("%Y-%m-%d %H:%M"),
            tz.name(),
            t.format("%:z")
        ))
    }

    /// Whether the entry is in the trash.
    pub fn is_trashed(&self) -> bool {
        self.trashed_at.is_some()
    }
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Times are kept to the millisecond.
pub(crate) fn truncate_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    from_millis(t.timestamp_millis())
}

/// A new entry.
#[derive(Debug, Clone, Default)]
pub struct EntryDraft {
    pub title: String,
    pub body: String,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    pub tags: Vec<String>,
    pub starred: bool,
    /// Backdate; now when `None`.
    pub created_at: Option<DateTime<Utc>>,
}

/// A change to an entry: each `Some` replaces that field.
#[derive(Debug, Clone, Default)]
pub struct EntryPatch {
    pub title: Option<String>,
    pub body: Option<String>,
    /// `Some(None)` clears the mood.
    pub mood: Option<Option<u8>>,
    /// Replaces the feelings.
    pub feelings: Option<Vec<String>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub starred: Option<bool>,
    pub created_at: Option<DateTime<Utc>>,
}

impl EntryPatch {
    pub(crate) fn apply(&self, e: &mut Entry) -> Result<()> {
        if let Some(t) = &self.title {
            e.title = check_title(t)?;
        }
        if let Some(b) = &self.body {
            check_body(b)?;
            e.body.clone_from(b);
        }
        if let Some(m) = self.mood {
            e.mood = check_mood(m)?;
        }
        if let Some(f) = &self.feelings {
            e.feelings = normalize_words(f, "feeling")?;
        }
        let remove = normalize_words(&self.remove_tags, "tag")?;
        e.tags
            .retain(|t| !remove.iter().any(|r| r.eq_ignore_ascii_case(t)));
        let mut tags = std::mem::take(&mut e.tags);
        tags.extend(normalize_words(&self.add_tags, "tag")?);
        e.tags = normalize_words(&tags, "tag")?;
        if let Some(s) = self.starred {
            e.starred = s;
        }
        if let Some(c) = self.created_at {
            e.created_at = truncate_millis(c);
        }
        Ok(())
    }
}

/// Which entries `list` shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub limit: Option<usize>,
    pub tag: Option<String>,
    pub mood: Option<u8>,
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

impl ListFilter {
    pub(crate) fn matches(&self, e: &Entry) -> bool {
        self.tag.as_ref().is_none_or(|t| {
            let t = t.trim().trim_start_matches(['@', '#']);
            e.tags.iter().any(|et| et.eq_ignore_ascii_case(t))
        }) && self.mood.is_none_or(|m| e.mood == Some(m))
            && self.from.is_none_or(|f| e.created_at >= f)
            && self.to.is_none_or(|t| e.created_at < t)
    }

    pub(crate) fn check(&self) -> Result<()> {
        if let Some(m) = self.mood {
            check_mood(Some(m))?;
        }
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f >= t
        {
            return Err(CoreError::invalid(
                "the --from date must be before the --to date",
            ));
        }
        Ok(())
    }
}

/// A mood is 1 to 5, or none.
pub fn check_mood(mood: Option<u8>) -> Result<Option<u8>> {
    match mood {
        Some(m) if !(1..=5).contains(&m) => Err(CoreError::invalid(format!(
            "mood {m} is out of range: use a number from 1 (low) to 5 (high)"
        ))),
        m => Ok(m),
    }
}

/// The longest body an entry may have, in bytes of UTF-8 (1 MiB: some
/// 150,000 words). Past it a write is refused before any work is done: a
/// 40 MB body once took minutes and gigabytes to store.
pub const BODY_MAX: usize = 1 << 20;
/// The longest title, in bytes of UTF-8.
pub const TITLE_MAX: usize = 1000;

fn check_title(t: &str) -> Result<String> {
    if t.contains('\n') {
        return Err(CoreError::invalid(
            "a title is one line: put the rest in the body",
        ));
    }
    if t.len() > TITLE_MAX {
        return Err(CoreError::invalid(format!(
            "the title is {} bytes, over the {TITLE_MAX} a title may have; nothing was saved",
            t.len()
        )));
    }
    Ok(t.trim().to_string())
}

/// Refuse a body over [`BODY_MAX`].
pub fn check_body(b: &str) -> Result<()> {
    if b.len() > BODY_MAX {
        return Err(CoreError::invalid(format!(
            "the text is {} bytes, over the {} MiB an entry may hold; split it into several entries (nothing was saved)",
            b.len(),
            BODY_MAX >> 20
        )));
    }
    Ok(())
}

/// The characters a tag or feeling may hold besides letters and digits.
/// Spaces are kept inside (`Example Tag` from Day One stays as it is); a
/// comma separates tags where people type them.
pub const WORD_PUNCTUATION: &str = "-_/ '.&+";

/// The longest tag or feeling, in characters.
pub const WORD_MAX: usize = 100;

/// Tags and feelings: letters, digits, spaces inside and `- _ / ' . & +`,
/// without a leading `@` or `#`, trimmed with runs of spaces made one, no
/// duplicates (ignoring case), order kept.
pub fn normalize_words(words: &[String], what: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let w = w
            .trim()
            .trim_start_matches(['@', '#'])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if w.is_empty() {
            return Err(CoreError::invalid(format!("an empty {what} was given")));
        }
        if let Some(bad) = w
            .chars()
            .find(|c| !(c.is_alphanumeric() || WORD_PUNCTUATION.contains(*c)))
        {
            return Err(CoreError::invalid(format!(
                "{what} {w:?} contains {bad:?}: a {what} holds letters, digits, spaces and - _ / ' . & +"
            )));
        }
        if w.chars().count() > WORD_MAX {
            return Err(CoreError::invalid(format!(
                "{what} {w:?} is longer than the {WORD_MAX} characters a {what} may have"
            )));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&w)) {
            out.push(w);
        }
    }
    Ok(out)
}

impl EntryDraft {
    pub(crate) fn into_entry(self, id: EntryId, now: DateTime<Utc>) -> Result<Entry> {
        let now = truncate_millis(now);
        check_body(&self.body)?;
        Ok(Entry {
            id,
            title: check_title(&self.title)?,
            body: self.body,
            mood: check_mood(self.mood)?,
            feelings: normalize_words(&self.feelings, "feeling")?,
            tags: normalize_words(&self.tags, "tag")?,
            starred: self.starred,
            created_at: self.created_at.map_or(now, truncate_millis),
            updated_at: now,
            trashed_at: None,
            attachments: Vec::new(),
            files: Vec::new(),
            place: None,
            weather: None,
            time_zone: None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn words_are_normalized() {
        let w = normalize_words(&["@Work".into(), "#work".into(), " rain ".into()], "tag").unwrap();
        assert_eq!(w, vec!["Work", "rain"]);
        let two = normalize_words(&["  Example   Tag ".into()], "tag").unwrap();
        assert_eq!(two, vec!["Example Tag"]);
        assert!(normalize_words(&["semi;colon".into()], "tag").is_err());
        assert!(normalize_words(&["".into()], "tag").is_err());
    }

    #[test]
    fn text_over_its_limit_is_refused() {
        assert!(check_body(&"a".repeat(BODY_MAX)).is_ok());
        let err = check_body(&"a".repeat(BODY_MAX + 1))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("1 MiB") && err.contains("nothing was saved"),
            "{err}"
        );
        assert!(check_title(&"t".repeat(TITLE_MAX + 1)).is_err());
    }

    #[test]
    fn mood_range() {
        assert!(check_mood(Some(9)).is_err());
        assert!(check_mood(Some(0)).is_err());
        assert_eq!(check_mood(Some(5)).unwrap(), Some(5));
    }

    #[test]
    fn ids_round_trip() {
        let id = EntryId::random();
        assert_eq!(EntryId::parse(&id.to_string()).unwrap(), id);
        assert!(EntryId::parse("xyz").is_err());
        let s = id.to_string();
        for n in [1, 4, 7, 32] {
            assert!(id.has_prefix(&s[..n]));
        }
        let other = if s.starts_with('0') { "1" } else { "0" };
        assert!(!id.has_prefix(other));
    }
}
