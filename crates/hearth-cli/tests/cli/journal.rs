//! write, list, show, edit and delete, as a person uses them.

use crate::support::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------- write

#[test]
fn write_prints_the_new_id_and_joins_text_arguments() {
    let j = Journal::new();
    let out = j.ok(&["write", "a", "quiet", "morning"]);
    let id = id_of(&out);
    assert_eq!(out.stdout, format!("{id}\n"), "write prints only the id");
    let e = j.show(&id);
    assert_eq!(e["body"], "a quiet morning");
    assert_eq!(e["title"], "");
    assert_eq!(e["mood"], Value::Null);
    assert_eq!(e["starred"], false);
    assert_eq!(e["created_at"], e["updated_at"]);
}

#[test]
fn write_reads_the_body_from_stdin() {
    let j = Journal::new();
    let body = "First line.\n\nSecond paragraph with *markdown*.";
    let out = j
        .cmd(&["write", "--title", "From a pipe"])
        .stdin(&format!("{body}\n\n"))
        .run()
        .ok();
    let e = j.show(&id_of(&out));
    assert_eq!(e["title"], "From a pipe");
    assert_eq!(
        e["body"], body,
        "trailing blank lines are trimmed, the rest kept"
    );
}

#[test]
fn text_arguments_win_over_stdin() {
    let j = Journal::new();
    let out = j
        .cmd(&["write", "from", "args"])
        .stdin("from stdin")
        .run()
        .ok();
    assert_eq!(j.show(&id_of(&out))["body"], "from args");
}

#[test]
fn write_keeps_every_field() {
    let j = Journal::new();
    let id = j.write(&[
        "--title",
        "Harbour walk",
        "--mood",
        "4",
        "--feeling",
        "calm",
        "--feeling",
        "grateful",
        "--tag",
        "walk",
        "--tag",
        "#sea",
        "--tag",
        "Walk",
        "--star",
        "Gulls everywhere.",
    ]);
    let e = j.show(&id);
    assert_eq!(keys(&e), ENTRY_KEYS.iter().map(|k| k.to_string()).collect());
    assert_eq!(e["id"], id.as_str());
    assert_eq!(e["title"], "Harbour walk");
    assert_eq!(e["body"], "Gulls everywhere.");
    assert_eq!(e["mood"], 4);
    assert_eq!(strs(&e, "feelings"), ["calm", "grateful"]);
    assert_eq!(
        strs(&e, "tags"),
        ["walk", "sea"],
        "a leading # is dropped and a repeated tag kept once"
    );
    assert_eq!(e["starred"], true);
    let text = j.ok(&["show", &id]).stdout;
    for part in [
        "Harbour walk",
        "mood 4/5",
        "calm, grateful",
        "#walk #sea",
        "starred",
        &id,
        "Gulls everywhere.",
    ] {
        assert!(text.contains(part), "show should print {part:?}:\n{text}");
    }
}

#[test]
fn write_at_takes_rfc3339_and_local_times() {
    let j = Journal::new();
    let a = j.write(&["--at", "2021-03-05T21:40:00+01:00", "rfc"]);
    let b = j.write(&["--at", "2021-03-05 21:40", "local"]);
    let c = j.write(&["--at", "2021-03-05", "date only"]);
    let d = j.write(&["--at", "2021-03-05T21:40:07.250Z", "millis"]);
    assert_eq!(j.show(&a)["created_at"], "2021-03-05T20:40:00Z");
    assert_eq!(j.show(&b)["created_at"], "2021-03-05T21:40:00Z");
    assert_eq!(j.show(&c)["created_at"], "2021-03-05T00:00:00Z");
    assert_eq!(
        time(&j.show(&d)["created_at"]),
        time(&json!("2021-03-05T21:40:07.250Z"))
    );
    // updated_at is when it was written, not the backdate.
    assert!(time(&j.show(&a)["updated_at"]) > time(&j.show(&a)["created_at"]));
    // The list shows the local time.
    let line = j.ok(&["list", "--limit", "1"]).stdout;
    assert!(line.contains("2021-03-05 21:40"), "{line}");
}

