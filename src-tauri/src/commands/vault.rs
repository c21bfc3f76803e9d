//! Creating, unlocking and locking the journal, and changing its passphrase.

use super::blocking;
use crate::dto::{DamagedEntry, Status, UnlockInfo};
use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use hearth_core::{Journal, KdfParams, UnlockTimings, Vault};
use std::sync::Arc;
use std::time::Duration;
use tauri::State;
use zeroize::Zeroizing;

/// Whether a journal exists and whether it is open.
#[tauri::command]
pub async fn status(state: State<'_, Arc<Session>>) -> IpcResult<Status> {
    blocking(state, |s| {
        Ok(Status {
            has_journal: Vault::exists(s.home()),
            unlocked: s.is_unlocked(),
            home: s.home().display().to_string(),
        })
    })
    .await
}

pub(crate) fn info(j: &Journal, t: UnlockTimings) -> UnlockInfo {
    let ms = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
    UnlockInfo {
        kdf_ms: ms(t.kdf),
        load_ms: ms(t.load),
        damaged: j
            .damaged()
            .iter()
            .map(|d| DamagedEntry {
                id: d.id.to_string(),
                reason: d.reason.clone(),
            })
            .collect(),
        recovery_key: None,
    }
}

/// Create a journal with the default key-derivation cost and a recovery
/// key (returned once, to be shown once); it opens unlocked.
#[tauri::command]
pub async fn create_journal(
    state: State<'_, Arc<Session>>,
    passphrase: String,
) -> IpcResult<UnlockInfo> {
    let passphrase = Zeroizing::new(passphrase);
    blocking(state, move |s| {
        let started = std::time::Instant::now();
        let (j, key) = Vault::create_with_recovery(
            s.home(),
            passphrase.as_bytes(),
            KdfParams::default_params(),
        )?;
        let timings = UnlockTimings {
            kdf: started.elapsed(),
            load: Duration::ZERO,
        };
        let mut out = info(&j, timings);
        out.recovery_key = Some(key.encoded().to_string());
        s.open(j)?;
        Ok(out)
    })
    .await
}

/// A forgotten passphrase: open the journal with its recovery key and set a
/// new passphrase. The recovery key keeps working.
#[tauri::command]
pub async fn recover(
    state: State<'_, Arc<Session>>,
    recovery_key: String,
    next: String,
) -> IpcResult<UnlockInfo> {
    let (recovery_key, next) = (Zeroizing::new(recovery_key), Zeroizing::new(next));
    blocking(state, move |s| {
        if s.is_unlocked() {
            return Err(IpcError::invalid("the journal is already open"));
        }
        let key = Vault::parse_recovery_key(&recovery_key)?;
        let started = std::time::Instant::now();
        let j = Vault::recover(s.home(), &key, next.as_bytes())?;
        let out = info(
            &j,
            UnlockTimings {
                kdf: started.elapsed(),
                load: Duration::ZERO,
            },
        );
        s.open(j)?;
        Ok(out)
    })
    .await
}

/// Whether the open journal has a recovery key.
#[tauri::command]
pub async fn has_recovery_key(state: State<'_, Arc<Session>>) -> IpcResult<bool> {
    blocking(state, |s| s.with(|j| Ok(j.has_recovery_key()?))).await
}

/// Make a new recovery key (the old one stops working); returned once.
#[tauri::command]
pub async fn new_recovery_key(state: State<'_, Arc<Session>>) -> IpcResult<String> {
    blocking(state, |s| {
        s.with(|j| Ok(j.new_recovery_key()?.encoded().to_string()))
    })
    .await
}

/// Unlock the journal.
#[tauri::command]
pub async fn unlock(state: State<'_, Arc<Session>>, passphrase: String) -> IpcResult<UnlockInfo> {
    let passphrase = Zeroizing::new(passphrase);
    blocking(state, move |s| {
        if s.is_unlocked() {
            return Err(IpcError::invalid("the journal is already open"));
        }
        let (j, timings) = Vault::unlock(s.home(), passphrase.as_bytes())?;
        let out = info(&j, timings);
        s.open(j)?;
        Ok(out)
    })
    .await
}

/// Lock now: the keys and every decrypted entry are dropped.
#[tauri::command]
pub async fn lock(state: State<'_, Arc<Session>>) -> IpcResult<()> {
    blocking(state, |s| {
        s.lock();
        Ok(())
    })
    .await
}

/// Change the passphrase after checking the current one. Only the key
/// wrapping changes; no entry is re-encrypted.
#[tauri::command]
pub async fn change_passphrase(
    state: State<'_, Arc<Session>>,
    current: String,
    next: String,
) -> IpcResult<()> {
    let (current, next) = (Zeroizing::new(current), Zeroizing::new(next));
    blocking(state, move |s| {
        if !s.is_unlocked() {
            return Err(IpcError::locked());
        }
        // hearth-core has no passphrase check on an open journal; opening
        // the vault a second time is the honest way to check it.
        drop(Vault::unlock(s.home(), current.as_bytes())?);
        s.with(|j| Ok(j.change_passphrase(next.as_bytes(), None)?))
    })
    .await
}

/// The person did something (typing, clicking): postpones auto-lock.
#[tauri::command]
pub async fn note_activity(state: State<'_, Arc<Session>>) -> IpcResult<()> {
    state.touch();
    Ok(())
}

/// Milliseconds since the program started (the benchmark's launch time).
#[tauri::command]
pub async fn since_launch() -> IpcResult<u32> {
    let started = crate::LAUNCHED.get_or_init(std::time::Instant::now);
    Ok(u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX))
}
