//! jrnl's plain-text journal file, read and written the way jrnl 4.x does.
//!
//! jrnl (<https://jrnl.sh>) keeps a journal as one text file, and many people
//! who journal in a terminal have years of it. This module mirrors
//! `jrnl/journals/Journal.py` and `Entry.py` of jrnl 4.6 so that a journal
//! moves both ways without surprises.
//!
//! The file: each entry is `[<date>] <title>[ *]`, then the body lines, and
//! entries are separated by a blank line. jrnl finds entries with the
//! pattern `(^|\n)\[([^\]]+)\] `; text between two headers is the first
//! entry's text. From that text jrnl takes:
//! - starred: the first line ends with `*` (after trimming); the first line is
//!   then stripped of spaces and `*` at both ends;
//! - title and body: split at the first line break (so the title is the whole
//!   first line, whatever its punctuation); only an entry with no line break
//!   at all (the last entry of a file with no final newline, or entries not
//!   separated by blank lines) is split at the first sentence end
//!   (`.`, `!`, `?`, `…`, … followed by a space, or a CJK full stop). Both are
//!   trimmed. jrnl's quirk is kept too: when the text starts with a line break
//!   (an empty title), the first body line becomes the title;
//! - tags: every `@word` or `#word` (jrnl 4.x's default `tagsymbols` is `#@`;
//!   a word is letters, digits and `_-+*#/`) preceded by a space or the start,
//!   in the title or body. Unlike jrnl, which lowercases tags, the first
//!   spelling is kept; tags differing only in case count once. A run of tag
//!   symbols with no letter or digit (a Markdown `##`) is not a tag.
//!
//! Dates: jrnl's default `timeformat` is `%F %r`, i.e.
//! `2021-03-05 09:40:00 PM`, which is what is written (local time, seconds
//! kept, sub-seconds dropped). Reading follows jrnl: every `[...] ` at the
//! start of a line whose text jrnl reads as a date starts a new entry, with
//! the date jrnl gives it, in local time; that includes jrnl's lenient forms
//! (`2021-03 08:00` is March 1st, `Mar 5 2021`, `2021/03/05 8:05 PM`, a date
//! alone is midnight). A line that jrnl reads (or may read) as a new entry
//! but whose date Hearth cannot give as jrnl would (no year, no date at all,
//! day and month either way round, a time zone, `yesterday`, ...) is refused
//! with its line number and what to write instead, and so is a date-shaped
//! header that is not a real date (`[2021-13-45]`), rather than being merged
//! into the previous entry. Other bracketed text (`[1] footnote`,
//! `[x] done`, `[Note to self] ...`) is body text, as in jrnl. The rules,
//! and what jrnl does, are in `jrnl/dates.rs`. Text before the first entry
//! is refused (jrnl drops it silently). A header followed by the end of the
//! line instead of a space is accepted when its date is one Hearth reads
//! (jrnl would take it as body text of the entry before). CRLF line ends
//! are read as LF.
//!
//! A last body line made only of tags (`@work @home`) is taken as the tag
//! line: it is removed from the body and its tags kept. That is the line
//! written for tags that do not appear in the text, so Hearth→jrnl→Hearth
//! gives back the same body and tags.
//!
//! Writing mirrors `Entry.__str__`, entries sorted by creation time as jrnl
//! keeps them. What jrnl cannot hold (see [`lost_on_write`]): ids, mood,
//! feelings and updated_at are not written; line breaks in a title become
//! spaces and the title and body are trimmed; tag characters jrnl does not
//! allow in a tag (spaces, `.`, …) become `_`; an empty title with a body
//! comes back with the body's first line as its title and a title ending in
//! `*` comes back starred, both as in jrnl itself. A body line that jrnl
//! could take for a new entry (one starting with a bracketed date, or with a
//! `[` that is not closed on the line) is written with a Markdown escape
//! (`\[2021-03-05] …`, which Markdown shows as `[`; a line that already
//! starts with backslashes before such a `[` gets one more) and the escape is
//! removed again on reading. CRLF line ends in a body are written as LF.

