//! Day One's JSON export, import only.
//!
//! Day One is the most used journaling app on Apple devices, and its export
//! (a zip holding one `<Journal name>.json` per journal plus `photos/`,
//! `videos/`, `audios/`, `pdfs/` folders) is how its users leave it. PATH
//! may be the zip (recognised by its content, not its name) or one
//! journal's `.json` file. Every `*.json` in the zip is read (macOS
//! `__MACOSX/` and `._` files aside) and the journals' entries are put
//! together.
//!
//! The zip is never read whole: its list of files is read, then only the
//! journals' JSON (at most [`crate::FILE_MAX`] of it in all, so a zip bomb
//! is refused), so an export of any size can be imported; the media files
//! stay in the zip and each becomes an attachment whose bytes are streamed
//! from it when the caller stores it ([`crate::AttachmentSource::Zip`]). A
//! `.json` read on its own may be at most [`crate::FILE_MAX`]; when it sits
//! in an unzipped export, the media folders beside it are used the same way
//! ([`crate::AttachmentSource::File`]).
//!
//! Kept for each entry:
//!
//! - `text` (Markdown), `creationDate`, `modifiedDate` (else the creation
//!   date), `tags` exactly as written (several words stay several words;
//!   only a leading `#`/`@`, surrounding spaces and repeats are removed) and
//!   `starred`. An entry with no `text` uses the plain text of its
//!   `richText`, if it has one.
//! - The title is the first non-blank line of the text without a leading
//!   `#`…`######`, without media references and with Day One's backslash
//!   escapes removed; the body is the rest. In the body, escapes Day One
//!   adds but Markdown does not need (`\.` `\-` `\!` `\(` `\)` `\#` `\+` …)
//!   are removed where removing them does not change what the Markdown
//!   means: `\*`, `\_`, `` \` ``, `\[`, `\]`, `\<`, `\>`, `\|`, `\~`, `\\` are
//!   kept, and so are `\#`/`\-`/`\+`/`\=` where they would start a heading,
//!   list item or rule, `\.`/`\)` after a leading number (which would
//!   otherwise start a list), `\!` before `[` and `\(` after `]`; code spans
//!   and fenced code are left alone.
//! - Photos, videos, audio recordings and PDFs (`photos`, `videos`,
//!   `audios`, `pdfAttachments`), as [`crate::Record::attachments`]. Each
//!   item's file is `<folder>/<md5>.<extension>` in the export, found by
//!   folder and md5 whatever the extension (an audio's `format` "aac" is an
//!   `.m4a` file). Its key is the md5 and the extension (`31c8….jpeg`, with
//!   `-2`… before the extension should two clash); two items with one md5
//!   are one attachment. Its name is the original file
//!   name's stem (`filename`, a PDF's `pdfName`) with the file's extension,
//!   else `photo-`/`video-`/`audio-`/`document-` and the md5's first 8
//!   characters (`photo-31c871f1.jpeg`); its media type follows the
//!   extension. In the text, a reference `![](dayone-moment://ID)` (a photo)
//!   or `![](dayone-moment:/video/ID)`, `…:/audio/ID`,
//!   `…:/pdfAttachment/ID` becomes, in its place, `![](attachment:KEY)` for
//!   a photo (shown in place) and `[name](attachment:KEY)` for the others. A
//!   reference on or before the title line moves to the start of the body.
//!   Media the entry lists but its text never refers to are attached all
//!   the same, with references added at the end of the body, one paragraph
//!   each, in the order photos, videos, audio, PDFs (unless the text already
//!   shows the same file under another identifier).
//! - The place (`location`): [`crate::Place::name`] is `userLabel`,
//!   `placeName`, `localityName`, `administrativeArea`, `country`, those
//!   present, each once, joined by ", "; `latitude`/`longitude` (else the
//!   region's centre) when both are valid (0, 0 is taken as unknown).
//! - The weather (`weather`): `conditionsDescription` and
//!   `temperatureCelsius` rounded to a whole degree: "Partly Cloudy, 12 °C".
//! - The time zone the entry was written in (`timeZone`, else the
//!   location's `timeZoneName`), when it is an IANA zone name Hearth knows
//!   ("Europe/Berlin"). Times themselves are instants (UTC), as before.
//!
//! Not kept, and listed in [`Parsed::dropped`] with the number of entries:
//! media the entry lists whose files are not in the export ("photos not in
//! the export" and so on; always so for a `.json` read without its media
//! folders) and references to media the entry does not list (Day One's own
//! sample has some): these references are removed from the text; the date,
//! camera, place and other details of each medium ("media details"); the
//! weather's other readings (wind, humidity, pressure, sun and moon, the
//! service); a place's Foursquare id and other details ("location
//! details"); a time zone Hearth does not know; rich text (when `text` is
//! there), music, activity, pinned and all-day flags, editing time,
//! duration, device details, source, Day One's ids, links to other Day One
//! entries (kept in the text, but they open Day One), and any field this
//! importer does not know. Not reported: a location's region radius and
//! time zone name (the entry's own zone is kept). Writing Day One is not
//! supported.

