//! This device on the network: the node that serves sync and pairing, the
//! journal's side of an exchange, pairing a new device, and what is
//! remembered of each exchange (when, where, whether both were equal).
//!
//! hearth-sync moves ops and runs the protocols; every decision about the
//! journal (what this device holds, whether a peer's ops are stored, who is
//! trusted, what a new device is given) is made here.

use crate::circle_invite::Greeter;
use crate::journal::Journal;
use crate::netconfig::{Gate, NetConfig, RelayChoice};
use crate::vault::Person;
use crate::{CoreError, KdfParams, RecoveryKey, Result, Vault};
use chrono::{DateTime, Utc};
use hearth_crypto::{DeviceSecrets, UserSecrets};
use hearth_store::{OpRecord, ScopeId};
use hearth_sync::node::{EndpointAddr, address, parse_address_ticket, parse_relay_url};
use hearth_sync::{
    Allowlist, Head, InviteHost, Node, NodeEvent, NodeOptions, Outcome, PairHost, PairTicket,
    Replica, ReplicaError, Taken, VersionVector,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use crate::registry::default_device_name;
pub use hearth_sync::Relays;
/// How long pairing waits for each person to compare the code.
pub use hearth_sync::pair::CONFIRM_TIMEOUT;

/// A journal shared by the node's tasks and whoever runs it.
pub type SharedJournal = Arc<Mutex<Journal>>;

/// Lock a shared journal; a panic elsewhere while it was held does not
/// make it unusable (every write is one transaction).
pub fn lock(journal: &SharedJournal) -> MutexGuard<'_, Journal> {
    journal.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long a pairing ticket stays valid unless told otherwise.
pub const DEFAULT_INVITE_TTL: Duration = Duration::from_secs(10 * 60);

/// The welcome's layout version.
const WELCOME_V1: u8 = 1;

/// What one exchange with a device did, for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    /// The other device's id, 64 hex digits.
    pub device: String,
    pub name: String,
    /// Ops this device sent it.
    pub sent: usize,
    /// Its ops this device stored.
    pub received: usize,
    /// Its ops this device already held.
    pub duplicates: usize,
    /// Whether both held the same ops when the exchange ended.
    pub equal: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_sent: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_received: u64,
    /// Photos and files this device took from it, and sent it.
    pub files_received: usize,
    pub files_sent: usize,
}

impl SyncReport {
    /// The report of an exchange with `device`, called `name` here.
    fn of(device: &[u8; 32], name: String, outcome: &Outcome) -> Self {
        Self {
            device: hex::encode(device),
            name,
            sent: outcome.sent,
            received: outcome.received.stored,
            duplicates: outcome.received.duplicates,
            equal: outcome.equal(),
            bytes_sent: outcome.bytes_sent,
            bytes_received: outcome.bytes_received,
            files_received: 0,
            files_sent: 0,
        }
    }
}

/// What is remembered of a device's exchanges with this one; a local
/// setting, never synced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PeerRecord {
    /// The addresses it was last reached on.
    pub addrs: Vec<SocketAddr>,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_synced: Option<DateTime<Utc>>,
    /// Whether the last finished exchange ended with both equal.
    pub equal: bool,
    /// The last of this device's own ops (its seq in the personal scope)
    /// the other device confirmed holding.
    pub confirmed: u64,
}

fn peer_setting(device: &[u8; 32]) -> String {
    format!("peer.{}", hex::encode(device))
}

