//! What `jrnl --export json` writes, read and written.
//!
//! jrnl users export to this when they want their journal as data, and tools
//! around jrnl read it; jrnl itself cannot import it. The shape is that of
//! `jrnl/plugins/json_exporter.py` (jrnl 4.6):
//!
//! ```json
//! {
//!   "tags": {"@work": 2},
//!   "entries": [
//!     {"title": "…", "body": "…", "date": "2021-03-05", "time": "21:40",
//!      "tags": ["@work"], "starred": false}
//!   ]
//! }
//! ```
//!
//! written like Python's `json.dumps(…, indent=2)`: two-space indent, every
//! character outside printable ASCII as `\uXXXX`, no final newline. Entries
//! of jrnl's Day One journal type also carry `uuid` and `creator`; those are
//! read but not kept (they are listed in [`Parsed::dropped`]), as is any other
//! field.
//!
//! `date` and `time` are local time without an offset and only to the
//! minute, so seconds are lost; `updated_at` is taken to be `created_at`.
//! Title and body are kept exactly (JSON holds any text), tags are written
//! with an `@` (jrnl's own are lowercase; Hearth keeps their spelling) and
//! read without their `@`/`#`. Ids, mood and feelings are not written.
//! Entries are written in creation order, as jrnl does.

use crate::common::{
    Bad, DropLog, Fields, describe, entry_location, json_syntax, local_to_utc, normalize_tags,
    write_new_file,
};
use crate::{Dropped, InterchangeError, Parsed, Record};
use chrono::{NaiveDate, NaiveTime, TimeZone, Timelike};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

const SHAPE: &str = r#"jrnl's JSON export: {"tags": {...}, "entries": [{"title", "body", "date", "time", "tags", "starred"}, ...]}"#;
const ENTRY_KEYS: [&str; 6] = ["title", "body", "date", "time", "tags", "starred"];

#[derive(Serialize)]
struct Export<'a> {
    tags: BTreeMap<String, usize>,
    entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    title: &'a str,
    body: &'a str,
    date: String,
    time: String,
    tags: Vec<String>,
    starred: bool,
}

pub(crate) fn read<Tz: TimeZone>(path: &Path, tz: &Tz) -> Result<Parsed, InterchangeError> {
    let text = crate::common::read_text(path)?;
    parse(&text, tz).map_err(|b| b.at(path))
}

pub(crate) fn write<Tz: TimeZone>(
    path: &Path,
    records: &[Record],
    tz: &Tz,
) -> Result<(), InterchangeError>
where
    Tz::Offset: std::fmt::Display,
{
    let text = render(records, tz).map_err(|e| InterchangeError::Unsupported(e.to_string()))?;
    write_new_file(path, text.as_bytes())
}

pub(crate) fn render<Tz: TimeZone>(records: &[Record], tz: &Tz) -> Result<String, serde_json::Error>
where
    Tz::Offset: std::fmt::Display,
{
    let mut order: Vec<&Record> = records.iter().collect();
    order.sort_by_key(|r| r.created_at);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let entries: Vec<Entry<'_>> = order
        .iter()
        .map(|r| {
            let local = r.created_at.with_timezone(tz);
            let tags: Vec<String> = normalize_tags(&r.tags)
                .into_iter()
                .map(|t| format!("@{t}"))
                .collect();
            for t in &tags {
                *counts.entry(t.clone()).or_default() += 1;
            }
            Entry {
                title: &r.title,
                body: &r.body,
                date: local.format("%Y-%m-%d").to_string(),
                time: local.format("%H:%M").to_string(),
                tags,
                starred: r.starred,
            }
        })
        .collect();
    let export = Export {
        tags: counts,
        entries,
    };
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonJson::default());
    export.serialize(&mut ser)?;
    // The formatter writes only ASCII.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// serde_json's pretty printer with Python's `ensure_ascii`: everything
/// outside printable ASCII becomes `\uXXXX` (UTF-16 units).
#[derive(Default)]
struct PythonJson {
    pretty: serde_json::ser::PrettyFormatter<'static>,
}

