//! Hearth's own JSON backup: `{"format":"hearth","version":1,"entries":[…]}`.
//!
//! This is the one format that holds every field of a [`Record`], so it is
//! the format for "leave with everything" and for restoring it. Each entry is
//! `{id, title, body, mood, feelings, tags, starred, created_at, updated_at}`
//! with RFC 3339 times in UTC. Times keep full nanosecond precision (chrono
//! writes as many fraction digits as the time has, 0, 3, 6 or 9), so
//! write→read gives back identical records.
//!
//! Reading checks the `format` marker and the `version` (only 1 is known: a
//! newer file is refused with a message saying to update Hearth rather than
//! being half read), then every entry, and reports the first problem with its
//! entry number. Fields that version 1 does not define are ignored and listed
//! in [`Parsed::dropped`].

use crate::common::{
    Bad, DropLog, Fields, describe, entry_location, json_syntax, normalize_tags, write_new_file,
};
use crate::{InterchangeError, Parsed, Record};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

const FORMAT: &str = "hearth";
const VERSION: u64 = 1;
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

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'static str,
    version: u64,
    entries: &'a [Record],
}

pub(crate) fn read(path: &Path) -> Result<Parsed, InterchangeError> {
    let text = crate::common::read_text(path)?;
    parse(&text).map_err(|b| b.at(path))
}

pub(crate) fn write(path: &Path, records: &[Record]) -> Result<(), InterchangeError> {
    let text = render(records).map_err(|e| InterchangeError::Unsupported(e.to_string()))?;
    write_new_file(path, text.as_bytes())
}

pub(crate) fn render(records: &[Record]) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(&Envelope {
        format: FORMAT,
        version: VERSION,
        entries: records,
    })?;
    s.push('\n');
    Ok(s)
}

pub(crate) fn parse(text: &str) -> Result<Parsed, Bad> {
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
    match top.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(Value::Number(n)) => {
            return Err(Bad::new(
                "file",
                format!(
                    "this backup is version {n}, and this Hearth reads only version {VERSION}; update Hearth to read it"
                ),
            ));
        }
        Some(other) => {
            return Err(Bad::new(
                "file",
                format!("`version` is {}; expected the number 1", describe(other)),
            ));
        }
        None => {
            return Err(Bad::new(
                "file",
                format!("`version` is missing; expected {SHAPE}"),
            ));
        }
    }
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
        let record = entry_from(&f).map_err(|m| Bad::new(entry_location(i), m))?;
        for key in map.keys() {
            if !ENTRY_KEYS.contains(&key.as_str()) {
                dropped.note(
                    &format!("entry field `{key}`"),
                    "Hearth backup version 1 does not define it",
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
        let err = parse(r#"{"format":"hearth","version":2,"entries":[]}"#).unwrap_err();
        assert!(err.message.contains("version 2"), "{err:?}");
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