impl Journal {
    pub(crate) fn peer_record(&self, device: &[u8; 32]) -> PeerRecord {
        self.setting(&peer_setting(device))
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    fn record_exchange(
        &mut self,
        device: &[u8; 32],
        addrs: &[SocketAddr],
        outcome: Option<&Outcome>,
    ) -> Result<()> {
        let mut record = self.peer_record(device);
        let now = Utc::now();
        record.last_seen = Some(now);
        if !addrs.is_empty() {
            record.addrs = addrs.to_vec();
        }
        if let Some(outcome) = outcome {
            record.last_synced = Some(now);
            record.equal = outcome.equal();
            let me = *self.device_key().public().as_bytes();
            if let Some(head) = outcome.offered.get(&self.scope()).and_then(|v| v.get(&me)) {
                record.confirmed = record.confirmed.max(head.seq);
            }
        }
        self.set_setting(&peer_setting(device), &record)
    }

    /// The scopes an exchange with `peer` covers: for another member's
    /// device, the circles both are in (and a circle just joined whose
    /// membership has not arrived yet); for the person's own devices, and
    /// a device not known yet (one restored from a backup, say: only the
    /// allowlist lets a device this far), every scope; for the device of
    /// someone who left a circle or was removed, none.
    pub(crate) fn scopes_shared_with(&self, peer: &[u8; 32]) -> Result<Vec<ScopeId>> {
        let own = self.registry.members().contains(peer) || self.paired_with == Some(*peer);
        let mut shared: Vec<ScopeId> = Vec::new();
        if !own {
            if let Some(p) = self.circle_peers()?.remove(peer) {
                shared.extend(p.circles);
            }
            if let Some((host, circle)) = self.joined_through
                && host == *peer
            {
                shared.push(circle);
            }
        }
        let former_member = !own && shared.is_empty() && self.certified_in_a_circle(peer)?;
        if shared.is_empty()
            && !former_member
            && (own || self.joined_through.is_none_or(|(h, _)| h != *peer))
        {
            let mut all = vec![self.scope()];
            all.extend(self.circle_ids()?);
            return Ok(all);
        }
        shared.extend(self.circles_not_arrived()?);
        shared.sort();
        shared.dedup();
        Ok(shared)
    }

    /// Every device that may connect: the person's other devices, and the
    /// devices of the people they share a circle with.
    pub(crate) fn allowed_peers(&self) -> Result<Vec<[u8; 32]>> {
        let mut all = self.trusted_peers();
        all.extend(self.circle_peers()?.into_keys());
        Ok(all)
    }

    /// This device's id: its transport key, as other devices see it.
    pub fn device_id(&self) -> [u8; 32] {
        *self.device_key().public().as_bytes()
    }

    /// Every trusted device but this one: who may connect.
    pub(crate) fn trusted_peers(&self) -> Vec<[u8; 32]> {
        let me = *self.device_key().public().as_bytes();
        self.registry
            .members()
            .into_iter()
            .filter(|d| *d != me)
            .collect()
    }

    /// For a removed device, its last op that counts (as a vector head).
    fn removed_head(&self, scope: &ScopeId, author: &[u8; 32]) -> Result<Option<Head>> {
        let Some(last) = self.registry.removed_at_seq(author) else {
            return Ok(None);
        };
        if last == 0 {
            return Ok(Some(Head {
                seq: 0,
                hash: [0; 32],
            }));
        }
        Ok(self
            .store
            .read()
            .op_at(scope, author, last)?
            .map(|op| Head {
                seq: op.seq,
                hash: op.hash,
            }))
    }

    /// Read the registry again: another process may have paired, renamed
    /// or removed a device.
    pub(crate) fn reload_registry(&mut self) -> Result<()> {
        self.registry = crate::registry::Registry::load(
            &self.store.read(),
            &self.scope(),
            self.secrets.user.identity_public(),
            &self.secrets.user.personal_scope_key,
        )?;
        Ok(())
    }

    fn device_name(&self, device: &[u8; 32]) -> String {
        if let Some(c) = self.registry.devices().find(|c| c.device == *device) {
            return c.name.clone();
        }
        match self.circle_peers().ok().and_then(|mut p| p.remove(device)) {
            Some(p) => format!("{} ({})", p.person, p.device),
            None => "an unknown device".into(),
        }
    }

    /// Certify a new device and put together what it needs to open this
    /// journal: the personal scope's id and the person's secrets.
    fn admit(&mut self, device: [u8; 32], name: &str, agreement: [u8; 32]) -> Result<Vec<u8>> {
        self.certify_device(device, name, agreement)?;
        let mut welcome = vec![WELCOME_V1];
        welcome.extend_from_slice(&self.scope());
        welcome.extend_from_slice(&self.secrets.user.encode());
        let later: Vec<_> = self.registry.all_keys().filter(|(e, _)| *e != 0).collect();
        welcome.extend_from_slice(&(later.len() as u32).to_be_bytes());
        for (epoch, key) in later {
            welcome.extend_from_slice(&epoch.to_be_bytes());
            welcome.extend_from_slice(key.as_bytes());
        }
        Ok(welcome)
    }
}

fn read_welcome(bytes: &[u8]) -> Result<Person> {
    let bad = || {
        CoreError::invalid(
            "the other device sent a welcome this Hearth cannot read; update Hearth on both devices",
        )
    };
    let (&version, rest) = bytes.split_first().ok_or_else(bad)?;
    if version != WELCOME_V1 {
        return Err(bad());
    }
    let (scope, rest) = rest.split_first_chunk::<16>().ok_or_else(bad)?;
    const SECRETS: usize = 1 + 3 * 32;
    if rest.len() < SECRETS + 4 {
        return Err(bad());
    }
    let (secrets, rest) = rest.split_at(SECRETS);
    let unwrapped = UserSecrets::decode(secrets).map_err(|_| bad())?;
    if unwrapped.legacy_device.is_some() {
        return Err(bad());
    }
    let (count, mut rest) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
    let count = u32::from_be_bytes(*count) as usize;
    if rest.len() != count * 36 {
        return Err(bad());
    }
    let mut epochs = Vec::with_capacity(count);
    for _ in 0..count {
        let (epoch, more) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
        let (key, more) = more.split_first_chunk::<32>().ok_or_else(bad)?;
        epochs.push((
            u32::from_be_bytes(*epoch),
            hearth_crypto::SymmetricKey::from_bytes(*key),
        ));
        rest = more;
    }
    Ok(Person {
        user: unwrapped.user,
        scope: *scope as ScopeId,
        epochs,
    })
}

/// The journal's side of an exchange; tells `events` which entries each
/// stored batch changed.
pub(crate) struct JournalReplica {
    pub(crate) journal: SharedJournal,
    pub(crate) events: Option<tokio::sync::broadcast::Sender<NetEvent>>,
}

pub(crate) fn failed(e: CoreError) -> ReplicaError {
    match e {
        CoreError::Refused(why) => ReplicaError::Refused(why),
        other => ReplicaError::Failed(other.to_string()),
    }
}

impl Replica for JournalReplica {
    fn vectors(
        &self,
        peer: &[u8; 32],
    ) -> std::result::Result<BTreeMap<ScopeId, VersionVector>, ReplicaError> {
        let journal = lock(&self.journal);
        let mut out: BTreeMap<ScopeId, VersionVector> = BTreeMap::new();
        for scope in journal.scopes_shared_with(peer).map_err(failed)? {
            out.insert(scope, VersionVector::new());
        }
        let mut circle_caps: BTreeMap<ScopeId, BTreeMap<[u8; 32], u64>> = BTreeMap::new();
        for ((scope, author), (seq, hash)) in journal.version_vector().map_err(failed)?.0 {
            if !out.contains_key(&scope) {
                continue;
            }
            // A removed device's ops after its removal are never taken in
            // by anyone, so they are neither offered nor asked for; nor a
            // removed circle member's.
            let capped = if scope == journal.scope() {
                journal.removed_head(&scope, &author).map_err(failed)?
            } else {
                if let std::collections::btree_map::Entry::Vacant(slot) = circle_caps.entry(scope) {
                    slot.insert(journal.circle_caps(&scope).map_err(failed)?);
                }
                match circle_caps.get(&scope).and_then(|c| c.get(&author)) {
                    Some(0) => Some(Head {
                        seq: 0,
                        hash: [0; 32],
                    }),
                    Some(last) => journal
                        .store
                        .read()
                        .op_at(&scope, &author, *last)
                        .map_err(|e| failed(e.into()))?
                        .map(|op| Head {
                            seq: op.seq,
                            hash: op.hash,
                        }),
                    None => None,
                }
            };
            let head = match capped {
                Some(capped) if capped.seq < seq => capped,
                _ => Head { seq, hash },
            };
            if head.seq > 0 {
                out.entry(scope).or_default().insert(author, head);
            }
        }
        Ok(out)
    }