impl serde_json::ser::Formatter for PythonJson {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{u:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

pub(crate) fn parse<Tz: TimeZone>(text: &str, tz: &Tz) -> Result<Parsed, Bad> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_syntax(&e, SHAPE))?;
    let Value::Object(top) = value else {
        return Err(Bad::new(
            "file",
            format!("the file holds {}; expected {SHAPE}", describe(&value)),
        ));
    };
    match top.get("tags") {
        None | Some(Value::Object(_)) => {}
        Some(other) => {
            return Err(Bad::new(
                "file",
                format!(
                    "`tags` is {}; expected an object of tag counts like {{\"@work\": 2}}",
                    describe(other)
                ),
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
    let mut records = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(map) = entry else {
            return Err(Bad::new(
                entry_location(i),
                format!(
                    "the entry is {}; expected an object {{\"title\", \"body\", \"date\", \"time\", \"tags\", \"starred\"}}",
                    describe(entry)
                ),
            ));
        };
        let f = Fields::new(map);
        let record = entry_from(&f, tz).map_err(|m| Bad::new(entry_location(i), m))?;
        for key in map.keys() {
            match key.as_str() {
                k if ENTRY_KEYS.contains(&k) => {}
                "uuid" => dropped.note(
                    "Day One entry ids (uuid)",
                    "Hearth gives each imported entry its own id",
                ),
                "creator" => dropped.note(
                    "creator (device and software)",
                    "Hearth does not record which device wrote an entry",
                ),
                other => dropped.note(
                    &format!("entry field `{other}`"),
                    "jrnl's export does not define it and Hearth has no field for it",
                ),
            }
        }
        records.push(record);
    }
    Ok(Parsed {
        records,
        dropped: dropped.into_vec(),
    })
}

fn entry_from<Tz: TimeZone>(f: &Fields<'_>, tz: &Tz) -> Result<Record, String> {
    let date_s = f.req_str("date")?;
    let date = NaiveDate::parse_from_str(date_s.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "`date` is \"{date_s}\", which is not a date; expected YYYY-MM-DD like \"2021-03-05\""
        )
    })?;
    let time_s = f.req_str("time")?;
    let time = NaiveTime::parse_from_str(time_s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time_s.trim(), "%H:%M:%S"))
        .map_err(|_| {
            format!("`time` is \"{time_s}\", which is not a time; expected HH:MM (24-hour) like \"21:40\"")
        })?;
    let when = local_to_utc(tz, date.and_time(time));
    Ok(Record {
        id: None,
        title: f.req_str("title")?,
        body: f.req_str("body")?,
        mood: None,
        feelings: Vec::new(),
        tags: normalize_tags(f.opt_str_list("tags")?.unwrap_or_default()),
        starred: f.opt_bool("starred")?.unwrap_or(false),
        created_at: when,
        updated_at: when,
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    })
}