mod media;

use crate::common::{Bad, DropLog, describe, entry_location, json_syntax, normalize_tags};
use crate::{InterchangeError, Parsed, Place, Record};
use media::{EntryMedia, MediaFiles};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

const SHAPE: &str =
    r#"a Day One journal export: {"metadata": {...}, "entries": [{"text", "creationDate", ...}]}"#;
/// The most journal JSON read from a zip, all journals together (guards
/// against zip bombs).
const MAX_JSON_BYTES: u64 = crate::FILE_MAX;

pub(crate) fn read(path: &Path) -> Result<Parsed, InterchangeError> {
    if is_zip(path)? {
        read_zip(path)
    } else {
        read_json(path)
    }
}

/// Whether the file starts like a zip.
fn is_zip(path: &Path) -> Result<bool, InterchangeError> {
    let file = std::fs::File::open(path).map_err(|e| crate::common::io_err(path, e))?;
    let mut head = Vec::with_capacity(4);
    file.take(4)
        .read_to_end(&mut head)
        .map_err(|e| crate::common::io_err(path, e))?;
    Ok(head == b"PK\x03\x04" || head == b"PK\x05\x06")
}

/// One journal's `.json`, with any media folders beside it.
fn read_json(path: &Path) -> Result<Parsed, InterchangeError> {
    let bytes = crate::common::read_bytes(path)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Bad::new(
            "file",
            "this is neither a zip nor UTF-8 JSON text; expected Day One's export zip or the Journal.json inside it",
        )
        .at(path)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let files = MediaFiles::beside(path);
    let mut log = DropLog::default();
    let records = parse_journal_with(text, None, &files, "", &mut log).map_err(|b| b.at(path))?;
    Ok(Parsed {
        records,
        dropped: log.into_vec(),
    })
}

/// Day One's export zip: its journals, and its media as zip members.
fn read_zip(path: &Path) -> Result<Parsed, InterchangeError> {
    let bad = |m: String| Bad::new(crate::common::file_name(path), m).at(path);
    let file = std::fs::File::open(path).map_err(|e| crate::common::io_err(path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        bad(format!(
            "this zip cannot be opened ({e}); expected Day One's export zip"
        ))
    })?;
    // Every member's name, as `by_name` finds it; `None` for a name the
    // zip cannot decode.
    let raw: Vec<Vec<u8>> = archive.file_names_raw().map(<[u8]>::to_vec).collect();
    let names: Vec<Option<String>> = (0..archive.len())
        .map(|i| match archive.name_for_index(i) {
            Some(Ok(n)) => Some(n.into_owned()),
            _ => None,
        })
        .collect();
    let files = MediaFiles::in_zip(path, names.iter().flatten().map(String::as_str));

    let mut journals: Vec<(usize, String)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let name = match name {
            Some(n) => n.clone(),
            None => String::from_utf8_lossy(raw.get(i).map(Vec::as_slice).unwrap_or_default())
                .into_owned(),
        };
        let base = name.rsplit('/').next().unwrap_or(&name);
        if name.ends_with('/')
            || !base.to_ascii_lowercase().ends_with(".json")
            || name.starts_with("__MACOSX/")
            || base.starts_with("._")
        {
            continue;
        }
        journals.push((i, name));
    }
    if journals.is_empty() {
        return Err(Bad::new(
            crate::common::file_name(path),
            "the zip holds no journal (.json file); expected Day One's export zip with a Journal.json in it",
        )
        .at(path));
    }

    let several = journals.len() > 1;
    let mut log = DropLog::default();
    let mut records = Vec::new();
    let mut read_so_far: u64 = 0;
    for (i, name) in &journals {
        let mut member = archive
            .by_index(*i)
            .map_err(|e| bad(format!("{name} in the zip cannot be read ({e})")))?;
        let room = MAX_JSON_BYTES - read_so_far;
        let too_much = || {
            bad(format!(
                "the journals in the zip hold more than {} MiB of JSON (at {name}), more than an import reads",
                MAX_JSON_BYTES >> 20
            ))
        };
        // The size the zip states first, then what it really inflates to.
        if member.size() > room {
            return Err(too_much());
        }
        let mut data = Vec::new();
        (&mut member)
            .take(room + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("{name} in the zip cannot be read ({e})")))?;
        drop(member);
        if data.len() as u64 > room {
            return Err(too_much());
        }
        read_so_far += data.len() as u64;
        let text = String::from_utf8_lossy(&data);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let prefix = if several { Some(name.as_str()) } else { None };
        let dir = match name.rfind('/') {
            Some(k) => &name[..=k],
            None => "",
        };
        let mut rs =
            parse_journal_with(text, prefix, &files, dir, &mut log).map_err(|b| b.at(path))?;
        records.append(&mut rs);
    }
    if several {
        let names: Vec<&str> = journals
            .iter()
            .map(|(_, n)| n.rsplit('/').next().unwrap_or(n).trim_end_matches(".json"))
            .collect();
        log.note_n(
            "journal names",
            &format!(
                "Hearth has one journal; the entries of the {} journals ({}) were put together",
                names.len(),
                names.join(", ")
            ),
            records.len(),
        );
    }
    Ok(Parsed {
        records,
        dropped: log.into_vec(),
    })
}

