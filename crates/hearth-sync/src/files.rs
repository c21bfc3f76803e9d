//! Photos and files between devices: a transfer of its own, beside the op
//! log, so a big photo never holds up the text (SYNC.md section 13).
//!
//! A file is named by its content hash: the hash of its size and of each
//! 1 MiB chunk's hash ([`hearth_crypto::file_hash`]). The device that lacks
//! a file asks for it from chunk `from` on; the other answers with the
//! file's size and chunk hashes, which the asker checks against the name
//! before it takes a single chunk, and then with the chunks, each checked
//! against its hash before it is stored. A transfer cut short resumes from
//! the chunks already stored.
//!
//! One connection under [`FILES_ALPN`] carries both directions: the device
//! that dialled asks first and then says `Turn`; the other asks, then says
//! `Done`. What either may ask for, and what it is given, is the journal's
//! business ([`FileStore`]): a device is only ever sent files of entries it
//! may read.

use crate::frame::{self, Frame};
use crate::replica::ReplicaError;
use crate::session::FrameReader;
use crate::{NetError, SessionError};
use hearth_crypto::{FILE_CHUNK, file_chunks, file_hash, hash};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// The ALPN of moving files between devices.
pub const FILES_ALPN: &[u8] = b"hearth/files/1";

/// The largest file a device sends or takes: 100 MiB.
pub const FILE_MAX: u64 = 100 << 20;

const WANT: u8 = 1;
const INFO: u8 = 2;
const CHUNK: u8 = 3;
const NOT_HERE: u8 = 4;
const TURN: u8 = 5;
const DONE: u8 = 6;

/// What names a file's chunks: its size and each chunk's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub size: u64,
    pub chunks: Vec<[u8; 32]>,
}

impl FileInfo {
    /// Whether this is the file `name` names.
    pub fn names(&self, name: &[u8; 32]) -> bool {
        self.chunks.len() as u64 == file_chunks(self.size)
            && self.size <= FILE_MAX
            && file_hash(self.size, &self.chunks) == *name
    }
}

/// A file this device lacks, with how many of its chunks it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub hash: [u8; 32],
    pub have: u32,
}

/// The journal's side of moving files. Calls are blocking (they read and
/// write the vault); the transfer runs them off the async threads.
pub trait FileStore: Send + Sync + 'static {
    /// The files this device lacks that `peer` may have.
    fn wanted(&self, peer: &[u8; 32]) -> Result<Vec<Wanted>, ReplicaError>;
    /// The file's size and chunk hashes, when this device holds all of it
    /// and `peer` may have it.
    fn describe(&self, peer: &[u8; 32], hash: &[u8; 32]) -> Result<Option<FileInfo>, ReplicaError>;
    /// Chunk `index` of a file [`FileStore::describe`] described.
    fn chunk(&self, hash: &[u8; 32], index: u32) -> Result<Vec<u8>, ReplicaError>;
    /// Store chunk `index` of the file, already checked against `info`.
    fn take(
        &self,
        hash: &[u8; 32],
        info: &FileInfo,
        index: u32,
        bytes: &[u8],
    ) -> Result<(), ReplicaError>;
}

/// What one transfer moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesOutcome {
    /// Files this device now holds whole that it lacked.
    pub received: usize,
    pub bytes_received: u64,
    /// Files (or the rest of them) this device sent.
    pub sent: usize,
    pub bytes_sent: u64,
    /// Files asked for that the other device did not have.
    pub not_there: usize,
}

/// Run the transfer on a connection this device dialled: ask, then answer.
pub async fn run_dialled(
    recv: &mut (impl AsyncRead + Unpin),
    send: &mut (impl AsyncWrite + Unpin),
    store: Arc<dyn FileStore>,
    peer: [u8; 32],
) -> Result<FilesOutcome, SessionError> {
    let mut reader = FrameReader::new(recv);
    let mut outcome = FilesOutcome::default();
    ask(&mut reader, send, &store, peer, &mut outcome).await?;
    put(send, TURN, &[]).await?;
    answer(&mut reader, send, &store, peer, &mut outcome, DONE).await?;
    Ok(outcome)
}

/// Run the transfer on a connection another device dialled: answer, then
/// ask.
pub async fn run_accepted(
    recv: &mut (impl AsyncRead + Unpin),
    send: &mut (impl AsyncWrite + Unpin),
    store: Arc<dyn FileStore>,
    peer: [u8; 32],
) -> Result<FilesOutcome, SessionError> {
    let mut reader = FrameReader::new(recv);
    let mut outcome = FilesOutcome::default();
    answer(&mut reader, send, &store, peer, &mut outcome, TURN).await?;
    ask(&mut reader, send, &store, peer, &mut outcome).await?;
    put(send, DONE, &[]).await?;
    Ok(outcome)
}

