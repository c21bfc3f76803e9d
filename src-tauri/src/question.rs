//! A yes-or-no question the core asks the person from a blocking thread
//! and the window answers through a command. Comparing a pairing code
//! ([`confirm`](crate::confirm)) and accepting a circle's agreements
//! ([`circle_ask`](crate::circle_ask)) both work this way, so the waiting
//! lives here once: one question is open at a time (a newer one replaces
//! it, answered "no"); one nobody answers counts as "no" after a timeout,
//! so nothing hangs and nothing goes ahead by default; an answer to a
//! question no longer open is refused with what its kind says to do next.

use crate::error::{IpcError, IpcResult};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc};
use std::time::Duration;

/// What the window is shown for one kind of question.
pub trait Question {
    /// Why an answer to a question no longer open is refused, and what
    /// to do instead.
    const NO_LONGER_OPEN: &'static str;
}

/// What the window is told: question `id` to show, or that question `id`
/// closed (answered, timed out, replaced or withdrawn).
pub type Show<Q> = Arc<dyn Fn(Option<&Q>, u32) + Send + Sync>;

/// The open question, if any, and how to tell the window.
pub struct Questions<Q> {
    next: AtomicU32,
    open: Mutex<Option<(u32, mpsc::Sender<bool>)>>,
    show: OnceLock<Show<Q>>,
}

impl<Q> Default for Questions<Q> {
    fn default() -> Self {
        Self {
            next: AtomicU32::new(0),
            open: Mutex::new(None),
            show: OnceLock::new(),
        }
    }
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing is left half-changed under these locks, so a poisoned one is
    // still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<Q: Question> Questions<Q> {
    /// Tell the window through `show` from now on (set once).
    pub fn show_with(&self, show: Show<Q>) {
        let _ = self.show.set(show);
    }

    fn tell(&self, question: Option<&Q>, id: u32) {
        if let Some(show) = self.show.get() {
            show(question, id);
        }
    }

    /// Show the question `question` builds from its id and wait up to
    /// `timeout` for the answer; false when nobody answers, when it is
    /// withdrawn, or when a newer question replaces it. Blocks the calling
    /// thread.
    pub fn ask(&self, question: impl FnOnce(u32) -> Q, timeout: Duration) -> bool {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let (answer, answered) = mpsc::channel();
        let replaced = guard(&self.open).replace((id, answer));
        if let Some((old, its_answer)) = replaced {
            // Its asking thread hears "no" now, not when this one ends.
            drop(its_answer);
            self.tell(None, old);
        }
        self.tell(Some(&question(id)), id);
        let yes = answered.recv_timeout(timeout).unwrap_or(false);
        let mut open = guard(&self.open);
        if open.as_ref().is_some_and(|(i, _)| *i == id) {
            *open = None;
            drop(open);
            self.tell(None, id);
        }
        yes
    }

    /// The person's answer to question `id`; refused with
    /// [`Question::NO_LONGER_OPEN`] when it is not the open one.
    pub fn answer(&self, id: u32, yes: bool) -> IpcResult<()> {
        let mut open = guard(&self.open);
        match open.take() {
            Some((i, answer)) if i == id => {
                drop(open);
                // The asking thread may have just given up; nothing to do then.
                let _ = answer.send(yes);
                Ok(())
            }
            other => {
                *open = other;
                Err(IpcError::invalid(Q::NO_LONGER_OPEN))
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
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Instant;

    /// What the window was told, in order: (id, question or closed).
    pub(crate) type Told<Q> = Arc<Mutex<Vec<(u32, Option<Q>)>>>;

    /// Questions that record what the window was told.
    pub(crate) fn recorded<Q: Question + Clone + Send + 'static>() -> (Arc<Questions<Q>>, Told<Q>) {
        let q = Arc::new(Questions::default());
        let told: Told<Q> = Arc::new(Mutex::new(Vec::new()));
        let log = told.clone();
        q.show_with(Arc::new(move |question: Option<&Q>, id| {
            log.lock().unwrap().push((id, question.cloned()));
        }));
        (q, told)
    }

    /// The question shown last, once there is one.
    pub(crate) fn wait_for_question<Q: Clone>(told: &Told<Q>) -> (u32, Q) {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some((id, Some(q))) = told.lock().unwrap().last() {
                return (*id, q.clone());
            }
            assert!(Instant::now() < until, "no question was shown");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// A question that is only its id.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Asked(u32);

    impl Question for Asked {
        const NO_LONGER_OPEN: &'static str = "too late";
    }

    #[test]
    fn the_answer_reaches_the_asking_thread() {
        for yes in [true, false] {
            let (q, told) = recorded();
            let asker = q.clone();
            let t = std::thread::spawn(move || asker.ask(Asked, Duration::from_secs(30)));
            let (id, shown) = wait_for_question(&told);
            assert_eq!(shown, Asked(id), "built from its own id");
            q.answer(id, yes).unwrap();
            assert_eq!(t.join().unwrap(), yes);
            let e = q.answer(id, true).unwrap_err();
            assert_eq!(e.message, "too late", "answered once only");
        }
    }

    #[test]
    fn no_answer_is_no_and_the_window_is_told_it_closed() {
        let (q, told) = recorded();
        assert!(!q.ask(Asked, Duration::from_millis(50)));
        let told = told.lock().unwrap();
        assert_eq!(told.len(), 2);
        let id = told[0].0;
        assert_eq!(told[0].1, Some(Asked(id)));
        assert_eq!(told[1], (id, None));
        assert!(q.answer(id, true).is_err());
    }

    #[test]
    fn a_withdrawn_question_is_no_and_a_wrong_id_changes_nothing() {
        let (q, told) = recorded();
        let asker = q.clone();
        let t = std::thread::spawn(move || asker.ask(Asked, Duration::from_secs(30)));
        let (id, _) = wait_for_question(&told);
        assert!(q.answer(id + 1, true).is_err());
        q.withdraw();
        assert!(!t.join().unwrap());
        assert_eq!(told.lock().unwrap().last(), Some(&(id, None)));
    }

    #[test]
    fn a_newer_question_replaces_the_open_one_which_is_no() {
        let (q, told) = recorded();
        let asker = q.clone();
        let first = std::thread::spawn(move || asker.ask(Asked, Duration::from_secs(30)));
        let (one, _) = wait_for_question(&told);
        let asker = q.clone();
        let replaced = Instant::now();
        let second = std::thread::spawn(move || asker.ask(Asked, Duration::from_secs(30)));
        assert!(!first.join().unwrap());
        assert!(
            replaced.elapsed() < Duration::from_secs(10),
            "told \"no\" when replaced, not at its timeout"
        );
        // The newer question is shown once the older one was closed.
        let until = Instant::now() + Duration::from_secs(10);
        let two = loop {
            if let Some((id, Some(_))) = told.lock().unwrap().last()
                && *id != one
            {
                break *id;
            }
            assert!(Instant::now() < until, "the newer question was not shown");
            std::thread::sleep(Duration::from_millis(5));
        };
        assert!(told.lock().unwrap().contains(&(one, None)));
        assert!(q.answer(one, true).is_err());
        q.answer(two, true).unwrap();
        assert!(second.join().unwrap());
    }
}
