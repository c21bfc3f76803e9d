//! Finding links and inline `#tags` in a Markdown body, outside code.
//!
//! The scanner works line by line (links and tags never span lines here),
//! skips fenced code blocks (```` ``` ```` and `~~~`, also inside list items
//! and quotes, as Logseq writes them) and inline code spans, and finds:
//! - `![alt](dest)` and `[text](dest)`, with `<dest with spaces>`, a
//!   `"title"`, or (as Obsidian and Typora write) spaces in a bare
//!   destination; `[![thumb](a.jpg)](b.jpg)` gives both;
//! - `![[target|alias]]` embeds and `[[target|alias]]` wiki links;
//! - reference definitions `[label]: dest` at the start of a line;
//! - `<img src="dest">`;
//! - `#tag` preceded by whitespace or the start of a line (letters, digits,
//!   `-`, `_`, `/`; not digits only) and Logseq's `#[[two words]]`.
//!
//! Everything is bounded by the line, and each line is scanned in linear
//! time, so no input makes it slow.

use std::collections::BTreeMap;
use std::ops::Range;

/// What kind of link a [`Link`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// `![alt](dest)`
    Image,
    /// `[text](dest)`
    Plain,
    /// `![[target]]`
    Embed,
    /// `[[target]]`
    Wiki,
    /// `[label]: dest`
    Definition,
    /// `<img src="dest">`
    HtmlImg,
}

/// A link found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub kind: LinkKind,
    /// What to replace to change the target: the destination text (inside
    /// `<…>` when `angle`), or for embeds and wiki links the whole `![[…]]`.
    pub range: Range<usize>,
    /// The destination as written (for wiki links: before `|`).
    pub target: String,
    /// Wiki links: the text after `|`.
    pub alias: Option<String>,
}

/// What [`scan`] found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub links: Vec<Link>,
    pub tags: Vec<String>,
}

/// Container markers in front of a line's content: indentation, `>` quotes,
/// list bullets.
fn strip_containers(line: &str) -> &str {
    let mut t = line.trim_start();
    loop {
        let before = t.len();
        if let Some(r) = t.strip_prefix('>') {
            t = r.trim_start();
        }
        for bullet in ["- ", "* ", "+ ", "-\t", "*\t", "+\t"] {
            if let Some(r) = t.strip_prefix(bullet) {
                t = r.trim_start();
            }
        }
        if t.len() == before {
            return t;
        }
    }
}

/// `(char, length)` of a fence opening or closing this line.
fn fence_of(line: &str) -> Option<(u8, usize, &str)> {
    let t = strip_containers(line.trim_end_matches(['\n', '\r']));
    let c = *t.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|&b| b == c).count();
    if n < 3 {
        return None;
    }
    let info = &t[n..];
    if c == b'`' && info.contains('`') {
        return None;
    }
    Some((c, n, info))
}

/// Inline code spans in one line, as byte ranges of the line.
fn code_spans(b: &[u8]) -> Vec<Range<usize>> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let start = i;
            while i < b.len() && b[i] == b'`' {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    // The next run of the same length, for each run.
    let mut next_same = vec![None; runs.len()];
    let mut last: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for k in (0..runs.len()).rev() {
        next_same[k] = last.get(&runs[k].1).copied();
        last.insert(runs[k].1, k);
    }
    let mut spans = Vec::new();
    let mut k = 0;
    while k < runs.len() {
        match next_same[k] {
            Some(j) => {
                spans.push(runs[k].0..runs[j].0 + runs[j].1);
                k = j + 1;
            }
            None => k += 1,
        }
    }
    spans
}

/// Ranges already taken by a link (destinations, whole wiki links), so
/// nothing inside them is read again.
#[derive(Default)]
struct Taken(BTreeMap<usize, usize>);

impl Taken {
    fn add(&mut self, r: Range<usize>) {
        self.0.insert(r.start, r.end);
    }
    fn contains(&self, i: usize) -> bool {
        self.0
            .range(..=i)
            .next_back()
            .is_some_and(|(_, &end)| i < end)
    }
}

const MAX_DEST: usize = 4096;

