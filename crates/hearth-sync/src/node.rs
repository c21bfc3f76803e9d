//! The device's place on the network: an iroh endpoint keyed by the device
//! key, with Hearth's protocols served on it.
//!
//! Nothing reaches out unless the person allowed it: the endpoint starts
//! from `presets::Minimal` (no address lookup, no relay), the port mapper is
//! off, mDNS is added only when asked, and relays only when configured.
//! Every connection, in or out, passes the [`Allowlist`] right after the
//! TLS handshake and before any application data: only the person's
//! trusted devices (the person's own, and those of the people they share a
//! circle with) may speak the sync protocol, and anyone may reach the
//! pairing or circle-joining protocol only while an invitation of its kind
//! is open (its secret is checked inside it).

use crate::files::{self, FileStore, FilesOutcome, FilesProtocol};
use crate::invite::{self, CircleTicket, Decision, InviteHost, Joining};
use crate::pair::{self, Invite, PairHost, PairTicket};
use crate::replica::Replica;
use crate::session::{self, Outcome};
use crate::{ALPN, CIRCLE_ALPN, FILES_ALPN, NetError, PAIR_ALPN, SessionError};
use iroh::address_lookup::AddressLookupBuilder;
use iroh::endpoint::{
    AfterHandshakeOutcome, Connection, EndpointHooks, PortmapperConfig, Side, VarInt, presets,
};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use iroh::{Endpoint, EndpointId, RelayMode, SecretKey, TransportAddr};
pub use iroh::{EndpointAddr, RelayUrl};
use iroh_tickets::Ticket;
use iroh_tickets::endpoint::EndpointTicket;
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

/// The QUIC close code for a refused peer.
const REFUSED: u32 = 1;

/// The close reason for a pairing connection with no invitation open.
pub(crate) const NO_INVITATION: &[u8] = b"no open invitation";

/// Which relays the endpoint may use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Relays {
    /// None: devices reach each other directly or not at all.
    #[default]
    Off,
    /// iroh's public relays and address lookup (n0's servers).
    Public,
    /// A relay the person runs, by URL.
    Own(RelayUrl),
}

/// How to bring the endpoint up.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The device key's 32 secret bytes: the endpoint id is the device id.
    pub secret_key: [u8; 32],
    /// The IPv4 address to listen on; `0.0.0.0` for every interface.
    pub ip: Ipv4Addr,
    /// The UDP port, 0 for any. A fixed port keeps the addresses other
    /// devices remember valid across restarts.
    pub port: u16,
    pub relays: Relays,
    /// Announce and find devices on the local network (mDNS).
    pub mdns: bool,
    /// Accept a relay's certificate without checking it: tests against a
    /// local relay only.
    #[cfg(feature = "test-utils")]
    pub insecure_relay_for_tests: bool,
}

impl NodeOptions {
    /// Direct connections only, on every interface, any port.
    pub fn direct(secret_key: [u8; 32]) -> Self {
        Self {
            secret_key,
            ip: Ipv4Addr::UNSPECIFIED,
            port: 0,
            relays: Relays::Off,
            mdns: false,
            #[cfg(feature = "test-utils")]
            insecure_relay_for_tests: false,
        }
    }
}

/// The devices allowed to connect, kept up to date by the core as its
/// registry changes; the hook reads it on every handshake.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    trusted: Arc<RwLock<BTreeSet<[u8; 32]>>>,
    invite: Arc<Mutex<Option<Arc<Invite>>>>,
    /// Until when (Unix seconds) a circle invitation is open here; the
    /// invitations themselves are the core's, in the vault.
    circle_invites_until: Arc<AtomicI64>,
}

impl Allowlist {
    /// Replace the trusted devices.
    pub fn set(&self, devices: impl IntoIterator<Item = [u8; 32]>) {
        let mut trusted = self.trusted.write().unwrap_or_else(|p| p.into_inner());
        *trusted = devices.into_iter().collect();
    }

    pub fn insert(&self, device: [u8; 32]) {
        self.trusted
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(device);
    }

    pub fn contains(&self, device: &[u8; 32]) -> bool {
        self.trusted
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(device)
    }

    pub(crate) fn open_invite(&self) -> Option<Arc<Invite>> {
        self.invite
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|i| i.is_open())
    }

    /// Admit strangers under `hearth/circle/1` until `until` (Unix
    /// seconds), when the last circle invitation open here expires; `None`
    /// when none is open.
    pub fn set_circle_invites_until(&self, until: Option<i64>) {
        self.circle_invites_until
            .store(until.unwrap_or(0), Ordering::SeqCst);
    }

    fn circle_invites_open(&self) -> bool {
        pair::now() < self.circle_invites_until.load(Ordering::SeqCst)
    }

    fn set_invite(&self, invite: Option<Arc<Invite>>) {
        *self.invite.lock().unwrap_or_else(|p| p.into_inner()) = invite;
    }
}

