//! The backup file, byte by byte (FORMAT.md, "The backup file", is the
//! reference; this is its one implementation).
//!
//! ```text
//! "HEARTHBK" | version u16 | H u32 | header (H bytes) | CRC-32 u32
//! K u32 | backup key sealed under the personal scope key (K bytes)
//! chunk*: L u32 | backup-key envelope over up to 1 MiB of the record stream
//! ```
//!
//! Integers are big-endian. Each chunk's associated data binds its index and
//! whether it is the last, so a backup cut short, reordered or with a byte
//! changed does not open; the header is bound by the sealed backup key's
//! associated data (all bytes before it) and has a CRC so that damage there
//! is told apart from a wrong passphrase.
//!
//! Both directions stream, so that a backup of gigabytes of photos never
//! sits whole in memory: [`Writer`] seals each chunk and writes it out as
//! it fills; [`parse`] reads the clear part off any reader, [`Chunks`] then
//! opens one chunk at a time (reading one length prefix ahead, since a
//! chunk is the last exactly when the file ends after it), and [`Decoder`]
//! cuts the opened plaintext into records, which may span chunks. Each holds
//! at most a chunk and one record. The records come in the order Hearth
//! writes them: ops, views, epoch keys, tombstones, settings, then the
//! attachments' chunks in (id, index) order; a reader relies on the chunks
//! coming last and in order (they are checked against the attachments the
//! views list as they stream past), so a record after them, or one out of
//! order, is refused. Nothing here opens or names a file.

use crate::attachments::read_full;
use hearth_crypto::{SymmetricKey, aead};
use hearth_store::{
    BlobChunk, BlobId, EpochRecord, OpRecord, SettingRecord, Tombstone, VaultHeader, VaultRows,
    ViewRecord,
};
use std::io::{Read, Write};
use zeroize::Zeroizing;

pub(crate) const MAGIC: &[u8; 8] = b"HEARTHBK";
/// The version this build writes; versions 1 to 3 (vaults of those
/// formats) are read too.
pub(crate) const VERSION: u16 = 4;
/// Most plaintext bytes in one chunk.
pub(crate) const CHUNK_MAX: usize = 1 << 20;
const PREAMBLE: usize = 8 + 2 + 4;
const MAX_HEADER: usize = 1 << 16;
const KEY_AAD: &[u8] = b"hearth/backup/key/v1";
const CHUNK_AAD: &[u8] = b"hearth/backup/chunk/v1";
const SEALED_KEY_LEN: usize = 32 + aead::OVERHEAD;

const RECORD_OP: u8 = 1;
const RECORD_VIEW: u8 = 2;
const RECORD_SETTING: u8 = 3;
const RECORD_EPOCH: u8 = 4;
const RECORD_TOMBSTONE: u8 = 5;
const RECORD_BLOB: u8 = 6;

/// What a backup file says in the clear: the vault header with both
/// wrappings of the secrets, and when the backup was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub vault: VaultHeader,
    pub wrapped_recovery: Option<Vec<u8>>,
    /// Unix milliseconds.
    pub made_at: i64,
}

/// Why a backup could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// It is not a usable backup; a sentence says what is wrong.
    Bad(String),
    /// Reading it failed.
    Io(std::io::Error),
}

