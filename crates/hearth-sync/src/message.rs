//! The messages of the sync protocol and their exact bytes (SYNC.md has the
//! same layouts as tables). They are what a peer controls, so decoding
//! checks every length against what is left before taking or allocating
//! anything, every count against its cap, and that nothing is left over;
//! and encoding refuses what decoding would refuse, so whatever is sent
//! decodes. Encodings are canonical (maps in ascending key order, no
//! duplicates), so a message decodes only from the bytes it encodes to.
//!
//! Integers are big-endian; ids are fixed-size; byte strings carry a length
//! before them.

use crate::frame::{self, Frame};
use crate::plan::{Head, VersionVector, put_heads};
use crate::{Result, SyncError};
use hearth_store::{DocId, OpRecord, ScopeId};
use std::collections::BTreeMap;

/// The protocol version a Hello carries.
pub const PROTOCOL: u16 = 1;

/// The largest sealed op payload, the most a device writes or accepts
/// (one constant for the store, the core and the wire).
pub use hearth_store::OP_PAYLOAD_MAX;

/// Scopes in one Hello: 48 bytes each, so a Hello stays under 49 KiB.
pub const MAX_SCOPES: usize = 1024;

/// Authors in one Vector: 72 bytes each, under 289 KiB. An author is a
/// device; a circle of 12 people with a few devices each, and a new device
/// for every pairing or restore, stays far below it.
pub const MAX_AUTHORS: usize = 4096;

/// Ops in one batch. The receiver checks and stores a batch in one
/// transaction, and one bad op refuses all of it; 1024 keeps that work
/// bounded while 10,000 ops still take only about ten frames.
pub const MAX_BATCH_OPS: usize = 1024;

/// Bytes of an Error's UTF-8 message.
pub const MAX_ERROR_MESSAGE: usize = 1024;

/// The bytes of an op on the wire besides its payload.
pub const OP_OVERHEAD: usize = 16 + 32 + 8 + 4 + 16 + 1 + 32 + 32 + 4 + 4 + SIGNATURE_LEN;

const SIGNATURE_LEN: usize = 64;

/// A limit on how many of something a message holds, and what breaking it
/// is called.
struct Cap {
    max: usize,
    message: &'static str,
    reason: &'static str,
}

impl Cap {
    fn check(&self, count: usize) -> Result<()> {
        if count > self.max {
            return Err(SyncError::Malformed {
                message: self.message,
                reason: self.reason,
            });
        }
        Ok(())
    }
}

const SCOPES: Cap = Cap {
    max: MAX_SCOPES,
    message: "Hello",
    reason: "more scopes than a Hello may hold",
};
const AUTHORS: Cap = Cap {
    max: MAX_AUTHORS,
    message: "Vector",
    reason: "more authors than a Vector may hold",
};
const BATCH_OPS: Cap = Cap {
    max: MAX_BATCH_OPS,
    message: "Ops",
    reason: "more ops than a batch may hold",
};
const PAYLOAD: Cap = Cap {
    max: OP_PAYLOAD_MAX,
    message: "Ops",
    reason: "an op payload over 4 MiB",
};
const ERROR_TEXT: Cap = Cap {
    max: MAX_ERROR_MESSAGE,
    message: "Error",
    reason: "a text over 1 KiB",
};

/// The Error codes Hearth sends; a receiver accepts any code.
pub mod code {
    /// A frame or message that does not decode, or breaks the exchange's order.
    pub const MALFORMED: u16 = 1;
    /// A Hello with a protocol version this device does not speak.
    pub const UNSUPPORTED_PROTOCOL: u16 = 2;
    /// A batch of ops the receiver refused (a bad op, or a fork).
    pub const REFUSED: u16 = 3;
    /// The sender failed on its own side (its storage, say).
    pub const INTERNAL: u16 = 4;
}

const HELLO: u8 = 1;
const VECTOR: u8 = 2;
const OPS: u8 = 3;
const DONE: u8 = 4;
const ERROR: u8 = 5;