impl EndpointHooks for Allowlist {
    async fn after_handshake<'a>(&'a self, conn: &'a Connection) -> AfterHandshakeOutcome {
        let peer = *conn.remote_id().as_bytes();
        let dialled = conn.side() == Side::Client;
        let allowed = match conn.alpn() {
            a if a == ALPN || a == FILES_ALPN => self.contains(&peer),
            // A device dials a pairing ticket on purpose; it admits a
            // stranger only while its own invitation is open.
            a if a == PAIR_ALPN => dialled || self.open_invite().is_some(),
            a if a == CIRCLE_ALPN => dialled || self.circle_invites_open(),
            _ => false,
        };
        if allowed {
            AfterHandshakeOutcome::accept()
        } else {
            tracing::info!(peer = %conn.remote_id().fmt_short(), "refused a device that is not trusted");
            let reason: &[u8] = if conn.alpn() == PAIR_ALPN || conn.alpn() == CIRCLE_ALPN {
                NO_INVITATION
            } else {
                b"not a trusted device"
            };
            AfterHandshakeOutcome::Reject {
                error_code: VarInt::from_u32(REFUSED),
                reason: reason.to_vec(),
            }
        }
    }
}

/// What the node tells whoever runs it.
#[derive(Debug, Clone)]
pub enum NodeEvent {
    /// An exchange with a device ended (it dialled, or this node did).
    Exchanged {
        peer: [u8; 32],
        /// The addresses it was reached on.
        addrs: Vec<SocketAddr>,
        result: Result<Outcome, SessionError>,
    },
    /// A new device was admitted through the open invitation.
    Paired { device: [u8; 32], name: String },
    /// A pairing attempt failed or was refused; the invitation is spent.
    PairingFailed { reason: String },
    /// A person joined a circle through one of this device's invitations,
    /// from `device`; `joined` says who joined what.
    CircleJoined { device: [u8; 32], joined: String },
    /// A transfer of photos and files with a device ended (it dialled, or
    /// this node did).
    FilesExchanged {
        peer: [u8; 32],
        result: Result<FilesOutcome, SessionError>,
    },
}

/// A running endpoint serving the sync and pairing protocols.
pub struct Node {
    router: Router,
    allowlist: Allowlist,
    replica: Arc<dyn Replica>,
    files: Option<Arc<dyn FileStore>>,
    events: broadcast::Sender<NodeEvent>,
}

#[derive(Debug, Clone)]
struct SyncProtocol {
    replica: Arc<dyn Replica>,
    events: broadcast::Sender<NodeEvent>,
}

impl std::fmt::Debug for dyn Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Replica")
    }
}

impl ProtocolHandler for SyncProtocol {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let peer = *conn.remote_id().as_bytes();
        let addrs = remote_ips(&conn);
        let result = async {
            let (mut send, mut recv) = conn
                .accept_bi()
                .await
                .map_err(|e| SessionError::Io(e.to_string()))?;
            session::run(&mut recv, &mut send, self.replica.clone(), peer).await
        }
        .await;
        match &result {
            // The dialler closes once it has read everything.
            Ok(_) => {
                let _ = tokio::time::timeout(session::READ_TIMEOUT, conn.closed()).await;
            }
            Err(e) => {
                tracing::warn!(peer = %conn.remote_id().fmt_short(), error = %e, "an exchange failed");
                conn.close(VarInt::from_u32(2), b"exchange failed");
            }
        }
        let _ = self.events.send(NodeEvent::Exchanged {
            peer,
            addrs,
            result,
        });
        Ok(())
    }
}

impl Node {
    /// Bind the endpoint and start serving. Binding opens the sockets and
    /// nothing else: no packet leaves until a device is dialled (or, with
    /// mDNS on, the device is announced on the local network).
    pub async fn spawn(
        options: &NodeOptions,
        replica: Arc<dyn Replica>,
        allowlist: Allowlist,
        pair_host: Option<Arc<dyn PairHost>>,
        invite_host: Option<Arc<dyn InviteHost>>,
        files: Option<Arc<dyn FileStore>>,
    ) -> Result<Node, NetError> {
        let endpoint = bind(options, allowlist.clone()).await?;
        let endpoint_id = endpoint.id();
        let (events, _) = broadcast::channel(64);
        let sync = SyncProtocol {
            replica: replica.clone(),
            events: events.clone(),
        };
        let mut router = Router::builder(endpoint).accept(ALPN, sync);
        if let Some(host) = pair_host {
            router = router.accept(
                PAIR_ALPN,
                pair::Inviter {
                    host,
                    me: *endpoint_id.as_bytes(),
                    allowlist: allowlist.clone(),
                    events: events.clone(),
                },
            );
        }
        if let Some(host) = invite_host {
            router = router.accept(
                CIRCLE_ALPN,
                invite::Host {
                    host,
                    allowlist: allowlist.clone(),
                    events: events.clone(),
                },
            );
        }
        if let Some(store) = &files {
            router = router.accept(
                FILES_ALPN,
                FilesProtocol {
                    store: store.clone(),
                    events: events.clone(),
                },
            );
        }
        Ok(Node {
            router: router.spawn(),
            allowlist,
            replica,
            files,
            events,
        })
    }

