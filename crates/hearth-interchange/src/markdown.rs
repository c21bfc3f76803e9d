//! A folder of Markdown files, one per entry, with YAML front matter.
//!
//! This is the format people can open without Hearth (any editor, Obsidian,
//! a static site generator), and the way to bring in notes written elsewhere.
//!
//! Writing: PATH must be a missing or empty folder (it is created if
//! missing; a non-empty folder is refused so nothing is overwritten). Each
//! entry becomes `YYYY-MM-DD-HHMM-<slug>.md`, the time being the creation
//! time in the local time zone and the slug an ASCII rendering of the title
//! (`entry` when the title has none); equal names get `-2`, `-3`, …. The file
//! is `---`, the front matter (`id` when present, `title`, `mood` when
//! present, `feelings`, `tags`, `starred`, `created_at`, `updated_at` as
//! RFC 3339 UTC with full precision), `---`, then the body byte for byte. So
//! write→read is lossless for every field.
//!
//! Reading: every `*.md` file directly in the folder (not in subfolders;
//! hidden files and folders are skipped), in file-name order, which for
//! Hearth's own names is creation order; a path to a single `.md` file reads
//! just that file. Front matter is optional and every key in it is optional:
//! - title: `title`, else a first non-blank line `# Heading` (taken out of the
//!   body with the blank lines after it), else the file stem without a
//!   leading date prefix (the whole stem if nothing else is left);
//! - created_at: `created_at`, else `date`, else a `YYYY-MM-DD` (optionally
//!   `-HHMM`) prefix of the file name read as local time, else the file's
//!   modification time; times in front matter may be RFC 3339 or local
//!   `YYYY-MM-DD[ HH:MM[:SS]]`;
//! - updated_at: `updated_at`, else created_at when the front matter gave it,
//!   else the later of the modification time and created_at;
//! - tags and feelings: a YAML list, or one comma-separated string.
//!
//! Front matter keys Hearth has no field for, subfolders and non-Markdown
//! files are listed in [`Parsed::dropped`].

use crate::common::{
    Bad, DropLog, Fields, describe, file_name, io_err, local_to_utc, normalize_tags,
    parse_loose_time,
};
use crate::{InterchangeError, Parsed, Record};
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const KNOWN_KEYS: [&str; 10] = [
    "id",
    "title",
    "mood",
    "feelings",
    "tags",
    "starred",
    "created_at",
    "updated_at",
    "date",
    "body",
];

#[derive(Serialize)]
struct Front<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mood: Option<u8>,
    feelings: &'a [String],
    tags: &'a [String],
    starred: bool,
    created_at: String,
    updated_at: String,
}

/// One file as Hearth writes it.
pub(crate) fn render_one(record: &Record) -> Result<String, serde_yaml::Error> {
    let front = Front {
        id: record.id.as_deref(),
        title: &record.title,
        mood: record.mood,
        feelings: &record.feelings,
        tags: &record.tags,
        starred: record.starred,
        created_at: record
            .created_at
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        updated_at: record
            .updated_at
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
    };
    let yaml = serde_yaml::to_string(&front)?;
    Ok(format!("---\n{yaml}---\n{}", record.body))
}

/// The file name for each record, unique within the set.
pub(crate) fn file_names<Tz: TimeZone>(records: &[Record], tz: &Tz) -> Vec<String>
where
    Tz::Offset: std::fmt::Display,
{
    let mut used: HashSet<String> = HashSet::new();
    records
        .iter()
        .map(|r| {
            let when = r.created_at.with_timezone(tz).format("%Y-%m-%d-%H%M");
            let base = format!("{when}-{}", slug(&r.title));
            let mut name = format!("{base}.md");
            let mut n = 2usize;
            while used.contains(&name.to_lowercase()) {
                name = format!("{base}-{n}.md");
                n += 1;
            }
            used.insert(name.to_lowercase());
            name
        })
        .collect()
}

