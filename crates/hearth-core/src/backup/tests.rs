//! Backups end to end on real vault files: a restored journal equals the
//! original row for row (its history included), and a damaged backup is
//! refused with the target left empty.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::{EntryDraft, EntryPatch, KdfParams, ListFilter};
use std::path::Path;

fn cheap() -> KdfParams {
    KdfParams::new(8 * 1024, 1, 1).unwrap()
}

fn pass(p: &[u8]) -> BackupKey<'_> {
    BackupKey::Passphrase(p)
}

/// A journal with edits, a trashed entry, a purged entry and a setting.
fn sample(home: &Path) -> (Journal, RecoveryKey) {
    let (mut j, key) = Vault::create_with_recovery(home, b"pw", cheap()).unwrap();
    let a = j
        .write(EntryDraft {
            title: "First".into(),
            body: "It rained ünïcödé 🌧".into(),
            mood: Some(2),
            feelings: vec!["calm".into()],
            tags: vec!["rain".into(), "home".into()],
            ..Default::default()
        })
        .unwrap();
    let b = j
        .write(EntryDraft {
            title: "Second".into(),
            body: "Sun".into(),
            starred: true,
            ..Default::default()
        })
        .unwrap();
    let gone = j
        .write(EntryDraft {
            body: "to be purged".into(),
            ..Default::default()
        })
        .unwrap();
    j.trash(&gone.id.to_string()).unwrap();
    j.empty_trash().unwrap();
    j.edit(
        &a.id.to_string(),
        &EntryPatch {
            body: Some("It rained all day.".into()),
            mood: Some(Some(4)),
            ..Default::default()
        },
    )
    .unwrap();
    j.trash(&b.id.to_string()).unwrap();
    j.write(EntryDraft {
        body: "third".into(),
        ..Default::default()
    })
    .unwrap();
    j.set_setting("theme", &"dark").unwrap();
    (j, key)
}

fn rows_of(home: &Path) -> VaultRows {
    Store::open(&Vault::file(home)).unwrap().rows().unwrap()
}

fn everything(j: &Journal) -> Vec<crate::Entry> {
    let mut all: Vec<_> = j
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .cloned()
        .collect();
    all.extend(j.trashed().into_iter().cloned());
    all
}

#[test]
fn restore_gives_the_same_journal_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let (home, copy) = (dir.path().join("a"), dir.path().join("b"));
    let (mut j, _) = sample(&home);
    j.build_search_index().unwrap();
    let file = dir.path().join("journal.hearth-backup");
    let made = j.backup(&file).unwrap();
    assert_eq!((made.entries, made.trashed, made.settings), (2, 1, 1));
    assert!(made.recovery_key);
    let checked = Vault::verify_backup(&file, pass(b"pw")).unwrap();
    assert_eq!(checked, made);
    let restored = Vault::restore_backup(&file, &copy, pass(b"pw")).unwrap();
    assert_eq!(restored, made);

    // Row for row: both wrappings, the op log, views, settings. The copy is
    // a new device, certified by one op of its own.
    let (a, mut b) = (rows_of(&home), rows_of(&copy));
    assert_ne!(b.header.device, a.header.device);
    let own: Vec<_> = b
        .ops
        .iter()
        .filter(|o| o.author == b.header.device)
        .map(|o| (o.seq, o.kind))
        .collect();
    assert_eq!(own, vec![(1, 3)]);
    b.ops.retain(|o| o.author != b.header.device);
    assert_eq!(b.ops, a.ops);
    assert_eq!(
        (&b.views, &b.settings, &b.wrapped_recovery),
        (&a.views, &a.settings, &a.wrapped_recovery)
    );
    assert_eq!(b.header.wrapped_secrets, a.header.wrapped_secrets);
    let mut r = Vault::unlock(&copy, b"pw").unwrap().0;
    assert_eq!(everything(&r), everything(&j));
    assert_eq!(
        r.setting::<String>("theme").unwrap().as_deref(),
        Some("dark")
    );
    let id = j.list(&ListFilter::default()).unwrap()[1].id.to_string();
    let history = |j: &Journal| serde_json::to_value(j.history(&id).unwrap()).unwrap();
    assert_eq!(history(&r), history(&j));
    assert_eq!(r.load_fields(&id).unwrap(), j.load_fields(&id).unwrap());
    assert_eq!(r.search("rained", &ListFilter::default()).unwrap().len(), 1);
    // The restored journal goes on where the original stopped.
    r.edit(
        &id,
        &EntryPatch {
            title: Some("Edited after restore".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.get(&id).unwrap().title, "Edited after restore");
}

#[test]
fn the_recovery_key_opens_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (j, key) = sample(&dir.path().join("a"));
    let file = dir.path().join("b.bak");
    j.backup(&file).unwrap();
    Vault::verify_backup(&file, BackupKey::Recovery(&key)).unwrap();
    let copy = dir.path().join("c");
    Vault::restore_backup(&file, &copy, BackupKey::Recovery(&key)).unwrap();
    assert_eq!(Vault::unlock(&copy, b"pw").unwrap().0.len(), 2);
    let other = RecoveryKey::generate();
    assert!(matches!(
        Vault::verify_backup(&file, BackupKey::Recovery(&other)),
        Err(CoreError::WrongRecoveryKey)
    ));
}

