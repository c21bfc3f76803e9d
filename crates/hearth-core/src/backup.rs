//! Encrypted backups: the whole vault, history included, in one file that
//! the passphrase or the recovery key opens.
//!
//! A backup carries the vault header as it is (KDF settings, salt, the
//! secrets sealed under the passphrase and, when there is one, under the
//! recovery key) and every op, view, setting, epoch key, tombstone and
//! attachment chunk exactly as stored, in chunks sealed under a fresh
//! backup key; that key is sealed under the personal scope key. The byte
//! layout is in [`file`] and FORMAT.md.
//!
//! Backups stream: the attachments' chunks (gigabytes of photos, perhaps)
//! never sit whole in memory, only the small rows (ops, views, settings,
//! epoch keys, tombstones) do. Writing reads the small rows and then each
//! blob chunk from one read transaction ([`hearth_store::backup_stream`]),
//! and seals and writes each 1 MiB chunk of the file as it fills, to a
//! temporary file beside the target that is linked into place when
//! complete. Reading (verify and restore) goes through the file a chunk and
//! a record at a time: the small rows come first and are gathered and
//! checked whole when the first blob chunk arrives (or at the end); then
//! each blob chunk is checked as it streams past ([`blobs`]) and, for a
//! restore, written into the new vault in batches of transactions.
//!
//! Verifying and restoring check everything: every chunk, every op's
//! signature, author and payload, every view and setting, the op log's
//! continuity (seqs and previous-op hashes), and every byte of every
//! attachment an entry has. A backup is refused, and nothing is restored,
//! at the first thing wrong. Restoring writes a new vault file in the empty
//! target directory under a temporary name, and renames it into place only
//! after everything was checked, so a failure at any point leaves the
//! target empty (a directory the restore created is removed again). The
//! restored vault is a **new device**: it mints its own device key and
//! certifies it, so it never writes a seq that the device it was backed up
//! from may also write. A backup of format version 1 (a format-1 vault) is
//! restored as such and migrated in the same step. The search-index cache
//! is not carried: it is rebuilt from the views on first search. Nor are
//! the device's own secrets.

mod blobs;
mod file;

use crate::attachments::Attachment;
use crate::journal::Journal;
use crate::oplog::{self, KIND_CHANGE, KIND_DEVICE, KIND_PURGE, KIND_PURGED_V1};
use crate::registry::Registry;
use crate::{CoreError, Result, Vault, migrate, settings, vault, view};
use blobs::BlobCheck;
use chrono::{DateTime, Utc};
use file::{Header, ReadError, Record};
use hearth_crypto::{
    DevicePublicKey, DeviceSecrets, RecoveryKey, SymmetricKey, Unwrapped, VaultSecrets, aead,
};
use hearth_store::backup_stream::BlobAppender;
use hearth_store::{BlobChunk, Store, VaultRows};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

/// What opens a backup: the passphrase it was made under, or the recovery
/// key the journal had then.
pub enum BackupKey<'a> {
    Passphrase(&'a [u8]),
    Recovery(&'a RecoveryKey),
}

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    /// Entries not in the trash.
    pub entries: usize,
    /// Entries in the trash.
    pub trashed: usize,
    /// Changes and purges in the log: the history (device certificates are
    /// not counted).
    pub ops: usize,
    pub settings: usize,
    /// Photos and files in the entries (each file once), every byte checked.
    pub attachments: usize,
    /// Their size, in bytes.
    pub attachment_bytes: u64,
    /// Whether the recovery key opens it too.
    pub recovery_key: bool,
    /// Size of the backup file.
    pub bytes: u64,
    pub made_at: DateTime<Utc>,
}

