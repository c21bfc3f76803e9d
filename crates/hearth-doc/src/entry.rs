//! The journal entry document.
//!
//! Root map: `schema` (uint, 1), `title` and `body` (text), `mood` (int or
//! null), `feelings` and `tags` (lists of strings), `starred` (bool),
//! `created_at`, `updated_at` (timestamps, ms), `trashed_at` (timestamp or
//! null); and, since vault format 4, `attachments` (list of strings, each
//! one attachment's JSON description), `files` (list of strings: the content
//! hash of every attachment the entry ever had, so history keeps them),
//! `place`, `weather` and `time_zone` (strings, absent when unknown). The
//! two lists are made with a new document, and in an older one when first
//! needed. Text is changed with character diffs so concurrent edits on two
//! devices merge; lists are changed by removing what went and appending what
//! came, so concurrent additions both survive (duplicates are dropped when
//! read).

use crate::DocError;
use crate::linear;
use crate::read::{self, SCHEMA, Slot, Source};
use automerge::transaction::Transactable;
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value,
};

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
    /// Each attachment's description (JSON, read by the core).
    pub attachments: Vec<String>,
    /// The content hash (hex) of every attachment the entry ever had; only
    /// ever grows.
    pub files: Vec<String>,
    /// Where it was written (JSON, read by the core).
    pub place: Option<String>,
    pub weather: Option<String>,
    /// An IANA time zone name.
    pub time_zone: Option<String>,
}

