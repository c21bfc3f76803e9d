//! import and export in every format, duplicates, and malformed files.

use crate::support::*;
use serde_json::{Value, json};
use std::io::Write as _;
use std::path::{Path, PathBuf};

const FORMATS: [&str; 4] = ["hearth", "markdown", "jrnl", "jrnl-json"];

/// Entries that exercise every field, for the lossless formats.
fn rich_entries(j: &Journal) {
    j.write(&[
        "--title",
        "Tricky: title — ünïcode \"quoted\"",
        "--mood",
        "5",
        "--feeling",
        "calm",
        "--feeling",
        "Grateful",
        "--tag",
        "work/log",
        "--tag",
        "x_y",
        "--tag",
        "día",
        "--star",
        "--at",
        "2021-03-05T21:40:00.123+01:00",
        "line one\n\n---\n\nafter a rule  \n  indented\n\n[2021-01-01 10:00] looks like jrnl",
    ]);
    j.write(&["# a heading, no title\nmore text"]);
    j.write(&["--title", "only a title"]);
    j.write(&[
        "--title",
        "Colon: and 'quotes'",
        "--mood",
        "1",
        "--tag",
        "a",
        "body with: yaml-ish: bits\n- a list",
    ]);
    j.write(&[
        "--at",
        "1999-12-31 23:59",
        "--title",
        "Old",
        "before the millennium",
    ]);
}

/// Entries every format can hold exactly apart from ids, mood, feelings,
/// updated_at and sub-minute times.
fn plain_entries(j: &Journal) {
    j.write(&[
        "--title",
        "Rain",
        "--tag",
        "weather",
        "--at",
        "2022-04-01 08:15",
        "It rained all morning.",
    ]);
    j.write(&[
        "--title",
        "Market",
        "--star",
        "--at",
        "2022-04-02 17:45",
        "Bought plums.\n\nThen went home.",
    ]);
    j.write(&[
        "--title",
        "Ünïcode day",
        "--tag",
        "misc",
        "--tag",
        "food",
        "--at",
        "2022-04-03 12:00",
        "Crème brûlée.",
    ]);
}

fn export(j: &Journal, format: &str, name: &str) -> PathBuf {
    let path = j.path(name);
    let out = j.ok(&["export", "--format", format, path.to_str().unwrap()]);
    let n = j.list(&[]).len();
    let noun = if n == 1 { "entry" } else { "entries" };
    assert_eq!(
        out.stdout.lines().next().unwrap_or_default(),
        format!("Exported {n} {noun} to {}.", path.display())
    );
    path
}

fn import(j: &Journal, format: &str, path: &Path) -> crate::support::Run {
    j.ok(&["import", "--format", format, path.to_str().unwrap()])
}

/// The first line of an import's output: "Imported N …; skipped M …".
fn summary(out: &crate::support::Run) -> (usize, usize) {
    let line = out.stdout.lines().next().unwrap_or_default().to_string();
    let num = |after: &str| -> usize {
        let rest = line
            .split(after)
            .nth(1)
            .unwrap_or_else(|| panic!("no {after:?} in {line:?}"));
        rest.split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("a count after {after:?}: {line:?}"))
    };
    assert!(line.ends_with("already in the journal."), "{line:?}");
    (num("Imported "), num("skipped "))
}

fn without(e: &Value, fields: &[&str]) -> Value {
    let mut e = e.clone();
    for f in fields {
        e.as_object_mut().unwrap().remove(*f);
    }
    e
}

// ---------------------------------------------------------------- round trips

