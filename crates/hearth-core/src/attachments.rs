//! Photos and files in entries.
//!
//! An attachment is named by its *content hash*: BLAKE2b-256 over the
//! file's size and the hash of each 1 MiB chunk (FORMAT.md 2.11), so a chunk
//! can be checked on its own and the same file attached twice is stored
//! once. The entry's document lists its attachments (name, media type,
//! size, hash); the bytes live beside the op log in the `blobs` table, a
//! sealed chunk per row under the storage key, so a large file is never
//! held whole in memory and no byte of it is in the clear on disk.
//!
//! A file up to [`READ_ONCE_MAX`] (a photo) is read once: its chunks are
//! held while it is hashed, then sealed. A larger one is read twice, once to
//! hash it and once to seal it, checking that each chunk still hashes as it
//! did (a file changed in between is refused), so memory stays flat. A
//! blob no entry refers to any more, in any version, and no entry shared
//! with this journal lists, is deleted when the trash is emptied.

use crate::entry::{Entry, EntryId};
use crate::journal::Journal;
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_crypto::{SymmetricKey, aead, hash};
use hearth_store::{BLOB_CHUNK_MAX, BlobChunk, BlobId, StoreTx};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The largest file an entry may hold: 100 MiB.
pub const ATTACHMENT_MAX: u64 = 100 << 20;

/// The most attachments one entry may hold.
pub const ATTACHMENTS_PER_ENTRY: usize = 200;

/// A photo or file in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attachment {
    /// The content hash, 64 hex digits: the same file has the same id
    /// everywhere. The body shows it with `![caption](attachment:ID)`.
    pub id: String,
    /// The file name it came with.
    pub name: String,
    /// What it is, as a media type: `image/jpeg`, `application/pdf`.
    pub media_type: String,
    /// In bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub added_at: DateTime<Utc>,
}

impl Attachment {
    /// The description an entry document keeps: canonical JSON.
    pub(crate) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A description read from a document; anything that is not one (a
    /// peer's mistake) is left out.
    pub(crate) fn decode(s: &str) -> Option<Self> {
        let a: Self = serde_json::from_str(s).ok()?;
        a.well_formed().then_some(a)
    }

    /// Whether a description from elsewhere (a document, a circle member)
    /// is one Hearth could have written.
    pub(crate) fn well_formed(&self) -> bool {
        parse_hash(&self.id).is_some()
            && !self.name.is_empty()
            && self.name.len() <= 1024
            && self.media_type.len() <= 255
            && self.size <= ATTACHMENT_MAX
    }

    /// Whether it is a photo Hearth can show.
    pub fn is_image(&self) -> bool {
        self.media_type.starts_with("image/")
    }

    fn hash(&self) -> Result<[u8; 32]> {
        parse_hash(&self.id).ok_or_else(|| CoreError::invalid("an attachment id is malformed"))
    }
}

pub(crate) fn parse_hash(id: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(id).ok()?;
    bytes.try_into().ok()
}

/// What a file to attach is, before its bytes are read: checked whole
/// first, so that one bad file changes nothing.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    /// `None`: worked out from the bytes, else from the name.
    pub media_type: Option<String>,
    pub source: hearth_interchange::AttachmentSource,
}

impl NewAttachment {
    /// A file on disk.
    pub fn file(path: &Path) -> Self {
        NewAttachment {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".into()),
            media_type: None,
            source: hearth_interchange::AttachmentSource::File(path.to_path_buf()),
        }
    }
}

/// Files up to this size are held in memory between hashing and sealing,
/// so they are read once; larger ones are read a second time to seal them.
pub(crate) const READ_ONCE_MAX: u64 = 16 << 20;

/// The hash of each chunk of a file and its size: enough to name it.
struct Hashed {
    size: u64,
    chunks: Vec<[u8; 32]>,
    /// The file's first bytes, to tell what it is.
    head: Vec<u8>,
    /// Every chunk's bytes, when the file is no larger than
    /// [`READ_ONCE_MAX`]; else empty.
    held: Vec<Vec<u8>>,
}