impl Journal {
    /// Write a backup of the whole journal to `path`, which must not exist.
    /// The file appears complete or not at all; a journal with damaged data
    /// is refused (what was written of it is removed).
    pub fn backup(&self, path: &Path) -> Result<BackupSummary> {
        if path.exists() {
            return Err(CoreError::invalid(format!(
                "{} already exists; choose a new file name (nothing was written)",
                path.display()
            )));
        }
        let damaged = |reason: String| {
            CoreError::invalid(format!(
                "the journal has damaged data, and a backup of it would not restore: {reason}; nothing was written (`hearth export --format hearth FILE` saves the entries that can be read)"
            ))
        };
        let key = self.scope_key();
        // One read transaction: the small rows, then the blob chunks, are
        // one snapshot of the journal.
        let snapshot = self.store.backup_snapshot()?;
        let rows = snapshot.rows()?;
        let (mut counts, files) =
            check_rows(&rows, file::VERSION, key, self.registry.identity()).map_err(damaged)?;
        let header = Header {
            vault: rows.header.clone(),
            wrapped_recovery: rows.wrapped_recovery.clone(),
            made_at: Utc::now().timestamp_millis(),
        };
        let mut check = BlobCheck::new(&files, key).map_err(damaged)?;
        let mut written = 0;
        write_new(path, |f| {
            let io = |source| io(path, source);
            let mut w = file::Writer::start(BufWriter::new(f), &header, key).map_err(io)?;
            w.small_rows(&rows).map_err(io)?;
            snapshot.for_each_blob_chunk(|chunk| -> Result<()> {
                check.chunk(&chunk).map_err(damaged)?;
                w.blob(&chunk).map_err(io)
            })?;
            counts.attachment_bytes = check.finish().map_err(damaged)?;
            let (out, n) = w.finish().map_err(io)?;
            out.into_inner().map_err(|e| io(e.into_error()))?;
            written = n;
            Ok(())
        })?;
        Ok(summary(&header, &counts, written))
    }
}

impl Vault {
    /// Check every byte of the backup at `path` without restoring it. The
    /// file is read a chunk at a time.
    pub fn verify_backup(path: &Path, key: BackupKey<'_>) -> Result<BackupSummary> {
        let opened = unlock_backup(path, open_file(path)?, &key)?.read(&mut Checking)?;
        Ok(opened.summary)
    }

    /// Check every byte of a backup already in memory, as
    /// [`Vault::verify_backup`] does; `path` only names it in errors.
    pub fn verify_backup_bytes(
        path: &Path,
        bytes: &[u8],
        key: BackupKey<'_>,
    ) -> Result<BackupSummary> {
        let opened = unlock_backup(path, std::io::Cursor::new(bytes), &key)?.read(&mut Checking)?;
        Ok(opened.summary)
    }

    /// Restore the backup at `path` into `home`, which must be empty or not
    /// exist. Everything is checked before the new vault is renamed into
    /// place; on any error `home` is left as it was (empty, or absent).
    pub fn restore_backup(path: &Path, home: &Path, key: BackupKey<'_>) -> Result<BackupSummary> {
        check_empty(home)?;
        let unlocked = unlock_backup(path, open_file(path)?, &key).map_err(nothing_restored)?;
        // The key derivation took a while: look again.
        check_empty(home)?;
        let created = !home.exists();
        vault::create_private_dir(home)?;
        let tmp = home.join(format!(
            ".vault.db.restoring-{}",
            hex::encode(rand::random::<[u8; 8]>())
        ));
        let written = restore_into(&tmp, unlocked, &Self::file(home));
        remove_sqlite_files(&tmp);
        match written {
            Ok(summary) => {
                sync_dir(home);
                Ok(summary)
            }
            Err(e) => {
                if created {
                    let _ = std::fs::remove_dir(home);
                }
                Err(e)
            }
        }
    }
}

/// Say that a refused backup restored nothing.
fn nothing_restored(e: CoreError) -> CoreError {
    match e {
        CoreError::Backup { path, reason } => CoreError::Backup {
            path,
            reason: format!("{reason}; nothing was restored"),
        },
        other => other,
    }
}

/// Read, check and write a backup's rows as a vault at `tmp`, make it a new
/// device, then move it to `dest`.
fn restore_into<R: Read>(tmp: &Path, unlocked: Unlocked<R>, dest: &Path) -> Result<BackupSummary> {
    let mut sink = Restoring { tmp, blobs: None };
    let opened = unlocked.read(&mut sink).map_err(nothing_restored)?;
    let store = sink
        .blobs
        .take()
        .ok_or_else(|| CoreError::invalid("the restored vault was never created"))?
        .finish()?;
    let summary = opened.summary.clone();
    write_vault(tmp, store, opened, dest)?;
    Ok(summary)
}

