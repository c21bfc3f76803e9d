//! Front matter at the top of a Markdown file: YAML between `---` lines
//! (Jekyll, Obsidian, Hearth), TOML between `+++` lines (Hugo), or a JSON
//! object (Hugo), and Logseq's `key:: value` page properties. Each is read
//! into one JSON object so the rest of the reader treats them alike.

use crate::common::{Bad, describe};
use serde_json::{Map, Value};

/// Which syntax the front matter was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    None,
    Yaml,
    Toml,
    Json,
}

/// A file split into its front matter and its body.
#[derive(Debug)]
pub(crate) struct Split<'t> {
    pub kind: Kind,
    pub map: Map<String, Value>,
    pub body: &'t str,
}

/// The text between a first line `fence` and the next line that is `fence`
/// (or `close_alt`), and the body after it. `Ok(None)` when the file does
/// not open with `fence`.
fn fenced<'t>(
    name: &str,
    text: &'t str,
    fence: &str,
    close_alt: Option<&str>,
    what: &str,
) -> Result<Option<(&'t str, &'t str)>, Bad> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(None);
    };
    if first.trim_end() != fence {
        return Ok(None);
    }
    let start = first.len();
    let mut pos = start;
    for line in lines {
        let t = line.trim_end();
        if t == fence || Some(t) == close_alt {
            return Ok(Some((&text[start..pos], &text[pos + line.len()..])));
        }
        pos += line.len();
    }
    Err(Bad::new(
        name,
        format!(
            "the {what} front matter that opens with `{fence}` on line 1 is never closed; add a line `{fence}` after it (or remove the first line if it is not front matter)"
        ),
    ))
}

/// Splits off YAML (`---`), TOML (`+++`) or JSON (`{` … `}`) front matter.
pub(crate) fn split<'t>(name: &str, text: &'t str) -> Result<Split<'t>, Bad> {
    if let Some((yaml, body)) = fenced(name, text, "---", Some("..."), "YAML")? {
        return Ok(Split {
            kind: Kind::Yaml,
            map: yaml_map(name, yaml)?,
            body,
        });
    }
    if let Some((toml, body)) = fenced(name, text, "+++", None, "TOML")? {
        return Ok(Split {
            kind: Kind::Toml,
            map: toml_map(name, toml)?,
            body,
        });
    }
    if let Some((map, body)) = json_front(text) {
        return Ok(Split {
            kind: Kind::Json,
            map,
            body,
        });
    }
    Ok(Split {
        kind: Kind::None,
        map: Map::new(),
        body: text,
    })
}

fn yaml_map(name: &str, yaml: &str) -> Result<Map<String, Value>, Bad> {
    if yaml.trim().is_empty() {
        return Ok(Map::new());
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
    object(
        name,
        json,
        "`key: value` lines such as `title: Morning walk`",
    )
}

fn object(name: &str, json: Value, expected: &str) -> Result<Map<String, Value>, Bad> {
    match json {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(Bad::new(
            name,
            format!(
                "the front matter is {}; expected {expected}",
                describe(&other)
            ),
        )),
    }
}

fn toml_map(name: &str, toml_text: &str) -> Result<Map<String, Value>, Bad> {
    let table: toml::Table = toml_text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| {
                format!(
                    " (line {} of the file)",
                    toml_text[..s.start.min(toml_text.len())]
                        .matches('\n')
                        .count()
                        + 2
                )
            })
            .unwrap_or_default();
        Bad::new(
            name,
            format!(
                "the front matter is not valid TOML{line}: {}; expected `key = \"value\"` lines between two `+++` lines",
                e.message()
            ),
        )
    })?;
    object(
        name,
        toml_to_json(toml::Value::Table(table)),
        "`key = \"value\"` lines",
    )
}

