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

/// The date of each record, as local wall-clock time.
fn dates(records: &[Record]) -> Vec<chrono::DateTime<chrono::Utc>> {
    records.iter().map(|r| r.created_at).collect()
}

fn titles(records: &[Record]) -> Vec<&str> {
    records.iter().map(|r| r.title.as_str()).collect()
}

/// jrnl 4.x's default `timeformat` (`%F %r`), as jrnl writes it; bracketed
/// body lines jrnl does not read as headers stay in the body.
#[test]
fn reads_jrnls_default_format() {
    let rs = read(Format::Jrnl, &fixture("jrnl_formats/default.txt"))
        .unwrap()
        .records;
    assert_eq!(
        titles(&rs),
        [
            "Coffee with Ana at the harbour.",
            "Starred evening entry",
            "Midnight.",
            "Half past noon"
        ]
    );
    assert_eq!(
        dates(&rs),
        [
            local("2021-03-04 08:05:00"),
            local("2021-03-05 21:40:00"),
            local("2021-03-06 00:00:00"),
            local("2021-03-06 12:30:00"),
        ]
    );
    assert_eq!(
        rs[0].body,
        "We talked about @work and the move.\n[1] A footnote, body text.\n[x] done, body text too."
    );
    assert_eq!(rs[0].tags, vec!["work"]);
    assert!(rs[1].starred);
    assert!(!rs[0].starred && !rs[2].starred);
    assert_eq!(rs[1].body, "[Note to self] a bracketed note is body text.");
}

/// `%Y-%m-%d %H:%M`, what jrnl uses when `timeformat` is not set (and its
/// own test journals).
#[test]
fn reads_jrnls_short_format() {
    let rs = read(Format::Jrnl, &fixture("jrnl_formats/short.txt"))
        .unwrap()
        .records;
    assert_eq!(titles(&rs), ["My first entry.", "Life is good."]);
    assert_eq!(
        dates(&rs),
        [local("2013-06-09 15:39:00"), local("2013-06-10 15:40:00")]
    );
    assert_eq!(rs[1].body, "But I'm better.");
}

/// Headers written with other `timeformat` settings get the date jrnl gives
/// them (checked against jrnl 4.6).
#[test]
fn reads_custom_time_formats() {
    let rs = read(Format::Jrnl, &fixture("jrnl_formats/custom.txt"))
        .unwrap()
        .records;
    assert_eq!(rs.len(), 6);
    assert_eq!(
        dates(&rs),
        [
            local("2021-03-05 21:40:00"),
            local("2021-03-06 21:40:00"),
            local("2021-03-07 07:05:09"),
            local("2021-03-25 15:39:00"),
            local("2021-03-26 08:00:00"),
            local("2021-03-27 18:30:00"),
        ]
    );
    assert_eq!(rs[0].title, "timeformat %d %B %Y %H:%M");
    assert_eq!(rs[0].body, "body one");
}

/// Headers whose date only jrnl's lenient reader understands are entries of
/// their own, with jrnl's date; the issue's `[2019-07 14:23]` (a date
/// missing its day) among them.
#[test]
fn lenient_headers_are_entries_with_jrnls_date() {
    let rs = read(Format::Jrnl, &fixture("jrnl_lenient/journal.txt"))
        .unwrap()
        .records;
    assert_eq!(
        titles(&rs),
        [
            "The first entry",
            "Missing its day",
            "Also missing its day",
            "Month name, no time",
            "Slashes and a twelve-hour clock",
            "Month and year only",
            "Date only",
            "Spelled out",
            "Day, month name, year",
        ]
    );
    assert_eq!(
        dates(&rs),
        [
            local("2019-07-18 14:23:00"),
            local("2019-07-01 14:23:00"),
            local("2021-03-01 08:00:00"),
            local("2021-03-05 00:00:00"),
            local("2021-03-05 20:05:00"),
            local("2021-03-01 00:00:00"),
            local("2021-03-05 00:00:00"),
            local("2021-03-05 20:05:00"),
            local("2021-03-05 10:00:00"),
        ]
    );
    assert_eq!(rs[0].body, "Time machines are possible.");
    assert_eq!(rs[1].body, "jrnl dates this July 1st.");
    assert!(rs[3].starred);
    assert_eq!(rs[3].tags, vec!["travel"]);
    // A bracket closed on the next line, not a date: text, as in jrnl.
    assert_eq!(
        rs[4].body,
        "[a bracket that opens here\nand closes on the next line] is text, as in jrnl."
    );
    // Indented, escaped, or not followed by a space: text. (Hearth's own
    // `\[` escape is removed.)
    assert_eq!(
        rs[8].body,
        "[2021-03-05 10:00] indented, so body text\n[2021-03-05 10:00] escaped, so body text\n[2021-03-05 10:00](link) not followed by a space, so body text"
    );
}

fn refusal(name: &str) -> (String, String) {
    match read(Format::Jrnl, &fixture(&format!("jrnl_refused/{name}"))).unwrap_err() {
        InterchangeError::Malformed {
            location, message, ..
        } => (location, message),
        other => panic!("{name}: {other:?}"),
    }
}

/// A header jrnl reads but whose date Hearth cannot give as jrnl would is
/// refused with its line number and what to write instead; never merged
/// into the entry before.
#[test]
fn headers_hearth_cannot_date_are_refused_with_their_line() {
    for (name, line, shown, why) in [
        ("no_year.txt", 4, "`[Mar 5 08:00]`", "no year"),
        ("no_date.txt", 3, "`[08:05 PM]`", "no date"),
        ("day_or_month.txt", 3, "`[05/03/2021 10:00]`", "May 3, 2021"),
        ("short_year.txt", 3, "`[05/03/21 10:00]`", "two-digit year"),
        ("time_zone.txt", 3, "`[2021-03-05T08:00:00Z]`", "time zone"),
        ("relative.txt", 3, "`[yesterday]`", "day the file is read"),
        ("guess.txt", 4, "`[March meeting]`", "may be read by jrnl"),
        ("not_real.txt", 3, "`[2021-02-30 10:00]`", "not a real date"),
        ("across_lines.txt", 2, "on line 4", "may be read by jrnl"),
    ] {
        let (location, message) = refusal(name);
        assert_eq!(location, format!("line {line}"), "{name}: {message}");
        assert!(message.contains(shown), "{name}: {message}");
        assert!(message.contains(why), "{name}: {message}");
        assert!(message.contains("[YYYY-MM-DD HH:MM]"), "{name}: {message}");
    }
    let (_, message) = refusal("day_or_month.txt");
    assert!(message.contains("March 5, 2021"), "{message}");
}

/// Body lines jrnl would read as headers are written so that neither jrnl
/// nor Hearth does, and come back as they were.
#[test]
fn body_lines_jrnl_would_read_as_headers_survive_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.txt");
    let body =
        "[March meeting] notes\n[2021-03 08:00] x\n[unclosed\n[1] footnote\n\\[2021-03-05] kept";
    let records = vec![rec("Title", body, &[], false, "2021-06-05T21:40:07Z")];
    write(Format::Jrnl, &path, &records).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\n\\[March meeting] notes\n\\[2021-03 08:00] x\n\\[unclosed\n[1] footnote\n\\\\[2021-03-05] kept\n"),
        "{text}"
    );
    let back = read(Format::Jrnl, &path).unwrap().records;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].body, body);
}
