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
//! is told apart from a wrong passphrase. Nothing here touches a file.

use hearth_crypto::{SymmetricKey, aead};
use hearth_store::{
    BlobChunk, EpochRecord, OpRecord, SettingRecord, Tombstone, VaultHeader, VaultRows, ViewRecord,
};

pub(crate) const MAGIC: &[u8; 8] = b"HEARTHBK";
/// The version this build writes; version 1 (vaults of format 1) is read too.
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

/// A backup file whose clear part has been read.
pub(crate) struct Parsed<'a> {
    /// The backup format version (1 or 2).
    pub version: u16,
    pub header: Header,
    /// Every byte before the sealed backup key.
    key_aad_bytes: &'a [u8],
    sealed_key: &'a [u8],
    chunks: &'a [u8],
    /// Offset of `chunks` in the file, for messages.
    chunks_at: usize,
}

/// The whole backup file for `rows`, sealed under a fresh backup key that is
/// itself sealed under `scope_key`.
pub(crate) fn encode(header: &Header, rows: &VaultRows, scope_key: &SymmetricKey) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    let h = encode_header(header);
    put_len32(&mut out, h.len());
    out.extend_from_slice(&h);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    let backup_key = SymmetricKey::random();
    let sealed_key = aead::seal(scope_key, &key_aad(&out), backup_key.as_bytes());
    put_len32(&mut out, sealed_key.len());
    out.extend_from_slice(&sealed_key);
    let stream = zeroize::Zeroizing::new(encode_records(rows));
    let mut parts: Vec<&[u8]> = stream.chunks(CHUNK_MAX).collect();
    if parts.is_empty() {
        parts.push(&[]);
    }
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let sealed = aead::seal(&backup_key, &chunk_aad(i as u64, i == last), part);
        put_len32(&mut out, sealed.len());
        out.extend_from_slice(&sealed);
    }
    out
}

/// Read the clear part of a backup file: magic, version, header, checksum
/// and sealed key. Errors say what is wrong, as a sentence.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<'_>, String> {
    if bytes.len() < PREAMBLE {
        let n = bytes.len().min(MAGIC.len());
        return Err(if bytes[..n] == MAGIC[..n] {
            format!(
                "it is cut short: it has only {} bytes, not even a whole header",
                bytes.len()
            )
        } else {
            "it is not a Hearth backup (it does not begin with HEARTHBK)".into()
        });
    }
    if &bytes[..8] != MAGIC {
        return Err("it is not a Hearth backup (it does not begin with HEARTHBK)".into());
    }
    let version = u16::from_be_bytes([bytes[8], bytes[9]]);
    if !(1..=VERSION).contains(&version) {
        return Err(format!(
            "it is a backup of format version {version}, and this Hearth reads versions 1 to {VERSION}; use a newer Hearth"
        ));
    }
    let h = u32::from_be_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    if h > MAX_HEADER {
        return Err(format!(
            "its header is damaged: it claims {h} bytes, more than any header has"
        ));
    }
    let crc_end = PREAMBLE + h + 4;
    if bytes.len() < crc_end {
        return Err(
            "it is cut short (or damaged): it ends inside its header, before any entry".into(),
        );
    }
    let stored_crc = u32::from_be_bytes([
        bytes[crc_end - 4],
        bytes[crc_end - 3],
        bytes[crc_end - 2],
        bytes[crc_end - 1],
    ]);
    if crc32(&bytes[..crc_end - 4]) != stored_crc {
        return Err("its header is damaged (its checksum does not match)".into());
    }
    let header = decode_header(&bytes[PREAMBLE..crc_end - 4])
        .map_err(|e| format!("its header is malformed: {e}"))?;
    let mut r = Reader::new(&bytes[crc_end..]);
    let k = r
        .u32()
        .map_err(|_| "it is cut short: it ends before its sealed key".to_string())?
        as usize;
    if k != SEALED_KEY_LEN {
        return Err(format!(
            "it is damaged: its sealed key claims {k} bytes, not {SEALED_KEY_LEN}"
        ));
    }
    let sealed_key = r
        .take(k)
        .map_err(|_| "it is cut short: it ends inside its sealed key".to_string())?;
    let chunks_at = crc_end + 4 + k;
    Ok(Parsed {
        version,
        header,
        key_aad_bytes: &bytes[..crc_end],
        sealed_key,
        chunks: &bytes[chunks_at..],
        chunks_at,
    })
}

