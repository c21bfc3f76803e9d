//! Comparing a pairing code. The core asks, on a blocking thread, whether
//! the code the other device shows is the one shown here; the window shows
//! the question and the person's answer comes back through a command. The
//! waiting is [`Questions`]': one question is open at a time, and one
//! nobody answers counts as "no" after as long as the other device waits
//! (hearth-sync's five minutes), so a pairing never hangs and never goes
//! ahead by default.

use crate::question::{Question, Questions};
use serde::Serialize;
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

impl Question for CodeQuestion {
    const NO_LONGER_OPEN: &'static str = "this code is no longer waiting for an answer (it timed out or pairing stopped): start pairing again";
}

/// The open code question, if any, and how to tell the window.
pub type CodeQuestions = Questions<CodeQuestion>;

impl CodeQuestions {
    /// Ask whether `code` matches and wait up to `timeout` for the answer;
    /// false when nobody answers, or when a newer question replaces this
    /// one. Blocks the calling thread.
    pub fn ask_code(&self, code: &str, device_name: Option<&str>, timeout: Duration) -> bool {
        self.ask(
            |id| CodeQuestion {
                id,
                code: code.to_string(),
                device_name: device_name.map(str::to_string),
            },
            timeout,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::question::tests::{recorded, wait_for_question};

    #[test]
    fn the_code_is_shown_with_its_id_and_a_late_answer_says_start_again() {
        let (q, told) = recorded::<CodeQuestion>();
        let asker = q.clone();
        let t = std::thread::spawn(move || {
            asker.ask_code("123-456", Some("Laptop"), Duration::from_secs(30))
        });
        let (id, shown) = wait_for_question(&told);
        assert_eq!(
            shown,
            CodeQuestion {
                id,
                code: "123-456".into(),
                device_name: Some("Laptop".into()),
            }
        );
        q.answer(id, true).unwrap();
        assert!(t.join().unwrap());
        let e = q.answer(id, true).unwrap_err();
        assert!(e.message.contains("start pairing again"), "{}", e.message);
    }
}
