//! Photos and files in entries: add them (picked, dropped or pasted), take
//! them out, save a copy. The window shows them through the `hearth-file`
//! scheme (see `files.rs`), never as bytes over IPC.

use super::blocking;
use crate::dto::{EntryView, entry_id};
use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use hearth_core::attachments::{ATTACHMENT_MAX, NewAttachment, human_size};
use hearth_core::{Attachment, Journal};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::State;

/// Add files (picked in the file dialog or dropped on the window) to an
/// entry. Every file is checked first: one that is missing, unreadable or
/// over 100 MiB is named in the error and nothing is added. Returns what
/// was added, in order (a file the entry holds already is returned too,
/// and not added twice).
#[tauri::command]
pub async fn attach_files(
    state: State<'_, Arc<Session>>,
    entry: String,
    paths: Vec<String>,
) -> IpcResult<Vec<Attachment>> {
    blocking(state, move |s| {
        s.with(|j| attach_files_to(j, &entry, &paths))
    })
    .await
}

pub(crate) fn attach_files_to(
    j: &mut Journal,
    entry: &str,
    paths: &[String],
) -> IpcResult<Vec<Attachment>> {
    let id = entry_id(entry)?;
    let files: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        return Err(IpcError::invalid("choose a photo or file first"));
    }
    Ok(j.attach(&id, &files)?)
}

/// Check files as adding them would (each exists, is a file, is at most
/// 100 MiB and can be read) without adding anything: the editor asks before
/// it saves a new, still empty entry to put them in, so a refused file
/// leaves no empty entry behind.
#[tauri::command]
pub async fn check_files(paths: Vec<String>) -> IpcResult<()> {
    tauri::async_runtime::spawn_blocking(move || check_paths(&paths))
        .await
        .map_err(|e| IpcError::internal(format!("the task stopped: {e}")))?
}

/// The core's checks before it stores anything (hearth-core
/// attachments.rs), in its words.
pub(crate) fn check_paths(paths: &[String]) -> IpcResult<()> {
    let paths: Vec<&str> = paths
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if paths.is_empty() {
        return Err(IpcError::invalid("choose a photo or file first"));
    }
    for p in paths {
        let cannot = |e: std::io::Error| {
            IpcError::invalid(format!("cannot read {p}: {e} (nothing was attached)"))
        };
        let meta = std::fs::metadata(p).map_err(cannot)?;
        if !meta.is_file() {
            return Err(IpcError::invalid(format!(
                "{p} is not a file (nothing was attached)"
            )));
        }
        if meta.len() > ATTACHMENT_MAX {
            return Err(IpcError::invalid(format!(
                "{p} is {}, over the {} MiB a file in an entry may be (nothing was attached)",
                human_size(meta.len()),
                ATTACHMENT_MAX >> 20
            )));
        }
        std::fs::File::open(p).map_err(cannot)?;
    }
    Ok(())
}

/// Add bytes that are in no file (an image pasted from the clipboard) to an
/// entry as `name`. They pass through a temporary file in the system's
/// temporary folder (never the journal's), deleted as soon as they are
/// stored.
#[tauri::command]
pub async fn attach_bytes(
    state: State<'_, Arc<Session>>,
    entry: String,
    name: String,
    bytes: Vec<u8>,
) -> IpcResult<Attachment> {
    blocking(state, move |s| {
        s.with(|j| attach_bytes_to(j, &entry, &name, &bytes, &std::env::temp_dir()))
    })
    .await
}

