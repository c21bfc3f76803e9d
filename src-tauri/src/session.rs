//! The open journal and what the shell tracks around it: the `Journal`,
//! shared with this device's node while it is open (at most one; dropped
//! on lock), the node itself, the pairing code question, when the person
//! last did something, and the idle and budget settings the watcher
//! applies.

use crate::circle_ask::CircleQuestions;
use crate::confirm::{ANSWER_TIMEOUT, CodeQuestions};
use crate::error::{IpcError, IpcResult};
use crate::idle::BudgetClock;
use crate::node::RunningNode;
use crate::notify::{NetNotice, Tell};
use crate::prefs::{self, Preferences};
use hearth_core::Journal;
use hearth_core::network::{self, Confirm, NodeCommand, SharedJournal};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

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

/// The open journal and its node.
struct Open {
    journal: SharedJournal,
    node: Option<RunningNode>,
}

/// The app's state, shared by every command and the idle watcher.
pub struct Session {
    home: PathBuf,
    open: Mutex<Option<Open>>,
    activity: Mutex<Activity>,
    questions: Arc<CodeQuestions>,
    /// Whether the person accepts a circle's agreements when joining it.
    circle_questions: Arc<CircleQuestions>,
    /// How to reach the window; without it (tests) no node is started.
    tell: Option<Tell>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent data behind (every
    // change is one transaction), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    /// A session that never opens a socket (tests).
    pub fn new(home: PathBuf) -> Self {
        Self {
            home,
            open: Mutex::new(None),
            activity: Mutex::new(Activity {
                last: Instant::now(),
                auto_lock: None,
                budget_minutes: 0,
                clock: BudgetClock::default(),
            }),
            questions: Arc::new(CodeQuestions::default()),
            circle_questions: Arc::new(CircleQuestions::default()),
            tell: None,
        }
    }

    /// A session that runs this device's node while the journal is open
    /// and tells the window through `tell`.
    pub fn networked(home: PathBuf, tell: Tell) -> Self {
        let session = Self {
            tell: Some(tell.clone()),
            ..Self::new(home)
        };
        session.questions.show_with(Arc::new(move |question, id| {
            tell(match question {
                Some(q) => NetNotice::CodeQuestion {
                    question: q.clone(),
                },
                None => NetNotice::CodeClosed { id },
            });
        }));
        let tell = session.tell.clone();
        session
            .circle_questions
            .show_with(Arc::new(move |preview, id| {
                if let Some(tell) = &tell {
                    tell(match preview {
                        Some(p) => NetNotice::CircleQuestion {
                            id,
                            preview: p.clone(),
                        },
                        None => NetNotice::CircleQuestionClosed { id },
                    });
                }
            }));
        session
    }

    /// The data directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn is_unlocked(&self) -> bool {
        guard(&self.open).is_some()
    }

    /// The pairing code question.
    pub fn questions(&self) -> &Arc<CodeQuestions> {
        &self.questions
    }

    /// The question asked when joining a circle.
    pub fn circle_questions(&self) -> &Arc<CircleQuestions> {
        &self.circle_questions
    }

    /// The open journal, shared; `None` when locked.
    fn shared(&self) -> Option<SharedJournal> {
        guard(&self.open).as_ref().map(|o| o.journal.clone())
    }

    /// Run `f` on the open journal; refused when locked. Counts as activity.
    pub fn with<T>(&self, f: impl FnOnce(&mut Journal) -> IpcResult<T>) -> IpcResult<T> {
        self.touch();
        let shared = self.shared().ok_or_else(IpcError::locked)?;
        let mut j = network::lock(&shared);
        f(&mut j)
    }

    /// Run `f` on the open journal without counting it as the person's
    /// activity (the window loading a photo); refused when locked.
    pub fn quietly<T>(&self, f: impl FnOnce(&mut Journal) -> IpcResult<T>) -> IpcResult<T> {
        let shared = self.shared().ok_or_else(IpcError::locked)?;
        let mut j = network::lock(&shared);
        f(&mut j)
    }

    /// Where the node of the open journal takes commands.
    pub fn node(&self) -> IpcResult<mpsc::Sender<NodeCommand>> {
        self.touch();
        let open = guard(&self.open);
        let open = open.as_ref().ok_or_else(IpcError::locked)?;
        open.node
            .as_ref()
            .map(RunningNode::commands)
            .ok_or_else(|| {
                IpcError::internal("sync does not run in this session of Hearth; restart the app")
            })
    }

