//! Inviting people into a circle and joining one, through the real binary:
//! each person their own journal, all inside a loopback-only network
//! namespace (see `netns`).

use crate::netns::{Background, Netns, eventually};
use crate::support::{CHEAP_KDF, Journal};
use serde_json::Value;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// The members of `circle` as `journal` shows them: (name, role, you).
fn members(ns: &Netns, journal: &Journal, circle: &str) -> Vec<(String, String, bool)> {
    ns.ok(journal, &["circle", "show", circle, "--json"]).json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
                m["you"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// `hearth serve` on `journal`, and the address ticket it printed first.
fn start_serve(ns: &Netns, journal: &Journal) -> (Background, String) {
    let mut serve = ns.spawn(journal, &["serve", "--json"]);
    let address = serve.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    (serve, address)
}

fn invite(ns: &Netns, admin: &Journal, circle: &str) -> String {
    let ticket = ns.ok(admin, &["circle", "invite", circle, "--json"]).json()["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ticket.starts_with("hearthcircle"), "{ticket}");
    ticket
}

/// Ann's circle "Evenings", her `hearth serve` and its address, and a
/// journal for each of `names`, who joined it in that order.
fn evenings(ns: &Netns, names: &[&str]) -> (Journal, Background, String, Vec<Journal>) {
    let ann = Journal::new();
    ns.ok(&ann, &["circle", "create", "Evenings", "--as", "Ann"]);
    let (serve, address) = start_serve(ns, &ann);
    let members = names
        .iter()
        .map(|name| {
            let ticket = invite(ns, &ann, "Evenings");
            let j = Journal::new();
            ns.ok(&j, &["circle", "join", &ticket, "--name", name, "--yes"]);
            j
        })
        .collect();
    (ann, serve, address, members)
}

#[test]
fn a_person_invited_reads_the_agreements_first_and_joins_only_when_they_accept() {
    let ns = Netns::new();
    let ann = Journal::new();
    let agreements = ann.path("agreements.txt");
    std::fs::write(&agreements, "We listen before we advise.").unwrap();
    let made = ns
        .ok(
            &ann,
            &[
                "circle",
                "create",
                "Evenings",
                "--as",
                "Ann",
                "--about",
                "Getting through the winter",
                "--agreements",
                agreements.to_str().unwrap(),
                "--json",
            ],
        )
        .json();
    let id = made["id"].as_str().unwrap().to_string();
    ns.fails(&ann, &["circle", "invite", "Evenings"])
        .says(&["start `hearth serve`", "nothing was changed"]);
    let (serve, address) = start_serve(&ns, &ann);
    let ticket = invite(&ns, &ann, "Evenings");

    // Bea reads what the circle is for and declines: nothing changes.
    let bea = Journal::new();
    let declined = ns
        .hearth(&bea, &["circle", "join", &ticket, "--name", "Bea"])
        .stdin("n\n")
        .run()
        .ok();
    for shown in [
        "Ann invites you to the circle \"Evenings\"",
        "Getting through the winter",
        "We listen before we advise.",
        "Members: Ann",
        "You did not join; nothing was changed.",
    ] {
        assert!(
            declined.stdout.contains(shown),
            "{shown:?} in {declined:#?}"
        );
    }
    declined.says(&["Do you accept these agreements and join as \"Bea\"?"]);
    assert_eq!(
        ns.ok(&bea, &["circle", "list", "--json"]).json(),
        Value::Array(vec![])
    );
    assert_eq!(
        members(&ns, &ann, &id),
        vec![("Ann".into(), "owner".into(), true)]
    );

    // The same ticket still works, once: she accepts.
    let joined = ns
        .hearth(
            &bea,
            &["circle", "join", &ticket, "--name", "Bea", "--json"],
        )
        .stdin("y\n")
        .run()
        .ok()
        .json();
    assert_eq!(joined["joined"], true, "{joined}");
    assert_eq!(joined["circle"]["role"], "member", "{joined}");
    assert_eq!(joined["sync"]["equal"], true, "{joined}");
    let both = vec![
        ("Ann".to_string(), "owner".to_string(), false),
        ("Bea".to_string(), "member".to_string(), true),
    ];
    assert_eq!(members(&ns, &bea, &id), both);
    assert!(
        eventually(LONG, || members(&ns, &ann, &id).len() == 2),
        "Ann's journal records Bea"
    );
    let shown_ann = ns.ok(&ann, &["circle", "show", &id, "--json"]).json();
    let shown_bea = ns.ok(&bea, &["circle", "show", &id, "--json"]).json();
    for field in ["name", "about", "agreements", "epoch"] {
        assert_eq!(shown_ann[field], shown_bea[field], "{field}");
    }

    // A used ticket changes nothing for the next person, and only admins
    // invite.
    let cal = Journal::new();
    ns.fails(&cal, &["circle", "join", &ticket, "--name", "Cal", "--yes"])
        .says(&["already used", "ask the person who invited you"]);
    assert_eq!(
        ns.ok(&cal, &["circle", "list", "--json"]).json(),
        Value::Array(vec![])
    );
    ns.fails(&bea, &["circle", "invite", "Evenings"])
        .says(&["only the admins", "nothing was changed"]);

    // Someone in no circle with Ann has nothing to sync with her.
    ns.fails(&cal, &["sync", "--peer", &address])
        .says(&["not one of this journal's devices"]);

    // Bea's own second device learns the circle from her journal, and Ann's
    // node takes it as Bea's once Bea's devices have synced.
    let mut invite_pair = ns.spawn(&bea, &["pair", "invite", "--yes", "--json"]);
    let pair_ticket = invite_pair.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let phone = Journal::uninit();
    let mut args = vec![
        "pair",
        "join",
        &pair_ticket,
        "--yes",
        "--json",
        "--name",
        "Phone",
    ];
    args.extend_from_slice(&CHEAP_KDF);
    let paired = ns.ok(&phone, &args).json();
    assert!(paired["sync"].is_object(), "{paired}");
    invite_pair.finish(LONG);
    let (serve_bea, bea_address) = start_serve(&ns, &bea);
    ns.ok(&phone, &["sync", "--peer", &bea_address]);
    assert_eq!(members(&ns, &phone, &id), both);
    ns.ok(&bea, &["sync", "--peer", &address]);
    serve_bea.stop();
    let from_phone = ns
        .ok(&phone, &["sync", "--peer", &address, "--json"])
        .json();
    assert_eq!(from_phone[0]["equal"], true, "{from_phone}");
    serve.stop();
}

#[test]
fn a_shared_entry_reaches_a_member_behind_its_warning_and_their_replies_come_back() {
    let ns = Netns::new();
    let (ann, serve, address, mut joined) = evenings(&ns, &["Bea"]);
    let bea = joined.remove(0);

    let entry = ann.write(&["--title", "A hard week", "It was a lot."]);
    ns.fails(
        &ann,
        &["share", &entry, "Evenings", "--warning", "two\nlines"],
    )
    .says(&["content warning is one line", "nothing was shared"]);
    let shared = ns
        .ok(
            &ann,
            &["share", &entry, "Evenings", "--warning", "grief", "--json"],
        )
        .json();
    let id = shared["id"].as_str().unwrap().to_string();
    ns.ok(&bea, &["sync", "--peer", &address]);
    let feed = ns.ok(&bea, &["circle", "feed", "Evenings"]);
    for shown in [
        "A hard week  by Ann",
        "Content warning: grief",
        "`hearth circle read",
        "That is everything new in \"Evenings\" since your last visit.",
    ] {
        assert!(feed.stdout.contains(shown), "{shown:?} in {feed:#?}");
    }
    assert!(!feed.stdout.contains("It was a lot."), "behind its warning");
    let shown = ns
        .ok(&bea, &["circle", "show", "Evenings", "--json"])
        .json();
    assert_eq!(shown["shared"][0]["title"], "A hard week", "{shown}");
    assert_eq!(shown["shared"][0]["author"], "Ann");
    let again = ns
        .ok(&bea, &["circle", "feed", "Evenings", "--json"])
        .json();
    assert_eq!(again["entries"], Value::Array(vec![]), "the feed ends");
    let read = ns.ok(&bea, &["circle", "read", &id[..8], "--json"]).json();
    assert_eq!(read["body"], "It was a lot.");

    ns.ok(&bea, &["reply", &id[..8], "--support", "hear-you"]);
    ns.ok(&bea, &["reply", &id[..8], "Call me any time."]);
    ns.fails(&bea, &["reply", &id[..8], "--support", "like"])
        .says(&["not a supportive response", "hear-you"]);
    ns.fails(&bea, &["reply", &id[..8]])
        .says(&["words or one supportive response"]);
    ns.ok(&bea, &["sync", "--peer", &address]);
    let replies = ns.ok(&ann, &["circle", "read", &id, "--json"]).json()["replies"].clone();
    let said: Vec<(String, Value, Value)> = replies
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["author"].as_str().unwrap().to_string(),
                r["support"].clone(),
                r["text"].clone(),
            )
        })
        .collect();
    assert_eq!(
        said,
        vec![
            ("Bea".to_string(), Value::from("hear-you"), Value::Null),
            (
                "Bea".to_string(),
                Value::Null,
                Value::from("Call me any time.")
            ),
        ]
    );

    // Bea's backup, holding another person's certificates, versions and
    // replies, reads back with the reader written from FORMAT.md.
    let file = bea.arg("bea.hearth-backup");
    bea.ok(&["backup", &file]);
    let read = crate::backup::read_with_python(
        std::path::Path::new(&file),
        &[("HEARTH_PASSPHRASE", crate::support::PASS)],
    );
    assert_eq!(read, Value::Array(bea.list(&[])));

    ns.ok(&ann, &["unshare", &entry, "Evenings"]);
    ns.ok(&bea, &["sync", "--peer", &address]);
    let all = ns
        .ok(&bea, &["circle", "feed", "Evenings", "--all", "--json"])
        .json();
    assert_eq!(
        all["entries"],
        Value::Array(vec![]),
        "unshared: hidden from then on"
    );
    serve.stop();
}

