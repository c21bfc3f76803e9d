//! Search over the unlocked journal. The index is built in memory on the
//! first search after unlock and kept up to date by every change after that.

use crate::entry::{Entry, EntryId, ListFilter};
use crate::journal::Journal;
use crate::{CoreError, Result};
use hearth_store::{MATCH_END, MATCH_START, SearchDoc, SearchFilter, SearchIndex};
use serde::Serialize;
use std::collections::HashMap;

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

/// The lazily built index and the mapping from entries to its keys.
#[derive(Default)]
pub(crate) struct SearchState {
    index: Option<SearchIndex>,
    keys: HashMap<EntryId, i64>,
    ids: Vec<EntryId>,
}

impl SearchState {
    fn key(&mut self, id: EntryId) -> i64 {
        *self.keys.entry(id).or_insert_with(|| {
            self.ids.push(id);
            (self.ids.len() - 1) as i64
        })
    }

    fn doc<'a>(&mut self, e: &'a Entry) -> SearchDoc<'a> {
        SearchDoc {
            key: self.key(e.id),
            title: &e.title,
            body: &e.body,
            tags: &e.tags,
            feelings: &e.feelings,
            mood: e.mood,
            created_at: e.created_at.timestamp_millis(),
        }
    }

    /// Keep a built index in step with a changed entry.
    pub(crate) fn update(&mut self, e: &Entry) -> Result<()> {
        if self.index.is_none() {
            return Ok(());
        }
        let doc = self.doc(e);
        if let Some(index) = self.index.as_mut() {
            if e.is_trashed() {
                index.remove(doc.key)?;
            } else {
                index.upsert(&doc)?;
            }
        }
        Ok(())
    }
}

impl Journal {
    /// Build the search index now (it is otherwise built on first search).
    pub fn build_search_index(&mut self) -> Result<()> {
        if self.search.index.is_some() {
            return Ok(());
        }
        let mut state = std::mem::take(&mut self.search);
        let docs: Vec<SearchDoc<'_>> = self
            .entries
            .values()
            .filter(|e| !e.is_trashed())
            .map(|e| state.doc(e))
            .collect();
        state.index = Some(SearchIndex::build(docs)?);
        self.search = state;
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
        let Some(index) = self.search.index.as_ref() else {
            return Ok(Vec::new());
        };
        let hits = index.search(query, &f)?.ok_or_else(|| {
            CoreError::invalid(format!(
                "{query:?} has no word to search for: use words, prefix* or \"a phrase\""
            ))
        })?;
        Ok(hits
            .into_iter()
            .filter_map(|h| {
                let id = self.search.ids.get(usize::try_from(h.key).ok()?)?;
                let entry = self.entries.get(id)?.clone();
                Some(SearchHit {
                    entry,
                    snippet: highlight(&h.snippet, "**", "**"),
                    marked_snippet: h.snippet,
                })
            })
            .collect())
    }
}