/// One journal's JSON on its own, without its media (their references are
/// removed and reported). `journal` names it in error locations when the
/// zip held several.
#[cfg(test)]
pub(crate) fn parse_journal(
    text: &str,
    journal: Option<&str>,
    log: &mut DropLog,
) -> Result<Vec<Record>, Bad> {
    parse_journal_with(text, journal, &MediaFiles::none(), "", log)
}

/// One journal's JSON, its media looked up in `files`, preferring those in
/// the zip folder `dir` ("" at the top, else ending in `/`).
fn parse_journal_with(
    text: &str,
    journal: Option<&str>,
    files: &MediaFiles,
    dir: &str,
    log: &mut DropLog,
) -> Result<Vec<Record>, Bad> {
    let loc = |l: String| match journal {
        Some(j) => format!("{j}: {l}"),
        None => l,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let b = json_syntax(&e, SHAPE);
        Bad::new(loc(b.location), b.message)
    })?;
    let entries = match &value {
        Value::Object(top) => match top.get("entries") {
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(Bad::new(
                    loc("file".into()),
                    format!(
                        "`entries` is {}; expected a list of entries",
                        describe(other)
                    ),
                ));
            }
            None => {
                return Err(Bad::new(
                    loc("file".into()),
                    format!("there is no `entries` list; expected {SHAPE}"),
                ));
            }
        },
        other => {
            return Err(Bad::new(
                loc("file".into()),
                format!("the file holds {}; expected {SHAPE}", describe(other)),
            ));
        }
    };
    let mut records = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let Value::Object(map) = e else {
            return Err(Bad::new(
                loc(entry_location(i)),
                format!("the entry is {}; expected an object", describe(e)),
            ));
        };
        let r = entry(map, files, dir, log).map_err(|m| Bad::new(loc(entry_location(i)), m))?;
        records.push(r);
    }
    Ok(records)
}

fn meaningful(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn entry(
    map: &Map<String, Value>,
    files: &MediaFiles,
    dir: &str,
    log: &mut DropLog,
) -> Result<Record, String> {
    let f = crate::common::Fields::new(map);
    let created_at = f.req_rfc3339("creationDate")?;
    let updated_at = f.opt_rfc3339("modifiedDate")?.unwrap_or(created_at);
    let tags = normalize_tags(f.opt_str_list("tags")?.unwrap_or_default());
    let starred = f.opt_bool("starred")?.unwrap_or(false);
    let has_text = map.get("text").is_some_and(Value::is_string);
    let text = match f.opt_str("text", true)? {
        Some(t) => Some(t),
        None => map
            .get("richText")
            .and_then(Value::as_str)
            .and_then(rich_text_plain),
    };
    let rich_used = !has_text && text.is_some();

    let mut device_noted = false;
    for (key, value) in map {
        if !meaningful(value) {
            continue;
        }
        let (what, why): (&str, &str) = match key.as_str() {
            "text" | "creationDate" | "modifiedDate" | "tags" | "starred" => continue,
            // Read below.
            "photos" | "videos" | "audios" | "pdfAttachments" | "location" | "weather"
            | "timeZone" => continue,
            "richText" if rich_used => continue,
            "richText" if !has_text => (
                "unreadable rich text",
                "the entry has no plain text and its rich text is not valid Day One rich text",
            ),
            "richText" => (
                "rich text",
                "it repeats the text with Day One's formatting; the Markdown text was imported instead",
            ),
            "music" => ("music", "Hearth does not store what was playing"),
            "userActivity" => ("activity (motion, steps)", "Hearth does not store activity"),
            "isPinned" => ("pinned", "Hearth has starred entries but no pinning"),
            "isAllDay" => (
                "all-day flag",
                "the entry keeps its date at the time Day One stored",
            ),
            "editingTime" => ("editing time", "Hearth does not track time spent writing"),
            "duration" => ("duration", "Hearth does not store a duration"),
            "uuid" => (
                "Day One entry ids",
                "Hearth gives each imported entry its own id",
            ),
            "sourceString" => ("source", "Hearth does not store where an entry came from"),
            "creationDevice"
            | "creationDeviceModel"
            | "creationDeviceType"
            | "creationOSName"
            | "creationOSVersion"
            | "creationDeviceIdentifier" => {
                if device_noted {
                    continue;
                }
                device_noted = true;
                (
                    "device details",
                    "Hearth does not record which device wrote an entry",
                )
            }
            other => {
                log.note(&format!("field `{other}`"), "Hearth has no place for it");
                continue;
            }
        };
        log.note(what, why);
    }

    let location = map.get("location").filter(|v| meaningful(v));
    let place = location.and_then(|v| place(v, log));
    let weather = map
        .get("weather")
        .filter(|v| meaningful(v))
        .and_then(|v| weather(v, log));
    let time_zone = time_zone(map.get("timeZone"), location, log);

    let mut media = EntryMedia::new(map, files, dir);
    let (title, mut body, entry_links) = split_text(
        text.as_deref().unwrap_or(""),
        &mut |alt: &str, target: &str| media.reference(alt, target),
    );
    let (attachments, extra) = media.finish(log);
    if !extra.is_empty() {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&extra.join("\n\n"));
    }
    if entry_links {
        log.note(
            "links to other Day One entries",
            "they were kept in the text, but they open Day One",
        );
    }

    Ok(Record {
        id: None,
        title,
        body,
        mood: None,
        feelings: Vec::new(),
        tags,
        starred,
        created_at,
        updated_at,
        attachments,
        place,
        weather,
        time_zone,
    })
}

