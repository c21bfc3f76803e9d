//! The idle watcher: a thread that locks the journal after the chosen idle
//! time and counts time in the app against the daily budget, telling the
//! window through events. The decisions are plain functions, tested apart
//! from the thread.

use crate::prefs::Usage;
use crate::session::Session;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter};
use ts_rs::TS;

/// Event: the journal was locked without the window asking.
pub const LOCKED_EVENT: &str = "hearth://locked";
/// Event: the daily time budget is spent.
pub const BUDGET_EVENT: &str = "hearth://budget";

const TICK: Duration = Duration::from_secs(5);
/// Time counts towards the budget while the person was active this recently.
const ACTIVE_WINDOW: Duration = Duration::from_secs(120);
/// How often counted time is stored.
const SAVE_EVERY: u32 = 60;

/// Payload of [`LOCKED_EVENT`].
#[derive(Debug, Clone, Serialize, TS)]
pub struct LockedEvent {
    /// Why: "idle".
    pub reason: String,
}

/// Payload of [`BUDGET_EVENT`].
#[derive(Debug, Clone, Serialize, TS)]
pub struct BudgetEvent {
    pub minutes: u32,
}

/// Whether an idle journal should lock now.
pub fn should_lock(idle: Duration, auto_lock: Option<Duration>) -> bool {
    auto_lock.is_some_and(|limit| idle >= limit)
}

/// Today's time in the app, counted in memory and stored now and then.
#[derive(Debug, Default)]
pub struct BudgetClock {
    usage: Usage,
    unsaved: u32,
}

impl BudgetClock {
    pub fn new(usage: Usage) -> Self {
        Self { usage, unsaved: 0 }
    }

    /// Count `seconds` on `today`; returns true when the budget of
    /// `budget_minutes` (0: none) has just been spent and no nudge was given
    /// today.
    pub fn add(&mut self, today: &str, seconds: u32, budget_minutes: u32) -> bool {
        if self.usage.day != today {
            self.usage = Usage {
                day: today.to_string(),
                seconds: 0,
                nudged: false,
            };
        }
        self.usage.seconds = self.usage.seconds.saturating_add(seconds);
        self.unsaved = self.unsaved.saturating_add(seconds.max(1));
        if budget_minutes > 0 && !self.usage.nudged && self.usage.seconds >= budget_minutes * 60 {
            self.usage.nudged = true;
            self.unsaved = SAVE_EVERY;
            return true;
        }
        false
    }

    /// Whether enough is counted to store it.
    pub fn due(&self) -> bool {
        self.unsaved >= SAVE_EVERY
    }

    /// The usage to store, when anything changed since the last store.
    pub fn take_unsaved(&mut self) -> Option<Usage> {
        (std::mem::take(&mut self.unsaved) > 0).then(|| self.usage.clone())
    }
}

/// Start the watcher thread.
pub fn spawn(app: AppHandle, session: Arc<Session>) {
    std::thread::Builder::new()
        .name("hearth-idle".into())
        .spawn(move || watch(&app, &session))
        .map(|_| ())
        .unwrap_or_else(|e| eprintln!("hearth-desktop: no idle watcher: {e}"));
}

fn watch(app: &AppHandle, session: &Session) {
    let mut last_tick = Instant::now();
    loop {
        std::thread::sleep(TICK);
        let elapsed = last_tick.elapsed();
        last_tick = Instant::now();
        if !session.is_unlocked() {
            continue;
        }
        let today = chrono::Local::now().date_naive().to_string();
        let (lock, nudge, due) = session.activity(|a| {
            let idle = a.last.elapsed();
            let lock = should_lock(idle, a.auto_lock);
            let mut nudge = None;
            if !lock && idle < ACTIVE_WINDOW {
                let secs = u32::try_from(elapsed.as_secs()).unwrap_or(u32::MAX);
                if a.clock.add(&today, secs, a.budget_minutes) {
                    nudge = Some(a.budget_minutes);
                }
            }
            (lock, nudge, a.clock.due())
        });
        if lock {
            if session.lock() {
                let _ = app.emit(
                    LOCKED_EVENT,
                    LockedEvent {
                        reason: "idle".into(),
                    },
                );
            }
            continue;
        }
        if due && let Err(e) = session.save_usage() {
            eprintln!("hearth-desktop: could not store today's time: {e}");
        }
        if let Some(minutes) = nudge {
            let _ = app.emit(BUDGET_EVENT, BudgetEvent { minutes });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_only_past_the_limit() {
        let min = Duration::from_secs(60);
        assert!(!should_lock(Duration::from_secs(59), Some(min)));
        assert!(should_lock(min, Some(min)));
        assert!(!should_lock(Duration::from_secs(99_999), None));
    }

    #[test]
    fn nudges_once_a_day_when_the_budget_is_spent() {
        let mut c = BudgetClock::default();
        assert!(!c.add("2025-01-01", 50, 1));
        assert!(c.add("2025-01-01", 10, 1));
        assert!(!c.add("2025-01-01", 100, 1));
        assert!(c.due());
        let u = c.take_unsaved();
        assert_eq!(u.as_ref().map(|u| (u.seconds, u.nudged)), Some((160, true)));
        assert!(c.take_unsaved().is_none());
        // A new day starts from zero.
        assert!(!c.add("2025-01-02", 30, 1));
        assert!(c.add("2025-01-02", 30, 1));
        // No budget, no nudge.
        let mut c = BudgetClock::default();
        assert!(!c.add("2025-01-01", 100_000, 0));
    }
}