#[test]
fn a_backup_without_a_recovery_key_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let j = Vault::create(&dir.path().join("a"), b"pw", cheap()).unwrap();
    let file = dir.path().join("b.bak");
    let s = j.backup(&file).unwrap();
    assert_eq!((s.entries, s.ops, s.recovery_key), (0, 0, false));
    let err = Vault::verify_backup(&file, BackupKey::Recovery(&RecoveryKey::generate()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no recovery-key wrapping"), "{err}");
    // An empty journal restores to an empty journal.
    let copy = dir.path().join("c");
    Vault::restore_backup(&file, &copy, pass(b"pw")).unwrap();
    assert!(Vault::unlock(&copy, b"pw").unwrap().0.is_empty());
}

#[test]
fn wrong_passphrase_and_damage_leave_the_target_empty() {
    let dir = tempfile::tempdir().unwrap();
    let (j, _) = sample(&dir.path().join("a"));
    let file = dir.path().join("b.bak");
    j.backup(&file).unwrap();
    let target = dir.path().join("target");
    assert!(matches!(
        Vault::restore_backup(&file, &target, pass(b"nope")),
        Err(CoreError::WrongPassphrase)
    ));
    assert!(!target.exists());
    let good = std::fs::read(&file).unwrap();
    let bad = dir.path().join("bad.bak");
    // Cut at 24 points, and flip a bit at 60 spread out over the file.
    let cuts = (0..24).map(|i| i * good.len() / 24);
    for n in cuts.chain([good.len() - 1]) {
        std::fs::write(&bad, &good[..n]).unwrap();
        let err = Vault::restore_backup(&bad, &target, pass(b"pw")).unwrap_err();
        assert!(matches!(err, CoreError::Backup { .. }), "cut at {n}: {err}");
        assert!(!target.exists(), "cut at {n}");
    }
    for i in 0..60 {
        let at = i * (good.len() - 1) / 59;
        let mut b = good.clone();
        b[at] ^= 1 << (i % 8);
        std::fs::write(&bad, &b).unwrap();
        let err = Vault::restore_backup(&bad, &target, pass(b"pw")).unwrap_err();
        assert!(
            matches!(err, CoreError::Backup { .. }),
            "flip at {at}: {err}"
        );
        assert!(!target.exists(), "flip at {at}");
        assert!(Vault::verify_backup(&bad, pass(b"pw")).is_err());
    }
}

#[test]
fn the_target_must_be_empty_and_the_backup_new() {
    let dir = tempfile::tempdir().unwrap();
    let (j, _) = sample(&dir.path().join("a"));
    let file = dir.path().join("b.bak");
    j.backup(&file).unwrap();
    let before = std::fs::read(&file).unwrap();
    let err = j.backup(&file).unwrap_err().to_string();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert!(matches!(
        Vault::restore_backup(&file, &dir.path().join("a"), pass(b"pw")),
        Err(CoreError::VaultExists(_))
    ));
    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("note.txt"), "mine").unwrap();
    let err = Vault::restore_backup(&file, &busy, pass(b"pw"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(std::fs::read_dir(&busy).unwrap().count(), 1);
    // An existing empty directory is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    Vault::restore_backup(&file, &empty, pass(b"pw")).unwrap();
    let names: Vec<_> = std::fs::read_dir(&empty)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("vault.db")]);
}