impl From<String> for ReadError {
    fn from(reason: String) -> Self {
        Self::Bad(reason)
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

// ----- Writing -----

/// Writes a backup file as its records come: the clear part first, then
/// each 1 MiB chunk sealed and written as soon as more plaintext follows
/// it; [`Writer::finish`] seals the last.
pub(crate) struct Writer<W: Write> {
    out: W,
    key: SymmetricKey,
    /// The plaintext of the chunk being filled (at most `CHUNK_MAX`).
    chunk: Zeroizing<Vec<u8>>,
    /// The index of that chunk.
    index: u64,
    /// Bytes written so far.
    written: u64,
    /// A record body being built.
    body: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Write the clear part (magic, version, header, CRC, and a fresh backup
    /// key sealed under `scope_key`) and get ready for records.
    pub(crate) fn start(
        mut out: W,
        header: &Header,
        scope_key: &SymmetricKey,
    ) -> std::io::Result<Self> {
        let mut clear = Vec::new();
        clear.extend_from_slice(MAGIC);
        clear.extend_from_slice(&VERSION.to_be_bytes());
        let h = encode_header(header);
        put_len32(&mut clear, h.len());
        clear.extend_from_slice(&h);
        let crc = crc32(&clear);
        clear.extend_from_slice(&crc.to_be_bytes());
        let key = SymmetricKey::random();
        let sealed_key = aead::seal(scope_key, &key_aad(&clear), key.as_bytes());
        put_len32(&mut clear, sealed_key.len());
        clear.extend_from_slice(&sealed_key);
        out.write_all(&clear)?;
        Ok(Self {
            out,
            key,
            chunk: Zeroizing::new(Vec::with_capacity(CHUNK_MAX)),
            index: 0,
            written: clear.len() as u64,
            body: Vec::new(),
        })
    }

    /// Every row of `rows` but the blob chunks, in the order Hearth writes
    /// them: ops, views, epoch keys, tombstones, settings.
    pub(crate) fn small_rows(&mut self, rows: &VaultRows) -> std::io::Result<()> {
        for op in &rows.ops {
            let b = self.new_body();
            b.extend_from_slice(&op.scope);
            b.extend_from_slice(&op.author);
            b.extend_from_slice(&op.seq.to_be_bytes());
            b.extend_from_slice(&op.epoch.to_be_bytes());
            b.extend_from_slice(&op.doc);
            b.push(op.kind);
            b.extend_from_slice(&op.prev);
            b.extend_from_slice(&op.payload_hash);
            put_bytes32(b, &op.payload);
            put_bytes32(b, &op.signature);
            self.body_record(RECORD_OP)?;
        }
        for v in &rows.views {
            let b = self.new_body();
            b.extend_from_slice(&v.doc);
            b.extend_from_slice(&v.scope);
            b.push(v.doc_type);
            put_bytes32(b, &v.payload);
            self.body_record(RECORD_VIEW)?;
        }
        for e in &rows.epochs {
            let b = self.new_body();
            b.extend_from_slice(&e.scope);
            b.extend_from_slice(&e.epoch.to_be_bytes());
            put_bytes32(b, &e.payload);
            self.body_record(RECORD_EPOCH)?;
        }
        for t in &rows.tombstones {
            let b = self.new_body();
            b.extend_from_slice(&t.scope);
            b.extend_from_slice(&t.doc);
            b.extend_from_slice(&t.author);
            b.extend_from_slice(&t.seq.to_be_bytes());
            self.body_record(RECORD_TOMBSTONE)?;
        }
        for s in &rows.settings {
            let b = self.new_body();
            // Setting names are short identifiers chosen by Hearth itself.
            let name = &s.name.as_bytes()[..s.name.len().min(usize::from(u16::MAX))];
            b.extend_from_slice(&(name.len() as u16).to_be_bytes());
            b.extend_from_slice(name);
            put_bytes32(b, &s.payload);
            self.body_record(RECORD_SETTING)?;
        }
        Ok(())
    }

    /// One blob chunk's record; they come after every other record, in
    /// (id, index) order.
    pub(crate) fn blob(&mut self, c: &BlobChunk) -> std::io::Result<()> {
        let payload = &c.payload[..c.payload.len().min(u32::MAX as usize)];
        let p = len32(payload.len());
        let index = c.index.to_be_bytes();
        let parts: [&[u8]; 4] = [&c.id, &index, &p, payload];
        let n = parts.iter().map(|part| part.len()).sum();
        self.push(&[RECORD_BLOB])?;
        self.push(&len32(n))?;
        for part in parts {
            self.push(part)?;
        }
        Ok(())
    }

    /// Seal the last chunk (an empty one if nothing was written), flush,
    /// and return the output and the number of bytes written.
    pub(crate) fn finish(mut self) -> std::io::Result<(W, u64)> {
        self.emit(true)?;
        self.out.flush()?;
        Ok((self.out, self.written))
    }

    fn new_body(&mut self) -> &mut Vec<u8> {
        self.body.clear();
        &mut self.body
    }

    /// The record of type `kind` whose body is in `self.body`.
    fn body_record(&mut self, kind: u8) -> std::io::Result<()> {
        let body = std::mem::take(&mut self.body);
        self.push(&[kind])?;
        self.push(&len32(body.len()))?;
        self.push(&body)?;
        self.body = body;
        Ok(())
    }

    /// Add plaintext to the stream. A full chunk is sealed and written only
    /// when more plaintext follows it, so that the final chunk (sealed by
    /// `finish`) is never empty unless the whole stream is.
    fn push(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            if self.chunk.len() == CHUNK_MAX {
                self.emit(false)?;
            }
            let take = (CHUNK_MAX - self.chunk.len()).min(data.len());
            self.chunk.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    fn emit(&mut self, last: bool) -> std::io::Result<()> {
        let sealed = aead::seal(&self.key, &chunk_aad(self.index, last), &self.chunk);
        self.out.write_all(&len32(sealed.len()))?;
        self.out.write_all(&sealed)?;
        self.written += 4 + sealed.len() as u64;
        self.chunk.clear();
        self.index += 1;
        Ok(())
    }
}

/// The whole backup file for `rows` in memory, sealed under a fresh backup
/// key that is itself sealed under `scope_key`.
#[cfg(test)]
pub(crate) fn encode(header: &Header, rows: &VaultRows, scope_key: &SymmetricKey) -> Vec<u8> {
    let write = || -> std::io::Result<Vec<u8>> {
        let mut w = Writer::start(Vec::new(), header, scope_key)?;
        w.small_rows(rows)?;
        for c in &rows.blobs {
            w.blob(c)?;
        }
        Ok(w.finish()?.0)
    };
    write().unwrap_or_default()
}

// ----- Reading -----

/// A backup file whose clear part has been read; its chunks are next in
/// `src`.
pub(crate) struct Parsed<R> {
    /// The backup format version (1 to 4).
    pub version: u16,
    pub header: Header,
    /// Every byte before the sealed backup key.
    key_aad_bytes: Vec<u8>,
    sealed_key: Vec<u8>,
    src: R,
    /// Offset of the chunks in the file.
    pub chunks_at: u64,
}

/// Read the clear part of a backup file: magic, version, header, checksum
/// and sealed key. Errors say what is wrong, as a sentence.
pub(crate) fn parse<R: Read>(mut src: R) -> Result<Parsed<R>, ReadError> {
    let mut pre = [0u8; PREAMBLE];
    let got = read_full(&mut src, &mut pre)?;
    if got < PREAMBLE {
        let n = got.min(MAGIC.len());
        return Err(ReadError::Bad(if pre[..n] == MAGIC[..n] {
            format!("it is cut short: it has only {got} bytes, not even a whole header")
        } else {
            "it is not a Hearth backup (it does not begin with HEARTHBK)".into()
        }));
    }
    if &pre[..8] != MAGIC {
        return Err(ReadError::Bad(
            "it is not a Hearth backup (it does not begin with HEARTHBK)".into(),
        ));
    }
    let version = u16::from_be_bytes([pre[8], pre[9]]);
    if !(1..=VERSION).contains(&version) {
        return Err(ReadError::Bad(format!(
            "it is a backup of format version {version}, and this Hearth reads versions 1 to {VERSION}; use a newer Hearth"
        )));
    }
    let h = u32::from_be_bytes([pre[10], pre[11], pre[12], pre[13]]) as usize;
    if h > MAX_HEADER {
        return Err(ReadError::Bad(format!(
            "its header is damaged: it claims {h} bytes, more than any header has"
        )));
    }
    let crc_end = PREAMBLE + h + 4;
    let mut clear = vec![0u8; crc_end];
    clear[..PREAMBLE].copy_from_slice(&pre);
    if read_full(&mut src, &mut clear[PREAMBLE..])? < h + 4 {
        return Err(ReadError::Bad(
            "it is cut short (or damaged): it ends inside its header, before any entry".into(),
        ));
    }
    let stored_crc = u32::from_be_bytes([
        clear[crc_end - 4],
        clear[crc_end - 3],
        clear[crc_end - 2],
        clear[crc_end - 1],
    ]);
    if crc32(&clear[..crc_end - 4]) != stored_crc {
        return Err(ReadError::Bad(
            "its header is damaged (its checksum does not match)".into(),
        ));
    }
    let header = decode_header(&clear[PREAMBLE..crc_end - 4])
        .map_err(|e| ReadError::Bad(format!("its header is malformed: {e}")))?;
    let mut k = [0u8; 4];
    if read_full(&mut src, &mut k)? < 4 {
        return Err(ReadError::Bad(
            "it is cut short: it ends before its sealed key".into(),
        ));
    }
    let k = u32::from_be_bytes(k) as usize;
    if k != SEALED_KEY_LEN {
        return Err(ReadError::Bad(format!(
            "it is damaged: its sealed key claims {k} bytes, not {SEALED_KEY_LEN}"
        )));
    }
    let mut sealed_key = vec![0u8; k];
    if read_full(&mut src, &mut sealed_key)? < k {
        return Err(ReadError::Bad(
            "it is cut short: it ends inside its sealed key".into(),
        ));
    }
    Ok(Parsed {
        version,
        header,
        chunks_at: (crc_end + 4 + k) as u64,
        key_aad_bytes: clear,
        sealed_key,
        src,
    })
}

impl<R: Read> Parsed<R> {
    /// Open the backup key with the scope key the secrets hold.
    pub(crate) fn backup_key(&self, scope_key: &SymmetricKey) -> Result<SymmetricKey, String> {
        let plain = Zeroizing::new(
            aead::open(scope_key, &key_aad(&self.key_aad_bytes), &self.sealed_key).map_err(
                |_| "its header or sealed key was changed (the key does not open)".to_string(),
            )?,
        );
        let arr: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| "its sealed key is malformed".to_string())?;
        Ok(SymmetricKey::from_bytes(arr))
    }

    /// The chunks, to be opened one at a time with the backup key.
    pub(crate) fn into_chunks(self, key: SymmetricKey) -> Chunks<R> {
        Chunks {
            src: self.src,
            key,
            index: 0,
            at: self.chunks_at,
            ahead: None,
            sealed: Vec::new(),
            done: false,
        }
    }
}

/// A backup's chunks, opened in order one at a time. Truncation, extra
/// bytes, reordering and changed bytes are each named.
pub(crate) struct Chunks<R> {
    src: R,
    key: SymmetricKey,
    /// The index of the next chunk.
    index: u64,
    /// Its offset in the file.
    at: u64,
    /// Its length prefix, when read ahead: the bytes, and how many of them
    /// the file has (1 to 4).
    ahead: Option<([u8; 4], usize)>,
    /// The sealed chunk being opened (kept to be reused).
    sealed: Vec<u8>,
    /// Whether the final chunk has been opened.
    done: bool,
}

impl<R: Read> Chunks<R> {
    /// The plaintext of the next chunk, or `None` once the final chunk has
    /// been opened (and the file ends right after it).
    pub(crate) fn next_chunk(&mut self) -> Result<Option<Zeroizing<Vec<u8>>>, ReadError> {
        if self.done {
            return Ok(None);
        }
        let index = self.index;
        let at = self.at;
        let (len, got) = match self.ahead.take() {
            Some(ahead) => ahead,
            None => {
                let mut len = [0u8; 4];
                let got = read_full(&mut self.src, &mut len)?;
                (len, got)
            }
        };
        if got == 0 {
            return Err(ReadError::Bad(match index {
                0 => "it is cut short: it ends after its header, before any entry".into(),
                n => format!(
                    "it is cut short: it ends after chunk {}, before its last chunk",
                    n - 1
                ),
            }));
        }
        if got < 4 {
            return Err(ReadError::Bad(format!(
                "it is cut short: it ends inside chunk {index}'s length (byte {at})"
            )));
        }
        let len = u32::from_be_bytes(len) as usize;
        if !(aead::OVERHEAD..=CHUNK_MAX + aead::OVERHEAD).contains(&len) {
            return Err(ReadError::Bad(format!(
                "chunk {index} (byte {at}) is damaged: its length {len} is impossible"
            )));
        }
        self.sealed.resize(len, 0);
        let have = read_full(&mut self.src, &mut self.sealed)?;
        if have < len {
            return Err(ReadError::Bad(format!(
                "it is cut short (or damaged): it ends inside chunk {index} (byte {at}), {have} of its {len} bytes are there"
            )));
        }
        // The chunk is the last exactly when the file ends after it.
        let mut next = [0u8; 4];
        let next_got = read_full(&mut self.src, &mut next)?;
        let at_end = next_got == 0;
        match aead::open(&self.key, &chunk_aad(index, at_end), &self.sealed) {
            Ok(plain) => {
                self.index += 1;
                self.at += 4 + len as u64;
                if at_end {
                    self.done = true;
                } else {
                    self.ahead = Some((next, next_got));
                }
                Ok(Some(Zeroizing::new(plain)))
            }
            Err(_) if aead::open(&self.key, &chunk_aad(index, !at_end), &self.sealed).is_ok() => {
                Err(ReadError::Bad(if at_end {
                    format!("it is cut short: it ends after chunk {index}, before its last chunk")
                } else {
                    let rest =
                        next_got as u64 + std::io::copy(&mut self.src, &mut std::io::sink())?;
                    format!("{rest} unexpected bytes follow its last chunk (chunk {index})")
                }))
            }
            Err(_) => Err(ReadError::Bad(format!(
                "chunk {index} (bytes {at} to {}) is damaged: it does not decrypt, so bytes in it were changed or chunks were moved",
                at + 4 + len as u64
            ))),
        }
    }

    /// The bytes read so far: once the final chunk is open, the file's size.
    pub(crate) fn bytes(&self) -> u64 {
        self.at
    }
}

/// One record of the stream: one row.
#[derive(Debug)]
pub(crate) enum Record {
    Op(OpRecord),
    View(ViewRecord),
    Setting(SettingRecord),
    Epoch(EpochRecord),
    Tombstone(Tombstone),
    Blob(BlobChunk),
}

impl Record {
    fn what(&self) -> &'static str {
        match self {
            Record::Op(_) => "an op",
            Record::View(_) => "a view",
            Record::Setting(_) => "a setting",
            Record::Epoch(_) => "an epoch key",
            Record::Tombstone(_) => "a tombstone",
            Record::Blob(_) => "a chunk of a photo or file",
        }
    }
}

/// Cuts the record stream into records as the chunks' plaintexts come in
/// ([`Decoder::push`], then [`Decoder::next_record`] until `None`), and
/// checks that the blob chunks come last and in (id, index) order.
pub(crate) struct Decoder {
    version: u16,
    /// Stream bytes not yet made into records, from `pos` on: the start of
    /// a record and at most one chunk.
    pending: Zeroizing<Vec<u8>>,
    pos: usize,
    /// The number of the next record.
    next: usize,
    /// The last blob chunk's place, once they have begun.
    last_blob: Option<(BlobId, u32)>,
}

impl Decoder {
    pub(crate) fn new(version: u16) -> Self {
        Self {
            version,
            pending: Zeroizing::new(Vec::with_capacity(2 * CHUNK_MAX)),
            pos: 0,
            next: 0,
            last_blob: None,
        }
    }

    /// The next piece of the stream: one chunk's plaintext.
    pub(crate) fn push(&mut self, plain: &[u8]) {
        self.pending.drain(..self.pos);
        self.pos = 0;
        self.pending.extend_from_slice(plain);
    }

    /// The next whole record among what was pushed, or `None` when it needs
    /// more of the stream.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record>, String> {
        let rest = &self.pending[self.pos..];
        if rest.len() < 5 {
            return Ok(None);
        }
        let n = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        if rest.len() - 5 < n {
            return Ok(None);
        }
        let record = decode_record(rest[0], &rest[5..5 + n], self.version, self.next)?;
        let i = self.next;
        match (&record, self.last_blob) {
            (Record::Blob(c), last) => {
                if last.is_some_and(|place| (c.id, c.index) <= place) {
                    return Err(format!(
                        "record {i} is out of order: the chunks of photos and files come in order of their ids and indexes, each once"
                    ));
                }
                self.last_blob = Some((c.id, c.index));
            }
            (other, Some(_)) => {
                return Err(format!(
                    "record {i} is out of place: {} after the chunks of photos and files, which come last",
                    other.what()
                ));
            }
            (_, None) => {}
        }
        self.pos += 5 + n;
        self.next += 1;
        Ok(Some(record))
    }

    /// The stream has ended: a record cut short there is an error.
    pub(crate) fn finish(&self) -> Result<(), String> {
        let left = self.pending.len() - self.pos;
        let bad = |what: &str| format!("record {} is malformed: {what}", self.next);
        match left {
            0 => Ok(()),
            1..5 => Err(bad("no length")),
            _ => Err(bad("it is longer than the stream")),
        }
    }
}

/// One record's body, of type `kind`; `i` is its number, for messages.
fn decode_record(kind: u8, body: &[u8], version: u16, i: usize) -> Result<Record, String> {
    let bad = |what: &str| format!("record {i} is malformed: {what}");
    let short = |_| bad("a field runs past its end");
    let mut b = Fields::new(body);
    let record = match kind {
        RECORD_OP => {
            let mut op = OpRecord {
                scope: b.array().map_err(short)?,
                author: b.array().map_err(short)?,
                seq: b.u64().map_err(short)?,
                epoch: b.u32().map_err(short)?,
                doc: b.array().map_err(short)?,
                kind: b.u8().map_err(short)?,
                prev: [0; 32],
                payload_hash: [0; 32],
                hash: [0; 32],
                payload: Vec::new(),
                signature: Vec::new(),
            };
            if version >= 2 {
                op.prev = b.array().map_err(short)?;
                op.payload_hash = b.array().map_err(short)?;
            }
            op.payload = b.bytes32().map_err(short)?;
            op.signature = b.bytes32().map_err(short)?;
            if version >= 2 {
                op.hash = hearth_crypto::hash(&[&crate::oplog::signed_header(&op)]);
            }
            Record::Op(op)
        }
        RECORD_VIEW => {
            let doc = b.array().map_err(short)?;
            let scope = b.array().map_err(short)?;
            let doc_type = if version >= 2 {
                b.u8().map_err(short)?
            } else {
                crate::view::DOC_ENTRY
            };
            Record::View(ViewRecord {
                scope,
                doc,
                doc_type,
                payload: b.bytes32().map_err(short)?,
            })
        }
        RECORD_EPOCH if version >= 2 => Record::Epoch(EpochRecord {
            scope: b.array().map_err(short)?,
            epoch: b.u32().map_err(short)?,
            payload: b.bytes32().map_err(short)?,
        }),
        RECORD_TOMBSTONE if version >= 2 => Record::Tombstone(Tombstone {
            scope: b.array().map_err(short)?,
            doc: b.array().map_err(short)?,
            author: b.array().map_err(short)?,
            seq: b.u64().map_err(short)?,
        }),
        RECORD_BLOB if version >= 4 => Record::Blob(BlobChunk {
            id: b.array().map_err(short)?,
            index: b.u32().map_err(short)?,
            payload: b.bytes32().map_err(short)?,
        }),
        RECORD_SETTING => {
            let name_len = usize::from(b.u16().map_err(short)?);
            let name = String::from_utf8(b.take(name_len).map_err(short)?.to_vec())
                .map_err(|_| bad("a setting name is not UTF-8"))?;
            let payload = b.bytes32().map_err(short)?;
            Record::Setting(SettingRecord { name, payload })
        }
        other => {
            return Err(format!(
                "record {i} has type {other}, which this Hearth does not know; use a newer Hearth"
            ));
        }
    };
    if !b.is_empty() {
        return Err(bad("bytes are left over after its fields"));
    }
    Ok(record)
}

/// Rows gathered from records.
#[derive(Debug, Default)]
#[cfg_attr(test, derive(PartialEq))]
pub(crate) struct Rows {
    pub ops: Vec<OpRecord>,
    pub views: Vec<ViewRecord>,
    pub settings: Vec<SettingRecord>,
    pub epochs: Vec<EpochRecord>,
    pub tombstones: Vec<Tombstone>,
    pub blobs: Vec<BlobChunk>,
}

impl Rows {
    pub(crate) fn push(&mut self, record: Record) {
        match record {
            Record::Op(op) => self.ops.push(op),
            Record::View(v) => self.views.push(v),
            Record::Setting(s) => self.settings.push(s),
            Record::Epoch(e) => self.epochs.push(e),
            Record::Tombstone(t) => self.tombstones.push(t),
            Record::Blob(c) => self.blobs.push(c),
        }
    }
}

fn encode_header(h: &Header) -> Vec<u8> {
    let v = &h.vault;
    let mut out = Vec::new();
    out.extend_from_slice(&v.format.to_be_bytes());
    out.extend_from_slice(&v.kdf_memory_kib.to_be_bytes());
    out.extend_from_slice(&v.kdf_iterations.to_be_bytes());
    out.extend_from_slice(&v.kdf_parallelism.to_be_bytes());
    let salt = &v.salt[..v.salt.len().min(usize::from(u16::MAX))];
    out.extend_from_slice(&(salt.len() as u16).to_be_bytes());
    out.extend_from_slice(salt);
    put_bytes32(&mut out, &v.wrapped_secrets);
    put_bytes32(&mut out, h.wrapped_recovery.as_deref().unwrap_or_default());
    out.extend_from_slice(&v.device);
    out.extend_from_slice(&v.personal_scope);
    out.extend_from_slice(&v.created_at.to_be_bytes());
    out.extend_from_slice(&h.made_at.to_be_bytes());
    out
}

fn decode_header(bytes: &[u8]) -> Result<Header, String> {
    let mut r = Fields::new(bytes);
    let short = |_| "a field runs past its end".to_string();
    let format = r.u32().map_err(short)?;
    let kdf_memory_kib = r.u32().map_err(short)?;
    let kdf_iterations = r.u32().map_err(short)?;
    let kdf_parallelism = r.u32().map_err(short)?;
    let salt_len = usize::from(r.u16().map_err(short)?);
    let salt = r.take(salt_len).map_err(short)?.to_vec();
    let wrapped_secrets = r.bytes32().map_err(short)?;
    let wrapped_recovery = Some(r.bytes32().map_err(short)?).filter(|w| !w.is_empty());
    let device = r.array().map_err(short)?;
    let personal_scope = r.array().map_err(short)?;
    let created_at = r.i64().map_err(short)?;
    let made_at = r.i64().map_err(short)?;
    if !r.is_empty() {
        return Err("bytes are left over after its fields".into());
    }
    Ok(Header {
        vault: VaultHeader {
            format,
            kdf_memory_kib,
            kdf_iterations,
            kdf_parallelism,
            salt,
            wrapped_secrets,
            device,
            personal_scope,
            created_at,
        },
        wrapped_recovery,
        made_at,
    })
}

fn key_aad(before: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(KEY_AAD.len() + before.len());
    a.extend_from_slice(KEY_AAD);
    a.extend_from_slice(before);
    a
}

fn chunk_aad(index: u64, last: bool) -> Vec<u8> {
    let mut a = CHUNK_AAD.to_vec();
    a.extend_from_slice(&index.to_be_bytes());
    a.push(u8::from(last));
    a
}

/// Lengths are written as u32; nothing Hearth stores comes near 4 GiB, and
/// a longer field is cut at that size (and would then fail its checks).
fn len32(len: usize) -> [u8; 4] {
    u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes()
}

fn put_len32(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&len32(len));
}