    fn ops(
        &self,
        scope: &ScopeId,
        author: &[u8; 32],
        from: u64,
        to: u64,
        limit: usize,
    ) -> std::result::Result<Vec<OpRecord>, ReplicaError> {
        let journal = lock(&self.journal);
        let want = usize::try_from(to.saturating_sub(from) + 1).unwrap_or(usize::MAX);
        journal
            .ops_of(scope, author, from, want.min(limit))
            .map_err(failed)
    }

    fn receive(&self, ops: Vec<OpRecord>) -> std::result::Result<Taken, ReplicaError> {
        let got = lock(&self.journal).receive(ops).map_err(failed)?;
        if let Some(events) = &self.events
            && !(got.changed.is_empty() && got.purged.is_empty())
        {
            let _ = events.send(NetEvent::EntriesChanged {
                changed: got.changed.clone(),
                purged: got.purged.clone(),
            });
        }
        if let Some(events) = &self.events
            && !got.circles.is_empty()
        {
            let _ = events.send(NetEvent::CirclesChanged {
                circles: got.circles.iter().map(hex::encode).collect(),
            });
        }
        Ok(Taken {
            stored: got.stored,
            duplicates: got.duplicates,
            after_a_gap: got.after_a_gap,
        })
    }
}

/// Asks the person on this device whether a new device's code (and name)
/// match what that device shows.
pub type Confirm = Arc<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// The journal's side of an exchange, for running one over any stream
/// (hearth-sync's `session::run`): what the node uses, and what tests and
/// benchmarks drive directly.
pub fn replica(journal: SharedJournal) -> Arc<dyn Replica> {
    Arc::new(JournalReplica {
        journal,
        events: None,
    })
}

/// The existing device's side of pairing.
struct Host {
    journal: SharedJournal,
    confirm: Confirm,
}

impl PairHost for Host {
    fn confirm(&self, code: &str, name: &str) -> bool {
        (self.confirm)(code, name)
    }

    fn admit(
        &self,
        device: [u8; 32],
        name: &str,
        agreement: [u8; 32],
    ) -> std::result::Result<Vec<u8>, ReplicaError> {
        lock(&self.journal)
            .admit(device, name, agreement)
            .map_err(|e| ReplicaError::Failed(e.to_string()))
    }
}

/// Another device's address, read from the ticket `hearth serve` prints.
#[derive(Debug, Clone)]
pub struct PeerAddress(EndpointAddr);

impl PeerAddress {
    /// Read an address ticket; a clear error when it is not one.
    pub fn parse(ticket: &str) -> Result<Self> {
        parse_address_ticket(ticket).map(Self).map_err(net)
    }

    /// A device reached only through a relay: its id (64 hex digits) and
    /// the relay's URL.
    pub fn via_relay(device: &str, relay: &str) -> Result<Self> {
        let id: [u8; 32] = hex::decode(device)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CoreError::invalid(format!("{device:?} is not a device id")))?;
        let url = parse_relay_url(relay).map_err(net)?;
        hearth_sync::node::relay_address(id, url)
            .map(Self)
            .map_err(net)
    }
}

/// How this device's node comes up.
#[derive(Debug, Clone, Default)]
pub struct NetOptions {
    /// The UDP port, 0 for any.
    pub port: u16,
    pub relays: Relays,
    pub mdns: bool,
    /// Accept a relay's self-signed certificate (tests' local relay).
    #[cfg(feature = "test-utils")]
    pub insecure_relay_for_tests: bool,
}

impl NetOptions {
    /// The options the person's settings ask for, on `port`.
    pub fn from_config(config: &NetConfig, port: u16) -> Result<Self> {
        Ok(Self {
            port,
            relays: match &config.relay {
                RelayChoice::Off => Relays::Off,
                RelayChoice::N0 => Relays::Public,
                RelayChoice::Url(url) => Relays::Own(parse_relay_url(url).map_err(net)?),
            },
            mdns: config.lan_discovery,
            #[cfg(feature = "test-utils")]
            insecure_relay_for_tests: false,
        })
    }
}

/// Check a relay URL as `hearth config relay URL` takes it.
pub fn check_relay_url(url: &str) -> Result<()> {
    parse_relay_url(url).map(|_| ()).map_err(net)
}

/// Something that happened on the network, for the shells.
#[derive(Debug, Clone)]
pub enum NetEvent {
    /// An exchange with a device ended.
    Synced(std::result::Result<SyncReport, String>),
    /// A new device joined through the open invitation.
    Paired { device: String, name: String },
    /// A pairing attempt failed; the invitation is spent.
    PairingFailed(String),
    /// A person joined a circle through this device's invitation: who
    /// joined what, in words.
    CircleJoined(String),
    /// Ops from another device changed these entries (created or edited)
    /// and purged those; the journal in memory has them already.
    EntriesChanged {
        changed: Vec<crate::EntryId>,
        purged: Vec<crate::EntryId>,
    },
    /// Ops from another device changed these circles (their ids): new
    /// shared entries, replies, members or notes.
    CirclesChanged { circles: Vec<String> },
    /// Photos and files moved with a device (its id): how many each way,
    /// or why the transfer stopped (the next one resumes).
    FilesMoved {
        device: String,
        received: usize,
        sent: usize,
        error: Option<String>,
    },
    /// The node came up; devices can dial it with this address ticket.
    Up { ticket: String },
    /// The node closed (offline mode, or outside the sync windows).
    Closed {
        state: NodeStatus,
        opens_at: Option<DateTime<Utc>>,
    },
}

