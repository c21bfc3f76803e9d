//! Preferences, writing prompts and templates, and crisis lines: read and
//! stored as sealed settings in the journal.

use super::blocking;
use crate::error::IpcResult;
use crate::prefs::{self, CrisisLines, Preferences, WritingAids};
use crate::session::Session;
use std::sync::Arc;
use tauri::State;

#[tauri::command]
pub async fn get_preferences(state: State<'_, Arc<Session>>) -> IpcResult<Preferences> {
    blocking(state, |s| s.with(|j| prefs::load(j, prefs::PREFERENCES))).await
}

/// Store the preferences and apply them (auto-lock, time budget) at once.
#[tauri::command]
pub async fn set_preferences(
    state: State<'_, Arc<Session>>,
    preferences: Preferences,
) -> IpcResult<Preferences> {
    blocking(state, move |s| {
        preferences.check()?;
        let mut p = preferences;
        p.feelings = hearth_core::entry::normalize_words(&p.feelings, "feeling")?;
        s.with(|j| prefs::store(j, prefs::PREFERENCES, &p))?;
        s.apply(&p);
        Ok(p)
    })
    .await
}

#[tauri::command]
pub async fn get_writing_aids(state: State<'_, Arc<Session>>) -> IpcResult<WritingAids> {
    blocking(state, |s| s.with(|j| prefs::load(j, prefs::WRITING))).await
}

#[tauri::command]
pub async fn set_writing_aids(
    state: State<'_, Arc<Session>>,
    aids: WritingAids,
) -> IpcResult<WritingAids> {
    blocking(state, move |s| {
        let mut aids = aids;
        aids.prompts.retain(|p| !p.text.trim().is_empty());
        aids.templates.retain(|t| !t.name.trim().is_empty());
        s.with(|j| prefs::store(j, prefs::WRITING, &aids))?;
        Ok(aids)
    })
    .await
}

#[tauri::command]
pub async fn get_crisis_lines(state: State<'_, Arc<Session>>) -> IpcResult<CrisisLines> {
    blocking(state, |s| s.with(|j| prefs::load(j, prefs::CRISIS_LINES))).await
}

#[tauri::command]
pub async fn set_crisis_lines(
    state: State<'_, Arc<Session>>,
    lines: CrisisLines,
) -> IpcResult<CrisisLines> {
    blocking(state, move |s| {
        let mut lines = lines;
        lines
            .lines
            .retain(|l| !(l.name.trim().is_empty() && l.contact.trim().is_empty()));
        s.with(|j| prefs::store(j, prefs::CRISIS_LINES, &lines))?;
        Ok(lines)
    })
    .await
}

/// The crisis lines Hearth ships with. Needs no unlocked journal, so the
/// help page works even on the lock screen.
#[tauri::command]
pub async fn default_crisis_lines() -> IpcResult<CrisisLines> {
    Ok(CrisisLines::default())
}
