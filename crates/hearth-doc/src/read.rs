//! Reading [`EntryFields`] out of whatever holds an entry's state: the
//! Automerge document (now, or at some heads) or the history replay's mirror
//! of it. One reader, so every path checks the schema the same way.

use crate::{DocError, EntryFields};
use automerge::ScalarValue;

/// Schema version written into every entry document.
pub(crate) const SCHEMA: u64 = 1;

/// What a root key holds.
pub(crate) enum Slot<O> {
    Scalar(ScalarValue),
    Object(O),
}

/// The few reads the entry schema needs.
pub(crate) trait Source {
    /// How the source names a text or list object.
    type Obj;
    fn root(&self, key: &str) -> Result<Option<Slot<Self::Obj>>, DocError>;
    fn text(&self, obj: &Self::Obj) -> Result<String, DocError>;
    /// The list's strings in order, duplicates included.
    fn list(&self, obj: &Self::Obj) -> Result<Vec<String>, DocError>;
}

pub(crate) fn fields<S: Source>(s: &S) -> Result<EntryFields, DocError> {
    let schema = scalar(s, "schema")?;
    if !matches!(
        schema,
        Some(ScalarValue::Uint(SCHEMA)) | Some(ScalarValue::Int(1))
    ) {
        return Err(DocError::Malformed(format!(
            "unknown entry schema {schema:?}"
        )));
    }
    let mood = match scalar(s, "mood")? {
        None | Some(ScalarValue::Null) => None,
        Some(ScalarValue::Int(m)) => u8::try_from(m).ok().filter(|m| (1..=5).contains(m)),
        Some(ScalarValue::Uint(m)) => u8::try_from(m).ok().filter(|m| (1..=5).contains(m)),
        Some(other) => return Err(DocError::Malformed(format!("mood is {other:?}"))),
    };
    Ok(EntryFields {
        title: s.text(&object(s, "title")?)?,
        body: s.text(&object(s, "body")?)?,
        mood,
        feelings: strings(s, "feelings")?,
        tags: strings(s, "tags")?,
        starred: matches!(scalar(s, "starred")?, Some(ScalarValue::Boolean(true))),
        created_at: timestamp(s, "created_at")?.unwrap_or(0),
        updated_at: timestamp(s, "updated_at")?.unwrap_or(0),
        trashed_at: timestamp(s, "trashed_at")?,
        attachments: match optional_object(s, "attachments")? {
            Some(list) => dedup(s.list(&list)?),
            None => Vec::new(),
        },
        files: match optional_object(s, "files")? {
            Some(list) => dedup(s.list(&list)?),
            None => Vec::new(),
        },
        place: string(s, "place")?,
        weather: string(s, "weather")?,
        time_zone: string(s, "time_zone")?,
    })
}

/// A list that documents made before vault format 4 do not have.
pub(crate) fn optional_object<S: Source>(s: &S, key: &str) -> Result<Option<S::Obj>, DocError> {
    match s.root(key)? {
        None => Ok(None),
        Some(Slot::Object(id)) => Ok(Some(id)),
        Some(Slot::Scalar(_)) => Err(DocError::Malformed(format!("{key} is not a list"))),
    }
}

fn string<S: Source>(s: &S, key: &str) -> Result<Option<String>, DocError> {
    match scalar(s, key)? {
        None | Some(ScalarValue::Null) => Ok(None),
        Some(ScalarValue::Str(v)) => Ok(Some(v.to_string())),
        Some(other) => Err(DocError::Malformed(format!("{key} is {other:?}"))),
    }
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

pub(crate) fn scalar<S: Source>(s: &S, key: &str) -> Result<Option<ScalarValue>, DocError> {
    match s.root(key)? {
        None => Ok(None),
        Some(Slot::Scalar(v)) => Ok(Some(v)),
        Some(Slot::Object(_)) => Err(DocError::Malformed(format!("{key} is an object"))),
    }
}

pub(crate) fn object<S: Source>(s: &S, key: &str) -> Result<S::Obj, DocError> {
    match s.root(key)? {
        Some(Slot::Object(id)) => Ok(id),
        _ => Err(DocError::Malformed(format!("{key} is missing"))),
    }
}

fn timestamp<S: Source>(s: &S, key: &str) -> Result<Option<i64>, DocError> {
    match scalar(s, key)? {
        None | Some(ScalarValue::Null) => Ok(None),
        Some(ScalarValue::Timestamp(t) | ScalarValue::Int(t)) => Ok(Some(t)),
        Some(other) => Err(DocError::Malformed(format!("{key} is {other:?}"))),
    }
}

/// A list's strings with duplicates dropped: concurrent additions of the same
/// tag on two devices both survive in the document.
fn strings<S: Source>(s: &S, key: &str) -> Result<Vec<String>, DocError> {
    Ok(dedup(s.list(&object(s, key)?)?))
}