use crate::common::{Bad, DropLog, local_to_utc, write_new_file};
use crate::{Dropped, InterchangeError, Parsed, Record};
use chrono::{NaiveDateTime, TimeZone, Timelike, Utc};
use dates::{Blob, Why, read_blob, refusal};
use std::path::Path;

mod dates;

/// jrnl 4.x's default `timeformat` (`%F %r`).
pub(crate) const TIME_FORMAT: &str = "%Y-%m-%d %I:%M:%S %p";

pub(crate) fn read<Tz: TimeZone>(path: &Path, tz: &Tz) -> Result<Parsed, InterchangeError> {
    let text = crate::common::read_text(path)?;
    let records = parse(&text, tz).map_err(|b| b.at(path))?;
    Ok(Parsed {
        records,
        dropped: Vec::new(),
    })
}

pub(crate) fn write<Tz: TimeZone>(
    path: &Path,
    records: &[Record],
    tz: &Tz,
) -> Result<(), InterchangeError>
where
    Tz::Offset: std::fmt::Display,
{
    write_new_file(path, render(records, tz).as_bytes())
}

// ---------------------------------------------------------------------------
// Python string semantics jrnl relies on.

/// `str.isspace()`: Unicode White_Space plus the ASCII separators 0x1C–0x1F.
pub(crate) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// `\w` in a Python `str` pattern.
pub(crate) fn py_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `str.splitlines()` without the line ends.
fn py_splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            out.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && it.peek().map(|&(_, n)| n) == Some('\n') {
                it.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

fn is_sentence_terminal(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | '\u{2026}'
            | '\u{203C}'
            | '\u{203D}'
            | '\u{2047}'
            | '\u{2048}'
            | '\u{2049}'
            | '\u{22EF}'
            | '\u{FE52}'
            | '\u{FE57}'
    )
}

/// End (byte offset) of jrnl's `SENTENCE_SPLITTER` first match in `s`.
fn sentence_split_end(s: &str) -> Option<usize> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(_, c)) in chars.iter().enumerate() {
        if matches!(
            c,
            '\u{FF01}' | '\u{FF0E}' | '\u{FF1F}' | '\u{FF61}' | '\u{3002}'
        ) {
            return Some(s.len().min(chars[k].0 + c.len_utf8()));
        }
        if !is_sentence_terminal(c) {
            continue;
        }
        let mut j = k + 1;
        if chars
            .get(j)
            .is_some_and(|&(_, q)| matches!(q, '\'' | '\u{2019}' | '"' | '\u{201D}'))
        {
            j += 1;
        }
        while let Some(&(_, b)) = chars.get(j) {
            if b == ']' || b == ')' {
                j += 1;
            } else {
                break;
            }
        }
        let ws_start = j;
        while let Some(&(_, w)) = chars.get(j) {
            if py_space(w) {
                j += 1;
            } else {
                break;
            }
        }
        if j > ws_start {
            return Some(chars.get(j).map(|&(b, _)| b).unwrap_or(s.len()));
        }
    }
    None
}

/// jrnl's `split_title`, quirks included.
fn split_title(text: &str) -> (String, String) {
    let lead = text.len() - text.trim_start_matches(py_space).len();
    let stripped = &text[lead..];
    let end = match stripped.find('\n') {
        Some(i) => {
            // jrnl finds the break in the stripped text but cuts the original
            // at that character index.
            let chars_to_cut = stripped[..i].chars().count() + 1;
            Some(
                text.char_indices()
                    .nth(chars_to_cut)
                    .map(|(b, _)| b)
                    .unwrap_or(text.len()),
            )
        }
        None => sentence_split_end(text),
    };
    match end {
        Some(e) => (
            py_strip(&text[..e]).to_string(),
            py_strip(&text[e..]).to_string(),
        ),
        // jrnl leaves this title untrimmed; trimming it is kinder and only
        // differs in spaces around a one-line last entry.
        None => (py_strip(text).to_string(), String::new()),
    }
}