/// This device's running node.
pub struct Network {
    pub(crate) node: Arc<Node>,
    /// Whether devices can be found on the local network (mDNS), so that
    /// one with no known address is still worth dialling.
    mdns: bool,
    journal: SharedJournal,
    events: tokio::sync::broadcast::Sender<NetEvent>,
    recorder: tokio::task::JoinHandle<()>,
    /// Tells the recorder to record what is left and stop.
    stop_recorder: tokio::sync::oneshot::Sender<()>,
}

impl Network {
    /// Bind the endpoint and serve sync (and pairing, when `confirm` is
    /// given: it asks the person here whether a new device's code matches).
    pub async fn start(
        journal: SharedJournal,
        options: &NetOptions,
        confirm: Option<Confirm>,
    ) -> Result<Network> {
        let (secret, trusted, invites_until) = {
            let j = lock(&journal);
            (
                j.device_key().to_bytes(),
                j.allowed_peers()?,
                j.circle_invites_until()?,
            )
        };
        let allowlist = Allowlist::default();
        allowlist.set(trusted);
        allowlist.set_circle_invites_until(invites_until);
        let node_options = NodeOptions {
            port: options.port,
            relays: options.relays.clone(),
            mdns: options.mdns,
            #[cfg(feature = "test-utils")]
            insecure_relay_for_tests: options.insecure_relay_for_tests,
            ..NodeOptions::direct(secret)
        };
        let host = confirm.map(|confirm| {
            Arc::new(Host {
                journal: journal.clone(),
                confirm,
            }) as Arc<dyn PairHost>
        });
        let (events, _) = tokio::sync::broadcast::channel(256);
        let replica = Arc::new(JournalReplica {
            journal: journal.clone(),
            events: Some(events.clone()),
        });
        let greeter = Arc::new(Greeter {
            journal: journal.clone(),
        }) as Arc<dyn InviteHost>;
        let node = Node::spawn(
            &node_options,
            replica.clone(),
            allowlist.clone(),
            host,
            Some(greeter),
            Some(replica as Arc<dyn hearth_sync::FileStore>),
        )
        .await
        .map_err(net)?;
        let (stop_recorder, stop) = tokio::sync::oneshot::channel();
        let recorder = tokio::spawn(record(
            node.events(),
            journal.clone(),
            allowlist,
            events.clone(),
            stop,
        ));
        Ok(Network {
            node: Arc::new(node),
            mdns: options.mdns,
            journal,
            events,
            recorder,
            stop_recorder,
        })
    }

    pub fn journal(&self) -> &SharedJournal {
        &self.journal
    }

    /// This device's id, 64 hex digits.
    pub fn id(&self) -> String {
        hex::encode(self.node.id())
    }

    /// This device's address, as a ticket for `hearth sync --peer`.
    pub fn ticket(&self) -> String {
        self.node.ticket()
    }

    pub fn events(&self) -> tokio::sync::broadcast::Receiver<NetEvent> {
        self.events.subscribe()
    }

    /// Open a pairing invitation valid for `ttl`; returns its ticket.
    pub fn invite(&self, ttl: Duration) -> String {
        self.node.invite(ttl).to_string()
    }

    pub fn close_invite(&self) {
        self.node.close_invite();
    }

    /// Exchange with the device at `peer`.
    pub async fn sync_peer(&self, peer: &PeerAddress) -> Result<SyncReport> {
        self.sync_addr(peer.0.clone()).await
    }

    pub(crate) async fn sync_addr(&self, addr: EndpointAddr) -> Result<SyncReport> {
        let device = *addr.id.as_bytes();
        let circles = || lock(&self.journal).circle_ids().map_or(0, |c| c.len());
        let before = circles();
        let mut outcome = exchange(&self.node, addr.clone()).await?;
        if circles() > before {
            // A circle's key arrived: both devices list the circle now, so
            // its ops move in a second exchange. If that one fails (the
            // other device stopped serving), the first still counts and
            // the circle comes with the next.
            match exchange(&self.node, addr.clone()).await {
                Ok(second) => {
                    let then = outcome;
                    outcome = second;
                    outcome.sent += then.sent;
                    outcome.received.stored += then.received.stored;
                    outcome.received.duplicates += then.received.duplicates;
                    outcome.bytes_sent += then.bytes_sent;
                    outcome.bytes_received += then.bytes_received;
                }
                Err(e) => {
                    tracing::info!(error = %e, "a circle's ops did not move yet");
                }
            }
        }
        let mut report = self.report(&device, &outcome);
        // Files move after the text, on their own: a failure here leaves
        // the exchange of ops as it was, and the next one resumes.
        match self.node.exchange_files(addr).await {
            Ok(files) => {
                report.files_received = files.received;
                report.files_sent = files.sent;
            }
            Err(e) => tracing::info!(error = %e, "photos and files did not move yet"),
        }
        Ok(report)
    }

