//! Joining a circle (SYNC.md section 12): an admin's device keeps
//! invitations, one-time secrets each in a ticket beside its address; the
//! person joining dials it under ALPN `hearth/circle/1`, proves the secret,
//! reads what the circle is for and its agreements, and either declines
//! (nothing changes on either side) or asks to join. The admin's device then
//! records the new member and sends the welcome: the circle's keys, wrapped
//! to the joining device.
//!
//! What an invitation shows, what a request holds and what the welcome
//! carries are hearth-core's to write and check: to this crate they are
//! bytes with a size limit. The connection is QUIC with TLS 1.3 keyed by
//! each side's device key, so the host knows which device asks.
//!
//! Messages on the one stream, in order:
//!
//! ```text
//! joiner → host   u8 version 1 || secret (32)
//! host → joiner   u8 status: 0 go on, 1 unknown secret, 2 expired, 3 already used, 4 refused
//!                 then for 0: u32 n || invitation (n); for 4: u16 n || reason (n)
//! joiner → host   u8 0 (declines)   or   u8 1 || u32 n || request (n)
//! host → joiner   u8 1 || u32 n || welcome (n)   or   u8 0 || u16 n || reason (n)
//! ```

use crate::node::{Allowlist, NodeEvent};
use crate::pair::{answer, now};
use crate::{CIRCLE_ALPN, NetError};
use iroh::endpoint::{Connection, RecvStream, SendStream, VarInt};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointAddr};
use iroh_tickets::endpoint::EndpointTicket;
use iroh_tickets::{ParseError, Ticket};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// How long the host waits for the person joining to read the agreements
/// and decide.
pub const DECIDE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The largest invitation, request or welcome.
pub const MAX_MESSAGE: u32 = 64 << 10;

const MAX_REASON: usize = 1_000;

const GO_ON: u8 = 0;
const UNKNOWN: u8 = 1;
const EXPIRED: u8 = 2;
const USED: u8 = 3;
const REFUSED: u8 = 4;

/// Why the host will not go on with an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No invitation here has this secret.
    Unknown,
    Expired,
    Used,
    /// Anything else, said to the person joining as it is.
    Other(String),
}

/// What the admin's device does for joining, from the core. Calls are
/// blocking (they read and write the vault).
pub trait InviteHost: Send + Sync + 'static {
    /// What the invitation with `secret` shows the person joining.
    fn open(&self, secret: &[u8; 32]) -> Result<Vec<u8>, Refusal>;

    /// Admit `device`, which presented `secret` and sent `request`: record
    /// the member, use the invitation up, and put the welcome together.
    /// Returns the welcome and a line saying who joined what.
    fn admit(
        &self,
        secret: &[u8; 32],
        device: [u8; 32],
        request: &[u8],
    ) -> Result<(Vec<u8>, String), Refusal>;
}

/// A circle invitation: where the admin's device is, the one-time secret,
/// the circle, and when it expires. Its text form is `hearthcircle` and
/// base32.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircleTicket {
    pub addr: EndpointAddr,
    pub secret: [u8; 32],
    pub circle: [u8; 16],
    /// Unix seconds.
    pub expires_at: i64,
}

impl Ticket for CircleTicket {
    const KIND: &'static str = "hearthcircle";

    fn encode_bytes(&self) -> Vec<u8> {
        let mut out = vec![1u8];
        out.extend_from_slice(&self.secret);
        out.extend_from_slice(&self.circle);
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out.extend_from_slice(&EndpointTicket::new(self.addr.clone()).encode_bytes());
        out
    }

    fn decode_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        let bad = || ParseError::verification_failed("not a Hearth circle invitation");
        let (&version, rest) = bytes.split_first().ok_or_else(bad)?;
        if version != 1 {
            return Err(bad());
        }
        let (secret, rest) = rest.split_first_chunk::<32>().ok_or_else(bad)?;
        let (circle, rest) = rest.split_first_chunk::<16>().ok_or_else(bad)?;
        let (expires, rest) = rest.split_first_chunk::<8>().ok_or_else(bad)?;
        let addr = EndpointTicket::decode_bytes(rest)?.endpoint_addr().clone();
        Ok(CircleTicket {
            addr,
            secret: *secret,
            circle: *circle,
            expires_at: i64::from_be_bytes(*expires),
        })
    }
}

