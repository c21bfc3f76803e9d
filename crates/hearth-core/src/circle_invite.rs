//! Inviting a person into a circle, and joining one (SYNC.md section 12).
//!
//! An admin opens an invitation: a one-time secret, kept on this device
//! (the sealed local setting [`INVITES`], by the secret's hash) until it is
//! used or expires, and a ticket with this device's address for the person
//! invited. Whichever process runs this device's node (`hearth serve`, the
//! desktop app) answers it: it shows the charter, and when the person
//! accepts it, records them (an `add` statement and their devices'
//! certificates in the circle's membership document) and wraps each of the
//! circle's epoch keys to the joining device's agreement key with HPKE.
//! The person's own devices learn the circle from the personal journal
//! (`circles::CircleKey`), as for a circle they made.
//!
//! Wire layouts (inside hearth-sync's `invite` messages):
//!
//! ```text
//! invitation  u8 1 || circle (16) || name || about || agreements (u32 length)
//!             || invited by || u16 m || m × member name
//! request     u8 1 || name || u16 c || c × (u16 n || device certificate (n))
//! welcome     u8 1 || circle (16) || u16 k || k × (u32 epoch || wrapped key (80))
//! ```
//!
//! Texts are `u16 length || UTF-8` unless said. A key is wrapped with
//! `info = "hearth/circle-welcome/v1" || circle || u32 epoch` and `aad` the
//! joining device's id.

use crate::circles::{CircleSummary, KIND_STATEMENT, MEMBERSHIP_DOC, keep_circle_key};
use crate::journal::Journal;
use crate::network::{Network, SharedJournal, lock};
use crate::oplog::{self, KIND_DEVICE, Writer};
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_crypto::statement::{Action, CircleId, DEVICES_MAX, NAME_MAX, Statement, check_line};
use hearth_crypto::wrap::{WRAPPED_LEN, unwrap_key, wrap_key};
use hearth_crypto::{DeviceCertificate, SymmetricKey};
use hearth_sync::CircleTicket;
use hearth_sync::invite::{Decision, InviteHost, Joining, Refusal};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long the inviting device waits for the person joining to read the
/// agreements and decide; a question nobody answers should be declined
/// before then.
pub use hearth_sync::invite::DECIDE_TIMEOUT;

/// The most people a circle holds.
pub const MEMBERS_MAX: usize = 12;

/// How long a circle invitation stays open unless told otherwise.
pub const DEFAULT_CIRCLE_INVITE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The local setting holding this device's open circle invitations.
pub(crate) const INVITES: &str = "circle.invites";

/// One invitation this device made, as the setting keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct InviteRecord {
    /// The circle, 32 hex digits.
    circle: String,
    /// The hash of the secret, 64 hex digits: the secret itself is only in
    /// the ticket.
    secret_hash: String,
    /// Unix seconds.
    expires_at: i64,
    used: bool,
}

/// An invitation as `hearth circle invite` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CircleInvitation {
    /// `hearthcircle...`: give it to the person invited.
    pub ticket: String,
    /// The circle's id, 32 hex digits.
    pub circle: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub expires_at: DateTime<Utc>,
}

/// What the person invited is shown before they decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CirclePreview {
    /// The circle's id, 32 hex digits.
    pub id: String,
    pub name: String,
    /// What the circle is for.
    pub about: String,
    /// How its members treat each other: what joining accepts.
    pub agreements: String,
    /// How the admin who invited appears to the circle.
    pub invited_by: String,
    /// Its members' names, as they appear to the circle.
    pub members: Vec<String>,
}

/// What joining a circle did.
#[derive(Debug)]
pub struct JoinedCircle {
    pub circle: CircleSummary,
    /// The first exchange with the inviting device, which brought the
    /// circle over.
    pub first_sync: Result<crate::network::SyncReport>,
}

fn now_secs() -> i64 {
    Utc::now().timestamp()
}

fn secret_hash(secret: &[u8; 32]) -> String {
    hex::encode(hearth_crypto::hash(&[b"hearth/circle-invite/v1", secret]))
}

fn invalid(why: impl Into<String>) -> CoreError {
    CoreError::invalid(why)
}