impl Hashed {
    fn content_hash(&self) -> [u8; 32] {
        hearth_crypto::file_hash(self.size, &self.chunks)
    }
}

/// How many chunks a file of `size` bytes has (an empty file has one).
pub(crate) fn chunk_count(size: u64) -> u32 {
    u32::try_from(hearth_crypto::file_chunks(size)).unwrap_or(u32::MAX)
}

/// Fill `buf` from `r` as far as it goes; returns how much was read (less
/// than its length only at the end of `r`).
pub fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Read a file once, a chunk at a time, hashing each chunk and holding
/// the chunks while the file is small enough.
fn hash_stream(r: &mut dyn Read, name: &str) -> std::io::Result<Hashed> {
    let mut buf = vec![0u8; BLOB_CHUNK_MAX];
    let mut out = Hashed {
        size: 0,
        chunks: Vec::new(),
        head: Vec::new(),
        held: Vec::new(),
    };
    loop {
        let n = read_full(r, &mut buf)?;
        if out.chunks.is_empty() {
            out.head = buf[..n.min(64)].to_vec();
        }
        if n == 0 && !out.chunks.is_empty() {
            break;
        }
        out.size += n as u64;
        if out.size > ATTACHMENT_MAX {
            return Err(std::io::Error::other(too_big(name, out.size)));
        }
        out.chunks.push(hash(&[&buf[..n]]));
        if out.size <= READ_ONCE_MAX {
            out.held.push(buf[..n].to_vec());
        } else {
            out.held = Vec::new();
        }
        if n < BLOB_CHUNK_MAX {
            break;
        }
    }
    Ok(out)
}

fn too_big(name: &str, size: u64) -> String {
    format!(
        "{name} is {}, over the {} MiB a file in an entry may be (nothing was attached)",
        human_size(size),
        ATTACHMENT_MAX >> 20
    )
}

/// A size as people read it: `812 B`, `4.2 KiB`, `3.1 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The media type of a file from its first bytes, else its name.
fn media_type_of(name: &str, head: &[u8]) -> String {
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_string();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" | "heif" => "image/heic",
        "pdf" => "application/pdf",
        "mp3" => "audio/mpeg",
        "m4a" | "aac" => "audio/mp4",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "txt" | "md" => "text/plain",
        _ => "application/octet-stream",
    }
    .to_string()
}

/// A blob's id in this vault: bound to the storage key, so the table does
/// not say which (well-known) files it holds.
pub(crate) fn blob_id(key: &SymmetricKey, content: &[u8; 32]) -> BlobId {
    hash(&[b"hearth/blob-id/v1", key.as_bytes(), content])
}

pub(crate) fn chunk_aad(content: &[u8; 32], index: u32, last: bool) -> Vec<u8> {
    let mut a = b"hearth/blob/v1".to_vec();
    a.extend_from_slice(content);
    a.extend_from_slice(&index.to_be_bytes());
    a.push(u8::from(last));
    a
}

