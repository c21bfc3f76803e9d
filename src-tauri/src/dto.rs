//! The shapes that cross the IPC boundary, and their conversions from the
//! core's types. TypeScript declarations for every one of them are generated
//! into `ui/src/lib/bindings/` (see `bindings.rs`); times travel as RFC 3339
//! strings in UTC and the window shows them in local time.

use crate::error::{IpcError, IpcResult};
use chrono::{DateTime, SecondsFormat, Utc};
use hearth_core::circles::{CircleSummary, NewCircle};
use hearth_core::network::SyncReport;
use hearth_core::search::{SearchHit, highlight};
use hearth_core::when::{parse_datetime, parse_range_end};
use hearth_core::{Attachment, Entry, EntryDraft, EntryPatch, Journal, ListFilter};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Characters of body text a list row shows.
const EXCERPT_CHARS: usize = 180;

/// An entry, whole, for the editor.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    pub tags: Vec<String>,
    pub starred: bool,
    pub created_at: String,
    pub updated_at: String,
    /// In the trash (another device may have put it there).
    pub trashed: bool,
    /// Photos and files, in the order they were added. The body shows a
    /// photo in place with `![caption](attachment:ID)`.
    pub attachments: Vec<Attachment>,
    /// Where it was written, when known (an import from Day One says).
    pub place: Option<PlaceView>,
    /// The weather then, as a person reads it.
    pub weather: Option<String>,
    /// The IANA time zone it was written in.
    pub time_zone: Option<String>,
    /// When it was written as the clock read there, with the zone:
    /// `2021-04-15 09:30 in Europe/Berlin (UTC+02:00)`.
    pub time_there: Option<String>,
}

/// Where an entry was written: a name, coordinates, or both.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlaceView {
    pub name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// An entry as a list row shows it: the body cut to a plain excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EntrySummary {
    pub id: String,
    pub title: String,
    pub excerpt: String,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    pub tags: Vec<String>,
    pub starred: bool,
    pub created_at: String,
    /// How many photos and files it holds.
    pub attachments: u32,
    /// The id of its first photo that has a thumbnail, for the list.
    pub thumbnail: Option<String>,
}

/// One page of the list, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    pub entries: Vec<EntrySummary>,
    /// How many entries match in all, so the window knows when to stop
    /// asking for more. It is never shown.
    pub total: u32,
}

/// A trimmed, non-empty text, or none.
fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Which entries to list or search, and which page.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct EntryQuery {
    /// Words to search for; empty lists instead of searching.
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub tag: Option<String>,
    #[ts(optional)]
    pub mood: Option<u8>,
    /// A local date (`YYYY-MM-DD`) or time; inclusive.
    #[ts(optional)]
    pub from: Option<String>,
    /// A local date (the whole day is included) or time.
    #[ts(optional)]
    pub to: Option<String>,
    #[ts(optional)]
    pub offset: Option<u32>,
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl EntryQuery {
    /// The core filter for the tag, mood and dates (not the page).
    pub fn filter(&self) -> IpcResult<ListFilter> {
        Ok(ListFilter {
            limit: None,
            tag: blank(&self.tag).map(str::to_string),
            mood: self.mood,
            from: blank(&self.from).map(parse_datetime).transpose()?,
            to: blank(&self.to).map(parse_range_end).transpose()?,
        })
    }

    /// The search words, when there are any.
    pub fn words(&self) -> Option<&str> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

/// What the editor saves. Without an id it is a new entry, made of the
/// fields given; with one, only the fields given change, so a field another
/// device changed meanwhile is not written back with its old value.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct EntryInput {
    #[ts(optional)]
    pub id: Option<String>,
    #[ts(optional)]
    pub title: Option<String>,
    #[ts(optional)]
    pub body: Option<String>,
    /// `null` clears the mood.
    #[serde(with = "given")]
    #[ts(as = "Option<Option<u8>>", optional)]
    pub mood: Option<Option<u8>>,
    /// Replaces the feelings.
    #[ts(optional)]
    pub feelings: Option<Vec<String>>,
    /// Replaces the tags.
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
    #[ts(optional)]
    pub starred: Option<bool>,
    /// Backdate: RFC 3339 or a local `YYYY-MM-DD HH:MM`; now when absent.
    #[ts(optional)]
    pub created_at: Option<String>,
}

/// A field that may be `null`: `Some(None)` when it is, `None` (the
/// default) only when it is absent.
mod given {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        T::deserialize(d).map(Some)
    }
}

impl EntryInput {
    fn created_at(&self) -> IpcResult<Option<DateTime<Utc>>> {
        Ok(self
            .created_at
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(parse_datetime)
            .transpose()?)
    }

