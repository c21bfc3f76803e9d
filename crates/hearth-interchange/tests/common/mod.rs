//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use hearth_interchange::Record;
use proptest::prelude::*;
use std::path::PathBuf;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A wall-clock time in the machine's zone, as jrnl files hold them.
pub fn local(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    Local
        .from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// Text with the awkward parts: unicode, line breaks of both kinds, `---`
/// lines, tabs, leading and trailing spaces.
pub fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "\\PC{0,12}",
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("---\n".to_string()),
            Just("\n---\n".to_string()),
            Just("  ".to_string()),
            Just("\t".to_string()),
            Just("# heading\n".to_string()),
            Just("日本語 😀 é".to_string()),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

/// Tags as Hearth holds them: trimmed, no `@`/`#` prefix, no repeats.
pub fn tags() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[^@#\\s\\p{C}]([^\\p{C}]{0,10}[^\\s\\p{C}])?", 0..5).prop_map(|ts| {
        let mut out: Vec<String> = Vec::new();
        for t in ts {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    })
}

pub fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000_000)
        .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap())
}

/// Any record Hearth could hold.
pub fn record() -> impl Strategy<Value = Record> {
    (
        proptest::option::of("[A-Za-z0-9]{1,26}"),
        text(),
        text(),
        proptest::option::of(1u8..=5),
        proptest::collection::vec("\\PC{0,12}", 0..4),
        tags(),
        any::<bool>(),
        time(),
        time(),
    )
        .prop_map(
            |(id, title, body, mood, feelings, tags, starred, created_at, updated_at)| Record {
                id,
                title,
                body,
                mood,
                feelings,
                tags,
                starred,
                created_at,
                updated_at,
                attachments: Vec::new(),
                place: None,
                weather: None,
                time_zone: None,
            },
        )
}

/// Records in a stable order, for comparing sets of records.
pub fn sorted(mut rs: Vec<Record>) -> Vec<Record> {
    rs.sort_by(|a, b| {
        (a.created_at, &a.id, &a.title, &a.body).cmp(&(b.created_at, &b.id, &b.title, &b.body))
    });
    rs
}
