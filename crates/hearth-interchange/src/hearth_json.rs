//! Hearth's own JSON backup: `{"format":"hearth","version":1,"entries":[…]}`.
//!
//! This is the one format that holds every field of a [`Record`], so it is
//! the format for "leave with everything" and for restoring it. Each entry is
//! `{id, title, body, mood, feelings, tags, starred, created_at, updated_at}`
//! with RFC 3339 times in UTC. Times keep full nanosecond precision (chrono
//! writes as many fraction digits as the time has, 0, 3, 6 or 9), so
//! write→read gives back identical records.
//!
//! Version 2 adds, to an entry that has them, `place` (`{name, latitude,
//! longitude}`), `weather`, `time_zone` and `attachments`: `[{key, name,
//! media_type, file}]`, where the body shows a file as `attachment:KEY` and
//! `file` is its path relative to the JSON file. Writing puts the files in a
//! folder beside the JSON file named after it (`journal.json` gets
//! `journal.files/`), which must not exist yet or be empty. A file without
//! any of those is still written as version 1.
//!
//! Reading checks the `format` marker and the `version` (1 and 2 are known: a
//! newer file is refused with a message saying to update Hearth rather than
//! being half read), then every entry, and reports the first problem with its
//! entry number. Fields that the version does not define are ignored and
//! listed in [`Parsed::dropped`]. An attachment's `file` must stay inside the
//! JSON file's folder; one that is missing is reported by the importer.

use crate::common::{
    Bad, DropLog, Fields, describe, entry_location, json_syntax, normalize_tags, write_new_file,
};
use crate::{AttachmentSource, Blobs, InterchangeError, Parsed, Place, Record, RecordAttachment};
use serde::Serialize;
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

const FORMAT: &str = "hearth";
const VERSION: u64 = 2;
const SHAPE: &str = r#"a Hearth backup: {"format":"hearth","version":1,"entries":[...]}"#;
const ENTRY_KEYS: [&str; 9] = [
    "id",
    "title",
    "body",
    "mood",
    "feelings",
    "tags",
    "starred",
    "created_at",
    "updated_at",
];

const ENTRY_KEYS_2: [&str; 4] = ["attachments", "place", "weather", "time_zone"];

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'static str,
    version: u64,
    entries: &'a [Value],
}

pub(crate) fn read(path: &Path) -> Result<Parsed, InterchangeError> {
    let text = crate::common::read_text(path)?;
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    parse_in(&text, base).map_err(|b| b.at(path))
}

/// The folder a JSON file's attachments go in: `journal.json` gets
/// `journal.files`.
fn files_folder(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "hearth".into());
    path.with_file_name(format!("{stem}.files"))
}

pub(crate) fn write(
    path: &Path,
    records: &[Record],
    blobs: &dyn Blobs,
) -> Result<(), InterchangeError> {
    let has_files = records.iter().any(|r| !r.attachments.is_empty());
    let folder = files_folder(path);
    let mut files = Vec::new();
    if has_files {
        if std::fs::read_dir(&folder).is_ok_and(|mut d| d.next().is_some()) {
            return Err(crate::common::io_err(
                &folder,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "this folder for the entries' files already holds files; choose a new file name so nothing is overwritten",
                ),
            ));
        }
        std::fs::create_dir_all(&folder).map_err(|e| crate::common::io_err(&folder, e))?;
    }
    let folder_name = crate::common::file_name(&folder);
    let written = (|| -> Result<(), InterchangeError> {
        let mut done = std::collections::HashSet::new();
        for r in records {
            for a in &r.attachments {
                let name = file_for(a);
                if !done.insert(name.clone()) {
                    continue;
                }
                let AttachmentSource::Stored(id) = &a.source else {
                    continue;
                };
                let dest = folder.join(&name);
                let mut out =
                    std::fs::File::create(&dest).map_err(|e| crate::common::io_err(&dest, e))?;
                blobs
                    .copy(id, &mut out)
                    .map_err(|e| crate::common::io_err(&dest, e))?;
                files.push(dest);
            }
        }
        let text = render_with(records, &folder_name)
            .map_err(|e| InterchangeError::Unsupported(e.to_string()))?;
        write_new_file(path, text.as_bytes())
    })();
    if written.is_err() && has_files {
        let _ = std::fs::remove_dir_all(&folder);
    }
    written
}

/// The file name an attachment is written under: its key (an id, for
/// Hearth's own) first, so two files of one name stay apart.
fn file_for(a: &RecordAttachment) -> String {
    let key: String = a.key.chars().take(12).collect();
    let name: String = a
        .name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{key}-{name}")
}

