//! Sharing chosen entries with a circle, and answering them.
//!
//! Nothing is shared by default. Sharing an entry writes a **version** of
//! it (an op of kind [`KIND_SHARE`] in the circle's scope: its title,
//! body, tags, mood, feelings and an optional content warning) into a
//! document only its author can write: the document's id is derived from
//! the circle, the author's identity and the entry
//! ([`shared_doc`]), and every device checks that a version's signer is a
//! device of that identity. Each later edit of the entry on any of the
//! author's devices writes a new version; unsharing writes one marked
//! unshared, with no content. What members already received stays with
//! them.
//!
//! A **reply** is an op of kind [`KIND_REPLY`] in the entry's thread, a
//! document per (circle, shared entry) ([`thread_doc`]), so two circles
//! never see each other's replies: words, or one of a fixed set of
//! supportive responses. Replies name their author by the device that
//! signed them; there are no counts, likes or read receipts.
//!
//! The **feed** is what changed in a circle since this device last showed
//! it (a local setting holding the circle's version vector at that visit),
//! newest first, and then says there is nothing more.

use crate::attachments::{ATTACHMENTS_PER_ENTRY, Attachment};
use crate::circles::{Circle, MEMBERSHIP_DOC, open_circle_op};
use crate::entry::{BODY_MAX, EntryId, TITLE_MAX};
use crate::journal::Journal;
use crate::oplog::{self, Writer};
use crate::{CoreError, Entry, Result};
use chrono::{DateTime, Utc};
use hearth_crypto::statement::CircleId;
use hearth_store::{DocId, OpRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An op carrying one version of a shared entry (circle scope).
pub(crate) const KIND_SHARE: u8 = 9;
/// An op carrying one reply to a shared entry (circle scope).
pub(crate) const KIND_REPLY: u8 = 8;

/// The longest content warning, in bytes.
pub const WARNING_MAX: usize = 100;
/// The longest reply, in bytes.
pub const REPLY_MAX: usize = 4_000;

/// A supportive response: a reply without words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    HearYou,
    ThinkingOfYou,
    HereForYou,
    ProudOfYou,
}

impl Support {
    pub const ALL: [Support; 4] = [
        Support::HearYou,
        Support::ThinkingOfYou,
        Support::HereForYou,
        Support::ProudOfYou,
    ];

    /// Its name as typed: `hear-you`.
    pub fn name(self) -> &'static str {
        match self {
            Support::HearYou => "hear-you",
            Support::ThinkingOfYou => "thinking-of-you",
            Support::HereForYou => "here-for-you",
            Support::ProudOfYou => "proud-of-you",
        }
    }

    /// How it reads: "I hear you".
    pub fn words(self) -> &'static str {
        match self {
            Support::HearYou => "I hear you",
            Support::ThinkingOfYou => "Thinking of you",
            Support::HereForYou => "Here if you need me",
            Support::ProudOfYou => "Proud of you",
        }
    }

    /// Read a response by its name, with an error listing them.
    pub fn parse(name: &str) -> Result<Self> {
        let wanted = name.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.name() == wanted)
            .ok_or_else(|| {
                CoreError::invalid(format!(
                    "{name:?} is not a supportive response: give one of {}",
                    Self::ALL.map(Support::name).join(", ")
                ))
            })
    }
}

/// One version of a shared entry, as a kind-9 op carries it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Version {
    pub v: u8,
    /// The author's identity, 64 hex digits.
    pub identity: String,
    /// The entry's id in the author's journal, 32 hex digits.
    pub entry: String,
    /// When the entry was written (its own date), Unix milliseconds.
    pub written_at: i64,
    /// When this version was made, Unix milliseconds.
    pub at: i64,
    pub unshared: bool,
    pub warning: Option<String>,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    /// The entry's photos and files, described as its document describes
    /// them; members fetch the bytes from the author's devices (or each
    /// other's) over `hearth/files/1`. Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// One reply, as a kind-8 op carries it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReplyRecord {
    pub v: u8,
    /// The shared entry's document, 32 hex digits.
    pub entry: String,
    /// Unix milliseconds.
    pub at: i64,
    pub text: Option<String>,
    pub support: Option<Support>,
}

/// The document of `identity`'s entry `entry` shared in `circle`.
pub(crate) fn shared_doc(circle: &CircleId, identity: &[u8; 32], entry: &[u8; 16]) -> DocId {
    let h = hearth_crypto::hash(&[b"hearth/shared-entry/v1", circle, identity, entry]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&h[..16]);
    id
}