/// An ASCII slug of a title: lowercase letters and digits joined by `-`,
/// common accented Latin letters folded, at most 50 characters, `entry` if
/// nothing is left.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let folded: Option<&str> = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => Some("a"),
            'æ' => Some("ae"),
            'ç' | 'ć' | 'č' => Some("c"),
            'ď' | 'đ' | 'ð' => Some("d"),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => Some("e"),
            'ğ' => Some("g"),
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => Some("i"),
            'ł' => Some("l"),
            'ñ' | 'ń' | 'ň' => Some("n"),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => Some("o"),
            'œ' => Some("oe"),
            'ř' => Some("r"),
            'ß' => Some("ss"),
            'ś' | 'š' | 'ş' => Some("s"),
            'ť' | 'ţ' => Some("t"),
            'þ' => Some("th"),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => Some("u"),
            'ý' | 'ÿ' => Some("y"),
            'ź' | 'ż' | 'ž' => Some("z"),
            _ => None,
        };
        let mut push = |s: &str| {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push_str(s);
        };
        if c.is_ascii_alphanumeric() {
            push(c.encode_utf8(&mut [0u8; 4]));
        } else if let Some(f) = folded {
            push(f);
        } else {
            pending_dash = true;
        }
        if out.len() >= 50 {
            break;
        }
    }
    out.truncate(50);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "entry".to_string()
    } else {
        out
    }
}

pub(crate) fn write<Tz: TimeZone>(
    dir: &Path,
    records: &[Record],
    tz: &Tz,
) -> Result<(), InterchangeError>
where
    Tz::Offset: std::fmt::Display,
{
    let mut contents = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let text = render_one(r).map_err(|e| InterchangeError::InvalidRecord {
            entry: i + 1,
            message: format!("cannot be written as YAML front matter: {e}"),
        })?;
        contents.push(text);
    }
    let names = file_names(records, tz);

    let created = match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(io_err(
                dir,
                std::io::Error::other(
                    "this is a file; a Markdown export needs a new or empty folder",
                ),
            ));
        }
        Ok(_) => {
            let mut it = std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
            if it.next().is_some() {
                return Err(io_err(
                    dir,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the folder is not empty; export into a new or empty folder so no file is overwritten",
                    ),
                ));
            }
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
            true
        }
        Err(e) => return Err(io_err(dir, e)),
    };

    let mut written: Vec<PathBuf> = Vec::new();
    for (name, text) in names.iter().zip(contents.iter()) {
        let path = dir.join(name);
        if let Err(e) = write_new(&path, text.as_bytes()) {
            for p in &written {
                let _ = std::fs::remove_file(p);
            }
            let _ = std::fs::remove_file(&path);
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(io_err(&path, e));
        }
        written.push(path);
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

pub(crate) fn read<Tz: TimeZone>(path: &Path, tz: &Tz) -> Result<Parsed, InterchangeError> {
    let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
    let mut dropped = DropLog::default();
    let mut files: Vec<PathBuf> = Vec::new();
    if meta.is_dir() {
        let mut subfolders = 0usize;
        let mut others = 0usize;
        for item in std::fs::read_dir(path).map_err(|e| io_err(path, e))? {
            let item = item.map_err(|e| io_err(path, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let p = item.path();
            let m = std::fs::metadata(&p).map_err(|e| io_err(&p, e))?;
            if m.is_dir() {
                subfolders += 1;
            } else if is_markdown(&p) {
                files.push(p);
            } else {
                others += 1;
            }
        }
        dropped.note_n(
            "subfolders",
            "only the .md files directly in the folder are read",
            subfolders,
        );
        dropped.note_n(
            "files that are not .md",
            "only Markdown (.md) files are read",
            others,
        );
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }

    let mut records = Vec::with_capacity(files.len());
    for file in &files {
        let text = crate::common::read_text(file).map_err(|e| match e {
            InterchangeError::Malformed {
                location, message, ..
            } => Bad::new(file_name(file), format!("{location}: {message}")).at(path),
            other => other,
        })?;
        let mtime = std::fs::metadata(file)
            .and_then(|m| m.modified())
            .map(DateTime::<Utc>::from)
            .map_err(|e| io_err(file, e))?;
        let record =
            parse_file(&file_name(file), &text, mtime, tz, &mut dropped).map_err(|b| b.at(path))?;
        records.push(record);
    }
    Ok(Parsed {
        records,
        dropped: dropped.into_vec(),
    })
}

fn is_markdown(p: &Path) -> bool {
    p.extension()
        .map(|e| e.to_string_lossy().eq_ignore_ascii_case("md"))
        .unwrap_or(false)
}

/// Splits `---\n<yaml>---\n<body>`. `Ok(None)` when the file has no front
/// matter. The YAML's first line is line 2 of the file.
fn split_front_matter<'t>(name: &str, text: &'t str) -> Result<Option<(&'t str, &'t str)>, Bad> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(None);
    };
    if first.trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = first.len();
    let mut pos = yaml_start;
    for line in lines {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok(Some((&text[yaml_start..pos], &text[pos + line.len()..])));
        }
        pos += line.len();
    }
    Err(Bad::new(
        name,
        "the front matter that opens with `---` on line 1 is never closed; add a line `---` after it (or remove the first line if it is not front matter)",
    ))
}

