//! `backup`, `backup verify` and `restore` through the real binary: a
//! restored journal equals the original entry for entry and op for op; a cut
//! or changed backup is refused and leaves the target empty; and an
//! independent reader (tests/python/read_backup.py, written only from
//! FORMAT.md) decrypts a backup to the same entries `list --json` prints.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A journal with a recovery key, every kind of field, an edit, an entry in
/// the trash and one purged for good. Returns it with its recovery key.
fn journal() -> (Journal, String) {
    let j = Journal::uninit();
    let mut init = vec!["init", "--json"];
    init.extend_from_slice(&CHEAP_KDF);
    let key = j.ok(&init).json()["recovery_key"]
        .as_str()
        .expect("init --json prints the recovery key")
        .to_string();
    let first = j.write(&[
        "--title",
        "Ünïcödé day",
        "--mood",
        "2",
        "--feeling",
        "calm",
        "--feeling",
        "tired",
        "--tag",
        "rain",
        "--at",
        "2020-05-05 05:05",
        "It rained 🌧 all \"day\".\nSecond line.",
    ]);
    j.write(&["--star", "--tag", "sun", "A bright one"]);
    let gone = j.write(&["purged soon"]);
    j.ok(&["delete", &gone]);
    j.ok(&["trash", "empty"]);
    let trashed = j.write(&["--title", "In the trash", "bin"]);
    j.ok(&["delete", &trashed]);
    j.ok(&[
        "edit",
        &first,
        "--body",
        "It rained all day.",
        "--mood",
        "4",
    ]);
    j.write(&["--at", "1969-12-31T23:59:59.250Z", "milliseconds"]);
    (j, key)
}

