//! The attachments' chunks checked as they stream past, one at a time: a
//! backup of gigabytes of photos is checked without holding any file, or
//! even one whole attachment, in memory.
//!
//! The chunks come in (id, index) order (the store reads them so, and a
//! backup's reader refuses them otherwise), so each attachment's chunks
//! come together and in order: each is opened with the storage key as it
//! comes, its plaintext hashed and dropped, and when the next attachment
//! begins, the one before is checked whole (every chunk there, its size and
//! its content hash). The checks and messages are those of FORMAT.md 2.11:
//! an attachment is named with what is wrong with it. Chunks of files no
//! entry has any more (kept while an older version of an entry has them)
//! pass unchecked, as they are carried unchecked.

use crate::attachments::{Attachment, blob_id, chunk_aad, chunk_count};
use hearth_crypto::{SymmetricKey, aead, hash};
use hearth_store::{BlobChunk, BlobId};
use std::collections::HashMap;

/// Checks a stream of blob chunks against the attachments the entries have.
pub(super) struct BlobCheck {
    key: SymmetricKey,
    files: Vec<File>,
    /// Each file by its blob id.
    by_id: HashMap<BlobId, usize>,
    /// The file whose chunks are streaming past.
    current: Option<Current>,
    /// Bytes of the files checked so far.
    total: u64,
}

/// One attachment to check.
struct File {
    attachment: Attachment,
    content: [u8; 32],
    /// How many chunks it has.
    count: u32,
    /// Whether its chunks have been checked.
    done: bool,
}

/// What the chunks of one file showed so far.
struct Current {
    file: usize,
    /// Chunks seen.
    have: u32,
    /// Whether they were 0, 1, 2, ... so far.
    in_order: bool,
    /// The first chunk that did not open.
    bad: Option<u32>,
    /// The size and chunk hashes of what opened.
    size: u64,
    hashes: Vec<[u8; 32]>,
}

impl BlobCheck {
    /// A check of the chunks of `files` (each once), sealed under `key`.
    pub(super) fn new(files: &[Attachment], key: &SymmetricKey) -> Result<Self, String> {
        let mut list = Vec::with_capacity(files.len());
        let mut by_id = HashMap::with_capacity(files.len());
        for a in files {
            let content: [u8; 32] = hex::decode(&a.id)
                .ok()
                .and_then(|h| h.try_into().ok())
                .ok_or_else(|| "an attachment id is malformed".to_string())?;
            by_id.insert(blob_id(key, &content), list.len());
            list.push(File {
                attachment: a.clone(),
                content,
                count: chunk_count(a.size),
                done: false,
            });
        }
        Ok(Self {
            key: key.clone(),
            files: list,
            by_id,
            current: None,
            total: 0,
        })
    }

    /// The next chunk of the stream, which comes after every chunk before
    /// it in (id, index) order. An error names the attachment.
    pub(super) fn chunk(&mut self, c: &BlobChunk) -> Result<(), String> {
        let Some(&file) = self.by_id.get(&c.id) else {
            // A file no entry has: the chunks before belong to another.
            return self.close();
        };
        if self.current.as_ref().is_none_or(|cur| cur.file != file) {
            self.close()?;
            let f = &self.files[file];
            if f.done {
                return Err(f.bad("has its chunks in two places"));
            }
            self.current = Some(Current {
                file,
                have: 0,
                in_order: true,
                bad: None,
                size: 0,
                hashes: Vec::new(),
            });
        }
        let (Some(cur), Some(f)) = (self.current.as_mut(), self.files.get(file)) else {
            return Ok(());
        };
        if c.index != cur.have {
            cur.in_order = false;
        }
        cur.have = cur.have.saturating_add(1);
        if cur.in_order && cur.bad.is_none() && c.index < f.count {
            let last = c.index + 1 == f.count;
            match aead::open(&self.key, &chunk_aad(&f.content, c.index, last), &c.payload) {
                Ok(plain) => {
                    cur.size += plain.len() as u64;
                    cur.hashes.push(hash(&[&plain]));
                }
                Err(_) => cur.bad = Some(c.index),
            }
        }
        Ok(())
    }

    /// The stream has ended: every attachment must have been complete.
    /// Returns their total size.
    pub(super) fn finish(mut self) -> Result<u64, String> {
        self.close()?;
        if let Some(f) = self.files.iter().find(|f| !f.done) {
            return Err(f.bad(&format!(
                "is incomplete: 0 of its {} chunks are there",
                f.count
            )));
        }
        Ok(self.total)
    }

    /// Check the file whose chunks just ended.
    fn close(&mut self) -> Result<(), String> {
        let Some(cur) = self.current.take() else {
            return Ok(());
        };
        let Some(f) = self.files.get_mut(cur.file) else {
            return Ok(());
        };
        f.done = true;
        if cur.have != f.count || !cur.in_order {
            return Err(f.bad(&format!(
                "is incomplete: {} of its {} chunks are there",
                cur.have, f.count
            )));
        }
        if let Some(index) = cur.bad {
            return Err(f.bad(&format!("is damaged: chunk {index} does not decrypt")));
        }
        if cur.size != f.attachment.size
            || hearth_crypto::file_hash(cur.size, &cur.hashes) != f.content
        {
            return Err(f.bad("is damaged: its bytes do not match its hash"));
        }
        self.total += cur.size;
        Ok(())
    }
}

impl File {
    fn bad(&self, why: &str) -> String {
        format!(
            "attachment {} ({}) {why}",
            self.attachment.name, self.attachment.id
        )
    }
}