    /// Keep the other devices up to date until `stop` completes: within a
    /// quarter of a second of this journal's log changing (by this process
    /// or any other with the vault open), dial each trusted device at its
    /// last address and exchange; and exchange with each at least once a
    /// minute, so that what they wrote arrives even when they cannot dial
    /// here. A device that cannot be reached is tried again after
    /// [`RETRY`].
    pub async fn serve_until(&self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut ticker = tokio::time::interval(Duration::from_millis(250));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_vector: Option<crate::VersionVector> = None;
        let mut allowed: Vec<[u8; 32]> = Vec::new();
        let peers: Arc<Mutex<BTreeMap<[u8; 32], PushState>>> = Arc::default();
        loop {
            tokio::select! {
                _ = &mut stop => return,
                _ = ticker.tick() => {}
            }
            let journal = self.journal.clone();
            let (before, known) = (last_vector.clone(), allowed.clone());
            let looked = tokio::task::spawn_blocking(move || {
                let mut j = lock(&journal);
                let vector = j.version_vector()?;
                j.reload_registry()?;
                if before.as_ref() != Some(&vector) {
                    // What another process wrote (an attached photo, say)
                    // is what this one offers and asks for.
                    j.take_in_other_writes()?;
                }
                // Who may connect changes only with the log (a pairing, a
                // removal, someone joining a circle).
                let allowed = if before.as_ref() == Some(&vector) {
                    known
                } else {
                    j.allowed_peers()?
                };
                let peers: Vec<([u8; 32], Vec<SocketAddr>)> = allowed
                    .iter()
                    .map(|d| (*d, j.peer_record(d).addrs))
                    .collect();
                let invites_until = j.circle_invites_until()?;
                Ok::<_, CoreError>((vector, allowed, peers, invites_until))
            })
            .await;
            let (vector, now_allowed, trusted, invites_until) = match looked {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "could not read the journal");
                    continue;
                }
                Err(_) => continue,
            };
            allowed = now_allowed;
            self.node.allowlist().set(allowed.iter().copied());
            self.node
                .allowlist()
                .set_circle_invites_until(invites_until);
            let changed = last_vector.as_ref() != Some(&vector);
            last_vector = Some(vector.clone());
            let now = tokio::time::Instant::now();
            for (device, addrs) in trusted {
                if addrs.is_empty() && !self.mdns {
                    continue;
                }
                let mut states = peers.lock().unwrap_or_else(|p| p.into_inner());
                let state = states.entry(device).or_default();
                let due = state.pushed.as_ref() != Some(&vector) || now >= state.next;
                if state.busy || !due || (now < state.next && !changed && state.failed) {
                    continue;
                }
                state.busy = true;
                drop(states);
                let Ok(addr) = address(device, &addrs) else {
                    continue;
                };
                let (node, peers, vector) = (self.node.clone(), peers.clone(), vector.clone());
                tokio::spawn(async move {
                    let result = exchange(&node, addr.clone()).await;
                    let files_due = {
                        let mut states = peers.lock().unwrap_or_else(|p| p.into_inner());
                        let state = states.entry(device).or_default();
                        let due = result.is_ok() && !state.files_busy;
                        state.files_busy |= due;
                        due
                    };
                    if files_due {
                        // Photos move beside the text, never ahead of it.
                        let (node, peers) = (node.clone(), peers.clone());
                        let addr = addr.clone();
                        tokio::spawn(async move {
                            if let Err(e) = node.exchange_files(addr).await {
                                tracing::info!(error = %e, "photos and files did not move yet");
                            }
                            let mut states = peers.lock().unwrap_or_else(|p| p.into_inner());
                            states.entry(device).or_default().files_busy = false;
                        });
                    }
                    let mut states = peers.lock().unwrap_or_else(|p| p.into_inner());
                    let state = states.entry(device).or_default();
                    state.busy = false;
                    let now = tokio::time::Instant::now();
                    match result {
                        Ok(_) => {
                            state.pushed = Some(vector);
                            state.failed = false;
                            state.next = now + PULL_EVERY;
                        }
                        Err(e) => {
                            tracing::info!(error = %e, "could not reach a device; trying again later");
                            state.failed = true;
                            state.next = now + RETRY;
                        }
                    }
                });
            }
        }
    }

    /// Exchange with every trusted device (the person's own, and those of
    /// the people they share a circle with) at the addresses it was last
    /// reached on. Devices never reached are skipped.
    pub async fn sync_known(&self) -> Vec<(String, Result<SyncReport>)> {
        let peers: Vec<([u8; 32], String, Vec<SocketAddr>, bool)> = {
            let j = lock(&self.journal);
            let own = j.trusted_peers();
            let others = j
                .circle_peers()
                .map(|p| p.into_keys().collect())
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "could not read the circles' devices");
                    Vec::new()
                });
            own.iter()
                .map(|d| (*d, true))
                .chain(others.into_iter().map(|d| (d, false)))
                .map(|(d, own)| (d, j.device_name(&d), j.peer_record(&d).addrs, own))
                .collect()
        };
        let mut out = Vec::new();
        for (device, name, addrs, own) in peers {
            if addrs.is_empty() && !own && !self.mdns {
                // Another member's device never reached: nothing to say.
                continue;
            }
            if addrs.is_empty() && !self.mdns {
                out.push((
                    name,
                    Err(CoreError::invalid(
                        "no address known for it yet: sync once with `hearth sync --peer TICKET`",
                    )),
                ));
                continue;
            }
            let result = match address(device, &addrs) {
                Ok(addr) => self.sync_addr(addr).await,
                Err(e) => Err(net(e)),
            };
            out.push((name, result));
        }
        out
    }

    fn report(&self, device: &[u8; 32], outcome: &Outcome) -> SyncReport {
        SyncReport::of(device, lock(&self.journal).device_name(device), outcome)
    }

    /// Stop serving and close every socket; what was recorded is kept.
    pub async fn shutdown(self) {
        self.node.shutdown().await;
        let _ = self.stop_recorder.send(());
        let _ = self.recorder.await;
    }
}

/// How often a running node exchanges with each device even when nothing
/// changed here, to take in what it wrote.
const PULL_EVERY: Duration = Duration::from_secs(60);

/// How long a running node waits before dialling a device it could not
/// reach again (unless this journal changes first).
const RETRY: Duration = Duration::from_secs(15);

/// How long dialling a device and the exchange may take in all before it is
/// given up.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(120);