impl Parsed<'_> {
    /// Open the backup key with the scope key the secrets hold.
    pub(crate) fn backup_key(&self, scope_key: &SymmetricKey) -> Result<SymmetricKey, String> {
        let plain = zeroize::Zeroizing::new(
            aead::open(scope_key, &key_aad(self.key_aad_bytes), self.sealed_key).map_err(|_| {
                "its header or sealed key was changed (the key does not open)".to_string()
            })?,
        );
        let arr: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| "its sealed key is malformed".to_string())?;
        Ok(SymmetricKey::from_bytes(arr))
    }

    /// Open every chunk in order and return the record stream. Truncation,
    /// extra bytes, reordering and changed bytes are each named.
    pub(crate) fn open_chunks(&self, key: &SymmetricKey) -> Result<Vec<u8>, String> {
        let mut r = Reader::new(self.chunks);
        let mut stream = Vec::with_capacity(self.chunks.len());
        for index in 0u64.. {
            if r.is_empty() {
                return Err(match index {
                    0 => "it is cut short: it ends after its header, before any entry".into(),
                    n => format!(
                        "it is cut short: it ends after chunk {}, before its last chunk",
                        n - 1
                    ),
                });
            }
            let at = self.chunks_at + r.pos;
            let len = r.u32().map_err(|_| {
                format!("it is cut short: it ends inside chunk {index}'s length (byte {at})")
            })? as usize;
            if !(aead::OVERHEAD..=CHUNK_MAX + aead::OVERHEAD).contains(&len) {
                return Err(format!(
                    "chunk {index} (byte {at}) is damaged: its length {len} is impossible"
                ));
            }
            let have = r.remaining();
            let sealed = r.take(len).map_err(|_| {
                format!(
                    "it is cut short (or damaged): it ends inside chunk {index} (byte {at}), {have} of its {len} bytes are there"
                )
            })?;
            let at_end = r.is_empty();
            match aead::open(key, &chunk_aad(index, at_end), sealed) {
                Ok(plain) => {
                    stream.extend_from_slice(&plain);
                    if at_end {
                        return Ok(stream);
                    }
                }
                Err(_) if aead::open(key, &chunk_aad(index, !at_end), sealed).is_ok() => {
                    return Err(if at_end {
                        format!(
                            "it is cut short: it ends after chunk {index}, before its last chunk"
                        )
                    } else {
                        format!(
                            "{} unexpected bytes follow its last chunk (chunk {index})",
                            r.remaining()
                        )
                    });
                }
                Err(_) => {
                    return Err(format!(
                        "chunk {index} (bytes {at} to {}) is damaged: it does not decrypt, so bytes in it were changed or chunks were moved",
                        at + 4 + len
                    ));
                }
            }
        }
        Err("it has too many chunks".into())
    }
}

/// The rows in a record stream.
pub(crate) fn decode_records(stream: &[u8], version: u16) -> Result<Rows, String> {
    let mut rows = Rows::default();
    let mut r = Reader::new(stream);
    let mut i = 0usize;
    while !r.is_empty() {
        let bad = |what: &str| format!("record {i} is malformed: {what}");
        let kind = r.u8().map_err(|_| bad("no type"))?;
        let n = r.u32().map_err(|_| bad("no length"))? as usize;
        let body = r.take(n).map_err(|_| bad("it is longer than the stream"))?;
        let mut b = Reader::new(body);
        let short = |_| bad("a field runs past its end");
        match kind {
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
                rows.ops.push(op);
            }
            RECORD_VIEW => {
                let doc = b.array().map_err(short)?;
                let scope = b.array().map_err(short)?;
                let doc_type = if version >= 2 {
                    b.u8().map_err(short)?
                } else {
                    crate::view::DOC_ENTRY
                };
                rows.views.push(ViewRecord {
                    scope,
                    doc,
                    doc_type,
                    payload: b.bytes32().map_err(short)?,
                });
            }
            RECORD_EPOCH if version >= 2 => rows.epochs.push(EpochRecord {
                scope: b.array().map_err(short)?,
                epoch: b.u32().map_err(short)?,
                payload: b.bytes32().map_err(short)?,
            }),
            RECORD_TOMBSTONE if version >= 2 => rows.tombstones.push(Tombstone {
                scope: b.array().map_err(short)?,
                doc: b.array().map_err(short)?,
                author: b.array().map_err(short)?,
                seq: b.u64().map_err(short)?,
            }),
            RECORD_BLOB if version >= 4 => rows.blobs.push(BlobChunk {
                id: b.array().map_err(short)?,
                index: b.u32().map_err(short)?,
                payload: b.bytes32().map_err(short)?,
            }),
            RECORD_SETTING => {
                let name_len = usize::from(b.u16().map_err(short)?);
                let name = String::from_utf8(b.take(name_len).map_err(short)?.to_vec())
                    .map_err(|_| bad("a setting name is not UTF-8"))?;
                let payload = b.bytes32().map_err(short)?;
                rows.settings.push(SettingRecord { name, payload });
            }
            other => {
                return Err(format!(
                    "record {i} has type {other}, which this Hearth does not know; use a newer Hearth"
                ));
            }
        }
        if !b.is_empty() {
            return Err(bad("bytes are left over after its fields"));
        }
        i += 1;
    }
    Ok(rows)
}