#[test]
fn write_at_local_time_follows_the_time_zone() {
    let j = Journal::new();
    let out = j
        .cmd(&["write", "--at", "2021-03-05 09:00", "in tokyo"])
        .env("TZ", "Asia/Tokyo")
        .run()
        .ok();
    let id = id_of(&out);
    assert_eq!(j.show(&id)["created_at"], "2021-03-05T00:00:00Z");
    let shown = j
        .cmd(&["show", &id])
        .env("TZ", "Asia/Tokyo")
        .run()
        .ok()
        .stdout;
    assert!(
        shown.contains("2021-03-05 09:00"),
        "show prints local time: {shown}"
    );
}

#[test]
fn an_empty_entry_is_refused() {
    let j = Journal::new();
    j.fails(&["write"]).says(&["empty"]);
    j.cmd(&["write"])
        .stdin("  \n\n\t\n")
        .run()
        .fails()
        .says(&["empty"]);
    j.fails(&["write", "--title", "   ", "  "]).says(&["empty"]);
    assert!(j.list(&[]).is_empty(), "nothing may be written");
    // A title alone is an entry.
    let id = j.write(&["--title", "Only a title"]);
    assert_eq!(j.show(&id)["body"], "");
}

#[test]
fn a_title_is_one_line() {
    let j = Journal::new();
    j.fails(&["write", "--title", "two\nlines", "body"])
        .says(&["title"]);
    assert!(j.list(&[]).is_empty());
}

// ---------------------------------------------------------------- list

#[test]
fn list_is_newest_first_by_creation_time() {
    let j = Journal::new();
    let now = j.write(&["--title", "written now", "x"]);
    let old = j.write(&["--title", "backdated 2019", "--at", "2019-06-01 08:00", "x"]);
    let mid = j.write(&["--title", "backdated 2022", "--at", "2022-01-01 08:00", "x"]);
    let oldest = j.write(&[
        "--title",
        "backdated 2001",
        "--at",
        "2001-01-01T00:00:00Z",
        "x",
    ]);
    assert_eq!(
        j.ids(&[]),
        vec![now.clone(), mid.clone(), old.clone(), oldest.clone()]
    );
    let text = j.ok(&["list"]).stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for (line, id) in lines.iter().zip([&now, &mid, &old, &oldest]) {
        assert!(
            line.starts_with(&id[..8]),
            "list lines start with the short id: {line}"
        );
    }
    assert!(
        lines[2].contains("2019-06-01 08:00") && lines[2].contains("backdated 2019"),
        "{text}"
    );
}

#[test]
fn list_json_has_exactly_the_entry_fields() {
    let j = Journal::new();
    j.write(&[
        "--title",
        "with mood",
        "--mood",
        "1",
        "--feeling",
        "tired",
        "--tag",
        "t",
        "body",
    ]);
    j.write(&["no mood"]);
    j.write(&["--mood", "5", "--star", "top"]);
    let entries = j.list(&[]);
    assert_eq!(entries.len(), 3);
    let want: std::collections::BTreeSet<String> =
        ENTRY_KEYS.iter().map(|k| k.to_string()).collect();
    for e in &entries {
        assert_eq!(keys(e), want, "{e}");
        assert!(is_id(e["id"].as_str().unwrap()), "{e}");
        assert!(e["title"].is_string() && e["body"].is_string(), "{e}");
        match &e["mood"] {
            Value::Null => {}
            Value::Number(n) => assert!((1..=5).contains(&n.as_u64().unwrap()), "{e}"),
            other => panic!("mood should be null or a number, got {other}"),
        }
        assert!(
            e["feelings"].is_array() && e["tags"].is_array() && e["starred"].is_boolean(),
            "{e}"
        );
        let created = time(&e["created_at"]);
        let updated = time(&e["updated_at"]);
        assert!(updated >= created, "{e}");
    }
    // Printed with a trailing newline, as one JSON document.
    assert!(j.ok(&["list", "--json"]).stdout.ends_with("]\n"));
}

