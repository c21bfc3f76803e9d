//! `hearth mood`: the per-day average and the feelings count.

use crate::support::*;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

#[test]
fn mood_json_structure_and_numbers() {
    let j = Journal::new();
    let a = j.write(&[
        "--mood",
        "2",
        "--feeling",
        "Calm",
        "--feeling",
        "tired",
        "one",
    ]);
    j.write(&["--mood", "5", "--feeling", "calm", "two"]);
    j.write(&["--feeling", "hopeful", "no mood today"]);
    let ten_days_ago = (Utc::now() - Duration::days(10))
        .format("%Y-%m-%d 12:00")
        .to_string();
    let old = j.write(&[
        "--mood",
        "4",
        "--feeling",
        "restless",
        "--at",
        &ten_days_ago,
        "older",
    ]);
    let long_ago = (Utc::now() - Duration::days(400))
        .format("%Y-%m-%d 12:00")
        .to_string();
    j.write(&[
        "--mood",
        "1",
        "--feeling",
        "ancient",
        "--at",
        &long_ago,
        "long ago",
    ]);

    let today = j.show(&a)["created_at"].as_str().unwrap()[..10].to_string();
    let old_day = j.show(&old)["created_at"].as_str().unwrap()[..10].to_string();

    let r = j.ok(&["mood", "--days", "7", "--json"]).json();
    assert_eq!(
        keys(&r),
        ["days", "feelings", "moods"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(r["days"], 7);
    assert_eq!(
        r["moods"],
        json!([{"date": today, "average": 3.5, "entries": 2}])
    );
    assert_eq!(
        r["feelings"],
        json!([
            {"feeling": "calm", "count": 2},
            {"feeling": "hopeful", "count": 1},
            {"feeling": "tired", "count": 1},
        ]),
        "most named first, then by name; case is folded"
    );

    let r = j.ok(&["mood", "--json"]).json();
    assert_eq!(r["days"], 30, "30 days by default");
    let moods = r["moods"].as_array().unwrap();
    assert_eq!(moods.len(), 2, "{r}");
    assert_eq!(
        moods[0],
        json!({"date": old_day, "average": 4.0, "entries": 1}),
        "oldest day first"
    );
    assert_eq!(moods[1]["date"], today.as_str());
    assert!(
        r["feelings"]
            .as_array()
            .unwrap()
            .contains(&json!({"feeling": "restless", "count": 1}))
    );
    assert!(!r.to_string().contains("ancient"));

    let r = j.ok(&["mood", "--days", "1000", "--json"]).json();
    assert_eq!(r["moods"].as_array().unwrap().len(), 3);
}

#[test]
fn mood_text_output() {
    let j = Journal::new();
    assert!(
        j.ok(&["mood"])
            .stdout
            .contains("No moods in the last 30 days.")
    );
    j.write(&["--mood", "4", "--feeling", "content", "fine day"]);
    let out = j.ok(&["mood", "--days", "3"]).stdout;
    assert!(out.contains("Mood, last 3 days:"), "{out}");
    assert!(out.contains("4.0 (1 entry)"), "{out}");
    assert!(
        out.contains("Feelings:") && out.contains("content"),
        "{out}"
    );
}

#[test]
fn mood_days_must_be_at_least_one() {
    let j = Journal::new();
    j.fails(&["mood", "--days", "0"]).says(&["--days"]);
    let neg = j.run(&["mood", "--days", "-3"]);
    assert_eq!(neg.code, Some(2), "{neg:#?}");
}

/// Bug: a very large `--days` panics (exit 101, a Rust backtrace) instead of
/// reporting everything or refusing the number.
#[test]
fn mood_with_huge_days_does_not_crash() {
    let j = Journal::new();
    j.write(&["--mood", "3", "today"]);
    let out = j.run(&["mood", "--days", "4294967295", "--json"]);
    assert_ne!(out.code, Some(101), "hearth panicked:\n{}", out.stderr);
    if out.code == Some(0) {
        let r: Value = out.json();
        assert_eq!(r["moods"].as_array().unwrap().len(), 1);
    } else {
        out.fails().says(&["--days"]);
    }
}
