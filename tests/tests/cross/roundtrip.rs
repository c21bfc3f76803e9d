//! Export then import into a fresh vault gives the same entries: every field
//! for Hearth's own format and Markdown; what the format can hold for jrnl
//! and jrnl JSON.

use chrono::{DateTime, TimeZone, Timelike, Utc};
use hearth_core::{Entry, EntryDraft, Format, Journal, KdfParams, ListFilter, Vault};
use proptest::prelude::*;
use std::path::Path;

fn vault(dir: &Path, name: &str) -> Journal {
    Vault::create(
        &dir.join(name),
        b"pw",
        KdfParams::new(8 * 1024, 1, 1).unwrap(),
    )
    .unwrap()
}

fn all(j: &Journal) -> Vec<Entry> {
    j.list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .cloned()
        .collect()
}

#[derive(Debug, Clone)]
struct Draft {
    title: String,
    body: String,
    mood: Option<u8>,
    feelings: Vec<String>,
    tags: Vec<String>,
    starred: bool,
    at: DateTime<Utc>,
}

fn draft() -> impl Strategy<Value = Draft> {
    (
        "[A-Za-z][A-Za-z ,']{0,20}[.!?]",
        "[A-Za-z0-9 ,.'\n]{0,80}",
        proptest::option::of(1u8..=5),
        proptest::collection::vec("[a-z]{2,8}", 0..3),
        proptest::collection::vec("[a-z]{2,8}", 0..3),
        any::<bool>(),
        // 2000-01-01 .. 2033, whole seconds.
        946_684_800i64..2_000_000_000,
    )
        .prop_map(|(title, body, mood, feelings, tags, starred, secs)| Draft {
            title,
            body,
            mood,
            feelings,
            tags,
            starred,
            at: Utc.timestamp_opt(secs, 0).unwrap(),
        })
}

fn fill(j: &mut Journal, drafts: &[Draft]) {
    for d in drafts {
        j.write(EntryDraft {
            title: d.title.clone(),
            body: d.body.clone(),
            mood: d.mood,
            feelings: d.feelings.clone(),
            tags: d.tags.clone(),
            starred: d.starred,
            created_at: Some(d.at),
        })
        .unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn hearth_and_markdown_round_trips_are_lossless(drafts in proptest::collection::vec(draft(), 0..8)) {
        for (format, file) in [(Format::Hearth, "backup.json"), (Format::Markdown, "notes")] {
            let dir = tempfile::tempdir().unwrap();
            let mut a = vault(dir.path(), "a");
            fill(&mut a, &drafts);
            let path = dir.path().join(file);
            a.export(format, &path).unwrap();
            let mut b = vault(dir.path(), "b");
            let report = b.import(format, &path, |_, _| {}).unwrap();
            prop_assert_eq!(report.imported, drafts.len());
            prop_assert_eq!(all(&b), all(&a));
            // A second import adds nothing.
            let again = b.import(format, &path, |_, _| {}).unwrap();
            prop_assert_eq!(again.imported, 0);
            prop_assert_eq!(again.duplicates, drafts.len());
        }
    }

    #[test]
    fn jrnl_round_trips_keep_what_jrnl_holds(drafts in proptest::collection::vec(draft(), 1..6)) {
        for (format, file) in [(Format::Jrnl, "journal.txt"), (Format::JrnlJson, "journal.json")] {
            let dir = tempfile::tempdir().unwrap();
            let mut a = vault(dir.path(), "a");
            fill(&mut a, &drafts);
            let path = dir.path().join(file);
            a.export(format, &path).unwrap();
            let mut b = vault(dir.path(), "b");
            b.import(format, &path, |_, _| {}).unwrap();
            let (before, after) = (all(&a), all(&b));
            prop_assert_eq!(before.len(), after.len());
            for (x, y) in before.iter().zip(&after) {
                prop_assert_eq!(x.created_at.with_second(0), y.created_at.with_second(0));
                prop_assert_eq!(&x.title, &y.title);
                prop_assert_eq!(x.body.trim(), y.body.trim());
                prop_assert_eq!(x.starred, y.starred);
                let mut tx = x.tags.clone(); tx.sort();
                let mut ty = y.tags.clone(); ty.sort();
                prop_assert_eq!(tx, ty);
            }
        }
    }
}