pub(crate) fn attach_bytes_to(
    j: &mut Journal,
    entry: &str,
    name: &str,
    bytes: &[u8],
    tmp_dir: &Path,
) -> IpcResult<Attachment> {
    let id = entry_id(entry)?;
    let name = match name.trim() {
        "" => "pasted",
        n => n,
    };
    if bytes.len() as u64 > ATTACHMENT_MAX {
        return Err(IpcError::invalid(format!(
            "{name} is over the {} MiB a file in an entry may be (nothing was attached)",
            ATTACHMENT_MAX >> 20
        )));
    }
    let io = |e: std::io::Error| {
        IpcError::internal(format!("cannot hold the pasted {name} for a moment: {e}"))
    };
    // Deleted when it goes out of scope, whatever happens.
    let mut tmp = tempfile::Builder::new()
        .prefix("hearth-paste-")
        .tempfile_in(tmp_dir)
        .map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.flush().map_err(io)?;
    let mut file = NewAttachment::file(tmp.path());
    file.name = name.to_string();
    let added = j.attach_new(&id, &[file])?;
    drop(tmp);
    added
        .into_iter()
        .next()
        .ok_or_else(|| IpcError::internal("nothing was attached"))
}

/// Take a photo or file out of an entry, with the places its text shows it.
/// Returns the entry as it is now (its body may have changed).
#[tauri::command]
pub async fn detach_attachment(
    state: State<'_, Arc<Session>>,
    entry: String,
    attachment: String,
) -> IpcResult<EntryView> {
    blocking(state, move |s| {
        s.with(|j| detach_from(j, &entry, &attachment))
    })
    .await
}

pub(crate) fn detach_from(j: &mut Journal, entry: &str, attachment: &str) -> IpcResult<EntryView> {
    let id = entry_id(entry)?;
    j.detach(&id, attachment)?;
    Ok(EntryView::from(j.get(&id)?))
}

/// Write a copy of an attachment to a new file (the path the save dialog
/// gave). Never replaces a file. Returns where it was written.
#[tauri::command]
pub async fn save_attachment(
    state: State<'_, Arc<Session>>,
    id: String,
    path: String,
) -> IpcResult<String> {
    blocking(state, move |s| s.with(|j| save_copy(j, &id, &path))).await
}