/// Store a file's bytes (unless they are stored already); returns its
/// attachment. `tx` is the caller's transaction.
pub(crate) fn store_file(
    tx: &StoreTx<'_>,
    key: &SymmetricKey,
    file: &NewAttachment,
) -> Result<Attachment> {
    let io = |e: hearth_interchange::InterchangeError| CoreError::invalid(e.to_string());
    let hashed = file
        .source
        .read_with(|r| hash_stream(r, &file.name))
        .map_err(io)?;
    let content = hashed.content_hash();
    let id = blob_id(key, &content);
    let count = chunk_count(hashed.size);
    let seal = |index: u32, plain: &[u8]| {
        let payload = aead::seal(key, &chunk_aad(&content, index, index + 1 == count), plain);
        tx.put_blob_chunk(&BlobChunk { id, index, payload })
    };
    if tx.blob_chunk_count(&id)? == count {
        // Stored already.
    } else if hashed.held.len() == hashed.chunks.len() {
        for (index, plain) in (0..count).zip(&hashed.held) {
            seal(index, plain)?;
        }
    } else {
        file.source
            .read_with(|r| {
                let mut buf = vec![0u8; BLOB_CHUNK_MAX];
                for index in 0..count {
                    let n = read_full(r, &mut buf)?;
                    let want = hashed.chunks.get(index as usize);
                    if want != Some(&hash(&[&buf[..n]])) {
                        return Err(std::io::Error::other(format!(
                            "{} changed while it was being read; attach it again (nothing was attached)",
                            file.name
                        )));
                    }
                    seal(index, &buf[..n]).map_err(std::io::Error::other)?;
                }
                Ok(())
            })
            .map_err(io)?;
    }
    Ok(Attachment {
        id: hex::encode(content),
        name: clean_name(&file.name),
        media_type: file
            .media_type
            .clone()
            .unwrap_or_else(|| media_type_of(&file.name, &hashed.head)),
        size: hashed.size,
        added_at: crate::entry::truncate_millis(Utc::now()),
    })
}

/// A file name without folders or control characters, never empty.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".into()
    } else {
        cleaned.chars().take(255).collect()
    }
}

/// Copy a stored attachment's bytes to `out`, checking every chunk and the
/// whole; a damaged one is named.
pub(crate) fn copy_blob(
    tx: &StoreTx<'_>,
    key: &SymmetricKey,
    a: &Attachment,
    out: &mut dyn Write,
) -> Result<u64> {
    let content = a.hash()?;
    let id = blob_id(key, &content);
    let count = chunk_count(a.size);
    let damaged = |why: String| CoreError::AttachmentDamaged {
        name: a.name.clone(),
        id: a.id.clone(),
        reason: why,
    };
    let stored = tx.blob_chunk_count(&id)?;
    if stored == 0 {
        return Err(CoreError::AttachmentMissing {
            name: a.name.clone(),
            id: a.id.clone(),
        });
    }
    if stored != count {
        return Err(damaged(format!(
            "{stored} of its {count} chunks are stored"
        )));
    }
    let mut chunks = Vec::with_capacity(count as usize);
    let mut size = 0u64;
    for index in 0..count {
        let sealed = tx
            .blob_chunk(&id, index)?
            .ok_or_else(|| damaged(format!("chunk {index} is missing")))?;
        let plain = aead::open(
            key,
            &chunk_aad(&content, index, index + 1 == count),
            &sealed,
        )
        .map_err(|_| damaged(format!("chunk {index} does not decrypt (it was changed)")))?;
        chunks.push(hash(&[&plain]));
        size += plain.len() as u64;
        out.write_all(&plain)
            .map_err(|e| CoreError::invalid(format!("cannot write {}: {e}", a.name)))?;
    }
    let whole = Hashed {
        size,
        chunks,
        head: Vec::new(),
        held: Vec::new(),
    };
    if size != a.size || whole.content_hash() != content {
        return Err(damaged("its bytes do not match its hash".into()));
    }
    Ok(size)
}

impl Journal {
    /// Add files to an entry. Every file is checked (it exists, is a file,
    /// is at most [`ATTACHMENT_MAX`]) before anything is stored; a file
    /// already in the entry is not added twice.
    pub fn attach(&mut self, id_or_prefix: &str, files: &[PathBuf]) -> Result<Vec<Attachment>> {
        let new: Vec<NewAttachment> = files
            .iter()
            .map(|p| check_file(p).map(|()| NewAttachment::file(p)))
            .collect::<Result<_>>()?;
        self.attach_new(id_or_prefix, &new)
    }

