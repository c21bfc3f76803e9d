//! What a member tells their circles without sharing an entry: that they
//! are taking a break (an away note, to every circle they are in, so no one
//! worries), and a report about a shared entry or reply, which only the
//! circle's admins can read.
//!
//! - An **away note** is an op of kind [`KIND_AWAY`] in each circle's
//!   [`AWAY_DOC`]: `{"v": 1, "at", "until": Unix ms or null (back), "note"}`.
//!   A member's latest note (by `at`) stands until its `until` passes.
//! - A **report** is an op of kind [`KIND_REPORT`] in [`REPORTS_DOC`]: its
//!   content (what is reported, why) sealed under a fresh key, and that key
//!   wrapped with HPKE to each device of the circle's admins. The other
//!   members' devices carry it without being able to read it; they can see
//!   that its author sent a report, not what it says.

use crate::circle_moderation::CircleState;
use crate::circles::{Circle, MEMBERSHIP_DOC};
use crate::journal::Journal;
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_crypto::statement::CircleId;
use hearth_crypto::wrap::{unwrap_key, wrap_key};
use hearth_crypto::{SymmetricKey, aead};
use hearth_store::{DocId, OpRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An op carrying a report for the circle's admins (circle scope).
pub(crate) const KIND_REPORT: u8 = 10;
/// An op carrying an away note (circle scope).
pub(crate) const KIND_AWAY: u8 = 11;
/// A circle scope's document of reports.
pub(crate) const REPORTS_DOC: DocId = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
/// A circle scope's document of away notes.
pub(crate) const AWAY_DOC: DocId = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3];

/// The longest away note, in bytes.
pub const NOTE_MAX: usize = 200;
/// The longest reason for a report, in bytes.
pub const REASON_MAX: usize = 2_000;

/// An away note as a kind-11 op carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AwayRecord {
    pub v: u8,
    pub at: i64,
    pub until: Option<i64>,
    pub note: Option<String>,
}

impl AwayRecord {
    pub(crate) fn decode(plain: &[u8]) -> Option<Self> {
        let a: Self = serde_json::from_slice(plain).ok()?;
        (a.v == 1 && a.note.as_ref().is_none_or(|n| n.len() <= NOTE_MAX)).then_some(a)
    }
}

/// A report as a kind-10 op carries it: the content sealed, its key
/// wrapped to each admin device (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReportRecord {
    pub v: u8,
    pub wraps: BTreeMap<String, String>,
    pub sealed: String,
}

impl ReportRecord {
    pub(crate) fn decode(plain: &[u8]) -> Option<Self> {
        let r: Self = serde_json::from_slice(plain).ok()?;
        let ok = r.v == 1
            && !r.wraps.is_empty()
            && r.wraps.len() <= 64
            && r.sealed.len() <= 4 * REASON_MAX + 1_000;
        ok.then_some(r)
    }
}

/// What a report says, sealed for the admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ReportContent {
    /// The shared entry's or reply's id.
    item: String,
    /// "entry" or "reply".
    what: String,
    /// Whose it is, as they appear to the circle.
    about: String,
    /// Its title or text, so the admins see what was reported.
    excerpt: String,
    reason: String,
    at: i64,
}

/// A member taking a break, as the circle shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Away {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub until: DateTime<Utc>,
    pub note: Option<String>,
}

/// A report, as an admin reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// Who reported, as they appear to the circle.
    pub from: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: DateTime<Utc>,
    /// What was reported: "entry" or "reply", its id, whose it is and an
    /// excerpt.
    pub what: String,
    pub item: String,
    pub about: String,
    pub excerpt: String,
    pub reason: String,
}

fn report_context(circle: &CircleId) -> Vec<u8> {
    let mut c = b"hearth/circle-report/v1".to_vec();
    c.extend_from_slice(circle);
    c
}

/// Whether a kind-10 or kind-11 op holds what it must, in its document.
pub(crate) fn well_formed(op: &OpRecord, plain: &[u8]) -> bool {
    match op.kind {
        KIND_REPORT => op.doc == REPORTS_DOC && ReportRecord::decode(plain).is_some(),
        KIND_AWAY => op.doc == AWAY_DOC && AwayRecord::decode(plain).is_some(),
        _ => false,
    }
}