#[cfg(test)]
pub(crate) fn render(records: &[Record]) -> Result<String, serde_json::Error> {
    render_with(records, "hearth.files")
}

fn render_with(records: &[Record], folder: &str) -> Result<String, serde_json::Error> {
    let mut version = 1;
    let mut entries = Vec::with_capacity(records.len());
    for r in records {
        let mut v = serde_json::to_value(r)?;
        if let Value::Object(map) = &mut v {
            if ENTRY_KEYS_2.iter().any(|k| map.contains_key(*k)) {
                version = VERSION;
            }
            if let Some(Value::Array(list)) = map.get_mut("attachments") {
                for (item, a) in list.iter_mut().zip(&r.attachments) {
                    if let Value::Object(o) = item {
                        o.insert("file".into(), format!("{folder}/{}", file_for(a)).into());
                    }
                }
            }
        }
        entries.push(v);
    }
    let mut s = serde_json::to_string_pretty(&Envelope {
        format: FORMAT,
        version,
        entries: &entries,
    })?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Parsed, Bad> {
    parse_in(text, Path::new("."))
}

/// Parse, with attachments' files found relative to `base`.
pub(crate) fn parse_in(text: &str, base: &Path) -> Result<Parsed, Bad> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_syntax(&e, SHAPE))?;
    let Value::Object(top) = value else {
        return Err(Bad::new(
            "file",
            format!("the file holds {}; expected {SHAPE}", describe(&value)),
        ));
    };
    match top.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(Value::String(f)) => {
            return Err(Bad::new(
                "file",
                format!("this is a \"{f}\" file, not a Hearth backup; expected {SHAPE}"),
            ));
        }
        Some(other) => {
            return Err(Bad::new(
                "file",
                format!(
                    "`format` is {}; expected \"hearth\" in {SHAPE}",
                    describe(other)
                ),
            ));
        }
        None => {
            return Err(Bad::new(
                "file",
                format!(
                    "there is no \"format\":\"hearth\" marker, so this is not a Hearth backup; expected {SHAPE}"
                ),
            ));
        }
    }
    let version = match top.get("version") {
        Some(Value::Number(n)) if matches!(n.as_u64(), Some(1..=VERSION)) => {
            n.as_u64().unwrap_or(1)
        }
        Some(Value::Number(n)) => {
            return Err(Bad::new(
                "file",
                format!(
                    "this backup is version {n}, and this Hearth reads versions 1 to {VERSION}; update Hearth to read it"
                ),
            ));
        }
        Some(other) => {
            return Err(Bad::new(
                "file",
                format!(
                    "`version` is {}; expected the number 1 or 2",
                    describe(other)
                ),
            ));
        }
        None => {
            return Err(Bad::new(
                "file",
                format!("`version` is missing; expected {SHAPE}"),
            ));
        }
    };
    let entries = match top.get("entries") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Bad::new(
                "file",
                format!(
                    "`entries` is {}; expected a list of entries",
                    describe(other)
                ),
            ));
        }
        None => {
            return Err(Bad::new(
                "file",
                format!("`entries` is missing; expected {SHAPE}"),
            ));
        }
    };

    let mut dropped = DropLog::default();
    for key in top.keys() {
        if !["format", "version", "entries"].contains(&key.as_str()) {
            dropped.note(
                &format!("backup field `{key}`"),
                "Hearth backup version 1 does not define it",
            );
        }
    }
    let mut records = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(map) = entry else {
            return Err(Bad::new(
                entry_location(i),
                format!(
                    "the entry is {}; expected an object {{\"id\", \"title\", \"body\", \"mood\", \"feelings\", \"tags\", \"starred\", \"created_at\", \"updated_at\"}}",
                    describe(entry)
                ),
            ));
        };
        let f = Fields::new(map);
        let mut record = entry_from(&f).map_err(|m| Bad::new(entry_location(i), m))?;
        if version >= 2 {
            extras_from(&f, base, &mut record).map_err(|m| Bad::new(entry_location(i), m))?;
        }
        for key in map.keys() {
            let known = ENTRY_KEYS.contains(&key.as_str())
                || (version >= 2 && ENTRY_KEYS_2.contains(&key.as_str()));
            if !known {
                dropped.note(
                    &format!("entry field `{key}`"),
                    &format!("Hearth backup version {version} does not define it"),
                );
            }
        }
        records.push(record);
    }
    Ok(Parsed {
        records,
        dropped: dropped.into_vec(),
    })
}

