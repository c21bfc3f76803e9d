//! A journal written by vault format 3 (before attachments), and a backup of
//! it, opened by today's Hearth: the vault is brought to format 4 at its
//! first unlock with nothing else changed, photos can then be attached, and
//! the backup restores. The files are in `tests/fixtures/format-3/` (its
//! README says how they were made).

use crate::support::Journal;
use serde_json::Value;
use std::path::{Path, PathBuf};

const PASS: &str = "format three";
const RECOVERY_KEY: &str = "VVTJ-GB5X-9M11-YV3J-HY56-00AP-YX3R-KEV7-BB0F";
const DRAFT: &str = "8cc1be11a84bb0521a673eefa6d53108";
const IN_TRASH: &str = "f2d7ea15efddb81dd28b667af42caefd";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/format-3")
        .join(name)
}

fn listed() -> Value {
    serde_json::from_slice(&std::fs::read(fixture("list.json")).unwrap()).unwrap()
}

fn run(j: &Journal, args: &[&str]) -> crate::support::Run {
    j.cmd(args).env("HEARTH_PASSPHRASE", PASS).run()
}

fn format_of(vault: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(vault).unwrap();
    let format = conn
        .query_row("SELECT format FROM vault", [], |r| r.get(0))
        .unwrap();
    let schema = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    (format, schema)
}

#[test]
fn a_format_3_vault_becomes_format_4_at_its_first_unlock_and_keeps_everything() {
    let j = Journal::uninit();
    std::fs::create_dir_all(&j.home).unwrap();
    std::fs::copy(fixture("vault.db"), j.vault()).unwrap();
    assert_eq!(format_of(&j.vault()), (3, 4));
    let first = run(&j, &["-v", "list", "--json"]).ok();
    assert_eq!(first.json(), listed());
    assert!(
        first
            .stderr
            .contains("brought the vault from format 3 to format 4"),
        "{}",
        first.stderr
    );
    assert_eq!(format_of(&j.vault()), (4, 6));
    let history = run(&j, &["history", DRAFT, "--json"]).ok().json();
    assert_eq!(history.as_array().unwrap().len(), 3, "{history}");
    assert_eq!(run(&j, &["trash", "--json"]).ok().json()[0]["id"], IN_TRASH);
    let circles = run(&j, &["circle", "show", "Old friends", "--json"])
        .ok()
        .json();
    assert_eq!(circles["shared"][0]["title"], "Not a draft", "{circles}");

    // An entry written before attachments takes one, and a backup of the
    // vault carries it and reads back without Hearth.
    let photo = j.path("harbour.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n a tiny picture").unwrap();
    run(&j, &["attach", DRAFT, photo.to_str().unwrap()]).ok();
    let listed_now = run(&j, &["attachments", DRAFT, "--json"]).ok().json();
    assert_eq!(listed_now[0]["media_type"], "image/png");
    let file = j.arg("after.hearth-backup");
    run(&j, &["backup", &file]).ok();
    let read = crate::backup::read_with_python(Path::new(&file), &[("HEARTH_PASSPHRASE", PASS)]);
    assert_eq!(
        read.as_array().unwrap().len(),
        listed().as_array().unwrap().len()
    );
    j.cmd(&["recover"])
        .env("HEARTH_RECOVERY_KEY", RECOVERY_KEY)
        .env("HEARTH_PASSPHRASE", "a new one")
        .run()
        .ok();
}

#[test]
fn a_format_3_backup_restores_and_the_copy_becomes_format_4() {
    let j = Journal::uninit();
    let backup = fixture("backup.hearthbackup");
    let backup = backup.to_str().unwrap();
    let v = run(&j, &["backup", "verify", backup]).ok();
    assert!(v.stdout.contains("complete, undamaged"), "{}", v.stdout);
    run(&j, &["restore", backup]).ok();
    assert_eq!(run(&j, &["list", "--json"]).ok().json(), listed());
    assert_eq!(format_of(&j.vault()).0, 4);
    let read = crate::backup::read_with_python(Path::new(backup), &[("HEARTH_PASSPHRASE", PASS)]);
    assert_eq!(read, listed());
}
