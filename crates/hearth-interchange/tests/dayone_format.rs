#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, utc};
use hearth_interchange::{Dropped, Format, InterchangeError, Parsed, read, write};
use std::io::Write;
use std::path::Path;

fn dropped<'a>(p: &'a Parsed, what: &str) -> Option<&'a Dropped> {
    p.dropped.iter().find(|d| d.what == what)
}

#[test]
fn reads_a_journal_json() {
    let p = read(Format::DayOne, &fixture("dayone/Journal.json")).unwrap();
    let rs = &p.records;
    assert_eq!(rs.len(), 5);

    assert_eq!(rs[0].title, "Initial entry");
    assert_eq!(rs[0].body, "some text");
    assert_eq!(rs[0].tags, vec!["Board Games", "Day One"]);
    assert!(rs[0].starred);
    assert_eq!(rs[0].created_at, utc("2019-03-18T13:04:56Z"));
    assert_eq!(rs[0].updated_at, utc("2019-03-26T21:48:44Z"));
    assert_eq!(rs[0].id, None);

    assert_eq!(rs[1].title, "Notes from the Daily Commute");
    assert_eq!(
        rs[1].body,
        "Then the fourth cylinder fell--a brilliant green meteor--as I learned afterwards. Wow! (Really.)\n\nThe train was late  again.\n\n1\\. not a list\n\n\\# not a heading\n\n`a code\\. span` and \\*stars\\*"
    );
    assert_eq!(rs[1].tags, vec!["commute"]);

    // No text and no rich text: an empty entry, still dated.
    assert_eq!((rs[2].title.as_str(), rs[2].body.as_str()), ("", ""));
    assert_eq!(rs[2].created_at, utc("2011-03-26T21:44:20Z"));

    // No text: the rich text's plain text.
    assert_eq!(rs[3].title, "Only rich text");
    assert_eq!(rs[3].body, "It has no text field.");
    assert_eq!(rs[3].updated_at, rs[3].created_at);

    assert_eq!(rs[4].title, "Fourth Test Journal Entry");
    assert_eq!(
        rs[4].body,
        "This entry contains a PDF file.\n\nContent continues here after the PDF."
    );

    let count = |w: &str| dropped(&p, w).map(|d| d.entries);
    assert_eq!(count("photos"), Some(1));
    assert_eq!(count("videos"), Some(1));
    assert_eq!(count("PDFs"), Some(1));
    assert_eq!(count("media references in the text"), Some(3));
    assert_eq!(count("location"), Some(1));
    assert_eq!(count("weather"), Some(1));
    assert_eq!(count("rich text"), Some(1));
    assert_eq!(count("time zone"), Some(4));
    assert_eq!(count("pinned"), Some(1));
    assert_eq!(count("all-day flag"), Some(1));
    assert_eq!(count("editing time"), Some(1));
    assert_eq!(count("duration"), None, "zero durations are not news");
    for d in &p.dropped {
        assert!(!d.why.is_empty());
    }
}