impl Journal {
    fn invites(&self) -> Result<Vec<InviteRecord>> {
        Ok(self
            .setting::<Vec<InviteRecord>>(INVITES)?
            .unwrap_or_default())
    }

    /// Until when (Unix seconds) an invitation of this device stays open:
    /// the node admits strangers under the joining protocol until then.
    pub(crate) fn circle_invites_until(&self) -> Result<Option<i64>> {
        let now = now_secs();
        Ok(self
            .invites()?
            .iter()
            .filter(|i| !i.used && i.expires_at > now)
            .map(|i| i.expires_at)
            .max())
    }

    /// Open an invitation to `circle` (id or name) valid for `ttl`: its
    /// circle and secret, for a ticket. Only admins invite, and a circle
    /// holds at most [`MEMBERS_MAX`] people.
    pub(crate) fn open_circle_invite(
        &mut self,
        circle: &str,
        ttl: Duration,
    ) -> Result<(CircleId, String, [u8; 32], i64)> {
        let (id, name) = self.may_invite(circle)?;
        let secret: [u8; 32] = rand::random();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let expires_at = now_secs().saturating_add(ttl);
        let now = now_secs();
        let mut invites = self.invites()?;
        invites.retain(|i| !i.used && i.expires_at > now);
        invites.push(InviteRecord {
            circle: hex::encode(id),
            secret_hash: secret_hash(&secret),
            expires_at,
            used: false,
        });
        self.set_setting(INVITES, &invites)?;
        tracing::info!("opened a circle invitation");
        Ok((id, name, secret, expires_at))
    }

