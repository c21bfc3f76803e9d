//! The desktop's own settings, stored sealed in the journal with
//! `Journal::setting` / `set_setting` (as private as an entry): preferences,
//! writing prompts and templates, crisis lines, and today's time in the app.
//! Each has defaults, so a new journal starts complete.

use crate::error::IpcResult;
use hearth_core::Journal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Setting names, namespaced so the terminal program's settings never clash.
pub const PREFERENCES: &str = "desktop.preferences";
pub const WRITING: &str = "desktop.writing";
pub const CRISIS_LINES: &str = "desktop.crisis_lines";
pub const USAGE: &str = "desktop.usage";

/// Light, dark, or whatever the system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// How the window behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Preferences {
    pub theme: Theme,
    /// Lock after this many idle minutes; 0 never locks by itself.
    pub auto_lock_minutes: u32,
    /// Offline mode as earlier versions stored it here; it lives in the
    /// core's network settings now (see [`move_offline_switch`]). Read,
    /// never written or sent to the window.
    #[serde(rename = "offline", skip_serializing)]
    #[ts(skip)]
    pub legacy_offline: bool,
    /// A daily time budget in minutes; 0 means none.
    pub daily_budget_minutes: u32,
    /// The feelings offered in the editor, one click each.
    pub feelings: Vec<String>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            auto_lock_minutes: 10,
            legacy_offline: false,
            daily_budget_minutes: 0,
            feelings: [
                "calm",
                "grateful",
                "hopeful",
                "content",
                "tired",
                "anxious",
                "sad",
                "lonely",
                "angry",
                "overwhelmed",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// A gentle writing prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Prompt {
    /// What kind of prompt: "gratitude", "reflection", "worry dump"…
    pub kind: String,
    pub text: String,
}

/// A template a new entry can start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Template {
    pub name: String,
    /// Markdown.
    pub body: String,
}

/// Prompts and templates, both editable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct WritingAids {
    pub prompts: Vec<Prompt>,
    pub templates: Vec<Template>,
}

impl Default for WritingAids {
    fn default() -> Self {
        let p = |kind: &str, text: &str| Prompt {
            kind: kind.into(),
            text: text.into(),
        };
        let t = |name: &str, body: &str| Template {
            name: name.into(),
            body: body.into(),
        };
        Self {
            prompts: vec![
                p("gratitude", "What is one small thing that went well today?"),
                p("gratitude", "Who made your day a little easier, and how?"),
                p(
                    "gratitude",
                    "What is something ordinary you would miss if it were gone?",
                ),
                p(
                    "reflection",
                    "What took most of your energy today? Was it worth it?",
                ),
                p(
                    "reflection",
                    "What would you like to remember about this week?",
                ),
                p("reflection", "What did you learn about yourself recently?"),
                p(
                    "worry dump",
                    "Write down everything on your mind, without sorting it. Nothing has to be solved tonight.",
                ),
                p(
                    "worry dump",
                    "What are you worried about? Which part of it is yours to carry?",
                ),
                p(
                    "kindness",
                    "What would you say to a friend who had the day you had?",
                ),
            ],
            templates: vec![
                t(
                    "Evening check-in",
                    "## How I feel\n\n\n## What happened\n\n\n## One good thing\n\n",
                ),
                t(
                    "Worry dump",
                    "## On my mind\n\n- \n\n## What I can do about it\n\n- \n\n## What I can let go of tonight\n\n- \n",
                ),
                t(
                    "Gratitude",
                    "Three things I am grateful for:\n\n1. \n2. \n3. \n",
                ),
            ],
        }
    }
}

/// A way to reach someone in a crisis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CrisisLine {
    /// Where it answers: a country or region.
    pub region: String,
    pub name: String,
    /// How to reach it: a number to call or text.
    pub contact: String,
    pub note: String,
}

/// The crisis lines the help page shows; editable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CrisisLines {
    pub lines: Vec<CrisisLine>,
}

