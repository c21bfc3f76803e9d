//! The recovery key: shown once by `init`, used by `hearth recover` when the
//! passphrase is forgotten, replaced by `hearth recovery-key new`.

use crate::support::*;

/// Crockford's base32, the alphabet a recovery key is written in.
const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Whether `key` looks like a written recovery key: nine groups of four.
fn is_key(key: &str) -> bool {
    let groups: Vec<&str> = key.split('-').collect();
    groups.len() == 9
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| ALPHABET.contains(c)))
}

/// `init --json` in a fresh directory; the journal and its recovery key.
fn init() -> (Journal, String) {
    let j = Journal::uninit();
    let mut args = vec!["init", "--json"];
    args.extend_from_slice(&CHEAP_KDF);
    let out = j.ok(&args);
    let key = key_of(&out);
    (j, key)
}

/// The key in `{"recovery_key": "..."}`, checking that is all stdout holds.
#[track_caller]
fn key_of(out: &Run) -> String {
    let v = out.json();
    assert_eq!(
        keys(&v),
        ["recovery_key".to_string()].into_iter().collect(),
        "{out:#?}"
    );
    let key = v["recovery_key"].as_str().unwrap().to_string();
    assert!(is_key(&key), "not a recovery key: {key:?}");
    assert_eq!(out.stdout, format!("{{\"recovery_key\": \"{key}\"}}\n"));
    key
}

/// Three entries and a fourth in the trash.
fn some_entries_and_one_trashed(j: &Journal) {
    some_entries(j);
    let gone = j.write(&["fourth, in the trash"]);
    j.ok(&["delete", &gone]);
}

/// `hearth recover` with `key` and the new passphrase `new`.
fn recover(j: &Journal, key: &str, new: &str) -> Run {
    j.cmd(&["recover"])
        .env("HEARTH_RECOVERY_KEY", key)
        .env("HEARTH_PASSPHRASE", new)
        .run()
}

/// `list --json` with passphrase `pass`.
fn list_with(j: &Journal, pass: &str) -> serde_json::Value {
    j.cmd(&["list", "--json"])
        .env("HEARTH_PASSPHRASE", pass)
        .run()
        .ok()
        .json()
}

/// `key` with the character at `pos` (dashes not counted) changed to another
/// one of the alphabet.
fn with_typo(key: &str, pos: usize) -> String {
    let mut n = 0;
    key.chars()
        .map(|c| {
            if c == '-' {
                return c;
            }
            let here = n == pos;
            n += 1;
            if !here {
                return c;
            }
            let i = ALPHABET.find(c).unwrap();
            ALPHABET.chars().nth((i + 1) % ALPHABET.len()).unwrap()
        })
        .collect()
}

#[test]
fn init_shows_the_recovery_key_once_and_says_what_it_is_for() {
    let j = Journal::uninit();
    let mut args = vec!["init"];
    args.extend_from_slice(&CHEAP_KDF);
    let out = j.ok(&args);
    assert!(out.stdout.contains("Created a journal"), "{out:#?}");
    let key = out
        .stdout
        .split_whitespace()
        .find(|w| is_key(w))
        .unwrap_or_else(|| panic!("init should print a recovery key\n{out:#?}"))
        .to_string();
    let text = out
        .stdout
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    for part in [
        "recovery key",
        "only way back",
        "forget your passphrase",
        "only this once",
        "hearth recover",
    ] {
        assert!(text.contains(part), "init should say {part:?}\n{out:#?}");
    }
    // The key is not kept anywhere in the data directory.
    let plain: String = key.chars().filter(|&c| c != '-').collect();
    for (path, bytes) in j.snapshot() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&key) && !text.contains(&plain),
            "the recovery key is written in {}",
            path.display()
        );
    }
    // And it works.
    j.write(&["kept"]);
    recover(&j, &key, "new one").ok();
    assert_eq!(list_with(&j, "new one")[0]["body"], "kept");
}

#[test]
fn init_json_prints_only_the_recovery_key() {
    let j = Journal::uninit();
    let mut args = vec!["init", "--json"];
    args.extend_from_slice(&CHEAP_KDF);
    let out = j.ok(&args);
    key_of(&out);
    assert_eq!(j.list(&[]).len(), 0, "the journal was made and opens");
    // Two journals get two different keys.
    let (_, other) = init();
    assert_ne!(key_of(&out), other);
}

