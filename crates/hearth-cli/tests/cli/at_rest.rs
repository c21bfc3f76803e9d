//! Nothing a person writes is stored in plaintext: not in the vault, not in
//! its write-ahead log, not in any other file in the data directory.

use crate::support::*;
use serde_json::json;

const MARKERS: [&str; 9] = [
    "MarkerTitle7731",
    "MarkerBody7731",
    "markertag7731",
    "markerfeeling7731",
    "MarkerEdited7731",
    "markeredittag7731",
    "MarkerStdin7731",
    "MarkerImportTitle7731",
    "MarkerImportBody7731",
];

/// Every marker found in any file under the data directory, as raw bytes
/// (exact, and ignoring ASCII case).
fn leaks(j: &Journal) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in j.snapshot() {
        let lower = bytes.to_ascii_lowercase();
        for m in MARKERS {
            let needle = m.to_ascii_lowercase();
            if lower.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("{m} in {}", path.display()));
            }
        }
    }
    found
}

#[track_caller]
fn assert_sealed(j: &Journal, after: &str) {
    let found = leaks(j);
    assert!(
        found.is_empty(),
        "plaintext on disk after {after}: {found:?}"
    );
}

fn write_and_change(j: &Journal) {
    let id = j.write(&[
        "--title",
        "MarkerTitle7731",
        "--tag",
        "markertag7731",
        "--feeling",
        "markerfeeling7731",
        "--mood",
        "4",
        "MarkerBody7731 and more words",
    ]);
    assert_sealed(j, "write");
    j.cmd(&["write", "--title", "piped"])
        .stdin("MarkerStdin7731 from a pipe")
        .run()
        .ok();
    assert_sealed(j, "write from stdin");
    j.ok(&[
        "edit",
        &id,
        "--body",
        "MarkerEdited7731 replaced",
        "--tag",
        "markeredittag7731",
    ]);
    assert_sealed(j, "edit");
    let backup = j.path("import.json");
    write_backup(
        &backup,
        &[
            json!({"id": null, "title": "MarkerImportTitle7731", "body": "MarkerImportBody7731", "mood": 2,
                   "feelings": ["markerfeeling7731"], "tags": ["markertag7731"], "starred": true,
                   "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"}),
        ],
    );
    j.ok(&["import", "--format", "hearth", backup.to_str().unwrap()]);
    assert_sealed(j, "import");
    let hits = j.ok(&["search", "MarkerImportBody7731", "--json"]).json();
    assert_eq!(
        hits.as_array().unwrap().len(),
        1,
        "the entries are there, just sealed"
    );
    assert_sealed(j, "search");
    let other = j.write(&["--title", "to delete", "short lived"]);
    j.ok(&["delete", &other]);
    j.ok(&["edit", &id, "--title", "MarkerTitle7731 again"]);
    assert_sealed(j, "delete and edit");
    j.cmd(&["passwd"])
        .env("HEARTH_NEW_PASSPHRASE", PASS)
        .run()
        .ok();
    assert_sealed(j, "passwd");
    let all = j.ok(&["list", "--json"]).stdout;
    for m in MARKERS.iter().filter(|m| **m != "MarkerBody7731") {
        assert!(
            all.to_lowercase().contains(&m.to_lowercase()),
            "{m} should read back: {all}"
        );
    }
}

#[test]
fn nothing_written_is_stored_in_plaintext() {
    let j = Journal::new();
    assert_sealed(&j, "init");
    write_and_change(&j);
    let names: Vec<String> = files_under(&j.home)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("vault.db")),
        "only the vault (and its SQLite side files) live in the data directory: {names:?}"
    );
}

const HOLD_ENV: &str = "HEARTH_TEST_HOLD_VAULT";

/// Not a check of its own: `the_write_ahead_log_holds_no_plaintext_either`
/// runs this test binary again with only this test and `HEARTH_TEST_HOLD_VAULT`
/// set, so that a separate process holds the vault open. (Holding it from the
/// test process would not do: reading the files there closes descriptors and
/// with them SQLite's POSIX locks.)
#[test]
fn hold_vault_open_helper() {
    use std::io::Read;
    let Some(path) = std::env::var_os(HOLD_ENV) else {
        return;
    };
    let conn = rusqlite::Connection::open(path).unwrap();
    let _: i64 = conn
        .query_row("SELECT count(*) FROM views", [], |r| r.get(0))
        .unwrap();
    println!("HOLDING THE VAULT");
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(conn);
}

/// A process holding the vault open until dropped.
struct Holder(std::process::Child);

impl Holder {
    fn start(vault: &std::path::Path) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "at_rest::hold_vault_open_helper",
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(HOLD_ENV, vault)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let ready = std::io::BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("HOLDING THE VAULT"));
        assert!(ready, "the helper process should open the vault");
        Self(child)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// With another process holding the vault open, hearth is not the last to
/// close it, so SQLite keeps its write-ahead log (`vault.db-wal`) and shared
/// memory file on disk between commands: check those too, and their modes.
#[test]
fn the_write_ahead_log_holds_no_plaintext_either() {
    let j = Journal::new();
    let holder = Holder::start(&j.vault());
    write_and_change(&j);
    let wal = j.home.join("vault.db-wal");
    assert!(wal.is_file(), "the WAL is kept while a reader is open");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "and has the writes in it"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in files_under(&j.home) {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(
                mode & 0o077,
                0,
                "{} is readable by others: {mode:o}",
                p.display()
            );
        }
    }
    drop(holder);
    j.ok(&["list"]);
    assert_sealed(&j, "the last close");
}