#[test]
fn hearth_backup_restores_every_field_and_id() {
    let j = Journal::new();
    rich_entries(&j);
    let file = export(&j, "hearth", "backup.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "hearth");
    assert_eq!(doc["version"], 1);
    let other = Journal::new();
    let out = import(&other, "hearth", &file);
    assert_eq!(
        out.stdout.lines().next().unwrap_or_default(),
        "Imported 5 entries; skipped 0 duplicates already in the journal."
    );
    assert_eq!(
        other.list(&[]),
        j.list(&[]),
        "field for field, ids included"
    );
}

#[test]
fn markdown_export_restores_every_field_and_id() {
    let j = Journal::new();
    rich_entries(&j);
    let dir = export(&j, "markdown", "md");
    assert_eq!(files_under(&dir).len(), 5, "one file per entry");
    assert!(
        files_under(&dir)
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "md"))
    );
    let other = Journal::new();
    assert_eq!(summary(&import(&other, "markdown", &dir)), (5, 0));
    assert_eq!(
        other.list(&[]),
        j.list(&[]),
        "field for field, ids included"
    );
}

#[test]
fn jrnl_export_keeps_text_tags_stars_and_times() {
    for format in ["jrnl", "jrnl-json"] {
        let j = Journal::new();
        plain_entries(&j);
        let file = export(&j, format, &format!("out.{format}"));
        let other = Journal::new();
        assert_eq!(summary(&import(&other, format, &file)), (3, 0), "{format}");
        let want = j.list(&[]);
        let got = other.list(&[]);
        assert_eq!(got.len(), 3);
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(
                without(g, &["id", "updated_at"]),
                without(w, &["id", "updated_at"]),
                "{format}: title, body, tags, star and time survive"
            );
            assert_ne!(
                g["id"], w["id"],
                "{format} has no ids, so new ones are made"
            );
        }
    }
}

#[test]
fn jrnl_formats_drop_what_they_cannot_hold() {
    for format in ["jrnl", "jrnl-json"] {
        let j = Journal::new();
        j.write(&[
            "--title",
            "Feelings",
            "--mood",
            "4",
            "--feeling",
            "calm",
            "--at",
            "2022-01-01 10:00",
            "body",
        ]);
        let file = export(&j, format, &format!("lossy.{format}"));
        let other = Journal::new();
        import(&other, format, &file);
        let e = &other.list(&[])[0];
        assert_eq!(
            (e["title"].as_str(), e["body"].as_str()),
            (Some("Feelings"), Some("body")),
            "{format}"
        );
        assert_eq!(e["mood"], Value::Null, "{format} holds no mood");
        assert_eq!(
            strs(e, "feelings"),
            Vec::<String>::new(),
            "{format} holds no feelings"
        );
    }
}

#[test]
fn export_writes_the_files_people_expect() {
    let j = Journal::new();
    plain_entries(&j);
    let jrnl = std::fs::read_to_string(export(&j, "jrnl", "journal.txt")).unwrap();
    assert!(
        jrnl.starts_with("[2022-04-01 08:15:00 AM] Rain\nIt rained all morning.\n@weather\n"),
        "{jrnl}"
    );
    assert!(
        jrnl.contains("[2022-04-02 05:45:00 PM] Market *\n"),
        "{jrnl}"
    );
    let jj: Value =
        serde_json::from_str(&std::fs::read_to_string(export(&j, "jrnl-json", "j.json")).unwrap())
            .unwrap();
    assert_eq!(jj["entries"][0]["date"], "2022-04-01");
    assert_eq!(jj["entries"][0]["time"], "08:15");
    assert_eq!(jj["entries"][0]["tags"], json!(["@weather"]));
    assert_eq!(jj["tags"]["@misc"], 1);
    let md = export(&j, "markdown", "notes");
    let files = files_under(&md);
    let first = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        first.starts_with("---\n")
            && first.contains("title: Rain")
            && first.contains("It rained all morning."),
        "{first}"
    );
}

#[test]
fn export_never_overwrites() {
    let j = Journal::new();
    j.write(&["one"]);
    let file = j.path("taken.json");
    std::fs::write(&file, "precious").unwrap();
    for format in ["hearth", "jrnl", "jrnl-json"] {
        j.fails(&["export", "--format", format, file.to_str().unwrap()])
            .says(&["already exists"]);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    }
    let dir = j.path("full");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("keep.md"), "mine").unwrap();
    j.fails(&["export", "--format", "markdown", dir.to_str().unwrap()])
        .says(&["not empty"]);
    assert_eq!(files_under(&dir), vec![dir.join("keep.md")]);
    j.fails(&["export", "--format", "dayone", j.arg("d.json").as_str()])
        .says(&["Day One"]);
    assert!(!j.path("d.json").exists());
}

