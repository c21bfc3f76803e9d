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
