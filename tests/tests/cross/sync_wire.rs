//! Two devices of one person, their ops carried through the sync protocol's
//! frames and messages (hearth-sync) and taken in by hearth-core, with no
//! network in between: what goes on the wire is all a device needs.

use hearth_core::backup::BackupKey;
use hearth_core::{EntryDraft, Journal, KdfParams, ListFilter, OpRecord, Vault};
use hearth_sync::frame::{self, Decoded};
use hearth_sync::{Message, Op};
use std::path::Path;

fn cheap() -> KdfParams {
    KdfParams::new(8 * 1024, 1, 1).unwrap()
}

/// A first device, and a second made from its backup while it was empty.
fn two_devices(dir: &Path) -> (Journal, Journal) {
    let a = Vault::create(&dir.join("a"), b"pw", cheap()).unwrap();
    let file = dir.join("empty.hearth-backup");
    a.backup(&file).unwrap();
    Vault::restore_backup(&file, &dir.join("b"), BackupKey::Passphrase(b"pw")).unwrap();
    let b = Vault::unlock(&dir.join("b"), b"pw").unwrap().0;
    (a, b)
}

/// Every op `to` lacks from `from`, as bytes on the wire.
fn wire(from: &Journal, to: &Journal) -> Vec<u8> {
    let ops = from
        .ops_missing_from(&to.version_vector().unwrap(), usize::MAX)
        .unwrap();
    let ops: Vec<Op> = ops.into_iter().map(|o| Op::try_from(o).unwrap()).collect();
    let mut bytes = Vec::new();
    for m in Message::batches(ops) {
        bytes.extend(m.encode().unwrap());
    }
    bytes
}

/// The batches of ops in `bytes`, read frame by frame as a stream would
/// deliver them.
fn batches(mut bytes: &[u8]) -> Vec<Vec<OpRecord>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let Decoded::Frame { frame, consumed } = frame::decode(bytes).unwrap() else {
            panic!("a whole frame is there");
        };
        let Message::Ops(ops) = Message::decode(frame).unwrap() else {
            panic!("only ops were sent");
        };
        out.push(ops.into_iter().map(OpRecord::from).collect());
        bytes = &bytes[consumed..];
    }
    out
}

#[test]
fn a_journal_crosses_the_wire_whole_and_a_cut_transfer_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = two_devices(dir.path());
    for i in 0..1500 {
        a.write(EntryDraft {
            body: format!("entry {i}, carried by frames"),
            ..Default::default()
        })
        .unwrap();
    }
    let sent = batches(&wire(&a, &b));
    assert!(sent.len() >= 2, "1,500 ops go in more than one batch");

    // The transfer is cut after the first batch: the next exchange starts
    // from what was stored, and nothing is missing or twice.
    b.receive(sent[0].clone()).unwrap();
    let stored_first = b.len();
    assert!(stored_first > 0 && stored_first < 1500);
    let mut duplicates = 0;
    for batch in batches(&wire(&a, &b)) {
        duplicates += b.receive(batch).unwrap().duplicates;
    }
    assert_eq!(duplicates, 0);
    assert_eq!(b.len(), 1500);
    // The other way: B's one op, its certificate.
    let back = batches(&wire(&b, &a));
    assert_eq!(back.concat().len(), 1);
    for batch in back {
        a.receive(batch).unwrap();
    }
    assert_eq!(b.version_vector().unwrap(), a.version_vector().unwrap());
    assert_eq!(a.devices().len(), 2);
    let all = |j: &Journal| -> Vec<_> {
        j.list(&ListFilter::default())
            .unwrap()
            .into_iter()
            .cloned()
            .collect()
    };
    assert_eq!(all(&a), all(&b));
    assert!(
        wire(&a, &b).is_empty() && wire(&b, &a).is_empty(),
        "in sync: nothing to send"
    );
}