fn put_bytes32(out: &mut Vec<u8>, bytes: &[u8]) {
    let bytes = &bytes[..bytes.len().min(u32::MAX as usize)];
    put_len32(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// CRC-32 as zlib and PNG compute it (reflected, polynomial 0xEDB88320).
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// Reads fields off a byte slice; running past the end is an error.
struct Fields<'a> {
    bytes: &'a [u8],
    pos: usize,
}

struct Short;

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Short> {
        if n > self.remaining() {
            return Err(Short);
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        self.take(N)?.try_into().map_err(|_| Short)
    }

    fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, Short> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, Short> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Short> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, Short> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn bytes32(&mut self) -> Result<Vec<u8>, Short> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rows(body_len: usize) -> VaultRows {
        VaultRows {
            header: VaultHeader {
                format: 2,
                kdf_memory_kib: 8192,
                kdf_iterations: 1,
                kdf_parallelism: 1,
                salt: vec![1; 16],
                wrapped_secrets: vec![2; 169],
                device: [3; 32],
                personal_scope: [4; 16],
                created_at: 5,
            },
            wrapped_recovery: None,
            ops: (1..=3)
                .map(|seq| {
                    let mut op = OpRecord {
                        scope: [4; 16],
                        author: [3; 32],
                        seq,
                        epoch: 0,
                        doc: [9; 16],
                        kind: 1,
                        prev: [seq as u8 - 1; 32],
                        payload_hash: [seq as u8; 32],
                        hash: [0; 32],
                        payload: vec![seq as u8; body_len],
                        signature: vec![7; 64],
                    };
                    op.hash = hearth_crypto::hash(&[&crate::oplog::signed_header(&op)]);
                    op
                })
                .collect(),
            views: vec![ViewRecord {
                scope: [4; 16],
                doc: [9; 16],
                doc_type: 1,
                payload: vec![8; 50],
            }],
            settings: vec![SettingRecord {
                name: "theme".into(),
                payload: vec![6; 45],
            }],
            epochs: vec![EpochRecord {
                scope: [4; 16],
                epoch: 1,
                payload: vec![1; 72],
            }],
            tombstones: vec![Tombstone {
                scope: [4; 16],
                doc: [2; 16],
                author: [3; 32],
                seq: 4,
            }],
            blobs: vec![BlobChunk {
                id: [6; 32],
                index: 0,
                payload: vec![3; 60],
            }],
        }
    }

    fn header(r: &VaultRows) -> Header {
        Header {
            vault: r.header.clone(),
            wrapped_recovery: Some(vec![5; 90]),
            made_at: 77,
        }
    }

    /// Read a whole backup in memory, a chunk and a record at a time.
    fn open(bytes: &[u8], key: &SymmetricKey) -> Result<(Header, Rows), String> {
        let read = open_from(bytes, key);
        // A reader that gives a few bytes at a time (one, for a small file)
        // reads the same.
        let step = if bytes.len() < 10_000 { 1 } else { 997 };
        assert!(open_from(Trickle(bytes, step), key) == read);
        read
    }

    /// Gives at most `.1` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn open_from(src: impl std::io::Read, key: &SymmetricKey) -> Result<(Header, Rows), String> {
        let text = |e: ReadError| match e {
            ReadError::Bad(reason) => reason,
            ReadError::Io(e) => e.to_string(),
        };
        let p = parse(src).map_err(text)?;
        let k = p.backup_key(key)?;
        let header = p.header.clone();
        let mut decoder = Decoder::new(p.version);
        let mut chunks = p.into_chunks(k);
        let mut rows = Rows::default();
        while let Some(plain) = chunks.next_chunk().map_err(text)? {
            decoder.push(&plain);
            while let Some(record) = decoder.next_record()? {
                rows.push(record);
            }
        }
        decoder.finish()?;
        Ok((header, rows))
    }

    /// The plaintext length of each chunk of a backup.
    fn chunk_lengths(bytes: &[u8], key: &SymmetricKey) -> Vec<usize> {
        let p = parse(bytes).unwrap();
        let k = p.backup_key(key).unwrap();
        let mut chunks = p.into_chunks(k);
        let mut out = Vec::new();
        while let Some(plain) = chunks.next_chunk().unwrap() {
            out.push(plain.len());
        }
        assert_eq!(chunks.bytes(), bytes.len() as u64);
        out
    }

    #[test]
    fn crc_matches_zlib() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip_across_several_chunks() {
        let key = SymmetricKey::random();
        // About 2.4 MiB of records: three chunks.
        let r = rows(800_000);
        let bytes = encode(&header(&r), &r, &key);
        let (h, back) = open(&bytes, &key).unwrap();
        assert_eq!(h, header(&r));
        assert_eq!(back.ops, r.ops);
        assert_eq!(back.views, r.views);
        assert_eq!(back.settings, r.settings);
        assert!(open(&bytes, &SymmetricKey::random()).is_err());
    }

    #[test]
    fn an_empty_journal_has_one_empty_chunk() {
        let key = SymmetricKey::random();
        let mut r = rows(1);
        r.ops.clear();
        r.views.clear();
        r.settings.clear();
        let bytes = encode(&header(&r), &r, &key);
        let (_, back) = open(&bytes, &key).unwrap();
        assert!(back.ops.is_empty() && back.views.is_empty() && back.settings.is_empty());
    }

    #[test]
    fn every_cut_and_every_flip_is_refused() {
        let key = SymmetricKey::random();
        let r = rows(30);
        let bytes = encode(&header(&r), &r, &key);
        for n in 0..bytes.len() {
            assert!(open(&bytes[..n], &key).is_err(), "cut at {n}");
        }
        for i in 0..bytes.len() {
            for bit in [0x01, 0x80] {
                let mut bad = bytes.clone();
                bad[i] ^= bit;
                assert!(open(&bad, &key).is_err(), "flip at {i}");
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(open(&longer, &key).is_err());
    }

    #[test]
    fn moved_and_dropped_chunks_are_named() {
        let key = SymmetricKey::random();
        let r = rows(800_000);
        let bytes = encode(&header(&r), &r, &key);
        let start = parse(&bytes[..]).unwrap().chunks_at as usize;
        // Split the chunks apart.
        let mut chunks = Vec::new();
        let mut at = start;
        while at < bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            chunks.push(bytes[at..at + 4 + len].to_vec());
            at += 4 + len;
        }
        assert_eq!(chunks.len(), 3);
        let with = |order: &[usize]| {
            let mut b = bytes[..start].to_vec();
            for &i in order {
                b.extend_from_slice(&chunks[i]);
            }
            open(&b, &key).unwrap_err()
        };
        assert!(with(&[0, 1]).contains("cut short"), "{}", with(&[0, 1]));
        assert!(with(&[1, 0, 2]).contains("chunk 0"));
        assert!(with(&[0, 1, 2, 2]).contains("follow its last chunk"));
        assert!(with(&[]).contains("cut short"));
    }

    #[test]
    fn header_damage_is_told_from_other_trouble() {
        let key = SymmetricKey::random();
        let r = rows(10);
        let bytes = encode(&header(&r), &r, &key);
        let mut bad = bytes.clone();
        bad[20] ^= 1;
        assert!(open(&bad, &key).unwrap_err().contains("checksum"));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(
            open(&bad, &key)
                .unwrap_err()
                .contains("not a Hearth backup")
        );
        let mut bad = bytes.clone();
        bad[9] = 5;
        assert!(open(&bad, &key).unwrap_err().contains("version 5"));
        assert!(open(&bytes[..5], &key).unwrap_err().contains("cut short"));
        assert!(open(b"hello", &key).unwrap_err().contains("not a Hearth"));
    }

    #[test]
    fn chunks_are_cut_where_they_always_were() {
        // A chunk is sealed as not the last only when more follows: the
        // stream cut into 1 MiB pieces, the final one sealed as the last,
        // and one empty chunk for an empty stream.
        let key = SymmetricKey::random();
        let h = header(&rows(1));
        for n in [
            0,
            1,
            CHUNK_MAX - 1,
            CHUNK_MAX,
            CHUNK_MAX + 1,
            2 * CHUNK_MAX,
            2 * CHUNK_MAX + 7,
        ] {
            let stream = vec![7u8; n];
            let mut want: Vec<usize> = stream.chunks(CHUNK_MAX).map(<[u8]>::len).collect();
            if want.is_empty() {
                want.push(0);
            }
            // Pushed whole, or in pieces of odd sizes.
            for piece in [n.max(1), 4099, 7] {
                if piece == 7 && n > CHUNK_MAX + 1 {
                    continue;
                }
                let mut w = Writer::start(Vec::new(), &h, &key).unwrap();
                for part in stream.chunks(piece) {
                    w.push(part).unwrap();
                }
                let (bytes, written) = w.finish().unwrap();
                assert_eq!(written, bytes.len() as u64);
                assert_eq!(
                    chunk_lengths(&bytes, &key),
                    want,
                    "{n} in pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn blob_chunks_span_backup_chunks_and_come_last_in_order() {
        let key = SymmetricKey::random();
        let mut r = rows(10);
        r.blobs = (0..3)
            .flat_map(|id| {
                (0..2).map(move |index| BlobChunk {
                    id: [id; 32],
                    index,
                    payload: vec![id ^ index as u8; 700_000],
                })
            })
            .collect();
        let bytes = encode(&header(&r), &r, &key);
        assert_eq!(chunk_lengths(&bytes, &key).len(), 5);
        let (_, back) = open(&bytes, &key).unwrap();
        assert_eq!(back.blobs, r.blobs);
        assert_eq!((back.ops, back.views), (r.ops.clone(), r.views.clone()));

        let with = |write: &dyn Fn(&mut Writer<Vec<u8>>)| {
            let mut w = Writer::start(Vec::new(), &header(&r), &key).unwrap();
            write(&mut w);
            open(&w.finish().unwrap().0, &key).unwrap_err()
        };
        let err = with(&|w| {
            w.small_rows(&r).unwrap();
            w.blob(&r.blobs[0]).unwrap();
            w.small_rows(&r).unwrap();
        });
        assert_eq!(
            err,
            "record 8 is out of place: an op after the chunks of photos and files, which come last"
        );
        let err = with(&|w| {
            w.blob(&r.blobs[1]).unwrap();
            w.blob(&r.blobs[0]).unwrap();
        });
        assert!(err.starts_with("record 1 is out of order"), "{err}");
        let err = with(&|w| {
            w.blob(&r.blobs[2]).unwrap();
            w.blob(&r.blobs[1]).unwrap();
        });
        assert!(err.starts_with("record 1 is out of order"), "{err}");
        let err = with(&|w| {
            w.blob(&r.blobs[0]).unwrap();
            w.blob(&r.blobs[0]).unwrap();
        });
        assert!(err.starts_with("record 1 is out of order"), "{err}");
        // Before version 4 there were none.
        let err = decode_record(RECORD_BLOB, &[0; 40], 3, 9).unwrap_err();
        assert!(err.contains("record 9 has type 6"), "{err}");
    }

    #[test]
    fn bytes_after_the_last_chunk_are_counted() {
        let key = SymmetricKey::random();
        let r = rows(800_000);
        let bytes = encode(&header(&r), &r, &key);
        for extra in [1, 3, 4, 5, 100] {
            let mut longer = bytes.clone();
            longer.extend(std::iter::repeat_n(0, extra));
            assert_eq!(
                open(&longer, &key).unwrap_err(),
                format!("{extra} unexpected bytes follow its last chunk (chunk 2)")
            );
        }
        let mut cut = bytes.clone();
        cut.truncate(bytes.len() - 1);
        assert!(
            open(&cut, &key)
                .unwrap_err()
                .starts_with("it is cut short (or damaged): it ends inside chunk 2 (byte ")
        );
    }
}