/// A text field, trimmed, when it is not empty.
fn text_of<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Fields of a `location` that are kept (or repeat what is kept).
const LOCATION_KEPT: [&str; 9] = [
    "userLabel",
    "placeName",
    "localityName",
    "administrativeArea",
    "country",
    "latitude",
    "longitude",
    "region",
    "timeZoneName",
];

/// Day One's `location` as a [`Place`]; `None` (and noted) when it names no
/// place and has no coordinates.
fn place(v: &Value, log: &mut DropLog) -> Option<Place> {
    let unreadable = |log: &mut DropLog| {
        log.note(
            "location",
            "it names no place and has no coordinates Hearth can read",
        )
    };
    let Value::Object(m) = v else {
        unreadable(log);
        return None;
    };
    let mut parts: Vec<&str> = Vec::new();
    for key in [
        "userLabel",
        "placeName",
        "localityName",
        "administrativeArea",
        "country",
    ] {
        if let Some(s) = text_of(m, key)
            && !parts.iter().any(|p| p.eq_ignore_ascii_case(s))
        {
            parts.push(s);
        }
    }
    let name = (!parts.is_empty()).then(|| parts.join(", "));
    let coordinates = |o: &Map<String, Value>| {
        let lat = o.get("latitude").and_then(Value::as_f64)?;
        let lon = o.get("longitude").and_then(Value::as_f64)?;
        let valid = lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && !(lat == 0.0 && lon == 0.0);
        valid.then_some((lat, lon))
    };
    let at = coordinates(m).or_else(|| {
        m.get("region")
            .and_then(|r| r.get("center"))
            .and_then(Value::as_object)
            .and_then(coordinates)
    });
    if m.iter()
        .any(|(k, v)| !LOCATION_KEPT.contains(&k.as_str()) && meaningful(v))
    {
        log.note(
            "location details",
            "Hearth keeps a place's name and coordinates; Foursquare ids and other details of the place were not kept",
        );
    }
    if name.is_none() && at.is_none() {
        unreadable(log);
        return None;
    }
    Some(Place {
        name,
        latitude: at.map(|a| a.0),
        longitude: at.map(|a| a.1),
    })
}

/// Day One's `weather` as a person reads it: "Partly Cloudy, 12 °C";
/// `None` (and noted) when it has neither.
fn weather(v: &Value, log: &mut DropLog) -> Option<String> {
    let Value::Object(m) = v else {
        log.note(
            "weather",
            "it has no conditions or temperature Hearth can read",
        );
        return None;
    };
    let conditions = text_of(m, "conditionsDescription");
    let temperature = m
        .get("temperatureCelsius")
        .and_then(Value::as_f64)
        .filter(|t| t.is_finite() && (-150.0..=150.0).contains(t))
        .map(|t| format!("{} °C", t.round() as i64));
    if m.iter().any(|(k, v)| {
        !matches!(k.as_str(), "conditionsDescription" | "temperatureCelsius") && meaningful(v)
    }) {
        log.note(
            "weather details",
            "Hearth keeps the conditions and the temperature; wind, humidity, pressure, sun and moon times and the weather service were not kept",
        );
    }
    let parts: Vec<String> = conditions
        .map(str::to_string)
        .into_iter()
        .chain(temperature)
        .collect();
    if parts.is_empty() {
        log.note(
            "weather",
            "it has no conditions or temperature Hearth can read",
        );
        return None;
    }
    Some(parts.join(", "))
}

