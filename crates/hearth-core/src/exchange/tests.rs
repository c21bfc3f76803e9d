//! Devices of one person exchanging ops with no network in between: each a
//! real vault in its own directory, the second and third made from the
//! first by restoring a backup (a restored copy is a new device of the same
//! person, as a paired one will be).

#![allow(clippy::unwrap_used)]

use super::*;
use crate::backup::BackupKey;
use crate::{EntryDraft, EntryPatch, KdfParams, ListFilter, Vault};
use std::path::Path;

fn cheap() -> KdfParams {
    KdfParams::new(8 * 1024, 1, 1).unwrap()
}

fn first_device(dir: &Path) -> Journal {
    let mut j = Vault::create(&dir.join("a"), b"pw", cheap()).unwrap();
    for (title, body) in [("Shared", "the lake froze"), ("Other", "a quiet day")] {
        j.write(EntryDraft {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        })
        .unwrap();
    }
    j
}

/// Another device of the same person, holding what `from` holds now.
fn another_device(from: &Journal, dir: &Path, name: &str) -> Journal {
    let file = dir.join(format!("{name}.hearth-backup"));
    from.backup(&file).unwrap();
    let home = dir.join(name);
    Vault::restore_backup(&file, &home, BackupKey::Passphrase(b"pw")).unwrap();
    Vault::unlock(&home, b"pw").unwrap().0
}

/// Send what `to` lacks from `from`.
fn send(from: &Journal, to: &mut Journal) -> Received {
    let ops = from
        .ops_missing_from(&to.version_vector().unwrap(), usize::MAX)
        .unwrap();
    to.receive(ops).unwrap()
}

fn sync(a: &mut Journal, b: &mut Journal) {
    send(a, b);
    send(b, a);
}

fn id_of(j: &Journal, title: &str) -> String {
    j.list(&ListFilter::default())
        .unwrap()
        .iter()
        .find(|e| e.title == title)
        .unwrap()
        .id
        .to_string()
}

fn everything(j: &Journal) -> Vec<Entry> {
    let mut all: Vec<Entry> = j.entries.values().cloned().collect();
    all.sort_by_key(|e| e.id);
    all
}

fn edit(j: &mut Journal, id: &str, patch: EntryPatch) {
    j.edit(id, &patch).unwrap();
}

fn heads(j: &Journal, id: &str) -> Vec<[u8; 32]> {
    let id = j.resolve(id).unwrap();
    let mut doc =
        crate::journal::load_doc(&j.store.read(), &j.scope(), &id, &[0; 32], &j.registry).unwrap();
    let mut h = doc.heads();
    h.sort();
    h
}

fn history(j: &Journal, id: &str) -> serde_json::Value {
    serde_json::to_value(j.history(id).unwrap()).unwrap()
}

#[test]
fn two_devices_edit_apart_then_converge_with_every_version_in_causal_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = first_device(dir.path());
    let mut b = another_device(&a, dir.path(), "b");
    let shared = id_of(&a, "Shared");
    let other = id_of(&a, "Other");

    // Apart: both edit the shared entry, each edits or writes others.
    edit(
        &mut a,
        &shared,
        EntryPatch {
            title: Some("Shared, renamed on A".into()),
            ..Default::default()
        },
    );
    edit(
        &mut b,
        &shared,
        EntryPatch {
            body: Some("the lake froze, and B added this".into()),
            ..Default::default()
        },
    );
    edit(
        &mut b,
        &other,
        EntryPatch {
            starred: Some(true),
            ..Default::default()
        },
    );
    a.write(EntryDraft {
        body: "only on A".into(),
        ..Default::default()
    })
    .unwrap();
    b.write(EntryDraft {
        body: "only on B".into(),
        ..Default::default()
    })
    .unwrap();

    sync(&mut a, &mut b);
    assert_eq!(everything(&a), everything(&b));
    assert_eq!(a.len(), 4);
    let merged = a.get(&shared).unwrap();
    assert_eq!(merged.title, "Shared, renamed on A");
    assert_eq!(merged.body, "the lake froze, and B added this");
    assert!(a.get(&other).unwrap().starred);
    assert_eq!(heads(&a, &shared), heads(&b, &shared));
    assert_eq!(
        a.load_fields(&shared).unwrap(),
        b.load_fields(&shared).unwrap()
    );

    // Both list the same three versions in the same (causal) order; the
    // last is the merged entry, and each version came from a device.
    let (ha, hb) = (history(&a, &shared), history(&b, &shared));
    assert_eq!(ha, hb);
    let versions = a.history(&shared).unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0].summary, "created");
    let devices: BTreeSet<&str> = versions.iter().map(|v| v.device.as_str()).collect();
    assert_eq!(devices.len(), 2);

    // Both devices are known to both, and a second exchange moves nothing.
    assert_eq!(a.devices().len(), 2);
    assert_eq!(b.devices().len(), 2);
    assert_eq!(send(&a, &mut b).stored, 0);
    assert_eq!(send(&b, &mut a).stored, 0);
    assert_eq!(a.version_vector().unwrap(), b.version_vector().unwrap());

    // Search on each device finds what the other wrote.
    assert_eq!(a.search("only", &ListFilter::default()).unwrap().len(), 2);
}