/// A YAML scalar as text (`title: 2021` is the text "2021").
fn scalar_text(f: &Fields<'_>, key: &str) -> Result<Option<String>, String> {
    match f.map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(other) => Err(format!("`{key}` is {}; expected text", describe(other))),
    }
}

/// A list of words, or one comma-separated string.
fn word_list(f: &Fields<'_>, key: &str) -> Result<Vec<String>, String> {
    match f.map.get(key) {
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect()),
        _ => Ok(f.opt_str_list(key)?.unwrap_or_default()),
    }
}

fn front_time<Tz: TimeZone>(
    f: &Fields<'_>,
    key: &str,
    tz: &Tz,
) -> Result<Option<DateTime<Utc>>, String> {
    match scalar_text(f, key)? {
        None => Ok(None),
        Some(s) => parse_loose_time(&s, tz).map(Some).ok_or_else(|| {
            format!(
                "`{key}` is \"{s}\", which is not a time; expected an RFC 3339 time like 2021-03-05T21:40:00Z, or 2021-03-05 21:40"
            )
        }),
    }
}

enum NameDate {
    None,
    Invalid(String),
    Valid {
        date: NaiveDate,
        time: Option<NaiveTime>,
        rest: String,
    },
}

fn name_date(stem: &str) -> NameDate {
    let b = stem.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
        || b.get(10).is_some_and(u8::is_ascii_digit)
    {
        return NameDate::None;
    }
    let prefix = &stem[..10];
    let Ok(date) = NaiveDate::parse_from_str(prefix, "%Y-%m-%d") else {
        return NameDate::Invalid(prefix.to_string());
    };
    let mut rest = &stem[10..];
    let mut time = None;
    if matches!(b.get(10), Some(b'-' | b'_' | b' ' | b'T'))
        && digits(11..15)
        && !b.get(15).is_some_and(u8::is_ascii_digit)
    {
        let hh = &stem[11..13];
        let mm = &stem[13..15];
        let parsed = match (hh.parse::<u32>(), mm.parse::<u32>()) {
            (Ok(h), Ok(m)) => NaiveTime::from_hms_opt(h, m, 0),
            _ => None,
        };
        if let Some(t) = parsed {
            time = Some(t);
            rest = &stem[15..];
        }
    }
    NameDate::Valid {
        date,
        time,
        rest: rest.trim_start_matches(['-', '_', ' ']).to_string(),
    }
}

/// Takes a first non-blank `# Heading` line off the body.
fn heading_title(body: &str) -> Option<(String, String)> {
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        if line.trim().is_empty() {
            pos += line.len();
            continue;
        }
        let t = line.trim();
        let heading = if t == "#" {
            Some("")
        } else {
            t.strip_prefix("# ").or_else(|| t.strip_prefix("#\t"))
        };
        let heading = heading?;
        let mut rest_start = pos + line.len();
        for next in body[rest_start..].split_inclusive('\n') {
            if next.trim().is_empty() && next.ends_with('\n') {
                rest_start += next.len();
            } else {
                break;
            }
        }
        return Some((heading.trim().to_string(), body[rest_start..].to_string()));
    }
    None
}

