//! Device sync: how two devices tell each other what they hold of a scope
//! and pass on the ops the other lacks. `SYNC.md` at the repository root is
//! the reference; this crate is its code.
//!
//! Sync is log reconciliation, not document sync: every (scope, author) log
//! is single-writer and gap-free, so a version vector (each author's last
//! seq and that op's hash) says exactly what a device holds, and two vectors
//! say exactly which ops go which way.
//!
//! - [`frame`]: length-prefixed frames with a hard size cap, decoded
//!   incrementally from whatever bytes a stream has delivered so far.
//! - [`message`]: the messages and their exact byte layouts.
//! - [`plan`]: from two version vectors, what to send, what to expect, and
//!   which logs forked.
//! - [`replica`]: what an exchange needs from the journal (the core
//!   implements it).
//! - [`session`]: one exchange over one stream, both directions at once.
//! - [`node`]: the iroh endpoint, its handshake allowlist and the protocols
//!   it serves.
//! - [`pair`]: pairing tickets and the pairing protocol.
//! - [`invite`]: circle invitations and the protocol for joining a circle.
//! - [`files`]: photos and files, moved beside the op log and checked chunk
//!   by chunk.
//! - [`raw`]: the transport alone, for the benchmark to set beside sync.
//!
//! This is the only crate that imports iroh. Checking ops before they are
//! stored is never this crate's job: hearth-core's `Journal::receive` does
//! it, through [`Replica::receive`].

pub mod files;
pub mod frame;
pub mod invite;
pub mod message;
pub mod node;
pub mod pair;
pub mod plan;
pub mod raw;
pub mod replica;
pub mod session;

/// A relay server on this machine, for the test of the relayed path.
#[cfg(feature = "test-utils")]
pub mod test_relay {
    pub use iroh::RelayUrl;

    /// A running relay; it stops when dropped.
    pub struct Relay(#[allow(dead_code)] Box<dyn std::any::Any + Send>);

    /// Start iroh's relay server on loopback (a self-signed certificate:
    /// dial it with `NodeOptions::insecure_relay_for_tests`).
    pub async fn start() -> Result<(RelayUrl, Relay), String> {
        let (_map, url, server) = iroh::test_utils::run_relay_server()
            .await
            .map_err(|e| e.to_string())?;
        Ok((url, Relay(Box::new(server))))
    }
}

pub use files::{FILE_MAX, FILES_ALPN, FileInfo, FileStore, FilesOutcome, Wanted};
pub use frame::{Decoded, Frame, MAX_FRAME};
pub use invite::{CircleTicket, InviteHost};
pub use message::{Message, OP_PAYLOAD_MAX, Op, PROTOCOL};
pub use node::{Allowlist, Node, NodeEvent, NodeOptions, Relays};
pub use pair::{Joined, PairHost, PairTicket};
pub use plan::{Author, Head, Plan, VersionVector, digest};
pub use replica::{Replica, ReplicaError, Taken};
pub use session::Outcome;

/// The ALPN the sync protocol is served under; a new protocol version gets
/// a new ALPN.
pub const ALPN: &[u8] = b"hearth/sync/1";

/// The ALPN of pairing a new device.
pub const PAIR_ALPN: &[u8] = b"hearth/pair/1";

/// The ALPN of joining a circle by invitation.
pub const CIRCLE_ALPN: &[u8] = b"hearth/circle/1";

/// What can go wrong reading or writing the sync protocol. Every one means
/// the peer (or the caller) broke the protocol; the connection ends.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    /// A frame's length is over [`MAX_FRAME`]; refused before its body is
    /// read or any room is made for it.
    #[error("a frame of {len} bytes is over the {MAX_FRAME}-byte limit")]
    FrameTooLarge { len: u64 },
    /// A frame's length is 0, so it has no message type.
    #[error("a frame is empty: it has no message type")]
    EmptyFrame,
    #[error("unknown message type {0}")]
    UnknownMessage(u8),
    #[error("the peer speaks sync protocol {0}; this device speaks {PROTOCOL}")]
    UnsupportedProtocol(u16),
    #[error("a {message} message ends early")]
    Truncated { message: &'static str },
    #[error("a {message} message has {extra} bytes left over")]
    TrailingBytes { message: &'static str, extra: usize },
    /// A message that decodes but breaks a rule of its own: a cap, an order,
    /// a fixed length.
    #[error("a {message} message is malformed: {reason}")]
    Malformed {
        message: &'static str,
        reason: &'static str,
    },
    /// A stored op that cannot go on the wire (the receiver would refuse it).
    #[error("op {seq} cannot be sent: {reason}")]
    Unsendable { seq: u64, reason: &'static str },
}

pub type Result<T> = std::result::Result<T, SyncError>;

/// How one exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The peer broke the protocol; it was told so.
    #[error("the other device broke the sync protocol: {0}")]
    Protocol(SyncError),
    /// This device refused a batch of the peer's ops; it was told so.
    #[error("refused the other device's ops: {0}")]
    Refused(String),
    /// The peer stopped with an Error message.
    #[error("the other device stopped the exchange (code {code}): {message}")]
    Peer { code: u16, message: String },
    /// This device failed on its own side.
    #[error("this device failed during the exchange: {0}")]
    Local(String),
    /// The connection broke or went quiet.
    #[error("the connection broke: {0}")]
    Io(String),
}

/// What can go wrong on the network side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    #[error("could not open a network endpoint: {0}")]
    Bind(String),
    #[error("{0}")]
    Connect(String),
    #[error("{0}")]
    Ticket(String),
    #[error("pairing failed: {0}")]
    Pairing(String),
    #[error("joining the circle failed: {0}")]
    Circle(String),
    #[error("{0}")]
    Session(SessionError),
}
