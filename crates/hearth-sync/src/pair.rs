//! Pairing a new device (SYNC.md section 11): the existing device opens an
//! invitation, a one-time secret in a ticket beside its address; the new
//! device dials it under ALPN `hearth/pair/1` and proves the secret; both
//! show a short code derived from both device ids and the secret, and each
//! person confirms it matches. Then the existing device certifies the new
//! one and sends it the welcome (the user secrets, which hearth-core puts
//! together and opens: to this crate they are bytes).
//!
//! The connection is QUIC with TLS 1.3 and each side's key is its device
//! key, so the welcome travels end to end to exactly the device whose id the
//! code covers; the code stops a stranger who saw the ticket from joining in
//! its place.
//!
//! Messages on the one stream, in order:
//!
//! ```text
//! new → existing   u8 version 1 || secret (32) || agreement key (32) || u16 n || name (n)
//! existing → new   u8 status: 0 go on, 1 wrong secret, 2 expired, 3 already used
//! new → existing   u8 1 the code matches / 0 it does not
//! existing → new   u8 1 || u32 n || welcome (n)   or   u8 0 (refused here)
//! ```

use crate::node::{Allowlist, NodeEvent, NodeOptions, bind};
use crate::replica::ReplicaError;
use crate::{NetError, PAIR_ALPN};
use iroh::EndpointAddr;
use iroh::endpoint::{Connection, VarInt};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh_tickets::endpoint::EndpointTicket;
use iroh_tickets::{ParseError, Ticket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::broadcast;

/// How long each side waits for the other person to compare the code.
pub const CONFIRM_TIMEOUT: Duration = Duration::from_secs(300);

/// The largest welcome: the user secrets and a little more.
const MAX_WELCOME: u32 = 64 << 10;

/// Device names are at most 100 bytes (hearth-crypto's certificate rule).
const MAX_NAME: u16 = 100;

const GO_ON: u8 = 0;
const WRONG_SECRET: u8 = 1;
const EXPIRED: u8 = 2;
const USED: u8 = 3;

/// What the existing device does for pairing, from the core.
pub trait PairHost: Send + Sync + 'static {
    /// Ask the person here whether the new device shows `code`. Blocking.
    fn confirm(&self, code: &str, name: &str) -> bool;

    /// Certify the new device and put together its welcome. Blocking.
    fn admit(
        &self,
        device: [u8; 32],
        name: &str,
        agreement: [u8; 32],
    ) -> Result<Vec<u8>, ReplicaError>;
}

/// An open invitation on the existing device.
#[derive(Debug)]
pub struct Invite {
    pub(crate) secret: [u8; 32],
    /// Unix seconds.
    pub(crate) expires_at: i64,
    used: AtomicBool,
}

impl Invite {
    pub(crate) fn new(ttl: Duration) -> Self {
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        Self {
            secret: rand::random(),
            expires_at: now().saturating_add(ttl),
            used: AtomicBool::new(false),
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        !self.used.load(Ordering::SeqCst) && now() < self.expires_at
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A pairing ticket: where the existing device is, the one-time secret, and
/// when it expires. Its text form is `hearthpair` and base32.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairTicket {
    pub addr: EndpointAddr,
    pub secret: [u8; 32],
    /// Unix seconds.
    pub expires_at: i64,
}

impl Ticket for PairTicket {
    const KIND: &'static str = "hearthpair";

    fn encode_bytes(&self) -> Vec<u8> {
        let mut out = vec![1u8];
        out.extend_from_slice(&self.secret);
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out.extend_from_slice(&EndpointTicket::new(self.addr.clone()).encode_bytes());
        out
    }

    fn decode_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        let bad = || ParseError::verification_failed("not a Hearth pairing ticket");
        let (&version, rest) = bytes.split_first().ok_or_else(bad)?;
        if version != 1 {
            return Err(bad());
        }
        let (secret, rest) = rest.split_first_chunk::<32>().ok_or_else(bad)?;
        let (expires, rest) = rest.split_first_chunk::<8>().ok_or_else(bad)?;
        let addr = EndpointTicket::decode_bytes(rest)?.endpoint_addr().clone();
        Ok(PairTicket {
            addr,
            secret: *secret,
            expires_at: i64::from_be_bytes(*expires),
        })
    }
}

impl std::fmt::Display for PairTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode_string())
    }
}

impl PairTicket {
    /// Read a ticket as a person pasted or scanned it: case does not matter
    /// (its QR code carries it in capitals, which QR codes hold compactly).
    pub fn parse(text: &str) -> Result<Self, NetError> {
        Self::decode_string(&text.trim().to_ascii_lowercase()).map_err(|_| {
            NetError::Ticket(
                "this is not a pairing ticket: copy the whole ticket the other device shows (it starts with \"hearthpair\")".into(),
            )
        })
    }

    pub fn expired(&self) -> bool {
        now() >= self.expires_at
    }
}