/// TOML values as JSON; dates and times become their RFC 3339 text.
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// A JSON object that opens the file on a line starting with `{` and ends
/// at the end of a line (Hugo's JSON front matter). Anything else is body.
fn json_front(text: &str) -> Option<(Map<String, Value>, &str)> {
    if !text.starts_with('{') {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let Some(Ok(Value::Object(map))) = stream.next() else {
        return None;
    };
    let end = stream.byte_offset();
    let rest = &text[end..];
    let line_rest = rest.split_inclusive('\n').next().unwrap_or("");
    if !line_rest.trim().is_empty() {
        return None;
    }
    Some((map, &rest[line_rest.len()..]))
}

/// Logseq page properties: `key:: value` lines at the very top of the body
/// (the first may be a `- ` block), up to the first other line. Returns the
/// properties in order and the body after them (and after blank lines that
/// follow them). Keys are lowercase letters, digits, `-` and `_`.
pub(crate) fn logseq_properties(body: &str) -> (Vec<(String, String)>, &str) {
    let mut props = Vec::new();
    let mut pos = 0;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let mut t = line.trim_end_matches(['\n', '\r']);
        if i == 0 {
            t = t.strip_prefix("- ").unwrap_or(t);
        } else {
            t = t.trim_start();
        }
        match property(t) {
            Some((k, v)) => props.push((k, v)),
            None => break,
        }
        pos += line.len();
    }
    if props.is_empty() {
        return (props, body);
    }
    let mut rest = &body[pos..];
    while let Some(line) = rest.split_inclusive('\n').next() {
        if line.trim().is_empty() && line.ends_with('\n') {
            rest = &rest[line.len()..];
        } else {
            break;
        }
    }
    (props, rest)
}

/// `key:: value`, or `None`.
pub(crate) fn property(line: &str) -> Option<(String, String)> {
    let (key, value) = line.split_once("::")?;
    let key = key.trim_start();
    if key.is_empty()
        || key.len() > 64
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    if !(value.is_empty() || value.starts_with(' ') || value.starts_with('\t')) {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn yaml_toml_json_and_none() {
        let s = split("a.md", "---\ntitle: A\n---\nbody").unwrap();
        assert_eq!(s.kind, Kind::Yaml);
        assert_eq!(s.map["title"], "A");
        assert_eq!(s.body, "body");

        let s = split(
            "b.md",
            "+++\ntitle = \"B\"\ndate = 2022-05-15T10:30:00+02:00\ntags = [\"x\"]\n[params]\nk = 1\n+++\nbody\n",
        )
        .unwrap();
        assert_eq!(s.kind, Kind::Toml);
        assert_eq!(s.map["title"], "B");
        assert_eq!(s.map["date"], "2022-05-15T10:30:00+02:00");
        assert_eq!(s.map["tags"][0], "x");
        assert_eq!(s.body, "body\n");

        let s = split("c.md", "{\n  \"title\": \"C\"\n}\nbody").unwrap();
        assert_eq!(s.kind, Kind::Json);
        assert_eq!(s.map["title"], "C");
        assert_eq!(s.body, "body");

        let s = split("d.md", "{not json}\nbody").unwrap();
        assert_eq!(s.kind, Kind::None);
        assert_eq!(s.body, "{not json}\nbody");

        let e = split("e.md", "+++\ntitle = \n+++\n").unwrap_err();
        assert!(e.message.contains("not valid TOML"), "{e:?}");
        let e = split("f.md", "+++\ntitle = 1\n").unwrap_err();
        assert!(e.message.contains("never closed"), "{e:?}");
    }

    #[test]
    fn logseq_page_properties() {
        let (p, rest) = logseq_properties("title:: Walk\ntags:: a, [[b c]]\n\n- first\n");
        assert_eq!(
            p,
            vec![
                ("title".to_string(), "Walk".to_string()),
                ("tags".to_string(), "a, [[b c]]".to_string())
            ]
        );
        assert_eq!(rest, "- first\n");
        let (p, rest) = logseq_properties("- tags:: x\n  alias:: y\n- next\n");
        assert_eq!(p.len(), 2);
        assert_eq!(rest, "- next\n");
        let (p, rest) = logseq_properties("- just a block\n");
        assert!(p.is_empty());
        assert_eq!(rest, "- just a block\n");
        assert_eq!(property("a::b"), None);
        assert_eq!(property("see http://x::y"), None);
    }
}
