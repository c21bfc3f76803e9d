//! Day One's JSON export, import only.
//!
//! Day One is the most used journaling app on Apple devices, and its export
//! (a zip holding one `<Journal name>.json` per journal plus `photos/`,
//! `videos/`, `audios/`, `pdfs/` folders) is how its users leave it. PATH
//! may be one journal's `.json` file or the zip (recognised by its content,
//! not its name); every `*.json` in the zip is read (macOS `__MACOSX/` and
//! `._` files aside) and the journals' entries are put together.
//!
//! Kept for each entry: `text` (Markdown), `creationDate`, `modifiedDate`
//! (else the creation date), `tags` and `starred`. The title is the first
//! non-blank line of the text without a leading `#`…`######` and with Day
//! One's backslash escapes removed; the body is the rest. In the body,
//! escapes Day One adds but Markdown does not need (`\.` `\-` `\!` `\(` `\)`
//! `\#` `\+` …) are removed where removing them does not change what the
//! Markdown means: `\*`, `\_`, `` \` ``, `\[`, `\]`, `\<`, `\>`, `\|`, `\~`, `\\`
//! are kept, and so are `\#`/`\-`/`\+`/`\=` where they would start a
//! heading, list item or rule, `\.`/`\)` after a leading number (which
//! would otherwise start a list), `\!` before `[` and `\(` after `]`; code
//! spans and fenced code are left alone. An entry with no
//! `text` uses the plain text of its `richText`, if it has one.
//!
//! Not kept, and listed in [`Parsed::dropped`] with the number of entries:
//! the `![](dayone-moment://…)` references to photos, videos, audio and PDFs
//! (removed from the text, as the media is not imported), the media
//! themselves, location, weather, rich text (when `text` is there), music,
//! activity, time zone (times are kept as instants in UTC), pinned and
//! all-day flags, editing time, device details, Day One's ids, links to
//! other Day One entries (kept in the text, but they open Day One), and any
//! field this importer does not know. Writing Day One is not supported.

use crate::common::{Bad, DropLog, describe, entry_location, json_syntax, normalize_tags};
use crate::{InterchangeError, Parsed, Record};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

const SHAPE: &str =
    r#"a Day One journal export: {"metadata": {...}, "entries": [{"text", "creationDate", ...}]}"#;
/// The largest journal JSON read from a zip (guards against zip bombs).
const MAX_JSON_BYTES: u64 = crate::FILE_MAX;

pub(crate) fn read(path: &Path) -> Result<Parsed, InterchangeError> {
    let bytes = crate::common::read_bytes(path)?;
    let mut log = DropLog::default();
    let mut records = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let journals = read_zip(path, &bytes)?;
        if journals.is_empty() {
            return Err(Bad::new(
                crate::common::file_name(path),
                "the zip holds no journal (.json file); expected Day One's export zip with a Journal.json in it",
            )
            .at(path));
        }
        let several = journals.len() > 1;
        for (name, text) in &journals {
            let prefix = if several { Some(name.as_str()) } else { None };
            let text = String::from_utf8_lossy(text);
            let mut rs = parse_journal(&text, prefix, &mut log).map_err(|b| b.at(path))?;
            records.append(&mut rs);
        }
        if several {
            let names: Vec<&str> = journals
                .iter()
                .map(|(n, _)| n.rsplit('/').next().unwrap_or(n).trim_end_matches(".json"))
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
    } else {
        let text = String::from_utf8(bytes).map_err(|_| {
            Bad::new(
                "file",
                "this is neither a zip nor UTF-8 JSON text; expected Day One's export zip or the Journal.json inside it",
            )
            .at(path)
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        records = parse_journal(text, None, &mut log).map_err(|b| b.at(path))?;
    }
    Ok(Parsed {
        records,
        dropped: log.into_vec(),
    })
}

/// The `*.json` files in a zip, in the zip's order.
fn read_zip(path: &Path, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, InterchangeError> {
    let bad = |m: String| Bad::new(crate::common::file_name(path), m).at(path);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        bad(format!(
            "this zip cannot be opened ({e}); expected Day One's export zip"
        ))
    })?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| bad(format!("a file in the zip cannot be read ({e})")))?;
        let name = match file.name() {
            Ok(n) => n.into_owned(),
            Err(_) => String::from_utf8_lossy(file.name_raw()).into_owned(),
        };
        let base = name.rsplit('/').next().unwrap_or(&name);
        if file.is_dir()
            || !base.to_ascii_lowercase().ends_with(".json")
            || name.starts_with("__MACOSX/")
            || base.starts_with("._")
        {
            continue;
        }
        let mut data = Vec::new();
        (&mut file)
            .take(MAX_JSON_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("{name} in the zip cannot be read ({e})")))?;
        if data.len() as u64 > MAX_JSON_BYTES {
            return Err(bad(format!(
                "{name} in the zip is larger than {} MiB, more than an import reads",
                MAX_JSON_BYTES >> 20
            )));
        }
        out.push((name, data));
    }
    Ok(out)
}

