//! Listing, reading, saving, trashing and searching entries.

use super::blocking;
use crate::dto::{
    EntryInput, EntryQuery, EntrySummary, EntryView, ListPage, SearchResult, entry_id,
};
use crate::error::IpcResult;
use crate::session::Session;
use hearth_core::Journal;
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

/// Save what the editor sends: a new entry when it has no id, else a change
/// to the fields it sends (nothing is written when nothing changed).
#[tauri::command]
pub async fn save_entry(state: State<'_, Arc<Session>>, input: EntryInput) -> IpcResult<EntryView> {
    blocking(state, move |s| s.with(|j| save(j, &input))).await
}

fn save(j: &mut Journal, input: &EntryInput) -> IpcResult<EntryView> {
    let saved = match &input.id {
        None => j.write(input.draft()?)?,
        Some(id) => {
            let id = entry_id(id)?;
            let patch = input.patch(j.get(&id)?)?;
            j.edit(&id, &patch)?
        }
    };
    Ok(EntryView::from(&saved))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::session::tests::cheap;
    use hearth_core::{EntryDraft, EntryPatch, Vault};
    use serde_json::{Value, json};

    fn input(v: Value) -> EntryInput {
        serde_json::from_value(v).unwrap()
    }

    fn walk(j: &mut Journal) -> String {
        let e = j
            .write(EntryDraft {
                title: "Walk".into(),
                body: "By the river.".into(),
                mood: Some(3),
                feelings: vec!["calm".into()],
                tags: vec!["walk".into()],
                ..Default::default()
            })
            .unwrap();
        e.id.to_string()
    }

    #[test]
    fn a_change_keeps_the_fields_it_does_not_send() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = walk(&mut j);
        // Another device retitles it and adds a tag while the editor saves.
        let there = EntryPatch {
            title: Some("Evening walk".into()),
            add_tags: vec!["river".into()],
            ..Default::default()
        };
        j.edit(&id, &there).unwrap();
        let saved = save(&mut j, &input(json!({ "id": id, "body": "At dusk." }))).unwrap();
        assert_eq!(saved.title, "Evening walk");
        assert_eq!(saved.body, "At dusk.");
        assert_eq!(saved.mood, Some(3));
        assert_eq!(saved.feelings, ["calm"]);
        assert_eq!(saved.tags, ["walk", "river"]);
    }

    #[test]
    fn a_null_mood_clears_it_and_sent_tags_replace_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = walk(&mut j);
        let saved = save(&mut j, &input(json!({ "id": id, "tags": ["sea"] }))).unwrap();
        assert_eq!((saved.mood, saved.tags), (Some(3), vec!["sea".to_string()]));
        let saved = save(&mut j, &input(json!({ "id": id, "mood": null }))).unwrap();
        assert_eq!((saved.mood, saved.title), (None, "Walk".to_string()));
    }

    #[test]
    fn a_new_entry_is_what_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let saved = save(&mut j, &input(json!({ "body": "Hello.", "mood": 4 }))).unwrap();
        assert_eq!((saved.title.as_str(), saved.body.as_str()), ("", "Hello."));
        assert_eq!(saved.mood, Some(4));
        assert!(saved.tags.is_empty() && saved.feelings.is_empty());
    }
}