#[test]
fn a_third_device_gets_writes_and_purges_through_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = first_device(dir.path());
    let mut b = another_device(&a, dir.path(), "b");
    let mut c = another_device(&a, dir.path(), "c");
    let doomed = id_of(&a, "Other");
    a.write(EntryDraft {
        title: "Written on A".into(),
        body: "carried by B".into(),
        ..Default::default()
    })
    .unwrap();
    a.trash(&doomed).unwrap();
    a.empty_trash().unwrap();

    // A meets B; later B meets C. A and C never meet.
    sync(&mut a, &mut b);
    assert!(b.get(&doomed).is_err());
    let got = send(&b, &mut c);
    assert_eq!(got.purged, vec![EntryId::parse(&doomed).unwrap()]);
    assert!(c.get(&doomed).is_err());
    assert_eq!(
        c.get(&id_of(&a, "Written on A")).unwrap().body,
        "carried by B"
    );
    assert_eq!(everything(&c), everything(&a));
    // The purged entry's sealed payloads are gone on C too; its ops remain
    // as markers that still check.
    let scope = c.scope();
    let doc = EntryId::parse(&doomed).unwrap().0;
    let ops = c.store.read().ops_for_doc(&scope, &doc).unwrap();
    assert!(ops.iter().all(|o| o.kind == KIND_PURGE || o.is_marker()));
    for op in &ops {
        oplog::verify(op, &c.registry).unwrap();
    }
    assert!(c.store.read().tombstone(&scope, &doc).unwrap().is_some());
}

#[test]
fn a_late_edit_of_a_purged_entry_is_kept_only_as_a_marker() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = first_device(dir.path());
    let mut b = another_device(&a, dir.path(), "b");
    let doomed = id_of(&a, "Other");
    a.trash(&doomed).unwrap();
    a.empty_trash().unwrap();
    edit(
        &mut b,
        &doomed,
        EntryPatch {
            body: Some("edited while A purged it".into()),
            ..Default::default()
        },
    );
    sync(&mut a, &mut b);
    assert!(a.get(&doomed).is_err());
    assert!(b.get(&doomed).is_err());
    let doc = EntryId::parse(&doomed).unwrap().0;
    for j in [&a, &b] {
        let ops = j.store.read().ops_for_doc(&j.scope(), &doc).unwrap();
        assert!(ops.iter().all(|o| o.kind == KIND_PURGE || o.is_marker()));
        assert!(j.store.read().view(&j.scope(), &doc).unwrap().is_none());
    }
}

#[test]
fn changes_whose_dependencies_are_missing_wait_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = first_device(dir.path());
    let mut b = another_device(&a, dir.path(), "b");
    let mut c = another_device(&a, dir.path(), "c");
    let shared = id_of(&a, "Shared");
    edit(
        &mut a,
        &shared,
        EntryPatch {
            body: Some("A's words".into()),
            ..Default::default()
        },
    );
    send(&a, &mut b);
    edit(
        &mut b,
        &shared,
        EntryPatch {
            body: Some("A's words, then B's".into()),
            ..Default::default()
        },
    );
    // C gets B's ops but not A's: B's change depends on A's.
    let a_id = *a.device_key().public().as_bytes();
    let only_b: Vec<OpRecord> = b
        .ops_missing_from(&c.version_vector().unwrap(), usize::MAX)
        .unwrap()
        .into_iter()
        .filter(|o| o.author != a_id)
        .collect();
    let got = c.receive(only_b).unwrap();
    let id = EntryId::parse(&shared).unwrap();
    assert_eq!(got.waiting, vec![id]);
    assert_eq!(c.get(&shared).unwrap().body, "the lake froze");
    let got = send(&a, &mut c);
    assert!(got.waiting.is_empty());
    assert_eq!(c.get(&shared).unwrap().body, "A's words, then B's");
}