/// The IANA zone the entry was written in: `timeZone`, else the location's
/// `timeZoneName`; `None` (and noted) for a `timeZone` Hearth does not know.
fn time_zone(value: Option<&Value>, location: Option<&Value>, log: &mut DropLog) -> Option<String> {
    let known = |s: &str| s.trim().parse::<chrono_tz::Tz>().ok();
    let unknown = |log: &mut DropLog| {
        log.note(
            "time zone",
            "it is not a time zone name Hearth knows (an IANA name like Europe/Berlin); times are kept as instants (UTC)",
        )
    };
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => match known(s) {
            Some(tz) => Some(tz.name().to_string()),
            None => {
                unknown(log);
                None
            }
        },
        Some(v) if meaningful(v) && !v.is_string() => {
            unknown(log);
            None
        }
        _ => location
            .and_then(|l| l.get("timeZoneName"))
            .and_then(Value::as_str)
            .and_then(known)
            .map(|tz| tz.name().to_string()),
    }
}

/// The plain text of Day One's `richText` JSON, if it parses.
fn rich_text_plain(rich: &str) -> Option<String> {
    let v: Value = serde_json::from_str(rich).ok()?;
    let contents = v.get("contents")?.as_array()?;
    let mut out = String::new();
    for c in contents {
        if let Some(t) = c.get("text").and_then(Value::as_str) {
            out.push_str(t);
        }
    }
    Some(out)
}

/// A `![alt](dayone-moment:TARGET)` reference found in a line.
struct Moment<'a> {
    /// Its length in bytes.
    len: usize,
    alt: &'a str,
    /// What follows `dayone-moment:` (`//ID`, `/video/ID`, …).
    target: &'a str,
}

/// The longest caption and target a moment reference is looked for with,
/// so that scanning a long line stays linear.
const MOMENT_PART_MAX: usize = 256;

/// The position of `c` in the first [`MOMENT_PART_MAX`] bytes of `s`.
fn find_near(s: &str, c: u8) -> Option<usize> {
    s.as_bytes()
        .iter()
        .take(MOMENT_PART_MAX)
        .position(|&b| b == c)
}

/// Finds `![alt](dayone-moment:…)` at `s[i..]`.
fn moment_at(s: &str, i: usize) -> Option<Moment<'_>> {
    let rest = s.get(i..)?;
    let after_bang = rest.strip_prefix("![")?;
    let close = find_near(after_bang, b']')?;
    let alt = &after_bang[..close];
    if alt.contains('\n') {
        return None;
    }
    let target = after_bang[close + 1..].strip_prefix("(dayone-moment:")?;
    let end = find_near(target, b')')?;
    if target[..end].contains(char::is_whitespace) {
        return None;
    }
    Some(Moment {
        len: 2 + close + 1 + "(dayone-moment:".len() + end + 1,
        alt,
        target: &target[..end],
    })
}

/// A line without its moment references, and the references (as written)
/// in order.
fn strip_moments(line: &str) -> (String, Vec<&str>) {
    let mut out = String::with_capacity(line.len());
    let mut found = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if let Some(m) = moment_at(line, i) {
            found.push(&line[i..i + m.len]);
            i += m.len;
            continue;
        }
        let Some(c) = line[i..].chars().next() else {
            break;
        };
        out.push(c);
        i += c.len_utf8();
    }
    (out, found)
}

/// Replaces each moment reference with what `resolve(alt, target)` gives,
/// or removes it for `None`. Lines left blank by removals, with the blank
/// lines around them, become one blank line (none at the start or end).
fn rewrite_moments(text: &str, resolve: &mut dyn FnMut(&str, &str) -> Option<String>) -> String {
    let mut removed_any = false;
    // (line, was it emptied by a removal)
    let mut lines: Vec<(String, bool)> = Vec::new();
    for line in text.split('\n') {
        let mut out = String::with_capacity(line.len());
        let mut removed = false;
        let mut i = 0;
        while i < line.len() {
            if let Some(m) = moment_at(line, i) {
                match resolve(m.alt, m.target) {
                    Some(r) => out.push_str(&r),
                    None => removed = true,
                }
                i += m.len;
                continue;
            }
            let Some(c) = line[i..].chars().next() else {
                break;
            };
            out.push(c);
            i += c.len_utf8();
        }
        removed_any |= removed;
        let emptied = removed && out.trim().is_empty();
        lines.push((out, emptied));
    }
    if !removed_any {
        return lines
            .into_iter()
            .map(|l| l.0)
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut kept: Vec<String> = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let blank = |l: &(String, bool)| l.1 || l.0.trim().is_empty();
        if blank(&lines[k]) {
            let start = k;
            while k < lines.len() && blank(&lines[k]) {
                k += 1;
            }
            let run = &lines[start..k];
            if run.iter().any(|l| l.1) {
                if start > 0 && k < lines.len() {
                    kept.push(String::new());
                }
            } else {
                kept.extend(run.iter().map(|l| l.0.clone()));
            }
        } else {
            kept.push(lines[k].0.clone());
            k += 1;
        }
    }
    kept.join("\n")
}

