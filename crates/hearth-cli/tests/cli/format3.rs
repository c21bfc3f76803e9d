//! A journal written by vault format 3 (before attachments), and a backup of
//! it, opened by today's Hearth: the vault is brought to format 4 at its
//! first unlock with nothing else changed, photos can then be attached, and
//! the backup restores. The files are in `tests/fixtures/format-3/` (its
//! README says how they were made).

use crate::old_vault::{OldVault, format_and_schema};
use std::path::Path;

const OLD: OldVault = OldVault {
    dir: "format-3",
    pass: "format three",
};
const RECOVERY_KEY: &str = "VVTJ-GB5X-9M11-YV3J-HY56-00AP-YX3R-KEV7-BB0F";
const DRAFT: &str = "8cc1be11a84bb0521a673eefa6d53108";
const IN_TRASH: &str = "f2d7ea15efddb81dd28b667af42caefd";

#[test]
fn a_format_3_vault_becomes_format_4_at_its_first_unlock_and_keeps_everything() {
    let j = OLD.journal();
    assert_eq!(format_and_schema(&j.vault()), (3, 4));
    let first = OLD.run(&j, &["-v", "list", "--json"]).ok();
    assert_eq!(first.json(), OLD.listed());
    assert!(
        first
            .stderr
            .contains("brought the vault from format 3 to format 4"),
        "{}",
        first.stderr
    );
    assert_eq!(format_and_schema(&j.vault()), (4, 6));
    let history = OLD.run(&j, &["history", DRAFT, "--json"]).ok().json();
    assert_eq!(history.as_array().unwrap().len(), 3, "{history}");
    assert_eq!(
        OLD.run(&j, &["trash", "--json"]).ok().json()[0]["id"],
        IN_TRASH
    );
    let circles = OLD
        .run(&j, &["circle", "show", "Old friends", "--json"])
        .ok()
        .json();
    assert_eq!(circles["shared"][0]["title"], "Not a draft", "{circles}");

    // An entry written before attachments takes one, and a backup of the
    // vault carries it and reads back without Hearth.
    let photo = j.path("harbour.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n a tiny picture").unwrap();
    OLD.run(&j, &["attach", DRAFT, photo.to_str().unwrap()])
        .ok();
    let listed_now = OLD.run(&j, &["attachments", DRAFT, "--json"]).ok().json();
    assert_eq!(listed_now[0]["media_type"], "image/png");
    let file = j.arg("after.hearth-backup");
    OLD.run(&j, &["backup", &file]).ok();
    let read =
        crate::backup::read_with_python(Path::new(&file), &[("HEARTH_PASSPHRASE", OLD.pass)]);
    assert_eq!(
        read.as_array().unwrap().len(),
        OLD.listed().as_array().unwrap().len()
    );
    j.cmd(&["recover"])
        .env("HEARTH_RECOVERY_KEY", RECOVERY_KEY)
        .env("HEARTH_PASSPHRASE", "a new one")
        .run()
        .ok();
}

#[test]
fn a_format_3_backup_restores_and_the_copy_becomes_format_4() {
    OLD.backup_restores_as_it_was();
}