/// The thread of replies to the shared entry `doc` in `circle`.
pub(crate) fn thread_doc(circle: &CircleId, doc: &DocId) -> DocId {
    let h = hearth_crypto::hash(&[b"hearth/thread/v1", circle, doc]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&h[..16]);
    id
}

impl Version {
    pub(crate) fn decode(plain: &[u8]) -> Option<Self> {
        let v: Self = serde_json::from_slice(plain).ok()?;
        v.check().ok()?;
        Some(v)
    }

    fn check(&self) -> std::result::Result<(), &'static str> {
        if self.v != 1 || self.identity.len() != 64 || self.entry.len() != 32 {
            return Err("an unknown layout");
        }
        if self.body.len() > BODY_MAX || self.title.len() > TITLE_MAX {
            return Err("text over the limits");
        }
        if self.warning.as_ref().is_some_and(|w| w.len() > WARNING_MAX)
            || self.mood.is_some_and(|m| !(1..=5).contains(&m))
            || self.tags.len() > 100
            || self.feelings.len() > 100
            || self.attachments.len() > ATTACHMENTS_PER_ENTRY
            || !self.attachments.iter().all(Attachment::well_formed)
        {
            return Err("a field over its limits");
        }
        if self.unshared
            && !(self.body.is_empty() && self.title.is_empty() && self.attachments.is_empty())
        {
            return Err("an unshared entry that still has content");
        }
        Ok(())
    }

    /// The document this version must be in.
    pub(crate) fn doc(&self, circle: &CircleId) -> Option<DocId> {
        let mut identity = [0u8; 32];
        let mut entry = [0u8; 16];
        hex::decode_to_slice(&self.identity, &mut identity).ok()?;
        hex::decode_to_slice(&self.entry, &mut entry).ok()?;
        Some(shared_doc(circle, &identity, &entry))
    }
}

impl ReplyRecord {
    pub(crate) fn decode(plain: &[u8]) -> Option<Self> {
        let r: Self = serde_json::from_slice(plain).ok()?;
        let text_ok = r
            .text
            .as_ref()
            .is_some_and(|t| !t.trim().is_empty() && t.len() <= REPLY_MAX);
        let ok = r.v == 1 && r.entry.len() == 32 && (text_ok != r.support.is_some());
        ok.then_some(r)
    }

    /// The thread this reply must be in.
    pub(crate) fn doc(&self, circle: &CircleId) -> Option<DocId> {
        let mut entry = [0u8; 16];
        hex::decode_to_slice(&self.entry, &mut entry).ok()?;
        Some(thread_doc(circle, &entry))
    }
}

/// A reply, as the person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reply {
    /// What `hearth circle report` takes: 16 hex digits.
    pub id: String,
    /// How its author appears to the circle.
    pub author: String,
    /// Whether the person this journal belongs to wrote it.
    pub you: bool,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: DateTime<Utc>,
    pub text: Option<String>,
    pub support: Option<Support>,
}

/// An entry shared with a circle, as its members read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SharedEntry {
    /// What `hearth reply` and `hearth circle read` take: 32 hex digits.
    pub id: String,
    /// The circle's id.
    pub circle: String,
    /// How its author appears to the circle.
    pub author: String,
    /// Whether the person this journal belongs to shared it.
    pub you: bool,
    /// The entry's id in your journal, when it is yours.
    pub entry: Option<String>,
    pub title: String,
    /// `None` in the feed when the entry carries a content warning: it is
    /// opened on purpose (`hearth circle read`).
    pub body: Option<String>,
    pub warning: Option<String>,
    pub tags: Vec<String>,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    /// Its photos and files (empty while a content warning hides the
    /// body).
    pub attachments: Vec<Attachment>,
    /// The ids of those whose bytes are not on this device yet: they come
    /// from the author's devices, or another member's, with a sync.
    pub arriving: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub written_at: DateTime<Utc>,
    /// When its latest version was shared.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub shared_at: DateTime<Utc>,
    /// Whether it, or a reply to it, arrived since the last visit.
    pub new: bool,
    /// Oldest first.
    pub replies: Vec<Reply>,
}

/// What `hearth circle feed` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CircleFeed {
    pub circle: String,
    pub name: String,
    /// Newest activity first.
    pub entries: Vec<SharedEntry>,
    /// Whether these are only what is new since the last visit.
    pub only_new: bool,
}

/// A shared entry and its thread as the store holds them.
struct Gathered {
    doc: DocId,
    author: [u8; 32],
    latest: Version,
    /// The ops of its versions and replies, for "new since".
    places: Vec<([u8; 32], u64)>,
    /// Each reply, its author and its op's hash.
    replies: Vec<(ReplyRecord, [u8; 32], [u8; 32])>,
}

fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn mute_setting(circle: &CircleId) -> String {
    format!("circle.muted.{}", hex::encode(circle))
}

fn visit_setting(circle: &CircleId) -> String {
    format!("circle.visit.{}", hex::encode(circle))
}

impl Journal {
    /// The circle named, for writing in, when this person is a member.
    pub(crate) fn circle_to_write(&self, circle: &str) -> Result<Circle> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let me = self.secrets.user.identity_public();
        let name = loaded.membership.as_ref().map(|m| m.charter.name.clone());
        if !loaded.membership.as_ref().is_some_and(|m| m.is_member(&me)) {
            return Err(CoreError::invalid(format!(
                "you are not a member of {}: nothing was changed",
                name.map_or_else(
                    || "this circle (it has not arrived whole yet)".to_string(),
                    |n| format!("{n:?}")
                )
            )));
        }
        Ok(loaded)
    }

    /// Append one op of this device in a circle, in the epoch it writes in.
    pub(crate) fn append_in_circle(
        &mut self,
        circle: &Circle,
        doc: &DocId,
        kind: u8,
        plain: &[u8],
    ) -> Result<()> {
        let epoch = circle.epoch();
        let key = circle
            .keys
            .get(&epoch)
            .cloned()
            .ok_or_else(|| CoreError::invalid("this device holds no key of the circle"))?;
        let device = self.device_key().clone();
        let writer = Writer {
            scope: circle.id,
            epoch,
            key: &key,
            device: &device,
        };
        self.store
            .write(|tx| oplog::append(tx, &writer, doc, kind, plain))
    }

    /// The latest version of this person's entry `entry` in `circle`, if
    /// it was ever shared there.
    /// Reads only that entry's document, with the circle's keys: no
    /// membership is worked out, so an edit of an entry shared nowhere
    /// costs one indexed query per circle.
    fn my_latest(
        &self,
        circle: &CircleId,
        keys: &BTreeMap<u32, hearth_crypto::SymmetricKey>,
        entry: &[u8; 16],
    ) -> Result<Option<Version>> {
        let me = self.secrets.user.identity_public();
        let doc = shared_doc(circle, &me, entry);
        let ops = self.store.read().ops_for_doc(circle, &doc)?;
        Ok(latest(ops.iter().filter_map(|op| {
            open_circle_op(op, keys).and_then(|p| Version::decode(&p))
        })))
    }

    /// `entry`'s latest version in each circle it is shared with now (not
    /// unshared) whose member this person is.
    fn shared_now(&self, entry: &[u8; 16]) -> Result<Vec<(Circle, Version)>> {
        let me = self.secrets.user.identity_public();
        let mut out = Vec::new();
        for id in self.circle_ids()? {
            let keys = self.circle_keys(&id)?;
            let Some(version) = self.my_latest(&id, &keys, entry)?.filter(|v| !v.unshared) else {
                continue;
            };
            let circle = self.load_circle(&id)?;
            if circle.membership.as_ref().is_some_and(|m| m.is_member(&me)) {
                out.push((circle, version));
            }
        }
        Ok(out)
    }

    /// Share one of this person's entries with a circle (or share it again
    /// with a new warning). Later edits follow it until it is unshared.
    pub fn share(
        &mut self,
        entry: &str,
        circle: &str,
        warning: Option<&str>,
    ) -> Result<SharedEntry> {
        let warning = warning
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string);
        if let Some(w) = &warning
            && (w.len() > WARNING_MAX || w.contains('\n'))
        {
            return Err(CoreError::invalid(format!(
                "a content warning is one line of at most {WARNING_MAX} bytes; nothing was shared"
            )));
        }
        let id = self.resolve(entry)?;
        let e = self.get(&id.to_string())?.clone();
        if e.is_trashed() {
            return Err(CoreError::invalid(
                "this entry is in the trash: restore it first (`hearth trash restore`); nothing was shared",
            ));
        }
        let circle = self.circle_to_write(circle)?;
        let version = self.version_of(&e, warning, false);
        let doc = shared_doc(&circle.id, &self.secrets.user.identity_public(), &e.id.0);
        let plain = serde_json::to_vec(&version).map_err(|e| CoreError::invalid(e.to_string()))?;
        self.append_in_circle(&circle, &doc, KIND_SHARE, &plain)?;
        tracing::info!("shared an entry with a circle");
        self.shared_entry(&circle, &doc, true)?
            .ok_or_else(|| CoreError::invalid("the shared entry did not read back"))
    }

    /// Stop sharing an entry with a circle: members' apps stop showing it.
    /// What they already received cannot be recalled.
    pub fn unshare(&mut self, entry: &str, circle: &str) -> Result<()> {
        let id = self.resolve(entry)?;
        let circle = self.circle_to_write(circle)?;
        let shared = self.my_latest(&circle.id, &circle.keys, &id.0)?;
        let Some(version) = shared.filter(|v| !v.unshared) else {
            return Err(CoreError::invalid(
                "this entry is not shared with that circle: nothing was changed",
            ));
        };
        self.write_unsharing(&circle, version)?;
        tracing::info!("unshared an entry");
        Ok(())
    }

    /// Stop sharing `id` in every circle it is shared with (before it is
    /// purged): members' apps stop showing it.
    pub(crate) fn unshare_everywhere(&mut self, id: &EntryId) -> Result<()> {
        for (circle, version) in self.shared_now(&id.0)? {
            self.write_unsharing(&circle, version)?;
        }
        Ok(())
    }

    /// Write the unsharing that follows `version`, this person's latest of
    /// an entry in `circle`: no content, members' apps stop showing it.
    fn write_unsharing(&mut self, circle: &Circle, mut version: Version) -> Result<()> {
        version.unshared = true;
        version.at = Utc::now().timestamp_millis();
        version.title.clear();
        version.body.clear();
        version.tags.clear();
        version.feelings.clear();
        version.attachments.clear();
        version.mood = None;
        version.warning = None;
        let doc = version
            .doc(&circle.id)
            .ok_or_else(|| CoreError::invalid("a shared entry's version names no entry"))?;
        let plain = serde_json::to_vec(&version).map_err(|e| CoreError::invalid(e.to_string()))?;
        self.append_in_circle(circle, &doc, KIND_SHARE, &plain)
    }

    fn version_of(&self, e: &Entry, warning: Option<String>, unshared: bool) -> Version {
        Version {
            v: 1,
            identity: hex::encode(self.secrets.user.identity_public()),
            entry: e.id.to_string(),
            written_at: e.created_at.timestamp_millis(),
            at: Utc::now().timestamp_millis(),
            unshared,
            warning,
            title: e.title.clone(),
            body: e.body.clone(),
            tags: e.tags.clone(),
            mood: e.mood,
            feelings: e.feelings.clone(),
            attachments: if unshared {
                Vec::new()
            } else {
                e.attachments.clone()
            },
        }
    }

    /// After this device changed `entry`: a new version in each circle it
    /// is shared with, when what members see changed.
    pub(crate) fn follow_shares(&mut self, e: &Entry) -> Result<()> {
        let me = self.secrets.user.identity_public();
        for (circle, before) in self.shared_now(&e.id.0)? {
            let mut now = self.version_of(e, before.warning.clone(), false);
            now.at = before.at;
            if now == before {
                continue;
            }
            now.at = Utc::now().timestamp_millis();
            let doc = shared_doc(&circle.id, &me, &e.id.0);
            let plain = serde_json::to_vec(&now).map_err(|e| CoreError::invalid(e.to_string()))?;
            self.append_in_circle(&circle, &doc, KIND_SHARE, &plain)?;
        }
        Ok(())
    }

    /// Reply to a shared entry (by its id as the feed shows it, or a
    /// unique prefix): with words, or a supportive response.
    pub fn reply(
        &mut self,
        shared: &str,
        text: Option<&str>,
        support: Option<Support>,
    ) -> Result<Reply> {
        let text = text
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        match (&text, support) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(CoreError::invalid(
                    "a reply is words or one supportive response (--support), not both and not neither; nothing was sent",
                ));
            }
            (Some(t), None) if t.len() > REPLY_MAX => {
                return Err(CoreError::invalid(format!(
                    "a reply is at most {REPLY_MAX} bytes; this one is {}; nothing was sent",
                    t.len()
                )));
            }
            _ => {}
        }
        let (circle, doc) = self.find_shared(shared)?;
        let circle = self.circle_to_write(&hex::encode(circle))?;
        let record = ReplyRecord {
            v: 1,
            entry: hex::encode(doc),
            at: Utc::now().timestamp_millis(),
            text,
            support,
        };
        let plain = serde_json::to_vec(&record).map_err(|e| CoreError::invalid(e.to_string()))?;
        self.append_in_circle(&circle, &thread_doc(&circle.id, &doc), KIND_REPLY, &plain)?;
        let me = self.secrets.user.identity_public();
        let author = circle
            .membership
            .as_ref()
            .and_then(|m| m.members.get(&me))
            .map_or_else(String::new, |m| m.name.clone());
        let hash = self
            .store
            .read()
            .head(&circle.id, self.device_key().public().as_bytes())?
            .map_or([0; 32], |(_, h)| h);
        Ok(Reply {
            id: hex::encode(&hash[..8]),
            author,
            you: true,
            at: millis(record.at),
            text: record.text,
            support: record.support,
        })
    }

    /// The circle and document of a shared entry named by its id or a
    /// unique prefix (4 or more hex digits), among this person's circles.
    fn find_shared(&self, shared: &str) -> Result<(CircleId, DocId)> {
        let wanted = shared.trim().to_ascii_lowercase();
        if wanted.len() < 4 || !wanted.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CoreError::invalid(format!(
                "{shared:?} is not a shared entry's id: `hearth circle feed CIRCLE --all` shows them"
            )));
        }
        let mut found = Vec::new();
        for id in self.circle_ids()? {
            let circle = self.load_circle(&id)?;
            for g in self.gather(&circle)? {
                if !g.latest.unshared && hex::encode(g.doc).starts_with(&wanted) {
                    found.push((id, g.doc));
                }
            }
        }
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(CoreError::invalid(format!(
                "no entry shared with your circles has the id {shared:?}: `hearth circle feed CIRCLE --all` shows them"
            ))),
            _ => Err(CoreError::invalid(format!(
                "{shared:?} names more than one shared entry: give more of its id"
            ))),
        }
    }

    /// Every shared entry of a circle with its replies, as the store holds
    /// them; entries whose author is not a member (or whose signer is not
    /// the author's device) are left out.
    fn gather(&self, circle: &Circle) -> Result<Vec<Gathered>> {
        let tx = self.store.read();
        let membership_ops = tx.ops_for_doc(&circle.id, &MEMBERSHIP_DOC)?;
        let (_, certs) = crate::circle_exchange::membership_and_certificates(
            &circle.id,
            &membership_ops,
            &circle.keys,
        );
        let identity_of: BTreeMap<[u8; 32], [u8; 32]> =
            certs.into_iter().map(|c| (c.device, c.identity)).collect();
        let mut entries: BTreeMap<DocId, Gathered> = BTreeMap::new();
        for op in tx.ops_of_kind(&circle.id, KIND_SHARE)? {
            let Some(v) = open_circle_op(&op, &circle.keys).and_then(|p| Version::decode(&p))
            else {
                continue;
            };
            let Some(author) = identity_of.get(&op.author).copied() else {
                continue;
            };
            if v.doc(&circle.id) != Some(op.doc) || hex::encode(author) != v.identity {
                continue;
            }
            let g = entries.entry(op.doc).or_insert_with(|| Gathered {
                doc: op.doc,
                author,
                latest: v.clone(),
                places: Vec::new(),
                replies: Vec::new(),
            });
            g.places.push((op.author, op.seq));
            if (v.at, v.unshared) > (g.latest.at, g.latest.unshared) {
                g.latest = v;
            }
        }
        let threads: BTreeMap<DocId, DocId> = entries
            .keys()
            .map(|doc| (thread_doc(&circle.id, doc), *doc))
            .collect();
        for op in tx.ops_of_kind(&circle.id, KIND_REPLY)? {
            let Some(doc) = threads.get(&op.doc) else {
                continue;
            };
            let Some(r) = open_circle_op(&op, &circle.keys).and_then(|p| ReplyRecord::decode(&p))
            else {
                continue;
            };
            let Some(author) = identity_of.get(&op.author).copied() else {
                continue;
            };
            if let Some(g) = entries.get_mut(doc) {
                g.places.push((op.author, op.seq));
                g.replies.push((r, author, op.hash));
            }
        }
        Ok(entries.into_values().collect())
    }

    fn present(
        &self,
        circle: &Circle,
        g: Gathered,
        seen: &BTreeMap<String, u64>,
        muted: &BTreeSet<[u8; 32]>,
        open: bool,
    ) -> SharedEntry {
        let me = self.secrets.user.identity_public();
        let name_of = |person: &[u8; 32]| {
            circle
                .membership
                .as_ref()
                .and_then(|m| {
                    m.members.get(person).map(|x| x.name.clone()).or_else(|| {
                        m.departed
                            .contains_key(person)
                            .then(|| "someone who left".to_string())
                    })
                })
                .unwrap_or_else(|| "someone".to_string())
        };
        let new = g
            .places
            .iter()
            .any(|(device, seq)| seen.get(&hex::encode(device)).is_none_or(|s| seq > s));
        let mut replies: Vec<Reply> = g
            .replies
            .into_iter()
            .filter(|(_, author, _)| !muted.contains(author))
            .map(|(r, author, hash)| Reply {
                id: hex::encode(&hash[..8]),
                author: name_of(&author),
                you: author == me,
                at: millis(r.at),
                text: r.text,
                support: r.support,
            })
            .collect();
        replies.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.author.cmp(&b.author)));
        let v = g.latest;
        let hidden = v.warning.is_some() && !open;
        SharedEntry {
            id: hex::encode(g.doc),
            circle: hex::encode(circle.id),
            author: name_of(&g.author),
            you: g.author == me,
            entry: (g.author == me).then(|| v.entry.clone()),
            title: v.title,
            body: (!hidden).then_some(v.body),
            warning: v.warning,
            tags: v.tags,
            mood: v.mood,
            feelings: v.feelings,
            arriving: v
                .attachments
                .iter()
                .filter(|a| !hidden && !self.holds(a))
                .map(|a| a.id.clone())
                .collect(),
            attachments: if hidden { Vec::new() } else { v.attachments },
            written_at: millis(v.written_at),
            shared_at: millis(v.at),
            new,
            replies,
        }
    }

    fn shared_entry(
        &self,
        circle: &Circle,
        doc: &DocId,
        open: bool,
    ) -> Result<Option<SharedEntry>> {
        let seen = self.seen(&circle.id)?;
        let muted = self.muted(&circle.id)?;
        Ok(self
            .gather(circle)?
            .into_iter()
            .find(|g| g.doc == *doc && !g.latest.unshared)
            .map(|g| self.present(circle, g, &seen, &muted, open)))
    }

    fn seen(&self, circle: &CircleId) -> Result<BTreeMap<String, u64>> {
        Ok(self.setting(&visit_setting(circle))?.unwrap_or_default())
    }

    /// The members this person muted in a circle (a local setting).
    pub(crate) fn muted(&self, circle: &CircleId) -> Result<BTreeSet<[u8; 32]>> {
        let hexes: Vec<String> = self.setting(&mute_setting(circle))?.unwrap_or_default();
        Ok(hexes
            .iter()
            .filter_map(|h| {
                let mut id = [0u8; 32];
                hex::decode_to_slice(h, &mut id).ok().map(|()| id)
            })
            .collect())
    }

    /// Hide (or show again) a member's shared entries and replies, for this
    /// person alone: nobody else is told.
    pub fn mute_member(&mut self, circle: &str, member: &str, mute: bool) -> Result<String> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let m = loaded.membership.as_ref().ok_or_else(|| {
            CoreError::invalid("this circle has not arrived whole on this device yet")
        })?;
        let person = crate::circle_moderation::find_member(m, member)?;
        if person == self.secrets.user.identity_public() {
            return Err(CoreError::invalid(
                "you cannot mute yourself; nothing was changed",
            ));
        }
        let name = m
            .members
            .get(&person)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        let mut muted = self.muted(&id)?;
        if mute {
            muted.insert(person);
        } else {
            muted.remove(&person);
        }
        let hexes: Vec<String> = muted.iter().map(hex::encode).collect();
        self.set_setting(&mute_setting(&id), &hexes)?;
        Ok(name)
    }

    /// Every entry shared in a circle, opened, with its replies (muted
    /// members' left out), without recording a visit.
    pub(crate) fn shared_in(&self, circle: &CircleId) -> Result<Vec<SharedEntry>> {
        let loaded = self.load_circle(circle)?;
        let seen = self.seen(circle)?;
        let muted = self.muted(circle)?;
        Ok(self
            .gather(&loaded)?
            .into_iter()
            .filter(|g| !g.latest.unshared && !muted.contains(&g.author))
            .map(|g| self.present(&loaded, g, &seen, &muted, true))
            .collect())
    }

    /// The photos and files of what is shared in `circle` now (the latest
    /// version of each entry still shared): what its members may fetch.
    pub(crate) fn shared_attachments_in(&self, circle: &CircleId) -> Result<Vec<Attachment>> {
        Ok(self
            .shared_files_in(circle)?
            .into_iter()
            .map(|(_, a)| a)
            .collect())
    }

    /// The same, each with whether this journal's person shared it.
    pub(crate) fn shared_files_in(&self, circle: &CircleId) -> Result<Vec<(bool, Attachment)>> {
        let me = self.secrets.user.identity_public();
        let loaded = self.load_circle(circle)?;
        Ok(self
            .gather(&loaded)?
            .into_iter()
            .filter(|g| !g.latest.unshared)
            .flat_map(|g| {
                let mine = g.author == me;
                g.latest.attachments.into_iter().map(move |a| (mine, a))
            })
            .collect())
    }

    /// The photos and files of what is shared now in every circle, sorted
    /// by id.
    pub(crate) fn shared_attachments(&self) -> Result<Vec<Attachment>> {
        let mut out = Vec::new();
        for circle in self.circle_ids()? {
            out.extend(self.shared_attachments_in(&circle)?);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// A circle's shared entries and their replies: what is new since the
    /// last visit (or everything, with `all`), newest activity first. The
    /// visit is recorded: the next feed starts after it.
    pub fn circle_feed(&mut self, circle: &str, all: bool) -> Result<CircleFeed> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let name = loaded
            .membership
            .as_ref()
            .map_or_else(String::new, |m| m.charter.name.clone());
        let seen = self.seen(&id)?;
        let muted = self.muted(&id)?;
        let mut entries: Vec<SharedEntry> = self
            .gather(&loaded)?
            .into_iter()
            .filter(|g| !g.latest.unshared && !muted.contains(&g.author))
            .map(|g| self.present(&loaded, g, &seen, &muted, false))
            .filter(|e| all || e.new)
            .collect();
        let last = |e: &SharedEntry| {
            e.replies
                .iter()
                .map(|r| r.at)
                .max()
                .unwrap_or(e.shared_at)
                .max(e.shared_at)
        };
        entries.sort_by(|a, b| last(b).cmp(&last(a)).then_with(|| a.id.cmp(&b.id)));
        let now: BTreeMap<String, u64> = self
            .version_vector()?
            .0
            .into_iter()
            .filter(|((scope, _), _)| *scope == id)
            .map(|((_, author), (seq, _))| (hex::encode(author), seq))
            .collect();
        self.set_setting(&visit_setting(&id), &now)?;
        Ok(CircleFeed {
            circle: hex::encode(id),
            name,
            entries,
            only_new: !all,
        })
    }

    /// One shared entry whole, warning or not, with its replies: the person
    /// opens it on purpose.
    pub fn read_shared(&self, shared: &str) -> Result<SharedEntry> {
        let (circle, doc) = self.find_shared(shared)?;
        let loaded = self.load_circle(&circle)?;
        self.shared_entry(&loaded, &doc, true)?
            .ok_or_else(|| CoreError::invalid("that entry is no longer shared"))
    }
}

