//! The journal entry document.
//!
//! Root map: `schema` (uint, 1), `title` and `body` (text), `mood` (int or
//! null), `feelings` and `tags` (lists of strings), `starred` (bool),
//! `created_at`, `updated_at` (timestamps, ms), `trashed_at` (timestamp or
//! null). Text is changed with character diffs so concurrent edits on two
//! devices merge; lists are changed by removing what went and appending what
//! came, so concurrent additions both survive (duplicates are dropped when
//! read).

use crate::DocError;
use automerge::transaction::Transactable;
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value,
};

const SCHEMA: u64 = 1;

/// The user-visible fields of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryFields {
    pub title: String,
    pub body: String,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    pub tags: Vec<String>,
    pub starred: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
    /// Unix milliseconds; `Some` while the entry is in the trash.
    pub trashed_at: Option<i64>,
}

/// An entry's Automerge document, bound to the editing device's actor id.
pub struct EntryDoc {
    doc: AutoCommit,
    /// Read the document as it was at these heads instead of now.
    at: Option<Vec<ChangeHash>>,
}

impl EntryDoc {
    /// Make a new document holding `fields`; returns it and the change bytes
    /// that created it.
    pub fn create(actor: &[u8], fields: &EntryFields) -> Result<(Self, Vec<u8>), DocError> {
        let mut doc = AutoCommit::new().with_actor(ActorId::from(actor));
        doc.put(ROOT, "schema", SCHEMA)?;
        doc.put_object(ROOT, "title", ObjType::Text)?;
        doc.put_object(ROOT, "body", ObjType::Text)?;
        doc.put_object(ROOT, "feelings", ObjType::List)?;
        doc.put_object(ROOT, "tags", ObjType::List)?;
        let mut this = Self { doc, at: None };
        this.write_fields(fields)?;
        let change = this.doc.save_incremental();
        Ok((this, change))
    }

    /// Rebuild a document from its change bytes, in any order, for editing by
    /// `actor`.
    pub fn load<'a>(
        actor: &[u8],
        changes: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, DocError> {
        // One call with every change: applying them one call at a time costs
        // time in proportion to the whole document each, so the quadratic.
        let mut all = Vec::new();
        for bytes in changes {
            all.extend_from_slice(bytes);
        }
        let mut doc = AutoCommit::new();
        doc.load_incremental(&all)?;
        doc.set_actor(ActorId::from(actor));
        // Everything loaded is already stored; only new edits are saved.
        let _ = doc.save_incremental();
        let this = Self { doc, at: None };
        this.fields()?;
        Ok(this)
    }

    /// Change the document so it holds `fields`. Returns the change bytes, or
    /// `None` when nothing differed.
    pub fn update(&mut self, fields: &EntryFields) -> Result<Option<Vec<u8>>, DocError> {
        self.write_fields(fields)?;
        let change = self.doc.save_incremental();
        Ok((!change.is_empty()).then_some(change))
    }

    /// Read the current fields.
    pub fn fields(&self) -> Result<EntryFields, DocError> {
        let schema = self.scalar("schema")?;
        if !matches!(
            schema,
            Some(ScalarValue::Uint(SCHEMA)) | Some(ScalarValue::Int(1))
        ) {
            return Err(DocError::Malformed(format!(
                "unknown entry schema {schema:?}"
            )));
        }
        let mood = match self.scalar("mood")? {
            None | Some(ScalarValue::Null) => None,
            Some(ScalarValue::Int(m)) => u8::try_from(m).ok().filter(|m| (1..=5).contains(m)),
            Some(ScalarValue::Uint(m)) => u8::try_from(m).ok().filter(|m| (1..=5).contains(m)),
            Some(other) => return Err(DocError::Malformed(format!("mood is {other:?}"))),
        };
        Ok(EntryFields {
            title: self.text("title")?,
            body: self.text("body")?,
            mood,
            feelings: self.strings("feelings")?,
            tags: self.strings("tags")?,
            starred: matches!(self.scalar("starred")?, Some(ScalarValue::Boolean(true))),
            created_at: self.timestamp("created_at")?.unwrap_or(0),
            updated_at: self.timestamp("updated_at")?.unwrap_or(0),
            trashed_at: self.timestamp("trashed_at")?,
        })
    }