/// Make the vault at `tmp`, which holds a backup's rows, a new device, then
/// move it to `dest`.
fn write_vault(tmp: &Path, mut store: Store, opened: Opened, dest: &Path) -> Result<()> {
    let Opened {
        header,
        secrets,
        kek,
        ..
    } = opened;
    let h = &header.vault;
    let Unwrapped {
        user,
        legacy_device,
    } = secrets;
    if h.format == 1 {
        migrate::format_1_to_2(&mut store, h, &user, legacy_device, kek.as_ref(), true)?;
    } else {
        let secrets = VaultSecrets {
            user,
            device: DeviceSecrets::generate(),
        };
        vault::adopt_device(
            &mut store,
            &h.personal_scope,
            &secrets,
            &crate::registry::default_device_name(),
        )?;
    }
    store.checkpoint()?;
    drop(store);
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|source| io(tmp, source))?;
    link_new(tmp, dest)
}

/// Where a backup's rows go as they are read and checked.
trait Sink {
    /// Every row but the blob chunks, all checked; before any blob chunk.
    fn rows(&mut self, rows: &VaultRows) -> Result<()>;
    /// One blob chunk, checked if an entry has its attachment.
    fn blob(&mut self, chunk: &BlobChunk) -> Result<()>;
}

/// Verifying: the rows go nowhere.
struct Checking;

impl Sink for Checking {
    fn rows(&mut self, _: &VaultRows) -> Result<()> {
        Ok(())
    }

    fn blob(&mut self, _: &BlobChunk) -> Result<()> {
        Ok(())
    }
}

/// Restoring: the rows go into a new vault file at `tmp`, the blob chunks
/// in batches as they come.
struct Restoring<'a> {
    tmp: &'a Path,
    blobs: Option<BlobAppender>,
}

impl Sink for Restoring<'_> {
    fn rows(&mut self, rows: &VaultRows) -> Result<()> {
        drop(Store::create_with_rows(self.tmp, rows)?);
        // Closed and opened again, so that the write-ahead log SQLite makes
        // beside it takes the file's restricted mode too.
        vault::restrict_file(self.tmp)?;
        self.blobs = Some(Store::open(self.tmp)?.blob_appender());
        Ok(())
    }

    fn blob(&mut self, chunk: &BlobChunk) -> Result<()> {
        self.blobs
            .as_mut()
            .ok_or_else(|| CoreError::invalid("a blob chunk came before the restored vault"))?
            .put(chunk)?;
        Ok(())
    }
}

/// A backup whose clear part was read and whose backup key was opened:
/// its chunks are next.
struct Unlocked<R> {
    path: PathBuf,
    version: u16,
    header: Header,
    secrets: Unwrapped,
    /// The passphrase's key, when the passphrase opened it.
    kek: Option<SymmetricKey>,
    chunks: file::Chunks<R>,
}

/// A backup read to its end and checked.
struct Opened {
    header: Header,
    summary: BackupSummary,
    secrets: Unwrapped,
    /// The passphrase's key, when the passphrase opened it.
    kek: Option<SymmetricKey>,
}

/// What a reading error says about the backup at `path`.
fn read_error(path: &Path, e: ReadError) -> CoreError {
    match e {
        ReadError::Bad(reason) => CoreError::Backup {
            path: path.to_path_buf(),
            reason,
        },
        ReadError::Io(source) => io(path, source),
    }
}

/// Read a backup's clear part from `src`, derive the key and open its
/// secrets and its backup key.
fn unlock_backup<R: Read>(path: &Path, src: R, key: &BackupKey<'_>) -> Result<Unlocked<R>> {
    let bad = |reason: String| CoreError::Backup {
        path: path.to_path_buf(),
        reason,
    };
    let parsed = file::parse(src).map_err(|e| read_error(path, e))?;
    let h = &parsed.header;
    if h.vault.format != u32::from(parsed.version) {
        return Err(bad(format!(
            "it holds a vault of format {}, which this Hearth cannot read; use a newer Hearth",
            h.vault.format
        )));
    }
    let (secrets, kek) = open_secrets(h, key).map_err(|e| match e {
        CoreError::Crypto(c) => bad(format!("its sealed secrets are malformed ({c})")),
        CoreError::Invalid(reason) => bad(reason),
        other => other,
    })?;
    if h.vault.format == 1
        && secrets
            .legacy_device
            .as_ref()
            .is_none_or(|d| *d.public().as_bytes() != h.vault.device)
    {
        return Err(bad(
            "its header does not match its secrets: the file was changed".into(),
        ));
    }
    let backup_key = parsed
        .backup_key(&secrets.user.personal_scope_key)
        .map_err(bad)?;
    Ok(Unlocked {
        path: path.to_path_buf(),
        version: parsed.version,
        header: parsed.header.clone(),
        secrets,
        kek,
        chunks: parsed.into_chunks(backup_key),
    })
}

