#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, record, utc};
use hearth_interchange::{Format, InterchangeError, read, write};
use proptest::prelude::*;

#[test]
fn reads_a_backup() {
    let p = read(Format::Hearth, &fixture("hearth/backup.json")).unwrap();
    assert_eq!(p.records.len(), 2);
    let r = &p.records[0];
    assert_eq!(r.id.as_deref(), Some("01HQ7Z3K9V2C4XJ5R8T6W1Y0AB"));
    assert_eq!(r.title, "Morning walk");
    assert_eq!(r.body, "Cold, bright.\n\n---\n\nSaw the heron again.");
    assert_eq!(r.mood, Some(4));
    assert_eq!(r.feelings, vec!["calm", "grateful"]);
    assert_eq!(r.tags, vec!["walk", "nature"]);
    assert!(r.starred);
    assert_eq!(r.created_at, utc("2024-01-15T07:30:00Z"));
    assert_eq!(r.updated_at, utc("2024-01-15T08:02:11.25Z"));
    assert_eq!(p.records[1].mood, None);
    assert!(p.dropped.is_empty());
}

#[test]
fn mood_nine_is_malformed_with_entry() {
    let err = read(Format::Hearth, &fixture("hearth/mood9.json")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "entry 2");
            assert!(
                message.contains("mood") && message.contains("1 to 5"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn newer_version_is_refused() {
    let err = read(Format::Hearth, &fixture("hearth/version3.json")).unwrap_err();
    let s = err.to_string();
    assert!(
        s.contains("version 3") && s.contains("update Hearth"),
        "{s}"
    );
}

#[test]
fn broken_json_names_the_line() {
    let err = read(Format::Hearth, &fixture("hearth/truncated.json")).unwrap_err();
    match err {
        InterchangeError::Malformed { location, .. } => {
            assert!(location.starts_with("line "), "{location}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_json_is_not_a_backup() {
    let err = read(Format::Hearth, &fixture("jrnl_json/export.json")).unwrap_err();
    assert!(err.to_string().contains("not a Hearth backup"), "{err}");
}

#[test]
fn missing_file_is_io() {
    let err = read(Format::Hearth, &fixture("hearth/nope.json")).unwrap_err();
    assert!(matches!(err, InterchangeError::Io { .. }), "{err:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn hearth_round_trip_is_exact(records in proptest::collection::vec(record(), 0..8)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.json");
        write(Format::Hearth, &path, &records).unwrap();
        let back = read(Format::Hearth, &path).unwrap();
        prop_assert_eq!(back.records, records);
        prop_assert!(back.dropped.is_empty());
    }
}
