//! What a person sees when something is wrong.

use crate::support::*;

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let j = Journal::new();
    let id = j.write(&["--title", "Secret", "private words"]);
    let before = j.snapshot();
    let id8 = &id[..8];
    for args in [
        vec!["list"],
        vec!["show", id8],
        vec!["write", "sneaky"],
        vec!["edit", id8, "--title", "changed"],
        vec!["delete", id8],
        vec!["search", "private"],
        vec!["mood"],
        vec!["export", "--format", "hearth", "/nonexistent-dir/x.json"],
    ] {
        let out = j
            .cmd(&args)
            .env("HEARTH_PASSPHRASE", "wrong horse")
            .run()
            .fails();
        out.says(&["passphrase is wrong"]);
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout for {args:?}: {out:#?}"
        );
        assert!(
            !out.stderr.contains("private") && !out.stderr.contains("Secret"),
            "{out:#?}"
        );
        assert_eq!(
            j.snapshot(),
            before,
            "the vault is byte-identical after {args:?}"
        );
    }
    assert_eq!(j.show(&id)["title"], "Secret");
}

#[test]
fn unknown_and_malformed_ids() {
    let j = Journal::new();
    let id = j.write(&["there is one entry"]);
    let other = if id.starts_with("ffff") {
        "0000"
    } else {
        "ffff"
    };
    let absent = format!("{other}{}", &id[4..]);
    for cmd in ["show", "delete"] {
        j.fails(&[cmd, &absent])
            .says(&["no entry with id", &absent, "hearth list"]);
        j.fails(&[cmd, other]).says(&["no entry"]);
        j.fails(&[cmd, "zzzz"]).says(&["not an entry id"]);
        j.fails(&[cmd, "ab"]).says(&["at least 4"]);
    }
    j.fails(&["edit", &absent, "--title", "x"])
        .says(&["no entry"]);
    assert_eq!(j.ids(&[]), vec![id]);
}

#[test]
fn mood_out_of_range_is_refused_everywhere() {
    let j = Journal::new();
    j.fails(&["write", "--mood", "9", "too happy"])
        .says(&["mood 9", "1", "5"]);
    j.fails(&["write", "--mood", "0", "too sad"])
        .says(&["mood 0"]);
    assert!(j.list(&[]).is_empty(), "nothing is written");
    let id = j.write(&["--mood", "3", "just right"]);
    j.fails(&["edit", &id, "--mood", "9"]).says(&["mood 9"]);
    assert_eq!(j.show(&id)["mood"], 3);
    j.fails(&["list", "--mood", "9"]).says(&["mood 9"]);
    let huge = j.run(&["write", "--mood", "300", "x"]);
    assert_eq!(
        huge.code,
        Some(2),
        "not a number 0..255: a usage error {huge:#?}"
    );
}

#[test]
fn bad_fields_are_refused() {
    let j = Journal::new();
    j.fails(&["write", "--at", "yesterday-ish", "x"])
        .says(&["not a date or time", "RFC 3339"]);
    j.fails(&["write", "--at", "2021-02-30", "x"])
        .says(&["not a date"]);
    j.fails(&["write", "--tag", "semi;colon", "x"])
        .says(&["tag", "letters, digits, spaces"]);
    j.fails(&["write", "--tag", "", "x"]).says(&["empty tag"]);
    j.fails(&["write", "--feeling", "so-so!", "x"])
        .says(&["feeling"]);
    assert!(j.list(&[]).is_empty());
}

#[test]
fn every_command_without_a_journal_says_to_run_init() {
    let j = Journal::uninit();
    let file = j.arg("file.json");
    for args in [
        vec!["write", "hello"],
        vec!["list"],
        vec!["list", "--json"],
        vec!["show", "abcd"],
        vec!["edit", "abcd", "--title", "x"],
        vec!["delete", "abcd"],
        vec!["search", "hello"],
        vec!["mood"],
        vec!["passwd"],
        vec!["import", "--format", "hearth", &file],
        vec!["export", "--format", "hearth", &file],
    ] {
        let out = j.fails(&args);
        out.says(&["no journal", "hearth init"]);
        assert!(out.stdout.is_empty(), "{out:#?}");
    }
    assert!(
        !j.home.exists(),
        "no command but init creates the data directory"
    );
    assert!(!j.path("file.json").exists());
}

