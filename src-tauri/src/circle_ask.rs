//! Joining a circle: before anything changes, the core shows the person
//! what the circle is for, its agreements and its members (on a blocking
//! thread) and asks whether they accept them. The window shows the
//! question and the answer comes back through a command; the waiting is
//! [`Questions`]', as with the pairing code (`confirm`). One question is
//! open at a time; one nobody answers counts as "decline" after
//! [`ANSWER_TIMEOUT`], so a join never hangs and never goes ahead by
//! default.

use crate::question::{Question, Questions};
use hearth_core::circle_invite::CirclePreview;
use std::time::Duration;

/// How long the question waits for the person: what the inviting device
/// waits (hearth-sync's fifteen minutes), so an unanswered question is
/// declined by the time the other side gives up.
pub const ANSWER_TIMEOUT: Duration = hearth_core::circle_invite::DECIDE_TIMEOUT;

impl Question for CirclePreview {
    const NO_LONGER_OPEN: &'static str = "this invitation is no longer waiting for an answer (it timed out or the journal locked); nothing was changed: join again";
}

/// The open circle question, if any, and how to tell the window: a
/// circle to show (its question's id and what it is), or that question
/// `id` closed.
pub type CircleQuestions = Questions<CirclePreview>;

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::question::tests::{recorded, wait_for_question};

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

    #[test]
    fn the_circle_is_shown_and_a_late_answer_says_nothing_changed() {
        let (q, told) = recorded::<CirclePreview>();
        let asker = q.clone();
        let t = std::thread::spawn(move || asker.ask(|_| preview(), Duration::from_secs(30)));
        let (id, shown) = wait_for_question(&told);
        assert_eq!(shown, preview());
        q.answer(id, false).unwrap();
        assert!(!t.join().unwrap());
        let e = q.answer(id, true).unwrap_err();
        assert!(e.message.contains("nothing was changed"), "{}", e.message);
    }

    #[test]
    fn the_person_has_as_long_as_the_inviting_device_waits() {
        assert_eq!(ANSWER_TIMEOUT, Duration::from_secs(15 * 60));
    }
}