    /// [`Journal::attach`] for files from any source.
    pub fn attach_new(
        &mut self,
        id_or_prefix: &str,
        files: &[NewAttachment],
    ) -> Result<Vec<Attachment>> {
        let id = self.resolve(id_or_prefix)?;
        let entry = self.get(&id.to_string())?.clone();
        if entry.attachments.len() + files.len() > ATTACHMENTS_PER_ENTRY {
            return Err(CoreError::invalid(format!(
                "an entry holds at most {ATTACHMENTS_PER_ENTRY} files; this one has {}",
                entry.attachments.len()
            )));
        }
        let stored = self.store_files(files)?;
        let result = self.change(id, |e| {
            for a in &stored {
                if !e.attachments.iter().any(|have| have.id == a.id) {
                    e.attachments.push(a.clone());
                }
            }
            Ok(())
        });
        match result {
            Ok(_) => Ok(stored),
            Err(e) => {
                self.sweep_blobs()?;
                Err(e)
            }
        }
    }

    /// Store files' bytes, each in its own transaction (a big import does
    /// not hold one transaction for gigabytes).
    pub(crate) fn store_files(&mut self, files: &[NewAttachment]) -> Result<Vec<Attachment>> {
        let key = self.scope_key().clone();
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            match self.store.write(|tx| store_file(tx, &key, f)) {
                Ok(a) => out.push(a),
                Err(e) => {
                    self.sweep_blobs()?;
                    return Err(e);
                }
            }
        }
        Ok(out)
    }

    /// Take an attachment out of an entry, with the places its text shows
    /// it. Its bytes stay while a version of the entry has it.
    pub fn detach(&mut self, id_or_prefix: &str, attachment: &str) -> Result<Attachment> {
        let id = self.resolve(id_or_prefix)?;
        let entry = self.get(&id.to_string())?;
        let found = pick_attachment(&entry.attachments, attachment)?.clone();
        self.change(id, |e| {
            e.attachments.retain(|a| a.id != found.id);
            e.body = replace_links(&e.body, &found.id, "");
            Ok(())
        })?;
        Ok(found)
    }

    /// An entry's attachments.
    pub fn attachments(&self, id_or_prefix: &str) -> Result<Vec<Attachment>> {
        Ok(self.get(id_or_prefix)?.attachments.clone())
    }

    /// The attachment an id or unique prefix names, in any entry (the trash
    /// included) or, failing that, in any entry shared in a circle.
    pub fn find_attachment(&self, id_or_prefix: &str) -> Result<Attachment> {
        let p = id_or_prefix.trim().to_ascii_lowercase();
        if p.len() < 4 || p.len() > 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CoreError::invalid(format!(
                "{id_or_prefix:?} is not an attachment id: give at least 4 of its hex digits, as `hearth attachments ENTRY` shows them"
            )));
        }
        let mut found: Vec<(EntryId, &Attachment)> = Vec::new();
        let mut ids = HashSet::new();
        for e in self.entries.values() {
            for a in e.attachments.iter().filter(|a| a.id.starts_with(&p)) {
                if ids.insert(&a.id) || found.is_empty() {
                    found.push((e.id, a));
                }
            }
        }
        if ids.is_empty() {
            let mut shared = self.shared_attachments()?;
            shared.retain(|a| a.id.starts_with(&p));
            shared.dedup_by(|a, b| a.id == b.id);
            return match shared.len() {
                0 => Err(CoreError::invalid(format!(
                    "no attachment has id {id_or_prefix}; `hearth attachments ENTRY` lists an entry's"
                ))),
                1 => Ok(shared.remove(0)),
                n => Err(CoreError::invalid(format!(
                    "id {id_or_prefix} matches {n} attachments; type more of it"
                ))),
            };
        }
        match ids.len() {
            1 => {
                // Prefer an entry outside the trash when the file is in several.
                found.sort_by_key(|(id, _)| self.entries.get(id).is_some_and(Entry::is_trashed));
                Ok(found[0].1.clone())
            }
            n => Err(CoreError::invalid(format!(
                "id {id_or_prefix} matches {n} attachments; type more of it"
            ))),
        }
    }

    /// Whether this device holds all of an attachment's bytes (a file of
    /// another device's entry may still be on its way).
    pub fn holds(&self, a: &Attachment) -> bool {
        a.hash().is_ok_and(|h| {
            self.store
                .read()
                .blob_chunk_count(&blob_id(self.scope_key(), &h))
                .is_ok_and(|n| n == chunk_count(a.size))
        })
    }

    /// Copy an attachment's bytes to `out`; returns how many.
    pub fn copy_attachment(&self, a: &Attachment, out: &mut dyn Write) -> Result<u64> {
        copy_blob(&self.store.read(), self.scope_key(), a, out)
    }

    /// An attachment's bytes, for showing a photo (at most
    /// [`ATTACHMENT_MAX`]).
    pub fn attachment_bytes(&self, id_or_prefix: &str) -> Result<(Attachment, Vec<u8>)> {
        let a = self.find_attachment(id_or_prefix)?;
        let mut out = Vec::with_capacity(a.size as usize);
        self.copy_attachment(&a, &mut out)?;
        Ok((a, out))
    }

    /// Write an attachment to a new file at `path` (or into `path` when it
    /// is a folder, under its own name). Never replaces a file; a damaged
    /// attachment leaves nothing behind.
    pub fn save_attachment(
        &self,
        id_or_prefix: &str,
        path: &Path,
    ) -> Result<(Attachment, PathBuf)> {
        let a = self.find_attachment(id_or_prefix)?;
        let dest = if path.is_dir() {
            path.join(&a.name)
        } else {
            path.to_path_buf()
        };
        if dest.exists() {
            return Err(CoreError::invalid(format!(
                "{} already exists; choose another name (nothing was written)",
                dest.display()
            )));
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let io =
            |e: std::io::Error| CoreError::invalid(format!("cannot write {}: {e}", dest.display()));
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
        self.copy_attachment(&a, tmp.as_file_mut())?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist_noclobber(&dest).map_err(|e| io(e.error))?;
        Ok((a, dest))
    }

    /// Delete every stored blob that no entry refers to in any of its
    /// versions (after a purge, or a failed attach).
    pub(crate) fn sweep_blobs(&mut self) -> Result<usize> {
        let key = self.scope_key().clone();
        let mut wanted: HashSet<BlobId> = HashSet::new();
        // What this device fetched for entries shared with it stays too.
        let shared = self.shared_attachments()?;
        let own = self
            .entries
            .values()
            .flat_map(|e| e.files.iter().chain(e.attachments.iter().map(|a| &a.id)));
        for f in own.chain(shared.iter().map(|a| &a.id)) {
            if let Some(h) = parse_hash(f) {
                wanted.insert(blob_id(&key, &h));
            }
        }
        let gone = self.store.write(|tx| -> Result<Vec<BlobId>> {
            let mut gone = Vec::new();
            for (id, _) in tx.blob_ids()? {
                if !wanted.contains(&id) {
                    tx.delete_blob(&id)?;
                    gone.push(id);
                }
            }
            Ok(gone)
        })?;
        for id in &gone {
            self.store.drop_cache(&crate::thumbnails::cache_name(id))?;
        }
        Ok(gone.len())
    }
}

