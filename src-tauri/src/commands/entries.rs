//! Listing, reading, saving, trashing and searching entries.

use super::blocking;
use crate::dto::{
    EntryInput, EntryQuery, EntrySummary, EntryView, ListPage, SearchResult, entry_id,
};
use crate::error::IpcResult;
use crate::session::Session;
use std::sync::Arc;
use tauri::State;

/// Rows a page holds when the window does not say.
const PAGE: u32 = 100;

/// A page of entries outside the trash, newest first, filtered.
#[tauri::command]
pub async fn list_entries(
    state: State<'_, Arc<Session>>,
    query: EntryQuery,
) -> IpcResult<ListPage> {
    blocking(state, move |s| {
        let filter = query.filter()?;
        s.with(|j| {
            let all = j.list(&filter)?;
            let offset = query.offset.unwrap_or(0) as usize;
            let limit = query.limit.unwrap_or(PAGE) as usize;
            Ok(ListPage {
                total: u32::try_from(all.len()).unwrap_or(u32::MAX),
                entries: all
                    .into_iter()
                    .skip(offset)
                    .take(limit)
                    .map(EntrySummary::from)
                    .collect(),
            })
        })
    })
    .await
}

/// One entry, whole.
#[tauri::command]
pub async fn get_entry(state: State<'_, Arc<Session>>, id: String) -> IpcResult<EntryView> {
    blocking(state, move |s| {
        let id = entry_id(&id)?;
        s.with(|j| Ok(EntryView::from(j.get(&id)?)))
    })
    .await
}

/// Save what the editor shows: a new entry when it has no id, else a change
/// (nothing is written when nothing changed).
#[tauri::command]
pub async fn save_entry(state: State<'_, Arc<Session>>, input: EntryInput) -> IpcResult<EntryView> {
    blocking(state, move |s| {
        s.with(|j| {
            let saved = match &input.id {
                None => j.write(input.draft()?)?,
                Some(id) => {
                    let id = entry_id(id)?;
                    let patch = input.patch(j.get(&id)?)?;
                    j.edit(&id, &patch)?
                }
            };
            Ok(EntryView::from(&saved))
        })
    })
    .await
}

/// Move an entry to the trash.
#[tauri::command]
pub async fn trash_entry(state: State<'_, Arc<Session>>, id: String) -> IpcResult<()> {
    blocking(state, move |s| {
        let id = entry_id(&id)?;
        s.with(|j| j.trash(&id).map(drop).map_err(Into::into))
    })
    .await
}

/// Bring an entry back from the trash (undo a delete).
#[tauri::command]
pub async fn untrash_entry(state: State<'_, Arc<Session>>, id: String) -> IpcResult<EntryView> {
    blocking(state, move |s| {
        let id = entry_id(&id)?;
        s.with(|j| Ok(EntryView::from(&j.untrash(&id)?)))
    })
    .await
}

/// Full-text search, most relevant first, with the same filters as the list.
#[tauri::command]
pub async fn search_entries(
    state: State<'_, Arc<Session>>,
    query: EntryQuery,
) -> IpcResult<Vec<SearchResult>> {
    blocking(state, move |s| {
        let mut filter = query.filter()?;
        filter.limit = Some(query.limit.unwrap_or(PAGE) as usize);
        let Some(words) = query.words() else {
            return Ok(Vec::new());
        };
        s.with(|j| {
            Ok(j.search(words, &filter)?
                .iter()
                .map(SearchResult::from)
                .collect())
        })
    })
    .await
}

/// Build the search index now, so the first search is as quick as the rest.
#[tauri::command]
pub async fn prepare_search(state: State<'_, Arc<Session>>) -> IpcResult<()> {
    blocking(state, |s| s.with(|j| Ok(j.build_search_index()?))).await
}