/// The short code both people compare: six digits from both device ids
/// and the secret, so a stranger holding the ticket gets a different code.
pub fn code(existing: &[u8; 32], new: &[u8; 32], secret: &[u8; 32]) -> String {
    let h = hearth_crypto::hash(&[b"hearth/pair/code/v1", existing, new, secret]);
    let n = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % 1_000_000;
    format!("{:03}-{:03}", n / 1000, n % 1000)
}

pub(crate) fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The existing device's side: serves `hearth/pair/1` while an invitation
/// is open.
#[derive(Clone)]
pub(crate) struct Inviter {
    pub(crate) host: Arc<dyn PairHost>,
    /// This device's id.
    pub(crate) me: [u8; 32],
    pub(crate) allowlist: Allowlist,
    pub(crate) events: broadcast::Sender<NodeEvent>,
}

impl std::fmt::Debug for Inviter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inviter")
    }
}

impl ProtocolHandler for Inviter {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let device = *conn.remote_id().as_bytes();
        match self.pair(&conn, device).await {
            Ok(Some(name)) => {
                let _ = self.events.send(NodeEvent::Paired { device, name });
                let _ = tokio::time::timeout(CONFIRM_TIMEOUT, conn.closed()).await;
            }
            Ok(None) => {}
            Err(reason) => {
                tracing::info!(%reason, "pairing failed");
                let _ = self.events.send(NodeEvent::PairingFailed { reason });
                conn.close(VarInt::from_u32(1), b"pairing failed");
            }
        }
        Ok(())
    }
}

impl Inviter {
    /// Run one pairing. `Ok(None)`: a wrong secret, answered and ignored
    /// (the invitation stays open for the right device).
    async fn pair(&self, conn: &Connection, device: [u8; 32]) -> Result<Option<String>, String> {
        let gone = |e: &dyn std::fmt::Display| format!("the new device went away: {e}");
        let (mut send, mut recv) = conn.accept_bi().await.map_err(|e| gone(&e))?;
        let mut head = [0u8; 1 + 32 + 32 + 2];
        recv.read_exact(&mut head).await.map_err(|e| gone(&e))?;
        let secret: [u8; 32] = head[1..33].try_into().unwrap_or_default();
        let agreement: [u8; 32] = head[33..65].try_into().unwrap_or_default();
        let name_len = u16::from_be_bytes([head[65], head[66]]);
        if head[0] != 1 || name_len == 0 || name_len > MAX_NAME {
            return Err("the new device sent a malformed request".into());
        }
        let mut name = vec![0u8; usize::from(name_len)];
        recv.read_exact(&mut name).await.map_err(|e| gone(&e))?;
        let name = String::from_utf8(name)
            .map_err(|_| "the new device's name is not UTF-8".to_string())?;
        let Some(invite) = self.allowlist.open_invite() else {
            answer(&mut send, USED).await;
            return Err("the invitation is no longer open".into());
        };
        if !same(&invite.secret, &secret) {
            answer(&mut send, WRONG_SECRET).await;
            tracing::warn!("a device presented a wrong pairing secret");
            return Ok(None);
        }
        if now() >= invite.expires_at {
            answer(&mut send, EXPIRED).await;
            return Err("the invitation expired".into());
        }
        if invite.used.swap(true, Ordering::SeqCst) {
            answer(&mut send, USED).await;
            return Err("the invitation was already used".into());
        }
        send.write_all(&[GO_ON]).await.map_err(|e| gone(&e))?;
        let code = code(&self.me, &device, &secret);
        let host = self.host.clone();
        let (code_here, name_here) = (code.clone(), name.clone());
        let here = tokio::task::spawn_blocking(move || host.confirm(&code_here, &name_here));
        let there = async {
            let mut answer = [0u8; 1];
            tokio::time::timeout(CONFIRM_TIMEOUT, recv.read_exact(&mut answer))
                .await
                .map_err(|_| "the new device did not answer in time".to_string())?
                .map_err(|e| gone(&e))?;
            Ok::<bool, String>(answer[0] == 1)
        };
        let (here, there) = tokio::join!(here, there);
        let here = here.unwrap_or(false);
        let there = there?;
        if !here || !there {
            answer(&mut send, 0).await;
            return Err(if here {
                "the code was refused on the new device".into()
            } else {
                "the code was refused on this device".into()
            });
        }
        let host = self.host.clone();
        let admit_name = name.clone();
        let welcome =
            tokio::task::spawn_blocking(move || host.admit(device, &admit_name, agreement))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("this device could not admit the new one: {e}"))?;
        self.allowlist.insert(device);
        let mut out = vec![1u8];
        out.extend_from_slice(&(welcome.len() as u32).to_be_bytes());
        out.extend_from_slice(&welcome);
        send.write_all(&out).await.map_err(|e| gone(&e))?;
        let _ = send.finish();
        Ok(Some(name))
    }
}

/// What to do about a ticket that no longer works, from the terminal or the
/// app.
const NEW_INVITATION: &str = "make a new invitation on the other device (Pair a device on its Devices screen, or `hearth pair invite`)";