#[test]
fn list_limit_tag_and_mood() {
    let j = Journal::new();
    let a = j.write(&[
        "--at",
        "2024-01-01 10:00",
        "--tag",
        "Work",
        "--mood",
        "2",
        "a",
    ]);
    let b = j.write(&[
        "--at",
        "2024-01-02 10:00",
        "--tag",
        "home",
        "--mood",
        "4",
        "b",
    ]);
    let c = j.write(&[
        "--at",
        "2024-01-03 10:00",
        "--tag",
        "work",
        "--tag",
        "home",
        "--mood",
        "4",
        "c",
    ]);
    let d = j.write(&["--at", "2024-01-04 10:00", "d"]);
    assert_eq!(j.ids(&["--limit", "2"]), vec![d.clone(), c.clone()]);
    assert_eq!(j.ids(&["--limit", "0"]), Vec::<String>::new());
    assert_eq!(
        j.ids(&["--tag", "work"]),
        vec![c.clone(), a.clone()],
        "tags match ignoring case"
    );
    assert_eq!(j.ids(&["--tag", "home"]), vec![c.clone(), b.clone()]);
    assert_eq!(j.ids(&["--mood", "4"]), vec![c.clone(), b.clone()]);
    assert_eq!(j.ids(&["--mood", "4", "--tag", "work"]), vec![c.clone()]);
    assert_eq!(j.ids(&["--mood", "4", "--limit", "1"]), vec![c]);
    assert_eq!(
        j.ok(&["list", "--tag", "nothing"]).stdout.trim(),
        "No entries."
    );
}

#[test]
fn list_from_and_to() {
    let j = Journal::new();
    let before = j.write(&["--at", "2024-03-09 23:59", "day before"]);
    let start = j.write(&["--at", "2024-03-10 00:00", "start of day"]);
    let noon = j.write(&["--at", "2024-03-10 12:00", "noon"]);
    let late = j.write(&["--at", "2024-03-10T23:59:59.999Z", "end of day"]);
    let next = j.write(&["--at", "2024-03-11 00:00", "next day"]);
    assert_eq!(
        j.ids(&["--from", "2024-03-10"]),
        vec![next.clone(), late.clone(), noon.clone(), start.clone()]
    );
    assert_eq!(
        j.ids(&["--to", "2024-03-10"]),
        vec![late.clone(), noon.clone(), start.clone(), before.clone()],
        "a bare --to date includes that whole day"
    );
    assert_eq!(
        j.ids(&["--from", "2024-03-10", "--to", "2024-03-10"]),
        vec![late.clone(), noon.clone(), start.clone()],
        "--from and --to the same day is that day"
    );
    assert_eq!(
        j.ids(&[
            "--from",
            "2024-03-10 06:00",
            "--to",
            "2024-03-10T10:00:00-03:00"
        ]),
        vec![noon]
    );
    assert_eq!(j.ids(&["--from", "2024-03-11"]), vec![next]);
    assert_eq!(j.ids(&["--to", "2024-03-09"]), vec![before]);
    j.fails(&["list", "--from", "2024-03-12", "--to", "2024-03-10"])
        .says(&["--from", "before"]);
    j.fails(&["list", "--from", "last tuesday"])
        .says(&["not a date"]);
}

/// Bug: the help says `--to` is "on or before DATE", but a time given to
/// `--to` excludes an entry at exactly that time.
#[test]
fn list_to_with_a_time_includes_that_moment() {
    let j = Journal::new();
    let at = j.write(&["--at", "2024-03-10 21:40", "exactly then"]);
    j.write(&["--at", "2024-03-10 21:41", "a minute later"]);
    assert_eq!(
        j.ids(&["--to", "2024-03-10 21:40"]),
        vec![at.clone()],
        "--to is on or before"
    );
    assert_eq!(j.ids(&["--to", "2024-03-10T21:40:00Z"]), vec![at]);
}

// ---------------------------------------------------------------- show

#[test]
fn show_by_id_and_by_prefix() {
    let j = Journal::new();
    let id = j.write(&["--title", "Prefix me", "--mood", "3", "the body"]);
    let full = j.show(&id);
    assert_eq!(j.show(&id[..4]), full);
    assert_eq!(j.show(&id[..8]), full);
    assert_eq!(
        j.show(&id.to_uppercase()),
        full,
        "ids are not case-sensitive"
    );
    assert_eq!(j.list(&[])[0], full, "show --json and list --json agree");
    let text = j.ok(&["show", &id[..6]]).stdout;
    assert!(text.starts_with("Prefix me\n"), "{text}");
    assert!(
        text.contains(&format!("id {id}")) && text.contains("\nthe body"),
        "{text}"
    );
    j.fails(&["show", &id[..3]]).says(&["at least 4"]);
    j.fails(&["show", "not-hex!"]).says(&["not an entry id"]);
}