/// What writing `records` as jrnl JSON leaves out.
pub(crate) fn lost_on_write(records: &[Record]) -> Vec<Dropped> {
    let mut log = DropLog::default();
    for r in records {
        if r.id.is_some() {
            log.note("ids", "jrnl has no entry ids; a re-import gets new ones");
        }
        if r.mood.is_some() {
            log.note("mood", "jrnl has no mood");
        }
        if !r.feelings.is_empty() {
            log.note("feelings", "jrnl has no feelings list");
        }
        if r.updated_at != r.created_at {
            log.note("last-edited time", "jrnl keeps only the entry's date");
        }
        if r.created_at.second() != 0 || r.created_at.nanosecond() != 0 {
            log.note("seconds", "jrnl's JSON export keeps times to the minute");
        }
    }
    log.into_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::{DateTime, Utc};

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    mod round_trip {
        #![allow(clippy::unwrap_used, clippy::expect_used)]
        use super::super::*;
        use chrono::{DateTime, FixedOffset, Utc};
        use proptest::prelude::*;

        fn record() -> impl Strategy<Value = Record> {
            (
                any::<String>(),
                any::<String>(),
                proptest::collection::vec("[^@#\\s]([^\\n]{0,8}[^\\s])?", 0..4),
                any::<bool>(),
                0i64..68_000_000,
            )
                .prop_map(|(title, body, tags, starred, minutes)| {
                    let t = DateTime::from_timestamp(minutes * 60, 0).unwrap();
                    Record {
                        id: None,
                        title,
                        body,
                        mood: None,
                        feelings: vec![],
                        tags: normalize_tags(tags),
                        starred,
                        created_at: t,
                        updated_at: t,
                        attachments: Vec::new(),
                        place: None,
                        weather: None,
                        time_zone: None,
                    }
                })
        }

        fn check<Tz: TimeZone>(records: &[Record], tz: &Tz) -> Result<(), TestCaseError>
        where
            Tz::Offset: std::fmt::Display,
        {
            let text = render(records, tz).unwrap();
            prop_assert!(text.is_ascii());
            let back = parse(&text, tz).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let mut expected = records.to_vec();
            expected.sort_by_key(|r| r.created_at);
            prop_assert_eq!(back.records, expected);
            prop_assert!(back.dropped.is_empty());
            Ok(())
        }

        proptest! {
            #[test]
            fn jrnl_json_round_trip(records in proptest::collection::vec(record(), 0..6)) {
                check(&records, &Utc)?;
                check(&records, &FixedOffset::east_opt(9 * 3600).unwrap())?;
            }

            #[test]
            fn jrnl_json_parse_never_panics(text in "\\PC{0,200}") {
                let _ = parse(&text, &Utc);
            }
        }
    }

    #[test]
    fn writes_like_python() {
        let r = Record {
            id: None,
            title: "Caf\u{e9} \u{1F600}".into(),
            body: "line\n\"q\"\t\u{7f}".into(),
            mood: None,
            feelings: vec![],
            tags: vec!["work".into()],
            starred: false,
            created_at: utc("2021-03-05T21:40:59Z"),
            updated_at: utc("2021-03-05T21:40:59Z"),
            attachments: Vec::new(),
            place: None,
            weather: None,
            time_zone: None,
        };
        let text = render(&[r], &Utc).unwrap();
        let expected = r#"{
  "tags": {
    "@work": 1
  },
  "entries": [
    {
      "title": "Caf\u00e9 \ud83d\ude00",
      "body": "line\n\"q\"\t\u007f",
      "date": "2021-03-05",
      "time": "21:40",
      "tags": [
        "@work"
      ],
      "starred": false
    }
  ]
}"#;
        assert_eq!(text, expected);
        let back = parse(&text, &Utc).unwrap();
        assert_eq!(back.records[0].title, "Caf\u{e9} \u{1F600}");
        assert_eq!(back.records[0].created_at, utc("2021-03-05T21:40:00Z"));
    }

    #[test]
    fn empty_journal() {
        let text = render(&[], &Utc).unwrap();
        assert_eq!(text, "{\n  \"tags\": {},\n  \"entries\": []\n}");
        assert!(parse(&text, &Utc).unwrap().records.is_empty());
    }

    #[test]
    fn errors_name_the_entry() {
        let ok = r#"{"title":"a","body":"","date":"2021-03-05","time":"21:40","tags":[],"starred":false}"#;
        let bad = r#"{"title":"a","body":"","date":"2021-03-32","time":"21:40","tags":[],"starred":false}"#;
        let e = parse(&format!(r#"{{"tags":{{}},"entries":[{ok},{bad}]}}"#), &Utc).unwrap_err();
        assert_eq!(e.location, "entry 2");
        assert!(e.message.contains("date"), "{e:?}");
        let e = parse(r#"{"entries":[{"title":"a"}]}"#, &Utc).unwrap_err();
        assert!(e.message.contains("`date` is missing"), "{e:?}");
        let e = parse("{\"entries\": [\n}", &Utc).unwrap_err();
        assert!(e.location.starts_with("line 2"), "{e:?}");
    }

    #[test]
    fn dayone_extras_are_reported() {
        let text = r##"{"tags":{},"entries":[{"title":"a","body":"","date":"2021-03-05","time":"21:40","tags":["#x","@y"],"starred":true,"uuid":"ABC","creator":{"host_name":"mac"}}]}"##;
        let p = parse(text, &Utc).unwrap();
        assert_eq!(p.records[0].tags, vec!["x", "y"]);
        assert!(p.records[0].starred);
        assert_eq!(p.dropped.len(), 2);
    }
}
