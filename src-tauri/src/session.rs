//! The open journal and what the shell tracks around it: the `Journal`
//! behind a mutex (at most one, dropped on lock), when the person last did
//! something, and the idle and budget settings the watcher applies.

use crate::error::{IpcError, IpcResult};
use crate::idle::BudgetClock;
use crate::prefs::{self, Preferences};
use hearth_core::Journal;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What the idle watcher needs to know.
#[derive(Debug)]
pub struct Activity {
    pub last: Instant,
    /// Lock after this much idle time; `None` never.
    pub auto_lock: Option<Duration>,
    /// The daily time budget in minutes; 0 means none.
    pub budget_minutes: u32,
    pub clock: BudgetClock,
}

/// The app's state, shared by every command and the idle watcher.
pub struct Session {
    home: PathBuf,
    journal: Mutex<Option<Journal>>,
    activity: Mutex<Activity>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent data behind (every
    // change is one transaction), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    pub fn new(home: PathBuf) -> Self {
        Self {
            home,
            journal: Mutex::new(None),
            activity: Mutex::new(Activity {
                last: Instant::now(),
                auto_lock: None,
                budget_minutes: 0,
                clock: BudgetClock::default(),
            }),
        }
    }

    /// The data directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn is_unlocked(&self) -> bool {
        guard(&self.journal).is_some()
    }

    /// Run `f` on the open journal; refused when locked. Counts as activity.
    pub fn with<T>(&self, f: impl FnOnce(&mut Journal) -> IpcResult<T>) -> IpcResult<T> {
        self.touch();
        let mut j = guard(&self.journal);
        match j.as_mut() {
            Some(j) => f(j),
            None => Err(IpcError::locked()),
        }
    }

    /// Keep `journal` as the open one and apply its preferences.
    pub fn open(&self, journal: Journal) -> IpcResult<()> {
        let p: Preferences = prefs::load(&journal, prefs::PREFERENCES)?;
        let usage = prefs::load(&journal, prefs::USAGE)?;
        *guard(&self.journal) = Some(journal);
        let mut a = guard(&self.activity);
        a.clock = BudgetClock::new(usage);
        drop(a);
        self.apply(&p);
        self.touch();
        Ok(())
    }

    /// Close the journal: its keys and decrypted entries are dropped.
    /// Returns whether it was open.
    pub fn lock(&self) -> bool {
        let _ = self.save_usage();
        guard(&self.journal).take().is_some()
    }

    /// Take the idle and budget settings from `p`.
    pub fn apply(&self, p: &Preferences) {
        let mut a = guard(&self.activity);
        a.auto_lock = (p.auto_lock_minutes > 0)
            .then(|| Duration::from_secs(u64::from(p.auto_lock_minutes) * 60));
        a.budget_minutes = p.daily_budget_minutes;
    }

    /// The person did something.
    pub fn touch(&self) {
        guard(&self.activity).last = Instant::now();
    }

    /// Run `f` on the activity record.
    pub fn activity<T>(&self, f: impl FnOnce(&mut Activity) -> T) -> T {
        f(&mut guard(&self.activity))
    }

    /// Store today's usage if it changed.
    pub fn save_usage(&self) -> IpcResult<()> {
        let pending = self.activity(|a| a.clock.take_unsaved());
        let Some(usage) = pending else {
            return Ok(());
        };
        let mut j = guard(&self.journal);
        match j.as_mut() {
            Some(j) => prefs::store(j, prefs::USAGE, &usage),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hearth_core::{KdfParams, Vault};

    /// The cheapest key derivation the core accepts, for tests.
    pub(crate) fn cheap() -> KdfParams {
        KdfParams::new(KdfParams::MIN_MEMORY_KIB, 1, 1).unwrap()
    }

    #[test]
    fn locked_session_refuses_and_lock_drops_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let s = Session::new(dir.path().to_path_buf());
        let e = s.with(|_| Ok(())).err().map(|e| e.kind);
        assert_eq!(e, Some(crate::error::ErrorKind::Locked));
        let j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        s.open(j).unwrap();
        assert!(s.is_unlocked());
        assert_eq!(s.activity(|a| a.auto_lock), Some(Duration::from_secs(600)));
        assert!(s.lock());
        assert!(!s.is_unlocked());
        assert!(!s.lock());
    }
}
