//! A journal written by vault format 1 (before devices could sync), and a
//! backup of it, opened by today's Hearth: the vault is migrated at its
//! first unlock and the backup restores as a new device, with every entry,
//! version and trashed entry kept. The files are in
//! `tests/fixtures/format-1/` (its README says how they were made).

use crate::old_vault::{OldVault, sql};
use crate::support::{Hearth, Journal};
use serde_json::Value;

const OLD: OldVault = OldVault {
    dir: "format-1",
    pass: "format one",
};
const RECOVERY_KEY: &str = "MY8A-QKXR-F6KF-WFHF-S22R-5WMQ-X38T-H5D2-X3CP";
const DRAFT: &str = "9c6231f8474e47573fa1896e1c993ddd";
const IN_TRASH: &str = "5776e6d83078bd6d1d564af5ddf43ff0";

#[test]
fn a_format_1_vault_is_migrated_at_its_first_unlock_and_keeps_everything() {
    let j = OLD.journal();
    let before: i64 = sql(&j.vault(), "PRAGMA user_version");
    assert_eq!(before, 3);
    let first = OLD.run(&j, &["-v", "list", "--json"]).ok();
    assert_eq!(first.json(), OLD.listed());
    // -v says what was done, and nothing of what the entries hold.
    assert!(
        first
            .stderr
            .contains("migrated the vault from format 1 to format 2"),
        "{}",
        first.stderr
    );
    assert!(!first.stderr.contains("Snow day"), "{}", first.stderr);
    assert_eq!(sql::<i64>(&j.vault(), "PRAGMA user_version"), 6);
    assert_eq!(sql::<i64>(&j.vault(), "SELECT format FROM vault"), 4);
    // Every op has its hashes; the purged entry's ops are markers that kept
    // their signatures; the purge left a tombstone.
    let unhashed: i64 = sql(
        &j.vault(),
        "SELECT COUNT(*) FROM ops WHERE length(prev) != 32 OR length(payload_hash) != 32
            OR length(hash) != 32 OR length(signature) != 64",
    );
    assert_eq!(unhashed, 0);
    let markers: i64 = sql(&j.vault(), "SELECT COUNT(*) FROM ops WHERE payload = X''");
    assert_eq!(markers, 2);
    let stones: i64 = sql(&j.vault(), "SELECT COUNT(*) FROM tombstones");
    assert_eq!(stones, 1);

    let history = OLD.run(&j, &["history", DRAFT, "--json"]).ok().json();
    let summaries: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries.len(), 3, "{history}");
    assert_eq!(summaries[0], "created");
    let trash = OLD.run(&j, &["trash", "--json"]).ok().json();
    assert_eq!(trash[0]["id"], IN_TRASH);

    // The device the vault was written on is its one certified device.
    let devices = OLD.run(&j, &["devices", "--json"]).ok().json();
    assert_eq!(devices.as_array().unwrap().len(), 1);
    assert_eq!(devices[0]["this_device"], true);
    let ops_before: i64 = sql(&j.vault(), "SELECT COUNT(*) FROM ops");

    // A second unlock changes nothing; the journal goes on being written.
    assert_eq!(OLD.run(&j, &["list", "--json"]).ok().json(), OLD.listed());
    assert_eq!(
        sql::<i64>(&j.vault(), "SELECT COUNT(*) FROM ops"),
        ops_before
    );
    OLD.run(&j, &["edit", DRAFT, "--title", "After the move"])
        .ok();
    let history = OLD.run(&j, &["history", DRAFT, "--json"]).ok().json();
    assert_eq!(history.as_array().unwrap().len(), 4);
    let backup = j.arg("after.hearth-backup");
    OLD.run(&j, &["backup", &backup]).ok();
    let v = OLD.run(&j, &["backup", "verify", &backup]).ok();
    assert!(v.stdout.contains("complete, undamaged"), "{}", v.stdout);
}