#[test]
fn an_empty_journal_exports_and_imports_nothing() {
    let j = Journal::new();
    let file = j.path("empty.json");
    let out = j.ok(&["export", "--format", "hearth", file.to_str().unwrap()]);
    assert!(out.stdout.starts_with("Exported 0 entries"), "{out:#?}");
    let other = Journal::new();
    assert_eq!(
        import(&other, "hearth", &file).stdout.trim(),
        "Imported 0 entries; skipped 0 duplicates already in the journal."
    );
}

// ---------------------------------------------------------------- duplicates

#[test]
fn importing_the_same_file_twice_adds_nothing() {
    for format in FORMATS {
        let j = Journal::new();
        plain_entries(&j);
        let file = export(&j, format, &format!("twice.{format}"));
        let other = Journal::new();
        assert_eq!(summary(&import(&other, format, &file)), (3, 0), "{format}");
        let once = other.list(&[]);
        let out = import(&other, format, &file);
        assert_eq!(
            out.stdout.lines().next().unwrap(),
            "Imported 0 entries; skipped 3 duplicates already in the journal.",
            "{format}"
        );
        assert_eq!(
            other.list(&[]),
            once,
            "{format}: a second import adds nothing"
        );
        // Its own export is already in the journal it came from.
        assert_eq!(
            summary(&import(&j, format, &file)),
            (0, 3),
            "{format} into the source journal"
        );
    }
}

#[test]
fn import_counts_are_singular_and_plural() {
    let j = Journal::new();
    j.write(&["--at", "2022-02-02 10:00", "just one"]);
    let file = export(&j, "hearth", "one.json");
    let other = Journal::new();
    assert_eq!(
        import(&other, "hearth", &file)
            .stdout
            .lines()
            .next()
            .unwrap_or_default(),
        "Imported 1 entry; skipped 0 duplicates already in the journal."
    );
    assert_eq!(
        import(&other, "hearth", &file).stdout.trim(),
        "Imported 0 entries; skipped 1 duplicate already in the journal."
    );
}

/// Bug: after an entry is deleted, importing a backup that holds it reports
/// it as "already in the journal" and does not bring it back, so a backup
/// cannot restore a deleted entry.
#[test]
fn importing_a_backup_restores_a_deleted_entry() {
    let j = Journal::new();
    let id = j.write(&["--title", "Precious", "keep me"]);
    j.write(&["another"]);
    let file = export(&j, "hearth", "before-delete.json");
    j.ok(&["delete", &id]);
    assert_eq!(j.list(&[]).len(), 1);
    let out = import(&j, "hearth", &file);
    assert_eq!(
        j.ids(&[]).iter().filter(|i| **i == id).count(),
        1,
        "the backup brings the entry back; import said:\n{}",
        out.stdout
    );
}

// ---------------------------------------------------------------- Day One

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures")
        .join(name)
}

pub(crate) fn zip(path: &Path, files: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        if name.ends_with('/') {
            w.add_directory(*name, opts).unwrap();
        } else {
            w.start_file(*name, opts).unwrap();
            w.write_all(bytes).unwrap();
        }
    }
    w.finish().unwrap();
}

