//! Joining a circle: before anything changes, the core shows the person
//! what the circle is for, its agreements and its members (on a blocking
//! thread) and asks whether they accept them. The window shows the
//! question and the answer comes back through a command, as with the
//! pairing code (`confirm`). One question is open at a time; one nobody
//! answers counts as "decline" after [`ANSWER_TIMEOUT`], so a join never
//! hangs and never goes ahead by default.

use crate::error::{IpcError, IpcResult};
use hearth_core::circle_invite::CirclePreview;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc};
use std::time::Duration;

/// How long the question waits for the person. The inviting device waits
/// longer (hearth-sync's fifteen minutes, which the core does not export);
/// this is the pairing wait the core does export, so an unanswered
/// question is declined well before the other side gives up.
pub const ANSWER_TIMEOUT: Duration = hearth_core::network::CONFIRM_TIMEOUT;

/// What the window is told: a circle to show (its question's id and what
/// it is), or that question `id` closed (answered, timed out, withdrawn).
pub type Show = Arc<dyn Fn(Option<&CirclePreview>, u32) + Send + Sync>;

/// The open circle question, if any, and how to tell the window.
#[derive(Default)]
pub struct CircleQuestions {
    next: AtomicU32,
    open: Mutex<Option<(u32, mpsc::Sender<bool>)>>,
    show: OnceLock<Show>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl CircleQuestions {
    /// Tell the window through `show` from now on (set once).
    pub fn show_with(&self, show: Show) {
        let _ = self.show.set(show);
    }

    fn tell(&self, preview: Option<&CirclePreview>, id: u32) {
        if let Some(show) = self.show.get() {
            show(preview, id);
        }
    }

    /// Ask whether the person accepts `preview`'s agreements and joins;
    /// wait up to `timeout`. False when nobody answers, or when a newer
    /// question replaces this one. Blocks the calling thread.
    pub fn ask(&self, preview: &CirclePreview, timeout: Duration) -> bool {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let (answer, answered) = mpsc::channel();
        let replaced = guard(&self.open).replace((id, answer));
        if let Some((old, _)) = replaced {
            self.tell(None, old);
        }
        self.tell(Some(preview), id);
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
    pub fn answer(&self, id: u32, accept: bool) -> IpcResult<()> {
        let mut open = guard(&self.open);
        match open.take() {
            Some((i, answer)) if i == id => {
                drop(open);
                // The asking thread may have just given up; nothing to do then.
                let _ = answer.send(accept);
                Ok(())
            }
            other => {
                *open = other;
                Err(IpcError::invalid(
                    "this invitation is no longer waiting for an answer (it timed out or the journal locked); nothing was changed: join again",
                ))
            }
        }
    }

    /// Withdraw the open question: it is answered "decline".
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

    /// What the window was told, in order: (id, preview or closed).
    pub(crate) type Told = Arc<Mutex<Vec<(u32, Option<CirclePreview>)>>>;

    pub(crate) fn preview() -> CirclePreview {
        CirclePreview {
            id: "ab".repeat(16),
            name: "Sunday walkers".into(),
            about: "Walking on Sundays.".into(),
            agreements: "What is said here stays here.".into(),
            invited_by: "Fern".into(),
            members: vec!["Fern".into(), "Ash".into()],
        }
    }

    /// Questions that record what the window was told.
    pub(crate) fn recorded() -> (Arc<CircleQuestions>, Told) {
        let q = Arc::new(CircleQuestions::default());
        let told: Told = Arc::new(Mutex::new(Vec::new()));
        let log = told.clone();
        q.show_with(Arc::new(move |p, id| {
            log.lock().unwrap().push((id, p.cloned()));
        }));
        (q, told)
    }

    pub(crate) fn wait_for_question(told: &Told) -> (u32, CirclePreview) {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some((id, Some(p))) = told.lock().unwrap().last() {
                return (*id, p.clone());
            }
            assert!(Instant::now() < until, "no question was shown");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn the_answer_reaches_the_asking_thread() {
        for accept in [true, false] {
            let (q, told) = recorded();
            let asker = q.clone();
            let t = std::thread::spawn(move || asker.ask(&preview(), Duration::from_secs(30)));
            let (id, shown) = wait_for_question(&told);
            assert_eq!(shown, preview());
            q.answer(id, accept).unwrap();
            assert_eq!(t.join().unwrap(), accept);
            assert!(q.answer(id, true).is_err(), "answered once only");
        }
    }

    #[test]
    fn no_answer_declines_and_the_window_is_told_it_closed() {
        let (q, told) = recorded();
        assert!(!q.ask(&preview(), Duration::from_millis(50)));
        let told = told.lock().unwrap();
        assert_eq!(told.len(), 2);
        assert_eq!(told[0].1.as_ref(), Some(&preview()));
        assert_eq!(told[1], (told[0].0, None));
        let e = q.answer(told[0].0, true).unwrap_err();
        assert!(e.message.contains("nothing was changed"), "{}", e.message);
    }

    #[test]
    fn a_withdrawn_question_declines_and_a_wrong_id_changes_nothing() {
        let (q, told) = recorded();
        let asker = q.clone();
        let t = std::thread::spawn(move || asker.ask(&preview(), Duration::from_secs(30)));
        let (id, _) = wait_for_question(&told);
        assert!(q.answer(id + 1, true).is_err());
        q.withdraw();
        assert!(!t.join().unwrap());
    }
}