impl Journal {
    /// Tell every circle this person is in that they are taking a break
    /// until `until` (with a note), or, with `until` = `None`, that they
    /// are back. Returns the circles' names.
    pub fn set_away(
        &mut self,
        until: Option<DateTime<Utc>>,
        note: Option<&str>,
    ) -> Result<Vec<String>> {
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if let Some(n) = &note
            && (n.len() > NOTE_MAX || n.contains('\n'))
        {
            return Err(CoreError::invalid(format!(
                "an away note is one line of at most {NOTE_MAX} bytes; nothing was changed"
            )));
        }
        if until.is_some_and(|u| u <= Utc::now()) {
            return Err(CoreError::invalid(
                "that date has passed: give one still to come (e.g. 2027-01-10); nothing was changed",
            ));
        }
        let record = AwayRecord {
            v: 1,
            at: Utc::now().timestamp_millis(),
            until: until.map(|u| u.timestamp_millis()),
            note,
        };
        let plain = serde_json::to_vec(&record).map_err(|e| CoreError::invalid(e.to_string()))?;
        let me = self.secrets.user.identity_public();
        let mut told = Vec::new();
        for id in self.circle_ids()? {
            let circle = self.load_circle(&id)?;
            let Some(m) = circle.membership.as_ref().filter(|m| m.is_member(&me)) else {
                continue;
            };
            told.push(m.charter.name.clone());
            self.append_in_circle(&circle, &AWAY_DOC, KIND_AWAY, &plain)?;
        }
        Ok(told)
    }

    /// Each member's away note that still stands, by identity.
    pub(crate) fn away_notes(&self, circle: &Circle) -> Result<BTreeMap<[u8; 32], Away>> {
        let tx = self.store.read();
        let ops = tx.ops_for_doc(&circle.id, &MEMBERSHIP_DOC)?;
        let Some(state) = CircleState::read(&circle.id, &ops, &circle.keys) else {
            return Ok(BTreeMap::new());
        };
        let identity_of: BTreeMap<[u8; 32], [u8; 32]> =
            state.certs.iter().map(|c| (c.device, c.identity)).collect();
        let mut latest: BTreeMap<[u8; 32], AwayRecord> = BTreeMap::new();
        for op in tx.ops_for_doc(&circle.id, &AWAY_DOC)? {
            let Some(a) = crate::circles::open_circle_op(&op, &circle.keys)
                .and_then(|p| AwayRecord::decode(&p))
            else {
                continue;
            };
            let Some(who) = identity_of.get(&op.author) else {
                continue;
            };
            if latest.get(who).is_none_or(|l| a.at > l.at) {
                latest.insert(*who, a);
            }
        }
        let now = Utc::now().timestamp_millis();
        Ok(latest
            .into_iter()
            .filter_map(|(who, a)| {
                let until = a.until.filter(|u| *u > now)?;
                Some((
                    who,
                    Away {
                        until: DateTime::from_timestamp_millis(until).unwrap_or_default(),
                        note: a.note,
                    },
                ))
            })
            .collect())
    }