pub(crate) fn save_copy(j: &Journal, id: &str, path: &str) -> IpcResult<String> {
    let path = path.trim();
    if path.is_empty() {
        return Err(IpcError::invalid("choose where to save it first"));
    }
    let (_, dest) = j.save_attachment(id, &PathBuf::from(path))?;
    Ok(dest.display().to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::ErrorKind;
    use crate::session::tests::{cheap, png};
    use hearth_core::{EntryDraft, Vault};

    fn entry(j: &mut Journal) -> String {
        j.write(EntryDraft {
            title: "Harbour".into(),
            body: "Boats.".into(),
            ..Default::default()
        })
        .unwrap()
        .id
        .to_string()
    }

    #[test]
    fn files_are_attached_and_shown_with_the_entry() {
        let (dir, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = entry(&mut j);
        let photo = files.path().join("harbour.png");
        std::fs::write(&photo, png(40, 30)).unwrap();
        let notes = files.path().join("notes.txt");
        std::fs::write(&notes, "tide times").unwrap();
        let paths = [photo, notes].map(|p| p.display().to_string());
        let added = attach_files_to(&mut j, &id, &paths).unwrap();
        assert_eq!(
            added
                .iter()
                .map(|a| (a.name.as_str(), a.media_type.as_str()))
                .collect::<Vec<_>>(),
            [("harbour.png", "image/png"), ("notes.txt", "text/plain")]
        );
        let view = EntryView::from(j.get(&id).unwrap());
        assert_eq!(view.attachments, added);
        let row = crate::dto::EntrySummary::from(j.get(&id).unwrap());
        assert_eq!(
            (row.attachments, row.thumbnail),
            (2, Some(added[0].id.clone()))
        );
        // The same file again is not added twice.
        attach_files_to(&mut j, &id, &paths[..1]).unwrap();
        assert_eq!(j.attachments(&id).unwrap().len(), 2);
    }

    #[test]
    fn a_missing_or_oversized_file_is_named_and_nothing_is_attached() {
        let (dir, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = entry(&mut j);
        let good = files.path().join("good.png");
        std::fs::write(&good, png(4, 4)).unwrap();
        let big = files.path().join("big.mov");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(ATTACHMENT_MAX + 1)
            .unwrap();
        let both = [good.display().to_string(), big.display().to_string()];
        let e = attach_files_to(&mut j, &id, &both).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("big.mov"), "{}", e.message);
        assert!(
            e.message.contains("100.0 MiB, over the 100 MiB"),
            "{}",
            e.message
        );
        assert!(e.message.contains("nothing was attached"), "{}", e.message);
        // The check the editor makes before saving a new entry says the same.
        assert_eq!(check_paths(&both).unwrap_err(), e);
        assert!(check_paths(&both[..1]).is_ok());
        let folder = check_paths(&[files.path().display().to_string()]).unwrap_err();
        assert!(
            folder.message.contains("is not a file"),
            "{}",
            folder.message
        );
        let e = attach_files_to(&mut j, &id, &["/no/such/photo.jpg".into()]).unwrap_err();
        assert_eq!(check_paths(&["/no/such/photo.jpg".into()]).unwrap_err(), e);
        assert!(e.message.contains("/no/such/photo.jpg"), "{}", e.message);
        let e = attach_files_to(&mut j, &id, &[" ".into()]).unwrap_err();
        assert!(e.message.contains("choose"), "{}", e.message);
        assert!(j.attachments(&id).unwrap().is_empty());
        // Too many bytes pasted: refused before anything is written.
        let huge = vec![0; usize::try_from(ATTACHMENT_MAX + 1).unwrap()];
        let e = attach_bytes_to(&mut j, &id, "huge.png", &huge, files.path()).unwrap_err();
        assert!(e.message.contains("huge.png") && e.message.contains("100 MiB"));
        assert!(j.attachments(&id).unwrap().is_empty());
    }

    #[test]
    fn pasted_bytes_keep_their_name_and_leave_no_file_behind() {
        let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = entry(&mut j);
        let a = attach_bytes_to(&mut j, &id, "Pasted image.png", &png(8, 8), tmp.path()).unwrap();
        assert_eq!(
            (a.name.as_str(), a.media_type.as_str()),
            ("Pasted image.png", "image/png")
        );
        assert_eq!(j.attachment_bytes(&a.id).unwrap().1, png(8, 8));
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "the temporary file was left behind"
        );
        let a = attach_bytes_to(&mut j, &id, "  ", b"x", tmp.path()).unwrap();
        assert_eq!(a.name, "pasted");
        // A failure leaves nothing behind either.
        let e = attach_bytes_to(&mut j, "0123", "x.png", b"x", tmp.path()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn detaching_takes_the_photo_out_of_the_text_and_saving_never_replaces() {
        let (dir, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = entry(&mut j);
        let a = attach_bytes_to(&mut j, &id, "boat.png", &png(6, 6), files.path()).unwrap();
        let body = format!("Before ![A boat](attachment:{}) after.", a.id);
        j.edit(
            &id,
            &hearth_core::EntryPatch {
                body: Some(body),
                ..Default::default()
            },
        )
        .unwrap();

        let out = files.path().join("copy.png").display().to_string();
        let saved = save_copy(&j, &a.id, &out).unwrap();
        assert_eq!(saved, out);
        assert_eq!(std::fs::read(&saved).unwrap(), png(6, 6));
        let again = save_copy(&j, &a.id, &out).unwrap_err();
        assert!(
            again.message.contains("already exists"),
            "{}",
            again.message
        );
        assert!(save_copy(&j, &a.id, " ").is_err());

        let view = detach_from(&mut j, &id, &a.id).unwrap();
        assert_eq!(view.body, "Before  after.");
        assert!(view.attachments.is_empty());
        let e = detach_from(&mut j, &id, &a.id).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
    }

    #[test]
    fn the_window_states_the_limit_the_core_keeps() {
        let ui = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/files.ts"),
        )
        .unwrap();
        let want = format!(
            "export const ATTACHMENT_MAX_MIB = {};",
            ATTACHMENT_MAX >> 20
        );
        assert!(
            ui.contains(&want),
            "ui/src/lib/files.ts should say `{want}`"
        );
    }
}