/// The journal of `sample`, with its rows changed by `damage`, as the same
/// device (its own secrets are not among the rows); then a backup of it is
/// tried, and its error returned (no file is left behind).
fn backup_error_after(damage: impl FnOnce(&mut VaultRows)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("a");
    let (j, _) = sample(&home);
    drop(j);
    let mut rows = rows_of(&home);
    damage(&mut rows);
    let copy = dir.path().join("c");
    std::fs::create_dir_all(&copy).unwrap();
    Store::create_from_rows(&Vault::file(&copy), &rows).unwrap();
    let sealed = Store::open(&Vault::file(&home))
        .unwrap()
        .read()
        .device_secrets()
        .unwrap()
        .unwrap();
    Store::open(&Vault::file(&copy))
        .unwrap()
        .write(|tx| tx.set_device(&rows.header.device, &sealed))
        .unwrap();
    let j = Vault::unlock(&copy, b"pw").unwrap().0;
    let file = dir.path().join("b.bak");
    let err = j.backup(&file).unwrap_err().to_string();
    assert!(!file.exists());
    err
}

#[test]
fn history_lost_without_a_purge_is_not_backed_up() {
    let err = backup_error_after(|rows| {
        let op = rows.ops.iter_mut().find(|o| o.kind == 1).unwrap();
        op.payload.clear();
    });
    assert!(err.contains("never purged"), "{err}");
    let err = backup_error_after(|rows| rows.views[0].doc_type = 2);
    assert!(err.contains("document type 2"), "{err}");
}

#[test]
fn a_journal_with_a_damaged_op_is_not_backed_up() {
    // Change one byte of one op's signature, as a failing disk might.
    let err = backup_error_after(|rows| {
        let op = rows.ops.iter_mut().find(|o| o.kind == 1).unwrap();
        op.signature[3] ^= 1;
    });
    assert!(err.contains("bad signature"), "{err}");
}

/// Bytes that do not compress, as a photo's.
fn noise(len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    bytes
}

/// Files by name, with their bytes.
type Files = Vec<(String, Vec<u8>)>;

/// A journal whose photos and files come to several backup chunks: 2.5
/// MiB, exactly 1 MiB, 1 MiB and a byte, an empty file, a file in two
/// entries, and a detached file (its chunks stay; no entry has it now).
/// Returns the entries' ids and each attached file's bytes by name.
fn with_files(home: &Path, dir: &Path) -> (Journal, Vec<String>, Files) {
    let mut j = Vault::create(home, b"pw", cheap()).unwrap();
    let mut ids = Vec::new();
    for title in ["Lake", "Hills"] {
        let e = j
            .write(EntryDraft {
                title: title.into(),
                body: "Photos.".into(),
                ..Default::default()
            })
            .unwrap();
        ids.push(e.id.to_string());
    }
    let files: Files = [
        ("lake.jpg", noise(5 << 19)),
        ("exact.bin", noise(1 << 20)),
        ("over.bin", noise((1 << 20) + 1)),
        ("empty.txt", Vec::new()),
    ]
    .into_iter()
    .map(|(name, bytes)| (name.to_string(), bytes))
    .collect();
    let mut paths = Vec::new();
    for (name, bytes) in &files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    j.attach(&ids[0], &paths).unwrap();
    // The same photo in the second entry, and a file attached, then taken
    // out again.
    let gone = dir.join("gone.bin");
    std::fs::write(&gone, noise(3 << 19)).unwrap();
    j.attach(&ids[1], &[paths[0].clone(), gone]).unwrap();
    j.detach(&ids[1], "gone.bin").unwrap();
    (j, ids, files)
}

/// How many chunks a backup file has.
fn chunks_in(file: &Path) -> usize {
    let bytes = std::fs::read(file).unwrap();
    let mut at = file::parse(&bytes[..]).map(|p| p.chunks_at).ok().unwrap() as usize;
    let mut n = 0;
    while at < bytes.len() {
        at += 4 + u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        n += 1;
    }
    assert_eq!(at, bytes.len());
    n
}