#[test]
fn bad_ops_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let a = first_device(dir.path());
    let mut b = another_device(&a, dir.path(), "b");
    let shared = id_of(&a, "Shared");
    edit(
        &mut b,
        &shared,
        EntryPatch {
            body: Some("B's edit".into()),
            ..Default::default()
        },
    );
    let good = b
        .ops_missing_from(&a.version_vector().unwrap(), usize::MAX)
        .unwrap();
    assert_eq!(good.len(), 2, "B's certificate and B's edit");
    let mut a = a;
    let count = |j: &Journal| j.store.read().op_count().unwrap();
    let before = count(&a);
    let refuse = |a: &mut Journal, ops: Vec<OpRecord>, says: &str| {
        let err = a.receive(ops).unwrap_err();
        assert!(matches!(err, CoreError::Refused(_)), "{err}");
        assert!(err.to_string().contains(says), "{err} should say {says:?}");
    };

    let mut forged = good.clone();
    forged[1].signature[5] ^= 1;
    refuse(&mut a, forged, "bad signature");
    let mut moved = good.clone();
    moved[1].scope = [9; 16];
    refuse(&mut a, moved, "scope this journal does not hold");
    let mut big = good.clone();
    big[1].payload = vec![0; OP_PAYLOAD_MAX + 1];
    refuse(&mut a, big, "larger than an op may be");
    // Without its certificate, B is nobody to A.
    refuse(&mut a, good[1..].to_vec(), "does not trust");
    assert_eq!(count(&a), before);

    // The good batch goes in; sending it again changes nothing.
    let got = a.receive(good.clone()).unwrap();
    assert_eq!((got.stored, got.duplicates), (2, 0));
    assert_eq!(a.get(&shared).unwrap().body, "B's edit");
    let got = a.receive(good.clone()).unwrap();
    assert_eq!((got.stored, got.duplicates), (0, 2));

    // A gap: B's fourth op without its third is not stored until the third
    // comes.
    for body in ["third", "fourth"] {
        edit(
            &mut b,
            &shared,
            EntryPatch {
                body: Some(body.into()),
                ..Default::default()
            },
        );
    }
    let next = b
        .ops_missing_from(&a.version_vector().unwrap(), usize::MAX)
        .unwrap();
    assert_eq!(next.len(), 2);
    let before = count(&a);
    let got = a.receive(vec![next[1].clone()]).unwrap();
    assert_eq!((got.stored, got.after_a_gap), (0, 1));
    assert_eq!(count(&a), before);
    let mut unchained = next[1].clone();
    unchained.seq = next[0].seq;
    refuse(&mut a, vec![unchained], "bad signature");
    let got = a.receive(next).unwrap();
    assert_eq!(got.stored, 2);
    assert_eq!(a.get(&shared).unwrap().body, "fourth");

    // A copy of B's vault file is B's device key twice: its next op forks
    // B's log, and A refuses it.
    let twin_home = dir.path().join("twin");
    std::fs::create_dir_all(&twin_home).unwrap();
    drop(b);
    std::fs::copy(Vault::file(&dir.path().join("b")), Vault::file(&twin_home)).unwrap();
    let (mut b, _) = Vault::unlock(&dir.path().join("b"), b"pw").unwrap();
    let (mut twin, _) = Vault::unlock(&twin_home, b"pw").unwrap();
    edit(
        &mut b,
        &shared,
        EntryPatch {
            title: Some("from B".into()),
            ..Default::default()
        },
    );
    edit(
        &mut twin,
        &shared,
        EntryPatch {
            title: Some("from the copy".into()),
            ..Default::default()
        },
    );
    send(&b, &mut a);
    let before = count(&a);
    let forked = twin
        .ops_missing_from(&VersionVector::default(), usize::MAX)
        .unwrap();
    refuse(&mut a, forked, "forked");
    assert_eq!(count(&a), before);
    assert_eq!(a.get(&shared).unwrap().title, "from B");
}
