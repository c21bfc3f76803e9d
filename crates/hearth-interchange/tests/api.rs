#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::utc;
use hearth_interchange::{Format, InterchangeError, Record, lost_on_write, write};

fn rec(mood: Option<u8>) -> Record {
    Record {
        id: None,
        title: "t".into(),
        body: "b".into(),
        mood,
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
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>().unwrap(), f);
        assert_eq!(f.to_string(), f.name());
    }
    assert_eq!("JRNL_JSON".parse::<Format>().unwrap(), Format::JrnlJson);
    assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
    let err = "docx".parse::<Format>().unwrap_err();
    assert!(
        err.to_string()
            .contains("hearth, markdown, jrnl, jrnl-json, dayone")
    );
    assert!(!Format::DayOne.can_write());
    assert!(Format::Jrnl.can_write());
}

#[test]
fn a_bad_record_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        Format::Hearth,
        Format::Markdown,
        Format::Jrnl,
        Format::JrnlJson,
    ] {
        let path = dir.path().join(f.name());
        let err = write(f, &path, &[rec(Some(3)), rec(Some(9))]).unwrap_err();
        match err {
            InterchangeError::InvalidRecord { entry, message } => {
                assert_eq!(entry, 2);
                assert!(message.contains("mood is 9"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!path.exists(), "{f}");
    }
}

#[test]
fn an_empty_existing_file_may_be_written() {
    let file = tempfile::NamedTempFile::new().unwrap();
    write(Format::Hearth, file.path(), &[rec(None)]).unwrap();
    assert!(std::fs::metadata(file.path()).unwrap().len() > 0);
    // And now it is not empty, so a second export is refused.
    let err = write(Format::Hearth, file.path(), &[rec(None)]).unwrap_err();
    assert!(matches!(err, InterchangeError::Io { .. }), "{err:?}");
}

#[test]
fn lossless_formats_lose_nothing() {
    let r = rec(Some(2));
    assert!(lost_on_write(Format::Hearth, std::slice::from_ref(&r)).is_empty());
    assert!(lost_on_write(Format::Markdown, std::slice::from_ref(&r)).is_empty());
    let json = lost_on_write(Format::JrnlJson, &[r]);
    assert_eq!(json.len(), 1);
    assert_eq!(json[0].what, "mood");
}