/// The rows a record stream holds.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub ops: Vec<OpRecord>,
    pub views: Vec<ViewRecord>,
    pub settings: Vec<SettingRecord>,
    pub epochs: Vec<EpochRecord>,
    pub tombstones: Vec<Tombstone>,
    pub blobs: Vec<BlobChunk>,
}

fn encode_records(rows: &VaultRows) -> Vec<u8> {
    let mut out = Vec::new();
    let mut body = Vec::new();
    let record = |out: &mut Vec<u8>, kind: u8, body: &[u8]| {
        out.push(kind);
        put_len32(out, body.len());
        out.extend_from_slice(body);
    };
    for op in &rows.ops {
        body.clear();
        body.extend_from_slice(&op.scope);
        body.extend_from_slice(&op.author);
        body.extend_from_slice(&op.seq.to_be_bytes());
        body.extend_from_slice(&op.epoch.to_be_bytes());
        body.extend_from_slice(&op.doc);
        body.push(op.kind);
        body.extend_from_slice(&op.prev);
        body.extend_from_slice(&op.payload_hash);
        put_bytes32(&mut body, &op.payload);
        put_bytes32(&mut body, &op.signature);
        record(&mut out, RECORD_OP, &body);
    }
    for v in &rows.views {
        body.clear();
        body.extend_from_slice(&v.doc);
        body.extend_from_slice(&v.scope);
        body.push(v.doc_type);
        put_bytes32(&mut body, &v.payload);
        record(&mut out, RECORD_VIEW, &body);
    }
    for e in &rows.epochs {
        body.clear();
        body.extend_from_slice(&e.scope);
        body.extend_from_slice(&e.epoch.to_be_bytes());
        put_bytes32(&mut body, &e.payload);
        record(&mut out, RECORD_EPOCH, &body);
    }
    for t in &rows.tombstones {
        body.clear();
        body.extend_from_slice(&t.scope);
        body.extend_from_slice(&t.doc);
        body.extend_from_slice(&t.author);
        body.extend_from_slice(&t.seq.to_be_bytes());
        record(&mut out, RECORD_TOMBSTONE, &body);
    }
    for s in &rows.settings {
        body.clear();
        // Setting names are short identifiers chosen by Hearth itself.
        let name = &s.name.as_bytes()[..s.name.len().min(usize::from(u16::MAX))];
        body.extend_from_slice(&(name.len() as u16).to_be_bytes());
        body.extend_from_slice(name);
        put_bytes32(&mut body, &s.payload);
        record(&mut out, RECORD_SETTING, &body);
    }
    for c in &rows.blobs {
        body.clear();
        body.extend_from_slice(&c.id);
        body.extend_from_slice(&c.index.to_be_bytes());
        put_bytes32(&mut body, &c.payload);
        record(&mut out, RECORD_BLOB, &body);
    }
    out
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
    let mut r = Reader::new(bytes);
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
fn put_len32(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
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
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

struct Short;

impl<'a> Reader<'a> {
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

    fn open(bytes: &[u8], key: &SymmetricKey) -> Result<(Header, Rows), String> {
        let p = parse(bytes)?;
        let k = p.backup_key(key)?;
        let stream = p.open_chunks(&k)?;
        Ok((p.header.clone(), decode_records(&stream, p.version)?))
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
        let p = parse(&bytes).unwrap();
        let start = p.chunks_at;
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
}