#[test]
fn with_the_passphrase_forgotten_the_recovery_key_sets_a_new_one_and_every_entry_reads_back() {
    let (j, key) = init();
    some_entries_and_one_trashed(&j);
    let before = list_with(&j, PASS);
    assert_eq!(before.as_array().unwrap().len(), 3);

    let out = recover(&j, &key, "a brand new one").ok();
    assert!(out.stdout.contains("New passphrase set"), "{out:#?}");
    assert!(out.stdout.contains("3 entries"), "{out:#?}");

    j.fails(&["list"]).says(&["passphrase is wrong"]);
    assert_eq!(
        list_with(&j, "a brand new one"),
        before,
        "every entry reads back"
    );
    for e in before.as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        let shown = j
            .cmd(&["show", id, "--json"])
            .env("HEARTH_PASSPHRASE", "a brand new one")
            .run()
            .ok()
            .json();
        assert_eq!(&shown, e);
    }
    // The journal goes on: write with the new passphrase.
    j.cmd(&["write", "after recovery"])
        .env("HEARTH_PASSPHRASE", "a brand new one")
        .run()
        .ok();
    // The same key works again (it is not used up).
    recover(&j, &key, "third").ok();
    assert_eq!(list_with(&j, "third").as_array().unwrap().len(), 4);
}

#[test]
fn the_recovery_key_survives_a_passphrase_change() {
    let (j, key) = init();
    some_entries_and_one_trashed(&j);
    j.cmd(&["passwd", "--kdf-memory-mib", "9"])
        .env("HEARTH_NEW_PASSPHRASE", "changed")
        .run()
        .ok();
    recover(&j, &key, "recovered").ok();
    assert_eq!(list_with(&j, "recovered").as_array().unwrap().len(), 3);
    assert_eq!(
        stored_kdf(&j.vault()),
        (9 * 1024, 1),
        "recovery keeps the KDF settings"
    );
}

#[test]
fn a_replaced_recovery_key_is_refused_and_the_new_one_works() {
    let (j, old) = init();
    some_entries_and_one_trashed(&j);
    let new = key_of(&j.ok(&["recovery-key", "new", "--json"]));
    assert_ne!(new, old);

    let before = j.snapshot();
    recover(&j, &old, "whatever")
        .fails()
        .says(&["does not open this journal", "nothing was changed"]);
    assert_eq!(j.snapshot(), before, "a refused key changes nothing");
    assert_eq!(j.list(&[]).len(), 3, "the passphrase still works");

    recover(&j, &new, "fresh").ok();
    assert_eq!(list_with(&j, "fresh").as_array().unwrap().len(), 3);
}

#[test]
fn recovery_key_new_shows_the_key_and_needs_the_passphrase() {
    let (j, old) = init();
    some_entries_and_one_trashed(&j);
    let before = j.snapshot();
    j.cmd(&["recovery-key", "new"])
        .env("HEARTH_PASSPHRASE", "not it")
        .run()
        .fails()
        .says(&["passphrase is wrong"]);
    j.cmd(&["recovery-key", "new"])
        .env_remove("HEARTH_PASSPHRASE")
        .run()
        .fails()
        .says(&["HEARTH_PASSPHRASE"]);
    assert_eq!(j.snapshot(), before);

    let out = j.ok(&["recovery-key", "new"]);
    assert!(out.stdout.contains("no longer works"), "{out:#?}");
    assert!(out.stdout.contains("only way back"), "{out:#?}");
    let new = out
        .stdout
        .split_whitespace()
        .find(|w| is_key(w))
        .unwrap_or_else(|| panic!("recovery-key new should print the key\n{out:#?}"))
        .to_string();
    recover(&j, &old, "x").fails().says(&["does not open"]);
    recover(&j, &new, "x").ok();
}

