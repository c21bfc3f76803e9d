//! The TypeScript declarations of every type that crosses the IPC boundary,
//! generated from the Rust types by ts-rs into `ui/src/lib/bindings/` and
//! committed. A test regenerates them into a temporary folder and fails when
//! the committed files differ; run it with `HEARTH_UPDATE_BINDINGS=1` to
//! write them afresh:
//!
//! ```sh
//! HEARTH_UPDATE_BINDINGS=1 cargo test -p hearth-desktop bindings
//! ```

use std::path::Path;
use ts_rs::{Config, ExportError, TS};

/// Write every IPC type's declaration (and those it depends on) into `dir`.
pub fn export_all(dir: &Path) -> Result<(), ExportError> {
    use crate::commands::transfer::{FormatInfo, ImportSummary, TransferProgress};
    use crate::dto::{
        CircleInput, CircleJoin, EntryInput, EntryQuery, EntryView, JoinInfo, ListPage,
        SearchResult, Status, SyncOutcome, UnlockInfo,
    };
    use crate::error::IpcError;
    use crate::idle::{BudgetEvent, LockedEvent};
    use crate::insights::{CalendarMonth, MoodSeries};
    use crate::notify::NetNotice;
    use crate::prefs::{CrisisLines, Preferences, WritingAids};
    // Defined once, in the core (its `ts` feature), and sent as they are.
    use hearth_core::circle_invite::{CircleInvitation, CirclePreview};
    use hearth_core::circle_notes::Report;
    use hearth_core::circle_share::{CircleFeed, Reply, SharedEntry, Support};
    use hearth_core::circles::{CircleDetail, CircleSummary};
    use hearth_core::netconfig::NetConfig;
    use hearth_core::network::SyncStatus;
    use hearth_core::{Attachment, Device};

    let cfg = Config::new().with_out_dir(dir);
    IpcError::export_all(&cfg)?;
    Status::export_all(&cfg)?;
    UnlockInfo::export_all(&cfg)?;
    // With what it holds: Attachment, PlaceView.
    EntryView::export_all(&cfg)?;
    Attachment::export_all(&cfg)?;
    EntryInput::export_all(&cfg)?;
    EntryQuery::export_all(&cfg)?;
    ListPage::export_all(&cfg)?;
    SearchResult::export_all(&cfg)?;
    CalendarMonth::export_all(&cfg)?;
    MoodSeries::export_all(&cfg)?;
    Preferences::export_all(&cfg)?;
    WritingAids::export_all(&cfg)?;
    CrisisLines::export_all(&cfg)?;
    FormatInfo::export_all(&cfg)?;
    TransferProgress::export_all(&cfg)?;
    ImportSummary::export_all(&cfg)?;
    LockedEvent::export_all(&cfg)?;
    BudgetEvent::export_all(&cfg)?;
    Device::export_all(&cfg)?;
    // With what they hold: SyncReport, NodeReport, NodeStatus, DeviceSync,
    // RelayChoice, SyncWindow, CodeQuestion.
    SyncStatus::export_all(&cfg)?;
    NetConfig::export_all(&cfg)?;
    NetNotice::export_all(&cfg)?;
    SyncOutcome::export_all(&cfg)?;
    JoinInfo::export_all(&cfg)?;
    // With what they hold: CircleRole, CircleMember.
    CircleSummary::export_all(&cfg)?;
    CircleDetail::export_all(&cfg)?;
    CircleInput::export_all(&cfg)?;
    CircleInvitation::export_all(&cfg)?;
    CirclePreview::export_all(&cfg)?;
    CircleJoin::export_all(&cfg)?;
    // With what they hold: SharedEntry, Reply, Support.
    CircleFeed::export_all(&cfg)?;
    SharedEntry::export_all(&cfg)?;
    Reply::export_all(&cfg)?;
    Support::export_all(&cfg)?;
    Report::export_all(&cfg)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn files(dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Ok(read) = std::fs::read_dir(dir) else {
            return out;
        };
        for e in read.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                out.insert(name, std::fs::read_to_string(e.path()).unwrap());
            }
        }
        out
    }

    #[test]
    fn bindings_are_fresh() {
        let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
        let fresh = tempfile::tempdir().unwrap();
        super::export_all(fresh.path()).unwrap();
        let (want, have) = (files(fresh.path()), files(&committed));
        if std::env::var_os("HEARTH_UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(&committed).unwrap();
            for name in have.keys().filter(|n| !want.contains_key(*n)) {
                std::fs::remove_file(committed.join(name)).unwrap();
            }
            for (name, text) in &want {
                std::fs::write(committed.join(name), text).unwrap();
            }
            return;
        }
        let stale: Vec<&String> = want
            .keys()
            .chain(have.keys())
            .filter(|n| want.get(*n) != have.get(*n))
            .collect();
        assert!(
            stale.is_empty(),
            "ui/src/lib/bindings is stale ({stale:?}); regenerate it with \
             `HEARTH_UPDATE_BINDINGS=1 cargo test -p hearth-desktop bindings` and commit it"
        );
    }
}
