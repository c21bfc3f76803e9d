//! Devices in sync, through the real binary, each device its own data
//! directory, inside a loopback-only network namespace (see `netns`).

use crate::netns::{Netns, eventually};
use crate::support::{CHEAP_KDF, Journal};
use serde_json::Value;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// `pair invite` on `a`, `pair join` on a new data directory; returns the
/// new device's journal and what `join --json` printed.
fn pair(ns: &Netns, a: &Journal, name: &str) -> (Journal, Value) {
    pair_across(ns, ns, a, name)
}

/// [`pair`], with `a` in namespace `at_a` and the new device in `at_b`.
fn pair_across(at_a: &Netns, at_b: &Netns, a: &Journal, name: &str) -> (Journal, Value) {
    let mut invite = at_a.spawn(a, &["pair", "invite", "--yes", "--json"]);
    let ticket = invite.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ticket.starts_with("hearthpair"), "{ticket}");
    let b = Journal::uninit();
    let mut args = vec!["pair", "join", &ticket, "--yes", "--json", "--name", name];
    args.extend_from_slice(&CHEAP_KDF);
    let joined = at_b.ok(&b, &args).json();
    let done = invite.json_line(LONG);
    assert_eq!(done["paired"]["name"], name, "{done}");
    assert_eq!(done["paired"]["device"], joined["device"], "{done}");
    let (code, _, _) = invite.finish(LONG);
    assert_eq!(
        code,
        Some(0),
        "pair invite ends once the new device holds the journal"
    );
    (b, joined)
}

/// What a person sees of every entry, and each entry's history.
fn everything(ns: &Netns, j: &Journal) -> (Value, Vec<Value>) {
    let list = ns.ok(j, &["list", "--json"]).json();
    let histories = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            ns.ok(j, &["history", e["id"].as_str().unwrap(), "--json"])
                .json()
        })
        .collect();
    (list, histories)
}

#[test]
fn a_paired_device_takes_the_whole_journal_and_two_devices_converge_after_writing_apart() {
    let ns = Netns::new();
    let a = Journal::new();
    let shared = a.write(&["--title", "Shared", "first words"]);
    ns.ok(&a, &["edit", &shared, "--body", "first words, then more"]);
    let trashed = a.write(&["gone soon"]);
    ns.ok(&a, &["delete", &trashed]);

    let (b, joined) = pair(&ns, &a, "Laptop");
    assert_eq!(joined["entries"], 1, "{joined}");
    assert_eq!(joined["code"].as_str().unwrap().len(), 7, "{joined}");
    assert!(
        joined["recovery_key"].as_str().unwrap().len() > 40,
        "{joined}"
    );
    assert_eq!(everything(&ns, &a), everything(&ns, &b), "history included");
    let devices = ns.ok(&b, &["devices", "--json"]).json();
    assert_eq!(devices.as_array().unwrap().len(), 2, "{devices}");

    // Apart: both edit the shared entry, and each writes one of its own.
    ns.ok(&a, &["edit", &shared, "--body", "A rewrote the body"]);
    ns.ok(&b, &["edit", &shared, "--title", "B's title"]);
    a.write(&["only on A"]);
    b.write(&["only on B"]);

    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let ticket = serve.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let synced = ns.ok(&b, &["sync", "--peer", &ticket, "--json"]).json();
    assert_eq!(synced[0]["sent"], 2, "{synced}");
    assert_eq!(synced[0]["received"], 2, "{synced}");
    assert_eq!(synced[0]["equal"], true, "{synced}");
    serve.stop();

    let (list_a, history_a) = everything(&ns, &a);
    assert_eq!((list_a.clone(), history_a.clone()), everything(&ns, &b));
    assert_eq!(list_a.as_array().unwrap().len(), 3);
    let merged = ns.ok(&a, &["show", &shared, "--json"]).json();
    assert_eq!(merged["title"], "B's title");
    assert_eq!(merged["body"], "A rewrote the body");
    let versions = ns.ok(&a, &["history", &shared, "--json"]).json();
    assert_eq!(versions.as_array().unwrap().len(), 4, "{versions}");
    let last = ns.ok(&b, &["devices", "--json"]).json();
    assert!(
        last.as_array()
            .unwrap()
            .iter()
            .any(|d| !d["last_synced"].is_null()),
        "{last}"
    );
}

