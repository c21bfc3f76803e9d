//! `hearth search`: relevance, query forms, snippets and filters.

use crate::support::*;
use serde_json::{Value, json};

fn hits(j: &Journal, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    match j.ok(&all).json() {
        Value::Array(a) => a,
        other => panic!("search --json should print an array, got {other}"),
    }
}

fn hit_ids(j: &Journal, args: &[&str]) -> Vec<String> {
    hits(j, args)
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn more_relevant_entries_rank_first() {
    let j = Journal::new();
    // The weak match is the newest, so neither date order nor write order
    // puts the strong match first.
    let strong = j.write(&[
        "--title",
        "Lighthouse keeper",
        "--at",
        "2020-01-01 10:00",
        "The lighthouse beam swept the bay. Another lighthouse answered; a third lighthouse, far out.",
    ]);
    let weak = j.write(&[
        "We walked along the cliffs for hours, past the fields and farms and the old chapel, \
         saw a lighthouse once, then turned back home for supper and an early night.",
    ]);
    j.write(&["--title", "Unrelated", "Bread, cheese and apples."]);
    assert_eq!(
        hit_ids(&j, &["lighthouse"]),
        vec![strong.clone(), weak.clone()]
    );
    let text = j.ok(&["search", "lighthouse"]).stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "each hit is its line and its snippet:\n{text}"
    );
    assert!(
        lines[0].starts_with(&strong[..8]) && lines[2].starts_with(&weak[..8]),
        "{text}"
    );
}

#[test]
fn search_json_adds_a_snippet_with_the_match_marked() {
    let j = Journal::new();
    let id = j.write(&[
        "--title",
        "Tide",
        "--mood",
        "3",
        "The tide came in slowly over the flats at dawn.",
    ]);
    let hits = hits(&j, &["flats"]);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    let mut want: std::collections::BTreeSet<String> =
        ENTRY_KEYS.iter().map(|k| k.to_string()).collect();
    want.insert("snippet".into());
    assert_eq!(keys(h), want);
    assert_eq!(h["id"], id.as_str());
    assert_eq!(h["mood"], 3);
    let snippet = h["snippet"].as_str().unwrap();
    assert!(snippet.contains("**flats**"), "{snippet}");
    assert!(
        !snippet.contains('\u{2}') && !snippet.contains('\u{3}'),
        "no raw markers: {snippet:?}"
    );
    // Not a terminal: plain `**`, no colour codes.
    let text = j.ok(&["search", "flats"]).stdout;
    assert!(
        text.contains("**flats**") && !text.contains('\x1b'),
        "{text:?}"
    );
}

#[test]
fn prefix_phrase_and_several_words() {
    let j = Journal::new();
    let lighthouse = j.write(&["A lighthouse on the point."]);
    let lightning = j.write(&["Lightning over the hills."]);
    j.write(&["Such a delight to see you."]);
    let mut got = hit_ids(&j, &["light*"]);
    got.sort();
    let mut want = vec![lighthouse.clone(), lightning.clone()];
    want.sort();
    assert_eq!(got, want, "light* matches words starting with light");
    assert_eq!(
        hit_ids(&j, &["light"]),
        Vec::<String>::new(),
        "without * a word matches whole words"
    );

    let phrase = j.write(&["We sat by the quiet harbour at dusk."]);
    let scattered = j.write(&["The harbour was quiet after dusk."]);
    assert_eq!(hit_ids(&j, &["\"quiet harbour\""]), vec![phrase.clone()]);
    let mut both = hit_ids(&j, &["quiet", "harbour"]);
    both.sort();
    let mut want = vec![phrase.clone(), scattered.clone()];
    want.sort();
    assert_eq!(both, want, "separate words match in any order");
    assert_eq!(
        hit_ids(&j, &["harbour", "lighthouse"]),
        Vec::<String>::new(),
        "every word must match"
    );
    let snippet = hits(&j, &["\"quiet harbour\""])[0]["snippet"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        snippet.contains("**quiet") && snippet.contains("harbour**"),
        "the phrase is marked: {snippet}"
    );
    assert!(
        snippet.replace("**", "").contains("quiet harbour at dusk"),
        "{snippet}"
    );
}

