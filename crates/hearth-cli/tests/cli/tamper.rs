//! A changed byte in the vault: the damaged entry is named, the rest of the
//! journal keeps working.

use crate::support::*;

/// Flip one byte in the middle of `column` of the row of `table` whose
/// `doc` is `id` (the first such row).
fn flip(j: &Journal, table: &str, id: &str) {
    let conn = rusqlite::Connection::open(j.vault()).unwrap();
    let doc = hex_decode(id);
    let (rowid, mut payload): (i64, Vec<u8>) = match table {
        "views" => conn
            .query_row("SELECT 0, payload FROM views WHERE doc = ?1", [&doc], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap(),
        "ops" => conn
            .query_row(
                "SELECT seq, payload FROM ops WHERE doc = ?1 ORDER BY seq LIMIT 1",
                [&doc],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap(),
        other => panic!("no table {other}"),
    };
    let mid = payload.len() / 2;
    payload[mid] ^= 0x01;
    let changed = match table {
        "views" => conn.execute(
            "UPDATE views SET payload = ?1 WHERE doc = ?2",
            rusqlite::params![payload, doc],
        ),
        _ => conn.execute(
            "UPDATE ops SET payload = ?1 WHERE doc = ?2 AND seq = ?3",
            rusqlite::params![payload, doc, rowid],
        ),
    }
    .unwrap();
    assert_eq!(changed, 1);
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn three(j: &Journal) -> [String; 3] {
    [
        j.write(&[
            "--title",
            "First",
            "--at",
            "2024-01-01 10:00",
            "alpha words",
        ]),
        j.write(&[
            "--title",
            "Second",
            "--at",
            "2024-01-02 10:00",
            "beta words",
        ]),
        j.write(&[
            "--title",
            "Third",
            "--at",
            "2024-01-03 10:00",
            "gamma words",
        ]),
    ]
}

#[test]
fn a_damaged_view_is_reported_and_the_rest_still_reads() {
    let j = Journal::new();
    let [a, b, c] = three(&j);
    let whole_a = j.show(&a);
    flip(&j, "views", &b);

    let list = j.ok(&["list"]);
    assert_eq!(list.lines().len(), 2, "{list:#?}");
    assert!(
        list.stdout.contains("First")
            && list.stdout.contains("Third")
            && !list.stdout.contains("Second")
    );
    assert!(list.stderr.contains("warning"), "{list:#?}");
    assert!(
        list.stderr.contains(&b),
        "the warning names the damaged entry by id: {list:#?}"
    );
    assert!(list.stderr.contains("damaged"), "{list:#?}");
    assert!(
        !list.stderr.contains(&a) && !list.stderr.contains(&c),
        "{list:#?}"
    );

    let json = j.ok(&["list", "--json"]);
    let listed = json.json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![c.as_str(), a.as_str()]);
    assert!(
        json.stderr.contains(&b),
        "--json output stays clean, the warning goes to stderr"
    );

    j.fails(&["show", &b]).says(&[&b, "damaged"]);
    j.fails(&["show", &b[..6]]).says(&[&b, "damaged"]);
    j.fails(&["edit", &b, "--title", "fix?"]).says(&["damaged"]);
    j.fails(&["delete", &b]).says(&["damaged"]);
    assert_eq!(j.show(&a), whole_a, "other entries show fine");
    j.ok(&["show", &c]);
    let hits = j.ok(&["search", "words", "--json"]).json();
    assert_eq!(hits.as_array().unwrap().len(), 2);
    // The others can still be changed.
    j.ok(&["edit", &a, "--title", "First, edited"]);
    assert_eq!(j.show(&a)["title"], "First, edited");
    j.write(&["a new entry after the damage"]);
    assert_eq!(j.list(&[]).len(), 3);
}

#[test]
fn a_damaged_op_stops_changes_to_that_entry_only() {
    let j = Journal::new();
    let [a, b, _] = three(&j);
    flip(&j, "ops", &b);
    // The view is intact, so reading still works...
    assert_eq!(j.show(&b)["title"], "Second");
    // ...but a change has to load the ops, and refuses.
    let before = j.snapshot();
    j.fails(&["edit", &b, "--title", "changed"])
        .says(&[&b, "damaged"]);
    assert_eq!(j.snapshot(), before, "nothing is written");
    assert_eq!(j.show(&b)["title"], "Second");
    j.ok(&["edit", &a, "--title", "still editable"]);
}