#[test]
fn a_shared_entrys_photos_reach_members_and_stop_when_it_is_unshared() {
    let ns = Netns::new();
    let (ann, serve, address, mut joined) = evenings(&ns, &["Bea"]);
    let bea = joined.remove(0);

    let bytes = |n: u32, seed: u32| -> Vec<u8> {
        (0..n)
            .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 13) as u8)
            .collect()
    };
    let attach = |entry: &str, name: &str, content: &[u8]| -> String {
        let path = ann.path(name);
        std::fs::write(&path, content).unwrap();
        ns.ok(&ann, &["attach", entry, path.to_str().unwrap()]);
        let list = ns.ok(&ann, &["attachments", entry, "--json"]).json();
        let found = list.as_array().unwrap().iter().find(|a| a["name"] == name);
        found.unwrap()["id"].as_str().unwrap().to_string()
    };
    let garden = ann.write(&["--title", "The garden", "Tulips at last."]);
    let tulips = bytes(2_300_000, 1);
    let tulips_id = attach(&garden, "tulips.jpg", &tulips);
    let private = ann.write(&["--title", "Just mine"]);
    let secret_id = attach(&private, "mine.jpg", &bytes(40_000, 2));

    let shared = ns
        .ok(&ann, &["share", &garden, "Evenings", "--json"])
        .json();
    let id = shared["id"].as_str().unwrap().to_string();
    // The photo comes with the sync (Ann's running node may also push
    // it while Bea's sync runs: which transfer carries it is not fixed).
    ns.ok(&bea, &["sync", "--peer", &address]);
    let read = ns.ok(&bea, &["circle", "read", &id[..8], "--json"]).json();
    assert_eq!(read["attachments"][0]["id"], tulips_id.as_str(), "{read}");
    assert_eq!(read["attachments"][0]["name"], "tulips.jpg");
    assert_eq!(read["arriving"], Value::Array(vec![]));
    let text = ns.ok(&bea, &["circle", "read", &id[..8]]).stdout;
    assert!(
        text.contains(&format!("[{}] tulips.jpg (2.2 MiB)", &tulips_id[..12])),
        "{text}"
    );
    let out = bea.arg("tulips.jpg");
    ns.ok(&bea, &["attachment", "save", &tulips_id[..8], &out]);
    assert_eq!(std::fs::read(&out).unwrap(), tulips, "byte for byte");
    // What Ann did not share is neither listed nor sent.
    ns.fails(
        &bea,
        &["attachment", "save", &secret_id, &bea.arg("mine.jpg")],
    )
    .says(&["no attachment has id"]);

    // A photo added to the shared entry follows it; emptying Bea's trash
    // keeps what is shared with her.
    let seeds = bytes(300_000, 3);
    let seeds_id = attach(&garden, "seeds.png", &seeds);
    ns.ok(&bea, &["sync", "--peer", &address]);
    ns.ok(&bea, &["trash", "empty"]);
    let out = bea.arg("seeds.png");
    ns.ok(&bea, &["attachment", "save", &seeds_id, &out]);
    assert_eq!(std::fs::read(&out).unwrap(), seeds);

    // Unshared: Bea no longer sees the entry nor keeps its photos.
    ns.ok(&ann, &["unshare", &garden, "Evenings"]);
    ns.ok(&bea, &["sync", "--peer", &address]);
    ns.ok(&bea, &["trash", "empty"]);
    ns.fails(
        &bea,
        &["attachment", "save", &tulips_id, &bea.arg("again.jpg")],
    )
    .says(&["no attachment has id"]);
    serve.stop();
}