    /// The fields after each change in `changes`, applied in order: the
    /// entry's versions. All changes are loaded at once and each version is
    /// read at its heads, so this is linear in the history's length.
    pub fn replay<'a>(
        changes: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Vec<EntryFields>, DocError> {
        let changes: Vec<&[u8]> = changes.into_iter().collect();
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let mut heads: Vec<ChangeHash> = Vec::new();
        let mut versions = Vec::with_capacity(changes.len());
        for bytes in &changes {
            let change = Change::from_bytes(bytes.to_vec())
                .map_err(|e| DocError::Malformed(format!("a change does not parse: {e}")))?;
            heads.retain(|h| !change.deps().contains(h));
            heads.push(change.hash());
            versions.push(heads.clone());
        }
        // Nothing is written to this document, so the actor does not matter.
        let mut this = Self::load(&[0; 16], changes.iter().copied())?;
        let mut out = Vec::with_capacity(versions.len());
        for at in versions {
            this.at = Some(at);
            out.push(this.fields()?);
        }
        Ok(out)
    }

    /// The full document, compacted; used for snapshots.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    fn write_fields(&mut self, f: &EntryFields) -> Result<(), DocError> {
        let title = self.obj("title")?;
        let body = self.obj("body")?;
        self.doc.update_text(&title, &f.title)?;
        self.doc.update_text(&body, &f.body)?;
        let mood = f
            .mood
            .map_or(ScalarValue::Null, |m| ScalarValue::Int(i64::from(m)));
        self.put_if_changed("mood", mood)?;
        self.update_list("feelings", &f.feelings)?;
        self.update_list("tags", &f.tags)?;
        self.put_if_changed("starred", ScalarValue::Boolean(f.starred))?;
        self.put_if_changed("created_at", ScalarValue::Timestamp(f.created_at))?;
        self.put_if_changed("updated_at", ScalarValue::Timestamp(f.updated_at))?;
        let trashed = f
            .trashed_at
            .map_or(ScalarValue::Null, ScalarValue::Timestamp);
        self.put_if_changed("trashed_at", trashed)?;
        Ok(())
    }

    fn put_if_changed(&mut self, key: &str, value: ScalarValue) -> Result<(), DocError> {
        if self.scalar(key)?.as_ref() != Some(&value) {
            self.doc.put(ROOT, key, value)?;
        }
        Ok(())
    }

    fn update_list(&mut self, key: &str, wanted: &[String]) -> Result<(), DocError> {
        let list = self.obj(key)?;
        let current = self.strings_raw(&list)?;
        for i in (0..current.len()).rev() {
            let keep_here = current[..i].iter().all(|c| c != &current[i]);
            if !keep_here || !wanted.contains(&current[i]) {
                self.doc.delete(&list, i)?;
            }
        }
        let mut len = self.doc.length(&list);
        for w in wanted {
            if !current.contains(w) {
                self.doc.insert(&list, len, w.as_str())?;
                len += 1;
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<(Value<'_>, ObjId)>, DocError> {
        Ok(match &self.at {
            Some(heads) => self.doc.get_at(ROOT, key, heads)?,
            None => self.doc.get(ROOT, key)?,
        })
    }

    fn obj(&self, key: &str) -> Result<ObjId, DocError> {
        match self.get(key)? {
            Some((Value::Object(_), id)) => Ok(id),
            _ => Err(DocError::Malformed(format!("{key} is missing"))),
        }
    }

    fn scalar(&self, key: &str) -> Result<Option<ScalarValue>, DocError> {
        match self.get(key)? {
            None => Ok(None),
            Some((Value::Scalar(v), _)) => Ok(Some(v.into_owned())),
            Some((Value::Object(_), _)) => Err(DocError::Malformed(format!("{key} is an object"))),
        }
    }

    fn timestamp(&self, key: &str) -> Result<Option<i64>, DocError> {
        match self.scalar(key)? {
            None | Some(ScalarValue::Null) => Ok(None),
            Some(ScalarValue::Timestamp(t) | ScalarValue::Int(t)) => Ok(Some(t)),
            Some(other) => Err(DocError::Malformed(format!("{key} is {other:?}"))),
        }
    }

    fn text(&self, key: &str) -> Result<String, DocError> {
        let id = self.obj(key)?;
        Ok(match &self.at {
            Some(heads) => self.doc.text_at(&id, heads)?,
            None => self.doc.text(&id)?,
        })
    }

    fn strings_raw(&self, list: &ObjId) -> Result<Vec<String>, DocError> {
        let mut out = Vec::new();
        let items = match &self.at {
            Some(heads) => self.doc.list_range_at(list, .., heads),
            None => self.doc.list_range(list, ..),
        };
        for item in items {
            match Value::from(item.value) {
                Value::Scalar(v) => match v.as_ref() {
                    ScalarValue::Str(s) => out.push(s.to_string()),
                    other => return Err(DocError::Malformed(format!("list item is {other:?}"))),
                },
                Value::Object(_) => {
                    return Err(DocError::Malformed("list item is an object".into()));
                }
            }
        }
        Ok(out)
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, DocError> {
        let mut out: Vec<String> = Vec::new();
        for s in self.strings_raw(&self.obj(key)?)? {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn sample() -> EntryFields {
        EntryFields {
            title: "A day".into(),
            body: "It rained.".into(),
            mood: Some(3),
            feelings: vec!["calm".into()],
            tags: vec!["work".into(), "rain".into()],
            starred: false,
            created_at: 1_700_000_000_000,
            updated_at: 1_700_000_000_000,
            trashed_at: None,
        }
    }

    #[test]
    fn create_load_update() {
        let actor = [1u8; 16];
        let (doc, c1) = EntryDoc::create(&actor, &sample()).unwrap();
        assert_eq!(doc.fields().unwrap(), sample());
        let mut doc = EntryDoc::load(&actor, [c1.as_slice()]).unwrap();
        let mut f = sample();
        f.body = "It rained, then sun.".into();
        f.tags = vec!["rain".into(), "sun".into()];
        f.mood = None;
        let c2 = doc.update(&f).unwrap().unwrap();
        assert!(doc.update(&f).unwrap().is_none());
        let again = EntryDoc::load(&actor, [c2.as_slice(), c1.as_slice()]).unwrap();
        assert_eq!(again.fields().unwrap(), f);
    }

    #[test]
    fn concurrent_edits_merge() {
        let (_, c1) = EntryDoc::create(&[1; 16], &sample()).unwrap();
        let mut a = EntryDoc::load(&[1; 16], [c1.as_slice()]).unwrap();
        let mut b = EntryDoc::load(&[2; 16], [c1.as_slice()]).unwrap();
        let mut fa = sample();
        fa.title = "A long day".into();
        fa.tags.push("a".into());
        let mut fb = sample();
        fb.body = "It rained. I read.".into();
        fb.tags.push("b".into());
        let ca = a.update(&fa).unwrap().unwrap();
        let cb = b.update(&fb).unwrap().unwrap();
        let m = EntryDoc::load(&[3; 16], [c1.as_slice(), cb.as_slice(), ca.as_slice()]).unwrap();
        let f = m.fields().unwrap();
        assert_eq!(f.title, "A long day");
        assert_eq!(f.body, "It rained. I read.");
        assert!(f.tags.contains(&"a".into()) && f.tags.contains(&"b".into()));
    }

    #[test]
    fn replay_gives_every_version() {
        let actor = [1u8; 16];
        let (mut doc, c1) = EntryDoc::create(&actor, &sample()).unwrap();
        let mut f = sample();
        f.body = "It rained a lot.".into();
        let c2 = doc.update(&f).unwrap().unwrap();
        let versions = EntryDoc::replay([c1.as_slice(), c2.as_slice()]).unwrap();
        assert_eq!(versions, vec![sample(), f]);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(EntryDoc::load(&[1; 16], [b"not automerge".as_slice()]).is_err());
    }

    proptest! {
        #[test]
        fn any_edit_sequence_reloads(edits in proptest::collection::vec(
            ("\\PC{0,20}", "\\PC{0,60}", proptest::option::of(1u8..=5),
             proptest::collection::vec("[a-z]{1,5}", 0..4), any::<bool>()), 1..6)) {
            let actor = [9u8; 16];
            let (mut doc, first) = EntryDoc::create(&actor, &sample()).unwrap();
            let mut changes = vec![first];
            let mut want = sample();
            for (title, body, mood, tags, starred) in edits {
                want.title = title; want.body = body; want.mood = mood;
                let mut dedup: Vec<String> = Vec::new();
                for t in tags { if !dedup.contains(&t) { dedup.push(t); } }
                want.tags = dedup; want.starred = starred;
                if let Some(c) = doc.update(&want).unwrap() { changes.push(c); }
            }
            let back = EntryDoc::load(&actor, changes.iter().map(Vec::as_slice)).unwrap();
            prop_assert_eq!(back.fields().unwrap().title, want.title.clone());
            prop_assert_eq!(back.fields().unwrap().body, want.body.clone());
            prop_assert_eq!(back.fields().unwrap().mood, want.mood);
            prop_assert_eq!(back.fields().unwrap().starred, want.starred);
            let mut got = back.fields().unwrap().tags; got.sort();
            let mut exp = want.tags.clone(); exp.sort();
            prop_assert_eq!(got, exp);
        }
    }
}
