//! One sync exchange over one bidirectional stream (SYNC.md section 5),
//! run the same way by the device that dialled and the one that accepted.
//!
//! Both devices write and read at once, so the exchange is three parts that
//! run together: the *planner* decides what to send (Hello, the Vectors of
//! the open scopes, then for each the ops the other lacks and Done); the
//! *writer* alone writes frames to the stream; the *reader* decodes what
//! arrives, checks its order, and hands each batch of ops to the
//! [`Replica`], which checks and stores it. Keeping the reader going while
//! the planner writes is what keeps flow control from stalling both sides.
//!
//! The stream is any tokio reader and writer: an iroh stream in the node,
//! an in-memory pipe in tests.

use crate::frame::{self, Decoded, LENGTH_LEN};
use crate::message::{MAX_BATCH_OPS, Message, Op, code};
use crate::plan::{Author, Plan, VersionVector, digest};
use crate::replica::{Replica, ReplicaError, Taken};
use crate::{SessionError, SyncError};
use hearth_store::ScopeId;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// How long a device waits for the next bytes from its peer before it gives
/// the exchange up. A peer applying a large batch answers well within it.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// What one exchange did, as this device saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Scopes both devices hold whose digests differed.
    pub open_scopes: usize,
    /// Ops this device sent.
    pub sent: usize,
    /// What the peer's ops did here.
    pub received: Taken,
    /// Authors whose logs forked between the two devices.
    pub forks: Vec<Author>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// This device's version vector of each scope it offered, when the
    /// exchange began: once it ends without error, the peer holds at least
    /// this (what was missing was sent).
    pub offered: BTreeMap<ScopeId, VersionVector>,
}

impl Outcome {
    /// Whether both devices held the same ops when the exchange ended: all
    /// that was missing moved, nothing forked, and nothing waits for a gap.
    pub fn equal(&self) -> bool {
        self.forks.is_empty() && self.received.after_a_gap == 0
    }
}

/// Run one exchange with the peer device `peer` at the other end of `recv`
/// and `send`. On an error the peer is told why (an Error message) when it
/// was this device that found it.
pub async fn run<R, W>(
    recv: R,
    send: W,
    replica: Arc<dyn Replica>,
    peer: [u8; 32],
) -> Result<Outcome, SessionError>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let (out_tx, out_rx) = mpsc::channel::<Message>(4);
    let (stop_tx, stop_rx) = oneshot::channel::<Verdict>();
    let ours = match blocking(&replica, move |r| r.vectors(&peer)).await {
        Ok(v) => v,
        Err(e) => {
            // Still tell the peer, so it does not wait for a Hello.
            let msg = Message::error(code::INTERNAL, &e.to_string());
            let _ = stop_tx.send(Verdict::Stop(Some(msg)));
            let _ = write_all(send, out_rx, stop_rx).await;
            return Err(SessionError::Local(e.to_string()));
        }
    };
    let (open_tx, open_rx) = oneshot::channel();
    let (vector_tx, vector_rx) = mpsc::unbounded_channel();
    let reader = Reader {
        frames: FrameReader::new(recv),
        replica: replica.clone(),
        ours: ours.clone(),
        stop: Some(stop_tx),
    };
    let planner = plan_and_send(&ours, replica, out_tx, open_rx, vector_rx);
    let writer = write_all(send, out_rx, stop_rx);
    let (read, sent, written) = tokio::join!(reader.run(open_tx, vector_tx), planner, writer);
    let mut outcome = read?;
    let bytes_sent = written?;
    outcome.sent = sent?;
    outcome.bytes_sent = bytes_sent;
    outcome.offered = ours;
    Ok(outcome)
}

/// The scopes whose digests differ, each with the peer's digest.
type Open = BTreeSet<ScopeId>;

