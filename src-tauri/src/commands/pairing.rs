//! Pairing devices. On a device with the journal: open an invitation on the
//! running node (its ticket goes to the new device) and answer whether the
//! code matches. On a new device: join the journal a ticket points at,
//! with a passphrase of this device's own, and open it.

use super::blocking;
use super::vault::info;
use crate::confirm::ANSWER_TIMEOUT;
use crate::dto::JoinInfo;
use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use hearth_core::{KdfParams, UnlockTimings, Vault};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tauri::State;
use zeroize::Zeroizing;

/// Open a pairing invitation (valid ten minutes, for one device); returns
/// its ticket.
#[tauri::command]
pub async fn pair_invite(state: State<'_, Arc<Session>>) -> IpcResult<String> {
    let commands = state.node()?;
    crate::node::invite(commands).await
}

/// Close the open invitation and withdraw a code question still open.
#[tauri::command]
pub async fn pair_close(state: State<'_, Arc<Session>>) -> IpcResult<()> {
    state.questions().withdraw();
    let commands = state.node()?;
    crate::node::close_invite(commands).await
}

/// The person's answer to code question `id`.
#[tauri::command]
pub async fn pair_answer(state: State<'_, Arc<Session>>, id: u32, matches: bool) -> IpcResult<()> {
    state.touch();
    state.questions().answer(id, matches)
}

/// A name for this device to start from: the computer's.
#[tauri::command]
pub async fn default_device_name() -> IpcResult<String> {
    Ok(hearth_core::network::default_device_name())
}

/// A ticket as the person pasted it: spaces and line breaks dropped,
/// lowercase (a QR code reader may give it in capitals).
pub fn clean_ticket(ticket: &str) -> String {
    ticket
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether a join is under way: one at a time, or two could race to make
/// the same vault.
static JOINING: AtomicBool = AtomicBool::new(false);

/// Holds [`JOINING`] while a join runs.
struct OneJoin;

impl OneJoin {
    fn start() -> IpcResult<Self> {
        if JOINING.swap(true, Ordering::SeqCst) {
            return Err(IpcError::invalid(
                "joining is already under way: wait for it to finish",
            ));
        }
        Ok(Self)
    }
}

impl Drop for OneJoin {
    fn drop(&mut self) {
        JOINING.store(false, Ordering::SeqCst);
    }
}

/// Join the journal of the device whose ticket this is, as a new device
/// named `name` with its own `passphrase`; the journal opens. The code to
/// compare comes to the window as a question.
#[tauri::command]
pub async fn join_journal(
    state: State<'_, Arc<Session>>,
    ticket: String,
    name: String,
    passphrase: String,
) -> IpcResult<JoinInfo> {
    let passphrase = Zeroizing::new(passphrase);
    let session = Arc::clone(state.inner());
    let _one = OneJoin::start()?;
    if session.is_unlocked() || Vault::exists(session.home()) {
        return Err(IpcError::new(
            crate::error::ErrorKind::JournalExists,
            "this computer has a journal already: joining another makes a new one, so it is only offered before there is any",
        ));
    }
    let questions = session.questions().clone();
    let started = Instant::now();
    let joined = hearth_core::network::join(
        session.home(),
        passphrase.as_bytes(),
        KdfParams::default_params(),
        &clean_ticket(&ticket),
        name.trim(),
        move |code| questions.ask_code(code, None, ANSWER_TIMEOUT),
    )
    .await?;
    blocking(state, move |s| {
        let timings = UnlockTimings {
            kdf: started.elapsed(),
            load: Duration::ZERO,
        };
        let mut unlock = info(&joined.journal, timings);
        unlock.recovery_key = Some(joined.recovery_key.encoded().to_string());
        let entries = u32::try_from(joined.journal.len()).unwrap_or(u32::MAX);
        let sync_error = joined.first_sync.as_ref().err().map(ToString::to_string);
        s.open(joined.journal)?;
        Ok(JoinInfo {
            unlock,
            entries,
            sync_error,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_join_at_a_time() {
        let first = OneJoin::start();
        assert!(first.is_ok());
        assert!(OneJoin::start().is_err());
        drop(first);
        assert!(OneJoin::start().is_ok());
    }

    #[test]
    fn pasted_tickets_are_cleaned() {
        assert_eq!(clean_ticket("  HEARTHPAIR ab\ncd\t"), "hearthpairabcd");
    }
}