impl std::fmt::Display for CircleTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode_string())
    }
}

/// What to do about an invitation that no longer works.
const NEW_INVITATION: &str =
    "ask the person who invited you for a new invitation (`hearth circle invite`)";

impl CircleTicket {
    /// Read a ticket as a person pasted or scanned it (any case, spaces and
    /// line breaks ignored).
    pub fn parse(text: &str) -> Result<Self, NetError> {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        Self::decode_string(&clean).map_err(|_| {
            NetError::Ticket(
                "this is not a circle invitation: copy the whole ticket you were given (it starts with \"hearthcircle\")".into(),
            )
        })
    }

    pub fn expired(&self) -> bool {
        now() >= self.expires_at
    }
}

/// The admin's side: serves `hearth/circle/1` while an invitation is open.
#[derive(Clone)]
pub(crate) struct Host {
    pub(crate) host: Arc<dyn InviteHost>,
    pub(crate) allowlist: Allowlist,
    pub(crate) events: broadcast::Sender<NodeEvent>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("circle invitation host")
    }
}

impl ProtocolHandler for Host {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let device = *conn.remote_id().as_bytes();
        match self.welcome(&conn, device).await {
            Ok(Some(joined)) => {
                let _ = self.events.send(NodeEvent::CircleJoined { device, joined });
                let _ = tokio::time::timeout(DECIDE_TIMEOUT, conn.closed()).await;
            }
            Ok(None) => {}
            Err(reason) => {
                tracing::info!(%reason, "a circle join failed");
                conn.close(VarInt::from_u32(1), b"join failed");
            }
        }
        Ok(())
    }
}

impl Host {
    /// Run one join. `Ok(None)`: nothing happened here (a wrong secret, or
    /// the person declined).
    async fn welcome(&self, conn: &Connection, device: [u8; 32]) -> Result<Option<String>, String> {
        let gone = |e: &dyn std::fmt::Display| format!("the joining device went away: {e}");
        let (mut send, mut recv) = conn.accept_bi().await.map_err(|e| gone(&e))?;
        let mut head = [0u8; 1 + 32];
        recv.read_exact(&mut head).await.map_err(|e| gone(&e))?;
        if head[0] != 1 {
            answer(&mut send, UNKNOWN).await;
            return Err("the joining device speaks another version".into());
        }
        let secret: [u8; 32] = head[1..].try_into().unwrap_or_default();
        let host = self.host.clone();
        let opened = tokio::task::spawn_blocking(move || host.open(&secret))
            .await
            .map_err(|e| e.to_string())?;
        let invitation = match opened {
            Ok(bytes) => bytes,
            Err(refusal) => {
                refuse(&mut send, &refusal).await;
                if refusal == Refusal::Unknown {
                    tracing::warn!("a device presented an unknown circle invitation");
                }
                return Ok(None);
            }
        };
        let mut out = vec![GO_ON];
        put_bytes(&mut out, &invitation);
        send.write_all(&out).await.map_err(|e| gone(&e))?;
        let request = tokio::time::timeout(DECIDE_TIMEOUT, read_choice(&mut recv))
            .await
            .map_err(|_| "the person joining did not decide in time".to_string())??;
        let Some(request) = request else {
            tracing::info!("the person invited declined the agreements");
            return Ok(None);
        };
        let host = self.host.clone();
        let admitted = tokio::task::spawn_blocking(move || host.admit(&secret, device, &request))
            .await
            .map_err(|e| e.to_string())?;
        match admitted {
            Ok((welcome, joined)) => {
                self.allowlist.insert(device);
                let mut out = vec![1u8];
                put_bytes(&mut out, &welcome);
                send.write_all(&out).await.map_err(|e| gone(&e))?;
                let _ = send.finish();
                Ok(Some(joined))
            }
            Err(refusal) => {
                let reason = reason_of(&refusal);
                let mut out = vec![0u8];
                put_reason(&mut out, &reason);
                let _ = send.write_all(&out).await;
                let _ = send.finish();
                let _ = tokio::time::timeout(Duration::from_secs(5), send.stopped()).await;
                Err(reason)
            }
        }
    }
}