#[test]
fn a_key_with_one_character_wrong_is_caught_by_its_checksum() {
    let (j, key) = init();
    some_entries_and_one_trashed(&j);
    let before = j.snapshot();
    for pos in 0..36 {
        let typo = with_typo(&key, pos);
        assert_ne!(typo, key);
        // No new passphrase is given, and there is no terminal: the key is
        // refused before that is even asked for.
        j.cmd(&["recover"])
            .env("HEARTH_RECOVERY_KEY", &typo)
            .env_remove("HEARTH_PASSPHRASE")
            .run()
            .fails()
            .says(&["mistyped", "nothing was changed"]);
    }
    // Also with a new passphrase at hand.
    recover(&j, &with_typo(&key, 35), "new")
        .fails()
        .says(&["mistyped"]);
    assert_eq!(j.snapshot(), before, "a mistyped key changes nothing");
    assert_eq!(j.list(&[]).len(), 3);
}

#[test]
fn keys_that_are_not_keys_are_refused_plainly() {
    let (j, key) = init();
    let before = j.snapshot();
    let short = &key[..key.len() - 1];
    recover(&j, short, "x")
        .fails()
        .says(&["36 characters", "35", "nothing was changed"]);
    recover(&j, &format!("{key}7"), "x")
        .fails()
        .says(&["36 characters", "37"]);
    recover(&j, &format!("U{}", &key[1..]), "x")
        .fails()
        .says(&["'U'", "not a recovery key"]);
    recover(&j, "", "x").fails().says(&["36 characters"]);
    assert_eq!(j.snapshot(), before);
}

#[test]
fn the_key_may_be_typed_in_lower_case_with_spaces_or_without_dashes() {
    let (j, key) = init();
    some_entries_and_one_trashed(&j);
    let plain: String = key.chars().filter(|&c| c != '-').collect();
    let spaced = key.replace('-', " ");
    let lookalikes = key.replace('0', "o").replace('1', "l");
    for (i, typed) in [
        key.to_lowercase(),
        plain.clone(),
        plain.to_lowercase(),
        format!("  {spaced}\n"),
        lookalikes,
        key.replace('1', "I").replace('0', "O"),
    ]
    .iter()
    .enumerate()
    {
        let pass = format!("pass {i}");
        recover(&j, typed, &pass).ok();
        assert_eq!(list_with(&j, &pass).as_array().unwrap().len(), 3);
    }
}

#[test]
fn recover_without_a_key_or_a_new_passphrase_explains_and_changes_nothing() {
    let (j, key) = init();
    some_entries_and_one_trashed(&j);
    let before = j.snapshot();
    j.cmd(&["recover"])
        .env_remove("HEARTH_RECOVERY_KEY")
        .run()
        .fails()
        .says(&["HEARTH_RECOVERY_KEY"]);
    j.cmd(&["recover"])
        .env("HEARTH_RECOVERY_KEY", &key)
        .env_remove("HEARTH_PASSPHRASE")
        .run()
        .fails()
        .says(&["HEARTH_PASSPHRASE"]);
    recover(&j, &key, "")
        .fails()
        .says(&["empty", "nothing was changed"]);
    assert_eq!(j.snapshot(), before);
    assert_eq!(j.list(&[]).len(), 3, "the old passphrase still works");
}

#[test]
fn a_journal_made_before_recovery_keys_says_there_is_none() {
    let (j, key) = init();
    some_entries_and_one_trashed(&j);
    // What a journal made before this feature looks like: no second wrapping.
    {
        let conn = rusqlite::Connection::open(j.vault()).unwrap();
        conn.execute("UPDATE vault SET wrapped_recovery = NULL", [])
            .unwrap();
    }
    let before = j.snapshot();
    recover(&j, &key, "new").fails().says(&[
        "no recovery key",
        "recovery-key new",
        "nothing was changed",
    ]);
    assert_eq!(j.snapshot(), before);
    // While the passphrase is known, one can be made.
    let key = key_of(&j.ok(&["recovery-key", "new", "--json"]));
    recover(&j, &key, "new").ok();
    assert_eq!(list_with(&j, "new").as_array().unwrap().len(), 3);
}

#[test]
fn recover_without_a_journal_says_so() {
    let (_, key) = init();
    let j = Journal::uninit();
    recover(&j, &key, "x").fails().says(&["no journal"]);
    assert!(!j.home.exists());
}