/// The latest of some versions: by the time it was made, an unsharing
/// winning a tie.
fn latest(versions: impl Iterator<Item = Version>) -> Option<Version> {
    versions.max_by(|a, b| (a.at, a.unshared).cmp(&(b.at, b.unshared)))
}

/// Whether `op`, of a circle, holds a well-formed version or reply in the
/// document it must be in, by an author whose device signed it. `identity`
/// is the op author's person.
pub(crate) fn well_formed(
    op: &OpRecord,
    plain: &[u8],
    circle: &CircleId,
    identity: &[u8; 32],
) -> bool {
    match op.kind {
        KIND_SHARE => Version::decode(plain)
            .is_some_and(|v| v.doc(circle) == Some(op.doc) && hex::encode(identity) == v.identity),
        KIND_REPLY => ReplyRecord::decode(plain).is_some_and(|r| r.doc(circle) == Some(op.doc)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const CIRCLE: CircleId = [3; 16];

    fn op(kind: u8, doc: DocId) -> OpRecord {
        OpRecord {
            scope: CIRCLE,
            author: [9; 32],
            seq: 1,
            epoch: 0,
            doc,
            kind,
            prev: [0; 32],
            payload_hash: [0; 32],
            hash: [0; 32],
            payload: vec![1],
            signature: vec![0; 64],
        }
    }

    fn version(identity: [u8; 32]) -> Version {
        Version {
            v: 1,
            identity: hex::encode(identity),
            entry: hex::encode([5u8; 16]),
            written_at: 0,
            at: 1,
            unshared: false,
            warning: None,
            title: "A week".into(),
            body: "words".into(),
            tags: vec![],
            mood: Some(3),
            feelings: vec![],
            attachments: vec![],
        }
    }

    #[test]
    fn a_version_lists_only_well_formed_files_and_an_unsharing_none() {
        let photo = Attachment {
            id: hex::encode([7u8; 32]),
            name: "tulips.jpg".into(),
            media_type: "image/jpeg".into(),
            size: 2_400_000,
            added_at: Utc::now(),
        };
        let mut v = version([1; 32]);
        v.attachments = vec![photo.clone()];
        let plain = serde_json::to_vec(&v).unwrap();
        assert_eq!(Version::decode(&plain), Some(v.clone()));
        // Versions written before photos were shared read as having none.
        let mut old: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        old.as_object_mut().unwrap().remove("attachments");
        let old = Version::decode(&serde_json::to_vec(&old).unwrap()).unwrap();
        assert!(old.attachments.is_empty());

        for bad in [
            Attachment {
                id: "not hex".into(),
                ..photo.clone()
            },
            Attachment {
                size: crate::attachments::ATTACHMENT_MAX + 1,
                ..photo.clone()
            },
            Attachment {
                name: String::new(),
                ..photo.clone()
            },
        ] {
            let mut v = v.clone();
            v.attachments = vec![bad];
            assert_eq!(Version::decode(&serde_json::to_vec(&v).unwrap()), None);
        }
        let mut many = v.clone();
        many.attachments = vec![photo.clone(); ATTACHMENTS_PER_ENTRY + 1];
        assert_eq!(Version::decode(&serde_json::to_vec(&many).unwrap()), None);
        let mut unshared = v.clone();
        (unshared.unshared, unshared.title, unshared.body) = (true, String::new(), String::new());
        assert_eq!(
            Version::decode(&serde_json::to_vec(&unshared).unwrap()),
            None
        );
        unshared.attachments.clear();
        assert!(Version::decode(&serde_json::to_vec(&unshared).unwrap()).is_some());
    }

    #[test]
    fn a_version_counts_only_in_its_authors_own_document_signed_by_their_device() {
        let (bea, cal) = ([1u8; 32], [2u8; 32]);
        let plain = serde_json::to_vec(&version(bea)).unwrap();
        let beas_doc = shared_doc(&CIRCLE, &bea, &[5; 16]);
        assert!(well_formed(
            &op(KIND_SHARE, beas_doc),
            &plain,
            &CIRCLE,
            &bea
        ));
        // Cal's device writing Bea's entry, in her document or in his.
        assert!(!well_formed(
            &op(KIND_SHARE, beas_doc),
            &plain,
            &CIRCLE,
            &cal
        ));
        let cals_doc = shared_doc(&CIRCLE, &cal, &[5; 16]);
        assert!(!well_formed(
            &op(KIND_SHARE, cals_doc),
            &plain,
            &CIRCLE,
            &cal
        ));
        // The same entry in another circle is another document.
        assert_ne!(shared_doc(&[4; 16], &bea, &[5; 16]), beas_doc);
        let mut loud = version(bea);
        loud.unshared = true;
        assert!(
            Version::decode(&serde_json::to_vec(&loud).unwrap()).is_none(),
            "an unsharing keeps no content"
        );
        loud.mood = Some(9);
        loud.unshared = false;
        assert!(Version::decode(&serde_json::to_vec(&loud).unwrap()).is_none());
    }

    #[test]
    fn a_reply_is_words_or_one_response_in_its_entrys_thread() {
        let doc = shared_doc(&CIRCLE, &[1; 32], &[5; 16]);
        let reply = |text: Option<&str>, support: Option<Support>| ReplyRecord {
            v: 1,
            entry: hex::encode(doc),
            at: 1,
            text: text.map(str::to_string),
            support,
        };
        let thread = thread_doc(&CIRCLE, &doc);
        for (r, ok) in [
            (reply(Some("Here."), None), true),
            (reply(None, Some(Support::HearYou)), true),
            (reply(Some("Here."), Some(Support::HearYou)), false),
            (reply(None, None), false),
            (reply(Some("  "), None), false),
            (reply(Some(&"x".repeat(REPLY_MAX + 1)), None), false),
        ] {
            let plain = serde_json::to_vec(&r).unwrap();
            assert_eq!(
                well_formed(&op(KIND_REPLY, thread), &plain, &CIRCLE, &[7; 32]),
                ok,
                "{r:?}"
            );
        }
        let plain = serde_json::to_vec(&reply(Some("Here."), None)).unwrap();
        assert!(
            !well_formed(&op(KIND_REPLY, doc), &plain, &CIRCLE, &[7; 32]),
            "outside its thread"
        );
        assert_eq!(
            Support::parse("Thinking-Of-You").unwrap(),
            Support::ThinkingOfYou
        );
        assert!(
            Support::parse("like")
                .unwrap_err()
                .to_string()
                .contains("hear-you")
        );
    }
}