impl<R: Read> Unlocked<R> {
    /// Read every chunk and record, checking as they come: the small rows
    /// are gathered, checked whole and handed to `sink` when the first blob
    /// chunk arrives (or at the end, when there is none); then each blob
    /// chunk is checked and handed on. The first thing wrong stops it.
    fn read(self, sink: &mut dyn Sink) -> Result<Opened> {
        let Unlocked {
            path,
            version,
            header,
            secrets,
            kek,
            mut chunks,
        } = self;
        let bad = |reason: String| CoreError::Backup {
            path: path.clone(),
            reason,
        };
        let key = &secrets.user.personal_scope_key;
        let identity = secrets.user.identity_public();
        // The small rows until the blob chunks begin; then the counts and
        // the check of the chunks.
        let mut small = file::Rows::default();
        let mut blobs: Option<(Counts, BlobCheck)> = None;
        let begin = |small: &mut file::Rows, sink: &mut dyn Sink| -> Result<(Counts, BlobCheck)> {
            let small = std::mem::take(small);
            let rows = VaultRows {
                header: header.vault.clone(),
                wrapped_recovery: header.wrapped_recovery.clone(),
                ops: small.ops,
                views: small.views,
                settings: small.settings,
                epochs: small.epochs,
                tombstones: small.tombstones,
                blobs: Vec::new(),
            };
            let (counts, files) = check_rows(&rows, version, key, &identity).map_err(bad)?;
            let check = BlobCheck::new(&files, key).map_err(bad)?;
            sink.rows(&rows)?;
            Ok((counts, check))
        };
        let mut decoder = file::Decoder::new(version);
        while let Some(plain) = chunks.next_chunk().map_err(|e| read_error(&path, e))? {
            decoder.push(&plain);
            while let Some(record) = decoder.next_record().map_err(bad)? {
                let chunk = match record {
                    Record::Blob(chunk) => chunk,
                    other => {
                        small.push(other);
                        continue;
                    }
                };
                if blobs.is_none() {
                    blobs = Some(begin(&mut small, sink)?);
                }
                if let Some((_, check)) = &mut blobs {
                    check.chunk(&chunk).map_err(bad)?;
                }
                sink.blob(&chunk)?;
            }
        }
        decoder.finish().map_err(bad)?;
        let (mut counts, check) = match blobs {
            Some(b) => b,
            None => begin(&mut small, sink)?,
        };
        counts.attachment_bytes = check.finish().map_err(bad)?;
        let summary = summary(&header, &counts, chunks.bytes());
        Ok(Opened {
            header,
            summary,
            secrets,
            kek,
        })
    }
}

/// The user secrets, and the passphrase's key when that opened them.
fn open_secrets(h: &Header, key: &BackupKey<'_>) -> Result<(Unwrapped, Option<SymmetricKey>)> {
    match key {
        BackupKey::Passphrase(p) => {
            let kek = vault::kdf_of(&h.vault)
                .map_err(|e| {
                    CoreError::invalid(format!("its key-derivation settings are invalid ({e})"))
                })?
                .derive(p, &h.vault.salt)?;
            Ok((vault::unwrap(&kek, &h.vault)?, Some(kek)))
        }
        BackupKey::Recovery(k) => {
            let wrapped = h.wrapped_recovery.as_deref().ok_or_else(|| {
                CoreError::invalid(
                    "it holds no recovery-key wrapping (the journal had no recovery key when it was backed up); use the passphrase",
                )
            })?;
            let unwrapped = k
                .unwrap(&vault::recovery_aad(&h.vault.personal_scope), wrapped)
                .map_err(|e| match e {
                    hearth_crypto::CryptoError::Decrypt => CoreError::WrongRecoveryKey,
                    other => CoreError::Crypto(other),
                })?;
            Ok((unwrapped, None))
        }
    }
}

/// One log: (scope, author).
type LogId = ([u8; 16], [u8; 32]);

/// How many of each thing checked rows hold.
struct Counts {
    entries: usize,
    trashed: usize,
    ops: usize,
    settings: usize,
    attachments: usize,
    /// Counted as the attachments' chunks stream past ([`BlobCheck`]).
    attachment_bytes: u64,
}