fn check_small_dayone(j: &Journal) {
    let entries = j.list(&[]);
    assert_eq!(entries.len(), 3, "{entries:#?}");
    let m = titled(&entries, "Morning at the harbour");
    let body = m["body"].as_str().unwrap();
    assert!(
        body.starts_with("Fishing boats came in early. The gulls were loud!"),
        "escapes removed: {body:?}"
    );
    assert!(body.ends_with("Coffee after, by the water."), "{body:?}");
    assert!(
        !body.contains("dayone-moment"),
        "media references removed: {body:?}"
    );
    assert_eq!(strs(m, "tags"), ["travel", "harbour"]);
    assert_eq!(m["starred"], true);
    assert_eq!(m["created_at"], "2023-05-01T07:15:00Z");
    assert_eq!(m["updated_at"], "2023-05-01T08:02:30Z");
    let e = titled(&entries, "Evening notes");
    assert_eq!(e["body"], "A quiet day of reading (mostly).");
    assert_eq!(
        e["updated_at"], e["created_at"],
        "no modifiedDate: the creation date"
    );
    assert_eq!(e["starred"], false);
    let r = titled(&entries, "Rich only entry");
    assert_eq!(r["body"], "Written without a markdown text field");
    assert_eq!(r["created_at"], "2023-05-03T12:00:00Z");
    // Newest first.
    assert_eq!(entries[0]["title"], "Rich only entry");
}

#[test]
fn dayone_json_imports_with_a_summary_of_what_was_dropped() {
    let j = Journal::new();
    let out = import(&j, "dayone", &fixture("dayone-small.json"));
    assert_eq!(summary(&out), (3, 0));
    for dropped in [
        "Dropped photos not in the export from 1 entry",
        "places (1)",
        "weather (1)",
        "time zones (2)",
    ] {
        assert!(
            out.stdout.contains(dropped),
            "summary should say {dropped:?}:\n{}",
            out.stdout
        );
    }
    check_small_dayone(&j);
    assert_eq!(
        summary(&import(&j, "dayone", &fixture("dayone-small.json"))),
        (0, 3),
        "importing again adds nothing"
    );
    assert_eq!(j.list(&[]).len(), 3);
    let hit = j.ok(&["search", "gulls", "--json"]).json();
    assert_eq!(hit[0]["title"], "Morning at the harbour");
}

#[test]
fn dayone_zip_imports_like_its_json() {
    let j = Journal::new();
    let json = std::fs::read(fixture("dayone-small.json")).unwrap();
    let file = j.path("export.zip");
    zip(
        &file,
        &[
            ("Journal.json", &json),
            ("photos/", b""),
            (
                "photos/0f1e2d3c4b5a69788796a5b4c3d2e1f0.jpeg",
                b"\xff\xd8\xff not really a jpeg",
            ),
            ("__MACOSX/._Journal.json", b"resource fork junk"),
        ],
    );
    assert_eq!(summary(&import(&j, "dayone", &file)), (3, 0));
    check_small_dayone(&j);
}

#[test]
fn dayone_zip_with_two_journals_puts_them_together() {
    let j = Journal::new();
    let json = std::fs::read(fixture("dayone-small.json")).unwrap();
    let second = json!({
        "metadata": {"version": "1.0"},
        "entries": [{"uuid": "AA", "creationDate": "2024-01-01T10:00:00Z", "text": "Work log\nShipped it.", "tags": ["work"]}]
    })
    .to_string();
    let file = j.path("two.zip");
    zip(
        &file,
        &[("Journal.json", &json), ("Work.json", second.as_bytes())],
    );
    let out = import(&j, "dayone", &file);
    assert_eq!(summary(&out), (4, 0));
    assert!(
        out.stdout.contains("Journal") && out.stdout.contains("Work"),
        "the journals are named:\n{}",
        out.stdout
    );
    assert_eq!(strs(titled(&j.list(&[]), "Work log"), "tags"), ["work"]);
}