    pub fn id(&self) -> [u8; 32] {
        *self.router.endpoint().id().as_bytes()
    }

    pub fn allowlist(&self) -> &Allowlist {
        &self.allowlist
    }

    pub fn events(&self) -> broadcast::Receiver<NodeEvent> {
        self.events.subscribe()
    }

    /// Where this device can be reached now, as an address ticket for
    /// `hearth sync --peer`.
    pub fn ticket(&self) -> String {
        EndpointTicket::new(self.addr()).to_string()
    }

    /// This endpoint's address: its id and the local addresses it listens
    /// on (the unspecified address expanded to the machine's interfaces by
    /// iroh).
    pub fn addr(&self) -> EndpointAddr {
        let endpoint = self.router.endpoint();
        let mut addr = endpoint.addr();
        if !addr.addrs.iter().any(|a| matches!(a, TransportAddr::Ip(_))) {
            for bound in endpoint.bound_sockets() {
                addr.addrs.insert(TransportAddr::Ip(bound));
            }
        }
        addr
    }

    /// Open an invitation for a new device: a one-time secret, valid for
    /// `ttl`, in a ticket with this device's address.
    pub fn invite(&self, ttl: std::time::Duration) -> PairTicket {
        let invite = Arc::new(Invite::new(ttl));
        self.allowlist.set_invite(Some(invite.clone()));
        PairTicket {
            addr: self.addr(),
            secret: invite.secret,
            expires_at: invite.expires_at,
        }
    }

    /// Close the open invitation, if any.
    pub fn close_invite(&self) {
        self.allowlist.set_invite(None);
    }

    /// A circle invitation's ticket: this device's address beside the
    /// secret (the invitation itself is kept by the core).
    pub fn circle_ticket(
        &self,
        secret: [u8; 32],
        circle: [u8; 16],
        expires_at: i64,
    ) -> CircleTicket {
        CircleTicket {
            addr: self.addr(),
            secret,
            circle,
            expires_at,
        }
    }

    /// Join a circle by its invitation: see [`invite::join`].
    pub async fn join_circle(
        &self,
        ticket: &CircleTicket,
        decide: impl FnOnce(Vec<u8>) -> Result<Decision, String> + Send + 'static,
    ) -> Result<Joining, NetError> {
        invite::join(self.router.endpoint(), ticket, decide).await
    }

    /// Dial a device and run one exchange with it.
    pub async fn sync_with(&self, addr: EndpointAddr) -> Result<Outcome, NetError> {
        let peer = *addr.id.as_bytes();
        let conn = self
            .router
            .endpoint()
            .connect(addr, ALPN)
            .await
            .map_err(|e| NetError::Connect(connect_reason(&e.to_string())))?;
        let addrs = remote_ips(&conn);
        let result = async {
            let (mut send, mut recv) = conn
                .open_bi()
                .await
                .map_err(|e| SessionError::Io(e.to_string()))?;
            let outcome = session::run(&mut recv, &mut send, self.replica.clone(), peer).await?;
            // Close only once the peer has everything this device sent.
            let _ = tokio::time::timeout(session::READ_TIMEOUT, send.stopped()).await;
            Ok(outcome)
        }
        .await;
        // Refused at the other side's handshake: it says so as it closes.
        let result = result.map_err(|e| match conn.close_reason() {
            Some(reason) if reason.to_string().contains("not a trusted device") => SessionError::Io(
                "the other device refused the connection: it does not know this device (pair them first, or this device was removed)".into(),
            ),
            _ => e,
        });
        conn.close(VarInt::from_u32(0), b"done");
        let _ = self.events.send(NodeEvent::Exchanged {
            peer,
            addrs,
            result: result.clone(),
        });
        result.map_err(NetError::Session)
    }

    /// Dial a device and move the files each lacks, both ways (see
    /// [`files`]). Nothing moves when this node keeps no files.
    pub async fn exchange_files(&self, addr: EndpointAddr) -> Result<FilesOutcome, NetError> {
        let Some(store) = &self.files else {
            return Ok(FilesOutcome::default());
        };
        let peer = *addr.id.as_bytes();
        let result = files::dial(self.router.endpoint(), addr, store.clone()).await;
        let _ = self.events.send(NodeEvent::FilesExchanged {
            peer,
            result: result.clone().map_err(|e| SessionError::Io(e.to_string())),
        });
        result
    }