fn reason_of(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Unknown => "the invitation is not known here".into(),
        Refusal::Expired => "the invitation has expired".into(),
        Refusal::Used => "the invitation was already used".into(),
        Refusal::Other(why) => why.clone(),
    }
}

async fn refuse(send: &mut SendStream, refusal: &Refusal) {
    match refusal {
        Refusal::Unknown => answer(send, UNKNOWN).await,
        Refusal::Expired => answer(send, EXPIRED).await,
        Refusal::Used => answer(send, USED).await,
        Refusal::Other(why) => {
            let mut out = vec![REFUSED];
            put_reason(&mut out, why);
            let _ = send.write_all(&out).await;
            let _ = send.finish();
            let _ = tokio::time::timeout(Duration::from_secs(5), send.stopped()).await;
        }
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_reason(out: &mut Vec<u8>, reason: &str) {
    let mut end = reason.len().min(MAX_REASON);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_be_bytes());
    out.extend_from_slice(&reason.as_bytes()[..end]);
}

async fn read_bytes(recv: &mut RecvStream, what: &str) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len)
        .await
        .map_err(|e| format!("the {what} ends early: {e}"))?;
    let len = u32::from_be_bytes(len);
    if len > MAX_MESSAGE {
        return Err(format!(
            "the {what} is {len} bytes, over the {MAX_MESSAGE}-byte limit"
        ));
    }
    let mut bytes = vec![0u8; len as usize];
    recv.read_exact(&mut bytes)
        .await
        .map_err(|e| format!("the {what} ends early: {e}"))?;
    Ok(bytes)
}

