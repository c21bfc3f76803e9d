//! The journals older formats wrote, kept in `tests/fixtures/format-N/`
//! (each folder's README says how it was made), as the format tests open
//! them: a copy of the vault in a fresh data directory, the entries it
//! lists, and its passphrase.

use crate::support::{Journal, Run};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct OldVault {
    /// The folder under `tests/fixtures/`.
    pub dir: &'static str,
    pub pass: &'static str,
}

impl OldVault {
    pub fn file(&self, name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(self.dir)
            .join(name)
    }

    /// What `hearth list --json` printed on the journal when it was made.
    pub fn listed(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.file("list.json")).unwrap()).unwrap()
    }

    /// A data directory holding a copy of the vault.
    pub fn journal(&self) -> Journal {
        let j = Journal::uninit();
        std::fs::create_dir_all(&j.home).unwrap();
        std::fs::copy(self.file("vault.db"), j.vault()).unwrap();
        j
    }

    /// Its backup verifies, restores into an empty data directory with the
    /// same entries as a format-4 vault, and reads back with the reader
    /// written from FORMAT.md.
    pub fn backup_restores_as_it_was(&self) {
        let j = Journal::uninit();
        let backup = self.file("backup.hearthbackup");
        let backup = backup.to_str().unwrap();
        let v = self.run(&j, &["backup", "verify", backup]).ok();
        assert!(v.stdout.contains("complete, undamaged"), "{}", v.stdout);
        self.run(&j, &["restore", backup]).ok();
        assert_eq!(self.run(&j, &["list", "--json"]).ok().json(), self.listed());
        assert_eq!(format_and_schema(&j.vault()).0, 4);
        let read =
            crate::backup::read_with_python(Path::new(backup), &[("HEARTH_PASSPHRASE", self.pass)]);
        assert_eq!(read, self.listed());
    }

    /// `hearth ARGS` on `j` with this vault's passphrase.
    pub fn run(&self, j: &Journal, args: &[&str]) -> Run {
        j.cmd(args).env("HEARTH_PASSPHRASE", self.pass).run()
    }
}

/// One value out of a vault file, read with SQLite.
pub fn sql<T: rusqlite::types::FromSql>(vault: &Path, query: &str) -> T {
    rusqlite::Connection::open(vault)
        .unwrap()
        .query_row(query, [], |r| r.get(0))
        .unwrap()
}

/// A vault's `vault.format` and schema version.
pub fn format_and_schema(vault: &Path) -> (i64, i64) {
    (
        sql(vault, "SELECT format FROM vault"),
        sql(vault, "PRAGMA user_version"),
    )
}