/// Import enough entries with random ids that two share a 4-digit prefix
/// (bounded), then use that prefix.
#[test]
fn an_ambiguous_prefix_is_refused() {
    let j = Journal::new();
    let mut prefix = None;
    for batch in 0..5 {
        let entries: Vec<Value> = (0..1000)
            .map(|i| {
                json!({"title": format!("b{batch} e{i}"), "body": "x", "date": "2020-02-02",
                       "time": "10:00", "tags": [], "starred": false})
            })
            .collect();
        let file = j.path(&format!("batch{batch}.json"));
        std::fs::write(&file, json!({"tags": {}, "entries": entries}).to_string()).unwrap();
        j.ok(&["import", "--format", "jrnl-json", file.to_str().unwrap()]);
        let mut seen = std::collections::HashSet::new();
        prefix = j
            .ids(&[])
            .into_iter()
            .map(|id| id[..4].to_string())
            .find(|p| !seen.insert(p.clone()));
        if prefix.is_some() {
            break;
        }
    }
    let prefix = prefix.expect("5000 random ids share a 4-digit prefix");
    let count = j
        .ids(&[])
        .iter()
        .filter(|id| id.starts_with(&prefix))
        .count();
    let before = j.list(&[]);
    j.fails(&["show", &prefix])
        .says(&[&prefix, &format!("matches {count} entries"), "more"]);
    j.fails(&["edit", &prefix, "--title", "which one?"])
        .says(&["matches"]);
    j.fails(&["delete", &prefix]).says(&["matches"]);
    assert_eq!(j.list(&[]), before, "an ambiguous id changes nothing");
}

// ---------------------------------------------------------------- edit

#[test]
fn edit_changes_each_field_it_is_given() {
    let j = Journal::new();
    let id = j.write(&[
        "--title",
        "Before",
        "--mood",
        "2",
        "--feeling",
        "tense",
        "--tag",
        "a",
        "--tag",
        "b",
        "--at",
        "2023-01-01 09:00",
        "original body",
    ]);
    let e0 = j.show(&id);

    let out = j.ok(&["edit", &id[..8], "--title", "After"]);
    assert_eq!(out.stdout.trim(), format!("Saved {}.", &id[..8]));
    let e = j.show(&id);
    assert_eq!(e["title"], "After");
    assert_eq!(
        e["body"], "original body",
        "edit with options and no stdin keeps the body"
    );
    assert_eq!(e["mood"], 2);

    j.ok(&["edit", &id, "--mood", "5"]);
    assert_eq!(j.show(&id)["mood"], 5);
    j.ok(&["edit", &id, "--no-mood"]);
    assert_eq!(j.show(&id)["mood"], Value::Null);

    j.ok(&["edit", &id, "--feeling", "relieved", "--feeling", "happy"]);
    assert_eq!(
        strs(&j.show(&id), "feelings"),
        ["relieved", "happy"],
        "feelings are replaced"
    );

    j.ok(&["edit", &id, "--tag", "c", "--remove-tag", "A"]);
    assert_eq!(
        strs(&j.show(&id), "tags"),
        ["b", "c"],
        "tags are added and removed (ignoring case)"
    );
    j.ok(&["edit", &id, "--remove-tag", "b", "--remove-tag", "c"]);
    assert_eq!(strs(&j.show(&id), "tags"), Vec::<String>::new());

    j.ok(&["edit", &id, "--star"]);
    assert_eq!(j.show(&id)["starred"], true);
    j.ok(&["edit", &id, "--unstar"]);
    assert_eq!(j.show(&id)["starred"], false);

    j.ok(&["edit", &id, "--body", "a new body"]);
    assert_eq!(j.show(&id)["body"], "a new body");

    let e = j.show(&id);
    assert_eq!(
        e["created_at"], e0["created_at"],
        "created_at stays unless --at"
    );
    j.ok(&["edit", &id, "--at", "2020-02-29 12:30"]);
    assert_eq!(j.show(&id)["created_at"], "2020-02-29T12:30:00Z");
    assert_eq!(j.list(&[]).len(), 1);
}

