//! What a person types into search, understood once: words (all must
//! match), prefixes (`calm*`) and phrases in double quotes. Anything else is
//! read as plain words, so no input is a syntax error. The same reading
//! gives the FTS5 expression and marks the matches in a snippet.

/// One part of a query: a word, a prefix, or a phrase of several words.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// Lower-case words, in order.
    words: Vec<String>,
    /// The last word matches as a prefix.
    prefix: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    terms: Vec<Term>,
}

/// Marks the start of a matched term in a snippet.
pub const MATCH_START: char = '\u{2}';
/// Marks the end of a matched term in a snippet.
pub const MATCH_END: char = '\u{3}';

/// Tokens a snippet shows around its first match.
const SNIPPET_TOKENS: usize = 16;

impl Query {
    /// Read a query; `None` when it holds no word to search for.
    pub fn parse(input: &str) -> Option<Self> {
        let mut terms = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('"') {
                let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
                let words = lower_words(phrase);
                if !words.is_empty() {
                    terms.push(Term {
                        words,
                        prefix: false,
                    });
                }
                rest = tail;
                continue;
            }
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            let (token, tail) = rest.split_at(end);
            rest = tail.trim_start_matches(char::is_whitespace);
            let words = lower_words(token);
            let last = words.len().saturating_sub(1);
            for (i, w) in words.into_iter().enumerate() {
                let prefix = token.ends_with('*') && i == last;
                terms.push(Term {
                    words: vec![w],
                    prefix,
                });
            }
        }
        (!terms.is_empty()).then_some(Self { terms })
    }

    /// The FTS5 expression: every term quoted, so nothing is read as syntax.
    pub fn to_fts(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let quoted = format!("\"{}\"", t.words.join(" "));
                if t.prefix {
                    format!("{quoted}*")
                } else {
                    quoted
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Up to [`SNIPPET_TOKENS`] words of `body` (or of `title`, when the body
    /// has no match) around the first match, matches between
    /// [`MATCH_START`] and [`MATCH_END`], `…` where text was cut.
    pub fn snippet(&self, title: &str, body: &str) -> String {
        self.snippet_of(body)
            .or_else(|| self.snippet_of(title))
            .unwrap_or_else(|| {
                let tokens = tokens(body);
                window(body, &tokens, &vec![false; tokens.len()], 0)
            })
    }

    fn snippet_of(&self, text: &str) -> Option<String> {
        let tokens = tokens(text);
        let lower: Vec<String> = tokens
            .iter()
            .map(|&(s, e)| text[s..e].to_lowercase())
            .collect();
        let mut marked = vec![false; tokens.len()];
        for i in 0..lower.len() {
            for t in &self.terms {
                if self.term_at(t, &lower, i) {
                    marked[i..i + t.words.len()]
                        .iter_mut()
                        .for_each(|m| *m = true);
                }
            }
        }
        let first = marked.iter().position(|&m| m)?;
        Some(window(text, &tokens, &marked, first.saturating_sub(4)))
    }

    fn term_at(&self, t: &Term, lower: &[String], i: usize) -> bool {
        let n = t.words.len();
        i + n <= lower.len()
            && t.words.iter().enumerate().all(|(k, w)| {
                let tok = &lower[i + k];
                if t.prefix && k == n - 1 {
                    tok.starts_with(w.as_str())
                } else {
                    tok == w
                }
            })
    }
}

/// The text from token `start` for [`SNIPPET_TOKENS`] tokens, with marks.
fn window(text: &str, tokens: &[(usize, usize)], marked: &[bool], start: usize) -> String {
    let end = (start + SNIPPET_TOKENS).min(tokens.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = tokens.get(start).map_or(0, |t| t.0);
    for i in start..end {
        let (s, e) = tokens[i];
        out.push_str(&text[at..s]);
        if marked[i] {
            out.push(MATCH_START);
            out.push_str(&text[s..e]);
            out.push(MATCH_END);
        } else {
            out.push_str(&text[s..e]);
        }
        at = e;
    }
    if end < tokens.len() {
        out.push('…');
    } else {
        out.push_str(&text[at..]);
    }
    out.trim().to_string()
}

/// Byte ranges of the runs of letters and digits in `text`.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn lower_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fts(q: &str) -> Option<String> {
        Query::parse(q).map(|q| q.to_fts())
    }

    #[test]
    fn query_translation() {
        assert_eq!(fts("calm day"), Some("\"calm\" \"day\"".into()));
        assert_eq!(fts("hope*"), Some("\"hope\"*".into()));
        assert_eq!(
            fts("\"long walk\" rain"),
            Some("\"long walk\" \"rain\"".into())
        );
        assert_eq!(fts("AND ( ) : -"), Some("\"and\"".into()));
        assert_eq!(fts("  ( ) - "), None);
        assert_eq!(fts("\"unclosed phrase"), Some("\"unclosed phrase\"".into()));
    }

    fn shown(s: &str) -> String {
        s.replace(MATCH_START, "[").replace(MATCH_END, "]")
    }

    #[test]
    fn snippets_mark_words_prefixes_and_phrases() {
        let q = Query::parse("rain walk*").unwrap();
        assert_eq!(
            shown(&q.snippet("Day", "A long Walking trip in the rain.")),
            "A long [Walking] trip in the [rain]."
        );
        let q = Query::parse("\"long walk\"").unwrap();
        assert_eq!(
            shown(&q.snippet("", "a long walk, not a walk long")),
            "a [long] [walk], not a walk long"
        );
        let q = Query::parse("storm").unwrap();
        assert_eq!(shown(&q.snippet("The storm", "quiet")), "The [storm]");
        let long: String = (0..40).map(|i| format!("w{i} ")).collect::<String>() + "storm end";
        let s = shown(&q.snippet("", &long));
        assert!(s.starts_with('…') && s.contains("[storm]"), "{s}");
        let s = shown(&Query::parse("x").unwrap().snippet("", &long));
        assert!(s.starts_with("w0") && s.ends_with('…'), "{s}");
    }
}
