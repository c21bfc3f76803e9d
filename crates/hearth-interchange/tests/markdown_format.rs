#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, record, sorted, utc};
use hearth_interchange::{Format, InterchangeError, Record, read, write};
use proptest::prelude::*;

#[test]
fn reads_a_hand_made_folder() {
    let p = read(Format::Markdown, &fixture("markdown/notes")).unwrap();
    // Sorted by file name; README.txt and attachments/ are not read.
    assert_eq!(p.records.len(), 3);

    let walk = &p.records[0];
    assert_eq!(walk.title, "Walk by the sea");
    assert_eq!(
        walk.body,
        "Cold and bright. The heron was back.\n\n- gloves next time\n"
    );
    assert_eq!(walk.created_at, common::local("2021-03-05 00:00:00"));
    assert_eq!(walk.id, None);
    assert!(walk.tags.is_empty());

    let exported = &p.records[1];
    assert_eq!(exported.id.as_deref(), Some("01HQ7Z3K9V2C4XJ5R8T6W1Y0AD"));
    assert_eq!(exported.title, "Hearth: exported");
    assert_eq!(
        exported.body,
        "  Leading spaces kept.\n---\nA line of three dashes above is body, not front matter.\n"
    );
    assert_eq!(exported.mood, Some(5));
    assert_eq!(exported.feelings, vec!["hopeful"]);
    assert_eq!(exported.tags, vec!["plans"]);
    assert!(exported.starred);
    assert_eq!(exported.created_at, utc("2021-03-07T09:30:00Z"));
    assert_eq!(exported.updated_at, utc("2021-03-07T10:00:00.5Z"));

    let obsidian = &p.records[2];
    assert_eq!(obsidian.title, "obsidian-note");
    assert_eq!(obsidian.body, "Finished the chapter.\n");
    assert_eq!(obsidian.tags, vec!["evening", "reading"]);
    assert_eq!(obsidian.mood, Some(2));
    assert_eq!(obsidian.created_at, common::local("2021-03-06 18:30:00"));

    let what: Vec<&str> = p.dropped.iter().map(|d| d.what.as_str()).collect();
    assert!(what.contains(&"front matter `aliases`"), "{what:?}");
    assert!(what.contains(&"subfolders"), "{what:?}");
    assert!(what.contains(&"files that are not .md"), "{what:?}");
}

#[test]
fn mood_nine_names_the_file() {
    let err = read(Format::Markdown, &fixture("markdown/bad_mood")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "2021-03-05-too-happy.md");
            assert!(message.contains("mood"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

fn rec(title: &str, body: &str) -> Record {
    Record {
        id: None,
        title: title.into(),
        body: body.into(),
        mood: None,
        feelings: vec![],
        tags: vec![],
        starred: false,
        created_at: utc("2021-03-05T12:00:00Z"),
        updated_at: utc("2021-03-05T12:00:00Z"),
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    }
}

#[test]
fn writes_one_file_per_entry_with_unique_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let records = vec![rec("Same title", "a"), rec("Same title", "b"), rec("", "")];
    write(Format::Markdown, &out, &records).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3);
    for n in &names {
        assert!(n.ends_with(".md"), "{n}");
        assert!(n.is_ascii(), "{n}");
        let date = n.get(..15).unwrap();
        assert!(
            chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d-%H%M").is_ok(),
            "{n}"
        );
    }
    assert!(names.iter().any(|n| n.ends_with("-same-title.md")));
    assert!(names.iter().any(|n| n.ends_with("-same-title-2.md")));
    assert!(names.iter().any(|n| n.ends_with("-entry.md")));
    let text = std::fs::read_to_string(
        out.join(
            names
                .iter()
                .find(|n| n.ends_with("-same-title.md"))
                .unwrap(),
        ),
    )
    .unwrap();
    assert!(text.starts_with("---\ntitle: Same title\n"), "{text}");
    assert!(
        text.ends_with("---\na") || text.ends_with("---\nb"),
        "{text}"
    );
}

#[test]
fn refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.md"), "x").unwrap();
    let err = write(Format::Markdown, dir.path(), &[rec("t", "b")]).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn writes_into_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(Format::Markdown, dir.path(), &[rec("t", "b")]).unwrap();
    let back = read(Format::Markdown, dir.path()).unwrap();
    assert_eq!(back.records, vec![rec("t", "b")]);
}

#[test]
fn reads_a_single_file() {
    let p = read(
        Format::Markdown,
        &fixture("markdown/notes/2021-03-07-0930-hearth-export.md"),
    )
    .unwrap();
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.records[0].title, "Hearth: exported");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn markdown_round_trip_is_exact(records in proptest::collection::vec(record(), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("md");
        write(Format::Markdown, &out, &records).unwrap();
        let back = read(Format::Markdown, &out).unwrap();
        prop_assert!(back.dropped.is_empty(), "{:?}", back.dropped);
        prop_assert_eq!(sorted(back.records), sorted(records));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any text at all (control characters included) survives the YAML
    /// front matter and the body.
    #[test]
    fn markdown_any_text_round_trips(title in any::<String>(), feelings in proptest::collection::vec(any::<String>(), 0..3), id in any::<String>()) {
        let mut r = rec(&title, &title);
        r.feelings = feelings;
        r.id = Some(id);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("md");
        write(Format::Markdown, &out, &[r.clone()]).unwrap();
        let back = read(Format::Markdown, &out).unwrap();
        prop_assert_eq!(back.records, vec![r]);
    }
}