/// Version 2's fields: place, weather, time zone and attachments.
fn extras_from(f: &Fields<'_>, base: &Path, r: &mut Record) -> Result<(), String> {
    r.weather = f.opt_str("weather", true)?;
    r.time_zone = f.opt_str("time_zone", true)?;
    r.place = match f.map.get("place") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<Place>(v.clone())
                .map_err(|e| format!("`place` is not {{name, latitude, longitude}}: {e}"))?,
        ),
    };
    let list = match f.map.get("attachments") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(format!(
                "`attachments` is {}; expected a list of {{key, name, media_type, file}}",
                describe(other)
            ));
        }
    };
    for (n, item) in list.iter().enumerate() {
        let Value::Object(map) = item else {
            return Err(format!(
                "attachment {} is {}; expected an object",
                n + 1,
                describe(item)
            ));
        };
        let a = Fields::new(map);
        let key = a.req_str("key")?;
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(format!(
                "attachment {}'s `key` {key:?} may hold only letters, digits, - _ and .",
                n + 1
            ));
        }
        let file = a.req_str("file")?;
        let relative = Path::new(&file);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(format!(
                "attachment {}'s `file` {file:?} leaves the backup's folder; it must be a path inside it",
                n + 1
            ));
        }
        r.attachments.push(RecordAttachment {
            key,
            name: a.req_str("name")?,
            media_type: a.opt_str("media_type", true)?,
            source: AttachmentSource::File(base.join(relative)),
        });
    }
    Ok(())
}

fn entry_from(f: &Fields<'_>) -> Result<Record, String> {
    Ok(Record {
        id: f.opt_str("id", true)?,
        title: f.req_str("title")?,
        body: f.req_str("body")?,
        mood: f.mood()?,
        feelings: f.req_str_list("feelings")?,
        tags: normalize_tags(f.req_str_list("tags")?),
        starred: f.req_bool("starred")?,
        created_at: f.req_rfc3339("created_at")?,
        updated_at: f.req_rfc3339("updated_at")?,
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::{TimeZone, Utc};

    fn sample() -> Record {
        Record {
            id: Some("01HX".into()),
            title: "Morning".into(),
            body: "  Walked.\n\n---\nDone. ✓ ".into(),
            mood: Some(4),
            feelings: vec!["calm".into(), "tired".into()],
            tags: vec!["walk".into(), "Board Games".into()],
            starred: true,
            created_at: "2021-03-05T21:40:00.123456789Z".parse().unwrap(),
            updated_at: Utc.with_ymd_and_hms(2021, 3, 6, 8, 0, 0).unwrap(),
            attachments: Vec::new(),
            place: None,
            weather: None,
            time_zone: None,
        }
    }

    #[test]
    fn round_trip_in_memory() {
        let recs = vec![sample()];
        let text = render(&recs).unwrap();
        assert!(text.contains("\"format\": \"hearth\""));
        assert!(text.contains("2021-03-05T21:40:00.123456789Z"));
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.records, recs);
        assert!(parsed.dropped.is_empty());
    }

    #[test]
    fn wrong_version_is_refused() {
        let err = parse(r#"{"format":"hearth","version":3,"entries":[]}"#).unwrap_err();
        assert!(err.message.contains("version 3"), "{err:?}");
        assert!(err.message.contains("update Hearth"), "{err:?}");
    }

    #[test]
    fn mood_nine_names_the_entry() {
        let mut r = sample();
        r.mood = None;
        let mut v = serde_json::to_value(vec![r.clone(), r]).unwrap();
        v[1]["mood"] = 9.into();
        let text = format!(r#"{{"format":"hearth","version":1,"entries":{v}}}"#);
        let err = parse(&text).unwrap_err();
        assert_eq!(err.location, "entry 2");
        assert!(err.message.contains("mood"), "{err:?}");
    }

    #[test]
    fn syntax_error_has_line() {
        let err =
            parse("{\n\"format\": \"hearth\",\n\"version\": 1,\n\"entries\": [ {,] }").unwrap_err();
        assert!(err.location.starts_with("line 4"), "{err:?}");
    }

    #[test]
    fn unknown_fields_are_reported() {
        let r = sample();
        let mut v = serde_json::to_value(vec![r]).unwrap();
        v[0]["location"] = "Dublin".into();
        let text = format!(r#"{{"format":"hearth","version":1,"entries":{v}}}"#);
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.dropped.len(), 1);
        assert_eq!(parsed.dropped[0].what, "entry field `location`");
    }
}