/// Send Hello, then the Vectors of the open scopes, then per scope the ops
/// the peer lacks and Done. Returns how many ops it sent.
async fn plan_and_send(
    ours: &BTreeMap<ScopeId, VersionVector>,
    replica: Arc<dyn Replica>,
    out: mpsc::Sender<Message>,
    open: oneshot::Receiver<Open>,
    mut vectors: mpsc::UnboundedReceiver<(ScopeId, VersionVector)>,
) -> Result<usize, SessionError> {
    let digests = ours.iter().map(|(s, v)| (*s, digest(v))).collect();
    if out.send(Message::Hello { digests }).await.is_err() {
        return Ok(0);
    }
    // The reader drops the sender when it fails before the peer's Hello.
    let Ok(open) = open.await else {
        return Ok(0);
    };
    for scope in &open {
        let heads = ours.get(scope).cloned().unwrap_or_default();
        if out
            .send(Message::Vector {
                scope: *scope,
                heads,
            })
            .await
            .is_err()
        {
            return Ok(0);
        }
    }
    let mut sent = 0;
    let mut left = open.len();
    while left > 0 {
        let Some((scope, theirs)) = vectors.recv().await else {
            return Ok(sent);
        };
        left -= 1;
        let ours = ours.get(&scope).cloned().unwrap_or_default();
        let plan = Plan::between(&ours, &theirs);
        if !plan.forks.is_empty() {
            tracing::warn!(
                forks = plan.forks.len(),
                "a device's log forked; its ops are not sent"
            );
        }
        for (author, seqs) in plan.send {
            let mut next = *seqs.start();
            while next <= *seqs.end() {
                let (from, to) = (next, *seqs.end());
                let records = blocking(&replica, move |r| {
                    r.ops(&scope, &author, from, to, MAX_BATCH_OPS)
                })
                .await
                .map_err(|e| SessionError::Local(e.to_string()))?;
                let Some(last) = records.last().map(|o| o.seq) else {
                    return Err(SessionError::Local(format!(
                        "ops {from} to {to} of a device are missing from this vault"
                    )));
                };
                next = last + 1;
                let ops = records
                    .into_iter()
                    .map(Op::try_from)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| SessionError::Local(e.to_string()))?;
                sent += ops.len();
                for batch in Message::batches(ops) {
                    if out.send(batch).await.is_err() {
                        return Ok(sent);
                    }
                }
            }
        }
        if out.send(Message::Done { scope }).await.is_err() {
            return Ok(sent);
        }
    }
    Ok(sent)
}

/// What the reader tells the writer.
enum Verdict {
    /// Every Done arrived and all the peer sent was taken: finish when the
    /// planner is done.
    Done,
    /// Stop now, with this Error message first if there is one.
    Stop(Option<Message>),
}

/// Write each message as a frame. The stream is finished only once the
/// planner is done and the reader has its verdict on everything the peer
/// sent (every Done arrived, or an error), so that a refusal always reaches
/// the peer before this side's end of stream. An error from the reader
/// stops the writing at once, its Error message written first.
async fn write_all<W: AsyncWrite + Unpin>(
    mut send: W,
    mut messages: mpsc::Receiver<Message>,
    verdict: oneshot::Receiver<Verdict>,
) -> Result<u64, SessionError> {
    let mut written = 0u64;
    let mut verdict = Some(verdict);
    let stop_with = |error: Option<Message>, written: &mut u64| -> Result<Vec<u8>, SessionError> {
        match error {
            Some(error) => {
                let bytes = error.encode().map_err(SessionError::Protocol)?;
                *written += bytes.len() as u64;
                Ok(bytes)
            }
            None => Ok(Vec::new()),
        }
    };
    loop {
        let next = match verdict.as_mut() {
            Some(v) => tokio::select! {
                biased;
                said = v => {
                    verdict = None;
                    match said {
                        Ok(Verdict::Stop(error)) => {
                            let bytes = stop_with(error, &mut written)?;
                            let _ = send.write_all(&bytes).await;
                            let _ = send.shutdown().await;
                            return Ok(written);
                        }
                        // Every Done arrived: go on writing.
                        _ => continue,
                    }
                }
                m = messages.recv() => m,
            },
            None => messages.recv().await,
        };
        let Some(message) = next else {
            // The planner is done: wait for the reader's verdict.
            if let Some(v) = verdict.take()
                && let Ok(Verdict::Stop(error)) = v.await
            {
                let bytes = stop_with(error, &mut written)?;
                let _ = send.write_all(&bytes).await;
                let _ = send.shutdown().await;
                return Ok(written);
            }
            send.shutdown().await.map_err(io)?;
            return Ok(written);
        };
        let bytes = message.encode().map_err(SessionError::Protocol)?;
        written += bytes.len() as u64;
        send.write_all(&bytes).await.map_err(io)?;
    }
}