/// Check every row as restore needs it: the op log gap-free from seq 1 for
/// each author and scope, each op naming its predecessor's hash, every op
/// by a certified device, signed and opening (purge markers: signed), every
/// view and setting opening, no duplicates, and every view backed by ops.
/// A version-1 backup is checked as format 1 did: every op by the vault's
/// one device. Returns the counts (but the attachments' bytes) and the
/// attachments the entries have, each once, whose chunks [`BlobCheck`]
/// checks; `rows.blobs` is not looked at.
fn check_rows(
    rows: &VaultRows,
    version: u16,
    key: &SymmetricKey,
    identity: &[u8; 32],
) -> std::result::Result<(Counts, Vec<Attachment>), String> {
    let device = DevicePublicKey::from_bytes(&rows.header.device)
        .map_err(|_| "its device key is malformed".to_string())?;
    let personal = rows.header.personal_scope;
    let personal_epochs: Vec<_> = rows
        .epochs
        .iter()
        .filter(|e| e.scope == personal)
        .cloned()
        .collect();
    let registry = Registry::from_parts(
        rows.ops.iter().filter(|o| o.scope == personal),
        &personal_epochs,
        *identity,
        key,
    )
    .map_err(|e| e.to_string())?;
    let circle_keys = circle_keys(&rows.epochs, &personal, key)?;
    // Per (scope, author): the next seq due and the last op's hash.
    let mut next: HashMap<LogId, (u64, [u8; 32])> = HashMap::new();
    let mut docs = BTreeSet::new();
    let stones: BTreeSet<_> = rows.tombstones.iter().map(|t| (t.scope, t.doc)).collect();
    // Each tombstone must name a purge op of its entry: (scope, doc, author, seq).
    let purges: BTreeSet<_> = rows
        .ops
        .iter()
        .filter(|o| o.kind == KIND_PURGE)
        .map(|o| (o.scope, o.doc, o.author, o.seq))
        .collect();
    for t in &rows.tombstones {
        if !purges.contains(&(t.scope, t.doc, t.author, t.seq)) {
            return Err(format!(
                "the tombstone of entry {} names no purge op of it",
                hex::encode(t.doc)
            ));
        }
    }
    for op in &rows.ops {
        let (expected, prev) = next.entry((op.scope, op.author)).or_insert((1, [0; 32]));
        if op.seq != *expected {
            return Err(format!(
                "its op log has a gap or a duplicate (op {} where {} was due)",
                op.seq, expected
            ));
        }
        *expected += 1;
        docs.insert(op.doc);
        if version == 1 {
            if !migrate::format_1_intact(op, &device) {
                return Err(format!(
                    "op {} has a bad signature (the file was changed)",
                    op.seq
                ));
            }
            if op.kind != KIND_PURGED_V1 {
                let aad = oplog::payload_aad(op);
                aead::open(key, &aad, &op.payload)
                    .map_err(|_| format!("op {} does not decrypt", op.seq))?;
            }
            continue;
        }
        if op.prev != *prev {
            return Err(format!(
                "op {} does not follow the op before it (two different histories were mixed)",
                op.seq
            ));
        }
        *prev = op.hash;
        if op.scope != personal {
            // A circle's op: intact, and opening with the circle's key
            // when this journal holds that epoch's.
            oplog::verify_signature(op)?;
            if let Some(k) = circle_keys.get(&(op.scope, op.epoch)) {
                aead::open(k, &oplog::payload_aad(op), &op.payload)
                    .map_err(|_| format!("op {} of a circle does not decrypt", op.seq))?;
            }
            continue;
        }
        if op.is_marker() {
            if !stones.contains(&(op.scope, op.doc)) {
                return Err(format!(
                    "op {} of entry {} lost its payload, but the entry was never purged",
                    op.seq,
                    hex::encode(op.doc)
                ));
            }
            oplog::verify(op, &registry).map_err(|e| e.to_string())?;
        } else if op.kind == KIND_CHANGE {
            oplog::open_change(op, &registry).map_err(|e| e.to_string())?;
        } else {
            oplog::open(op, &registry).map_err(|e| e.to_string())?;
        }
    }
    let mut seen = BTreeSet::new();
    let (mut entries, mut trashed) = (0, 0);
    let mut files: Vec<Attachment> = Vec::new();
    for v in &rows.views {
        let id = hex::encode(v.doc);
        if !seen.insert((v.scope, v.doc)) {
            return Err(format!("entry {id} has two views"));
        }
        if v.doc_type != view::DOC_ENTRY {
            return Err(format!(
                "entry {id} has a view of document type {}, which this Hearth does not know",
                v.doc_type
            ));
        }
        if stones.contains(&(v.scope, v.doc)) {
            return Err(format!("entry {id} was purged but still has a view"));
        }
        if !docs.contains(&v.doc) {
            return Err(format!("entry {id} has a view but no history"));
        }
        let fields = view::open(key, v).map_err(|e| e.to_string())?;
        let entry = crate::entry::Entry::from_fields(crate::EntryId(v.doc), fields.clone());
        for a in entry.attachments {
            if !files.iter().any(|f| f.id == a.id) {
                files.push(a);
            }
        }
        if fields.trashed_at.is_some() {
            trashed += 1;
        } else {
            entries += 1;
        }
    }
    let mut names = BTreeSet::new();
    for s in &rows.settings {
        if !names.insert(s.name.as_str()) {
            return Err(format!("setting {:?} appears twice", s.name));
        }
        aead::open(key, &settings::aad(&s.name), &s.payload)
            .map_err(|_| format!("setting {:?} does not decrypt", s.name))?;
    }
    let counts = Counts {
        entries,
        trashed,
        ops: rows.ops.iter().filter(|o| o.kind != KIND_DEVICE).count(),
        settings: rows.settings.len(),
        attachments: files.len(),
        attachment_bytes: 0,
    };
    Ok((counts, files))
}