/// Check a file before anything is stored: it exists, is a file, and is
/// not too big.
fn check_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| {
        CoreError::invalid(format!(
            "cannot read {}: {e} (nothing was attached)",
            path.display()
        ))
    })?;
    if !meta.is_file() {
        return Err(CoreError::invalid(format!(
            "{} is not a file (nothing was attached)",
            path.display()
        )));
    }
    if meta.len() > ATTACHMENT_MAX {
        return Err(CoreError::invalid(too_big(
            &path.display().to_string(),
            meta.len(),
        )));
    }
    std::fs::File::open(path).map_err(|e| {
        CoreError::invalid(format!(
            "cannot read {}: {e} (nothing was attached)",
            path.display()
        ))
    })?;
    Ok(())
}

/// The one attachment of `list` that an id prefix (or exact name) names.
fn pick_attachment<'a>(list: &'a [Attachment], id_or_name: &str) -> Result<&'a Attachment> {
    let p = id_or_name.trim().to_ascii_lowercase();
    let by_id: Vec<&Attachment> = if p.len() >= 4 && p.chars().all(|c| c.is_ascii_hexdigit()) {
        list.iter().filter(|a| a.id.starts_with(&p)).collect()
    } else {
        Vec::new()
    };
    let found = if by_id.is_empty() {
        list.iter()
            .filter(|a| a.name == id_or_name.trim())
            .collect()
    } else {
        by_id
    };
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(CoreError::invalid(format!(
            "this entry has no attachment {id_or_name}; `hearth attachments ENTRY` lists them"
        ))),
        more => Err(CoreError::invalid(format!(
            "{id_or_name} matches {} of this entry's attachments; type more of its id",
            more.len()
        ))),
    }
}

