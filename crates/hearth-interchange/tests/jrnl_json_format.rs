#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, local, utc};
use hearth_interchange::{Format, InterchangeError, Record, read, write};

#[test]
fn reads_a_jrnl_export() {
    let p = read(Format::JrnlJson, &fixture("jrnl_json/export.json")).unwrap();
    assert!(p.dropped.is_empty());
    let rs = &p.records;
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[0].title, "Coffee with Ana at the harbour.");
    assert_eq!(rs[0].body, "We talked about @work and the move.");
    assert_eq!(rs[0].tags, vec!["work"]);
    assert_eq!(rs[0].created_at, local("2021-03-04 08:05:00"));
    assert_eq!(rs[1].title, "Café 😀");
    assert_eq!(rs[1].body, "Home again @home @work\n\nSecond paragraph.");
    assert_eq!(rs[1].tags, vec!["home", "work"]);
    assert!(rs[1].starred);
    assert_eq!(rs[2].body, "");
}

#[test]
fn bad_entry_is_named() {
    let err = read(Format::JrnlJson, &fixture("jrnl_json/bad_entry.json")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "entry 2");
            assert!(
                message.contains("`time`") && message.contains("HH:MM"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn writes_what_jrnl_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    let at = local("2021-03-05 21:40:00");
    let r = Record {
        id: Some("x".into()),
        title: "Café".into(),
        body: "Body".into(),
        mood: Some(2),
        feelings: vec!["tired".into()],
        tags: vec!["work".into()],
        starred: true,
        created_at: at,
        updated_at: utc("2022-01-01T00:00:00Z"),
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    };
    write(Format::JrnlJson, &path, &[r]).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "{\n  \"tags\": {\n    \"@work\": 1\n  },\n  \"entries\": [\n    {\n      \"title\": \"Caf\\u00e9\",\n      \"body\": \"Body\",\n      \"date\": \"2021-03-05\",\n      \"time\": \"21:40\",\n      \"tags\": [\n        \"@work\"\n      ],\n      \"starred\": true\n    }\n  ]\n}"
    );
    let back = read(Format::JrnlJson, &path).unwrap().records;
    assert_eq!(back[0].title, "Café");
    assert_eq!(back[0].created_at, at);
    assert_eq!(back[0].updated_at, at);
    assert_eq!(back[0].tags, vec!["work"]);
    assert!(back[0].starred);
}