/// The error for a pairing connection that failed: the other device's own
/// reason when it refused for want of an open invitation, else `otherwise`.
fn closed_or(e: &dyn std::fmt::Display, otherwise: String) -> NetError {
    let no_invitation = std::str::from_utf8(crate::node::NO_INVITATION).unwrap_or_default();
    NetError::Pairing(if e.to_string().contains(no_invitation) {
        format!(
            "this pairing ticket was already used, has expired, or its invitation was closed: {NEW_INVITATION}"
        )
    } else {
        otherwise
    })
}

/// Send a final status and wait (a little) until the other device has it,
/// so that closing the connection does not cut it off.
pub(crate) async fn answer(send: &mut iroh::endpoint::SendStream, status: u8) {
    let _ = send.write_all(&[status]).await;
    let _ = send.finish();
    let _ = tokio::time::timeout(Duration::from_secs(5), send.stopped()).await;
}

/// What joining gave the new device.
#[derive(Debug)]
pub struct Joined {
    /// The existing device's id: trusted from now on.
    pub inviter: [u8; 32],
    pub code: String,
    pub welcome: Vec<u8>,
}

/// The new device's side: dial the ticket's device, prove the secret, show
/// the code and ask `confirm`, and take the welcome.
pub async fn join(
    options: &NodeOptions,
    ticket: &PairTicket,
    name: &str,
    agreement: [u8; 32],
    confirm: impl FnOnce(&str) -> bool + Send + 'static,
) -> Result<Joined, NetError> {
    if ticket.expired() {
        return Err(NetError::Pairing(format!(
            "this pairing ticket has expired: {NEW_INVITATION}"
        )));
    }
    let name_len = u16::try_from(name.len())
        .ok()
        .filter(|n| (1..=MAX_NAME).contains(n))
        .ok_or_else(|| NetError::Pairing("a device name is 1 to 100 bytes".into()))?;
    let endpoint = bind(options, Allowlist::default()).await?;
    let result = async {
        let conn = endpoint
            .connect(ticket.addr.clone(), PAIR_ALPN)
            .await
            .map_err(|e| {
                closed_or(&e, format!(
                    "could not reach the device that made the ticket (is its invitation still open there?): {e}"
                ))
            })?;
        let lost = |e: &dyn std::fmt::Display| closed_or(e, format!("the other device went away: {e}"));
        let (mut send, mut recv) = conn.open_bi().await.map_err(|e| lost(&e))?;
        let mut request = vec![1u8];
        request.extend_from_slice(&ticket.secret);
        request.extend_from_slice(&agreement);
        request.extend_from_slice(&name_len.to_be_bytes());
        request.extend_from_slice(name.as_bytes());
        send.write_all(&request).await.map_err(|e| lost(&e))?;
        let mut status = [0u8; 1];
        recv.read_exact(&mut status).await.map_err(|_| {
            NetError::Pairing(format!("the other device closed the connection: this pairing ticket was already used, has expired, or its invitation was closed; {NEW_INVITATION}"))
        })?;
        match status[0] {
            GO_ON => {}
            WRONG_SECRET => return Err(NetError::Pairing("the other device does not know this ticket: it is wrong or from an earlier invitation".into())),
            EXPIRED => return Err(NetError::Pairing(format!("this pairing ticket has expired: {NEW_INVITATION}"))),
            _ => return Err(NetError::Pairing(format!("this pairing ticket was already used: {NEW_INVITATION}"))),
        }
        let inviter = *conn.remote_id().as_bytes();
        let me = *endpoint.id().as_bytes();
        let code = code(&inviter, &me, &ticket.secret);
        let shown = code.clone();
        let yes = tokio::task::spawn_blocking(move || confirm(&shown))
            .await
            .unwrap_or(false);
        send.write_all(&[u8::from(yes)]).await.map_err(|e| lost(&e))?;
        let mut admitted = [0u8; 1];
        tokio::time::timeout(CONFIRM_TIMEOUT, recv.read_exact(&mut admitted))
            .await
            .map_err(|_| NetError::Pairing("the other device did not confirm in time".into()))?
            .map_err(|_| NetError::Pairing("the other device closed the connection before confirming".into()))?;
        if !yes {
            return Err(NetError::Pairing("the code was refused here; nothing was changed".into()));
        }
        if admitted[0] != 1 {
            return Err(NetError::Pairing("the code was refused on the other device; nothing was changed".into()));
        }
        let mut len = [0u8; 4];
        recv.read_exact(&mut len).await.map_err(|e| lost(&e))?;
        let len = u32::from_be_bytes(len);
        if len > MAX_WELCOME {
            return Err(NetError::Pairing("the other device sent a welcome over its size limit".into()));
        }
        let mut welcome = vec![0u8; len as usize];
        recv.read_exact(&mut welcome).await.map_err(|e| lost(&e))?;
        conn.close(VarInt::from_u32(0), b"paired");
        Ok(Joined { inviter, code, welcome })
    }
    .await;
    endpoint.close().await;
    result
}
