//! What a device refuses in an op, whoever sent it: each forgery is checked
//! against a real journal's registry.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::registry::REGISTRY_DOC;
use crate::{EntryDraft, KdfParams, Vault};
use hearth_crypto::DeviceCertificate;
use hearth_doc::{EntryDoc, EntryFields};

fn journal() -> (tempfile::TempDir, crate::Journal) {
    let dir = tempfile::tempdir().unwrap();
    let kdf = KdfParams::new(8 * 1024, 1, 1).unwrap();
    let mut j = Vault::create(&dir.path().join("h"), b"pw", kdf).unwrap();
    j.write(EntryDraft {
        body: "a sealed line".into(),
        ..Default::default()
    })
    .unwrap();
    (dir, j)
}

/// The journal's one change op.
fn change_op(j: &crate::Journal) -> OpRecord {
    j.store
        .read()
        .all_ops()
        .unwrap()
        .into_iter()
        .find(|o| o.kind == KIND_CHANGE)
        .unwrap()
}

/// An op at `like`'s place holding `plaintext`, sealed with the journal's
/// key and signed by `device`.
fn forge(j: &crate::Journal, like: &OpRecord, plaintext: &[u8], device: &DeviceKey) -> OpRecord {
    let mut op = like.clone();
    op.author = *device.public().as_bytes();
    let aad = payload_aad(&op);
    op.payload = aead::seal(j.scope_key(), &aad, plaintext);
    sign(&mut op, device);
    op
}

fn refused(r: Result<impl std::fmt::Debug>, says: &str) {
    let err = r.unwrap_err().to_string();
    assert!(err.contains(says), "{err:?} should say {says:?}");
}

#[test]
fn an_intact_op_opens_and_its_marker_still_checks() {
    let (_d, j) = journal();
    let op = change_op(&j);
    let (bytes, meta) = open_change(&op, &j.registry).unwrap();
    assert_eq!(meta.actor, op.author);
    assert!(!bytes.is_empty());
    let mut marker = op.clone();
    marker.payload.clear();
    verify(&marker, &j.registry).unwrap();
    refused(open(&marker, &j.registry), "purged");
}

#[test]
fn a_changed_byte_anywhere_is_refused() {
    let (_d, j) = journal();
    let op = change_op(&j);
    let mut bad = op.clone();
    bad.signature[10] ^= 1;
    refused(verify(&bad, &j.registry), "bad signature");
    let mut bad = op.clone();
    let n = bad.payload.len();
    bad.payload[n - 1] ^= 1;
    refused(verify(&bad, &j.registry), "payload hash");
    let mut bad = op.clone();
    bad.seq += 1;
    refused(verify(&bad, &j.registry), "own hash");
    let mut bad = op.clone();
    bad.prev[0] ^= 1;
    bad.hash = hash(&[&signed_header(&bad)]);
    refused(verify(&bad, &j.registry), "bad signature");
}

#[test]
fn a_forged_purge_marker_is_refused() {
    let (_d, j) = journal();
    let op = change_op(&j);
    // Turn the change into a purge of its document, keeping the signature.
    let mut forged = op.clone();
    forged.payload.clear();
    forged.kind = KIND_PURGE;
    forged.hash = hash(&[&signed_header(&forged)]);
    refused(verify(&forged, &j.registry), "bad signature");
    // Or move the marker to another document.
    let mut moved = op.clone();
    moved.payload.clear();
    moved.doc = [7; 16];
    moved.hash = hash(&[&signed_header(&moved)]);
    refused(verify(&moved, &j.registry), "bad signature");
}

#[test]
fn an_op_whose_change_names_another_actor_is_refused() {
    let (_d, j) = journal();
    let op = change_op(&j);
    let me = j.device_key().clone();
    let (_, theirs) = EntryDoc::create(&[9; 32], &EntryFields::default()).unwrap();
    let forged = forge(&j, &op, &theirs, &me);
    verify(&forged, &j.registry).unwrap();
    refused(open_change(&forged, &j.registry), "made by another device");
    // Two changes in one op.
    let (_, mine) = EntryDoc::create(me.public().as_bytes(), &EntryFields::default()).unwrap();
    let mut two = mine.clone();
    two.extend_from_slice(&mine);
    let forged = forge(&j, &op, &two, &me);
    refused(
        open_change(&forged, &j.registry),
        "does not hold one change",
    );
}

#[test]
fn an_uncertified_device_is_not_trusted() {
    let (_d, j) = journal();
    let op = change_op(&j);
    let stranger = DeviceKey::generate();
    let (_, change) =
        EntryDoc::create(stranger.public().as_bytes(), &EntryFields::default()).unwrap();
    let forged = forge(&j, &op, &change, &stranger);
    refused(open_change(&forged, &j.registry), "does not trust");

    // A certificate signed by another identity does not make it trusted,
    // whoever carries it.
    let other = hearth_crypto::UserSecrets::generate();
    let cert =
        DeviceCertificate::issue(&other.identity, &stranger.public(), [0; 32], "x", 1).unwrap();
    let mut carrier = op.clone();
    carrier.kind = KIND_DEVICE;
    carrier.doc = REGISTRY_DOC;
    let carried = forge(&j, &carrier, &cert.encode(), j.device_key());
    let mut ops = j.store.read().all_ops().unwrap();
    ops.push(carried);
    let registry = Registry::from_parts(&ops, &[], *j.registry.identity(), j.scope_key()).unwrap();
    assert!(!registry.trusts(stranger.public().as_bytes()));
    assert!(registry.trusts(j.device_key().public().as_bytes()));

    // One signed by this journal's identity does.
    let cert = DeviceCertificate::issue(
        &j.secrets.user.identity,
        &stranger.public(),
        [0; 32],
        "new laptop",
        1,
    )
    .unwrap();
    let carried = forge(&j, &carrier, &cert.encode(), &stranger);
    ops.push(carried);
    let registry = Registry::from_parts(&ops, &[], *j.registry.identity(), j.scope_key()).unwrap();
    assert!(registry.trusts(stranger.public().as_bytes()));
}
