//! `hearth circle`: making circles, listing them, showing one, and the
//! errors that change nothing.

use crate::support::Journal;

#[test]
fn a_circle_is_made_listed_and_shown_with_its_charter_and_owner() {
    let j = Journal::new();
    let list = j.ok(&["circle", "list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 0);
    assert!(
        j.ok(&["circle", "list"])
            .stdout
            .contains("in no circle yet")
    );

    let agreements = j.arg("agreements.txt");
    std::fs::write(
        &agreements,
        "What is said here stays here.\nNo advice unless asked.\n",
    )
    .unwrap();
    let made = j
        .ok(&[
            "circle",
            "create",
            "Tuesday evenings",
            "--about",
            "Getting through the winter",
            "--agreements",
            &agreements,
            "--as",
            "Sam",
            "--json",
        ])
        .json();
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(made["role"], "owner");
    j.ok(&["circle", "create", "Walkers", "--as", "Sam W."]);

    let list = j.ok(&["circle", "list", "--json"]).json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Tuesday evenings", "Walkers"]);

    let by_name = j
        .ok(&["circle", "show", "tuesday EVENINGS", "--json"])
        .json();
    let by_id = j.ok(&["circle", "show", &id[..6], "--json"]).json();
    assert_eq!(by_name, by_id);
    assert_eq!(by_name["about"], "Getting through the winter");
    assert_eq!(
        by_name["agreements"],
        "What is said here stays here.\nNo advice unless asked."
    );
    assert_eq!(by_name["epoch"], 0);
    let members = by_name["members"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0]["name"], "Sam");
    assert_eq!(members[0]["role"], "owner");
    assert_eq!(members[0]["you"], true);
    let text = j.ok(&["circle", "show", "Tuesday evenings"]).stdout;
    assert!(
        text.contains("No advice unless asked.") && text.contains("Sam  owner  (you)"),
        "{text}"
    );
}

#[test]
fn bad_input_names_what_is_wrong_and_changes_nothing() {
    let j = Journal::new();
    j.ok(&["circle", "create", "Twins", "--as", "A"]);
    j.ok(&["circle", "create", "twins", "--as", "A"]);
    let before = j.snapshot();
    j.fails(&["circle", "create", " ", "--as", "Sam"]).says(&[
        "circle's name",
        "1 to 100 bytes",
        "nothing was changed",
    ]);
    j.fails(&["circle", "create", &"x".repeat(101), "--as", "Sam"])
        .says(&["1 to 100 bytes"]);
    j.fails(&["circle", "create", "Fine", "--as", "two\nlines"])
        .says(&["how you appear", "one line"]);
    let big = j.arg("big.txt");
    std::fs::write(&big, "x".repeat(16 * 1024 + 1)).unwrap();
    j.fails(&[
        "circle",
        "create",
        "Fine",
        "--as",
        "S",
        "--agreements",
        &big,
    ])
    .says(&["16,384 bytes", "nothing was changed"]);
    j.fails(&[
        "circle",
        "create",
        "Fine",
        "--as",
        "S",
        "--agreements",
        &j.arg("missing.txt"),
    ])
    .says(&["cannot read", "missing.txt"]);
    j.fails(&[
        "circle",
        "create",
        "Fine",
        "--as",
        "S",
        "--about",
        &"y".repeat(2_001),
    ])
    .says(&["2000", "nothing was changed"]);
    j.fails(&["circle", "show", "Nobody"])
        .says(&["no circle called \"Nobody\"", "hearth circle list"]);
    j.fails(&["circle", "show", "TWINS"])
        .says(&["more than one circle", "id"]);
    assert_eq!(j.snapshot(), before);
}