/// Title, body (with moment references resolved by `resolve`, see
/// [`rewrite_moments`]), and whether the text links to other Day One
/// entries. References on or before the title line open the body.
fn split_text(
    text: &str,
    resolve: &mut dyn FnMut(&str, &str) -> Option<String>,
) -> (String, String, bool) {
    let entry_links = text.contains("dayone2://");
    let mut lead: Vec<&str> = Vec::new();
    let mut title = String::new();
    let mut rest = "";
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let (stripped, moments) = strip_moments(line);
        lead.extend(moments);
        if stripped.trim().is_empty() {
            pos += line.len();
            continue;
        }
        let t = stripped.trim();
        let hashes = t.chars().take_while(|&c| c == '#').count();
        let t = if (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
            &t[hashes..]
        } else {
            t
        };
        title = unescape_all(t.trim());
        rest = &text[pos + line.len()..];
        break;
    }
    let rest = rest.trim_start_matches(['\n', '\r']);
    let mut source = lead.join("\n\n");
    if !source.is_empty() && !rest.is_empty() {
        source.push_str("\n\n");
    }
    source.push_str(rest);
    let body = unescape_markdown(source.trim_end());
    let body = rewrite_moments(&body, resolve);
    let body = body.trim_start_matches(['\n', '\r']).trim_end().to_string();
    (title, body, entry_links)
}