    /// The circle `circle` names and its name, when this person may invite
    /// someone into it now.
    fn may_invite(&self, circle: &str) -> Result<(CircleId, String)> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let m = loaded
            .membership
            .as_ref()
            .ok_or_else(|| invalid("this circle has not arrived whole on this device yet: sync with your other devices first"))?;
        let me = self.secrets.user.identity_public();
        if !m.is_admin(&me) {
            return Err(invalid(format!(
                "only the admins of {:?} invite people, and you are not one: ask one of them; nothing was changed",
                m.charter.name
            )));
        }
        if m.members.len() >= MEMBERS_MAX {
            return Err(invalid(format!(
                "{:?} has {MEMBERS_MAX} members, the most a circle holds; nothing was changed",
                m.charter.name
            )));
        }
        Ok((id, m.charter.name.clone()))
    }

    /// An invitation to `circle` answered by this device's running node
    /// (`hearth serve` or the desktop app, in another process): its ticket
    /// names the node's address. Without a running node, nothing is opened.
    pub fn invite_to_circle(&mut self, circle: &str, ttl: Duration) -> Result<CircleInvitation> {
        self.may_invite(circle)?;
        let status = self.sync_status()?;
        let ticket = match (status.node.state, status.node.ticket) {
            (crate::network::NodeStatus::Running, Some(t)) => t,
            (crate::network::NodeStatus::Offline, _) => {
                return Err(invalid(
                    "offline mode is on, so no one can reach this device to join: turn it off (`hearth config offline off`) and start `hearth serve`; nothing was changed",
                ));
            }
            _ => {
                return Err(invalid(
                    "the person joining reaches this device's running node, and none runs: start `hearth serve` (or open the Hearth app), then invite again; nothing was changed",
                ));
            }
        };
        let addr = hearth_sync::node::parse_address_ticket(&ticket)
            .map_err(|e| CoreError::Network(e.to_string()))?;
        let (id, name, secret, expires_at) = self.open_circle_invite(circle, ttl)?;
        let ticket = hearth_sync::CircleTicket {
            addr,
            secret,
            circle: id,
            expires_at,
        };
        Ok(invitation(&ticket, name))
    }

    /// The invitation with `secret`, still open.
    fn open_invite_record(&self, secret: &[u8; 32]) -> std::result::Result<CircleId, Refusal> {
        let hash = secret_hash(secret);
        let invites = self.invites().map_err(|e| Refusal::Other(e.to_string()))?;
        let Some(record) = invites.iter().find(|i| i.secret_hash == hash) else {
            return Err(Refusal::Unknown);
        };
        if record.used {
            return Err(Refusal::Used);
        }
        if record.expires_at <= now_secs() {
            return Err(Refusal::Expired);
        }
        let mut id = [0u8; 16];
        hex::decode_to_slice(&record.circle, &mut id).map_err(|_| Refusal::Unknown)?;
        Ok(id)
    }

    /// What the invitation with `secret` shows the person joining.
    pub(crate) fn show_invitation(
        &self,
        secret: &[u8; 32],
    ) -> std::result::Result<Vec<u8>, Refusal> {
        let id = self.open_invite_record(secret)?;
        let (_, m) = self.admin_view(&id)?;
        let me = self.secrets.user.identity_public();
        let mut out = vec![1u8];
        out.extend_from_slice(&id);
        put_text(&mut out, &m.charter.name);
        put_text(&mut out, &m.charter.about);
        out.extend_from_slice(&(m.charter.agreements.len() as u32).to_be_bytes());
        out.extend_from_slice(m.charter.agreements.as_bytes());
        put_text(&mut out, m.members.get(&me).map_or("", |x| x.name.as_str()));
        out.extend_from_slice(&(m.members.len() as u16).to_be_bytes());
        for member in m.members.values() {
            put_text(&mut out, &member.name);
        }
        Ok(out)
    }

    /// The circle `id` as its admin here sees it, or why this device can no
    /// longer invite to it.
    fn admin_view(
        &self,
        id: &CircleId,
    ) -> std::result::Result<(crate::circles::Circle, crate::membership::Membership), Refusal> {
        let other = |e: CoreError| Refusal::Other(e.to_string());
        let circle = self.load_circle(id).map_err(other)?;
        let m = circle.membership.clone().ok_or_else(|| {
            Refusal::Other("the circle is not whole on the inviting device".into())
        })?;
        if !m.is_admin(&self.secrets.user.identity_public()) {
            return Err(Refusal::Other(
                "the person who invited you is no longer an admin of the circle".into(),
            ));
        }
        Ok((circle, m))
    }

    /// Admit the person on `device` who presented `secret` and sent
    /// `request`: record them in the circle, use the invitation up, and
    /// wrap the circle's keys to their device. All in one transaction.
    pub(crate) fn admit_to_circle(
        &mut self,
        secret: &[u8; 32],
        device: [u8; 32],
        request: &[u8],
    ) -> std::result::Result<(Vec<u8>, String), Refusal> {
        let id = self.open_invite_record(secret)?;
        let (circle, m) = self.admin_view(&id)?;
        let request = Request::decode(request).ok_or_else(|| {
            Refusal::Other("the request to join is malformed: update Hearth on both devices".into())
        })?;
        let Some(joining) = request.certs.iter().find(|c| c.device == device) else {
            return Err(Refusal::Other(
                "the request to join has no certificate for the device that sent it".into(),
            ));
        };
        let person = joining.identity;
        if request
            .certs
            .iter()
            .any(|c| c.identity != person || c.verify(&person).is_err())
        {
            return Err(Refusal::Other(
                "a device certificate in the request does not check".into(),
            ));
        }
        if m.is_member(&person) {
            return Err(Refusal::Other("you are already in this circle".into()));
        }
        if m.members.len() >= MEMBERS_MAX {
            return Err(Refusal::Other(format!(
                "the circle has {MEMBERS_MAX} members, the most a circle holds"
            )));
        }
        let agreement = joining.agreement;
        let epoch = circle.epoch();
        let Some(key) = circle.keys.get(&epoch).cloned() else {
            return Err(Refusal::Other(
                "the inviting device holds no key of the circle".into(),
            ));
        };
        let statement = Statement::issue(
            &self.secrets.user.identity,
            id,
            Utc::now().timestamp_millis(),
            m.heads.clone(),
            Action::Add {
                member: person,
                name: request.name.clone(),
            },
        )
        .map_err(|e| Refusal::Other(e.to_string()))?;
        let mut welcome = vec![1u8];
        welcome.extend_from_slice(&id);
        welcome.extend_from_slice(&(circle.keys.len() as u16).to_be_bytes());
        for (e, k) in &circle.keys {
            let wrapped = wrap_key(&agreement, &welcome_info(&id, *e), &device, k)
                .map_err(|e| Refusal::Other(e.to_string()))?;
            welcome.extend_from_slice(&e.to_be_bytes());
            welcome.extend_from_slice(&wrapped);
        }
        let hash = secret_hash(secret);
        let mut invites = self.invites().map_err(|e| Refusal::Other(e.to_string()))?;
        for i in &mut invites {
            if i.secret_hash == hash {
                i.used = true;
            }
        }
        let sealed_invites = self
            .sealed_setting(INVITES, &invites)
            .map_err(|e| Refusal::Other(e.to_string()))?;
        let signer = self.device_key().clone();
        let writer = Writer {
            scope: id,
            epoch,
            key: &key,
            device: &signer,
        };
        self.store
            .write(|tx| -> Result<()> {
                for cert in &request.certs {
                    oplog::append(tx, &writer, &MEMBERSHIP_DOC, KIND_DEVICE, &cert.encode())?;
                }
                oplog::append(
                    tx,
                    &writer,
                    &MEMBERSHIP_DOC,
                    KIND_STATEMENT,
                    &statement.encode(),
                )?;
                tx.put_setting(INVITES, &sealed_invites)?;
                Ok(())
            })
            .map_err(|e| {
                Refusal::Other(format!("the inviting device could not record you: {e}"))
            })?;
        tracing::info!("a person joined a circle");
        Ok((
            welcome,
            format!("{} joined the circle {:?}", request.name, m.charter.name),
        ))
    }

    /// What this device sends to join: how the person appears, and the
    /// certificates of each of their devices not removed.
    pub(crate) fn join_request(&self, as_name: &str) -> Result<Vec<u8>> {
        let members = self.registry.members();
        let certs: Vec<DeviceCertificate> = self
            .registry
            .devices()
            .filter(|c| members.contains(&c.device))
            .take(DEVICES_MAX)
            .cloned()
            .collect();
        Ok(Request {
            name: as_name.to_string(),
            certs,
        }
        .encode())
    }

    /// Keep the keys a welcome carries (checked against the ticket's
    /// circle), and carry them to the person's other devices.
    pub(crate) fn take_welcome(&mut self, circle: &CircleId, welcome: &[u8]) -> Result<()> {
        let bad = || {
            invalid(
                "the inviting device sent a welcome this Hearth cannot read; update Hearth on both devices",
            )
        };
        let me = *self.device_key().public().as_bytes();
        let (&version, rest) = welcome.split_first().ok_or_else(bad)?;
        let (id, rest) = rest.split_first_chunk::<16>().ok_or_else(bad)?;
        let (count, mut rest) = rest.split_first_chunk::<2>().ok_or_else(bad)?;
        let count = usize::from(u16::from_be_bytes(*count));
        if version != 1 || id != circle || count == 0 || rest.len() != count * (4 + WRAPPED_LEN) {
            return Err(bad());
        }
        let mut keys: Vec<(u32, SymmetricKey)> = Vec::with_capacity(count);
        for _ in 0..count {
            let (epoch, more) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
            let (wrapped, more) = more.split_at(WRAPPED_LEN);
            let epoch = u32::from_be_bytes(*epoch);
            let key = unwrap_key(
                &self.secrets.device.agreement,
                &welcome_info(circle, epoch),
                &me,
                wrapped,
            )
            .map_err(|_| invalid("a key in the welcome does not open with this device's key; nothing was changed"))?;
            keys.push((epoch, key));
            rest = more;
        }
        let storage = self.scope_key().clone();
        let (epoch, personal_key) = self.write_key();
        let personal_key = personal_key.clone();
        let device = self.device_key().clone();
        let personal = Writer {
            scope: self.scope(),
            epoch,
            key: &personal_key,
            device: &device,
        };
        self.store.write(|tx| -> Result<()> {
            for (epoch, key) in &keys {
                keep_circle_key(tx, &personal, &storage, circle, *epoch, key)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Whether this person is in `circle` already.
    pub(crate) fn is_in_circle(&self, circle: &CircleId) -> Result<bool> {
        if !self.circle_ids()?.contains(circle) {
            return Ok(false);
        }
        let me = self.secrets.user.identity_public();
        Ok(self
            .load_circle(circle)?
            .membership
            .is_some_and(|m| m.is_member(&me)))
    }
}

/// The admin device's side of joining, for the node.
pub(crate) struct Greeter {
    pub journal: SharedJournal,
}

impl InviteHost for Greeter {
    fn open(&self, secret: &[u8; 32]) -> std::result::Result<Vec<u8>, Refusal> {
        lock(&self.journal).show_invitation(secret)
    }

    fn admit(
        &self,
        secret: &[u8; 32],
        device: [u8; 32],
        request: &[u8],
    ) -> std::result::Result<(Vec<u8>, String), Refusal> {
        lock(&self.journal).admit_to_circle(secret, device, request)
    }
}

impl Network {
    /// Open an invitation to `circle` (id or name) valid for `ttl`,
    /// answered by this node.
    pub fn invite_to_circle(&self, circle: &str, ttl: Duration) -> Result<CircleInvitation> {
        let (id, name, secret, expires_at) =
            lock(self.journal()).open_circle_invite(circle, ttl)?;
        self.node
            .allowlist()
            .set_circle_invites_until(lock(self.journal()).circle_invites_until()?);
        Ok(invitation(
            &self.node.circle_ticket(secret, id, expires_at),
            name,
        ))
    }

    /// Join the circle `ticket` invites to, appearing to it as `as_name`.
    /// `accept` is shown what the circle is for and its agreements (on a
    /// blocking thread) and says whether the person accepts them; `Ok(None)`
    /// when they did not, and then nothing changed anywhere. Once in, this
    /// device takes the circle in from the inviting device at once.
    pub async fn join_circle(
        &self,
        ticket: &str,
        as_name: &str,
        accept: impl FnOnce(&CirclePreview) -> bool + Send + 'static,
    ) -> Result<Option<JoinedCircle>> {
        let ticket = CircleTicket::parse(ticket).map_err(|e| CoreError::invalid(e.to_string()))?;
        let as_name = as_name.trim().to_string();
        if check_line(&as_name).is_err() {
            return Err(invalid(format!(
                "how you appear to the circle is one line of 1 to {NAME_MAX} bytes; nothing was changed"
            )));
        }
        let request = {
            let j = lock(self.journal());
            if j.is_in_circle(&ticket.circle)? {
                return Err(invalid(
                    "you are in this circle already: `hearth circle show` shows it; nothing was changed",
                ));
            }
            j.join_request(&as_name)?
        };
        let circle = ticket.circle;
        let decide = move |bytes: Vec<u8>| {
            let Some(preview) = read_invitation(&bytes, &circle) else {
                return Err(
                    "the inviting device sent an invitation this Hearth cannot read: update Hearth on both devices; nothing was changed"
                        .to_string(),
                );
            };
            Ok(if accept(&preview) {
                Decision::Join(request)
            } else {
                Decision::Decline
            })
        };
        let joined = self
            .node
            .join_circle(&ticket, decide)
            .await
            .map_err(|e| CoreError::Network(e.to_string()))?;
        let Joining::Joined { host, welcome } = joined else {
            return Ok(None);
        };
        {
            let mut j = lock(self.journal());
            j.take_welcome(&circle, &welcome)?;
            j.joined_through = Some((host, circle));
        }
        self.node.allowlist().insert(host);
        let first_sync = self.sync_addr(ticket.addr.clone()).await;
        let mut j = lock(self.journal());
        j.joined_through = None;
        let summary = j.summary(&j.load_circle(&circle)?);
        if let Ok(peers) = j.allowed_peers() {
            self.node.allowlist().set(peers);
        }
        tracing::info!("joined a circle");
        Ok(Some(JoinedCircle {
            circle: summary,
            first_sync,
        }))
    }
}

/// An invitation's ticket as the person is given it.
pub(crate) fn invitation(ticket: &hearth_sync::CircleTicket, name: String) -> CircleInvitation {
    CircleInvitation {
        ticket: ticket.to_string(),
        circle: hex::encode(ticket.circle),
        name,
        expires_at: DateTime::from_timestamp(ticket.expires_at, 0).unwrap_or_default(),
    }
}

fn welcome_info(circle: &CircleId, epoch: u32) -> Vec<u8> {
    let mut info = b"hearth/circle-welcome/v1".to_vec();
    info.extend_from_slice(circle);
    info.extend_from_slice(&epoch.to_be_bytes());
    info
}

/// A joining person's request: how they appear, and their devices.
struct Request {
    name: String,
    certs: Vec<DeviceCertificate>,
}

impl Request {
    fn encode(&self) -> Vec<u8> {
        let mut out = vec![1u8];
        put_text(&mut out, &self.name);
        out.extend_from_slice(&(self.certs.len() as u16).to_be_bytes());
        for c in &self.certs {
            let bytes = c.encode();
            out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader(bytes);
        if r.u8()? != 1 {
            return None;
        }
        let name = r.text()?;
        check_line(&name).ok()?;
        let count = usize::from(r.u16()?);
        if count == 0 || count > DEVICES_MAX {
            return None;
        }
        let mut certs = Vec::with_capacity(count);
        for _ in 0..count {
            let len = usize::from(r.u16()?);
            certs.push(DeviceCertificate::decode(r.take(len)?).ok()?);
        }
        r.0.is_empty().then_some(Self { name, certs })
    }
}

/// Read an invitation as the inviting device sent it, checking it names
/// the ticket's circle and keeps to the limits.
pub(crate) fn read_invitation(bytes: &[u8], circle: &CircleId) -> Option<CirclePreview> {
    use hearth_crypto::statement::{ABOUT_MAX, AGREEMENTS_MAX};
    let mut r = Reader(bytes);
    if r.u8()? != 1 {
        return None;
    }
    let id: [u8; 16] = r.take(16)?.try_into().ok()?;
    if id != *circle {
        return None;
    }
    let name = r.text()?;
    let about = r.text()?;
    let len = u32::from_be_bytes(r.take(4)?.try_into().ok()?) as usize;
    if len > AGREEMENTS_MAX {
        return None;
    }
    let agreements = String::from_utf8(r.take(len)?.to_vec()).ok()?;
    let invited_by = r.text()?;
    let count = usize::from(r.u16()?);
    if count > MEMBERS_MAX || name.len() > NAME_MAX || about.len() > ABOUT_MAX {
        return None;
    }
    let mut members = Vec::with_capacity(count);
    for _ in 0..count {
        members.push(r.text()?);
    }
    r.0.is_empty().then_some(CirclePreview {
        id: hex::encode(id),
        name,
        about,
        agreements,
        invited_by,
        members,
    })
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Reads the layouts above, `None` at the first byte out of place.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn text(&mut self) -> Option<String> {
        let len = usize::from(self.u16()?);
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_invitation_for_another_circle_or_cut_short_is_not_read() {
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(&[7; 16]);
        for t in ["Night owls", "Support", "Be kind", "Ann"] {
            if t == "Be kind" {
                bytes.extend_from_slice(&(t.len() as u32).to_be_bytes());
                bytes.extend_from_slice(t.as_bytes());
            } else {
                put_text(&mut bytes, t);
            }
        }
        bytes.extend_from_slice(&1u16.to_be_bytes());
        put_text(&mut bytes, "Ann");
        let read = read_invitation(&bytes, &[7; 16]).unwrap();
        assert_eq!(read.name, "Night owls");
        assert_eq!(read.agreements, "Be kind");
        assert_eq!(read.members, vec!["Ann".to_string()]);
        assert!(read_invitation(&bytes, &[8; 16]).is_none());
        assert!(read_invitation(&bytes[..bytes.len() - 1], &[7; 16]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_invitation(&longer, &[7; 16]).is_none());
    }

    #[test]
    fn a_request_with_no_device_or_a_bad_name_is_not_read() {
        let empty = Request {
            name: "Bea".into(),
            certs: vec![],
        };
        assert!(Request::decode(&empty.encode()).is_none());
        let mut bytes = vec![1u8];
        put_text(&mut bytes, "two\nlines");
        bytes.extend_from_slice(&0u16.to_be_bytes());
        assert!(Request::decode(&bytes).is_none());
    }
}