    /// Stop serving and close the endpoint: every socket is closed when this
    /// returns.
    pub async fn shutdown(&self) {
        let _ = self.router.shutdown().await;
    }
}

/// Bind an endpoint for this device with the allowlist as its hook. When
/// the local network refuses mDNS (no multicast), the endpoint comes up
/// without it, and says so in the log.
pub(crate) async fn bind(options: &NodeOptions, hooks: Allowlist) -> Result<Endpoint, NetError> {
    match bind_with(options, hooks.clone()).await {
        Err(e) if options.mdns => {
            tracing::warn!(error = %e, "LAN discovery (mDNS) is not available here; going on without it");
            let without = NodeOptions {
                mdns: false,
                ..options.clone()
            };
            bind_with(&without, hooks).await
        }
        other => other,
    }
}

async fn bind_with(options: &NodeOptions, hooks: Allowlist) -> Result<Endpoint, NetError> {
    let mut builder = Endpoint::builder(presets::Minimal)
        .secret_key(SecretKey::from_bytes(&options.secret_key))
        .portmapper_config(PortmapperConfig::Disabled)
        .clear_ip_transports()
        .bind_addr(SocketAddr::V4(SocketAddrV4::new(options.ip, options.port)))
        .map_err(|e| NetError::Bind(e.to_string()))?
        .hooks(hooks);
    builder = match &options.relays {
        Relays::Off => builder.relay_mode(RelayMode::Disabled),
        Relays::Public => builder.preset(presets::N0),
        Relays::Own(url) => builder.relay_mode(RelayMode::custom([url.clone()])),
    };
    #[cfg(feature = "test-utils")]
    if options.insecure_relay_for_tests {
        builder = builder.ca_tls_config(iroh::tls::CaTlsConfig::insecure_skip_verify());
    }
    if options.mdns {
        builder = builder.address_lookup(mdns());
    }
    builder
        .bind()
        .await
        .map_err(|e| NetError::Bind(e.to_string()))
}

fn mdns() -> impl AddressLookupBuilder {
    iroh_mdns_address_lookup::MdnsAddressLookup::builder().service_name("hearth")
}

/// The IP addresses a connection's peer was reached on.
fn remote_ips(conn: &Connection) -> Vec<SocketAddr> {
    conn.paths()
        .iter()
        .filter_map(|p| match p.remote_addr() {
            TransportAddr::Ip(a) => Some(*a),
            _ => None,
        })
        .collect()
}

fn connect_reason(error: &str) -> String {
    if error.contains("rejected locally") || error.contains("LocallyRejected") {
        "that device is not one of this journal's devices: pair it first".into()
    } else if error.contains("not a trusted device") {
        "the other device refused the connection: it does not know this device (pair them first, or it was removed)".into()
    } else {
        format!("could not reach the device: {error}")
    }
}

/// Read an address ticket (`endpoint...`) as `hearth sync --peer` takes it.
pub fn parse_address_ticket(text: &str) -> Result<EndpointAddr, NetError> {
    EndpointTicket::decode_string(&text.trim().to_ascii_lowercase())
        .map(|t| t.endpoint_addr().clone())
        .map_err(|_| {
            NetError::Ticket(
                "this is not a device address: give the ticket `hearth serve` or `hearth status` prints (it starts with \"endpoint\")".into(),
            )
        })
}

/// Read a relay's URL (`https://relay.example.org`).
pub fn parse_relay_url(text: &str) -> Result<RelayUrl, NetError> {
    let url: RelayUrl = text.trim().parse().map_err(|_| {
        NetError::Ticket(format!(
            "{text:?} is not a relay URL: give one like https://relay.example.org"
        ))
    })?;
    if !text.trim().starts_with("https://") && !text.trim().starts_with("http://") {
        return Err(NetError::Ticket(format!(
            "{text:?} is not a relay URL: it starts with https://"
        )));
    }
    Ok(url)
}

/// An address reaching a device through a relay only.
pub fn relay_address(device: [u8; 32], relay: RelayUrl) -> Result<EndpointAddr, NetError> {
    let id =
        EndpointId::from_bytes(&device).map_err(|_| NetError::Ticket("not a device id".into()))?;
    Ok(EndpointAddr::from_parts(id, [TransportAddr::Relay(relay)]))
}

/// An address from a device id and the socket addresses last seen for it.
pub fn address(device: [u8; 32], addrs: &[SocketAddr]) -> Result<EndpointAddr, NetError> {
    let id =
        EndpointId::from_bytes(&device).map_err(|_| NetError::Ticket("not a device id".into()))?;
    Ok(EndpointAddr::from_parts(
        id,
        addrs.iter().map(|a| TransportAddr::Ip(*a)),
    ))
}