/// Tag tokens in `text`: `(?<!\S)([#@][-+*#/\w]+)`, keeping those with a
/// letter, digit or `_`. Returns the names without the symbol.
pub(crate) fn find_tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev_space = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if (c == '@' || c == '#') && prev_space {
            let start = i + c.len_utf8();
            let mut end = start;
            while let Some(&(j, n)) = chars.peek() {
                if tag_char(n) {
                    end = j + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            if end > start {
                let run = &text[start..end];
                if run.chars().any(py_word) {
                    out.push(run.trim_start_matches(['@', '#']).to_string());
                }
                prev_space = false;
                continue;
            }
        }
        prev_space = py_space(c);
    }
    out
}

fn tag_char(c: char) -> bool {
    py_word(c) || matches!(c, '-' | '+' | '*' | '#' | '/')
}

/// Whether `line` is made only of tags (at least one).
fn is_tag_line(line: &str) -> bool {
    let mut any = false;
    for token in line.split(py_space).filter(|t| !t.is_empty()) {
        let mut cs = token.chars();
        let Some(first) = cs.next() else { continue };
        let rest = cs.as_str();
        if !(first == '@' || first == '#')
            || rest.is_empty()
            || !rest.chars().all(tag_char)
            || !rest.chars().any(py_word)
        {
            return false;
        }
        any = true;
    }
    any
}

/// Adds tags, case-insensitively unique, first spelling kept.
fn push_tags(into: &mut Vec<String>, tags: impl IntoIterator<Item = String>) {
    for t in tags {
        let t = t.trim().to_string();
        if t.is_empty() {
            continue;
        }
        let lower = t.to_lowercase();
        if !into.iter().any(|x| x.to_lowercase() == lower) {
            into.push(t);
        }
    }
}

/// A tag as jrnl can hold it: characters outside `[-+*#/\w]` become `_`.
pub(crate) fn jrnl_tag(tag: &str) -> String {
    tag.chars()
        .map(|c| if tag_char(c) { c } else { '_' })
        .collect()
}

// ---------------------------------------------------------------------------
// Dates.

/// Whether `line`, at the start of a line of the file, would start an entry
/// or be refused as a header: jrnl's pattern with Hearth's reading of the
/// date. A `[` not closed on the line counts too, since jrnl would look for
/// its `]` on the lines after.
fn header_like(line: &str) -> bool {
    let Some(after) = line.strip_prefix('[') else {
        return false;
    };
    let Some(close) = after.find(']') else {
        return true;
    };
    let blob = &after[..close];
    let tail = &after[close + 1..];
    if blob.is_empty() {
        false
    } else if tail.starts_with(' ') {
        read_blob(blob) != Blob::Text
    } else {
        tail.is_empty() && matches!(read_blob(blob), Blob::Date(_))
    }
}

