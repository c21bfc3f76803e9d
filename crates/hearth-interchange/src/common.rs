//! Pieces every format shares: the error a parser hands back before it knows
//! the file's path, tag and mood rules, reading and writing files without
//! leaving half of one behind, and turning local times into UTC.
//!
//! It exists so that each format module holds only what is particular to that
//! format, and so that the rules the brief states once ("tags without prefix,
//! trimmed, deduplicated", "mood 1 to 5") are written once.

use crate::{Dropped, InterchangeError, Record};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde_json::{Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A parse failure before the path is attached: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bad {
    pub location: String,
    pub message: String,
}

impl Bad {
    pub(crate) fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Bad {
            location: location.into(),
            message: message.into(),
        }
    }

    pub(crate) fn at(self, path: &Path) -> InterchangeError {
        InterchangeError::Malformed {
            path: path.to_path_buf(),
            location: self.location,
            message: self.message,
        }
    }
}

/// "entry 3" for the zero-based index 2.
pub(crate) fn entry_location(index: usize) -> String {
    format!("entry {}", index + 1)
}

/// The location and message for a JSON syntax error.
pub(crate) fn json_syntax(err: &serde_json::Error, what: &str) -> Bad {
    Bad::new(
        format!("line {}, column {}", err.line(), err.column()),
        format!("this is not valid JSON ({err}); expected {what}"),
    )
}

/// Tags as Hearth keeps them: trimmed, without leading `@`/`#`, no empty
/// ones, no repeats, first spelling and order kept.
pub(crate) fn normalize_tags<I, S>(tags: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let t = tag
            .as_ref()
            .trim()
            .trim_start_matches(['@', '#'])
            .trim()
            .to_string();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Checks a mood read from a file: 1 to 5 or none.
pub(crate) fn mood_from_json(value: Option<&Value>) -> Result<Option<u8>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(m @ 1..=5) => Ok(Some(m as u8)),
            _ => Err(format!(
                "`mood` is {n}; expected a whole number from 1 to 5, or null for no mood"
            )),
        },
        Some(other) => Err(format!(
            "`mood` is {}; expected a whole number from 1 to 5, or null for no mood",
            describe(other)
        )),
    }
}

/// A short description of a JSON value for error messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                format!("the text \"{shown}…\"")
            } else {
                format!("the text \"{shown}\"")
            }
        }
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Typed access to one JSON object (an entry, or Markdown front matter
/// converted to JSON) with messages that name the field and say what is
/// expected.
pub(crate) struct Fields<'a> {
    pub map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// A string field; `Ok(None)` when absent (or null if `null_ok`).
    pub(crate) fn opt_str(&self, key: &str, null_ok: bool) -> Result<Option<String>, String> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) if null_ok => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "`{key}` is {}; expected text in double quotes",
                describe(other)
            )),
        }
    }

    pub(crate) fn req_str(&self, key: &str) -> Result<String, String> {
        self.opt_str(key, false)?
            .ok_or_else(|| format!("`{key}` is missing; every entry needs one (it may be \"\")"))
    }

    /// A list of strings; numbers are accepted and written as text.
    pub(crate) fn opt_str_list(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                str_items(key, items, "a list of words in double quotes").map(Some)
            }
            Some(other) => Err(format!(
                "`{key}` is {}; expected a list of words like [\"a\", \"b\"]",
                describe(other)
            )),
        }
    }

    pub(crate) fn req_str_list(&self, key: &str) -> Result<Vec<String>, String> {
        match self.map.get(key) {
            None => Err(format!(
                "`{key}` is missing; expected a list like [\"a\", \"b\"] or []"
            )),
            Some(Value::Null) => Err(format!(
                "`{key}` is null; expected a list like [\"a\", \"b\"] or []"
            )),
            Some(_) => Ok(self.opt_str_list(key)?.unwrap_or_default()),
        }
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(format!(
                "`{key}` is {}; expected true or false",
                describe(other)
            )),
        }
    }

    pub(crate) fn req_bool(&self, key: &str) -> Result<bool, String> {
        self.opt_bool(key)?
            .ok_or_else(|| format!("`{key}` is missing; expected true or false"))
    }

    /// An RFC 3339 time, e.g. `2021-03-05T21:40:00Z`.
    pub(crate) fn opt_rfc3339(&self, key: &str) -> Result<Option<DateTime<Utc>>, String> {
        match self.opt_str(key, true)? {
            None => Ok(None),
            Some(s) => parse_rfc3339(&s).map(Some).ok_or_else(|| {
                format!(
                    "`{key}` is \"{s}\", which is not a time; expected an RFC 3339 time like 2021-03-05T21:40:00Z"
                )
            }),
        }
    }

    pub(crate) fn req_rfc3339(&self, key: &str) -> Result<DateTime<Utc>, String> {
        self.opt_rfc3339(key)?.ok_or_else(|| {
            format!("`{key}` is missing; expected an RFC 3339 time like 2021-03-05T21:40:00Z")
        })
    }

    pub(crate) fn mood(&self) -> Result<Option<u8>, String> {
        mood_from_json(self.map.get("mood"))
    }
}