#[test]
fn title_tags_feelings_and_accents_are_searched() {
    let j = Journal::new();
    let t = j.write(&["--title", "Marmalade day", "oranges"]);
    let tag = j.write(&["--tag", "gardening", "weeds again"]);
    let feel = j.write(&["--feeling", "grateful", "a good call"]);
    let cafe = j.write(&["Un café au lait, s'il vous plaît."]);
    assert_eq!(hit_ids(&j, &["marmalade"]), vec![t]);
    assert_eq!(hit_ids(&j, &["gardening"]), vec![tag]);
    assert_eq!(hit_ids(&j, &["grateful"]), vec![feel]);
    assert_eq!(
        hit_ids(&j, &["cafe"]),
        vec![cafe.clone()],
        "accents are ignored"
    );
    assert_eq!(hit_ids(&j, &["CAFÉ"]), vec![cafe], "and case");
}

#[test]
fn search_filters() {
    let j = Journal::new();
    let a = j.write(&[
        "--at",
        "2024-05-01 10:00",
        "--tag",
        "trip",
        "--mood",
        "2",
        "river crossing",
    ]);
    let b = j.write(&[
        "--at",
        "2024-05-02 10:00",
        "--tag",
        "trip",
        "--mood",
        "5",
        "river swim",
    ]);
    let c = j.write(&["--at", "2024-05-03 10:00", "--mood", "5", "river picnic"]);
    let mut all = hit_ids(&j, &["river"]);
    all.sort();
    let mut want = vec![a.clone(), b.clone(), c.clone()];
    want.sort();
    assert_eq!(all, want);
    let mut trip = hit_ids(&j, &["river", "--tag", "TRIP"]);
    trip.sort();
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(trip, want);
    assert_eq!(
        hit_ids(&j, &["river", "--tag", "trip", "--mood", "5"]),
        vec![b.clone()]
    );
    assert_eq!(
        hit_ids(&j, &["river", "--to", "2024-05-01"]),
        vec![a.clone()]
    );
    assert_eq!(
        hit_ids(&j, &["river", "--from", "2024-05-03"]),
        vec![c.clone()]
    );
    assert_eq!(
        hit_ids(&j, &["river", "--from", "2024-05-02", "--to", "2024-05-02"]),
        vec![b]
    );
    assert_eq!(hits(&j, &["river", "--limit", "2"]).len(), 2);
    j.fails(&["search", "river", "--mood", "7"])
        .says(&["mood 7"]);
}

#[test]
fn text_output_shows_twenty_hits_unless_limited() {
    let j = Journal::new();
    let entries: Vec<Value> = (0..25)
        .map(|i| {
            json!({"title": format!("Pebble {i}"), "body": "pebble on the beach", "date": "2021-06-01",
                   "time": format!("10:{i:02}"), "tags": [], "starred": false})
        })
        .collect();
    let file = j.path("pebbles.json");
    std::fs::write(&file, json!({"tags": {}, "entries": entries}).to_string()).unwrap();
    j.ok(&["import", "--format", "jrnl-json", file.to_str().unwrap()]);
    assert_eq!(
        j.ok(&["search", "pebble"]).lines().len(),
        40,
        "20 hits of two lines"
    );
    assert_eq!(j.ok(&["search", "pebble", "--limit", "3"]).lines().len(), 6);
    assert_eq!(
        hits(&j, &["pebble"]).len(),
        25,
        "--json has no default limit"
    );
}

#[test]
fn no_match_and_no_words() {
    let j = Journal::new();
    j.write(&["something"]);
    assert_eq!(j.ok(&["search", "absent"]).stdout.trim(), "Nothing found.");
    assert_eq!(hits(&j, &["absent"]), Vec::<Value>::new());
    j.fails(&["search", "--", "( )"])
        .says(&["no word to search for"]);
    j.fails(&["search", "--", "\"\""]).says(&["no word"]);
    let missing = j.run(&["search"]);
    assert_eq!(missing.code, Some(2), "a query is required: {missing:#?}");
}

#[test]
fn search_sees_edits() {
    let j = Journal::new();
    let id = j.write(&["--title", "Draft", "first word: apricot"]);
    j.ok(&["edit", &id, "--body", "now it says: quince"]);
    assert_eq!(hit_ids(&j, &["apricot"]), Vec::<String>::new());
    assert_eq!(hit_ids(&j, &["quince"]), vec![id]);
}