    /// Tell a circle's admins, and only them, about a shared entry or a
    /// reply (by its id, as the feed shows it), and why.
    pub fn report(&mut self, circle: &str, item: &str, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > REASON_MAX {
            return Err(CoreError::invalid(format!(
                "say why you report it, in at most {REASON_MAX} bytes (--reason); nothing was sent"
            )));
        }
        let id = self.find_circle(circle)?;
        let feed = self.shared_in(&id)?;
        let wanted = item.trim().to_ascii_lowercase();
        let mut found = Vec::new();
        for e in &feed {
            if wanted.len() >= 4 && e.id.starts_with(&wanted) {
                found.push(("entry", e.id.clone(), e.author.clone(), e.title.clone()));
            }
            for r in &e.replies {
                if wanted.len() >= 4 && r.id.starts_with(&wanted) {
                    let said = r.text.clone().or(r.support.map(|s| s.words().to_string()));
                    found.push((
                        "reply",
                        r.id.clone(),
                        r.author.clone(),
                        said.unwrap_or_default(),
                    ));
                }
            }
        }
        let (what, item, about, excerpt) = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(CoreError::invalid(format!(
                    "nothing shared in this circle has the id {item:?}: `hearth circle feed CIRCLE --all --json` shows the ids of entries and replies; nothing was sent"
                )));
            }
            _ => {
                return Err(CoreError::invalid(format!(
                    "{item:?} names more than one entry or reply: give more of its id; nothing was sent"
                )));
            }
        };
        let loaded = self.circle_to_write(&hex::encode(id))?;
        let ops = self.store.read().ops_for_doc(&id, &MEMBERSHIP_DOC)?;
        let state = CircleState::read(&id, &ops, &loaded.keys)
            .ok_or_else(|| CoreError::invalid("the circle has not arrived whole on this device"))?;
        let admins: Vec<([u8; 32], [u8; 32])> = state
            .certs
            .iter()
            .filter(|c| state.membership.is_admin(&c.identity))
            .map(|c| (c.device, c.agreement))
            .collect();
        let content = ReportContent {
            item,
            what: what.to_string(),
            about,
            excerpt: excerpt.chars().take(300).collect(),
            reason: reason.to_string(),
            at: Utc::now().timestamp_millis(),
        };
        let key = SymmetricKey::random();
        let context = report_context(&id);
        let plain = serde_json::to_vec(&content).map_err(|e| CoreError::invalid(e.to_string()))?;
        let mut wraps = BTreeMap::new();
        for (device, agreement) in admins {
            wraps.insert(
                hex::encode(device),
                hex::encode(wrap_key(&agreement, &context, &device, &key)?),
            );
        }
        let record = ReportRecord {
            v: 1,
            wraps,
            sealed: hex::encode(aead::seal(&key, &context, &plain)),
        };
        let plain = serde_json::to_vec(&record).map_err(|e| CoreError::invalid(e.to_string()))?;
        self.append_in_circle(&loaded, &REPORTS_DOC, KIND_REPORT, &plain)?;
        tracing::info!("reported something to a circle's admins");
        Ok(())
    }

    /// The reports this device can open (it is an admin's, and was one when
    /// the report was made), newest first.
    pub fn circle_reports(&self, circle: &str) -> Result<Vec<Report>> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let me = self.secrets.user.identity_public();
        if !loaded.membership.as_ref().is_some_and(|m| m.is_admin(&me)) {
            return Err(CoreError::invalid(
                "only a circle's admins read its reports, and you are not one",
            ));
        }
        let tx = self.store.read();
        let ops = tx.ops_for_doc(&id, &MEMBERSHIP_DOC)?;
        let Some(state) = CircleState::read(&id, &ops, &loaded.keys) else {
            return Ok(Vec::new());
        };
        let device = *self.device_key().public().as_bytes();
        let context = report_context(&id);
        let mut out = Vec::new();
        for op in tx.ops_for_doc(&id, &REPORTS_DOC)? {
            let Some(r) = crate::circles::open_circle_op(&op, &loaded.keys)
                .and_then(|p| ReportRecord::decode(&p))
            else {
                continue;
            };
            let Some(wrapped) = r
                .wraps
                .get(&hex::encode(device))
                .and_then(|w| hex::decode(w).ok())
            else {
                continue;
            };
            let Ok(key) = unwrap_key(&self.secrets.device.agreement, &context, &device, &wrapped)
            else {
                continue;
            };
            let Some(content) = hex::decode(&r.sealed)
                .ok()
                .and_then(|s| aead::open(&key, &context, &s).ok())
                .and_then(|p| serde_json::from_slice::<ReportContent>(&p).ok())
            else {
                continue;
            };
            let from = state
                .certs
                .iter()
                .find(|c| c.device == op.author)
                .and_then(|c| state.membership.members.get(&c.identity))
                .map_or_else(|| "someone who left".to_string(), |m| m.name.clone());
            out.push(Report {
                from,
                at: DateTime::from_timestamp_millis(content.at).unwrap_or_default(),
                what: content.what,
                item: content.item,
                about: content.about,
                excerpt: content.excerpt,
                reason: content.reason,
            });
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.at));
        Ok(out)
    }
}