/// `\` before body lines that would otherwise start a new entry (Markdown
/// shows `\[` as `[`); a line already starting with backslashes before such
/// a `[` gets one more, so that reading can undo it exactly.
fn escape_headers(body: &str) -> String {
    body.split('\n')
        .map(|line| {
            if header_like(line.trim_start_matches('\\')) {
                format!("\\{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Undoes [`escape_headers`].
fn unescape_headers(body: &str) -> String {
    body.split('\n')
        .map(|line| {
            let core = line.trim_start_matches('\\');
            if core.len() < line.len() && header_like(core) {
                &line[1..]
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A header's bracketed text as quoted in a message: its first line, cut
/// short when long.
fn quoted(blob: &str) -> String {
    let first = blob.split('\n').next().unwrap_or("");
    let mut shown: String = first.chars().take(60).collect();
    if shown.len() < blob.len() {
        shown.push('…');
        format!("`[{shown}`")
    } else {
        format!("`[{shown}]`")
    }
}

// ---------------------------------------------------------------------------
// Reading.

struct Header {
    /// Byte offset where the header's line starts.
    line_start: usize,
    /// Byte offset where the entry's text starts.
    text_start: usize,
    date: NaiveDateTime,
}

pub(crate) fn parse<Tz: TimeZone>(text: &str, tz: &Tz) -> Result<Vec<Record>, Bad> {
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n");
        normalized.as_str()
    } else {
        text
    };

    let headers = find_headers(text)?;

    let first = headers.first().map(|h| h.line_start).unwrap_or(text.len());
    if let Some(off) = text[..first].find(|c: char| !py_space(c)) {
        let line = text[..off].matches('\n').count() + 1;
        return Err(Bad::new(
            format!("line {line}"),
            "there is text before the first entry; a jrnl entry starts with a line like [2021-03-05 09:40:00 PM] Title",
        ));
    }

    let mut records = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let end = match headers.get(i + 1) {
            // jrnl's match starts at the "\n" before the next "[".
            Some(next) => next.line_start.saturating_sub(1).max(h.text_start),
            None => text.len(),
        };
        let entry_text = text.get(h.text_start..end).unwrap_or("");
        let when = local_to_utc(tz, h.date);
        records.push(entry_from_text(entry_text, when));
    }
    Ok(records)
}

/// The entry headers in `text`, found as jrnl finds them: its pattern
/// `(^|\n)\[([^\]]+)\] ` (the bracketed text may run over several lines,
/// and what a match takes in is not searched again), each bracketed text read
/// by [`read_blob`]. Refuses, with the line number, a header jrnl reads (or
/// may read) but Hearth cannot date as jrnl does.
fn find_headers(text: &str) -> Result<Vec<Header>, Bad> {
    let bytes = text.as_bytes();
    let mut headers = Vec::new();
    // The first `]` at or after `.0`, if any, cached so that many unclosed
    // `[` lines do not search the rest of the file again and again.
    let mut close_cache: Option<(usize, Option<usize>)> = None;
    let mut find_close = |from: usize| -> Option<usize> {
        if let Some((searched, found)) = close_cache
            && searched <= from
            && found.is_none_or(|c| c >= from)
        {
            return found;
        }
        let found = text[from..].find(']').map(|i| from + i);
        close_cache = Some((from, found));
        found
    };
    let mut pos = 0usize;
    let mut line_no = 1usize;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let mut resume = line_end + 1;
        if bytes[pos] == b'[' {
            // No `]` anywhere after: no header can follow.
            let Some(close) = find_close(pos + 1) else {
                break;
            };
            let blob = &text[pos + 1..close];
            let multi_line = close > line_end;
            match bytes.get(close + 1) {
                _ if blob.is_empty() => {}
                Some(b' ') => match read_blob(blob) {
                    Blob::Date(date) if !multi_line => headers.push(Header {
                        line_start: pos,
                        text_start: close + 2,
                        date,
                    }),
                    Blob::Text => {
                        // jrnl carries on after the match.
                        resume = text[close..].find('\n').map_or(text.len(), |i| close + i) + 1;
                    }
                    Blob::Refused(why) if !multi_line => {
                        return Err(Bad::new(
                            format!("line {line_no}"),
                            refusal(&quoted(blob), &why),
                        ));
                    }
                    Blob::Date(_) | Blob::Refused(_) => {
                        let closing_line = line_no + text[pos..close].matches('\n').count();
                        return Err(Bad::new(
                            format!("line {line_no}"),
                            refusal(
                                &format!(
                                    "{} (a `[` closed only by the `]` on line {closing_line})",
                                    quoted(blob)
                                ),
                                &Why::Guess,
                            ),
                        ));
                    }
                },
                // Hearth also takes `[date]` at the end of a line.
                None | Some(b'\n') if !multi_line => {
                    if let Blob::Date(date) = read_blob(blob) {
                        headers.push(Header {
                            line_start: pos,
                            text_start: close + 1,
                            date,
                        });
                    }
                }
                _ => {}
            }
        }
        let resume = resume.min(text.len());
        line_no += text[pos..resume].matches('\n').count();
        pos = resume;
    }
    Ok(headers)
}

fn entry_from_text(text: &str, when: chrono::DateTime<Utc>) -> Record {
    let lines = py_splitlines(text);
    let mut starred = false;
    let raw: String = match lines.first() {
        Some(first) if py_strip(first).ends_with('*') => {
            starred = true;
            let first = first.trim_matches(|c| c == '\n' || c == ' ' || c == '*');
            format!("{first}\n{}", lines[1..].join("\n"))
        }
        _ => text.to_string(),
    };
    let (title, mut body) = split_title(&raw);

    let mut tags = Vec::new();
    push_tags(&mut tags, find_tags(text));

    // A last line made only of tags is the tag line.
    let last_start = body.rfind('\n').map(|i| i + 1).unwrap_or(0);
    if is_tag_line(&body[last_start..]) {
        body.truncate(last_start);
        let kept = body.trim_end_matches(py_space).len();
        body.truncate(kept);
    }
    let body = unescape_headers(&body);

    Record {
        id: None,
        title,
        body,
        mood: None,
        feelings: Vec::new(),
        tags,
        starred,
        created_at: when,
        updated_at: when,
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    }
}

// ---------------------------------------------------------------------------
// Writing.

/// The title as one trimmed line.
fn title_line(title: &str) -> String {
    let joined = py_splitlines(title).join(" ");
    py_strip(&joined).to_string()
}

/// One entry exactly as jrnl's `Entry.__str__` would write it.
fn render_entry<Tz: TimeZone>(r: &Record, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let date = r.created_at.with_timezone(tz).format(TIME_FORMAT);
    let title = title_line(&r.title);
    let mut body = escape_headers(py_strip(&r.body.replace("\r\n", "\n")));

    let mut present = Vec::new();
    push_tags(&mut present, find_tags(&title));
    push_tags(&mut present, find_tags(&body));
    let present: Vec<String> = present.iter().map(|t| t.to_lowercase()).collect();
    let mut line: Vec<String> = Vec::new();
    for tag in &r.tags {
        let t = jrnl_tag(tag.trim().trim_start_matches(['@', '#']).trim());
        if t.is_empty() || !t.chars().any(py_word) {
            continue;
        }
        let lower = t.to_lowercase();
        if present.contains(&lower) || line.iter().any(|x| x.to_lowercase() == lower) {
            continue;
        }
        line.push(t);
    }
    if !line.is_empty() {
        let tag_line = line
            .iter()
            .map(|t| format!("@{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        if body.is_empty() {
            body = tag_line;
        } else {
            body = format!("{body}\n{tag_line}");
        }
    }

    let mut out = format!("[{date}] {title}");
    if r.starred {
        out.push_str(" *");
    }
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&body);
    }
    out.push('\n');
    out
}

/// The whole journal file, entries in creation order.
pub(crate) fn render<Tz: TimeZone>(records: &[Record], tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let mut order: Vec<&Record> = records.iter().collect();
    order.sort_by_key(|r| r.created_at);
    order
        .iter()
        .map(|r| render_entry(r, tz))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What writing `records` as a jrnl file leaves out.
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
        if r.created_at.nanosecond() != 0 {
            log.note("fractions of a second", "jrnl keeps times to the second");
        }
        if title_line(&r.title) != r.title {
            log.note(
                "line breaks and outer spaces in titles",
                "a jrnl title is one trimmed line",
            );
        }
        if py_strip(&r.body) != r.body {
            log.note(
                "blank lines and spaces around bodies",
                "jrnl trims the body",
            );
        }
        if r.tags
            .iter()
            .any(|t| jrnl_tag(t.trim_start_matches(['@', '#'])) != t.trim_start_matches(['@', '#']))
        {
            log.note(
                "tag spelling",
                "jrnl tags are one word: spaces and punctuation become _",
            );
        }
        if r.title.trim().is_empty() && !r.body.trim().is_empty() {
            log.note(
                "empty titles",
                "jrnl reads the first body line as the title",
            );
        }
    }
    log.into_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::DateTime;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    mod round_trip {
        #![allow(clippy::unwrap_used, clippy::expect_used)]
        use super::super::*;
        use chrono::{DateTime, FixedOffset};
        use proptest::prelude::*;

        /// A title jrnl gives back as it was: one trimmed line, no `*`
        /// (a trailing one means starred), no tag symbols.
        fn title() -> impl Strategy<Value = String> {
            "[A-Za-z0-9éü日本語😀][A-Za-z0-9éü日本語😀 .,!?;:'\"()\\[\\]…。-]{0,30}"
                .prop_map(|s| py_strip(&s).to_string())
                .prop_filter("non-empty", |s| !s.is_empty())
        }

        /// A body jrnl gives back as it was: trimmed, no tag symbols, no
        /// line starting with `[`.
        fn body() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                "([A-Za-z0-9éü日本語😀 .,!?;:'\"()…*-]{0,20}|---|- item|> quote|\\[2021-03-05 10:00\\] not an entry|\\[2021-13-45\\]|\\[2021-13-45\\] x|\\[1\\] note|\\[March meeting\\] notes|\\[Mar 5 2021\\] x|\\[2021-03\\]|\\[unclosed|\\[open \\[2021-03-05 10:00|x\\] y|\\\\\\[2021-03-05\\] z|\\\\\\\\ two)",
                0..5,
            )
            .prop_map(|lines| py_strip(&lines.join("\n")).to_string())
        }

        fn tags() -> impl Strategy<Value = Vec<String>> {
            proptest::collection::vec("[a-zé][a-z0-9é_/+-]{0,8}", 0..4).prop_map(|t| {
                let mut out: Vec<String> = Vec::new();
                push_tags(&mut out, t);
                out
            })
        }

        fn record() -> impl Strategy<Value = Record> {
            (title(), body(), tags(), any::<bool>(), 0i64..4_102_444_800).prop_map(
                |(title, body, tags, starred, secs)| {
                    let t = DateTime::from_timestamp(secs, 0).unwrap();
                    Record {
                        id: None,
                        title,
                        body,
                        mood: None,
                        feelings: vec![],
                        tags,
                        starred,
                        created_at: t,
                        updated_at: t,
                        attachments: Vec::new(),
                        place: None,
                        weather: None,
                        time_zone: None,
                    }
                },
            )
        }

        fn check<Tz: TimeZone>(records: &[Record], tz: &Tz) -> Result<(), TestCaseError>
        where
            Tz::Offset: std::fmt::Display,
        {
            let text = render(records, tz);
            let back =
                parse(&text, tz).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
            let mut expected = records.to_vec();
            expected.sort_by_key(|r| r.created_at);
            prop_assert_eq!(back, expected, "{}", text);
            Ok(())
        }

        proptest! {
            #[test]
            fn jrnl_round_trip_utc(records in proptest::collection::vec(record(), 0..6)) {
                check(&records, &Utc)?;
            }

            #[test]
            fn jrnl_round_trip_offset(records in proptest::collection::vec(record(), 0..6)) {
                check(&records, &FixedOffset::east_opt(5 * 3600 + 1800).unwrap())?;
                check(&records, &FixedOffset::west_opt(8 * 3600).unwrap())?;
            }

            /// Whatever the text, reading never panics.
            #[test]
            fn jrnl_parse_never_panics(text in "(\\PC|\n|\r|\\[|\\]|[0-9:/ -]|AM|PM|@|#|\\*){0,200}") {
                let _ = parse(&text, &Utc);
            }

            #[test]
            fn jrnl_parse_headers_never_panic(
                lines in proptest::collection::vec("\\[[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( [AP]M)?)?\\]( .{0,20})?", 0..6)
            ) {
                let _ = parse(&lines.join("\n"), &Utc);
            }
        }
    }

    #[test]
    fn header_like_lines() {
        assert!(header_like("[2021-03-05 10:00] x"));
        assert!(header_like("[2021-03-05 10:00]"));
        assert!(header_like("[2021-03 08:00] x"));
        assert!(header_like("[March meeting] notes"));
        assert!(header_like("[2021-13-45] x"));
        assert!(header_like("[unclosed"));
        assert!(!header_like("[2021-13-45]"));
        assert!(!header_like("[March meeting]"));
        assert!(!header_like("[1] note"));
        assert!(!header_like("[] x"));
        assert!(!header_like("[Note to self] x"));
        assert!(!header_like("[2021-03-05 10:00](link)"));
        assert!(!header_like(" [2021-03-05 10:00] x"));
        let body = "a\n[2021-03-05 10:00] x\n\\[2021-03-05] y\n[unclosed\n\\\\z\n[1] n";
        let escaped = escape_headers(body);
        assert_eq!(
            escaped,
            "a\n\\[2021-03-05 10:00] x\n\\\\[2021-03-05] y\n\\[unclosed\n\\\\z\n[1] n"
        );
        assert_eq!(unescape_headers(&escaped), body);
    }

    #[test]
    fn headers_found_like_jrnl() {
        // Lenient headers start entries of their own, in the given zone.
        let text = "[2021-03-05 10:00] One\nbody\n[2021-03 08:00] Two\n[Mar 5 2021] Three\n";
        let rs = parse(text, &Utc).unwrap();
        assert_eq!(rs.len(), 3);
        assert_eq!(rs[0].body, "body");
        assert_eq!(rs[1].created_at, utc("2021-03-01T08:00:00Z"));
        assert_eq!(rs[2].created_at, utc("2021-03-05T00:00:00Z"));
        let india = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let rs = parse(text, &india).unwrap();
        assert_eq!(rs[1].created_at, utc("2021-03-01T02:30:00Z"));

        // A bracket running over lines is one match: not a date, so text,
        // and the `[b] c` inside it is not looked at again.
        let rs = parse("[2021-03-05 10:00] One\n[a\n[b] c\n", &Utc).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].body, "[a\n[b] c");
        // One that jrnl may read as a date is refused at its `[`.
        let e = parse(
            "[2021-03-05 10:00] One\n[see\n[2021-03-06 10:00] Two\n",
            &Utc,
        )
        .unwrap_err();
        assert_eq!(e.location, "line 2");
        assert!(e.message.contains("line 3"), "{}", e.message);

        // `[date]` at the end of a line is a header when Hearth reads the
        // date; other bracketed text there is text, as in jrnl.
        let rs = parse(
            "[2021-03-05 10:00] One\n[2021-03-06]\nbody\n[March meeting]\n[2021-13-45]\n",
            &Utc,
        )
        .unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[1].created_at, utc("2021-03-06T00:00:00Z"));
        assert_eq!(rs[1].title, "body");
        assert_eq!(rs[1].body, "[March meeting]\n[2021-13-45]");

        // Line numbers count CRLF lines.
        let e = parse("[2021-03-05 10:00] One\r\nx\r\n[Mar 5 08:00] Two\r\n", &Utc).unwrap_err();
        assert_eq!(e.location, "line 3");
        assert!(e.message.contains("`[Mar 5 08:00]`"), "{}", e.message);

        // Many unclosed brackets are read in one pass.
        let many = format!("[2021-03-05 10:00] One\n{}", "[x\n".repeat(200_000));
        assert_eq!(parse(&many, &Utc).unwrap().len(), 1);
        let many = format!("[2021-03-05 10:00] One\n{}x]\n", "[ab\n".repeat(200_000));
        assert_eq!(parse(&many, &Utc).unwrap().len(), 1);
    }

    #[test]
    fn splitting_like_jrnl() {
        assert_eq!(
            split_title("Title. Body here\n"),
            ("Title. Body here".into(), "".into())
        );
        assert_eq!(
            split_title("Hello. World"),
            ("Hello.".into(), "World".into())
        );
        assert_eq!(split_title("No end"), ("No end".into(), "".into()));
        assert_eq!(split_title("你好。世界"), ("你好。".into(), "世界".into()));
        // jrnl's off-by-the-leading-whitespace cut.
        assert_eq!(split_title("\nbody\n"), ("body".into(), "".into()));
        assert_eq!(split_title("Wow!) Next"), ("Wow!)".into(), "Next".into()));
    }

    #[test]
    fn tags_like_jrnl() {
        assert_eq!(
            find_tags("@work and @Work, #home. e@mail ## x @a-b/c+d #1"),
            vec!["work", "Work", "home", "a-b/c+d", "1"]
        );
        assert!(is_tag_line("@a #b"));
        assert!(!is_tag_line("@a b"));
        assert!(!is_tag_line(""));
        assert!(!is_tag_line("##"));
    }

    #[test]
    fn reads_what_jrnl_writes() {
        let text = "[2021-03-05 09:40:00 PM] First sentence is the title.\nAnd the rest @work is body.\n\n[2021-03-06 10:00:00 AM] Title no punct\n\n[2021-03-07 10:00:00 AM] Hello.\nWorld. #home\n\n[2021-03-08 08:00:00 AM] Another one *\n";
        let rs = parse(text, &Utc).unwrap();
        assert_eq!(rs.len(), 4);
        assert_eq!(rs[0].title, "First sentence is the title.");
        assert_eq!(rs[0].body, "And the rest @work is body.");
        assert_eq!(rs[0].tags, vec!["work"]);
        assert_eq!(rs[0].created_at, utc("2021-03-05T21:40:00Z"));
        assert_eq!(rs[1].title, "Title no punct");
        assert_eq!(rs[1].body, "");
        assert_eq!(rs[2].tags, vec!["home"]);
        assert!(rs[3].starred);
        assert_eq!(rs[3].title, "Another one");
    }

    #[test]
    fn bad_date_has_line_number() {
        let text = "[2021-03-05 21:40] One\n\n[2021-13-45 25:00] Two\n";
        let e = parse(text, &Utc).unwrap_err();
        assert_eq!(e.location, "line 3");
        let e = parse("hello\n[2021-03-05 21:40] One\n", &Utc).unwrap_err();
        assert_eq!(e.location, "line 1");
        assert!(parse("", &Utc).unwrap().is_empty());
        assert!(parse("\n\n", &Utc).unwrap().is_empty());
    }

    #[test]
    fn footnotes_stay_in_the_body() {
        let rs = parse("[2021-03-05 21:40] T\n[1] note\nmore\n", &Utc).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].body, "[1] note\nmore");
    }

    #[test]
    fn writes_like_jrnl() {
        let r = Record {
            id: None,
            title: "First sentence is the title.".into(),
            body: "And the rest @work is body.\n".into(),
            mood: Some(3),
            feelings: vec![],
            tags: vec!["work".into(), "Board Games".into()],
            starred: true,
            created_at: utc("2021-03-05T21:40:00Z"),
            updated_at: utc("2021-03-05T21:40:00Z"),
            attachments: Vec::new(),
            place: None,
            weather: None,
            time_zone: None,
        };
        let mut plain = r.clone();
        plain.starred = false;
        plain.body = String::new();
        plain.tags = vec![];
        plain.title = "Just a title".into();
        let text = render(&[r, plain], &Utc);
        assert_eq!(
            text,
            "[2021-03-05 09:40:00 PM] First sentence is the title. *\nAnd the rest @work is body.\n@Board_Games\n\n[2021-03-05 09:40:00 PM] Just a title\n"
        );
        let back = parse(&text, &Utc).unwrap();
        assert_eq!(back[0].body, "And the rest @work is body.");
        assert_eq!(back[0].tags, vec!["work", "Board_Games"]);
        assert!(back[0].starred);
        assert_eq!(back[1].title, "Just a title");
    }
}