/// One message of the exchange (SYNC.md, "The exchange").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The first message each way: a digest ([`crate::digest`]) of the
    /// version vector of each scope the sender will sync with this peer.
    /// It carries [`PROTOCOL`] too, which is not a field since any other
    /// version does not decode.
    Hello {
        digests: BTreeMap<ScopeId, [u8; 32]>,
    },
    /// The sender's version vector of a scope whose digests differ.
    Vector {
        scope: ScopeId,
        heads: VersionVector,
    },
    /// A batch of ops of one scope, each author's in seq order with no gap.
    Ops(Vec<Op>),
    /// The sender has nothing more to send for this scope.
    Done { scope: ScopeId },
    /// The sender stops, and says why.
    Error { code: u16, message: String },
}

/// An op as it travels: an [`OpRecord`] without its own `hash`, which is
/// `H256(S)` of the fields here (FORMAT.md 2.2) and so is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub scope: ScopeId,
    pub author: [u8; 32],
    pub seq: u64,
    pub epoch: u32,
    pub doc: DocId,
    pub kind: u8,
    pub prev: [u8; 32],
    pub payload_hash: [u8; 32],
    /// Sealed bytes; empty for a purge marker.
    pub payload: Vec<u8>,
    pub signature: [u8; SIGNATURE_LEN],
}

impl TryFrom<OpRecord> for Op {
    type Error = SyncError;

    /// Refuses what no receiver would take: a payload over
    /// [`OP_PAYLOAD_MAX`], or a signature that is not 64 bytes (a damaged op).
    fn try_from(op: OpRecord) -> Result<Op> {
        let unsendable = |reason| SyncError::Unsendable {
            seq: op.seq,
            reason,
        };
        if op.payload.len() > OP_PAYLOAD_MAX {
            return Err(unsendable("its payload is over 4 MiB"));
        }
        let signature = <[u8; SIGNATURE_LEN]>::try_from(op.signature.as_slice())
            .map_err(|_| unsendable("its signature is not 64 bytes (the op is damaged)"))?;
        Ok(Op {
            scope: op.scope,
            author: op.author,
            seq: op.seq,
            epoch: op.epoch,
            doc: op.doc,
            kind: op.kind,
            prev: op.prev,
            payload_hash: op.payload_hash,
            payload: op.payload,
            signature,
        })
    }
}

impl From<Op> for OpRecord {
    /// `hash` is all zero: it is not sent; `Journal::receive` sets it to
    /// `H256(S)` of the other fields (FORMAT.md 2.2) before checking the op.
    fn from(op: Op) -> OpRecord {
        OpRecord {
            scope: op.scope,
            author: op.author,
            seq: op.seq,
            epoch: op.epoch,
            doc: op.doc,
            kind: op.kind,
            prev: op.prev,
            payload_hash: op.payload_hash,
            hash: [0; 32],
            payload: op.payload,
            signature: op.signature.to_vec(),
        }
    }
}

impl Message {
    /// An Error message, its text cut (at a character) to
    /// [`MAX_ERROR_MESSAGE`] bytes.
    pub fn error(code: u16, text: &str) -> Message {
        let mut end = text.len().min(MAX_ERROR_MESSAGE);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Message::Error {
            code,
            message: text[..end].to_owned(),
        }
    }

    /// `ops`, in the order they are to be sent, as Ops messages within the
    /// caps: a new batch starts at [`MAX_BATCH_OPS`] ops, when the next op
    /// would take the frame over [`frame::MAX_FRAME`], or where the scope
    /// changes. Any op with a payload within [`OP_PAYLOAD_MAX`] fits.
    pub fn batches(ops: impl IntoIterator<Item = Op>) -> Vec<Message> {
        const EMPTY: usize = 1 + 4;
        let mut out = Vec::new();
        let mut batch: Vec<Op> = Vec::new();
        let mut size = EMPTY;
        for op in ops {
            let op_size = OP_OVERHEAD + op.payload.len();
            let full = batch.len() == MAX_BATCH_OPS || size + op_size > frame::MAX_FRAME;
            if batch
                .first()
                .is_some_and(|first| full || first.scope != op.scope)
            {
                out.push(Message::Ops(std::mem::take(&mut batch)));
                size = EMPTY;
            }
            size += op_size;
            batch.push(op);
        }
        if !batch.is_empty() {
            out.push(Message::Ops(batch));
        }
        out
    }