/// Bug: Day One tags are often several words ("Day One" in Day One's own
/// sample export); one such tag makes the whole import fail.
#[test]
fn dayone_tags_with_spaces_do_not_stop_the_import() {
    let j = Journal::new();
    let file = j.path("spaces.json");
    let doc = json!({
        "metadata": {"version": "1.0"},
        "entries": [
            {"uuid": "A1", "creationDate": "2024-02-01T10:00:00Z", "text": "Board games\nWe played.", "tags": ["Board Games", "friends"]},
            {"uuid": "A2", "creationDate": "2024-02-02T10:00:00Z", "text": "Plain\nNo tags."}
        ]
    });
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = j.run(&["import", "--format", "dayone", file.to_str().unwrap()]);
    assert_eq!(
        out.code,
        Some(0),
        "the import should succeed:\n{}",
        out.stderr
    );
    let entries = j.list(&[]);
    assert_eq!(entries.len(), 2);
    let tags = strs(titled(&entries, "Board games"), "tags");
    let squash = |t: &str| {
        t.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    assert!(
        tags.iter().any(|t| squash(t) == "boardgames"),
        "the tag is kept in some form: {tags:?}"
    );
    assert!(tags.iter().any(|t| t == "friends"), "{tags:?}");
}

fn real_dayone_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dayone")
}

