//! `hearth init`: where the journal goes, what it refuses, its KDF settings.

use crate::support::*;

#[test]
fn init_creates_a_journal_that_opens() {
    let j = Journal::uninit();
    let out = j.ok(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "1"]);
    assert!(out.stdout.contains("Created a journal"), "{out:#?}");
    assert!(
        out.stdout.contains(&j.home.display().to_string()),
        "init names the directory: {out:#?}"
    );
    assert!(j.vault().is_file());
    let list = j.ok(&["list"]);
    assert_eq!(list.stdout.trim(), "No entries.");
    assert_eq!(j.list(&[]), Vec::<serde_json::Value>::new());
}

#[cfg(unix)]
#[test]
fn init_makes_the_directory_and_vault_private() {
    use std::os::unix::fs::PermissionsExt;
    let j = Journal::new();
    let dir_mode = std::fs::metadata(&j.home).unwrap().permissions().mode() & 0o777;
    let file_mode = std::fs::metadata(j.vault()).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700, "data directory mode {dir_mode:o}");
    assert_eq!(file_mode, 0o600, "vault file mode {file_mode:o}");
    // Still private after it has been written to.
    j.write(&["a first entry"]);
    let file_mode = std::fs::metadata(j.vault()).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        file_mode, 0o600,
        "vault file mode after a write {file_mode:o}"
    );
}

#[test]
fn init_again_refuses_and_changes_nothing() {
    let j = Journal::new();
    j.write(&["--title", "kept", "do not lose me"]);
    let before = j.snapshot();
    let out = j.fails(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "1"]);
    out.says(&["already exists", &j.home.display().to_string()]);
    assert_eq!(
        j.snapshot(),
        before,
        "a refused init must not touch the data directory"
    );
    // Also with a different passphrase and default settings.
    let out = j
        .cmd(&["init"])
        .env("HEARTH_PASSPHRASE", "another")
        .run()
        .fails();
    out.says(&["already exists"]);
    assert_eq!(j.snapshot(), before);
    assert_eq!(j.list(&[]).len(), 1);
}

#[test]
fn hearth_home_is_used_when_home_is_not_given() {
    let j = Journal::uninit();
    let init = Hearth::new()
        .env("HEARTH_HOME", &j.home)
        .args(["init"])
        .args(CHEAP_KDF)
        .run()
        .ok();
    assert!(
        init.stdout.contains(&j.home.display().to_string()),
        "{init:#?}"
    );
    assert!(
        j.vault().is_file(),
        "init should create the vault in $HEARTH_HOME"
    );
    let id = id_of(
        &Hearth::new()
            .env("HEARTH_HOME", &j.home)
            .args(["write", "via", "env"])
            .run()
            .ok(),
    );
    assert_eq!(
        j.ids(&[]),
        vec![id.clone()],
        "the entry went into $HEARTH_HOME"
    );
    // --home wins over HEARTH_HOME.
    let other = Journal::new();
    Hearth::new()
        .env("HEARTH_HOME", &j.home)
        .args([std::ffi::OsStr::new("--home"), other.home.as_os_str()])
        .args(["write", "into", "other"])
        .run()
        .ok();
    assert_eq!(j.ids(&[]), vec![id]);
    assert_eq!(other.list(&[]).len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn default_data_directory_is_used_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let j = Journal::uninit();
    let xdg = j.path("xdg-data");
    let hearth = |args: &[&str]| {
        Hearth::new()
            .env("HOME", &j.root)
            .env("XDG_DATA_HOME", &xdg)
            .args(args.iter().copied())
    };
    hearth(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "1"])
        .run()
        .ok();
    let data = xdg.join("hearth");
    assert!(
        data.join("vault.db").is_file(),
        "the vault goes into $XDG_DATA_HOME/hearth"
    );
    let dir_mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    let file_mode = std::fs::metadata(data.join("vault.db"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700, "default data directory mode {dir_mode:o}");
    assert_eq!(file_mode, 0o600, "default vault file mode {file_mode:o}");
    hearth(&["write", "in", "the", "default", "place"])
        .run()
        .ok();
    let out = hearth(&["list", "--json"]).run().ok();
    assert_eq!(out.json()[0]["body"], "in the default place");
}

#[test]
fn kdf_memory_below_the_minimum_is_refused() {
    let j = Journal::uninit();
    let out = j.fails(&["init", "--kdf-memory-mib", "4", "--kdf-iterations", "1"]);
    out.says(&["memory", "8 MiB"]);
    assert!(!j.vault().exists(), "no vault may be left behind");
    let out = j.fails(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "0"]);
    out.says(&["iterations"]);
    assert!(!j.vault().exists());
    // Then a good init works in the same place.
    j.ok(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "1"]);
}

#[test]
fn kdf_settings_chosen_at_init_are_stored() {
    let j = Journal::uninit();
    j.ok(&["init", "--kdf-memory-mib", "9", "--kdf-iterations", "2"]);
    assert_eq!(stored_kdf(&j.vault()), (9 * 1024, 2));
    j.write(&["opens with those settings"]);
    assert_eq!(j.list(&[]).len(), 1);
}

#[test]
fn kdf_defaults_are_64_mib_and_3_iterations() {
    let j = Journal::uninit();
    j.ok(&["init"]);
    assert_eq!(stored_kdf(&j.vault()), (64 * 1024, 3));
    assert_eq!(j.ok(&["list"]).stdout.trim(), "No entries.");
}

#[test]
fn an_empty_passphrase_is_refused() {
    let j = Journal::uninit();
    let out = j
        .cmd(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "1"])
        .env("HEARTH_PASSPHRASE", "")
        .run();
    out.fails().says(&["passphrase", "empty"]);
    assert!(!j.vault().exists());
}

#[test]
fn without_a_passphrase_or_terminal_init_explains() {
    let j = Journal::uninit();
    let out = j
        .cmd(&["init", "--kdf-memory-mib", "8", "--kdf-iterations", "1"])
        .env_remove("HEARTH_PASSPHRASE")
        .run();
    out.fails().says(&["HEARTH_PASSPHRASE"]);
    assert!(!j.vault().exists());
}