    /// The message as one frame.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        let kind = match self {
            Message::Hello { digests } => {
                SCOPES.check(digests.len())?;
                body.extend_from_slice(&PROTOCOL.to_be_bytes());
                body.extend_from_slice(&(digests.len() as u32).to_be_bytes());
                for (scope, digest) in digests {
                    body.extend_from_slice(scope);
                    body.extend_from_slice(digest);
                }
                HELLO
            }
            Message::Vector { scope, heads } => {
                check_heads(heads)?;
                body.extend_from_slice(scope);
                body.extend_from_slice(&(heads.len() as u32).to_be_bytes());
                put_heads(&mut body, heads);
                VECTOR
            }
            Message::Ops(ops) => {
                check_batch(ops)?;
                body.extend_from_slice(&(ops.len() as u32).to_be_bytes());
                for op in ops {
                    put_op(&mut body, op);
                }
                OPS
            }
            Message::Done { scope } => {
                body.extend_from_slice(scope);
                DONE
            }
            Message::Error { code, message } => {
                ERROR_TEXT.check(message.len())?;
                body.extend_from_slice(&code.to_be_bytes());
                body.extend_from_slice(&(message.len() as u16).to_be_bytes());
                body.extend_from_slice(message.as_bytes());
                ERROR
            }
        };
        frame::encode(kind, &body)
    }

    /// The message a frame holds; see the module docs for what is checked.
    pub fn decode(frame: Frame<'_>) -> Result<Message> {
        let message = match frame.kind {
            HELLO => "Hello",
            VECTOR => "Vector",
            OPS => "Ops",
            DONE => "Done",
            ERROR => "Error",
            other => return Err(SyncError::UnknownMessage(other)),
        };
        let mut r = Reader {
            bytes: frame.body,
            message,
        };
        let decoded = match frame.kind {
            HELLO => {
                let protocol = r.u16()?;
                if protocol != PROTOCOL {
                    return Err(SyncError::UnsupportedProtocol(protocol));
                }
                let count = r.count(&SCOPES, 16 + 32)?;
                let mut digests = BTreeMap::new();
                for _ in 0..count {
                    let scope = r.array()?;
                    r.ascending(digests.last_key_value().map(|(k, _)| k), &scope)?;
                    digests.insert(scope, r.array()?);
                }
                Message::Hello { digests }
            }
            VECTOR => {
                let scope = r.array()?;
                let count = r.count(&AUTHORS, 32 + 8 + 32)?;
                let mut heads = VersionVector::new();
                for _ in 0..count {
                    let author = r.array()?;
                    r.ascending(heads.last_key_value().map(|(k, _)| k), &author)?;
                    let head = Head {
                        seq: r.u64()?,
                        hash: r.array()?,
                    };
                    heads.insert(author, head);
                }
                check_heads(&heads)?;
                Message::Vector { scope, heads }
            }
            OPS => {
                let count = r.count(&BATCH_OPS, OP_OVERHEAD)?;
                let mut ops = Vec::with_capacity(count);
                for _ in 0..count {
                    ops.push(r.op()?);
                }
                check_batch(&ops)?;
                Message::Ops(ops)
            }
            DONE => Message::Done { scope: r.array()? },
            _ /* ERROR, the only type left */ => {
                let code = r.u16()?;
                let len = usize::from(r.u16()?);
                ERROR_TEXT.check(len)?;
                let text = std::str::from_utf8(r.take(len)?).map_err(|_| SyncError::Malformed {
                    message,
                    reason: "its text is not UTF-8",
                })?;
                Message::Error {
                    code,
                    message: text.to_owned(),
                }
            }
        };
        r.finish()?;
        Ok(decoded)
    }
}