impl Default for CrisisLines {
    fn default() -> Self {
        let l = |region: &str, name: &str, contact: &str, note: &str| CrisisLine {
            region: region.into(),
            name: name.into(),
            contact: contact.into(),
            note: note.into(),
        };
        Self {
            lines: vec![
                l(
                    "Anywhere",
                    "Emergency services",
                    "112 (EU and many countries), 911 (US, Canada), 999 (UK)",
                    "If you or someone else is in danger right now.",
                ),
                l(
                    "United States",
                    "988 Suicide & Crisis Lifeline",
                    "Call or text 988",
                    "Free, confidential, 24 hours.",
                ),
                l(
                    "Canada",
                    "9-8-8 Suicide Crisis Helpline",
                    "Call or text 988",
                    "24 hours, English and French.",
                ),
                l(
                    "United Kingdom and Ireland",
                    "Samaritans",
                    "116 123",
                    "Free, 24 hours, any day.",
                ),
                l("Australia", "Lifeline", "13 11 14", "24 hours."),
                l(
                    "New Zealand",
                    "Need to talk?",
                    "Call or text 1737",
                    "Free, 24 hours, a trained counsellor.",
                ),
                l(
                    "Germany",
                    "TelefonSeelsorge",
                    "0800 111 0 111 or 0800 111 0 222",
                    "Free, anonymous, 24 hours.",
                ),
                l(
                    "France",
                    "Numéro national de prévention du suicide",
                    "3114",
                    "Free, 24 hours.",
                ),
            ],
        }
    }
}

/// Time spent in the app on one local day, for the time budget.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Usage {
    /// The local date, `YYYY-MM-DD`.
    pub day: String,
    pub seconds: u32,
    /// Whether the nudge was already given that day.
    pub nudged: bool,
}

/// A setting, or its default when it was never stored.
pub fn load<T: DeserializeOwned + Default>(j: &Journal, name: &str) -> IpcResult<T> {
    Ok(j.setting::<T>(name)?.unwrap_or_default())
}

/// Store a setting.
pub fn store<T: Serialize>(j: &mut Journal, name: &str, value: &T) -> IpcResult<()> {
    Ok(j.set_setting(name, value)?)
}

/// Earlier versions kept offline mode among the desktop's preferences;
/// the node reads the core's network settings. A journal whose stored
/// preferences still say offline gets offline mode there (before its node
/// can start), and the preferences are stored again without it.
pub fn move_offline_switch(j: &mut Journal) -> IpcResult<()> {
    let p: Preferences = load(j, PREFERENCES)?;
    if !p.legacy_offline {
        return Ok(());
    }
    let mut config = j.net_config()?;
    config.offline = true;
    j.set_net_config(&config)?;
    store(j, PREFERENCES, &p)
}

impl Preferences {
    /// Refuse what the window should never send.
    pub fn check(&self) -> IpcResult<()> {
        if self.auto_lock_minutes > 24 * 60 {
            return Err(crate::error::IpcError::invalid(
                "auto-lock can wait at most 24 hours (1440 minutes)",
            ));
        }
        if self.daily_budget_minutes > 24 * 60 {
            return Err(crate::error::IpcError::invalid(
                "a daily time budget is at most 24 hours (1440 minutes)",
            ));
        }
        hearth_core::entry::normalize_words(&self.feelings, "feeling")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults_are_valid_and_complete() {
        assert!(Preferences::default().check().is_ok());
        assert!(WritingAids::default().prompts.len() >= 6);
        assert!(
            CrisisLines::default()
                .lines
                .iter()
                .all(|l| !l.contact.is_empty())
        );
    }

    #[test]
    fn missing_fields_take_defaults() {
        let p: Preferences = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
        assert_eq!(p.theme, Theme::Dark);
        assert_eq!(p.auto_lock_minutes, 10);
    }

    #[test]
    fn out_of_range_is_refused() {
        let p = Preferences {
            auto_lock_minutes: 5000,
            ..Default::default()
        };
        assert!(p.check().is_err());
    }
}