/// What the push loop knows of one device.
#[derive(Debug)]
struct PushState {
    /// This journal's vector when the last exchange with it succeeded.
    pushed: Option<crate::VersionVector>,
    /// When to exchange again even if nothing changed.
    next: tokio::time::Instant,
    failed: bool,
    busy: bool,
    /// Photos and files are moving with it.
    files_busy: bool,
}

impl Default for PushState {
    fn default() -> Self {
        Self {
            pushed: None,
            next: tokio::time::Instant::now(),
            failed: false,
            busy: false,
            files_busy: false,
        }
    }
}

/// One exchange with a device, bounded in time.
async fn exchange(node: &Node, addr: EndpointAddr) -> Result<Outcome> {
    tokio::time::timeout(EXCHANGE_TIMEOUT, node.sync_with(addr))
        .await
        .map_err(|_| CoreError::Network("the exchange took too long and was given up".into()))?
        .map_err(net)
}

/// Record each exchange, keep the allowlist in step with the registry, and
/// pass events on to the shells.
async fn record(
    mut node_events: tokio::sync::broadcast::Receiver<NodeEvent>,
    journal: SharedJournal,
    allowlist: Allowlist,
    events: tokio::sync::broadcast::Sender<NetEvent>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    let mut stopping = false;
    loop {
        let event = if stopping {
            // Record what is left, then stop.
            match node_events.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Lagged(_)) => continue,
                Err(_) => return,
            }
        } else {
            tokio::select! {
                _ = &mut stop => { stopping = true; continue; }
                e = node_events.recv() => match e {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                },
            }
        };
        let journal = journal.clone();
        let allowlist = allowlist.clone();
        let shell_event = tokio::task::spawn_blocking(move || {
            let mut j = lock(&journal);
            let event = match event {
                NodeEvent::Exchanged {
                    peer,
                    addrs,
                    result,
                } => {
                    if let Err(e) = j.record_exchange(&peer, &addrs, result.as_ref().ok()) {
                        tracing::warn!(error = %e, "could not record an exchange");
                    }
                    NetEvent::Synced(match result {
                        Ok(outcome) => Ok(SyncReport::of(&peer, j.device_name(&peer), &outcome)),
                        Err(e) => Err(e.to_string()),
                    })
                }
                NodeEvent::Paired { device, name } => NetEvent::Paired {
                    device: hex::encode(device),
                    name,
                },
                NodeEvent::PairingFailed { reason } => NetEvent::PairingFailed(reason),
                NodeEvent::CircleJoined { joined, .. } => NetEvent::CircleJoined(joined),
                NodeEvent::FilesExchanged { peer, result } => {
                    let (received, sent, error) = match result {
                        Ok(o) => (o.received, o.sent, None),
                        Err(e) => (0, 0, Some(e.to_string())),
                    };
                    NetEvent::FilesMoved {
                        device: hex::encode(peer),
                        received,
                        sent,
                        error,
                    }
                }
            };
            match j.allowed_peers() {
                Ok(peers) => allowlist.set(peers),
                Err(e) => tracing::warn!(error = %e, "could not read who may connect"),
            }
            if let Ok(until) = j.circle_invites_until() {
                allowlist.set_circle_invites_until(until);
            }
            event
        })
        .await;
        if let Ok(event) = shell_event {
            let _ = events.send(event);
        }
    }
}

fn net(e: hearth_sync::NetError) -> CoreError {
    CoreError::Network(e.to_string())
}

/// How long the parts of joining took.
#[derive(Debug, Clone, Copy)]
pub struct JoinTimings {
    /// Dialling, proving the secret, both codes confirmed, the welcome.
    pub handshake: Duration,
    /// Creating this device's vault (the passphrase's KDF included).
    pub vault: Duration,
}

/// What joining a person's journal from a new device gave.
pub struct JoinedJournal {
    pub journal: Journal,
    /// How long each part took.
    pub timings: JoinTimings,
    pub recovery_key: RecoveryKey,
    /// The code both devices showed.
    pub code: String,
    /// The first exchange, which brought the journal over.
    pub first_sync: Result<SyncReport>,
}

/// Join the journal of the device that made `ticket`, creating this
/// device's vault in `home` with its own passphrase. `confirm` is shown the
/// code and says whether it matches the other device's.
pub async fn join(
    home: &Path,
    passphrase: &[u8],
    kdf: KdfParams,
    ticket: &str,
    name: &str,
    confirm: impl FnOnce(&str) -> bool + Send + 'static,
) -> Result<JoinedJournal> {
    let ticket = PairTicket::parse(ticket).map_err(net)?;
    if Vault::exists(home) {
        return Err(CoreError::invalid(format!(
            "a journal already exists in {}: pairing makes a new one, so give an empty data directory (--home); nothing was changed",
            home.display()
        )));
    }
    if passphrase.is_empty() {
        return Err(CoreError::invalid(
            "the passphrase is empty: choose one you will remember",
        ));
    }
    kdf.check().map_err(CoreError::Crypto)?;
    hearth_crypto::cert::check_name(name).map_err(|_| {
        CoreError::invalid(format!(
            "{name:?} cannot be a device name: give one line of 1 to {} bytes",
            hearth_crypto::cert::NAME_MAX
        ))
    })?;
    let device = DeviceSecrets::generate();
    let options = NodeOptions::direct(device.key.to_bytes());
    let started = std::time::Instant::now();
    let joined =
        hearth_sync::pair::join(&options, &ticket, name, device.agreement_public(), confirm)
            .await
            .map_err(net)?;
    let handshake = started.elapsed();
    let person = read_welcome(&joined.welcome)?;
    let journal = Vault::create_for(home, passphrase, kdf, person, device, name)?;
    let (journal, recovery_key) = Vault::with_recovery(home, journal)?;
    let vault = started.elapsed() - handshake;
    let mut journal = journal;
    journal.paired_with = Some(joined.inviter);
    let shared = Arc::new(Mutex::new(journal));
    let first_sync = async {
        let network = Network::start(shared.clone(), &NetOptions::default(), None).await?;
        network.node.allowlist().insert(joined.inviter);
        let result = network.sync_addr(ticket.addr.clone()).await;
        network.shutdown().await;
        result
    }
    .await;
    let mut journal = Arc::try_unwrap(shared)
        .map_err(|_| CoreError::invalid("the journal is still in use by the network"))?
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    journal.paired_with = None;
    Ok(JoinedJournal {
        journal,
        timings: JoinTimings { handshake, vault },
        recovery_key,
        code: joined.code,
        first_sync,
    })
}