struct Reader<R> {
    frames: FrameReader<R>,
    replica: Arc<dyn Replica>,
    ours: BTreeMap<ScopeId, VersionVector>,
    /// Tells the writer to stop, with the Error to send first, if any.
    stop: Option<oneshot::Sender<Verdict>>,
}

impl<R: AsyncRead + Unpin> Reader<R> {
    async fn run(
        mut self,
        open_tx: oneshot::Sender<Open>,
        vectors: mpsc::UnboundedSender<(ScopeId, VersionVector)>,
    ) -> Result<Outcome, SessionError> {
        let result = self.exchange(open_tx, vectors).await;
        let error = match &result {
            Ok(_) => None,
            Err(SessionError::Protocol(e)) => Some(Message::error(code::MALFORMED, &e.to_string())),
            Err(SessionError::Refused(why)) => Some(Message::error(code::REFUSED, why)),
            Err(SessionError::Local(why)) => Some(Message::error(code::INTERNAL, why)),
            Err(SessionError::Peer { .. } | SessionError::Io(_)) => None,
        };
        if let (Some(stop), Err(_)) = (self.stop.take(), &result) {
            let _ = stop.send(Verdict::Stop(error));
        }
        result
    }

    async fn exchange(
        &mut self,
        open_tx: oneshot::Sender<Open>,
        vectors: mpsc::UnboundedSender<(ScopeId, VersionVector)>,
    ) -> Result<Outcome, SessionError> {
        let mut outcome = Outcome::default();
        let theirs = match self.next().await? {
            Some(Message::Hello { digests }) => digests,
            Some(_) => return Err(malformed("the first message is not a Hello")),
            None => return Err(SessionError::Io("the peer closed before its Hello".into())),
        };
        let open: Open = self
            .ours
            .iter()
            .filter(|(scope, vector)| theirs.get(*scope).is_some_and(|d| *d != digest(vector)))
            .map(|(scope, _)| *scope)
            .collect();
        outcome.open_scopes = open.len();
        let _ = open_tx.send(open.clone());
        let mut vectored = BTreeSet::new();
        let mut done = BTreeSet::new();
        while done.len() < open.len() {
            let Some(message) = self.next().await? else {
                return Err(SessionError::Io(
                    "the peer closed in the middle of the exchange".into(),
                ));
            };
            match message {
                Message::Vector { scope, heads } => {
                    if !open.contains(&scope) || !vectored.insert(scope) {
                        return Err(malformed(
                            "a Vector for a scope that is not open, or a second one",
                        ));
                    }
                    let plan = Plan::between(&self.ours[&scope], &heads);
                    outcome.forks.extend(plan.forks.iter().copied());
                    let _ = vectors.send((scope, heads));
                }
                Message::Ops(ops) => {
                    let scope = ops.first().map(|o| o.scope).unwrap_or_default();
                    if !vectored.contains(&scope) || done.contains(&scope) {
                        return Err(malformed(
                            "Ops for a scope before its Vector or after its Done",
                        ));
                    }
                    let records = ops.into_iter().map(Into::into).collect();
                    let taken = blocking(&self.replica, move |r| r.receive(records))
                        .await
                        .map_err(|e| match e {
                            ReplicaError::Refused(why) => SessionError::Refused(why),
                            ReplicaError::Failed(why) => SessionError::Local(why),
                        })?;
                    outcome.received.add(&taken);
                }
                Message::Done { scope } => {
                    if !vectored.contains(&scope) || !done.insert(scope) {
                        return Err(malformed(
                            "a Done for a scope before its Vector, or a second one",
                        ));
                    }
                }
                Message::Hello { .. } => return Err(malformed("a second Hello")),
                Message::Error { code, message } => {
                    return Err(SessionError::Peer { code, message });
                }
            }
        }
        // Every Done arrived: the writer may finish. The peer finishes once
        // it has judged what this side sent; an Error may still come.
        if let Some(verdict) = self.stop.take() {
            let _ = verdict.send(Verdict::Done);
        }
        match self.next().await? {
            None => {}
            Some(_) => return Err(malformed("a message after Done for every open scope")),
        }
        outcome.bytes_received = self.frames.read;
        Ok(outcome)
    }