/// An entry's Automerge document, bound to the editing device's actor id.
pub struct EntryDoc {
    doc: AutoCommit,
    /// Read the document as it was at these heads instead of now.
    at: Option<Vec<ChangeHash>>,
    /// The heads of what is already stored; changes after them are new.
    stored: Vec<ChangeHash>,
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
        doc.put_object(ROOT, "attachments", ObjType::List)?;
        doc.put_object(ROOT, "files", ObjType::List)?;
        let mut this = Self {
            doc,
            at: None,
            stored: Vec::new(),
        };
        this.write_fields(fields)?;
        let change = this.new_changes();
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
        let stored = doc.get_heads();
        let this = Self {
            doc,
            at: None,
            stored,
        };
        this.fields()?;
        Ok(this)
    }

    /// Change the document so it holds `fields`. Returns the change bytes, or
    /// `None` when nothing differed.
    pub fn update(&mut self, fields: &EntryFields) -> Result<Option<Vec<u8>>, DocError> {
        self.write_fields(fields)?;
        let change = self.new_changes();
        Ok((!change.is_empty()).then_some(change))
    }

    /// The bytes of the changes made since the last call (or the load), which
    /// the caller stores. Unlike `save_incremental` after a load, this never
    /// re-encodes what was loaded.
    fn new_changes(&mut self) -> Vec<u8> {
        let bytes = self.doc.save_after(&self.stored);
        self.stored = self.doc.get_heads();
        bytes
    }

    /// The hashes of the document's heads.
    pub fn heads(&mut self) -> Vec<[u8; 32]> {
        self.doc.get_heads().into_iter().map(|h| h.0).collect()
    }

    /// Read the current fields.
    pub fn fields(&self) -> Result<EntryFields, DocError> {
        read::fields(self)
    }

    /// The fields after each change in `changes`, applied in order: the
    /// entry's versions. A history that is one line is replayed on plain
    /// strings (see `linear`) and taken when it ends in `last` (the state
    /// the caller knows the document is in, if any) or else in the loaded
    /// document's state; any other is read version by version at its heads.
    pub fn replay<'a>(
        changes: impl IntoIterator<Item = &'a [u8]>,
        last: Option<&EntryFields>,
    ) -> Result<Vec<EntryFields>, DocError> {
        let changes: Vec<&[u8]> = changes.into_iter().collect();
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let parsed = changes
            .iter()
            .map(|bytes| Change::from_bytes(bytes.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DocError::Malformed(format!("a change does not parse: {e}")))?;
        let fast = match (linear::versions(&parsed), last) {
            (Some(versions), Some(last)) if versions.last() == Some(last) => return Ok(versions),
            (fast, _) => fast,
        };
        // Nothing is written to this document, so the actor does not matter.
        let mut this = Self::load(&[0; 16], changes.iter().copied())?;
        if let Some(versions) = fast
            && versions.last() == Some(&this.fields()?)
        {
            return Ok(versions);
        }
        this.versions_at_heads(&parsed)
    }

    /// Each version read through Automerge at its heads: right for any
    /// history, but each read walks every op of the document.
    fn versions_at_heads(&mut self, changes: &[Change]) -> Result<Vec<EntryFields>, DocError> {
        let mut heads: Vec<ChangeHash> = Vec::new();
        let mut out = Vec::with_capacity(changes.len());
        for change in changes {
            heads.retain(|h| !change.deps().contains(h));
            heads.push(change.hash());
            self.at = Some(heads.clone());
            out.push(self.fields());
        }
        self.at = None;
        out.into_iter().collect()
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
        self.update_optional_list("attachments", &f.attachments)?;
        let mut files = f.files.clone();
        if let Some(list) = self.optional_obj("files")? {
            for have in self.list(&list)? {
                if !files.contains(&have) {
                    files.push(have);
                }
            }
        }
        self.update_optional_list("files", &files)?;
        for (key, value) in [
            ("place", &f.place),
            ("weather", &f.weather),
            ("time_zone", &f.time_zone),
        ] {
            let value = value
                .as_deref()
                .map_or(ScalarValue::Null, |v| ScalarValue::Str(v.into()));
            // Absent and null read alike: an older document is not changed
            // just to say it has none.
            if value != ScalarValue::Null || self.scalar(key)?.is_some() {
                self.put_if_changed(key, value)?;
            }
        }
        Ok(())
    }

    /// [`Self::update_list`] for a list an older document may not have: it
    /// is made only when something goes in it.
    fn update_optional_list(&mut self, key: &str, wanted: &[String]) -> Result<(), DocError> {
        if self.optional_obj(key)?.is_none() {
            if wanted.is_empty() {
                return Ok(());
            }
            self.doc.put_object(ROOT, key, ObjType::List)?;
        }
        self.update_list(key, wanted)
    }

    fn optional_obj(&self, key: &str) -> Result<Option<ObjId>, DocError> {
        read::optional_object(self, key)
    }

    fn put_if_changed(&mut self, key: &str, value: ScalarValue) -> Result<(), DocError> {
        if self.scalar(key)?.as_ref() != Some(&value) {
            self.doc.put(ROOT, key, value)?;
        }
        Ok(())
    }

    fn update_list(&mut self, key: &str, wanted: &[String]) -> Result<(), DocError> {
        let list = self.obj(key)?;
        let current = self.list(&list)?;
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

    fn scalar(&self, key: &str) -> Result<Option<ScalarValue>, DocError> {
        read::scalar(self, key)
    }

    fn obj(&self, key: &str) -> Result<ObjId, DocError> {
        read::object(self, key)
    }
}

impl Source for EntryDoc {
    type Obj = ObjId;

    fn root(&self, key: &str) -> Result<Option<Slot<ObjId>>, DocError> {
        let got = match &self.at {
            Some(heads) => self.doc.get_at(ROOT, key, heads)?,
            None => self.doc.get(ROOT, key)?,
        };
        Ok(got.map(|(value, id)| match value {
            Value::Scalar(v) => Slot::Scalar(v.into_owned()),
            Value::Object(_) => Slot::Object(id),
        }))
    }

    fn text(&self, obj: &ObjId) -> Result<String, DocError> {
        Ok(match &self.at {
            Some(heads) => self.doc.text_at(obj, heads)?,
            None => self.doc.text(obj)?,
        })
    }

    fn list(&self, obj: &ObjId) -> Result<Vec<String>, DocError> {
        let mut out = Vec::new();
        let items = match &self.at {
            Some(heads) => self.doc.list_range_at(obj, .., heads),
            None => self.doc.list_range(obj, ..),
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
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
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
            ..Default::default()
        }
    }

    #[test]
    fn attachments_added_on_two_devices_both_stay_and_files_only_grow() {
        let (_, c1) = EntryDoc::create(&[1; 16], &sample()).unwrap();
        let mut a = EntryDoc::load(&[1; 16], [c1.as_slice()]).unwrap();
        let mut b = EntryDoc::load(&[2; 16], [c1.as_slice()]).unwrap();
        let mut fa = sample();
        fa.attachments = vec!["{\"a\":1}".into()];
        fa.files = vec!["aa".into()];
        fa.place = Some("{\"name\":\"Home\"}".into());
        let mut fb = sample();
        fb.attachments = vec!["{\"b\":1}".into()];
        fb.files = vec!["bb".into()];
        fb.time_zone = Some("Europe/Vienna".into());
        let ca = a.update(&fa).unwrap().unwrap();
        let cb = b.update(&fb).unwrap().unwrap();
        let mut m =
            EntryDoc::load(&[3; 16], [c1.as_slice(), ca.as_slice(), cb.as_slice()]).unwrap();
        let f = m.fields().unwrap();
        assert_eq!(f.attachments.len(), 2, "{f:?}");
        assert_eq!(f.files.len(), 2);
        assert_eq!(f.place.as_deref(), Some("{\"name\":\"Home\"}"));
        assert_eq!(f.time_zone.as_deref(), Some("Europe/Vienna"));
        // Detaching takes it out of `attachments`; `files` remembers it.
        let mut g = f.clone();
        g.attachments.retain(|x| x.contains('a'));
        g.files.clear();
        let c = m.update(&g).unwrap().unwrap();
        let f = m.fields().unwrap();
        assert_eq!(f.attachments, vec!["{\"a\":1}".to_string()]);
        assert_eq!(f.files.len(), 2);
        let all = [c1, ca, cb, c];
        let versions = EntryDoc::replay(all.iter().map(Vec::as_slice), None).unwrap();
        assert_eq!(versions.last(), Some(&f));
    }

    #[test]
    fn a_document_from_before_attachments_reads_and_gains_them_when_needed() {
        // An entry document as format 3 made it: no `attachments` or `files`.
        let mut old = AutoCommit::new().with_actor(ActorId::from(&[1u8; 16][..]));
        old.put(ROOT, "schema", SCHEMA).unwrap();
        for key in ["title", "body"] {
            old.put_object(ROOT, key, ObjType::Text).unwrap();
        }
        for key in ["feelings", "tags"] {
            old.put_object(ROOT, key, ObjType::List).unwrap();
        }
        let c1 = old.save();
        let mut doc = EntryDoc::load(&[1; 16], [c1.as_slice()]).unwrap();
        let f = doc.fields().unwrap();
        assert!(f.attachments.is_empty() && f.place.is_none());
        // Writing it back as it is changes nothing new in those fields.
        let mut same = f.clone();
        same.title = "t".into();
        let c2 = doc.update(&same).unwrap().unwrap();
        let mut more = same.clone();
        more.attachments = vec!["x".into()];
        more.files = vec!["h".into()];
        let c3 = doc.update(&more).unwrap().unwrap();
        let back = EntryDoc::load(&[2; 16], [c1.as_slice(), c2.as_slice(), c3.as_slice()]).unwrap();
        assert_eq!(back.fields().unwrap(), more);
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
        let versions = EntryDoc::replay([c1.as_slice(), c2.as_slice()], None).unwrap();
        assert_eq!(versions, vec![sample(), f.clone()]);
        let known = EntryDoc::replay([c1.as_slice(), c2.as_slice()], Some(&f)).unwrap();
        assert_eq!(known, versions);
        // A wrong idea of the last state costs a load, not a wrong answer.
        let wrong = EntryDoc::replay([c1.as_slice(), c2.as_slice()], Some(&sample())).unwrap();
        assert_eq!(wrong, versions);
    }

    fn parse(changes: &[Vec<u8>]) -> Vec<Change> {
        changes
            .iter()
            .map(|c| Change::from_bytes(c.clone()).unwrap())
            .collect()
    }

    fn at_heads(changes: &[Vec<u8>]) -> Vec<EntryFields> {
        let mut doc = EntryDoc::load(&[0; 16], changes.iter().map(Vec::as_slice)).unwrap();
        doc.versions_at_heads(&parse(changes)).unwrap()
    }

    #[test]
    fn devices_taking_turns_is_still_one_line() {
        let (_, c1) = EntryDoc::create(&[1; 16], &sample()).unwrap();
        let mut b = EntryDoc::load(&[2; 16], [c1.as_slice()]).unwrap();
        let mut f = sample();
        f.body = "It rained. B wrote this.".into();
        f.tags = vec!["b".into()];
        let c2 = b.update(&f).unwrap().unwrap();
        let mut a = EntryDoc::load(&[1; 16], [c1.as_slice(), c2.as_slice()]).unwrap();
        f.body = "Then A: It rained. B wrote this, A too.".into();
        f.tags = vec!["b".into(), "a".into()];
        let c3 = a.update(&f).unwrap().unwrap();
        let changes = vec![c1, c2, c3];
        let fast = linear::versions(&parse(&changes)).expect("one line of changes");
        assert_eq!(fast, at_heads(&changes));
        assert_eq!(fast[2], f);
    }

    #[test]
    fn a_fork_is_read_at_heads() {
        let (_, c1) = EntryDoc::create(&[1; 16], &sample()).unwrap();
        let mut a = EntryDoc::load(&[1; 16], [c1.as_slice()]).unwrap();
        let mut b = EntryDoc::load(&[2; 16], [c1.as_slice()]).unwrap();
        let mut fa = sample();
        fa.body = "It rained. A.".into();
        let mut fb = sample();
        fb.body = "B. It rained.".into();
        let ca = a.update(&fa).unwrap().unwrap();
        let cb = b.update(&fb).unwrap().unwrap();
        let changes = vec![c1, ca, cb];
        assert!(linear::versions(&parse(&changes)).is_none());
        let versions = EntryDoc::replay(changes.iter().map(Vec::as_slice), None).unwrap();
        assert_eq!(versions, at_heads(&changes));
        assert_eq!(versions[2].body, "B. It rained. A.");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(EntryDoc::load(&[1; 16], [b"not automerge".as_slice()]).is_err());
    }

    proptest! {
        /// Edits in the middle of texts, of any characters, with tags,
        /// moods and the trash coming and going: the one-line replay gives
        /// what reading at each version's heads gives, and what was written.
        #[test]
        fn one_line_replay_matches_reading_at_heads(edits in proptest::collection::vec(
            (0usize..4, any::<prop::sample::Index>(), "\\PC{0,12}", 0usize..8,
             proptest::collection::vec("[a-c]{1,2}", 0..3), any::<bool>()), 1..12)) {
            let mut want = sample();
            let (mut doc, first) = EntryDoc::create(&[7; 16], &want).unwrap();
            let mut changes = vec![first];
            let mut states = vec![want.clone()];
            for (what, at, text, cut, tags, flag) in edits {
                let chars: Vec<char> = want.body.chars().collect();
                let i = at.index(chars.len() + 1);
                let j = (i + cut).min(chars.len());
                match what {
                    0 => want.body = chars[..i].iter().chain(text.chars().collect::<Vec<_>>().iter()).chain(chars[i..].iter()).collect(),
                    1 => want.body = chars[..i].iter().chain(chars[j..].iter()).collect(),
                    2 => want.title = text,
                    _ => { want.trashed_at = flag.then_some(5); want.mood = flag.then_some(2); }
                }
                let mut dedup: Vec<String> = Vec::new();
                for t in tags { if !dedup.contains(&t) { dedup.push(t); } }
                want.feelings = dedup;
                want.starred = flag;
                if let Some(c) = doc.update(&want).unwrap() {
                    changes.push(c);
                    // Lists keep the order items first came in, not `want`'s.
                    let got = doc.fields().unwrap();
                    let (mut a, mut b) = (got.feelings.clone(), want.feelings.clone());
                    a.sort();
                    b.sort();
                    prop_assert_eq!(a, b);
                    want.feelings = got.feelings;
                    states.push(want.clone());
                }
            }
            let fast = linear::versions(&parse(&changes));
            prop_assert_eq!(fast.as_ref(), Some(&at_heads(&changes)));
            prop_assert_eq!(fast, Some(states));
        }

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
            prop_assert_eq!(linear::versions(&parse(&changes)), Some(at_heads(&changes)));
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