/// One Markdown file into a record. `name` is the file name (the location
/// of any error); `mtime` the file's modification time.
pub(crate) fn parse_file<Tz: TimeZone>(
    name: &str,
    text: &str,
    mtime: DateTime<Utc>,
    tz: &Tz,
    dropped: &mut DropLog,
) -> Result<Record, Bad> {
    let (front, body) = match split_front_matter(name, text)? {
        None => (serde_json::Map::new(), text),
        Some((yaml, body)) => (front_map(name, yaml)?, body),
    };
    let f = Fields::new(&front);
    let err = |m: String| Bad::new(name, format!("front matter: {m}"));

    for key in front.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            dropped.note(
                &format!("front matter `{key}`"),
                "Hearth entries have no field for it",
            );
        }
    }
    if f.has("body") {
        dropped.note(
            "front matter `body`",
            "the body is the text after the front matter",
        );
    }

    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nd = name_date(&stem);
    match &nd {
        NameDate::Invalid(prefix) if !f.has("created_at") && !f.has("date") => {
            return Err(Bad::new(
                name,
                format!(
                    "the file name starts with {prefix}, which is not a date; rename the file or add `created_at: 2021-03-05T21:40:00Z` front matter"
                ),
            ));
        }
        _ => {}
    }

    let (title, body) = match scalar_text(&f, "title").map_err(err)? {
        Some(t) => (t, body.to_string()),
        None => match heading_title(body) {
            Some((t, b)) => (t, b),
            None => {
                let t = match &nd {
                    NameDate::Valid { rest, .. } if !rest.trim().is_empty() => rest.clone(),
                    _ => stem.clone(),
                };
                (t, body.to_string())
            }
        },
    };

    let front_created = match front_time(&f, "created_at", tz).map_err(err)? {
        Some(t) => Some(t),
        None => front_time(&f, "date", tz).map_err(err)?,
    };
    let created_at = match (&front_created, &nd) {
        (Some(t), _) => *t,
        (None, NameDate::Valid { date, time, .. }) => {
            local_to_utc(tz, date.and_time(time.unwrap_or(NaiveTime::MIN)))
        }
        _ => mtime,
    };
    let updated_at = match front_time(&f, "updated_at", tz).map_err(err)? {
        Some(t) => t,
        None if front_created.is_some() => created_at,
        None => mtime.max(created_at),
    };

    Ok(Record {
        id: scalar_text(&f, "id").map_err(err)?,
        title,
        body,
        mood: f.mood().map_err(err)?,
        feelings: word_list(&f, "feelings").map_err(err)?,
        tags: normalize_tags(word_list(&f, "tags").map_err(err)?),
        starred: f.opt_bool("starred").map_err(err)?.unwrap_or(false),
        created_at,
        updated_at,
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    })
}