#[test]
fn bad_entry_is_named() {
    let err = read(Format::DayOne, &fixture("dayone/bad_entry.json")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "entry 2");
            assert!(message.contains("creationDate"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

fn zip_of(path: &Path, files: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_zip_of_two_journals_imports_both() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let journal = std::fs::read(fixture("dayone/Journal.json")).unwrap();
    let travel = std::fs::read(fixture("dayone/Travel.json")).unwrap();
    zip_of(
        &zip_path,
        &[
            ("Journal.json", &journal),
            ("Travel.json", &travel),
            (
                "photos/5d41402abc4b2a76b9719d911017c592.jpeg",
                b"not really a jpeg",
            ),
            ("__MACOSX/._Journal.json", b"resource fork"),
        ],
    );
    let p = read(Format::DayOne, &zip_path).unwrap();
    assert_eq!(p.records.len(), 7);
    let hawaii = &p.records[5];
    assert_eq!(hawaii.title, "Hey. We're in Hawaii.");
    assert!(hawaii.body.contains("dayone2://view"));
    assert_eq!(hawaii.tags, vec!["Travel", "Island"]);
    assert!(hawaii.starred);
    assert_eq!(p.records[6].title, "Last day");
    assert_eq!(p.records[6].body, "Packed.");
    let journals = dropped(&p, "journal names").unwrap();
    assert!(
        journals.why.contains("Journal") && journals.why.contains("Travel"),
        "{}",
        journals.why
    );
    assert_eq!(
        dropped(&p, "links to other Day One entries").map(|d| d.entries),
        Some(1)
    );
}

#[test]
fn errors_in_a_zip_name_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let good = std::fs::read(fixture("dayone/Travel.json")).unwrap();
    let bad = std::fs::read(fixture("dayone/bad_entry.json")).unwrap();
    zip_of(&zip_path, &[("Travel.json", &good), ("Broken.json", &bad)]);
    let err = read(Format::DayOne, &zip_path).unwrap_err();
    match err {
        InterchangeError::Malformed { location, .. } => {
            assert_eq!(location, "Broken.json: entry 2")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_zip_without_journals_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    zip_of(&zip_path, &[("photos/a.jpeg", b"x")]);
    let err = read(Format::DayOne, &zip_path).unwrap_err();
    assert!(err.to_string().contains("no journal"), "{err}");
}

#[test]
fn writing_day_one_is_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let err = write(Format::DayOne, &dir.path().join("x.json"), &[]).unwrap_err();
    assert!(matches!(err, InterchangeError::Unsupported(_)));
    assert!(err.to_string().contains("cannot write"), "{err}");
}

/// The real exports in the shared fixtures, when they are there.
#[test]
fn reads_the_real_samples_when_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dayone");
    if !dir.is_dir() {
        eprintln!("skipped: {} is not there", dir.display());
        return;
    }
    let expected = [
        ("MarcDonald__obsidian-day-one-importer__Dev_Journal.json", 5),
        ("bsingr__dayone2-textbundle__demo.json", 4),
        ("ergebnis__day-one-to-obsidian-converter__Example.json", 54),
        ("pkamppur__dayone2-textbundle__demo.json", 5),
    ];
    for (name, n) in expected {
        let path = dir.join(name);
        let p = read(Format::DayOne, &path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.records.len(), n, "{name}");
        for r in &p.records {
            assert!(!r.body.contains("dayone-moment:"), "{name}: {}", r.body);
            assert!(!r.title.contains("dayone-moment:"), "{name}: {}", r.title);
        }
    }

    let p = read(Format::DayOne, &dir.join(expected[2].0)).unwrap();
    assert_eq!(p.records.iter().filter(|r| r.starred).count(), 7);
    assert!(
        p.records
            .iter()
            .any(|r| r.tags.contains(&"Board Games".to_string()))
    );
    let photos = dropped(&p, "photos").unwrap();
    assert_eq!(photos.entries, 42);
    assert!(dropped(&p, "weather").is_some());
    assert!(dropped(&p, "links to other Day One entries").is_some());
    let lady = p
        .records
        .iter()
        .find(|r| r.title == "Lady Liberty, New York City, NY");
    assert!(lady.is_some());

    let p = read(Format::DayOne, &dir.join(expected[0].0)).unwrap();
    assert_eq!(p.records[0].title, "Header 1");
    assert_eq!(
        p.records[0].tags,
        vec!["another-dev-testing-tag", "dev-testing-tag"]
    );
    assert!(p.records[0].starred);
    assert!(
        p.records[2]
            .body
            .starts_with("This-text-is-hyphenated\n(This text is in parentheses)")
    );
    for w in ["videos", "audio recordings", "location", "rich text"] {
        assert!(dropped(&p, w).is_some(), "{w}");
    }

    // bsingr: a JSON-level `\/` and a hand-broken richText fall back to text.
    let p = read(Format::DayOne, &dir.join(expected[1].0)).unwrap();
    assert_eq!(
        p.records[2].body,
        "double escape a/b dot. single escape slash/"
    );
    assert_eq!(p.records[3].title, "");

    // Two real journals in one zip.
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("export.zip");
    let a = std::fs::read(dir.join(expected[0].0)).unwrap();
    let b = std::fs::read(dir.join(expected[3].0)).unwrap();
    zip_of(&zip_path, &[("Dev Journal.json", &a), ("demo.json", &b)]);
    let p = read(Format::DayOne, &zip_path).unwrap();
    assert_eq!(p.records.len(), 10);
    assert!(dropped(&p, "PDFs").is_some());
}
