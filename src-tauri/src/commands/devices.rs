//! This journal's devices: list, rename and remove them (pairing and sync
//! are in `pairing` and `network`).

use super::blocking;
use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::session::Session;
use hearth_core::{Device, Journal};
use std::sync::Arc;
use tauri::State;

/// Every device of the journal, this one first.
#[tauri::command]
pub async fn devices_list(state: State<'_, Arc<Session>>) -> IpcResult<Vec<Device>> {
    blocking(state, |s| s.with(|j| Ok(j.devices()))).await
}

/// Give a device a new name; returns it as it is now.
#[tauri::command]
pub async fn device_rename(
    state: State<'_, Arc<Session>>,
    id: String,
    name: String,
) -> IpcResult<Device> {
    blocking(state, move |s| s.with(|j| rename(j, &id, &name))).await
}

/// Remove a device from the journal: it is no longer trusted and gets
/// nothing new, and keeps what it already has. Returns it as it was.
#[tauri::command]
pub async fn device_remove(state: State<'_, Arc<Session>>, id: String) -> IpcResult<Device> {
    blocking(state, move |s| s.with(|j| remove(j, &id))).await
}

/// The device whose whole id is `id`. The window always sends the whole
/// id, so a prefix (which the core accepts for the terminal program) is
/// refused here rather than acting on whichever device it matches.
fn whole_id(j: &Journal, id: &str) -> IpcResult<String> {
    let id = id.trim().to_ascii_lowercase();
    if !j.devices().iter().any(|d| d.id == id) {
        return Err(IpcError::new(
            ErrorKind::NotFound,
            "this device is not in the journal; nothing was changed",
        ));
    }
    Ok(id)
}

fn rename(j: &mut Journal, id: &str, name: &str) -> IpcResult<Device> {
    let id = whole_id(j, id)?;
    Ok(j.rename_device(&id, name)?)
}

fn remove(j: &mut Journal, id: &str) -> IpcResult<Device> {
    let id = whole_id(j, id)?;
    Ok(j.remove_device(&id)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::session::tests::cheap;
    use hearth_core::Vault;

    #[test]
    fn renames_this_device_by_its_whole_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let me = j.devices().remove(0);
        assert!(me.this_device);
        assert_eq!((me.last_seen, me.last_synced), (None, None));
        let renamed = rename(&mut j, &me.id.to_ascii_uppercase(), "  Kitchen laptop ").unwrap();
        assert_eq!(renamed.name, "Kitchen laptop");
        assert_eq!(j.devices()[0].name, "Kitchen laptop");
    }

    #[test]
    fn refuses_a_prefix_an_unknown_id_and_a_bad_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let me = j.devices().remove(0);
        let e = rename(&mut j, &me.id[..8], "Laptop").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = rename(&mut j, &"0".repeat(64), "Laptop").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = rename(&mut j, &me.id, "  ").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(
            e.message.contains("cannot be a device name"),
            "{}",
            e.message
        );
        assert_eq!(j.devices()[0].name, me.name);
    }

    #[test]
    fn removing_takes_a_whole_id_of_another_device() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let me = j.devices().remove(0);
        let e = remove(&mut j, &me.id[..8]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = remove(&mut j, &"0".repeat(64)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = remove(&mut j, &me.id).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{}", e.message);
        assert_eq!(j.devices().len(), 1, "nothing was removed");
    }
}