/// What a running node tells the other processes on this vault (`hearth
/// status`, the desktop app): a local setting, rewritten when it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NodeState {
    pid: u32,
    state: NodeStatus,
    opens_at: Option<DateTime<Utc>>,
    ticket: Option<String>,
}

const NODE_STATE: &str = "node.state";

/// Whether this device's node is up, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// Accepting devices and pushing changes.
    Running,
    /// Offline mode is on: no socket is open.
    Offline,
    /// Outside the sync windows: closed until the next one opens.
    Waiting,
    /// No node is running for this vault.
    Stopped,
}

/// The node's part of `hearth status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NodeReport {
    pub state: NodeStatus,
    /// The process running it.
    pub pid: Option<u32>,
    /// When the node next opens (waiting for a sync window).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub opens_at: Option<DateTime<Utc>>,
    /// Its address ticket, for `hearth sync --peer`.
    pub ticket: Option<String>,
}

/// One other device's part of `hearth status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceSync {
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_seen: Option<DateTime<Utc>>,
    /// When the last exchange with it finished.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_synced: Option<DateTime<Utc>>,
    /// Whether both held the same ops when it finished; `None`: never
    /// exchanged.
    pub equal_then: Option<bool>,
    /// This device's changes it has not confirmed holding.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unconfirmed: u64,
}

/// `hearth status`: the node and each other device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub node: NodeReport,
    pub devices: Vec<DeviceSync>,
}

fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

impl Journal {
    pub(crate) fn set_node_state(&mut self, state: Option<NodeState>) -> Result<()> {
        match state {
            Some(s) => self.set_setting(NODE_STATE, &s),
            None => self.set_setting(NODE_STATE, &Option::<NodeState>::None),
        }
    }

    /// Where sync stands: whether a node runs for this vault (in any
    /// process), and per device when it last exchanged with this one,
    /// whether they were equal then, and how many of this device's changes
    /// it has not confirmed. It never claims more than it knows.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let config = self.net_config()?;
        let running: Option<NodeState> = self
            .setting::<Option<NodeState>>(NODE_STATE)?
            .flatten()
            .filter(|s| process_alive(s.pid));
        let node = match (&running, config.gate(chrono::Local::now())) {
            (_, Gate::Offline) => NodeReport {
                state: NodeStatus::Offline,
                pid: running.as_ref().map(|s| s.pid),
                opens_at: None,
                ticket: None,
            },
            (Some(s), _) => NodeReport {
                state: s.state,
                pid: Some(s.pid),
                opens_at: s.opens_at,
                ticket: s.ticket.clone(),
            },
            (None, _) => NodeReport {
                state: NodeStatus::Stopped,
                pid: None,
                opens_at: None,
                ticket: None,
            },
        };
        let me = *self.device_key().public().as_bytes();
        let own = self
            .store
            .read()
            .head(&self.scope(), &me)?
            .map_or(0, |(seq, _)| seq);
        let mut devices: Vec<DeviceSync> = self
            .trusted_peers()
            .into_iter()
            .map(|d| {
                let r = self.peer_record(&d);
                DeviceSync {
                    id: hex::encode(d),
                    name: self.device_name(&d),
                    last_seen: r.last_seen,
                    last_synced: r.last_synced,
                    equal_then: r.last_synced.map(|_| r.equal),
                    unconfirmed: own.saturating_sub(r.confirmed),
                }
            })
            .collect();
        devices.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(SyncStatus { node, devices })
    }
}

/// What the shell running a node may ask of it.
pub enum NodeCommand {
    /// Open a pairing invitation valid for `ttl`; the reply is its ticket,
    /// or why not (the node is closed).
    Invite {
        ttl: Duration,
        reply: tokio::sync::oneshot::Sender<Result<String>>,
    },
    /// Close the open invitation.
    CloseInvite,
    /// Exchange with every known device now; the reply is what moved.
    SyncNow {
        reply: tokio::sync::oneshot::Sender<Vec<(String, Result<SyncReport>)>>,
    },
    /// Open an invitation to a circle (id or name) valid for `ttl`.
    CircleInvite {
        circle: String,
        ttl: Duration,
        reply: tokio::sync::oneshot::Sender<Result<crate::circle_invite::CircleInvitation>>,
    },
    /// Join a circle by its ticket (see [`Network::join_circle`]); the node
    /// goes on serving meanwhile.
    JoinCircle {
        ticket: String,
        as_name: String,
        accept: Box<dyn FnOnce(&crate::circle_invite::CirclePreview) -> bool + Send>,
        reply: tokio::sync::oneshot::Sender<Result<Option<crate::circle_invite::JoinedCircle>>>,
    },
}

/// How a shell runs this device's node with [`run_node`].
pub struct NodeRun {
    /// The UDP port, 0 for any.
    pub port: u16,
    /// Hears everything that happens, across the node closing and opening.
    pub events: tokio::sync::broadcast::Sender<NetEvent>,
    /// Asks the person whether a new device's code matches; without it the
    /// node refuses invitations.
    pub confirm: Option<Confirm>,
    pub commands: tokio::sync::mpsc::Receiver<NodeCommand>,
}