#[test]
fn a_journal_never_hands_out_its_own_files_because_another_member_listed_them() {
    let ns = Netns::new();
    let (ann, serve, address, mut joined) = evenings(&ns, &["Bea", "Carl"]);
    let (bea, carl) = (joined.remove(0), joined.remove(0));
    // Ann keeps a photo to herself; Bea shares the very same bytes.
    let bytes: Vec<u8> = (0..600_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let attach = |who: &Journal, entry: &str| -> String {
        let path = who.path("view.jpg");
        std::fs::write(&path, &bytes).unwrap();
        ns.ok(who, &["attach", entry, path.to_str().unwrap()]);
        ns.ok(who, &["attachments", entry, "--json"]).json()[0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mine = ann.write(&["--title", "Only mine"]);
    let id = attach(&ann, &mine);
    let hers = bea.write(&["--title", "The view"]);
    assert_eq!(attach(&bea, &hers), id, "the same file");
    let shared = ns.ok(&bea, &["share", &hers, "Evenings", "--json"]).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ns.ok(&bea, &["sync", "--peer", &address]);

    // Carl reads Bea's entry through Ann's device, which does not send
    // him Ann's copy of the file.
    let synced = ns.ok(&carl, &["sync", "--peer", &address, "--json"]).json();
    assert_eq!(synced[0]["files_received"], 0, "{synced}");
    let read = ns
        .ok(&carl, &["circle", "read", &shared[..8], "--json"])
        .json();
    assert_eq!(read["arriving"], serde_json::json!([id]), "{read}");
    let text = ns.ok(&carl, &["circle", "read", &shared[..8]]).stdout;
    assert!(text.contains("not on this device yet"), "{text}");
    serve.stop();

    // Bea's device, whose person shared it, does.
    let (bea_serve, bea_address) = start_serve(&ns, &bea);
    ns.ok(&carl, &["sync", "--peer", &bea_address]);
    let out = carl.arg("view.jpg");
    ns.ok(&carl, &["attachment", "save", &id, &out]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    bea_serve.stop();
}

#[test]
fn admins_promote_and_remove_members_mute_hides_for_oneself_reports_reach_admins_only_and_away_notes_show()
 {
    let ns = Netns::new();
    let (ann, serve, address, mut joined) = evenings(&ns, &["Bea", "Cal"]);
    let (bea, cal) = (joined.remove(0), joined.remove(0));
    let sync = |j: &Journal| {
        ns.ok(j, &["sync", "--peer", &address]);
    };
    sync(&bea);

    ns.fails(&bea, &["circle", "remove", "Evenings", "Cal"])
        .says(&["only the admins", "nothing was changed"]);
    ns.ok(&ann, &["circle", "promote", "Evenings", "Bea"]);
    sync(&bea);
    let roles: Vec<(String, String, bool)> = members(&ns, &bea, "Evenings");
    assert!(
        roles.contains(&("Bea".into(), "admin".into(), true)),
        "{roles:?}"
    );

    let cals = cal.write(&["--title", "Cal's news", "Something happened."]);
    ns.ok(&cal, &["share", &cals, "Evenings"]);
    ns.ok(
        &cal,
        &["away", "--until", "2099-01-01", "--note", "Back in spring"],
    );
    sync(&cal);
    sync(&bea);
    let feed = ns
        .ok(&bea, &["circle", "feed", "Evenings", "--all", "--json"])
        .json();
    let id = feed["entries"][0]["id"].as_str().unwrap().to_string();

    // Muting hides Cal's entry from Bea alone.
    ns.ok(&bea, &["circle", "mute", "Evenings", "Cal"]);
    let muted = ns
        .ok(&bea, &["circle", "feed", "Evenings", "--all", "--json"])
        .json();
    assert_eq!(muted["entries"], Value::Array(vec![]));
    let shown = ns.ok(&bea, &["circle", "show", "Evenings"]);
    assert!(shown.stdout.contains("Cal  member  (muted)"), "{shown:?}");
    assert!(
        shown
            .stdout
            .contains("taking a break until 2099-01-01: Back in spring"),
        "{shown:?}"
    );
    ns.ok(&bea, &["circle", "unmute", "Evenings", "Cal"]);

    // A report reaches the admins, and only them.
    ns.ok(
        &bea,
        &[
            "circle",
            "report",
            "Evenings",
            &id[..8],
            "--reason",
            "This worries me",
        ],
    );
    sync(&bea);
    let reports = ns
        .ok(&ann, &["circle", "reports", "Evenings", "--json"])
        .json();
    assert_eq!(reports[0]["from"], "Bea", "{reports}");
    assert_eq!(reports[0]["reason"], "This worries me");
    assert_eq!(reports[0]["about"], "Cal");
    sync(&cal);
    ns.fails(&cal, &["circle", "reports", "Evenings"])
        .says(&["only a circle's admins"]);

    // Removed: a new key, and Ann's node refuses Cal from then on.
    let before = ns
        .ok(&ann, &["circle", "show", "Evenings", "--json"])
        .json()["epoch"]
        .clone();
    ns.ok(&ann, &["circle", "remove", "Evenings", "Cal"]);
    let after = ns
        .ok(&ann, &["circle", "show", "Evenings", "--json"])
        .json()["epoch"]
        .clone();
    assert_ne!(before, after, "a new key epoch");
    assert!(
        eventually(LONG, || ns
            .hearth(&cal, &["sync", "--peer", &address])
            .run()
            .code
            == Some(1)),
        "Ann's node refuses Cal"
    );
    sync(&bea);
    assert_eq!(
        members(&ns, &bea, "Evenings")
            .into_iter()
            .map(|m| m.0)
            .collect::<Vec<_>>(),
        ["Ann", "Bea"]
    );

    // Bea leaves; Ann, an admin, moves the circle on once she hears it.
    ns.ok(&bea, &["circle", "leave", "Evenings"]);
    sync(&bea);
    assert_eq!(
        members(&ns, &ann, "Evenings"),
        vec![("Ann".to_string(), "owner".to_string(), true)]
    );
    let list = ns.ok(&bea, &["circle", "list", "--json"]).json();
    assert_eq!(list[0]["role"], Value::Null, "Bea is no longer a member");

    // Ann's backup, with a report, away notes and a new key epoch, reads
    // back with the reader written from FORMAT.md.
    let file = ann.arg("ann.hearth-backup");
    ann.ok(&["backup", &file]);
    let read = crate::backup::read_with_python(
        std::path::Path::new(&file),
        &[("HEARTH_PASSPHRASE", crate::support::PASS)],
    );
    assert_eq!(read, Value::Array(ann.list(&[])));

    // Quiet hours, and an away note that goes offline until its date.
    ns.ok(&ann, &["config", "quiet-hours", "22:00-08:00"]);
    ns.fails(&ann, &["config", "quiet-hours", "late"])
        .says(&["HH:MM-HH:MM"]);
    let c = ns.ok(&ann, &["config", "--json"]).json();
    assert_eq!(c["quiet_hours"]["start"], 22 * 60);
    serve.stop();
    let gone = ns.ok(&ann, &["away", "--until", "2099-01-01", "--offline"]);
    assert!(
        gone.stdout.contains("Offline mode is on until 2099-01-01"),
        "{gone:?}"
    );
    ns.fails(&ann, &["sync"]).says(&["offline mode is on"]);
    ns.ok(&ann, &["away", "--back"]);
    assert_eq!(ns.ok(&ann, &["config", "--json"]).json()["offline"], false);
}