/// The blob id of the attachment of entry `entry` named `name`.
fn blob_of(j: &Journal, entry: &str, name: &str) -> [u8; 32] {
    let a = j
        .attachments(entry)
        .unwrap()
        .into_iter()
        .find(|a| a.name == name)
        .unwrap();
    crate::attachments::blob_id(
        j.scope_key(),
        &hex::decode(&a.id).unwrap().try_into().unwrap(),
    )
}

#[test]
fn photos_larger_than_a_chunk_stream_through_backup_verify_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (home, copy) = (dir.path().join("a"), dir.path().join("b"));
    let (j, ids, files) = with_files(&home, dir.path());
    let file = dir.path().join("journal.hearth-backup");
    let made = j.backup(&file).unwrap();
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    assert_eq!((made.attachments, made.attachment_bytes), (4, total as u64));
    assert_eq!(made.bytes, std::fs::metadata(&file).unwrap().len());
    // The stored chunks (the detached file's too) come to about 6.5 MiB
    // of records: 7 backup chunks, records spanning them.
    assert_eq!(chunks_in(&file), 7);
    assert_eq!(Vault::verify_backup(&file, pass(b"pw")).unwrap(), made);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(
        Vault::verify_backup_bytes(&file, &bytes, pass(b"pw")).unwrap(),
        made
    );
    assert_eq!(
        Vault::restore_backup(&file, &copy, pass(b"pw")).unwrap(),
        made
    );
    let (a, b) = (rows_of(&home), rows_of(&copy));
    assert_eq!(a.blobs.len(), 3 + 1 + 2 + 1 + 2);
    assert_eq!(b.blobs, a.blobs);
    assert_eq!(b.views, a.views);
    let r = Vault::unlock(&copy, b"pw").unwrap().0;
    for (name, bytes) in &files {
        let a = r
            .attachments(&ids[0])
            .unwrap()
            .into_iter()
            .find(|a| &a.name == name)
            .unwrap();
        assert_eq!(&r.attachment_bytes(&a.id).unwrap().1, bytes, "{name}");
    }
    assert_eq!(r.attachments(&ids[1]).unwrap().len(), 1);
}

/// The journal of `with_files` with its stored chunks changed by `damage`;
/// then a backup of it is tried, and its error returned. Nothing may be
/// left behind, the temporary file included.
fn backup_error_with_files(damage: impl FnOnce(&hearth_store::StoreTx<'_>, [u8; 32])) -> String {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("a");
    let (j, ids, _) = with_files(&home, dir.path());
    let id = blob_of(&j, &ids[0], "lake.jpg");
    drop(j);
    let mut store = Store::open(&Vault::file(&home)).unwrap();
    store
        .write(|tx| -> Result<()> {
            damage(tx, id);
            Ok(())
        })
        .unwrap();
    drop(store);
    let j = Vault::unlock(&home, b"pw").unwrap().0;
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let err = j.backup(&out.join("b.bak")).unwrap_err().to_string();
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "{err}");
    err
}

#[test]
fn a_journal_with_a_damaged_photo_is_not_backed_up() {
    let err = backup_error_with_files(|tx, id| {
        let mut sealed = tx.blob_chunk(&id, 1).unwrap().unwrap();
        sealed[60] ^= 1;
        tx.put_blob_chunk(&hearth_store::BlobChunk {
            id,
            index: 1,
            payload: sealed,
        })
        .unwrap();
    });
    assert!(err.contains("damaged data"), "{err}");
    assert!(
        err.contains("lake.jpg") && err.contains("chunk 1 does not decrypt"),
        "{err}"
    );
    let err = backup_error_with_files(|tx, id| tx.delete_blob(&id).unwrap());
    assert!(
        err.contains("lake.jpg") && err.contains("0 of its 3 chunks are there"),
        "{err}"
    );
    // A chunk in another's place.
    let err = backup_error_with_files(|tx, id| {
        let sealed = tx.blob_chunk(&id, 0).unwrap().unwrap();
        tx.put_blob_chunk(&hearth_store::BlobChunk {
            id,
            index: 2,
            payload: sealed,
        })
        .unwrap();
    });
    assert!(err.contains("chunk 2 does not decrypt"), "{err}");
}