async fn read_reason(recv: &mut RecvStream) -> String {
    let mut len = [0u8; 2];
    if recv.read_exact(&mut len).await.is_err() {
        return "no reason given".into();
    }
    let len = usize::from(u16::from_be_bytes(len)).min(MAX_REASON);
    let mut bytes = vec![0u8; len];
    if recv.read_exact(&mut bytes).await.is_err() {
        return "no reason given".into();
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The joiner's choice: `None` when they declined.
async fn read_choice(recv: &mut RecvStream) -> Result<Option<Vec<u8>>, String> {
    let mut choice = [0u8; 1];
    recv.read_exact(&mut choice)
        .await
        .map_err(|e| format!("the joining device went away: {e}"))?;
    match choice[0] {
        0 => Ok(None),
        1 => read_bytes(recv, "request").await.map(Some),
        _ => Err("the joining device sent a malformed answer".into()),
    }
}

/// What the person joining decided, having read the invitation.
pub enum Decision {
    /// Join, with this request.
    Join(Vec<u8>),
    /// Decline: the host is told, and nothing changes.
    Decline,
}

/// What joining gave.
#[derive(Debug)]
pub enum Joining {
    /// In: the admin's device id (to sync with next) and the welcome.
    Joined { host: [u8; 32], welcome: Vec<u8> },
    /// The person declined; the host was told.
    Declined,
}

/// Dial the ticket's device, open the stream and present the secret; the
/// connection, its stream and the status the device answered. Its node
/// learns of an invitation made by another process on that device within a
/// moment, so a connection refused for want of an open invitation is tried
/// once more a little later.
async fn greet(
    endpoint: &Endpoint,
    ticket: &CircleTicket,
) -> Result<(Connection, SendStream, RecvStream, u8), NetError> {
    let no_invitation = std::str::from_utf8(crate::node::NO_INVITATION).unwrap_or_default();
    let mut tries = 0;
    loop {
        tries += 1;
        let conn = endpoint
            .connect(ticket.addr.clone(), CIRCLE_ALPN)
            .await
            .map_err(|e| {
                NetError::Circle(format!(
                    "could not reach the device that made the invitation (`hearth serve` or the Hearth app must be running there): {e}"
                ))
            })?;
        let attempt = async {
            let (mut send, mut recv) = conn.open_bi().await.ok()?;
            let mut hello = vec![1u8];
            hello.extend_from_slice(&ticket.secret);
            send.write_all(&hello).await.ok()?;
            let mut status = [0u8; 1];
            recv.read_exact(&mut status).await.ok()?;
            Some((send, recv, status[0]))
        }
        .await;
        if let Some((send, recv, status)) = attempt {
            return Ok((conn, send, recv, status));
        }
        let refused = conn
            .close_reason()
            .is_some_and(|r| r.to_string().contains(no_invitation));
        if !refused || tries > 1 {
            return Err(NetError::Circle(format!(
                "the other device closed the connection: the invitation was already used, has expired or was withdrawn; {NEW_INVITATION}"
            )));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The joiner's side: dial the ticket's device from `endpoint`, prove the
/// secret, hand the invitation to `decide` (which shows it and asks; it
/// runs on a blocking thread), and take the welcome.
pub async fn join(
    endpoint: &Endpoint,
    ticket: &CircleTicket,
    decide: impl FnOnce(Vec<u8>) -> Result<Decision, String> + Send + 'static,
) -> Result<Joining, NetError> {
    let fail = |why: String| NetError::Circle(why);
    if ticket.expired() {
        return Err(fail(format!(
            "this invitation has expired: {NEW_INVITATION}"
        )));
    }
    let (conn, mut send, mut recv, status) = greet(endpoint, ticket).await?;
    let lost = |e: &dyn std::fmt::Display| fail(format!("the other device went away: {e}"));
    let result = async {
        match status {
            GO_ON => {}
            UNKNOWN => {
                return Err(fail(format!(
                    "the other device does not know this invitation: it is wrong, or was withdrawn; {NEW_INVITATION}"
                )));
            }
            EXPIRED => {
                return Err(fail(format!(
                    "this invitation has expired: {NEW_INVITATION}"
                )));
            }
            USED => {
                return Err(fail(format!(
                    "this invitation was already used: {NEW_INVITATION}"
                )));
            }
            _ => {
                let why = read_reason(&mut recv).await;
                return Err(fail(format!("the other device refused: {why}")));
            }
        }
        let invitation = read_bytes(&mut recv, "invitation").await.map_err(fail)?;
        let decided = tokio::task::spawn_blocking(move || decide(invitation))
            .await
            .map_err(|e| fail(e.to_string()))?;
        let request = match decided {
            Ok(Decision::Join(request)) => request,
            Ok(Decision::Decline) => {
                let _ = send.write_all(&[0]).await;
                let _ = send.finish();
                let _ = tokio::time::timeout(Duration::from_secs(5), send.stopped()).await;
                return Ok(Joining::Declined);
            }
            Err(why) => {
                let _ = send.write_all(&[0]).await;
                let _ = send.finish();
                return Err(fail(why));
            }
        };
        if request.len() > MAX_MESSAGE as usize {
            return Err(fail("the request to join is over its size limit".into()));
        }
        let mut out = vec![1u8];
        put_bytes(&mut out, &request);
        send.write_all(&out).await.map_err(|e| lost(&e))?;
        let mut admitted = [0u8; 1];
        recv.read_exact(&mut admitted)
            .await
            .map_err(|_| fail("the other device closed the connection before answering".into()))?;
        if admitted[0] != 1 {
            let why = read_reason(&mut recv).await;
            return Err(fail(format!("the other device refused: {why}")));
        }
        let welcome = read_bytes(&mut recv, "welcome").await.map_err(fail)?;
        Ok(Joining::Joined {
            host: *conn.remote_id().as_bytes(),
            welcome,
        })
    }
    .await;
    conn.close(VarInt::from_u32(0), b"done");
    result
}