    /// Keep `journal` as the open one, apply its preferences and start its
    /// node.
    pub fn open(&self, mut journal: Journal) -> IpcResult<()> {
        // Before any socket can open: offline mode set in an earlier
        // version is kept.
        prefs::move_offline_switch(&mut journal)?;
        let p: Preferences = prefs::load(&journal, prefs::PREFERENCES)?;
        let usage = prefs::load(&journal, prefs::USAGE)?;
        let journal: SharedJournal = Arc::new(Mutex::new(journal));
        let node = self.tell.as_ref().map(|tell| {
            let questions = self.questions.clone();
            let confirm: Confirm = Arc::new(move |code: &str, name: &str| {
                questions.ask_code(code, Some(name), ANSWER_TIMEOUT)
            });
            RunningNode::start(journal.clone(), confirm, tell.clone())
        });
        let replaced = guard(&self.open).replace(Open { journal, node });
        if let Some(old) = replaced {
            close(old);
        }
        let mut a = guard(&self.activity);
        a.clock = BudgetClock::new(usage);
        drop(a);
        self.apply(&p);
        self.touch();
        Ok(())
    }

    /// Close the journal: its node stops, and its keys and decrypted
    /// entries are dropped. Returns whether it was open. Blocks until the
    /// node has closed its sockets (a few seconds at most).
    pub fn lock(&self) -> bool {
        let _ = self.save_usage();
        self.questions.withdraw();
        self.circle_questions.withdraw();
        let open = guard(&self.open).take();
        match open {
            Some(open) => {
                close(open);
                true
            }
            None => false,
        }
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
        match self.shared() {
            Some(shared) => prefs::store(&mut network::lock(&shared), prefs::USAGE, &usage),
            None => Ok(()),
        }
    }
}

/// Stop the node, then let the journal go.
fn close(open: Open) {
    if let Some(node) = open.node {
        node.stop();
    }
    drop(open.journal);
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

    /// A PNG of `width` by `height` pixels.
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        crate::sample::png(width, height, 0)
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

    /// A sync window that is not open now: the node stays closed, so the
    /// test opens no socket.
    fn closed_window() -> hearth_core::netconfig::SyncWindow {
        use chrono::Timelike;
        let later = chrono::Local::now() + chrono::Duration::hours(2);
        let start = later.hour() * 60 + later.minute();
        let text = format!(
            "{:02}:{:02}-{:02}:{:02}",
            start / 60,
            start % 60,
            ((start + 30) % 1440) / 60,
            (start + 30) % 60
        );
        hearth_core::netconfig::SyncWindow::parse(&text).unwrap()
    }

    fn eventually(what: &str, mut f: impl FnMut() -> bool) {
        let until = Instant::now() + Duration::from_secs(20);
        while !f() {
            assert!(Instant::now() < until, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn the_node_runs_while_the_journal_is_open_and_stops_when_it_locks() {
        use hearth_core::network::NodeStatus;
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let mut config = j.net_config().unwrap();
        config.sync_windows = vec![closed_window()];
        j.set_net_config(&config).unwrap();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = heard.clone();
        let s = Session::networked(
            dir.path().to_path_buf(),
            Arc::new(move |n: NetNotice| log.lock().unwrap().push(n)),
        );
        s.open(j).unwrap();
        eventually("the node to say it waits for its window", || {
            heard.lock().unwrap().iter().any(|n| {
                matches!(
                    n,
                    NetNotice::Closed {
                        state: NodeStatus::Waiting,
                        opens_at: Some(_)
                    }
                )
            })
        });
        let status = s.with(|j| Ok(j.sync_status()?)).unwrap();
        assert_eq!(status.node.state, NodeStatus::Waiting);
        assert_eq!(status.node.pid, Some(std::process::id()));
        // The node answers commands; closed, it refuses to invite.
        let commands = s.node().unwrap();
        let refused = tauri::async_runtime::block_on(crate::node::invite(commands));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.message.contains("sync windows")),
            "{refused:?}"
        );
        assert!(s.lock());
        assert_eq!(s.node().unwrap_err().kind, crate::error::ErrorKind::Locked);
        let (j, _) = Vault::unlock(dir.path(), b"pw").unwrap();
        assert_eq!(
            j.sync_status().unwrap().node.state,
            NodeStatus::Stopped,
            "the node said it stopped before the journal was let go"
        );
    }

    #[test]
    fn offline_mode_from_an_earlier_version_is_kept_before_the_node_starts() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        j.set_setting(
            prefs::PREFERENCES,
            &serde_json::json!({"theme": "dark", "offline": true}),
        )
        .unwrap();
        let s = Session::new(dir.path().to_path_buf());
        s.open(j).unwrap();
        s.with(|j| {
            assert!(j.net_config()?.offline);
            let stored: serde_json::Value = j.setting(prefs::PREFERENCES)?.unwrap();
            assert_eq!(stored["theme"], "dark");
            assert!(stored.get("offline").is_none(), "{stored}");
            Ok(())
        })
        .unwrap();
    }
}