/// The items of the list `key` as words (a number stands as its digits);
/// anything else is named, with what was `expected`.
pub(crate) fn str_items(key: &str, items: &[Value], expected: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            other => {
                return Err(format!(
                    "item {} of `{key}` is {}; expected {expected}",
                    i + 1,
                    describe(other)
                ));
            }
        }
    }
    Ok(out)
}

pub(crate) fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses a time written by a person: RFC 3339, or a local
/// `YYYY-MM-DD[ HH:MM[:SS]]` (also with `T`), read in `tz`.
pub(crate) fn parse_loose_time<Tz: TimeZone>(s: &str, tz: &Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = parse_rfc3339(s) {
        return Some(t);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(local_to_utc(tz, d.and_time(NaiveTime::MIN)));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(local_to_utc(tz, t));
        }
    }
    None
}

/// A wall-clock time in `tz` as an instant. In the hour a clock repeats the
/// earlier instant is taken; a time skipped by a clock change is read one
/// hour later (what the clock showed then).
pub(crate) fn local_to_utc<Tz: TimeZone>(tz: &Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    if let Some(t) = tz.from_local_datetime(&naive).earliest() {
        return t.with_timezone(&Utc);
    }
    if let Some(t) = naive
        .checked_add_signed(Duration::hours(1))
        .and_then(|later| tz.from_local_datetime(&later).earliest())
    {
        return t.with_timezone(&Utc);
    }
    Utc.from_utc_datetime(&naive)
}

/// Counts what a reader could not keep, one count per entry per kind, in the
/// order first seen.
#[derive(Debug, Default)]
pub(crate) struct DropLog {
    items: Vec<Dropped>,
}

impl DropLog {
    pub(crate) fn note(&mut self, what: &str, why: &str) {
        self.note_n(what, why, 1);
    }

    pub(crate) fn note_n(&mut self, what: &str, why: &str, n: usize) {
        if n == 0 {
            return;
        }
        if let Some(d) = self.items.iter_mut().find(|d| d.what == what) {
            d.entries += n;
        } else {
            self.items.push(Dropped {
                what: what.to_string(),
                entries: n,
                why: why.to_string(),
            });
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Dropped> {
        self.items
    }
}

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> InterchangeError {
    InterchangeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Read a whole file, refusing one over [`crate::FILE_MAX`] before reading
/// it.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, InterchangeError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let too_large = || InterchangeError::TooLarge {
        path: path.to_path_buf(),
        limit_mib: crate::FILE_MAX >> 20,
    };
    let size = file.metadata().map_err(|e| io_err(path, e))?.len();
    if size > crate::FILE_MAX {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(crate::FILE_MAX + 1)
        .read_to_end(&mut out)
        .map_err(|e| io_err(path, e))?;
    if out.len() as u64 > crate::FILE_MAX {
        return Err(too_large());
    }
    Ok(out)
}

/// Reads a UTF-8 text file, without a leading byte-order mark.
pub(crate) fn read_text(path: &Path) -> Result<String, InterchangeError> {
    let bytes = read_bytes(path)?;
    let name = file_name(path);
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Bad::new(
            format!("line {line}"),
            format!("{name} is not UTF-8 text; save it as UTF-8 and try again"),
        )
        .at(path)
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// failure never leaves half a file. Refuses to replace anything but an empty
/// file, so an export never overwrites a journal.
pub(crate) fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), InterchangeError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(io_err(
                path,
                std::io::Error::other("this is a folder; give the path of a file to create"),
            ));
        }
        Ok(meta) if meta.len() > 0 => {
            return Err(io_err(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the file already exists and is not empty; choose a new file name so nothing is overwritten",
                ),
            ));
        }
        _ => {}
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.hearth-tmp-{}",
        file_name(path),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    Ok(())
}

/// Checks records before anything is written: bad input changes nothing.
pub(crate) fn validate_records(records: &[Record]) -> Result<(), InterchangeError> {
    for (i, r) in records.iter().enumerate() {
        if let Some(m) = r.mood.filter(|m| !(1..=5).contains(m)) {
            return Err(InterchangeError::InvalidRecord {
                entry: i + 1,
                message: format!("mood is {m}; a mood is 1 to 5, or none"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalized() {
        assert_eq!(
            normalize_tags([" @work ", "#home", "work", "", "@", "Work"]),
            vec!["work", "home", "Work"]
        );
    }

    #[test]
    fn mood_range() {
        assert_eq!(mood_from_json(Some(&Value::from(3))), Ok(Some(3)));
        assert!(mood_from_json(Some(&Value::from(9))).is_err());
        assert!(mood_from_json(Some(&Value::from(0))).is_err());
        assert!(mood_from_json(Some(&Value::from(-1))).is_err());
        assert!(mood_from_json(Some(&Value::from("3"))).is_err());
        assert_eq!(mood_from_json(Some(&Value::Null)), Ok(None));
    }

    #[test]
    fn loose_times() {
        let t = parse_loose_time("2021-03-05 21:40", &Utc);
        assert_eq!(
            t.map(|t| t.to_rfc3339()),
            Some("2021-03-05T21:40:00+00:00".to_string())
        );
        assert!(parse_loose_time("2021-02-30", &Utc).is_none());
    }
}
