#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, local, utc};
use hearth_interchange::{Format, InterchangeError, Record, lost_on_write, read, write};

#[test]
fn reads_a_journal_like_jrnl_writes() {
    let p = read(Format::Jrnl, &fixture("jrnl/journal.txt")).unwrap();
    assert!(p.dropped.is_empty());
    let rs = &p.records;
    assert_eq!(rs.len(), 6);

    assert_eq!(rs[0].title, "Coffee with Ana at the harbour.");
    assert_eq!(
        rs[0].body,
        "We talked about @work and the move. She thinks\nwe should wait until spring.\n\nSecond paragraph, still the same entry."
    );
    assert_eq!(rs[0].tags, vec!["work"]);
    assert!(!rs[0].starred);
    assert_eq!(rs[0].created_at, local("2021-03-04 08:05:00"));
    assert_eq!(rs[0].updated_at, rs[0].created_at);
    assert_eq!(rs[0].id, None);
    assert_eq!(rs[0].mood, None);

    assert_eq!(rs[1].title, "First sentence is the title.");
    assert!(rs[1].starred);
    assert_eq!(
        rs[1].body,
        "Body after a starred title @Home.\n[1] A footnote, which is body text, not an entry."
    );
    assert_eq!(rs[1].tags, vec!["Home"]);
    assert_eq!(rs[1].created_at, local("2021-03-05 21:40:00"));

    assert_eq!(rs[2].title, "Short time format without seconds");
    assert_eq!(rs[2].tags, vec!["reading"]);
    assert_eq!(rs[2].created_at, local("2021-03-06 21:40:00"));

    assert_eq!(rs[3].title, "Twenty-four hour time with seconds");
    assert_eq!(rs[3].body, "");
    assert_eq!(rs[3].created_at, local("2021-03-07 07:05:09"));

    // The last line made only of tags is the tag line.
    assert_eq!(rs[4].body, "Only a little text.");
    assert_eq!(rs[4].tags, vec!["work", "gratitude"]);

    assert_eq!(rs[5].title, "Unicode: Ünïcödé 日本語 😀");
    assert_eq!(rs[5].body, "Ça va? Très bien. 日本。世界");
}

#[test]
fn bad_date_names_the_line() {
    let err = read(Format::Jrnl, &fixture("jrnl/bad_date.txt")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "line 6");
            assert!(message.contains("2021-13-45"), "{message}");
            assert!(message.contains("YYYY-MM-DD"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_before_the_first_entry_is_refused() {
    let err = read(Format::Jrnl, &fixture("jrnl/text_before_first_entry.txt")).unwrap_err();
    match err {
        InterchangeError::Malformed { location, .. } => assert_eq!(location, "line 1"),
        other => panic!("{other:?}"),
    }
}

fn rec(title: &str, body: &str, tags: &[&str], starred: bool, at: &str) -> Record {
    Record {
        id: Some("x".into()),
        title: title.into(),
        body: body.into(),
        mood: Some(3),
        feelings: vec!["calm".into()],
        tags: tags.iter().map(|t| t.to_string()).collect(),
        starred,
        created_at: utc(at),
        updated_at: utc(at),
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    }
}

#[test]
fn write_then_read_keeps_what_jrnl_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.txt");
    let records = vec![
        rec("Hello. World", "", &["solo"], true, "2021-06-05T21:40:07Z"),
        rec(
            "No final punctuation",
            "First line. Second!\n\n- item\n1. x",
            &["home", "Board Games"],
            false,
            "2021-06-04T08:05:00Z",
        ),
        rec(
            "Question?",
            "Body with @work inline.",
            &["work"],
            false,
            "2021-06-06T12:00:00Z",
        ),
    ];
    write(Format::Jrnl, &path, &records).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // jrnl's default time format, and the star after the title.
    assert!(
        text.contains(" AM] No final punctuation\n")
            || text.contains(" PM] No final punctuation\n"),
        "{text}"
    );
    assert!(text.contains("] Hello. World *\n@solo\n"), "{text}");
    assert!(text.contains("\n@home @Board_Games\n"), "{text}");

    let back = read(Format::Jrnl, &path).unwrap().records;
    assert_eq!(back.len(), 3);
    // Sorted by date, as jrnl keeps them.
    assert_eq!(back[0].title, "No final punctuation");
    assert_eq!(back[0].body, "First line. Second!\n\n- item\n1. x");
    assert_eq!(back[0].tags, vec!["home", "Board_Games"]);
    assert_eq!(back[1].title, "Hello. World");
    assert_eq!(back[1].body, "");
    assert!(back[1].starred);
    assert_eq!(back[1].tags, vec!["solo"]);
    assert_eq!(back[1].created_at, utc("2021-06-05T21:40:07Z"));
    assert_eq!(back[2].body, "Body with @work inline.");
    assert_eq!(back[2].tags, vec!["work"]);
    for r in &back {
        assert_eq!((r.id.as_ref(), r.mood), (None, None));
        assert!(r.feelings.is_empty());
    }
}

#[test]
fn what_jrnl_cannot_hold_is_listed() {
    let mut r = rec("t", "b", &["Board Games"], false, "2021-06-05T21:40:07.5Z");
    r.updated_at = utc("2021-06-06T00:00:00Z");
    let lost = lost_on_write(Format::Jrnl, &[r]);
    let what: Vec<&str> = lost.iter().map(|d| d.what.as_str()).collect();
    for w in [
        "ids",
        "mood",
        "feelings",
        "last-edited time",
        "fractions of a second",
        "tag spelling",
    ] {
        assert!(what.contains(&w), "{w} not in {what:?}");
    }
}

#[test]
fn refuses_to_overwrite_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.txt");
    std::fs::write(&path, "[2021-03-04 08:05:00 AM] Mine.\n").unwrap();
    let err = write(Format::Jrnl, &path, &[]).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[2021-03-04 08:05:00 AM] Mine.\n"
    );
}