/// The circles' epoch keys among the sealed epoch rows.
use crate::registry::{BadEpochKey, open_epoch_key};

fn circle_keys(
    epochs: &[hearth_store::EpochRecord],
    personal: &hearth_store::ScopeId,
    storage: &SymmetricKey,
) -> std::result::Result<HashMap<(hearth_store::ScopeId, u32), SymmetricKey>, String> {
    let mut out = HashMap::new();
    for e in epochs.iter().filter(|e| e.scope != *personal) {
        let key = open_epoch_key(storage, e).map_err(|bad| {
            format!(
                "the key of a circle's epoch {} {}",
                e.epoch,
                match bad {
                    BadEpochKey::Sealed => "does not open",
                    BadEpochKey::Malformed => "is malformed",
                }
            )
        })?;
        out.insert((e.scope, e.epoch), key);
    }
    Ok(out)
}

fn summary(h: &Header, c: &Counts, bytes: u64) -> BackupSummary {
    BackupSummary {
        entries: c.entries,
        trashed: c.trashed,
        ops: c.ops,
        settings: c.settings,
        attachments: c.attachments,
        attachment_bytes: c.attachment_bytes,
        recovery_key: h.wrapped_recovery.is_some(),
        bytes,
        made_at: crate::entry::from_millis(h.made_at),
    }
}

/// Refuse a target that holds anything.
fn check_empty(home: &Path) -> Result<()> {
    if Vault::exists(home) {
        return Err(CoreError::VaultExists(home.to_path_buf()));
    }
    match std::fs::read_dir(home) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(CoreError::invalid(format!(
                    "{} is not empty: restore into a new or empty data directory (nothing was written)",
                    home.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(io(home, source)),
    }
}

/// The backup file at `path`, to be read through a buffer.
fn open_file(path: &Path) -> Result<BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(BufReader::new)
        .map_err(|source| io(path, source))
}

fn io(path: &Path, source: std::io::Error) -> CoreError {
    CoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A temporary name next to `path`.
fn sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.partial-{}",
        hex::encode(rand::random::<[u8; 8]>())
    ))
}

/// Create `path` with what `fill` writes, whole or not at all: written to a
/// temporary file beside it (mode 0600), synced, then linked into place
/// without replacing anything.
fn write_new(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let tmp = sibling(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let done = options
        .open(&tmp)
        .map_err(|source| io(path, source))
        .and_then(|mut f| {
            fill(&mut f)?;
            f.sync_all().map_err(|source| io(path, source))
        })
        .and_then(|()| link_new(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    done
}

/// Give the file at `from` the name `to`, refusing if `to` exists. `from`
/// may remain and is the caller's to remove.
fn link_new(from: &Path, to: &Path) -> Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(CoreError::invalid(
            format!("{} already exists; nothing was written", to.display()),
        )),
        // A file system without hard links: check, then rename.
        Err(_) if !to.exists() => std::fs::rename(from, to).map_err(|source| io(to, source)),
        Err(source) => Err(io(to, source)),
    }
}

/// Remove a SQLite file and the files it may have beside it.
fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Make a rename in `dir` durable (best effort; not every system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;