#[test]
fn without_a_passphrase_or_terminal_commands_explain() {
    let j = Journal::new();
    j.cmd(&["list"])
        .env_remove("HEARTH_PASSPHRASE")
        .run()
        .fails()
        .says(&["HEARTH_PASSPHRASE"]);
}

#[test]
fn usage_errors_exit_2() {
    let j = Journal::new();
    for args in [
        vec!["frobnicate"],
        vec!["list", "--limit", "many"],
        vec!["show"],
        vec![],
    ] {
        let out = j.run(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {out:#?}");
        assert!(!out.stderr.is_empty());
    }
    let help = j.ok(&["--help"]);
    for cmd in [
        "init", "write", "list", "show", "edit", "delete", "search", "mood", "passwd", "import",
        "export",
    ] {
        assert!(help.stdout.contains(cmd), "--help lists {cmd}");
    }
}

/// Bug: an error whose cause is also printed inside its own message is
/// shown twice, e.g. "…must be at least 8 MiB: …must be at least 8 MiB".
#[test]
fn error_messages_do_not_repeat_their_cause() {
    let j = Journal::uninit();
    let kdf = j.fails(&["init", "--kdf-memory-mib", "4"]);
    let j = Journal::new();
    j.write(&["one"]);
    let file = j.path("exists.json");
    std::fs::write(&file, "x").unwrap();
    let exists = j.fails(&["export", "--format", "hearth", file.to_str().unwrap()]);
    let missing = j.fails(&[
        "import",
        "--format",
        "hearth",
        j.arg("missing.json").as_str(),
    ]);
    for out in [kdf, exists, missing] {
        let msg = out.stderr.trim().trim_start_matches("hearth: error: ");
        let parts: Vec<&str> = msg.split(": ").collect();
        for w in parts.windows(2) {
            assert_ne!(w[0], w[1], "the same words twice in a row: {msg:?}");
        }
        let tail = parts.last().unwrap();
        assert_eq!(
            msg.matches(tail).count(),
            1,
            "{tail:?} is said more than once: {msg:?}"
        );
    }
}

#[test]
fn output_into_a_closed_pipe_is_not_an_error() {
    let j = Journal::new();
    for i in 0..3 {
        j.write(&["--title", &format!("entry {i}"), "body"]);
    }
    for args in [vec!["list"], vec!["list", "--json"], vec!["search", "body"]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
            .arg("--home")
            .arg(&j.home)
            .args(&args)
            .env("HEARTH_PASSPHRASE", PASS)
            .env("TZ", "UTC")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?} like `hearth list | head`: {stderr}"
        );
    }
}

/// Limits where text enters: an entry's body (from standard input, an edit
/// or an import) and an import file. Past one: a clear error naming the
/// limit, and nothing stored.
#[test]
fn text_past_its_limit_is_refused_and_nothing_is_stored() {
    let j = Journal::new();
    let id = j.write(&["a small entry"]);
    let before = j.snapshot();
    let huge = "word ".repeat(220_000);
    j.cmd(&["write"])
        .stdin(&huge)
        .run()
        .fails()
        .says(&["1 MiB an entry may hold", "nothing was saved"]);
    j.cmd(&["edit", &id[..8]])
        .stdin(&huge)
        .run()
        .fails()
        .says(&["1 MiB"]);
    let long_title = "t".repeat(1001);
    j.fails(&["write", "--title", &long_title, "body"])
        .says(&["1000 a title may have"]);

    let file = j.path("big.json");
    j.ok(&["export", "--format", "hearth", &j.arg("one.json")]);
    let mut export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(j.path("one.json")).unwrap()).unwrap();
    export["entries"][0]["body"] = huge.clone().into();
    export["entries"][0]["id"] = "0123456789abcdef0123456789abcdef".into();
    std::fs::write(&file, export.to_string()).unwrap();
    j.fails(&["import", "--format", "hearth", &j.arg("big.json")])
        .says(&["entry 1", "1 MiB"]);

    // A file past the import limit is refused before it is read (a sparse
    // file: no disk is used).
    let sparse = j.path("huge.txt");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len((256 << 20) + 1)
        .unwrap();
    j.fails(&["import", "--format", "jrnl", &j.arg("huge.txt")])
        .says(&["256 MiB an import file may be"]);
    assert_eq!(j.snapshot(), before);
}