/// Where the independent reader's interpreter is: `HEARTH_TEST_PYTHON`
/// (scripts/test sets it), else the virtualenv scripts/test makes.
fn python() -> PathBuf {
    let python = std::env::var_os("HEARTH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/py-venv/bin/python"));
    let ready = Command::new(&python)
        .args(["-c", "import argon2, nacl"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ready,
        "this test runs tests/python/read_backup.py with argon2-cffi and PyNaCl, and there is \
         no such Python at {} (HEARTH_TEST_PYTHON, else target/py-venv): run scripts/test, \
         which installs them, or set HEARTH_TEST_PYTHON to a python3 that has them",
        python.display()
    );
    python
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run the independent reader on `backup`; its stdout as JSON.
pub(crate) fn read_with_python(backup: &Path, env: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new(python());
    cmd.arg(workspace().join("tests/python/read_backup.py"))
        .arg(backup)
        .env_remove("HEARTH_PASSPHRASE")
        .env_remove("HEARTH_RECOVERY_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("python runs");
    assert!(
        out.status.success(),
        "read_backup.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("read_backup.py prints JSON")
}

/// Every row of a vault's tables, as SQLite has them.
/// This vault's device.
fn device_of(vault: &Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(vault).unwrap();
    conn.query_row("SELECT device FROM vault", [], |r| r.get(0))
        .unwrap()
}

/// Every op, view and setting row, but the ops `author` wrote.
fn rows(vault: &Path, author: &[u8]) -> Vec<Vec<rusqlite::types::Value>> {
    let conn = rusqlite::Connection::open(vault).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT * FROM ops WHERE author != ?1 ORDER BY scope, author, seq",
        "SELECT * FROM views WHERE ?1 IS NOT NULL ORDER BY scope, doc",
        "SELECT * FROM settings WHERE ?1 IS NOT NULL ORDER BY name",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let found = stmt
            .query_map([author], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in found {
            out.push(row.unwrap());
        }
    }
    out
}

#[test]
fn python_reads_the_same_entries_as_hearth_lists() {
    let (j, key) = journal();
    let file = j.path("journal.hearth-backup");
    j.ok(&["backup", &j.arg("journal.hearth-backup")]);
    let listed = Value::Array(j.list(&[]));
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let read = read_with_python(&file, &[("HEARTH_PASSPHRASE", PASS)]);
    assert_eq!(read, listed, "the reader written from FORMAT.md agrees");
    let read = read_with_python(&file, &[("HEARTH_RECOVERY_KEY", &key)]);
    assert_eq!(read, listed, "and opens it with the recovery key too");
}

#[test]
fn restore_into_a_new_home_gives_the_same_journal_and_op_log() {
    let (j, key) = journal();
    let backup = j.arg("b.hearth-backup");
    let out = j.ok(&["backup", &backup]);
    assert!(out.stdout.contains("Backed up 4 entries"), "{}", out.stdout);
    let v = j.ok(&["backup", "verify", &backup]);
    assert!(v.stdout.contains("complete, undamaged"), "{}", v.stdout);
    let summary = j.ok(&["backup", "verify", &backup, "--json"]).json();
    assert_eq!(summary["entries"], 3);
    assert_eq!(summary["trashed"], 1);

    let copy = Journal::uninit();
    let out = copy.ok(&["restore", &backup]);
    assert!(out.stdout.contains("Restored 3 entries"), "{}", out.stdout);
    assert_eq!(copy.list(&[]), j.list(&[]), "list --json is equal");
    assert_eq!(
        copy.ok(&["trash", "--json"]).json(),
        j.ok(&["trash", "--json"]).json()
    );
    // The copy is a new device: one op of its own certifies it, and every
    // other row is as it was.
    let new_device = device_of(&copy.vault());
    assert_ne!(new_device, device_of(&j.vault()));
    assert_eq!(
        rows(&copy.vault(), &new_device),
        rows(&j.vault(), &new_device),
        "every row is equal"
    );
    let all = rows(&copy.vault(), &[]).len();
    assert_eq!(all, rows(&j.vault(), &[]).len() + 1);
    for id in j.ids(&[]) {
        assert_eq!(copy.show(&id), j.show(&id));
        assert_eq!(
            copy.ok(&["history", &id, "--json"]).json(),
            j.ok(&["history", &id, "--json"]).json(),
            "the history of {id} is equal"
        );
    }
    let hits = copy.ok(&["search", "rained", "--json"]).json();
    assert_eq!(hits.as_array().unwrap().len(), 1);

    // The recovery key opens the backup as well, by flag or by variable.
    let other = Journal::uninit();
    other
        .cmd(&["restore", "--recovery-key", &backup])
        .env("HEARTH_RECOVERY_KEY", &key)
        .env_remove("HEARTH_PASSPHRASE")
        .run()
        .ok();
    assert_eq!(other.list(&[]), j.list(&[]));
    j.cmd(&["backup", "verify", &backup])
        .env(
            "HEARTH_RECOVERY_KEY",
            "0000-0000-0000-0000-0000-0000-0000-0000-0000",
        )
        .run()
        .fails()
        .says(&["recovery key"]);
}

/// `verify` and `restore` both refuse `bytes`, saying so, and the target
/// data directory is not created.
#[track_caller]
fn refused(j: &Journal, bytes: &[u8], what: &str) {
    let bad = j.path("bad.hearth-backup");
    std::fs::write(&bad, bytes).unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let v = j.run(&["backup", "verify", &bad]);
    assert_eq!(v.code, Some(1), "verify of a backup {what}: {v:#?}");
    assert!(v.stderr.contains("hearth: error: backup"), "{what}: {v:#?}");
    let t = Journal::uninit();
    let r = t.run(&["restore", &bad]);
    assert_eq!(r.code, Some(1), "restore of a backup {what}: {r:#?}");
    assert!(r.stderr.contains("nothing was restored"), "{what}: {r:#?}");
    assert!(
        !t.home.exists(),
        "restore of a backup {what} wrote something"
    );
}

#[test]
fn cut_and_changed_backups_are_refused_and_restore_nothing() {
    let (j, _) = journal();
    let backup = j.path("b.hearth-backup");
    j.ok(&["backup", &j.arg("b.hearth-backup")]);
    let good = std::fs::read(&backup).unwrap();
    let len = good.len();
    // Cut short: in the preamble, the header, the sealed key, the chunk, and
    // one byte before the end.
    for n in [0, 5, 13, 100, 300, 500, 600, len / 2, len - 100, len - 1] {
        refused(&j, &good[..n], &format!("cut to {n} of {len} bytes"));
    }
    let mut longer = good.clone();
    longer.extend_from_slice(b"extra");
    refused(&j, &longer, "with bytes appended");
    // One bit flipped, at 50 places spread over the whole file.
    for i in 0..50 {
        let at = i * (len - 1) / 49;
        let mut bad = good.clone();
        bad[at] ^= 1 << (i % 8);
        refused(&j, &bad, &format!("with a bit flipped at byte {at}"));
    }
    // The good one still restores.
    let t = Journal::uninit();
    t.ok(&["restore", &j.arg("b.hearth-backup")]);
}

#[test]
fn messages_say_what_is_wrong() {
    let (j, _) = journal();
    let path = j.arg("b.hearth-backup");
    j.ok(&["backup", &path]);
    let good = std::fs::read(&path).unwrap();
    let bad = j.arg("bad");
    let says = |bytes: &[u8], parts: &[&str]| {
        std::fs::write(&bad, bytes).unwrap();
        j.fails(&["backup", "verify", &bad]).says(parts);
    };
    says(&good[..good.len() - 1], &["cut short"]);
    says(&good[..40], &["cut short"]);
    says(b"{\"format\": \"hearth\"}", &["not a Hearth backup"]);
    let mut flipped = good.clone();
    flipped[30] ^= 4;
    says(&flipped, &["header is damaged"]);
    let mut flipped = good.clone();
    let at = good.len() - 20;
    flipped[at] ^= 4;
    says(&flipped, &["chunk 0", "damaged"]);
}

#[test]
fn wrong_passphrase_busy_target_and_existing_file_are_refused() {
    let (j, _) = journal();
    let path = j.arg("b.hearth-backup");
    j.ok(&["backup", &path]);
    let before = std::fs::read(&path).unwrap();
    j.fails(&["backup", &path]).says(&["already exists"]);
    assert_eq!(std::fs::read(&path).unwrap(), before, "not overwritten");

    j.cmd(&["backup", "verify", &path])
        .env("HEARTH_PASSPHRASE", "not it")
        .run()
        .fails()
        .says(&["passphrase is wrong"]);
    let t = Journal::uninit();
    t.cmd(&["restore", &path])
        .env("HEARTH_PASSPHRASE", "not it")
        .run()
        .fails()
        .says(&["passphrase is wrong"]);
    assert!(!t.home.exists());

    // A data directory with a journal, or with anything in it, is refused.
    j.fails(&["restore", &path]).says(&["already exists"]);
    let busy = Journal::uninit();
    std::fs::create_dir_all(&busy.home).unwrap();
    std::fs::write(busy.home.join("notes.txt"), "mine").unwrap();
    busy.fails(&["restore", &path]).says(&["not empty"]);
    assert_eq!(files_under(&busy.home).len(), 1);

    // No journal to back up.
    let none = Journal::uninit();
    none.fails(&["backup", &none.arg("x")])
        .says(&["no journal"]);
    none.fails(&["restore", &none.arg("missing.bak")])
        .says(&["missing.bak"]);
    assert!(!none.home.exists());
}
