//! Properties of the journal over a real SQLite file: whatever sequence of
//! writes, edits and deletes happens, reopening the vault gives the same
//! entries, and the views agree with the op log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{Entry, EntryDraft, EntryPatch, Journal, KdfParams, ListFilter, Vault};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::path::Path;

fn cheap() -> KdfParams {
    KdfParams::new(8 * 1024, 1, 1).unwrap()
}

fn reopen(home: &Path) -> Journal {
    Vault::unlock(home, b"pw").unwrap().0
}

fn all(j: &Journal) -> Vec<Entry> {
    j.list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .cloned()
        .collect()
}

#[derive(Debug, Clone)]
enum Step {
    Write {
        title: String,
        body: String,
        mood: Option<u8>,
        tags: Vec<String>,
        at: Option<i64>,
    },
    Edit {
        pick: usize,
        title: Option<String>,
        body: Option<String>,
        mood: Option<Option<u8>>,
        tag: Option<String>,
        star: Option<bool>,
    },
    Trash {
        pick: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let word = "[a-z]{1,6}";
    prop_oneof![
        3 => ("[A-Za-z ]{0,12}", "\\PC{0,40}", proptest::option::of(1u8..=5),
              proptest::collection::vec(word, 0..3), proptest::option::of(0i64..2_000_000_000))
            .prop_map(|(title, body, mood, tags, at)| Step::Write { title, body, mood, tags, at }),
        3 => (any::<usize>(), proptest::option::of("[A-Za-z ]{0,12}"), proptest::option::of("\\PC{0,40}"),
              proptest::option::of(proptest::option::of(1u8..=5)), proptest::option::of(word), proptest::option::of(any::<bool>()))
            .prop_map(|(pick, title, body, mood, tag, star)| Step::Edit { pick, title, body, mood, tag, star }),
        1 => any::<usize>().prop_map(|pick| Step::Trash { pick }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_history_survives_reopen(steps in proptest::collection::vec(step(), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("h");
        let mut j = Vault::create(&home, b"pw", cheap()).unwrap();
        for s in steps {
            let ids: Vec<String> = all(&j).iter().map(|e| e.id.to_string()).collect();
            match s {
                Step::Write { title, body, mood, tags, at } => {
                    let created_at = at.map(|s| Utc.timestamp_opt(s, 0).unwrap());
                    j.write(EntryDraft { title, body, mood, tags, created_at, ..Default::default() }).unwrap();
                }
                Step::Edit { pick, title, body, mood, tag, star } if !ids.is_empty() => {
                    let patch = EntryPatch { title, body, mood, add_tags: tag.into_iter().collect(), starred: star, ..Default::default() };
                    j.edit(&ids[pick % ids.len()], &patch).unwrap();
                }
                Step::Trash { pick } if !ids.is_empty() => {
                    j.trash(&ids[pick % ids.len()]).unwrap();
                }
                _ => {}
            }
        }
        let before = all(&j);
        drop(j);
        let j = reopen(&home);
        prop_assert_eq!(&all(&j), &before);
        for e in &before {
            let from_log = j.load_fields(&e.id.to_string()).unwrap();
            prop_assert_eq!(&from_log, &e.to_fields());
        }
        prop_assert!(j.damaged().is_empty());
    }
}

#[test]
fn wrong_passphrase_and_passphrase_change() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("h");
    let mut j = Vault::create(&home, b"pw", cheap()).unwrap();
    let e = j
        .write(EntryDraft {
            body: "kept".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(matches!(
        Vault::unlock(&home, b"nope"),
        Err(crate::CoreError::WrongPassphrase)
    ));
    j.change_passphrase(b"new", None).unwrap();
    drop(j);
    assert!(matches!(
        Vault::unlock(&home, b"pw"),
        Err(crate::CoreError::WrongPassphrase)
    ));
    let j = Vault::unlock(&home, b"new").unwrap().0;
    assert_eq!(j.get(&e.id.to_string()).unwrap().body, "kept");
}

#[test]
fn create_refuses_existing_vault() {
    let dir = tempfile::tempdir().unwrap();
    Vault::create(dir.path(), b"pw", cheap()).unwrap();
    assert!(matches!(
        Vault::create(dir.path(), b"pw", cheap()),
        Err(crate::CoreError::VaultExists(_))
    ));
}

#[test]
fn edits_are_single_ops_and_noop_edits_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
    let e = j
        .write(EntryDraft {
            body: "one".into(),
            ..Default::default()
        })
        .unwrap();
    let id = e.id.to_string();
    j.edit(
        &id,
        &EntryPatch {
            body: Some("two".into()),
            ..Default::default()
        },
    )
    .unwrap();
    j.edit(
        &id,
        &EntryPatch {
            body: Some("two".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // The device's certificate, then one op per real edit.
    assert_eq!(j.store.read().op_count().unwrap(), 3);
}

/// Two journals open on one vault (the desktop app and `hearth` in a
/// terminal): an edit in one is the base of the next edit in the other,
/// though each keeps the document it edited last loaded.
#[test]
fn an_edit_elsewhere_is_not_lost_by_a_kept_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Vault::create(dir.path(), b"pw", cheap()).unwrap();
    let id = a
        .write(EntryDraft {
            title: "Morning".into(),
            body: "Rain.".into(),
            ..Default::default()
        })
        .unwrap()
        .id
        .to_string();
    let body = |text: &str| EntryPatch {
        body: Some(text.into()),
        ..Default::default()
    };
    a.edit(&id, &body("Rain, then sun.")).unwrap();
    let mut b = reopen(dir.path());
    b.edit(
        &id,
        &EntryPatch {
            title: Some("Morning walk".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let after = a.edit(&id, &body("Rain, then sun, then rain.")).unwrap();
    assert_eq!(after.title, "Morning walk");
    assert_eq!(after.body, "Rain, then sun, then rain.");
    let again = reopen(dir.path());
    assert_eq!(again.get(&id).unwrap(), &after);
    assert_eq!(again.load_fields(&id).unwrap().title, "Morning walk");
    assert_eq!(again.history(&id).unwrap().len(), 4);
}

#[test]
fn search_follows_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
    let e = j
        .write(EntryDraft {
            body: "walking by the river".into(),
            ..Default::default()
        })
        .unwrap();
    let f = ListFilter::default();
    assert_eq!(j.search("river", &f).unwrap().len(), 1);
    j.edit(
        &e.id.to_string(),
        &EntryPatch {
            body: Some("a quiet lake".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(j.search("river", &f).unwrap().is_empty());
    assert_eq!(j.search("lake", &f).unwrap().len(), 1);
    j.write(EntryDraft {
        body: "another lake".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(j.search("lake", &f).unwrap().len(), 2);
    j.trash(&e.id.to_string()).unwrap();
    assert_eq!(j.search("lake", &f).unwrap().len(), 1);
}

#[test]
fn trash_and_untrash() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
    let e = j
        .write(EntryDraft {
            body: "keep me".into(),
            ..Default::default()
        })
        .unwrap();
    let id = e.id.to_string();
    j.trash(&id).unwrap();
    assert!(all(&j).is_empty());
    assert_eq!(j.trashed().len(), 1);
    assert!(j.get(&id).is_err());
    j.untrash(&id[..8]).unwrap();
    assert_eq!(all(&j).len(), 1);
    assert!(j.trashed().is_empty());
    assert!(j.untrash(&id).is_err());
}

#[test]
fn sealed_search_index_is_reused_and_kept_current() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let mut j = Vault::create(home, b"pw", cheap()).unwrap();
    let a = j
        .write(EntryDraft {
            body: "the lighthouse at dusk".into(),
            ..Default::default()
        })
        .unwrap();
    let f = ListFilter::default();
    assert_eq!(j.search("lighthouse", &f).unwrap().len(), 1);
    assert!(j.store.cache("search-index").unwrap().is_some());
    drop(j);
    // Changes made after the image was stored show up in the next search.
    let mut j = reopen(home);
    j.write(EntryDraft {
        body: "another lighthouse".into(),
        ..Default::default()
    })
    .unwrap();
    j.trash(&a.id.to_string()).unwrap();
    drop(j);
    let mut j = reopen(home);
    let hits = j.search("lighthouse", &f).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].entry.body, "another lighthouse");
    // A damaged image is rebuilt from the views.
    let (pos, mut sealed) = j.store.cache("search-index").unwrap().unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    j.store.put_cache("search-index", &pos, &sealed).unwrap();
    drop(j);
    let mut j = reopen(home);
    assert_eq!(j.search("lighthouse", &f).unwrap().len(), 1);
    let raw = std::fs::read(home.join("vault.db")).unwrap();
    assert!(!raw.windows(10).any(|w| w == b"lighthouse"));
}

#[test]
fn history_lists_diffs_and_restores_every_version() {
    use crate::history::DiffPart;
    let dir = tempfile::tempdir().unwrap();
    let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
    let e = j
        .write(EntryDraft {
            title: "Day".into(),
            body: "one".into(),
            mood: Some(2),
            ..Default::default()
        })
        .unwrap();
    let id = e.id.to_string();
    let bodies = [
        "one two",
        "one two three",
        "two three",
        "two three four",
        "five",
    ];
    for (i, b) in bodies.iter().enumerate() {
        let patch = EntryPatch {
            body: Some((*b).into()),
            mood: Some(Some(i as u8 + 1)),
            ..Default::default()
        };
        j.edit(&id, &patch).unwrap();
    }
    let h = j.history(&id).unwrap();
    assert_eq!(h.len(), 6);
    assert_eq!(h[0].summary, "created");
    assert!(h[1].summary.contains("body +1 words"), "{}", h[1].summary);
    assert!(h[3].summary.contains("body -1 words"), "{}", h[3].summary);
    assert!(h.windows(2).all(|w| w[0].at <= w[1].at));
    let added = |d: &[DiffPart], w: &str| {
        d.iter()
            .any(|p| matches!(p, DiffPart::Added(a) if a.trim() == w))
    };
    let removed = |d: &[DiffPart], w: &str| {
        d.iter()
            .any(|p| matches!(p, DiffPart::Removed(r) if r.trim() == w))
    };
    let diff = j.version_diff(&id, 3).unwrap();
    assert!(added(&diff, "three") && !removed(&diff, "one"), "{diff:?}");
    let diff = j.version_diff(&id, 4).unwrap();
    assert!(removed(&diff, "one") && !added(&diff, "three"), "{diff:?}");
    assert!(j.version_diff(&id, 7).is_err());
    assert!(j.version_diff(&id, 0).is_err());
    for n in 1..=6 {
        let restored = j.restore_version(&id, n).unwrap();
        assert_eq!(restored.body, h[n - 1].fields.body);
        assert_eq!(restored.mood, h[n - 1].fields.mood);
    }
    let after = j.history(&id).unwrap();
    assert_eq!(after.len(), 6 + 6, "each restore is a new version");
    j.restore_version(&id, 12).unwrap();
    assert_eq!(
        j.history(&id).unwrap().len(),
        12,
        "restoring the current version changes nothing"
    );
    assert_eq!(after.last().unwrap().fields.body, "five");
}

#[test]
fn one_shot_search_opens_only_what_it_needs_and_stays_current() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let mut j = Vault::create(home, b"pw", cheap()).unwrap();
    j.write(EntryDraft {
        body: "a kite over the dunes".into(),
        ..Default::default()
    })
    .unwrap();
    let other = j
        .write(EntryDraft {
            body: "no match here".into(),
            ..Default::default()
        })
        .unwrap();
    drop(j);
    let f = ListFilter::default();
    // No stored image yet: built from all views, then stored.
    let (hits, damaged) = Vault::search_once(home, b"pw", "kite", &f).unwrap();
    assert_eq!((hits.len(), damaged.len()), (1, 0));
    // Changes after the image are picked up without opening every view.
    let mut j = reopen(home);
    let e = j
        .write(EntryDraft {
            body: "a second kite".into(),
            ..Default::default()
        })
        .unwrap();
    j.edit(
        &other.id.to_string(),
        &EntryPatch {
            body: Some("kite too".into()),
            ..Default::default()
        },
    )
    .unwrap();
    drop(j);
    let (hits, _) = Vault::search_once(home, b"pw", "kite", &f).unwrap();
    assert_eq!(hits.len(), 3);
    assert!(
        hits.iter()
            .any(|h| h.entry.id == e.id && h.entry.body == "a second kite")
    );
    assert!(matches!(
        Vault::search_once(home, b"nope", "kite", &f),
        Err(crate::CoreError::WrongPassphrase)
    ));
}
