//! Photos and files in entries, through the real binary: attaching, listing,
//! saving, detaching; nothing of them in the clear under the data directory;
//! a purge that takes their chunks out of every file; backups that restore
//! them byte for byte; a damaged chunk named for its attachment alone.

use crate::support::{Journal, files_under};
use serde_json::Value;
use std::path::PathBuf;

/// A photo-sized file of noise that starts like a JPEG: 2.5 MiB, so three
/// chunks.
fn photo(j: &Journal, name: &str, seed: u8) -> PathBuf {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x: u32 = 0x9E37_79B9 ^ u32::from(seed);
    for _ in 0..2_500_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push(x as u8);
    }
    let path = j.path(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn attachments(j: &Journal, entry: &str) -> Vec<Value> {
    j.ok(&["attachments", entry, "--json"])
        .json()
        .as_array()
        .unwrap()
        .clone()
}

/// Whether any file under the data directory holds `needle`.
fn stored_anywhere(j: &Journal, needle: &[u8]) -> Vec<PathBuf> {
    files_under(&j.home)
        .into_iter()
        .filter(|p| {
            std::fs::read(p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
        })
        .collect()
}

#[test]
fn photos_and_files_are_attached_listed_saved_and_detached() {
    let j = Journal::new();
    let id = j.write(&["--title", "Lake", "Cold water."]);
    let cat = photo(&j, "cat.jpg", 1);
    let pdf = j.path("letter.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 a short letter").unwrap();
    let added = j
        .ok(&[
            "attach",
            &id,
            cat.to_str().unwrap(),
            pdf.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(added.as_array().unwrap().len(), 2, "{added}");
    let listed = attachments(&j, &id);
    assert_eq!(listed[0]["name"], "cat.jpg");
    assert_eq!(listed[0]["media_type"], "image/jpeg");
    assert_eq!(listed[0]["size"], 2_500_004);
    assert_eq!(listed[1]["media_type"], "application/pdf");
    let photo_id = listed[0]["id"].as_str().unwrap().to_string();
    assert_eq!(photo_id.len(), 64);
    // `show` lists them, and its JSON carries them.
    let shown = j.ok(&["show", &id]).stdout;
    assert!(shown.contains("cat.jpg (2.4 MiB)"), "{shown}");
    assert_eq!(j.show(&id)["attachments"][1]["name"], "letter.pdf");

    // Attaching the same photo again stores it once and lists it once.
    j.ok(&["attach", &id, cat.to_str().unwrap()]);
    assert_eq!(attachments(&j, &id).len(), 2);
    let other = j.write(&["--title", "Same cat"]);
    j.ok(&["attach", &other, cat.to_str().unwrap()]);
    let chunks: i64 = rusqlite::Connection::open(j.vault())
        .unwrap()
        .query_row("SELECT COUNT(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks, 3 + 1, "one photo in three chunks, one small pdf");

    // Saved out byte for byte; an existing file is never replaced.
    let out = j.arg("saved.jpg");
    j.ok(&["attachment", "save", &photo_id[..8], &out]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&cat).unwrap());
    j.fails(&["attachment", "save", &photo_id[..8], &out])
        .says(&["already exists", "nothing was written"]);
    let folder = j.path("out");
    std::fs::create_dir(&folder).unwrap();
    j.ok(&["attachment", "save", &photo_id, folder.to_str().unwrap()]);
    assert!(folder.join("cat.jpg").exists());

    // Detached: gone from the entry, kept by its history.
    j.ok(&["detach", &id, "letter.pdf"]);
    assert_eq!(attachments(&j, &id).len(), 1);
    let history = j.ok(&["history", &id]).stdout;
    assert!(
        history.contains("+file cat.jpg") && history.contains("-file letter.pdf"),
        "{history}"
    );
    j.ok(&["restore", &id, "--version", "2"]);
    assert_eq!(
        attachments(&j, &id).len(),
        2,
        "an older version brings it back"
    );
}

#[test]
fn bad_files_are_refused_and_change_nothing() {
    let j = Journal::new();
    let id = j.write(&["--title", "Lake"]);
    let good = photo(&j, "good.jpg", 2);
    let before = j.snapshot();
    let missing = j.arg("missing.jpg");
    j.fails(&["attach", &id, good.to_str().unwrap(), &missing])
        .says(&["missing.jpg", "nothing was attached"]);
    j.fails(&["attach", &id, j.root.to_str().unwrap()])
        .says(&["is not a file", "nothing was attached"]);
    let big = j.path("big.mov");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len((100 << 20) + 1).unwrap();
    j.fails(&["attach", &id, big.to_str().unwrap()]).says(&[
        "100.0 MiB",
        "100 MiB",
        "nothing was attached",
    ]);
    j.fails(&["attachment", "save", "zz", &j.arg("x")])
        .says(&["not an attachment id"]);
    j.fails(&["detach", &id, "nothing.png"])
        .says(&["no attachment"]);
    assert_eq!(attachments(&j, &id).len(), 0);
    assert_eq!(j.snapshot(), before, "the data directory is unchanged");
}

#[test]
fn attachments_are_sealed_purged_everywhere_and_backed_up_byte_for_byte() {
    let j = Journal::new();
    let id = j.write(&["--title", "Lake"]);
    let cat = photo(&j, "cat.jpg", 3);
    j.ok(&["attach", &id, cat.to_str().unwrap()]);
    let bytes = std::fs::read(&cat).unwrap();
    // No run of the photo's bytes is anywhere under the data directory.
    for at in [4, 1_000_000, 2_499_000] {
        let found = stored_anywhere(&j, &bytes[at..at + 64]);
        assert!(found.is_empty(), "photo bytes at {at} in {found:?}");
    }

    // A backup verifies every byte and restores the photo as it was.
    let backup = j.arg("journal.hearth-backup");
    let made = j.ok(&["backup", &backup]).stdout;
    assert!(
        made.contains("1 photo or file (2.4 MiB, every byte checked)"),
        "{made}"
    );
    let verified = j.ok(&["backup", "verify", &backup]).stdout;
    assert!(
        verified.contains("complete, undamaged") && verified.contains("1 photo or file"),
        "{verified}"
    );
    let copy = Journal::uninit();
    copy.ok(&["restore", &backup]);
    let photo_id = attachments(&copy, &id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = copy.arg("back.jpg");
    copy.ok(&["attachment", "save", &photo_id, &out]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // Purged: every sealed chunk leaves every file of the data directory.
    let sealed: Vec<Vec<u8>> = rusqlite::Connection::open(j.vault())
        .unwrap()
        .prepare("SELECT payload FROM blobs")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sealed.len(), 3);
    j.ok(&["delete", &id]);
    j.ok(&["trash", "empty"]);
    for chunk in &sealed {
        let found = stored_anywhere(&j, &chunk[100..164]);
        assert!(found.is_empty(), "a purged chunk is still in {found:?}");
    }
}

#[test]
fn a_damaged_chunk_is_named_for_its_attachment_alone() {
    let j = Journal::new();
    let id = j.write(&["--title", "Lake", "Still readable."]);
    let cat = photo(&j, "cat.jpg", 4);
    let dog = photo(&j, "dog.jpg", 5);
    j.ok(&["attach", &id, cat.to_str().unwrap(), dog.to_str().unwrap()]);
    let listed = attachments(&j, &id);
    let (cat_id, dog_id) = (
        listed[0]["id"].as_str().unwrap().to_string(),
        listed[1]["id"].as_str().unwrap().to_string(),
    );
    // Flip one byte in one sealed chunk (which blob is which is hidden, so
    // damage a chunk of each in turn and see which attachment complains).
    let conn = rusqlite::Connection::open(j.vault()).unwrap();
    let ids: Vec<Vec<u8>> = conn
        .prepare("SELECT DISTINCT id FROM blobs")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut sealed: Vec<u8> = conn
        .query_row(
            "SELECT payload FROM blobs WHERE id = ?1 AND idx = 1",
            [&ids[0]],
            |r| r.get(0),
        )
        .unwrap();
    sealed[50] ^= 1;
    conn.execute(
        "UPDATE blobs SET payload = ?1 WHERE id = ?2 AND idx = 1",
        rusqlite::params![sealed, ids[0]],
    )
    .unwrap();
    drop(conn);
    let cat_out = j.run(&["attachment", "save", &cat_id, &j.arg("cat.out")]);
    let dog_out = j.run(&["attachment", "save", &dog_id, &j.arg("dog.out")]);
    let (bad, good, bad_name) = if cat_out.code == Some(0) {
        (dog_out, cat_out, "dog.jpg")
    } else {
        (cat_out, dog_out, "cat.jpg")
    };
    let bad = bad.fails();
    bad.says(&["attachment", bad_name, "is damaged", "chunk 1"]);
    good.ok();
    assert!(
        !j.path(&format!("{}.out", &bad_name[..3])).exists(),
        "nothing half-written"
    );
    // The entry itself still opens.
    assert_eq!(j.show(&id)["body"], "Still readable.");
}