/// One frame, owned.
struct Got {
    kind: u8,
    body: Vec<u8>,
}

async fn next<R: AsyncRead + Unpin>(reader: &mut FrameReader<R>) -> Result<Got, SessionError> {
    reader
        .next_with(|f: Frame<'_>| {
            Ok(Got {
                kind: f.kind,
                body: f.body.to_vec(),
            })
        })
        .await?
        .ok_or_else(|| SessionError::Io("the other device closed the transfer of files".into()))
}

async fn put(
    send: &mut (impl AsyncWrite + Unpin),
    kind: u8,
    body: &[u8],
) -> Result<(), SessionError> {
    let bytes = frame::encode(kind, body).map_err(SessionError::Protocol)?;
    send.write_all(&bytes)
        .await
        .map_err(|e| SessionError::Io(e.to_string()))
}

fn bad(what: &str) -> SessionError {
    SessionError::Io(format!(
        "the other device broke the transfer of files: {what}"
    ))
}

async fn blocking<T: Send + 'static>(
    store: &Arc<dyn FileStore>,
    call: impl FnOnce(&dyn FileStore) -> Result<T, ReplicaError> + Send + 'static,
) -> Result<T, SessionError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .unwrap_or_else(|e| Err(ReplicaError::Failed(format!("the vault task failed: {e}"))))
        .map_err(|e| SessionError::Io(e.to_string()))
}

/// Ask for every file this device lacks, taking each as it comes.
async fn ask<R: AsyncRead + Unpin>(
    reader: &mut FrameReader<R>,
    send: &mut (impl AsyncWrite + Unpin),
    store: &Arc<dyn FileStore>,
    peer: [u8; 32],
    outcome: &mut FilesOutcome,
) -> Result<(), SessionError> {
    let wanted = blocking(store, move |s| s.wanted(&peer)).await?;
    for w in wanted {
        let mut body = w.hash.to_vec();
        body.extend_from_slice(&w.have.to_be_bytes());
        put(send, WANT, &body).await?;
        let got = next(reader).await?;
        if got.kind == NOT_HERE {
            outcome.not_there += 1;
            continue;
        }
        if got.kind != INFO {
            return Err(bad("it did not describe the file asked for"));
        }
        let info =
            decode_info(&got.body).ok_or_else(|| bad("a file's description is malformed"))?;
        if !info.names(&w.hash) {
            return Err(bad("a file's description does not match its name"));
        }
        let count = info.chunks.len() as u32;
        for index in w.have.min(count)..count {
            let got = next(reader).await?;
            let (at, bytes) = match (got.kind, got.body.split_first_chunk::<4>()) {
                (CHUNK, Some((at, bytes))) => (u32::from_be_bytes(*at), bytes),
                _ => return Err(bad("a chunk was expected")),
            };
            let last = index + 1 == count;
            let want_len = if last {
                info.size - u64::from(index) * FILE_CHUNK as u64
            } else {
                FILE_CHUNK as u64
            };
            if at != index || bytes.len() as u64 != want_len {
                return Err(bad("a chunk came out of place or of the wrong size"));
            }
            if hash(&[bytes]) != info.chunks[index as usize] {
                return Err(bad("a chunk does not match its hash"));
            }
            let (name, info2, bytes) = (w.hash, info.clone(), bytes.to_vec());
            blocking(store, move |s| s.take(&name, &info2, index, &bytes)).await?;
            outcome.bytes_received += want_len;
        }
        outcome.received += 1;
    }
    Ok(())
}

/// Answer the other device's asks until it says `until`.
async fn answer<R: AsyncRead + Unpin>(
    reader: &mut FrameReader<R>,
    send: &mut (impl AsyncWrite + Unpin),
    store: &Arc<dyn FileStore>,
    peer: [u8; 32],
    outcome: &mut FilesOutcome,
    until: u8,
) -> Result<(), SessionError> {
    loop {
        let got = next(reader).await?;
        if got.kind == until {
            return Ok(());
        }
        let (name, from) = match (got.kind, got.body.split_first_chunk::<32>()) {
            (WANT, Some((name, from))) if from.len() == 4 => (
                *name,
                u32::from_be_bytes([from[0], from[1], from[2], from[3]]),
            ),
            _ => return Err(bad("a request for a file was expected")),
        };
        let Some(info) = blocking(store, move |s| s.describe(&peer, &name)).await? else {
            put(send, NOT_HERE, &[]).await?;
            continue;
        };
        put(send, INFO, &encode_info(&info)).await?;
        let count = info.chunks.len() as u32;
        for index in from.min(count)..count {
            let bytes = blocking(store, move |s| s.chunk(&name, index)).await?;
            let mut body = index.to_be_bytes().to_vec();
            body.extend_from_slice(&bytes);
            put(send, CHUNK, &body).await?;
            outcome.bytes_sent += bytes.len() as u64;
        }
        outcome.sent += 1;
    }
}

