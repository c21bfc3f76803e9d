//! The commands the window invokes. Each is a thin call into hearth-core:
//! it takes the IPC shapes from `dto`, runs on a blocking thread (never on
//! the window's thread, so a slow unlock or import cannot freeze it), and
//! returns an `IpcResult`.

pub mod attachments;
pub mod circles;
pub mod devices;
pub mod entries;
pub mod insights;
pub mod moderation;
pub mod network;
pub mod pairing;
pub mod settings;
pub mod transfer;
pub mod vault;

use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use std::sync::Arc;
use tauri::State;

/// Run `f` with the session on a blocking thread.
pub(crate) async fn blocking<T, F>(state: State<'_, Arc<Session>>, f: F) -> IpcResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Session) -> IpcResult<T> + Send + 'static,
{
    let session = Arc::clone(state.inner());
    tauri::async_runtime::spawn_blocking(move || f(&session))
        .await
        .map_err(|e| IpcError::internal(format!("the task stopped: {e}")))?
}