#[test]
fn edit_reads_the_body_from_stdin() {
    let j = Journal::new();
    let id = j.write(&["--title", "T", "old body"]);
    j.cmd(&["edit", &id])
        .stdin("replaced from a pipe\n")
        .run()
        .ok();
    let e = j.show(&id);
    assert_eq!(e["body"], "replaced from a pipe");
    assert_eq!(e["title"], "T");
    // Options and a piped body together.
    j.cmd(&["edit", &id, "--title", "T2", "--mood", "3"])
        .stdin("both at once")
        .run()
        .ok();
    let e = j.show(&id);
    assert_eq!(
        (e["title"].as_str(), e["body"].as_str(), e["mood"].as_u64()),
        (Some("T2"), Some("both at once"), Some(3))
    );
}

#[test]
fn edit_moves_updated_at_but_not_created_at() {
    let j = Journal::new();
    let id = j.write(&["first"]);
    let e0 = j.show(&id);
    std::thread::sleep(std::time::Duration::from_millis(5));
    j.ok(&["edit", &id, "--body", "second"]);
    let e1 = j.show(&id);
    assert_eq!(e1["created_at"], e0["created_at"]);
    assert!(
        time(&e1["updated_at"]) > time(&e0["updated_at"]),
        "{e0}\n{e1}"
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    j.ok(&["edit", &id, "--at", "2010-10-10T10:10:10Z"]);
    let e2 = j.show(&id);
    assert_eq!(e2["created_at"], "2010-10-10T10:10:10Z");
    assert!(time(&e2["updated_at"]) > time(&e1["updated_at"]));
}

#[test]
fn edit_refuses_bad_input_and_keeps_the_entry() {
    let j = Journal::new();
    let id = j.write(&["--title", "Stable", "--mood", "3", "body"]);
    let before = j.show(&id);
    j.fails(&["edit", &id, "--mood", "0"])
        .says(&["mood 0", "1", "5"]);
    j.fails(&["edit", &id, "--tag", "semi;colon"])
        .says(&["tag"]);
    j.fails(&["edit", &id, "--title", "a\nb"]).says(&["title"]);
    j.fails(&["edit", &id, "--at", "soon"])
        .says(&["not a date"]);
    let clash = j.run(&["edit", &id, "--mood", "2", "--no-mood"]);
    assert_eq!(
        clash.code,
        Some(2),
        "clap refuses --mood with --no-mood: {clash:#?}"
    );
    assert_eq!(j.show(&id), before);
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_removes_the_entry_from_every_view() {
    let j = Journal::new();
    let keep = j.write(&[
        "--title",
        "Keep",
        "--mood",
        "3",
        "--feeling",
        "steady",
        "lantern kept",
    ]);
    let gone = j.write(&[
        "--title",
        "Gone",
        "--mood",
        "1",
        "--feeling",
        "doomed",
        "lantern gone",
    ]);
    let out = j.ok(&["delete", &gone[..6]]);
    assert_eq!(
        out.stdout.trim(),
        format!("Moved {} to the trash.", &gone[..8])
    );
    assert_eq!(j.ids(&[]), vec![keep.clone()]);
    assert!(!j.ok(&["list"]).stdout.contains("Gone"));
    let hits = j.ok(&["search", "lantern", "--json"]).json();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["id"], keep.as_str());
    j.fails(&["show", &gone]).says(&["no entry"]);
    j.fails(&["edit", &gone, "--title", "back?"])
        .says(&["no entry"]);
    j.fails(&["delete", &gone]).says(&["no entry"]);
    let mood = j.ok(&["mood", "--json"]).json();
    assert!(
        !mood.to_string().contains("doomed"),
        "a deleted entry's feelings leave the report: {mood}"
    );
    let export = j.path("after-delete.json");
    j.ok(&["export", "--format", "hearth", export.to_str().unwrap()]);
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(!text.contains(&gone) && text.contains(&keep));
}
