//! The Automerge documents of the entries edited last, kept loaded.
//!
//! Loading a document replays every change it ever had, so an entry edited
//! a thousand times (the desktop app saves as the person types) took over
//! 100 ms to load, on every save. A kept document is used again only while
//! the entry's op count in the store is the one it was kept at: ops are only
//! ever appended, so an equal count means nothing else (another process on
//! the same vault, an import) has added to it since.

use crate::entry::EntryId;
use hearth_doc::EntryDoc;

/// How many documents are kept.
const KEEP: usize = 4;

#[derive(Default)]
pub(crate) struct DocCache {
    /// Most recently kept first: the entry, its op count, its document.
    kept: Vec<(EntryId, u64, EntryDoc)>,
}

impl DocCache {
    /// Take an entry's document out, if it is kept and has `ops` ops.
    pub(crate) fn take(&mut self, id: &EntryId, ops: u64) -> Option<EntryDoc> {
        let i = self.kept.iter().position(|(k, _, _)| k == id)?;
        let (_, count, doc) = self.kept.remove(i);
        (count == ops).then_some(doc)
    }

    /// Keep a document that is current at `ops` ops.
    pub(crate) fn keep(&mut self, id: EntryId, ops: u64, doc: EntryDoc) {
        self.forget(&id);
        self.kept.insert(0, (id, ops, doc));
        self.kept.truncate(KEEP);
    }

    pub(crate) fn forget(&mut self, id: &EntryId) {
        self.kept.retain(|(k, _, _)| k != id);
    }
}