fn put_op(out: &mut Vec<u8>, op: &Op) {
    out.extend_from_slice(&op.scope);
    out.extend_from_slice(&op.author);
    out.extend_from_slice(&op.seq.to_be_bytes());
    out.extend_from_slice(&op.epoch.to_be_bytes());
    out.extend_from_slice(&op.doc);
    out.push(op.kind);
    out.extend_from_slice(&op.prev);
    out.extend_from_slice(&op.payload_hash);
    out.extend_from_slice(&(op.payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&op.payload);
    out.extend_from_slice(&(SIGNATURE_LEN as u32).to_be_bytes());
    out.extend_from_slice(&op.signature);
}

fn check_heads(heads: &VersionVector) -> Result<()> {
    AUTHORS.check(heads.len())?;
    if heads.values().any(|h| h.seq == 0) {
        return Err(SyncError::Malformed {
            message: "Vector",
            reason: "an author at seq 0 (an author with no op is left out)",
        });
    }
    Ok(())
}

/// The rules of a batch: 1 to [`MAX_BATCH_OPS`] ops, one scope, payloads
/// within [`OP_PAYLOAD_MAX`], and each author's ops consecutive from a seq
/// of at least 1.
fn check_batch(ops: &[Op]) -> Result<()> {
    let malformed = |reason| SyncError::Malformed {
        message: "Ops",
        reason,
    };
    let Some(first) = ops.first() else {
        return Err(malformed("an empty batch"));
    };
    BATCH_OPS.check(ops.len())?;
    let mut last_seq: BTreeMap<&[u8; 32], u64> = BTreeMap::new();
    for op in ops {
        if op.scope != first.scope {
            return Err(malformed("ops of more than one scope"));
        }
        PAYLOAD.check(op.payload.len())?;
        if op.seq == 0 {
            return Err(malformed("an op at seq 0"));
        }
        let follows = |before: u64| before.checked_add(1) == Some(op.seq);
        if !last_seq.insert(&op.author, op.seq).is_none_or(follows) {
            return Err(malformed("an author's ops out of order or with a gap"));
        }
    }
    Ok(())
}

/// The unread rest of a message body.
struct Reader<'a> {
    bytes: &'a [u8],
    message: &'static str,
}

impl<'a> Reader<'a> {
    fn truncated(&self) -> SyncError {
        SyncError::Truncated {
            message: self.message,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let (taken, rest) = self
            .bytes
            .split_at_checked(n)
            .ok_or_else(|| self.truncated())?;
        self.bytes = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let (taken, rest) = self
            .bytes
            .split_first_chunk::<N>()
            .ok_or_else(|| self.truncated())?;
        self.bytes = rest;
        Ok(*taken)
    }

    fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_be_bytes)
    }

    /// A u32 count of items of at least `item_len` bytes each: within
    /// its cap, and with room left for that many, before anything is
    /// allocated for them.
    fn count(&mut self, cap: &Cap, item_len: usize) -> Result<usize> {
        let count = self.u32()? as usize;
        cap.check(count)?;
        if count * item_len > self.bytes.len() {
            return Err(self.truncated());
        }
        Ok(count)
    }

    /// Keys of a map must come in strictly ascending order: one encoding
    /// per message, and no duplicates.
    fn ascending<const N: usize>(&self, last: Option<&[u8; N]>, key: &[u8; N]) -> Result<()> {
        if last.is_some_and(|last| key <= last) {
            return Err(SyncError::Malformed {
                message: self.message,
                reason: "keys not in strictly ascending order",
            });
        }
        Ok(())
    }

    fn op(&mut self) -> Result<Op> {
        Ok(Op {
            scope: self.array()?,
            author: self.array()?,
            seq: self.u64()?,
            epoch: self.u32()?,
            doc: self.array()?,
            kind: self.u8()?,
            prev: self.array()?,
            payload_hash: self.array()?,
            payload: self.payload()?,
            signature: self.signature()?,
        })
    }

    fn payload(&mut self) -> Result<Vec<u8>> {
        let len = self.u32()? as usize;
        PAYLOAD.check(len)?;
        Ok(self.take(len)?.to_vec())
    }

    fn signature(&mut self) -> Result<[u8; SIGNATURE_LEN]> {
        if self.u32()? as usize != SIGNATURE_LEN {
            return Err(SyncError::Malformed {
                message: self.message,
                reason: "a signature that is not 64 bytes",
            });
        }
        self.array()
    }

    fn u8(&mut self) -> Result<u8> {
        self.array().map(|[b]| b)
    }

    fn finish(self) -> Result<()> {
        if !self.bytes.is_empty() {
            return Err(SyncError::TrailingBytes {
                message: self.message,
                extra: self.bytes.len(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