/// A backup of the journal at `home` with its records written by `write`
/// (the rows in whatever order it likes).
fn crafted(
    j: &Journal,
    home: &Path,
    write: impl FnOnce(&mut file::Writer<Vec<u8>>, &VaultRows),
) -> Vec<u8> {
    let rows = rows_of(home);
    let header = Header {
        vault: rows.header.clone(),
        wrapped_recovery: rows.wrapped_recovery.clone(),
        made_at: 0,
    };
    let mut w = file::Writer::start(Vec::new(), &header, j.scope_key()).unwrap();
    write(&mut w, &rows);
    w.finish().unwrap().0
}

/// Verify and restore both refuse `bytes`, saying `says`; the target is
/// not left behind.
#[track_caller]
fn refused(bytes: &[u8], says: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.bak");
    std::fs::write(&file, bytes).unwrap();
    let err = Vault::verify_backup(&file, pass(b"pw")).unwrap_err();
    assert!(matches!(err, CoreError::Backup { .. }), "{err}");
    assert!(err.to_string().contains(says), "{err}");
    let target = dir.path().join("t");
    let err = Vault::restore_backup(&file, &target, pass(b"pw")).unwrap_err();
    assert!(err.to_string().contains(says), "{err}");
    assert!(err.to_string().contains("nothing was restored"), "{err}");
    assert!(!target.exists());
}

#[test]
fn photos_out_of_place_or_order_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("a");
    let (j, ids, _) = with_files(&home, dir.path());
    let lake = blob_of(&j, &ids[0], "lake.jpg");
    // In Hearth's order, the crafted file is a good backup.
    let good = crafted(&j, &home, |w, rows| {
        w.small_rows(rows).unwrap();
        for c in &rows.blobs {
            w.blob(c).unwrap();
        }
    });
    let file = dir.path().join("good.bak");
    std::fs::write(&file, &good).unwrap();
    let s = Vault::verify_backup(&file, pass(b"pw")).unwrap();
    assert_eq!((s.entries, s.attachments), (2, 4));

    // A chunk before the other rows.
    refused(
        &crafted(&j, &home, |w, rows| {
            w.blob(&rows.blobs[0]).unwrap();
            w.small_rows(rows).unwrap();
        }),
        "record 1 is out of place: an op after the chunks of photos and files",
    );
    // The chunks backwards, or one twice.
    refused(
        &crafted(&j, &home, |w, rows| {
            w.small_rows(rows).unwrap();
            for c in rows.blobs.iter().rev() {
                w.blob(c).unwrap();
            }
        }),
        "is out of order",
    );
    refused(
        &crafted(&j, &home, |w, rows| {
            w.small_rows(rows).unwrap();
            w.blob(&rows.blobs[0]).unwrap();
            for c in &rows.blobs {
                w.blob(c).unwrap();
            }
        }),
        "is out of order",
    );
    // A chunk left out, or one damaged: found after the vault being
    // restored has received chunks, which go with it.
    refused(
        &crafted(&j, &home, |w, rows| {
            w.small_rows(rows).unwrap();
            for c in rows.blobs.iter().filter(|c| (c.id, c.index) != (lake, 2)) {
                w.blob(c).unwrap();
            }
        }),
        "is incomplete: 2 of its 3 chunks are there",
    );
    refused(
        &crafted(&j, &home, |w, rows| {
            w.small_rows(rows).unwrap();
            for c in &rows.blobs {
                let mut c = c.clone();
                if (c.id, c.index) == (lake, 1) {
                    c.payload[50] ^= 1;
                }
                w.blob(&c).unwrap();
            }
        }),
        "is damaged: chunk 1 does not decrypt",
    );
    // A restore into an empty directory that was there leaves it empty.
    let mut bad = good.clone();
    let at = bad.len() - 100;
    bad[at] ^= 1;
    let target = dir.path().join("t");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(&file, &bad).unwrap();
    let err = Vault::restore_backup(&file, &target, pass(b"pw")).unwrap_err();
    assert!(err.to_string().contains("chunk 6"), "{err}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
}
