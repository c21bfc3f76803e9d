//! Search over the unlocked journal.
//!
//! The FTS5 index lives in memory. Building it from 10,000 views takes about
//! as long as the whole of a one-shot `hearth search` may, so its database
//! image is kept in the vault, sealed with the scope key like everything
//! else, with the op-log position it reflects. The first search after unlock
//! opens that image and re-indexes only the entries with ops after its
//! position; without a readable image it builds the index from the views.
//! After that, every change updates the index in memory.

use crate::entry::{Entry, EntryId, ListFilter};
use crate::journal::Journal;
use crate::{CoreError, Result};
use hearth_crypto::aead;
use hearth_store::{MATCH_END, MATCH_START, Query, SearchDoc, SearchFilter, SearchIndex};
use serde::Serialize;

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    #[serde(flatten)]
    pub entry: Entry,
    /// Text around the match, matched words wrapped as `**word**`.
    pub snippet: String,
    /// The same text with matched words between [`MATCH_START`] and
    /// [`MATCH_END`], for shells that highlight in their own way.
    #[serde(skip)]
    pub marked_snippet: String,
}

/// Replace the match markers in a snippet with `open` and `close`.
pub fn highlight(marked: &str, open: &str, close: &str) -> String {
    marked.replace(MATCH_START, open).replace(MATCH_END, close)
}

/// The name of the sealed index image in the store's caches.
pub(crate) const CACHE: &str = "search-index";

fn cache_aad(position: &[u8]) -> Vec<u8> {
    let mut a = b"hearth/cache/search-index/v1".to_vec();
    a.extend_from_slice(position);
    a
}

/// The index, once built or loaded after unlock.
#[derive(Default)]
pub(crate) struct SearchState {
    index: Option<SearchIndex>,
}

fn search_doc(e: &Entry) -> SearchDoc<'_> {
    SearchDoc {
        doc: e.id.0,
        title: &e.title,
        body: &e.body,
        tags: &e.tags,
        feelings: &e.feelings,
        mood: e.mood,
        created_at: e.created_at.timestamp_millis(),
    }
}

/// Bring one document's row in `index` in step with `entry` (absent or
/// trashed: removed).
fn refresh(
    index: &mut SearchIndex,
    doc: &hearth_store::DocId,
    entry: Option<&Entry>,
) -> Result<()> {
    match entry.filter(|e| !e.is_trashed()) {
        Some(e) => index.upsert(&search_doc(e))?,
        None => index.remove(doc)?,
    }
    Ok(())
}

impl SearchState {
    /// Take a purged entry out of a built index.
    pub(crate) fn remove(&mut self, id: &EntryId) -> Result<()> {
        if let Some(index) = self.index.as_mut() {
            index.remove(&id.0)?;
        }
        Ok(())
    }

    /// Keep a built index in step with a changed entry.
    pub(crate) fn update(&mut self, e: &Entry) -> Result<()> {
        if let Some(index) = self.index.as_mut() {
            refresh(index, &e.id.0, Some(e))?;
        }
        Ok(())
    }
}

impl Journal {
    /// Make the search index ready: open the sealed image kept from the last
    /// time and apply the entries changed since, or build it from the views.
    /// A new image is sealed and stored whenever it had to change.
    pub fn build_search_index(&mut self) -> Result<()> {
        if self.search.index.is_some() {
            return Ok(());
        }
        let position = self.store.read().log_position()?;
        let (index, changed) = match self.cached_index()? {
            Some((mut index, since)) => {
                let scope = self.scope();
                let docs: Vec<_> = self
                    .store
                    .read()
                    .docs_changed_since(&since, &position)?
                    .into_iter()
                    .filter(|(s, d)| *s == scope && *d != crate::registry::REGISTRY_DOC)
                    .map(|(_, d)| d)
                    .collect();
                for doc in &docs {
                    let entry = self.entry_by_doc(EntryId(*doc))?;
                    refresh(&mut index, doc, entry.as_ref())?;
                }
                (index, !docs.is_empty() || since != position)
            }
            None => {
                if !self.views_loaded() {
                    self.load_views()?;
                }
                let docs = self
                    .entries
                    .values()
                    .filter(|e| !e.is_trashed())
                    .map(search_doc);
                (SearchIndex::build(docs)?, true)
            }
        };
        self.search.index = Some(index);
        if changed {
            self.store_index(&position)?;
        }
        Ok(())
    }

    /// The stored index image and its log position, if there is a readable
    /// one. A damaged or outdated image is simply rebuilt.
    fn cached_index(&self) -> Result<Option<(SearchIndex, Vec<u8>)>> {
        let Some((position, sealed)) = self.store.cache(CACHE)? else {
            return Ok(None);
        };
        let Ok(image) = aead::open(self.scope_key(), &cache_aad(&position), &sealed) else {
            return Ok(None);
        };
        let image = zeroize::Zeroizing::new(image);
        Ok(SearchIndex::from_bytes(&image).ok().map(|i| (i, position)))
    }

    fn store_index(&mut self, position: &[u8]) -> Result<()> {
        let Some(index) = self.search.index.as_mut() else {
            return Ok(());
        };
        let image = zeroize::Zeroizing::new(index.to_bytes()?);
        let sealed = aead::seal(self.scope_key(), &cache_aad(position), &image);
        self.store.put_cache(CACHE, position, &sealed)?;
        Ok(())
    }

    /// Entries matching `query` (words, `prefix*`, `"a phrase"`), most
    /// relevant first.
    pub fn search(&mut self, query: &str, filter: &ListFilter) -> Result<Vec<SearchHit>> {
        filter.check()?;
        self.build_search_index()?;
        let f = SearchFilter {
            tag: filter
                .tag
                .as_ref()
                .map(|t| t.trim().trim_start_matches(['@', '#']).to_string()),
            mood: filter.mood,
            from: filter.from.map(|t| t.timestamp_millis()),
            to: filter.to.map(|t| t.timestamp_millis()),
            limit: filter.limit,
        };
        let q = Query::parse(query).ok_or_else(|| {
            CoreError::invalid(format!(
                "{query:?} has no word to search for: use words, prefix* or \"a phrase\""
            ))
        })?;
        let Some(index) = self.search.index.as_ref() else {
            return Ok(Vec::new());
        };
        let docs = index.search(&q, &f)?;
        let mut out = Vec::with_capacity(docs.len());
        for doc in docs {
            if let Some(entry) = self.entry_by_doc(EntryId(doc))? {
                let marked = q.snippet(&entry.title, &entry.body);
                out.push(SearchHit {
                    entry,
                    snippet: highlight(&marked, "**", "**"),
                    marked_snippet: marked,
                });
            }
        }
        Ok(out)
    }
}