/// Scan `body`; tags only when `want_tags`.
pub(crate) fn scan(body: &str, want_tags: bool) -> Scan {
    let mut out = Scan::default();
    let mut fence: Option<(u8, usize)> = None;
    let mut base = 0;
    for line in body.split_inclusive('\n') {
        let here = base;
        base += line.len();
        if let Some((c, n)) = fence {
            if let Some((c2, n2, info)) = fence_of(line)
                && c2 == c
                && n2 >= n
                && info.trim().is_empty()
            {
                fence = None;
            }
            continue;
        }
        if let Some((c, n, _)) = fence_of(line) {
            fence = Some((c, n));
            continue;
        }
        scan_line(line, here, want_tags, &mut out);
    }
    out
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn scan_line(line: &str, base: usize, want_tags: bool, out: &mut Scan) {
    let b = line.as_bytes();
    let code = code_spans(b);
    let mut in_code = vec![false; 0];
    if !code.is_empty() {
        in_code = vec![false; b.len()];
        for r in &code {
            for x in &mut in_code[r.clone()] {
                *x = true;
            }
        }
    }
    let code_at = |i: usize| in_code.get(i).copied().unwrap_or(false);

    // Brackets, matched with a stack.
    let mut stack = Vec::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if code_at(i) {
            i += 1;
            continue;
        }
        match b[i] {
            b'\\' => i += 1,
            b'[' => stack.push(i),
            b']' => {
                if let Some(o) = stack.pop() {
                    pairs.push((o, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    pairs.sort_unstable();
    let close_of: std::collections::HashMap<usize, usize> = pairs.iter().copied().collect();

    let mut taken = Taken::default();
    let mut found: Vec<Link> = Vec::new();
    for &(o, c) in &pairs {
        if taken.contains(o) {
            continue;
        }
        let bang = o > 0 && b[o - 1] == b'!' && !taken.contains(o - 1);
        // [[wiki]] and ![[embed]]
        if b.get(o + 1) == Some(&b'[')
            && c >= o + 3
            && b[c - 1] == b']'
            && close_of.get(&(o + 1)) == Some(&(c - 1))
        {
            let inner = &line[o + 2..c - 1];
            let (target, alias) = match inner.split_once('|') {
                Some((t, a)) => (t, Some(a.to_string())),
                None => (inner, None),
            };
            let start = if bang { o - 1 } else { o };
            taken.add(start..c + 1);
            found.push(Link {
                kind: if bang {
                    LinkKind::Embed
                } else {
                    LinkKind::Wiki
                },
                range: base + start..base + c + 1,
                target: target.to_string(),
                alias,
            });
            continue;
        }
        if b.get(c + 1) == Some(&b'(') {
            if let Some((dest, end)) = destination(line, c + 2) {
                taken.add(c + 1..end);
                found.push(Link {
                    kind: if bang {
                        LinkKind::Image
                    } else {
                        LinkKind::Plain
                    },
                    target: line[dest.clone()].to_string(),
                    range: base + dest.start..base + dest.end,
                    alias: None,
                });
            }
            continue;
        }
        if b.get(c + 1) == Some(&b':')
            && !bang
            && o <= 3
            && b[..o].iter().all(|&x| x == b' ')
            && c > o + 1
        {
            let mut s = c + 2;
            while s < b.len() && matches!(b[s], b' ' | b'\t') {
                s += 1;
            }
            let (dest, end) = if b.get(s) == Some(&b'<') {
                match line[s + 1..].find(['>', '\n']) {
                    Some(k) if b[s + 1 + k] == b'>' => (s + 1..s + 1 + k, s + 2 + k),
                    _ => continue,
                }
            } else {
                let e = (s..b.len()).find(|&k| is_ws(b[k])).unwrap_or(b.len());
                (s..e, e)
            };
            if dest.is_empty() {
                continue;
            }
            taken.add(c + 1..end);
            found.push(Link {
                kind: LinkKind::Definition,
                target: line[dest.clone()].to_string(),
                range: base + dest.start..base + dest.end,
                alias: None,
            });
        }
    }

    // <img src="…">
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(k) = lower[from..].find("<img") {
        let start = from + k;
        from = start + 4;
        if code_at(start) || taken.contains(start) {
            continue;
        }
        let Some(close) = lower[start..].find('>').map(|e| start + e) else {
            break;
        };
        let tag = &lower[start..close];
        let mut value = None;
        let mut search = 0;
        while let Some(p) = tag[search..].find("src") {
            let at = search + p;
            search = at + 3;
            if at == 0 || !is_ws(tag.as_bytes()[at - 1]) {
                continue;
            }
            let rest = tag[at + 3..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest_trim = rest.trim_start();
            let q_at = tag.len() - rest_trim.len();
            let q = rest_trim.as_bytes().first().copied();
            if let Some(q @ (b'"' | b'\'')) = q
                && let Some(e) = tag[q_at + 1..].find(q as char)
            {
                value = Some(start + q_at + 1..start + q_at + 1 + e);
            }
            break;
        }
        if let Some(v) = value {
            taken.add(v.clone());
            found.push(Link {
                kind: LinkKind::HtmlImg,
                target: line[v.clone()].to_string(),
                range: base + v.start..base + v.end,
                alias: None,
            });
        }
        from = close + 1;
    }
    found.sort_by_key(|l| l.range.start);
    out.links.extend(found);

    if !want_tags {
        return;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'#' || code_at(i) || taken.contains(i) {
            i += 1;
            continue;
        }
        let boundary = i == 0 || {
            let prev = line[..i].chars().next_back().unwrap_or(' ');
            prev.is_whitespace()
        };
        if !boundary {
            i += 1;
            continue;
        }
        // Logseq: #[[two words]]
        if line[i + 1..].starts_with("[[")
            && let Some(e) = line[i + 3..bounded(line, i + 3 + 256)].find("]]")
        {
            let tag = line[i + 3..i + 3 + e].trim();
            if !tag.is_empty() && !tag.contains(['[', ']']) {
                out.tags.push(tag.to_string());
            }
            i += 3 + e + 2;
            continue;
        }
        let rest = &line[i + 1..];
        let len: usize = rest
            .chars()
            .take_while(|&ch| ch.is_alphanumeric() || matches!(ch, '-' | '_' | '/'))
            .map(char::len_utf8)
            .sum();
        let tag = rest[..len].trim_end_matches('/');
        if !tag.is_empty() && !tag.chars().all(|ch| ch.is_ascii_digit()) {
            out.tags.push(tag.to_string());
        }
        i += 1 + len;
    }
}

/// The destination of an inline link whose `(` is just before `start`:
/// its range (without `<>` and title) and the index after the `)`.
fn destination(line: &str, start: usize) -> Option<(Range<usize>, usize)> {
    let b = line.as_bytes();
    let mut s = start;
    while s < b.len() && matches!(b[s], b' ' | b'\t') {
        s += 1;
    }
    if b.get(s) == Some(&b'<') {
        let k = line[s + 1..].find(['>', '<', '\n'])?;
        if b[s + 1 + k] != b'>' {
            return None;
        }
        let dest = s + 1..s + 1 + k;
        let mut e = s + 2 + k;
        // An optional title, then `)`.
        let close = line[e..bounded(line, e + MAX_DEST)].find(')')? + e;
        if !title_only(&line[e..close]) {
            return None;
        }
        e = close + 1;
        return Some((dest, e));
    }
    let mut depth = 0usize;
    let mut k = s;
    let limit = (s + MAX_DEST).min(b.len());
    let close = loop {
        if k >= limit {
            return None;
        }
        match b[k] {
            b'\\' => k += 1,
            b'(' => depth += 1,
            b')' if depth == 0 => break k,
            b')' => depth -= 1,
            b'\n' | b'\r' => return None,
            _ => {}
        }
        k += 1;
    };
    let inner = &line[s..close];
    // A trailing "title" or 'title' after whitespace.
    let mut dest_end = s + inner.trim_end().len();
    let trimmed = inner.trim_end();
    for q in ['"', '\''] {
        if trimmed.len() >= 2 && trimmed.ends_with(q) {
            let body = &trimmed[..trimmed.len() - 1];
            if let Some(open) = body.rfind(q)
                && open > 0
                && body[..open].ends_with([' ', '\t'])
            {
                dest_end = s + body[..open].trim_end().len();
                break;
            }
        }
    }
    if dest_end <= s {
        return None;
    }
    Some((s..dest_end, close + 1))
}

/// `end`, or less, so that `line[..end]` is a whole number of characters.
fn bounded(line: &str, end: usize) -> usize {
    let mut end = end.min(line.len());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    end
}

fn title_only(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || (t.len() >= 2
            && ((t.starts_with('"') && t.ends_with('"'))
                || (t.starts_with('\'') && t.ends_with('\''))))
}

/// `body` with each range replaced; ranges must not overlap.
pub(crate) fn rewrite(body: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    if edits.is_empty() {
        return body.to_string();
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(body.len());
    let mut pos = 0;
    for (r, with) in edits {
        if r.start < pos {
            continue;
        }
        out.push_str(&body[pos..r.start]);
        out.push_str(&with);
        pos = r.end;
    }
    out.push_str(&body[pos..]);
    out
}

/// `%XX` sequences decoded; `None` when there are none or the result is not
/// UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let hex = |c: u8| (c as char).to_digit(16);
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|&c| hex(c)),
                b.get(i + 2).and_then(|&c| hex(c)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A relative path as a link destination: spaces and the characters that
/// end or confuse a Markdown link are percent-encoded; letters of any
/// script are kept.
pub(crate) fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '%' | '(' | ')' | '<' | '>' | '[' | ']' | '#' | '?' | '"' | '\'' | '\\' | '`'
            )
        {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Backslash escapes in a destination (`\(` → `(`).
pub(crate) fn unescape(s: &str) -> Option<String> {
    if !s.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    Some(out)
}

/// Text made safe inside `[…]`.
pub(crate) fn escape_link_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn targets(body: &str) -> Vec<(LinkKind, String)> {
        scan(body, false)
            .links
            .into_iter()
            .map(|l| (l.kind, l.target))
            .collect()
    }

    #[test]
    fn finds_links() {
        use LinkKind::*;
        assert_eq!(
            targets("a ![alt](img/photo.jpg) b [doc](files/a.pdf \"Title\") c"),
            vec![
                (Image, "img/photo.jpg".into()),
                (Plain, "files/a.pdf".into())
            ]
        );
        assert_eq!(
            targets("![x](<path with spaces.png>) ![y](my photo.jpg)"),
            vec![
                (Image, "path with spaces.png".into()),
                (Image, "my photo.jpg".into())
            ]
        );
        assert_eq!(
            targets("![[photo.png]] and [[Note|alias]] ![[a.png|300]]"),
            vec![
                (Embed, "photo.png".into()),
                (Wiki, "Note".into()),
                (Embed, "a.png".into())
            ]
        );
        assert_eq!(
            targets("[![thumb](t.jpg)](full.jpg)"),
            vec![(Image, "t.jpg".into()), (Plain, "full.jpg".into())]
        );
        assert_eq!(
            targets("[ref]: images/a.png \"t\"\n<img alt=\"x\" src=\"b.png\">"),
            vec![
                (Definition, "images/a.png".into()),
                (HtmlImg, "b.png".into())
            ]
        );
        assert_eq!(
            targets(
                "`![x](a.png)` and\n```\n![y](b.png)\n```\n- ~~~\n  ![z](c.png)\n  ~~~\n![w](d.png)"
            ),
            vec![(Image, "d.png".into())]
        );
        assert_eq!(targets("\\[x](a.png) [x] (b.png) [x](c.png"), vec![]);
    }

    #[test]
    fn finds_tags() {
        let s = scan(
            "# Heading\n#start of line, a #tag-one and #nested/tag/ and #日本\nnot a#hash, not #123, url http://x.org/#frag\n`#code` ```\n#[[two words]] [link](#anchor)\n```\n#fenced\n```\n",
            true,
        );
        assert_eq!(
            s.tags,
            vec!["start", "tag-one", "nested/tag", "日本", "two words"]
        );
    }

    #[test]
    fn rewrites_and_encodes() {
        let body = "![a](x.png) [b](<y z.pdf>)";
        let s = scan(body, false);
        let edits = s
            .links
            .iter()
            .map(|l| (l.range.clone(), "attachment:K".to_string()))
            .collect();
        assert_eq!(
            rewrite(body, edits),
            "![a](attachment:K) [b](<attachment:K>)"
        );
        assert_eq!(percent_encode_path("a b/(c)%.jpg"), "a%20b/%28c%29%25.jpg");
        assert_eq!(
            percent_decode("my%20photo.jpg").as_deref(),
            Some("my photo.jpg")
        );
        assert_eq!(percent_decode("caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(percent_decode("100%"), Some("100%".into()));
        assert_eq!(unescape("a\\(b\\)").as_deref(), Some("a(b)"));
    }
}