#[test]
fn the_recovery_key_of_a_format_1_vault_still_opens_it() {
    let j = OLD.journal();
    j.cmd(&["recover"])
        .env("HEARTH_RECOVERY_KEY", RECOVERY_KEY)
        .env("HEARTH_PASSPHRASE", "a new one")
        .run()
        .ok();
    let list = j
        .cmd(&["list", "--json"])
        .env("HEARTH_PASSPHRASE", "a new one")
        .run()
        .ok()
        .json();
    assert_eq!(list, OLD.listed());
    assert_eq!(sql::<i64>(&j.vault(), "SELECT format FROM vault"), 4);
}

#[test]
fn a_format_1_backup_restores_as_a_new_device() {
    let j = Journal::uninit();
    let backup = OLD.file("backup.hearthbackup");
    let backup = backup.to_str().unwrap();
    let v = OLD.run(&j, &["backup", "verify", backup]).ok();
    assert!(
        v.stdout.contains("3 entries and 1 in the trash"),
        "{}",
        v.stdout
    );
    OLD.run(&j, &["restore", backup]).ok();
    assert_eq!(OLD.run(&j, &["list", "--json"]).ok().json(), OLD.listed());
    let history = OLD.run(&j, &["history", DRAFT, "--json"]).ok().json();
    assert_eq!(history.as_array().unwrap().len(), 3);
    // The device the backup came from keeps its place; this copy writes
    // under a key of its own.
    let devices = OLD.run(&j, &["devices", "--json"]).ok().json();
    let devices = devices.as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0]["this_device"], true);
    assert_eq!(devices[1]["name"], "Earlier device");
    assert_eq!(history[0]["device"], devices[1]["id"]);
    OLD.run(&j, &["edit", DRAFT, "--body", "written on the copy"])
        .ok();
    let history = OLD.run(&j, &["history", DRAFT, "--json"]).ok().json();
    assert_eq!(history[3]["device"], devices[0]["id"]);
    // Restoring it again, with the recovery key, makes yet another device.
    let k = Journal::uninit();
    Hearth::new()
        .args(["--home", k.home.to_str().unwrap(), "restore", backup])
        .env("HEARTH_RECOVERY_KEY", RECOVERY_KEY)
        .env_remove("HEARTH_PASSPHRASE")
        .run()
        .ok();
    let other = OLD.run(&k, &["devices", "--json"]).ok().json();
    assert_ne!(other[0]["id"], devices[0]["id"]);
}

#[test]
fn devices_are_listed_and_renamed() {
    let j = Journal::new();
    let list = j.ok(&["devices", "--json"]).json();
    let me = &list[0];
    assert_eq!(
        me.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "last_seen", "last_synced", "name", "this_device"]
    );
    assert_eq!(me["this_device"], true);
    assert_eq!(me["last_synced"], Value::Null);
    let id = me["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 64);
    let out = j.ok(&["devices", "rename", &id[..6], "Kitchen laptop"]);
    assert!(out.stdout.contains("Kitchen laptop"), "{}", out.stdout);
    let list = j.ok(&["devices", "--json"]).json();
    assert_eq!(list[0]["name"], "Kitchen laptop");
    let text = j.ok(&["devices"]).stdout;
    assert!(
        text.contains("Kitchen laptop") && text.contains("this device"),
        "{text}"
    );
    // Bad input changes nothing.
    let before = j.snapshot();
    j.fails(&["devices", "rename", &id[..6], ""])
        .says(&["cannot be a device name"]);
    j.fails(&["devices", "rename", &id[..6], &"x".repeat(101)])
        .says(&["1 to 100 bytes"]);
    j.fails(&["devices", "rename", "zz", "Name"])
        .says(&["not a device id"]);
    j.fails(&["devices", "rename", "abcdef0123", "Name"])
        .says(&["no device with id"]);
    assert_eq!(j.snapshot(), before);
}