fn encode_info(info: &FileInfo) -> Vec<u8> {
    let mut out = info.size.to_be_bytes().to_vec();
    out.extend_from_slice(&(info.chunks.len() as u32).to_be_bytes());
    for c in &info.chunks {
        out.extend_from_slice(c);
    }
    out
}

fn decode_info(body: &[u8]) -> Option<FileInfo> {
    let (size, rest) = body.split_first_chunk::<8>()?;
    let (n, mut rest) = rest.split_first_chunk::<4>()?;
    let n = u32::from_be_bytes(*n) as usize;
    if n as u64 > file_chunks(FILE_MAX) || rest.len() != n * 32 {
        return None;
    }
    let mut chunks = Vec::with_capacity(n);
    while let Some((c, more)) = rest.split_first_chunk::<32>() {
        chunks.push(*c);
        rest = more;
    }
    Some(FileInfo {
        size: u64::from_be_bytes(*size),
        chunks,
    })
}

/// The protocol handler: answers a device that dialled, then asks it.
#[derive(Clone)]
pub(crate) struct FilesProtocol {
    pub(crate) store: Arc<dyn FileStore>,
    pub(crate) events: tokio::sync::broadcast::Sender<crate::NodeEvent>,
}

impl std::fmt::Debug for FilesProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FilesProtocol")
    }
}

impl iroh::protocol::ProtocolHandler for FilesProtocol {
    async fn accept(
        &self,
        conn: iroh::endpoint::Connection,
    ) -> Result<(), iroh::protocol::AcceptError> {
        let peer = *conn.remote_id().as_bytes();
        let result = async {
            let (mut send, mut recv) = conn
                .accept_bi()
                .await
                .map_err(|e| SessionError::Io(e.to_string()))?;
            let outcome = run_accepted(&mut recv, &mut send, self.store.clone(), peer).await?;
            let _ = send.finish();
            Ok::<_, SessionError>(outcome)
        }
        .await;
        let _ = self.events.send(crate::NodeEvent::FilesExchanged {
            peer,
            result: result.clone(),
        });
        match result {
            Ok(outcome) => {
                tracing::info!(
                    peer = %conn.remote_id().fmt_short(),
                    received = outcome.received,
                    sent = outcome.sent,
                    "files moved"
                );
                let _ = tokio::time::timeout(crate::session::READ_TIMEOUT, conn.closed()).await;
            }
            Err(e) => {
                tracing::warn!(peer = %conn.remote_id().fmt_short(), error = %e, "a transfer of files failed");
                conn.close(iroh::endpoint::VarInt::from_u32(2), b"transfer failed");
            }
        }
        Ok(())
    }
}