    /// A new entry.
    pub fn draft(&self) -> IpcResult<EntryDraft> {
        Ok(EntryDraft {
            title: self.title.clone().unwrap_or_default(),
            body: self.body.clone().unwrap_or_default(),
            mood: self.mood.flatten(),
            feelings: self.feelings.clone().unwrap_or_default(),
            tags: self.tags.clone().unwrap_or_default(),
            starred: self.starred.unwrap_or(false),
            created_at: self.created_at()?,
        })
    }

    /// The change the given fields make to `current`. Tags, when given, are
    /// replaced whole: every current tag is removed, the new list added.
    pub fn patch(&self, current: &Entry) -> IpcResult<EntryPatch> {
        let (add_tags, remove_tags) = match &self.tags {
            Some(tags) => (tags.clone(), current.tags.clone()),
            None => (Vec::new(), Vec::new()),
        };
        Ok(EntryPatch {
            title: self.title.clone(),
            body: self.body.clone(),
            mood: self.mood,
            feelings: self.feelings.clone(),
            add_tags,
            remove_tags,
            starred: self.starred,
            created_at: self.created_at()?,
        })
    }
}

/// A new circle, as the window's form sends it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct CircleInput {
    /// One line, 1 to 100 bytes.
    pub name: String,
    /// What the circle is for; up to 2,000 bytes.
    pub about: String,
    /// How its members treat each other; up to 16,384 bytes.
    pub agreements: String,
    /// How the person appears to the circle; one line, 1 to 100 bytes.
    pub as_name: String,
}

impl From<CircleInput> for NewCircle {
    fn from(c: CircleInput) -> Self {
        Self {
            name: c.name,
            about: c.about,
            agreements: c.agreements,
            as_name: c.as_name,
        }
    }
}

/// A piece of a search snippet; `hit` pieces are the matched words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

/// One search result.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SearchResult {
    pub entry: EntrySummary,
    pub snippet: Vec<SnippetPart>,
}

/// An entry whose stored data failed its checks at unlock.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DamagedEntry {
    pub id: String,
    pub reason: String,
}

/// Whether there is a journal and whether it is open.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub has_journal: bool,
    pub unlocked: bool,
    /// The data directory, to show the person where their journal is.
    pub home: String,
}

/// What unlocking (or creating) did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnlockInfo {
    /// Key derivation from the passphrase, in milliseconds.
    pub kdf_ms: u32,
    /// Opening and decrypting the entries, in milliseconds.
    pub load_ms: u32,
    pub damaged: Vec<DamagedEntry>,
    /// Only when the journal was just created: its recovery key, to show the
    /// person once. It is stored nowhere.
    pub recovery_key: Option<String>,
}

/// What joining another device's journal did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinInfo {
    /// The journal is open; its recovery key is in here, to show once.
    pub unlock: UnlockInfo,
    /// Entries this device holds now.
    pub entries: u32,
    /// Why taking in the journal failed, when it did (the devices are
    /// paired all the same, and the next sync finishes it).
    pub sync_error: Option<String>,
}

/// What joining a circle did: `joined` false when the person declined
/// (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CircleJoin {
    pub joined: bool,
    /// The circle joined.
    pub circle: Option<CircleSummary>,
    /// Why taking in the circle from the inviting device failed, when it
    /// did (the person is in all the same; the next sync finishes it).
    pub sync_error: Option<String>,
}

/// One device's part of "sync now": what moved, or why not.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncOutcome {
    pub name: String,
    pub report: Option<SyncReport>,
    pub error: Option<String>,
}

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<&Entry> for EntryView {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id.to_string(),
            title: e.title.clone(),
            body: e.body.clone(),
            mood: e.mood,
            feelings: e.feelings.clone(),
            tags: e.tags.clone(),
            starred: e.starred,
            created_at: time(e.created_at),
            updated_at: time(e.updated_at),
            trashed: e.is_trashed(),
            attachments: e.attachments.clone(),
            place: e.place.as_ref().map(|p| PlaceView {
                name: p.name.clone(),
                latitude: p.latitude,
                longitude: p.longitude,
            }),
            weather: e.weather.clone(),
            time_zone: e.time_zone.clone(),
            time_there: e.time_there(),
        }
    }
}

impl From<&Entry> for EntrySummary {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id.to_string(),
            title: e.title.clone(),
            excerpt: excerpt(&e.body, EXCERPT_CHARS),
            mood: e.mood,
            feelings: e.feelings.clone(),
            tags: e.tags.clone(),
            starred: e.starred,
            created_at: time(e.created_at),
            attachments: u32::try_from(e.attachments.len()).unwrap_or(u32::MAX),
            thumbnail: e
                .attachments
                .iter()
                .find(|a| Journal::has_thumbnail(a))
                .map(|a| a.id.clone()),
        }
    }
}