    async fn next(&mut self) -> Result<Option<Message>, SessionError> {
        match self.frames.next().await? {
            Some(Message::Error { code, message }) => Err(SessionError::Peer { code, message }),
            other => Ok(other),
        }
    }
}

fn malformed(reason: &'static str) -> SessionError {
    SessionError::Protocol(SyncError::Malformed {
        message: "exchange",
        reason,
    })
}

fn io(e: std::io::Error) -> SessionError {
    SessionError::Io(e.to_string())
}

/// Run a replica call off the async threads: it reads or writes the vault.
async fn blocking<T: Send + 'static>(
    replica: &Arc<dyn Replica>,
    call: impl FnOnce(&dyn Replica) -> Result<T, ReplicaError> + Send + 'static,
) -> Result<T, ReplicaError> {
    let replica = replica.clone();
    tokio::task::spawn_blocking(move || call(replica.as_ref()))
        .await
        .unwrap_or_else(|e| Err(ReplicaError::Failed(format!("the vault task failed: {e}"))))
}

/// Whole messages from a stream, holding at most one frame.
pub(crate) struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes read so far.
    pub(crate) read: u64,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            read: 0,
        }
    }

    /// The next message, or `None` when the stream ends between frames.
    pub(crate) async fn next(&mut self) -> Result<Option<Message>, SessionError> {
        self.next_with(|frame| Message::decode(frame).map_err(SessionError::Protocol))
            .await
    }

    /// The next frame, read by `decode`, or `None` when the stream ends
    /// between frames.
    pub(crate) async fn next_with<T>(
        &mut self,
        decode: impl Fn(frame::Frame<'_>) -> Result<T, SessionError>,
    ) -> Result<Option<T>, SessionError> {
        loop {
            let total = match frame::decode(&self.buf).map_err(SessionError::Protocol)? {
                Decoded::Frame { frame, consumed } => {
                    let message = decode(frame)?;
                    self.buf.drain(..consumed);
                    return Ok(Some(message));
                }
                Decoded::NeedMore { total } => total,
            };
            let start = self.buf.len();
            let want = (total - start).clamp(LENGTH_LEN, 1 << 16);
            self.buf.resize(start + want, 0);
            let got = tokio::time::timeout(READ_TIMEOUT, self.inner.read(&mut self.buf[start..]))
                .await
                .map_err(|_| SessionError::Io("the peer stopped answering".into()))?;
            let got = match got {
                Ok(n) => n,
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(io(e));
                }
            };
            self.buf.truncate(start + got);
            self.read += got as u64;
            if got == 0 {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(SessionError::Io(
                        "the stream ended in the middle of a frame".into(),
                    ))
                };
            }
        }
    }
}
