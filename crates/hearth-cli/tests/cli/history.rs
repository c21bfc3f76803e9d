//! `history`, `restore ID --version N`, `trash`,
//! `undelete` and `trash empty` through the real binary.

use crate::support::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every stored ciphertext of an entry: its ops' payloads and signatures and
/// its view.
/// The sealed bytes stored for an entry: its ops' payloads (but the purge
/// op's, which seals nothing) and its view. An op's signature and hashes
/// stay after a purge, by design, so that the marker can still be checked.
fn stored_bytes(j: &Journal, id: &str) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(j.vault()).unwrap();
    let doc = hex(id);
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare("SELECT payload FROM ops WHERE doc = ?1 AND kind != 2")
        .unwrap();
    let rows = stmt.query_map([&doc], |r| r.get::<_, Vec<u8>>(0)).unwrap();
    for row in rows {
        out.push(row.unwrap());
    }
    let view: Vec<u8> = conn
        .query_row("SELECT payload FROM views WHERE doc = ?1", [&doc], |r| {
            r.get(0)
        })
        .unwrap();
    out.push(view);
    out
}

fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            out.push((p, bytes));
        }
    }
    out
}

#[test]
fn history_lists_diffs_and_survives_five_edits() {
    let j = Journal::new();
    let id = j.write(&["first words", "--title", "Day", "--mood", "2"]);
    for (i, body) in [
        "first words here",
        "second words here",
        "second words",
        "more",
        "last words",
    ]
    .iter()
    .enumerate()
    {
        j.ok(&[
            "edit",
            &id,
            "--body",
            body,
            "--mood",
            &(i % 5 + 1).to_string(),
        ]);
    }
    let versions = j.ok(&["history", &id, "--json"]).json();
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 6);
    for (i, v) in versions.iter().enumerate() {
        assert_eq!(v["version"], i + 1);
        for key in ["at", "device", "summary"] {
            assert!(v.get(key).is_some(), "{v}");
        }
    }
    assert_eq!(versions[0]["summary"], "created");
    let diff = j.ok(&["history", &id[..8], "--diff", "3"]).stdout;
    assert!(
        diff.contains("[-first-]") && diff.contains("{+second+}"),
        "{diff}"
    );
    let text = j.ok(&["history", &id]).stdout;
    assert_eq!(text.lines().count(), 6, "{text}");
    j.fails(&["history", &id, "--diff", "9"])
        .says(&["no version 9", "1 to 6"]);
    let bodies = [
        "first words",
        "first words here",
        "second words here",
        "second words",
        "more",
        "last words",
    ];
    for n in 1..=6 {
        j.ok(&["restore", &id[..8], "--version", &n.to_string()]);
        let now = j.ok(&["show", &id, "--json"]).json();
        assert_eq!(now["body"], bodies[n - 1]);
        let versions = j.ok(&["history", &id, "--json"]).json();
        assert_eq!(
            versions.as_array().unwrap().len(),
            6 + n,
            "a restore is a new version"
        );
    }
    j.fails(&["restore", &id, "--version", "99"])
        .says(&["no version 99"]);
}

#[test]
fn trash_undelete_and_empty_leave_nothing_behind() {
    let j = Journal::new();
    let keep = j.write(&["keep this one", "--tag", "stay"]);
    let gone = j.write(&[
        "PURGEMARKER secret words",
        "--title",
        "Gone",
        "--tag",
        "purgetag",
    ]);
    j.ok(&["edit", &gone, "--body", "PURGEMARKER edited secret"]);
    j.ok(&["search", "secret"]);
    j.ok(&["delete", &gone]);
    let trash = j.ok(&["trash", "--json"]).json();
    assert_eq!(trash.as_array().unwrap().len(), 1);
    assert_eq!(trash[0]["id"], gone);
    j.ok(&["undelete", &gone[..8]]);
    assert_eq!(j.ids(&[]).len(), 2);
    j.ok(&["delete", &gone]);
    let captured = stored_bytes(&j, &gone);
    assert!(captured.iter().all(|b| b.len() >= 32));
    let out = j.ok(&["trash", "empty"]).stdout;
    assert!(out.contains("Deleted 1 entry"), "{out}");
    assert!(
        j.ok(&["trash", "--json"])
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    for (path, bytes) in files_under(&j.home) {
        for c in &captured {
            assert!(
                !bytes.windows(c.len()).any(|w| w == c.as_slice()),
                "{} still holds stored bytes of the purged entry",
                path.display()
            );
        }
    }
    j.fails(&["show", &gone]).says(&["no entry"]);
    j.fails(&["history", &gone]).says(&["no entry"]);
    j.fails(&["undelete", &gone]);
    assert!(
        j.ok(&["search", "secret", "--json"])
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(j.ids(&[]), vec![keep]);
}
