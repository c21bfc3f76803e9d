//! Comparing a pairing code. The core asks, on a blocking thread, whether
//! the code the other device shows is the one shown here; the window shows
//! the question and the person's answer comes back through a command. One
//! question is open at a time, and one nobody answers counts as "no" after
//! as long as the other device waits (hearth-sync's five minutes), so a
//! pairing never hangs and never goes ahead by default.

use crate::error::{IpcError, IpcResult};
use serde::Serialize;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc};
use std::time::Duration;
use ts_rs::TS;

/// How long a question waits for the person: what the other device waits.
pub const ANSWER_TIMEOUT: Duration = hearth_core::network::CONFIRM_TIMEOUT;

/// A code for the person to compare with the other device's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodeQuestion {
    /// Names the question in the answer.
    pub id: u32,
    /// Six digits, as `123-456`.
    pub code: String,
    /// The new device's name when this device invited it; none when this
    /// device is the one joining.
    pub device_name: Option<String>,
}

/// What the window is told: a question to show, or that question closed
/// (answered, timed out, or withdrawn).
pub type Show = Arc<dyn Fn(Option<&CodeQuestion>, u32) + Send + Sync>;

/// The open question, if any, and how to tell the window.
#[derive(Default)]
pub struct CodeQuestions {
    next: AtomicU32,
    open: Mutex<Option<(u32, mpsc::Sender<bool>)>>,
    show: OnceLock<Show>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl CodeQuestions {
    /// Tell the window through `show` from now on (set once).
    pub fn show_with(&self, show: Show) {
        let _ = self.show.set(show);
    }

    fn tell(&self, question: Option<&CodeQuestion>, id: u32) {
        if let Some(show) = self.show.get() {
            show(question, id);
        }
    }

    /// Ask whether `code` matches and wait up to `timeout` for the answer;
    /// false when nobody answers, or when a newer question replaces this
    /// one. Blocks the calling thread.
    pub fn ask(&self, code: &str, device_name: Option<&str>, timeout: Duration) -> bool {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let (answer, answered) = mpsc::channel();
        let replaced = guard(&self.open).replace((id, answer));
        if let Some((old, _)) = replaced {
            self.tell(None, old);
        }
        let question = CodeQuestion {
            id,
            code: code.to_string(),
            device_name: device_name.map(str::to_string),
        };
        self.tell(Some(&question), id);
        let yes = answered.recv_timeout(timeout).unwrap_or(false);
        let mut open = guard(&self.open);
        if open.as_ref().is_some_and(|(i, _)| *i == id) {
            *open = None;
            drop(open);
            self.tell(None, id);
        }
        yes
    }

    /// The person's answer to question `id`.
    pub fn answer(&self, id: u32, matches: bool) -> IpcResult<()> {
        let mut open = guard(&self.open);
        match open.take() {
            Some((i, answer)) if i == id => {
                drop(open);
                // The asking thread may have just given up; nothing to do then.
                let _ = answer.send(matches);
                Ok(())
            }
            other => {
                *open = other;
                Err(IpcError::invalid(
                    "this code is no longer waiting for an answer (it timed out or pairing stopped): start pairing again",
                ))
            }
        }
    }

    /// Withdraw the open question: it is answered "no".
    pub fn withdraw(&self) {
        let open = guard(&self.open).take();
        if let Some((id, _)) = open {
            self.tell(None, id);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Instant;

    /// What the window was told, in order.
    type Told = Arc<Mutex<Vec<Option<CodeQuestion>>>>;

    /// Questions that record what the window was told.
    fn recorded() -> (Arc<CodeQuestions>, Told) {
        let q = Arc::new(CodeQuestions::default());
        let told = Arc::new(Mutex::new(Vec::new()));
        let log = told.clone();
        q.show_with(Arc::new(move |question, _| {
            log.lock().unwrap().push(question.cloned());
        }));
        (q, told)
    }

    fn wait_for_question(told: &Mutex<Vec<Option<CodeQuestion>>>) -> CodeQuestion {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(Some(q)) = told.lock().unwrap().last() {
                return q.clone();
            }
            assert!(Instant::now() < until, "no question was shown");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn the_answer_reaches_the_asking_thread() {
        for matches in [true, false] {
            let (q, told) = recorded();
            let asker = q.clone();
            let t = std::thread::spawn(move || {
                asker.ask("123-456", Some("Laptop"), Duration::from_secs(30))
            });
            let shown = wait_for_question(&told);
            assert_eq!(shown.code, "123-456");
            assert_eq!(shown.device_name.as_deref(), Some("Laptop"));
            q.answer(shown.id, matches).unwrap();
            assert_eq!(t.join().unwrap(), matches);
            assert!(q.answer(shown.id, true).is_err(), "answered once only");
        }
    }

    #[test]
    fn no_answer_is_no_and_the_window_is_told_it_closed() {
        let (q, told) = recorded();
        assert!(!q.ask("111-222", None, Duration::from_millis(50)));
        let told = told.lock().unwrap();
        assert_eq!(told.len(), 2);
        assert_eq!(told[0].as_ref().map(|q| q.code.as_str()), Some("111-222"));
        assert_eq!(told[1], None);
        let id = told[0].as_ref().unwrap().id;
        assert!(q.answer(id, true).is_err());
    }

    #[test]
    fn a_withdrawn_question_is_no_and_a_wrong_id_changes_nothing() {
        let (q, told) = recorded();
        let asker = q.clone();
        let t = std::thread::spawn(move || asker.ask("333-444", None, Duration::from_secs(30)));
        let shown = wait_for_question(&told);
        assert!(q.answer(shown.id + 1, true).is_err());
        q.withdraw();
        assert!(!t.join().unwrap());
    }
}
