//! Import and export. Import reports progress through a channel while it
//! runs on a blocking thread; the window stays responsive.

use super::blocking;
use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use hearth_core::Format;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::State;
use tauri::ipc::Channel;
use ts_rs::TS;

/// A format the menu offers.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormatInfo {
    /// The name commands take: `hearth`, `markdown`, `jrnl`, `jrnl-json`,
    /// `dayone`.
    pub name: String,
    pub label: String,
    pub can_export: bool,
    /// Markdown is a folder of files; the others are one file.
    pub is_folder: bool,
}

/// How far an import is.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TransferProgress {
    pub done: u32,
    pub total: u32,
}

/// Something the source held that Hearth did not keep.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DroppedInfo {
    pub what: String,
    pub entries: u32,
    pub why: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub imported: u32,
    pub duplicates: u32,
    pub dropped: Vec<DroppedInfo>,
}

fn n(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

fn format(name: &str) -> IpcResult<Format> {
    name.parse::<Format>()
        .map_err(|e| IpcError::invalid(e.to_string()))
}

fn path(p: &str) -> IpcResult<PathBuf> {
    let p = p.trim();
    if p.is_empty() {
        return Err(IpcError::invalid("choose a file or folder first"));
    }
    Ok(PathBuf::from(p))
}

/// Every format, in the order the menu lists them.
#[tauri::command]
pub async fn formats() -> IpcResult<Vec<FormatInfo>> {
    Ok(Format::ALL
        .iter()
        .map(|f| FormatInfo {
            name: f.name().to_string(),
            label: match f {
                Format::Hearth => "Hearth backup (JSON, keeps everything)",
                Format::Markdown => "Markdown folder (one file per entry)",
                Format::Jrnl => "jrnl text file",
                Format::JrnlJson => "jrnl JSON",
                Format::DayOne => "Day One export (zip or JSON)",
            }
            .to_string(),
            can_export: f.can_write(),
            is_folder: *f == Format::Markdown,
        })
        .collect())
}

/// Import a file; the whole file is checked before anything is written.
#[tauri::command]
pub async fn import_entries(
    state: State<'_, Arc<Session>>,
    format_name: String,
    path_text: String,
    on_progress: Channel<TransferProgress>,
) -> IpcResult<ImportSummary> {
    blocking(state, move |s| {
        let (format, path) = (format(&format_name)?, path(&path_text)?);
        let mut last = None;
        let report = s.with(|j| {
            Ok(j.import(format, &path, |done, total| {
                // At most about a hundred messages, whatever the size.
                let step = (done * 100) / total.max(1);
                if last != Some(step) || done == total {
                    last = Some(step);
                    let _ = on_progress.send(TransferProgress {
                        done: n(done),
                        total: n(total),
                    });
                }
            })?)
        })?;
        Ok(ImportSummary {
            imported: n(report.imported),
            duplicates: n(report.duplicates),
            dropped: report
                .dropped
                .into_iter()
                .map(|d| DroppedInfo {
                    what: d.what,
                    entries: n(d.entries),
                    why: d.why,
                })
                .collect(),
        })
    })
    .await
}

/// Export every entry outside the trash; never overwrites. Returns how many
/// were written.
#[tauri::command]
pub async fn export_entries(
    state: State<'_, Arc<Session>>,
    format_name: String,
    path_text: String,
) -> IpcResult<u32> {
    blocking(state, move |s| {
        let (format, path) = (format(&format_name)?, path(&path_text)?);
        s.with(|j| Ok(n(j.export(format, &path)?)))
    })
    .await
}