/// One journal's JSON. `journal` names it in error locations when the zip
/// held several.
pub(crate) fn parse_journal(
    text: &str,
    journal: Option<&str>,
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
        let r = entry(map, log).map_err(|m| Bad::new(loc(entry_location(i)), m))?;
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

fn entry(map: &Map<String, Value>, log: &mut DropLog) -> Result<Record, String> {
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
            "richText" if rich_used => continue,
            "richText" if !has_text => (
                "unreadable rich text",
                "the entry has no plain text and its rich text is not valid Day One rich text",
            ),
            "richText" => (
                "rich text",
                "it repeats the text with Day One's formatting; the Markdown text was imported instead",
            ),
            "photos" => ("photos", "Hearth does not import attachments"),
            "videos" => ("videos", "Hearth does not import attachments"),
            "audios" => ("audio recordings", "Hearth does not import attachments"),
            "pdfAttachments" => ("PDFs", "Hearth does not import attachments"),
            "location" => ("location", "Hearth does not store places"),
            "weather" => ("weather", "Hearth does not store weather"),
            "music" => ("music", "Hearth does not store what was playing"),
            "userActivity" => ("activity (motion, steps)", "Hearth does not store activity"),
            "timeZone" => (
                "time zone",
                "times are kept as instants (UTC); the zone the entry was written in is not kept",
            ),
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

    let (title, body, moments, entry_links) = split_text(text.as_deref().unwrap_or(""));
    if moments > 0 {
        log.note(
            "media references in the text",
            "the photos, videos, audio and PDFs they show are not imported; the `![](dayone-moment:…)` references were removed from the text",
        );
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
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    })
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

/// Finds `![alt](dayone-moment:…)` at `s[i..]`; returns its byte length.
fn moment_at(s: &str, i: usize) -> Option<usize> {
    let rest = s.get(i..)?;
    let after_bang = rest.strip_prefix("![")?;
    let close = after_bang.find(']')?;
    if after_bang[..close].contains('\n') {
        return None;
    }
    let target = after_bang[close + 1..].strip_prefix("(dayone-moment:")?;
    let end = target.find(')')?;
    if target[..end].contains(char::is_whitespace) {
        return None;
    }
    Some(2 + close + 1 + "(dayone-moment:".len() + end + 1)
}

/// Removes moment references; lines left blank by that, with the blank
/// lines around them, become one blank line (none at the start or end).
/// Returns the text and how many references were removed.
fn remove_moments(text: &str) -> (String, usize) {
    let mut count = 0;
    // (line, was it emptied by a removal)
    let mut lines: Vec<(String, bool)> = Vec::new();
    for line in text.split('\n') {
        let mut out = String::with_capacity(line.len());
        let mut removed = false;
        let mut i = 0;
        while i < line.len() {
            if let Some(len) = moment_at(line, i) {
                count += 1;
                removed = true;
                i += len;
                continue;
            }
            let Some(c) = line[i..].chars().next() else {
                break;
            };
            out.push(c);
            i += c.len_utf8();
        }
        let emptied = removed && out.trim().is_empty();
        lines.push((out, emptied));
    }
    if count == 0 {
        return (text.to_string(), 0);
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
    (kept.join("\n"), count)
}

/// Title, body, number of moment references removed, and whether the text
/// links to other Day One entries.
fn split_text(text: &str) -> (String, String, usize, bool) {
    let entry_links = text.contains("dayone2://");
    let (text, moments) = remove_moments(text);
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            pos += line.len();
            continue;
        }
        let t = line.trim();
        let hashes = t.chars().take_while(|&c| c == '#').count();
        let title = if (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
            &t[hashes..]
        } else {
            t
        };
        let title = unescape_all(title.trim());
        let rest = &text[pos + line.len()..];
        let rest = rest.trim_start_matches(['\n', '\r']);
        let body = unescape_markdown(rest.trim_end());
        return (title, body, moments, entry_links);
    }
    (String::new(), String::new(), moments, entry_links)
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
        let (t, n) = remove_moments(
            "![](dayone-moment://A)\n\nHarvest time.\n\n![](dayone-moment://B)\n\n![](dayone-moment:/video/C)\n\nEnd ![](dayone-moment://D) here\n\n![](dayone-moment://E)",
        );
        assert_eq!(n, 5);
        assert_eq!(t, "Harvest time.\n\nEnd  here");
    }

    #[test]
    fn title_and_body() {
        let (t, b, n, _) =
            split_text("# Lady Liberty\\. NY \n\n![](dayone-moment://X)\n\nBody 1\\.5 \\- ok\n");
        assert_eq!(t, "Lady Liberty. NY");
        assert_eq!(b, "Body 1.5 - ok");
        assert_eq!(n, 1);
        let (t, b, _, _) = split_text("![](dayone-moment://X)");
        assert_eq!((t.as_str(), b.as_str()), ("", ""));
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
}