impl From<&SearchHit> for SearchResult {
    fn from(h: &SearchHit) -> Self {
        Self {
            entry: EntrySummary::from(&h.entry),
            snippet: snippet_parts(&highlight(&h.marked_snippet, "\u{E000}", "\u{E001}")),
        }
    }
}

/// The start of a Markdown body as plain text on one line: heading marks,
/// emphasis, quotes, list bullets and link brackets dropped, whitespace
/// collapsed, cut at a word near `max` characters.
pub fn excerpt(body: &str, max: usize) -> String {
    let mut out = String::new();
    for line in without_link_targets(body).lines() {
        let line = line
            .trim_start()
            .trim_start_matches(['#', '>', '-', '*', '+'])
            .trim_start();
        for word in line.split_whitespace() {
            let word: String = word
                .chars()
                .filter(|c| !matches!(c, '*' | '_' | '`' | '[' | ']'))
                .collect();
            if word.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
            if out.chars().count() >= max {
                let cut: String = out.chars().take(max).collect();
                return format!("{}…", cut.trim_end());
            }
        }
    }
    out
}

/// Markdown without where its links and images point: a link keeps its
/// words, an image (a photo shown in place) goes.
fn without_link_targets(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find('[') {
        let (before, from_open) = rest.split_at(open);
        let line = &from_open[..from_open.find('\n').unwrap_or(from_open.len())];
        let link = line.find("](").and_then(|close| {
            let target = &line[close + 2..];
            target.find(')').map(|end| (close, close + 2 + end + 1))
        });
        match link {
            Some((close, end)) => {
                match before.strip_suffix('!') {
                    Some(text) => out.push_str(text),
                    None => {
                        out.push_str(before);
                        out.push_str(&from_open[1..close]);
                    }
                }
                rest = &from_open[end..];
            }
            None => {
                out.push_str(before);
                out.push('[');
                rest = &from_open[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Split a snippet whose matches sit between U+E000 and U+E001.
pub fn snippet_parts(marked: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut hit = false;
    let mut text = String::new();
    for c in marked.chars() {
        let switch = match c {
            '\u{E000}' => Some(true),
            '\u{E001}' => Some(false),
            _ => None,
        };
        match switch {
            Some(next) => {
                if !text.is_empty() {
                    parts.push(SnippetPart {
                        text: std::mem::take(&mut text),
                        hit,
                    });
                }
                hit = next;
            }
            None => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(SnippetPart { text, hit });
    }
    parts
}

/// Parse a full entry id as the window sends it.
pub fn entry_id(id: &str) -> IpcResult<String> {
    let id = id.trim();
    if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(IpcError::invalid(format!("{id:?} is not an entry id")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn excerpts_are_plain_and_short() {
        let body = "# A day\n\n**Rain** all _morning_.\n- walked\n> quiet";
        assert_eq!(excerpt(body, 100), "A day Rain all morning. walked quiet");
        let long = "word ".repeat(100);
        let e = excerpt(&long, 20);
        assert!(e.ends_with('…'));
        assert!(e.chars().count() <= 21);
    }

    #[test]
    fn excerpts_leave_out_photos_and_link_targets() {
        let id = "ab".repeat(32);
        let body = format!(
            "![The harbour](attachment:{id}) At the [harbour](attachment:{id}) at [dawn].\n[a](b"
        );
        assert_eq!(excerpt(&body, 100), "At the harbour at dawn. a(b");
    }

    #[test]
    fn snippets_split_into_parts() {
        let parts = snippet_parts("a \u{E000}rain\u{E001} day \u{E000}walk\u{E001}");
        let got: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            got,
            vec![
                ("a ", false),
                ("rain", true),
                (" day ", false),
                ("walk", true)
            ]
        );
    }

    #[test]
    fn queries_build_filters() {
        let q = EntryQuery {
            tag: Some(" ".into()),
            mood: Some(3),
            from: Some("2024-01-01".into()),
            to: Some("2024-01-31".into()),
            ..Default::default()
        };
        let f = q.filter().unwrap();
        assert_eq!(f.tag, None);
        assert_eq!(f.mood, Some(3));
        assert!(f.from.is_some() && f.to.is_some());
        assert!(
            EntryQuery {
                from: Some("soon".into()),
                ..Default::default()
            }
            .filter()
            .is_err()
        );
    }

    #[test]
    fn ids_are_checked() {
        assert!(entry_id("0123456789abcdef0123456789ABCDEF").is_ok());
        assert!(entry_id("0123").is_err());
    }
}