#[test]
fn a_device_that_was_never_paired_is_refused_and_nothing_is_stored() {
    let ns = Netns::new();
    let a = Journal::new();
    a.write(&["mine"]);
    let stranger = Journal::new();
    stranger.write(&["not yours"]);
    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let ticket = serve.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    ns.fails(&stranger, &["sync", "--peer", &ticket])
        .says(&["not one of this journal's devices", "pair"]);
    serve.stop();
    assert_eq!(
        ns.ok(&a, &["list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ns.ok(&stranger, &["list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_bad_ticket_is_refused_with_a_clear_error_and_no_journal_is_made() {
    let ns = Netns::new();
    let b = Journal::uninit();
    let mut args = vec!["pair", "join", "hearthpairnotaticket", "--yes"];
    args.extend_from_slice(&CHEAP_KDF);
    ns.fails(&b, &args).says(&["not a pairing ticket"]);
    assert!(!b.home.join("vault.db").exists());
    let a = Journal::new();
    ns.fails(&a, &["sync", "--peer", "endpointnope"])
        .says(&["not a device address"]);
}

#[test]
fn a_write_by_another_process_reaches_a_connected_device_through_serve() {
    let ns = Netns::new();
    let a = Journal::new();
    a.write(&["before pairing"]);
    let (b, _) = pair(&ns, &a, "Desk");
    let mut serve_a = ns.spawn(&a, &["serve", "--json"]);
    let ticket_a = serve_a.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    // B learns A's address, then serves: its node dials A, so A learns
    // where B's node listens.
    ns.ok(&b, &["sync", "--peer", &ticket_a]);
    let mut serve_b = ns.spawn(&b, &["serve", "--json"]);
    serve_b.json_line(LONG);
    let first = serve_b.json_line(LONG);
    assert_eq!(
        first["synced"]["equal"], true,
        "B's node reached A: {first}"
    );
    // A terminal command on A, while A's serve has the vault open.
    let id = a.write(&["written by a terminal command on A"]);
    assert!(
        eventually(LONG, || b.ids(&[]).contains(&id)),
        "A's serve pushed the new entry to B's serve"
    );
    serve_a.stop();
    serve_b.stop();
}

/// The network sockets (UDP, TCP, raw; IPv4 and IPv6) a process holds: its
/// open sockets (`/proc/PID/fd`) that its network namespace lists in
/// `/proc/PID/net/*`. Unix sockets (the runtime's signal pipe) are not
/// network sockets and do not count.
fn sockets(pid: u32) -> usize {
    let held: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter_map(|l| {
                    let l = l.to_string_lossy().into_owned();
                    l.strip_prefix("socket:[")?
                        .strip_suffix(']')
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut network = std::collections::BTreeSet::new();
    for table in ["udp", "udp6", "tcp", "tcp6", "raw", "raw6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            if let Some(inode) = line.split_whitespace().nth(9) {
                network.insert(inode.to_owned());
            }
        }
    }
    held.iter().filter(|i| network.contains(*i)).count()
}

#[test]
fn offline_mode_closes_every_socket_and_the_node_comes_back_when_it_is_off() {
    let ns = Netns::new();
    let a = Journal::new();
    a.ok(&["config", "offline", "on"]);
    ns.fails(&a, &["sync"])
        .says(&["offline mode is on", "hearth config offline off"]);
    ns.fails(&a, &["pair", "invite", "--yes"])
        .says(&["offline mode is on"]);

    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let closed = serve.json_line(LONG);
    assert_eq!(closed["closed"], "offline", "{closed}");
    let pid = serve.pid();
    assert_eq!(sockets(pid), 0, "offline: no socket at all");
    assert_eq!(
        a.ok(&["status", "--json"]).json()["node"]["state"],
        "offline"
    );

    a.ok(&["config", "offline", "off"]);
    let up = serve.json_line(LONG);
    assert!(
        up["ticket"].as_str().unwrap().starts_with("endpoint"),
        "{up}"
    );
    assert!(sockets(pid) > 0, "online: the endpoint's sockets are open");
    let status = a.ok(&["status", "--json"]).json();
    assert_eq!(status["node"]["state"], "running", "{status}");
    assert_eq!(status["node"]["pid"], pid, "{status}");

    a.ok(&["config", "offline", "on"]);
    assert_eq!(serve.json_line(LONG)["closed"], "offline");
    assert!(
        eventually(LONG, || sockets(pid) == 0),
        "back offline: every socket closed"
    );
    serve.stop();
    assert_eq!(
        a.ok(&["status", "--json"]).json()["node"]["state"],
        "offline"
    );
    a.ok(&["config", "offline", "off"]);
    assert_eq!(
        a.ok(&["status", "--json"]).json()["node"]["state"],
        "stopped"
    );
}

#[test]
fn outside_its_sync_windows_the_node_is_closed_and_says_when_it_opens() {
    let ns = Netns::new();
    let a = Journal::new();
    a.fails(&["config", "sync-window", "19:00"])
        .says(&["HH:MM-HH:MM"]);
    // Tests run in UTC: a window two hours from now, an hour long.
    let now = chrono::Utc::now();
    let from = now + chrono::Duration::hours(2);
    let to = now + chrono::Duration::hours(3);
    let window = format!("{}-{}", from.format("%H:%M"), to.format("%H:%M"));
    a.ok(&["config", "sync-window", &window]);
    let shown = a.ok(&["config", "--json"]).json();
    assert_eq!(
        shown["sync_windows"].as_array().unwrap().len(),
        1,
        "{shown}"
    );
    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let closed = serve.json_line(LONG);
    assert_eq!(closed["closed"], "waiting", "{closed}");
    let opens: chrono::DateTime<chrono::Utc> =
        closed["opens_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        opens.format("%H:%M").to_string(),
        from.format("%H:%M").to_string()
    );
    assert_eq!(sockets(serve.pid()), 0);
    let status = a.ok(&["status", "--json"]).json();
    assert_eq!(status["node"]["state"], "waiting", "{status}");
    a.ok(&["config", "sync-window", "none"]);
    assert!(
        serve.json_line(LONG)["ticket"].is_string(),
        "no window: open at once"
    );
    serve.stop();
}

#[test]
fn status_says_when_each_device_last_exchanged_and_what_it_has_not_confirmed() {
    let ns = Netns::new();
    let a = Journal::new();
    a.write(&["one"]);
    let status = a.ok(&["status", "--json"]).json();
    assert_eq!(status["node"]["state"], "stopped", "{status}");
    assert_eq!(status["devices"].as_array().unwrap().len(), 0);
    let (b, _) = pair(&ns, &a, "Phone");
    let status = a.ok(&["status", "--json"]).json();
    let phone = &status["devices"][0];
    assert_eq!(phone["name"], "Phone", "{status}");
    assert_eq!(phone["equal_then"], true, "{status}");
    assert_eq!(phone["unconfirmed"], 0, "{status}");
    a.write(&["two"]);
    a.write(&["three"]);
    let status = a.ok(&["status", "--json"]).json();
    assert_eq!(status["devices"][0]["unconfirmed"], 2, "{status}");
    let text = a.ok(&["status"]).stdout;
    assert!(
        text.contains("Phone") && text.contains("2 of this device's changes"),
        "{text}"
    );
    // B has never been dialled back by A: A knows it only from pairing.
    let status_b = b.ok(&["status", "--json"]).json();
    assert_eq!(status_b["devices"][0]["equal_then"], true, "{status_b}");
}

#[test]
fn a_removed_device_is_refused_and_what_is_written_after_reads_back_from_a_backup() {
    let ns = Netns::new();
    let a = Journal::new();
    a.write(&["before"]);
    let (b, joined) = pair(&ns, &a, "Old phone");
    let b_id = joined["device"].as_str().unwrap().to_string();
    a.fails(&["devices", "remove", &b_id[..8]])
        .says(&["--yes", "nothing was changed"]);
    let removed = a
        .ok(&["devices", "remove", &b_id[..8], "--yes", "--json"])
        .json();
    assert_eq!(removed["name"], "Old phone");
    let left = a.ok(&["devices", "--json"]).json();
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    a.fails(&["devices", "remove", &b_id[..8], "--yes"])
        .says(&["removed already"]);
    a.write(&["after the removal"]);

    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let ticket = serve.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    ns.fails(&b, &["sync", "--peer", &ticket])
        .says(&["refused the connection"]);
    serve.stop();
    assert_eq!(
        ns.ok(&b, &["list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The journal, in its new epoch, read back by the reader written from
    // FORMAT.md.
    let file = a.arg("after-removal.hearth-backup");
    a.ok(&["backup", &file]);
    let read = crate::backup::read_with_python(
        std::path::Path::new(&file),
        &[("HEARTH_PASSPHRASE", crate::support::PASS)],
    );
    assert_eq!(read, Value::Array(a.list(&[])));
}

#[test]
fn two_devices_on_one_lan_find_each_other_by_mdns_when_their_addresses_changed() {
    let Some((lan_a, lan_b)) = Netns::lan() else {
        eprintln!("note: no network namespaces here, so no LAN to test mDNS on; skipped");
        return;
    };
    let a = Journal::new();
    let (b, _) = pair_across(&lan_a, &lan_b, &a, "Laptop");

    // Each device knows the other only at the port its pairing process
    // listened on, closed now. `serve` listens on a new port: only mDNS can
    // tell either device where the other is.
    let mut serve_a = lan_a.spawn(&a, &["serve", "--json"]);
    serve_a.json_line(LONG);
    let mut serve_b = lan_b.spawn(&b, &["serve", "--json"]);
    serve_b.json_line(LONG);
    let id = b.write(&["written on the laptop"]);
    let found = eventually(Duration::from_secs(90), || a.ids(&[]).contains(&id));
    let said_b = serve_b.stop();
    let said_a = serve_a.stop();
    assert!(
        found,
        "B's node found A on the LAN and pushed the entry; A said {said_a:?}, B said {said_b:?}"
    );
}

#[test]
fn a_circle_made_on_one_device_shows_on_the_other_after_one_sync() {
    let ns = Netns::new();
    let a = Journal::new();
    let (b, _) = pair(&ns, &a, "Laptop");
    let made = ns
        .ok(
            &a,
            &[
                "circle", "create", "Evenings", "--as", "Sam", "--about", "Support", "--json",
            ],
        )
        .json();
    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let ticket = serve.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let synced = ns.ok(&b, &["sync", "--peer", &ticket, "--json"]).json();
    assert_eq!(synced[0]["equal"], true, "{synced}");
    serve.stop();
    let id = made["id"].as_str().unwrap();
    assert_eq!(
        ns.ok(&b, &["circle", "show", id, "--json"]).json(),
        ns.ok(&a, &["circle", "show", id, "--json"]).json()
    );
    assert_eq!(
        ns.ok(&b, &["circle", "list", "--json"]).json()[0]["role"],
        "owner"
    );
}

#[test]
fn photos_and_files_reach_the_other_device_both_ways() {
    let ns = Netns::new();
    let a = Journal::new();
    let lake = a.write(&["--title", "Lake", "Cold water."]);
    let photo = a.path("lake.jpg");
    let bytes: Vec<u8> = (0..2_300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&photo, &bytes).unwrap();
    ns.ok(&a, &["attach", &lake, photo.to_str().unwrap()]);
    let photo_id = ns.ok(&a, &["attachments", &lake, "--json"]).json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Pairing brings the photo with the journal.
    let (b, _) = pair(&ns, &a, "Laptop");
    let out = b.arg("from-a.jpg");
    ns.ok(&b, &["attachment", "save", &photo_id, &out]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // A file added on B reaches A at the next sync, both ways at once.
    let note = b.path("note.pdf");
    std::fs::write(&note, b"%PDF-1.4 from the laptop").unwrap();
    ns.ok(&b, &["attach", &lake, note.to_str().unwrap()]);
    let walk = a.write(&["--title", "Walk"]);
    let map = a.path("map.png");
    std::fs::write(&map, b"\x89PNG\r\n\x1a\n a map").unwrap();
    ns.ok(&a, &["attach", &walk, map.to_str().unwrap()]);

    let mut serve = ns.spawn(&a, &["serve", "--json"]);
    let ticket = serve.json_line(LONG)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let synced = ns.ok(&b, &["sync", "--peer", &ticket, "--json"]).json();
    assert_eq!(synced[0]["files_received"], 1, "{synced}");
    assert_eq!(synced[0]["files_sent"], 1, "{synced}");
    serve.stop();
    let on_a = ns.ok(&a, &["attachments", &lake, "--json"]).json();
    let note_id = on_a[1]["id"].as_str().unwrap().to_string();
    let back = a.arg("note-back.pdf");
    ns.ok(&a, &["attachment", "save", &note_id, &back]);
    assert_eq!(std::fs::read(&back).unwrap(), b"%PDF-1.4 from the laptop");
    let map_on_b = ns.ok(&b, &["attachments", &walk, "--json"]).json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ns.ok(&b, &["attachment", "save", &map_on_b, &b.arg("map.png")]);
}