/// Where `attachment:KEY` stands in `body` as a link target: followed by
/// the end of the link, a space before its title, or the end of the text.
pub(crate) fn key_places(body: &str, key: &str) -> Vec<std::ops::Range<usize>> {
    let target = format!("attachment:{key}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = body[from..].find(&target) {
        let start = from + at;
        let end = start + target.len();
        let next = body[end..].chars().next();
        if next.is_none_or(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(c))) {
            out.push(start..end);
        }
        from = end;
    }
    out
}

/// `body` with each Markdown image or link whose target is
/// `attachment:KEY` (from its `[` or `![` to its `)`) replaced by `with`.
pub(crate) fn replace_links(body: &str, key: &str, with: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut last = 0;
    for r in key_places(body, key) {
        if r.start < last {
            continue;
        }
        let before = &body[last..r.start];
        let Some(open) = before.rfind('[') else {
            continue;
        };
        let Some(close) = body[r.end..].find(')') else {
            continue;
        };
        let start = if open > 0 && before.as_bytes()[open - 1] == b'!' {
            open - 1
        } else {
            open
        };
        out.push_str(&before[..start]);
        out.push_str(with);
        last = r.end + close + 1;
    }
    out.push_str(&body[last..]);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn references_to_a_detached_file_leave_the_text() {
        let id = "ab".repeat(32);
        let body = format!("Before ![a cat](attachment:{id}) after, [the pdf](attachment:{id}).");
        assert_eq!(replace_links(&body, &id, ""), "Before  after, .");
        assert_eq!(replace_links("no refs", &id, ""), "no refs");
    }

    #[test]
    fn names_and_types() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name(""), "file");
        assert_eq!(
            media_type_of("x.bin", &[0xFF, 0xD8, 0xFF, 0xE0]),
            "image/jpeg"
        );
        assert_eq!(media_type_of("IMG_1.HEIC", b"nothing known"), "image/heic");
        assert_eq!(human_size(3 << 20), "3.0 MiB");
        assert_eq!(chunk_count(0), 1);
        assert_eq!(chunk_count(BLOB_CHUNK_MAX as u64 + 1), 2);
    }

    #[test]
    fn the_hash_covers_every_chunk_and_the_size() {
        let big = vec![7u8; BLOB_CHUNK_MAX + 10];
        let a = hash_stream(&mut big.as_slice(), "a").unwrap();
        assert_eq!(a.chunks.len(), 2);
        let mut other = big.clone();
        other[BLOB_CHUNK_MAX + 3] = 8;
        let b = hash_stream(&mut other.as_slice(), "b").unwrap();
        assert_ne!(a.content_hash(), b.content_hash());
        let empty = hash_stream(&mut [].as_slice(), "e").unwrap();
        assert_eq!((empty.size, empty.chunks.len()), (0, 1));
    }
}
