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
//!
//! So far this is the wire protocol alone, pure and without IO. The
//! transport (iroh, to come) will live here too, and this will be the only
//! crate that imports iroh. Checking ops before they are stored is never
//! this crate's job: hearth-core's `Journal::receive` does it.

pub mod frame;
pub mod message;
pub mod plan;

pub use frame::{Decoded, Frame, MAX_FRAME};
pub use message::{Message, OP_PAYLOAD_MAX, Op, PROTOCOL};
pub use plan::{Author, Head, Plan, VersionVector, digest};

/// The ALPN the sync protocol will be served under; a new protocol version
/// gets a new ALPN.
pub const ALPN: &[u8] = b"hearth/sync/1";

/// What can go wrong reading or writing the sync protocol. Every one means
/// the peer (or the caller) broke the protocol; the connection ends.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
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