/// Dial a device and move files both ways.
pub(crate) async fn dial(
    endpoint: &iroh::Endpoint,
    addr: iroh::EndpointAddr,
    store: Arc<dyn FileStore>,
) -> Result<FilesOutcome, NetError> {
    let peer = *addr.id.as_bytes();
    let conn = endpoint
        .connect(addr, FILES_ALPN)
        .await
        .map_err(|e| NetError::Connect(format!("could not reach the device for files: {e}")))?;
    let result = async {
        let (mut send, mut recv) = conn
            .open_bi()
            .await
            .map_err(|e| SessionError::Io(e.to_string()))?;
        let outcome = run_dialled(&mut recv, &mut send, store, peer).await?;
        let _ = send.finish();
        let _ = tokio::time::timeout(crate::session::READ_TIMEOUT, send.stopped()).await;
        Ok(outcome)
    }
    .await;
    conn.close(iroh::endpoint::VarInt::from_u32(0), b"done");
    result.map_err(NetError::Session)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Files in memory: what a device holds whole, and chunks taken.
    #[derive(Default)]
    struct Memory {
        whole: HashMap<[u8; 32], Vec<u8>>,
        taken: Mutex<HashMap<[u8; 32], Vec<Vec<u8>>>>,
        wants: Vec<Wanted>,
        /// Sends a wrong chunk, to show it is refused.
        liar: bool,
    }

    fn named(bytes: &[u8]) -> ([u8; 32], FileInfo) {
        let chunks: Vec<[u8; 32]> = if bytes.is_empty() {
            vec![hash(&[b""])]
        } else {
            bytes.chunks(FILE_CHUNK).map(|c| hash(&[c])).collect()
        };
        let info = FileInfo {
            size: bytes.len() as u64,
            chunks,
        };
        (file_hash(info.size, &info.chunks), info)
    }

    impl FileStore for Memory {
        fn wanted(&self, _: &[u8; 32]) -> Result<Vec<Wanted>, ReplicaError> {
            Ok(self.wants.clone())
        }
        fn describe(&self, _: &[u8; 32], h: &[u8; 32]) -> Result<Option<FileInfo>, ReplicaError> {
            Ok(self.whole.get(h).map(|b| named(b).1))
        }
        fn chunk(&self, h: &[u8; 32], index: u32) -> Result<Vec<u8>, ReplicaError> {
            let b = &self.whole[h];
            let start = index as usize * FILE_CHUNK;
            let mut c = b[start..(start + FILE_CHUNK).min(b.len())].to_vec();
            if self.liar {
                c[0] ^= 1;
            }
            Ok(c)
        }
        fn take(
            &self,
            h: &[u8; 32],
            _: &FileInfo,
            _: u32,
            bytes: &[u8],
        ) -> Result<(), ReplicaError> {
            self.taken
                .lock()
                .unwrap()
                .entry(*h)
                .or_default()
                .push(bytes.to_vec());
            Ok(())
        }
    }

    async fn both(
        a: Arc<Memory>,
        b: Arc<Memory>,
    ) -> (
        Result<FilesOutcome, SessionError>,
        Result<FilesOutcome, SessionError>,
    ) {
        let (a_side, b_side) = tokio::io::duplex(1 << 16);
        // Each side owns its stream, so one that stops closes it for the other.
        tokio::join!(
            async move {
                let (mut r, mut w) = tokio::io::split(a_side);
                run_dialled(&mut r, &mut w, a, [1; 32]).await
            },
            async move {
                let (mut r, mut w) = tokio::io::split(b_side);
                run_accepted(&mut r, &mut w, b, [2; 32]).await
            },
        )
    }

    #[tokio::test]
    async fn files_move_both_ways_and_resume_from_what_is_held() {
        let big: Vec<u8> = (0..FILE_CHUNK * 2 + 7).map(|i| (i * 7) as u8).collect();
        let (big_name, _) = named(&big);
        let small = b"a small pdf".to_vec();
        let (small_name, _) = named(&small);
        let a = Arc::new(Memory {
            whole: [(big_name, big.clone())].into(),
            wants: vec![
                Wanted {
                    hash: small_name,
                    have: 0,
                },
                Wanted {
                    hash: [9; 32],
                    have: 0,
                },
            ],
            ..Default::default()
        });
        let b = Arc::new(Memory {
            whole: [(small_name, small.clone())].into(),
            // B already holds the first chunk of the big one.
            wants: vec![Wanted {
                hash: big_name,
                have: 1,
            }],
            ..Default::default()
        });
        let (da, db) = both(a.clone(), b.clone()).await;
        let (da, db) = (da.unwrap(), db.unwrap());
        assert_eq!((da.received, da.sent, da.not_there), (1, 1, 1));
        assert_eq!((db.received, db.sent), (1, 1));
        assert_eq!(a.taken.lock().unwrap()[&small_name], vec![small]);
        let got = &b.taken.lock().unwrap()[&big_name];
        assert_eq!(got.len(), 2, "only the chunks B lacked");
        assert_eq!(got.concat(), big[FILE_CHUNK..].to_vec());
        assert_eq!(db.bytes_received, (FILE_CHUNK + 7) as u64);
    }

    #[tokio::test]
    async fn a_chunk_that_does_not_match_is_refused_and_not_stored() {
        let bytes = b"photo bytes".to_vec();
        let (name, _) = named(&bytes);
        let a = Arc::new(Memory {
            wants: vec![Wanted {
                hash: name,
                have: 0,
            }],
            ..Default::default()
        });
        let b = Arc::new(Memory {
            whole: [(name, bytes)].into(),
            liar: true,
            ..Default::default()
        });
        let (da, _) = both(a.clone(), b).await;
        assert!(
            da.unwrap_err()
                .to_string()
                .contains("does not match its hash")
        );
        assert!(a.taken.lock().unwrap().is_empty());
    }

    #[test]
    fn a_description_must_name_the_file() {
        let (name, mut info) = named(b"abc");
        assert!(info.names(&name));
        assert_eq!(decode_info(&encode_info(&info)), Some(info.clone()));
        info.size += 1;
        assert!(!info.names(&name));
        assert!(decode_info(&[0; 11]).is_none());
    }
}