/// Run this device's node for as long as `stop` has not completed, the way
/// the person's settings say: up while online and inside a sync window
/// (accepting devices, pushing changes, answering commands), closed (no
/// socket open) while offline or outside every window, and brought up or
/// down within a second of a setting changing, from any process.
pub async fn run_node(
    journal: SharedJournal,
    mut run: NodeRun,
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    tokio::pin!(stop);
    let pid = std::process::id();
    let events = run.events.clone();
    let mut commands_open = true;
    let result = async {
        loop {
            let config = lock(&journal).net_config()?;
            let gate = config.gate(chrono::Local::now());
            let changed = gate_changes(journal.clone(), config.clone(), gate.clone());
            tokio::pin!(changed);
            match gate {
                Gate::Open => {
                    let options = NetOptions::from_config(&config, run.port)?;
                    let net = Network::start(journal.clone(), &options, run.confirm.clone()).await?;
                    let mut from_node = net.events();
                    let forward = events.clone();
                    let forwarder = tokio::spawn(async move {
                        loop {
                            match from_node.recv().await {
                                Ok(e) => {
                                    let _ = forward.send(e);
                                }
                                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                                Err(_) => return,
                            }
                        }
                    });
                    lock(&journal).set_node_state(Some(NodeState {
                        pid,
                        state: NodeStatus::Running,
                        opens_at: None,
                        ticket: Some(net.ticket()),
                    }))?;
                    let _ = events.send(NetEvent::Up {
                        ticket: net.ticket(),
                    });
                    let stopped = std::sync::atomic::AtomicBool::new(false);
                    {
                    let serving = net.serve_until(async {
                        tokio::select! {
                            _ = &mut stop => stopped.store(true, std::sync::atomic::Ordering::SeqCst),
                            _ = &mut changed => {}
                        }
                    });
                    tokio::pin!(serving);
                    let mut joining: Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>> = None;
                    loop {
                        tokio::select! {
                            _ = &mut serving => break,
                            () = async { if let Some(j) = joining.as_mut() { j.await } }, if joining.is_some() => {
                                joining = None;
                            }
                            command = run.commands.recv(), if commands_open => match command {
                                None => commands_open = false,
                                Some(NodeCommand::Invite { ttl, reply }) => {
                                    let _ = reply.send(if run.confirm.is_some() {
                                        Ok(net.invite(ttl))
                                    } else {
                                        Err(CoreError::invalid("this node does not take new devices"))
                                    });
                                }
                                Some(NodeCommand::CloseInvite) => net.close_invite(),
                                Some(NodeCommand::SyncNow { reply }) => {
                                    let _ = reply.send(net.sync_known().await);
                                }
                                Some(NodeCommand::CircleInvite { circle, ttl, reply }) => {
                                    let _ = reply.send(net.invite_to_circle(&circle, ttl));
                                }
                                Some(NodeCommand::JoinCircle { ticket, as_name, accept, reply }) => {
                                    if joining.is_some() {
                                        let _ = reply.send(Err(CoreError::invalid(
                                            "joining a circle is already under way: wait for it to finish",
                                        )));
                                    } else {
                                        let net = &net;
                                        joining = Some(Box::pin(async move {
                                            let _ = reply.send(net.join_circle(&ticket, &as_name, accept).await);
                                        }));
                                    }
                                }
                            },
                        }
                    }
                    }
                    net.shutdown().await;
                    forwarder.abort();
                    if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                        return Ok(());
                    }
                }
                Gate::Offline | Gate::Closed { .. } => {
                    let (state, opens_at) = match gate {
                        Gate::Closed { opens_at } => {
                            (NodeStatus::Waiting, Some(opens_at.with_timezone(&Utc)))
                        }
                        _ => (NodeStatus::Offline, None),
                    };
                    lock(&journal).set_node_state(Some(NodeState {
                        pid,
                        state,
                        opens_at,
                        ticket: None,
                    }))?;
                    let _ = events.send(NetEvent::Closed { state, opens_at });
                    let why = match state {
                        NodeStatus::Offline => "offline mode is on",
                        _ => "it is outside the sync windows",
                    };
                    loop {
                        tokio::select! {
                            _ = &mut stop => return Ok(()),
                            _ = &mut changed => break,
                            command = run.commands.recv(), if commands_open => match command {
                                None => commands_open = false,
                                Some(NodeCommand::Invite { reply, .. }) => {
                                    let _ = reply.send(Err(CoreError::Network(format!(
                                        "the node is closed: {why}"
                                    ))));
                                }
                                Some(NodeCommand::CloseInvite) => {}
                                Some(NodeCommand::SyncNow { reply }) => {
                                    let _ = reply.send(vec![(
                                        "every device".into(),
                                        Err(CoreError::Network(format!("the node is closed: {why}"))),
                                    )]);
                                }
                                Some(NodeCommand::CircleInvite { reply, .. }) => {
                                    let _ = reply.send(Err(CoreError::Network(format!(
                                        "the node is closed, so no one could join: {why}"
                                    ))));
                                }
                                Some(NodeCommand::JoinCircle { reply, .. }) => {
                                    let _ = reply.send(Err(CoreError::Network(format!(
                                        "the node is closed, so the circle cannot be reached: {why}"
                                    ))));
                                }
                            },
                        }
                    }
                }
            }
        }
    }
    .await;
    let _ = lock(&journal).set_node_state(None);
    result
}

/// Completes once the settings or the time say the node should change
/// state: checked every half second.
async fn gate_changes(journal: SharedJournal, config: NetConfig, gate: Gate) {
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let j = journal.clone();
        let now = tokio::task::spawn_blocking(move || lock(&j).net_config()).await;
        let Ok(Ok(now_config)) = now else { continue };
        if now_config != config || now_config.gate(chrono::Local::now()) != gate {
            return;
        }
    }
}