fn real_dayone_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(real_dayone_dir())
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn real_dayone_exports_import() {
    let files = real_dayone_files();
    if files.is_empty() {
        eprintln!(
            "no Day One samples at {}; skipped",
            real_dayone_dir().display()
        );
        return;
    }
    let mut failures = Vec::new();
    for f in &files {
        let j = Journal::new();
        let out = j.run(&["import", "--format", "dayone", f.to_str().unwrap()]);
        if out.code != Some(0) {
            failures.push(format!("{}: {}", f.display(), out.stderr.trim()));
            continue;
        }
        let (imported, _) = summary(&out);
        let listed = j.list(&[]).len();
        if imported == 0 || listed != imported {
            failures.push(format!(
                "{}: imported {imported}, listed {listed}",
                f.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "Day One samples that did not import:\n{}",
        failures.join("\n")
    );
}

#[test]
fn real_dayone_exports_in_one_zip() {
    let files = real_dayone_files();
    let pick: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy();
            n.contains("Dev_Journal") || n.contains("bsingr")
        })
        .collect();
    if pick.len() != 2 {
        eprintln!("Day One samples not found; skipped");
        return;
    }
    let j = Journal::new();
    let mut counts = 0;
    for f in &pick {
        let single = Journal::new();
        counts += summary(&import(&single, "dayone", f)).0;
    }
    let a = std::fs::read(pick[0]).unwrap();
    let b = std::fs::read(pick[1]).unwrap();
    let file = j.path("real.zip");
    zip(
        &file,
        &[
            ("Dev Journal.json", &a),
            ("photos/", b""),
            ("demo.json", &b),
        ],
    );
    let out = import(&j, "dayone", &file);
    assert_eq!(summary(&out).0, counts, "{}", out.stdout);
    assert_eq!(j.list(&[]).len(), counts);
}

// ---------------------------------------------------------------- malformed files

/// Import `content` (written to `name`) and check it is refused whole: exit
/// status 1, the message names `place`, the journal unchanged.
fn refused(format: &str, name: &str, content: &str, place: &[&str]) {
    let j = Journal::new();
    j.write(&[
        "--title",
        "Existing",
        "--at",
        "2020-01-01 10:00",
        "already here",
    ]);
    let before = j.list(&[]);
    let files_before = j.snapshot();
    let file = j.path(name);
    std::fs::write(&file, content).unwrap();
    let out = j.fails(&["import", "--format", format, file.to_str().unwrap()]);
    let mut parts = vec![name];
    parts.extend_from_slice(place);
    out.says(&parts);
    assert_eq!(
        j.list(&[]),
        before,
        "a refused {format} import leaves the journal as it was"
    );
    assert_eq!(j.snapshot(), files_before, "and the vault file untouched");
}

fn backup_with(second: Value) -> String {
    json!({"format": "hearth", "version": 1, "entries": [
        backup_entry(None, "fine", "a good entry", "2021-01-01T10:00:00Z"),
        second,
    ]})
    .to_string()
}

#[test]
fn malformed_hearth_files_are_refused_whole() {
    refused(
        "hearth",
        "broken.json",
        "{\"format\": \"hearth\", \"version\": 1, \"entries\": [ {,] }",
        &["line 1", "JSON"],
    );
    let mut nine = backup_entry(None, "nine", "mood nine", "2021-01-02T10:00:00Z");
    nine["mood"] = json!(9);
    refused(
        "hearth",
        "mood9.json",
        &backup_with(nine),
        &["entry 2", "mood", "9"],
    );
    let mut bad_date = backup_entry(None, "when?", "x", "2021-01-02T10:00:00Z");
    bad_date["created_at"] = json!("yesterday");
    refused(
        "hearth",
        "date.json",
        &backup_with(bad_date),
        &["entry 2", "created_at"],
    );
    let bad_id = backup_entry(Some("not-an-id"), "id", "x", "2021-01-02T10:00:00Z");
    refused(
        "hearth",
        "id.json",
        &backup_with(bad_id),
        &["entry 2", "not an entry id"],
    );
    let mut bad_tag = backup_entry(None, "tag", "x", "2021-01-02T10:00:00Z");
    bad_tag["feelings"] = json!(["semi;colon"]);
    refused(
        "hearth",
        "feeling.json",
        &backup_with(bad_tag),
        &["entry 2", "feeling"],
    );
    refused(
        "hearth",
        "v3.json",
        r#"{"format":"hearth","version":3,"entries":[]}"#,
        &["version 3", "update Hearth"],
    );
    refused(
        "hearth",
        "jrnl.json",
        r#"{"tags":{},"entries":[]}"#,
        &["not a Hearth backup"],
    );
}

#[test]
fn malformed_jrnl_files_are_refused_whole() {
    refused(
        "jrnl",
        "bad-date.txt",
        "[2021-03-05 09:40] Good\nbody\n\n[2021-13-45 10:00] Bad month\nbody\n",
        &["line 4", "2021-13-45"],
    );
    refused(
        "jrnl",
        "preamble.txt",
        "stray text first\n\n[2021-03-05 09:40] Title\nbody\n",
        &["line 1"],
    );
    refused(
        "jrnl-json",
        "no-date.json",
        r#"{"tags":{},"entries":[{"title":"a","body":"b","date":"2021-01-01","time":"10:00","tags":[],"starred":false},{"title":"c","body":"d","time":"10:00","tags":[],"starred":false}]}"#,
        &["entry 2", "date"],
    );
    refused("jrnl-json", "bad.json", "{\"entries\": [", &["JSON"]);
}

#[test]
fn malformed_dayone_and_markdown_are_refused_whole() {
    refused(
        "dayone",
        "Journal.json",
        r#"{"metadata":{},"entries":[{"creationDate":"2021-01-01T10:00:00Z","text":"ok"},{"text":"no date"}]}"#,
        &["entry 2", "creationDate"],
    );
    refused("dayone", "notes.json", "not json at all", &["JSON"]);
    // A markdown folder with one bad file among good ones.
    let j = Journal::new();
    let before = j.list(&[]);
    let dir = j.path("mdbad");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("2021-01-01.md"), "---\ntitle: good\n---\nfine\n").unwrap();
    std::fs::write(
        dir.join("2021-01-02.md"),
        "---\ntitle: bad\nmood: 9\n---\nnot fine\n",
    )
    .unwrap();
    j.fails(&["import", "--format", "markdown", dir.to_str().unwrap()])
        .says(&["2021-01-02.md", "mood"]);
    assert_eq!(j.list(&[]), before);
}

#[test]
fn a_missing_import_file_is_named() {
    let j = Journal::new();
    let path = j.arg("nowhere.json");
    for format in ["hearth", "markdown", "jrnl", "jrnl-json", "dayone"] {
        j.fails(&["import", "--format", format, &path])
            .says(&["nowhere.json"]);
    }
    let bad = j.run(&["import", "--format", "evernote", &path]);
    assert_eq!(bad.code, Some(2), "clap lists the formats: {bad:#?}");
    assert!(
        bad.stderr.contains("jrnl-json") && bad.stderr.contains("dayone"),
        "{bad:#?}"
    );
}