/// Every `\` before ASCII punctuation removed (for the title, which is plain
/// text).
fn unescape_all(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match it.peek() {
            Some(&n) if c == '\\' && n.is_ascii_punctuation() => {
                out.push(n);
                it.next();
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    line.len() - t.len() <= 3 && (t.starts_with("```") || t.starts_with("~~~"))
}

/// Removes the escapes Markdown does not need (see the module docs).
fn unescape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_fence = false;
    for line in s.split_inclusive('\n') {
        if is_fence(line) {
            in_fence = !in_fence;
            out.push_str(line);
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        unescape_line(line, &mut out);
    }
    out
}

fn unescape_line(line: &str, out: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    // Only spaces, then only digits, so far on this line?
    let mut only_space = true;
    let mut only_number = false;
    let mut prev: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&x| x == '`').count();
            // Find a closing run of the same length.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let r = chars[j..].iter().take_while(|&&x| x == '`').count();
                    if r == run {
                        close = Some(j + r);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            let end = close.unwrap_or(i + run);
            out.extend(&chars[i..end]);
            prev = chars.get(end.wrapping_sub(1)).copied();
            i = end;
            only_space = false;
            only_number = false;
            continue;
        }
        let escaped = chars
            .get(i + 1)
            .copied()
            .filter(|n| c == '\\' && n.is_ascii_punctuation());
        if let Some(n) = escaped {
            let keep = match n {
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => true,
                // Only where it would start a heading, list item, rule or
                // setext underline.
                '#' | '-' | '+' | '=' => {
                    only_space
                        && matches!(
                            chars.get(i + 2),
                            None | Some(' ' | '\t' | '\n' | '\r' | '#' | '-' | '=' | '\\')
                        )
                }
                '.' | ')' => only_number,
                '!' => chars.get(i + 2) == Some(&'['),
                '(' => prev == Some(']'),
                _ => false,
            };
            if keep {
                out.push('\\');
            }
            out.push(n);
            prev = Some(n);
            i += 2;
            only_space = false;
            only_number = false;
            continue;
        }
        out.push(c);
        only_number = c.is_ascii_digit() && (only_space || only_number);
        if c != ' ' && c != '\t' {
            only_space = false;
        }
        prev = Some(c);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn remove_all(text: &str) -> (String, usize) {
        let mut n = 0;
        let out = rewrite_moments(text, &mut |_, _| {
            n += 1;
            None
        });
        (out, n)
    }

    fn split_removing(text: &str) -> (String, String) {
        let (t, b, _) = split_text(text, &mut |_, _| None);
        (t, b)
    }

    #[test]
    fn unescapes_sensibly() {
        assert_eq!(
            unescape_markdown("fell\\-\\-a meteor\\. Wow\\! \\(really\\)"),
            "fell--a meteor. Wow! (really)"
        );
        assert_eq!(unescape_markdown("\\- not a list"), "\\- not a list");
        assert_eq!(unescape_markdown("1\\. not a list"), "1\\. not a list");
        assert_eq!(unescape_markdown("In 2020\\. yes"), "In 2020. yes");
        assert_eq!(unescape_markdown("\\# not a heading"), "\\# not a heading");
        assert_eq!(unescape_markdown("a \\# b"), "a # b");
        assert_eq!(unescape_markdown("\\#tag\\."), "#tag.");
        assert_eq!(unescape_markdown("\\-\\-\\-"), "\\---");
        assert_eq!(unescape_markdown("\\-\\-a"), "\\--a");
        assert_eq!(unescape_markdown("\\*not bold\\*"), "\\*not bold\\*");
        assert_eq!(unescape_markdown("a\\\\b"), "a\\\\b");
        assert_eq!(unescape_markdown("a\\/b"), "a/b");
        assert_eq!(unescape_markdown("`a\\.b` c\\."), "`a\\.b` c.");
        assert_eq!(
            unescape_markdown("```\ncode\\.\n```\nx\\."),
            "```\ncode\\.\n```\nx."
        );
        assert_eq!(unescape_markdown("\\![x](y)"), "\\![x](y)");
        assert_eq!(unescape_all("Title\\. \\#1"), "Title. #1");
    }

    #[test]
    fn moments_are_removed() {
        let (t, n) = remove_all(
            "![](dayone-moment://A)\n\nHarvest time.\n\n![](dayone-moment://B)\n\n![](dayone-moment:/video/C)\n\nEnd ![](dayone-moment://D) here\n\n![](dayone-moment://E)",
        );
        assert_eq!(n, 5);
        assert_eq!(t, "Harvest time.\n\nEnd  here");
    }

    #[test]
    fn moments_are_replaced_in_place() {
        let mut seen = Vec::new();
        let out = rewrite_moments(
            "a ![](dayone-moment://A). b\n\n![cap](dayone-moment:/audio/B)\n\n![](dayone-moment:/pdfAttachment/C)\n\nend",
            &mut |alt, target| {
                seen.push((alt.to_string(), target.to_string()));
                (target != "/pdfAttachment/C").then(|| format!("<{target}>"))
            },
        );
        assert_eq!(out, "a <//A>. b\n\n</audio/B>\n\nend");
        assert_eq!(
            seen,
            vec![
                ("".to_string(), "//A".to_string()),
                ("cap".to_string(), "/audio/B".to_string()),
                ("".to_string(), "/pdfAttachment/C".to_string()),
            ]
        );
    }

    #[test]
    fn title_and_body() {
        let (t, b) = split_removing(
            "# Lady Liberty\\. NY \n\n![](dayone-moment://X)\n\nBody 1\\.5 \\- ok\n",
        );
        assert_eq!(t, "Lady Liberty. NY");
        assert_eq!(b, "Body 1.5 - ok");
        let (t, b) = split_removing("![](dayone-moment://X)");
        assert_eq!((t.as_str(), b.as_str()), ("", ""));
    }

    #[test]
    fn references_before_the_title_open_the_body() {
        let keep = &mut |_: &str, target: &str| Some(format!("![](attachment:{target})"));
        let (t, b, _) = split_text(
            "![](dayone-moment://A)\n\n# Trip ![](dayone-moment://B) home\n\nText\\.",
            keep,
        );
        assert_eq!(t, "Trip  home");
        assert_eq!(b, "![](attachment://A)\n\n![](attachment://B)\n\nText.");
        let (t, b, _) = split_text(
            "![](dayone-moment:/video/V)\n\n![](dayone-moment:/audio/A)",
            keep,
        );
        assert_eq!(t, "");
        assert_eq!(b, "![](attachment:/video/V)\n\n![](attachment:/audio/A)");
    }

    #[test]
    fn journal_errors() {
        let mut log = DropLog::default();
        let e = parse_journal(
            r#"{"entries":[{"creationDate":"2021-03-05T21:40:00Z"},{"text":"x"}]}"#,
            None,
            &mut log,
        )
        .unwrap_err();
        assert_eq!(e.location, "entry 2");
        assert!(e.message.contains("creationDate"), "{e:?}");
        let e = parse_journal("[]", Some("A.json"), &mut log).unwrap_err();
        assert_eq!(e.location, "A.json: file");
    }

    #[test]
    fn missing_text_uses_rich_text() {
        let mut log = DropLog::default();
        let rs = parse_journal(
            r#"{"entries":[{"creationDate":"2021-03-05T21:40:00Z","richText":"{\"contents\":[{\"text\":\"Hi\\nthere\"}]}"},{"creationDate":"2021-03-05T21:40:00Z"}]}"#,
            None,
            &mut log,
        )
        .unwrap();
        assert_eq!(rs[0].title, "Hi");
        assert_eq!(rs[0].body, "there");
        assert_eq!(rs[1].title, "");
        assert!(log.into_vec().is_empty());

        let mut log = DropLog::default();
        let rs = parse_journal(
            r#"{"entries":[{"creationDate":"2021-03-05T21:40:00Z","richText":"{not json"}]}"#,
            None,
            &mut log,
        )
        .unwrap();
        assert_eq!(rs[0].title, "");
        assert_eq!(log.into_vec()[0].what, "unreadable rich text");
    }

    fn one(entry: &str) -> (Record, Vec<crate::Dropped>) {
        let mut log = DropLog::default();
        let mut rs = parse_journal(&format!(r#"{{"entries":[{entry}]}}"#), None, &mut log).unwrap();
        (rs.remove(0), log.into_vec())
    }

    #[test]
    fn places() {
        let (r, d) = one(
            r#"{"creationDate":"2021-03-05T21:40:00Z","location":{"placeName":"Modesto","localityName":"Modesto","administrativeArea":"CA","country":"United States","latitude":37.6,"longitude":-120.9,"region":{"radius":75}}}"#,
        );
        assert_eq!(
            r.place,
            Some(Place {
                name: Some("Modesto, CA, United States".into()),
                latitude: Some(37.6),
                longitude: Some(-120.9),
            })
        );
        assert!(d.is_empty(), "{d:?}");

        // The region's centre when the point is missing; 0,0 is unknown.
        let (r, _) = one(
            r#"{"creationDate":"2021-03-05T21:40:00Z","location":{"userLabel":"Home","country":"","latitude":0,"longitude":0,"region":{"center":{"latitude":1.5,"longitude":2.5}}}}"#,
        );
        let p = r.place.unwrap();
        assert_eq!(p.name.as_deref(), Some("Home"));
        assert_eq!((p.latitude, p.longitude), (Some(1.5), Some(2.5)));

        let (r, d) = one(
            r#"{"creationDate":"2021-03-05T21:40:00Z","location":{"latitude":91,"longitude":2,"foursquareID":"4e99"}}"#,
        );
        assert_eq!(r.place, None);
        let whats: Vec<&str> = d.iter().map(|d| d.what.as_str()).collect();
        assert_eq!(whats, vec!["location details", "location"]);
    }

    #[test]
    fn weather_reads_as_a_person_says_it() {
        let w = |json: &str| {
            let (r, d) = one(&format!(
                r#"{{"creationDate":"2021-03-05T21:40:00Z","weather":{json}}}"#
            ));
            (r.weather, d.into_iter().map(|d| d.what).collect::<Vec<_>>())
        };
        assert_eq!(
            w(r#"{"conditionsDescription":"Partly Cloudy","temperatureCelsius":11.6}"#),
            (Some("Partly Cloudy, 12 °C".into()), vec![])
        );
        assert_eq!(
            w(r#"{"temperatureCelsius":-0.4,"windBearing":346}"#),
            (Some("0 °C".into()), vec!["weather details".to_string()])
        );
        assert_eq!(
            w(r#"{"conditionsDescription":" Clear ","temperatureCelsius":-3.5}"#).0,
            Some("Clear, -4 °C".into())
        );
        assert_eq!(
            w(r#"{"temperatureCelsius":"hot"}"#),
            (None, vec!["weather".to_string()])
        );
    }

    #[test]
    fn time_zones_are_checked() {
        let tz = |json: &str| {
            let (r, d) = one(&format!(
                r#"{{"creationDate":"2021-03-05T21:40:00Z",{json}}}"#
            ));
            (
                r.time_zone,
                d.into_iter().map(|d| d.what).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            tz(r#""timeZone":"America/Los_Angeles""#),
            (Some("America/Los_Angeles".into()), vec![])
        );
        assert_eq!(
            tz(r#""timeZone":"Mars/Olympus_Mons""#),
            (None, vec!["time zone".to_string()])
        );
        assert_eq!(tz(r#""timeZone":5"#), (None, vec!["time zone".to_string()]));
        assert_eq!(
            tz(r#""location":{"placeName":"Pub","timeZoneName":"Europe/Dublin"}"#).0,
            Some("Europe/Dublin".into())
        );
    }

    #[test]
    fn media_without_files_are_removed_and_reported() {
        let (r, d) = one(
            r#"{"creationDate":"2021-03-05T21:40:00Z","text":"Title\n\nA ![](dayone-moment://P1) b\n\n![](dayone-moment:/video/V1)\n\nc ![](dayone-moment://GONE)","photos":[{"identifier":"P1","md5":"aa","type":"jpeg"}],"videos":[{"identifier":"V1","md5":"bb","type":"mp4"}],"audios":[{"identifier":"A1","md5":"cc","format":"aac"}]}"#,
        );
        assert_eq!(r.body, "A  b\n\nc");
        assert!(r.attachments.is_empty());
        let whats: Vec<&str> = d.iter().map(|d| d.what.as_str()).collect();
        assert_eq!(
            whats,
            vec![
                "photos not in the export",
                "videos not in the export",
                "audio recordings not in the export",
                "references to media the entry does not list"
            ]
        );
        assert!(
            d[0].why.contains("only the journal's .json"),
            "{}",
            d[0].why
        );
    }
}
