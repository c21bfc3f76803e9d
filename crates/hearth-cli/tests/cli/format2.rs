//! A journal written by vault format 2 (before circles), and a backup of
//! it, opened by today's Hearth: the vault is brought to format 4 at its
//! first unlock with nothing else changed, and the backup restores. The
//! files are in `tests/fixtures/format-2/` (its README says how they were
//! made).

use crate::old_vault::{OldVault, format_and_schema};
use std::path::Path;

const OLD: OldVault = OldVault {
    dir: "format-2",
    pass: "format two",
};
const RECOVERY_KEY: &str = "F4JV-7H8P-G2WB-03T6-2M2E-TCK0-D7XG-H2WR-ZYQ7";
const DRAFT: &str = "8da1c7f9ac65cba5aa2f97af51dce6e8";
const IN_TRASH: &str = "a63a0ed165ce641b02555611ff33856c";

#[test]
fn a_format_2_vault_becomes_format_4_at_its_first_unlock_and_keeps_everything() {
    let j = OLD.journal();
    assert_eq!(format_and_schema(&j.vault()).0, 2);
    let first = OLD.run(&j, &["-v", "list", "--json"]).ok();
    assert_eq!(first.json(), OLD.listed());
    assert!(
        first
            .stderr
            .contains("brought the vault from format 2 to format 4"),
        "{}",
        first.stderr
    );
    assert_eq!(format_and_schema(&j.vault()).0, 4);
    let history = OLD.run(&j, &["history", DRAFT, "--json"]).ok().json();
    assert_eq!(history.as_array().unwrap().len(), 3, "{history}");
    let trash = OLD.run(&j, &["trash", "--json"]).ok().json();
    assert_eq!(trash[0]["id"], IN_TRASH);

    // Circles work on it, and its backup (version 3) reads back without
    // Hearth.
    OLD.run(&j, &["circle", "create", "Old friends", "--as", "Kim"])
        .ok();
    let circles = OLD.run(&j, &["circle", "list", "--json"]).ok().json();
    assert_eq!(circles[0]["name"], "Old friends");
    let file = j.arg("after.hearth-backup");
    OLD.run(&j, &["backup", &file]).ok();
    let read =
        crate::backup::read_with_python(Path::new(&file), &[("HEARTH_PASSPHRASE", OLD.pass)]);
    assert_eq!(read, OLD.listed());
    // The recovery key still opens it.
    j.cmd(&["recover"])
        .env("HEARTH_RECOVERY_KEY", RECOVERY_KEY)
        .env("HEARTH_PASSPHRASE", "a new one")
        .run()
        .ok();
}

#[test]
fn a_format_2_backup_restores_and_the_copy_becomes_format_4() {
    OLD.backup_restores_as_it_was();
}