fn front_map(name: &str, yaml: &str) -> Result<serde_json::Map<String, Value>, Bad> {
    if yaml.trim().is_empty() {
        return Ok(serde_json::Map::new());
    }
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" (line {} of the file)", l.line() + 1))
            .unwrap_or_default();
        Bad::new(
            name,
            format!("the front matter is not valid YAML{at}: {e}; expected `key: value` lines between two `---` lines"),
        )
    })?;
    let json = serde_json::to_value(&value).map_err(|e| {
        Bad::new(
            name,
            format!(
                "the front matter cannot be read: {e}; expected `key: value` lines with text keys"
            ),
        )
    })?;
    match json {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(serde_json::Map::new()),
        other => Err(Bad::new(
            name,
            format!(
                "the front matter is {}; expected `key: value` lines such as `title: Morning walk`",
                describe(&other)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rec(title: &str, body: &str) -> Record {
        Record {
            id: Some("abc".into()),
            title: title.into(),
            body: body.into(),
            mood: Some(2),
            feelings: vec!["calm".into()],
            tags: vec!["walk".into()],
            starred: false,
            created_at: t("2021-03-05T21:40:00Z"),
            updated_at: t("2021-03-05T22:00:00.5Z"),
            attachments: Vec::new(),
            place: None,
            weather: None,
            time_zone: None,
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Morning walk, with Ana!"), "morning-walk-with-ana");
        assert_eq!(slug("Café à Paris"), "cafe-a-paris");
        assert_eq!(slug("日本"), "entry");
        assert_eq!(slug(""), "entry");
        assert!(slug(&"long ".repeat(40)).len() <= 50);
        assert!(!slug(&"ab ".repeat(40)).ends_with('-'));
    }

    #[test]
    fn unique_names() {
        let rs = vec![rec("Same", ""), rec("Same", ""), rec("same", "")];
        let names = file_names(&rs, &Utc);
        assert_eq!(
            names,
            vec![
                "2021-03-05-2140-same.md",
                "2021-03-05-2140-same-2.md",
                "2021-03-05-2140-same-3.md"
            ]
        );
    }

    #[test]
    fn round_trip_one_file() {
        let mut log = DropLog::default();
        for body in ["", "  lead\n---\ntrail  \n\n", "# not a title\nx", "---\n"] {
            for title in ["", "Title", "---", "a\nb", "null"] {
                let r = rec(title, body);
                let text = render_one(&r).unwrap();
                let back =
                    parse_file("x.md", &text, t("2000-01-01T00:00:00Z"), &Utc, &mut log).unwrap();
                assert_eq!(back, r, "{text}");
            }
        }
        assert!(log.into_vec().is_empty());
    }

    #[test]
    fn plain_file_heading_and_name_date() {
        let mut log = DropLog::default();
        let r = parse_file(
            "2021-03-05 Morning.md",
            "\n# Walk by the sea\n\nCold. @x\n",
            t("2022-01-01T00:00:00Z"),
            &Utc,
            &mut log,
        )
        .unwrap();
        assert_eq!(r.title, "Walk by the sea");
        assert_eq!(r.body, "Cold. @x\n");
        assert_eq!(r.created_at, t("2021-03-05T00:00:00Z"));
        assert_eq!(r.updated_at, t("2022-01-01T00:00:00Z"));
        assert!(r.tags.is_empty());

        let r = parse_file(
            "2021-03-05-0930-morning.md",
            "No heading here.",
            t("2022-01-01T00:00:00Z"),
            &Utc,
            &mut log,
        )
        .unwrap();
        assert_eq!(r.title, "morning");
        assert_eq!(r.body, "No heading here.");
        assert_eq!(r.created_at, t("2021-03-05T09:30:00Z"));

        let r = parse_file(
            "notes.md",
            "text",
            t("2022-01-01T00:00:00Z"),
            &Utc,
            &mut log,
        )
        .unwrap();
        assert_eq!(r.title, "notes");
        assert_eq!(r.created_at, t("2022-01-01T00:00:00Z"));
    }

    #[test]
    fn obsidian_style_front_matter() {
        let mut log = DropLog::default();
        let text =
            "---\ndate: 2021-03-05\ntags: journal, walk\naliases: [x]\n---\n# Heading\nbody\n";
        let r = parse_file("a.md", text, t("2022-01-01T00:00:00Z"), &Utc, &mut log).unwrap();
        assert_eq!(r.title, "Heading");
        assert_eq!(r.body, "body\n");
        assert_eq!(r.tags, vec!["journal", "walk"]);
        assert_eq!(r.created_at, t("2021-03-05T00:00:00Z"));
        assert_eq!(r.updated_at, r.created_at);
        let d = log.into_vec();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].what, "front matter `aliases`");
    }

    #[test]
    fn errors_name_the_file() {
        let mut log = DropLog::default();
        let now = t("2022-01-01T00:00:00Z");
        let e = parse_file("a.md", "---\nmood: 9\n---\n", now, &Utc, &mut log).unwrap_err();
        assert_eq!(e.location, "a.md");
        assert!(e.message.contains("mood"), "{e:?}");
        let e = parse_file("b.md", "---\ntitle: x\n", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("never closed"), "{e:?}");
        let e = parse_file("c.md", "---\ntitle: [x\n---\n", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("not valid YAML"), "{e:?}");
        let e = parse_file("2021-02-30.md", "x", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("not a date"), "{e:?}");
        let e =
            parse_file("d.md", "---\ncreated_at: soon\n---\n", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("created_at"), "{e:?}");
    }
}
