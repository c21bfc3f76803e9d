//! People joining a circle over the network: each person their own vault,
//! each device a real iroh endpoint on loopback in the test's own network
//! namespace.

use crate::network::{cheap, dial_as_stranger, loopback_only, runtime, shared, sync_pair};
use hearth_core::circle_invite::CirclePreview;
use hearth_core::circle_share::Support;
use hearth_core::circles::NewCircle;
use hearth_core::network::{self, NetOptions, Network, PeerAddress, SharedJournal};
use hearth_core::{EntryDraft, Vault};
use hearth_sync::CircleTicket;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn person(dir: &std::path::Path, name: &str) -> SharedJournal {
    shared(Vault::create(&dir.join(name), b"pw", cheap()).unwrap())
}

fn member_names(j: &SharedJournal, circle: &str) -> Vec<String> {
    let mut names: Vec<String> = network::lock(j)
        .circle(circle)
        .unwrap()
        .members
        .into_iter()
        .map(|m| m.name)
        .collect();
    names.sort();
    names
}

#[test]
fn invitations_that_are_expired_wrong_used_or_declined_change_nothing_and_members_share_only_the_circle()
 {
    loopback_only();
    let dir = tempfile::tempdir().unwrap();
    let (ann, bea, cal) = (
        person(dir.path(), "ann"),
        person(dir.path(), "bea"),
        person(dir.path(), "cal"),
    );
    network::lock(&bea)
        .write(EntryDraft {
            body: "Bea's own, never shared".into(),
            ..Default::default()
        })
        .unwrap();
    let made = network::lock(&ann)
        .create_circle(&NewCircle {
            name: "Evenings".into(),
            about: "Getting through the winter".into(),
            agreements: "Kindness first.".into(),
            as_name: "Ann".into(),
        })
        .unwrap();
    let rt = runtime();
    rt.block_on(async {
        let net_ann = Network::start(ann.clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        let net_bea = Network::start(bea.clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        let unchanged = |why: &str| {
            assert_eq!(member_names(&ann, &made.id), ["Ann"], "{why}");
            assert!(network::lock(&bea).circles().unwrap().is_empty(), "{why}");
        };

        // Expired.
        let short = net_ann
            .invite_to_circle("Evenings", Duration::from_secs(1))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let e = net_bea
            .join_circle(&short.ticket, "Bea", |_| true)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("expired"), "{e}");
        unchanged("an expired invitation");

        // A secret the inviting device never made.
        let open = net_ann
            .invite_to_circle("evenings", Duration::from_secs(600))
            .unwrap();
        let mut wrong = CircleTicket::parse(&open.ticket).unwrap();
        wrong.secret[0] ^= 1;
        let e = net_bea
            .join_circle(&wrong.to_string(), "Bea", |_| true)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not know this invitation"), "{e}");
        unchanged("a wrong secret");

        // Declined: the person saw the charter first; the ticket stays good.
        let seen: Arc<Mutex<Option<CirclePreview>>> = Arc::default();
        let saw = seen.clone();
        let declined = net_bea
            .join_circle(&open.ticket, "Bea", move |p| {
                *saw.lock().unwrap() = Some(p.clone());
                false
            })
            .await
            .unwrap();
        assert!(declined.is_none());
        let preview = seen.lock().unwrap().clone().unwrap();
        assert_eq!(
            (preview.name.as_str(), preview.invited_by.as_str()),
            ("Evenings", "Ann")
        );
        assert_eq!(preview.agreements, "Kindness first.");
        unchanged("a declined invitation");

        let joined = net_bea
            .join_circle(&open.ticket, "Bea", |_| true)
            .await
            .unwrap()
            .unwrap();
        assert!(joined.first_sync.unwrap().equal);
        assert_eq!(member_names(&bea, &made.id), ["Ann", "Bea"]);
        assert_eq!(member_names(&ann, &made.id), ["Ann", "Bea"]);

        // Used up: nobody else joins with it.
        let net_cal = Network::start(cal.clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        let e = net_cal
            .join_circle(&open.ticket, "Cal", |_| true)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("already used"), "{e}");
        assert!(network::lock(&cal).circles().unwrap().is_empty());

        // A member only invites when an admin.
        let e = network::lock(&bea)
            .invite_to_circle("Evenings", Duration::from_secs(60))
            .unwrap_err()
            .to_string();
        assert!(e.contains("only the admins"), "{e}");

        // Between Ann's and Bea's devices, only the circle: neither is
        // offered the other's journal, and a later exchange is equal.
        let bea_id = network::lock(&bea).device_id();
        let ann_id = network::lock(&ann).device_id();
        for (j, peer) in [(&ann, bea_id), (&bea, ann_id)] {
            let offered = network::replica(j.clone()).vectors(&peer).unwrap();
            let scopes: Vec<String> = offered.keys().map(hex::encode).collect();
            assert_eq!(scopes, std::slice::from_ref(&made.id));
        }
        let at_ann = PeerAddress::parse(&net_ann.ticket()).unwrap();
        let again = net_bea.sync_peer(&at_ann).await.unwrap();
        assert!(again.equal, "{again:?}");
        assert_eq!(network::lock(&ann).len(), 0, "none of Bea's entries");

        // Cal, in no circle with Ann, is refused by Ann's node even when
        // his own node lets the connection out.
        let e = dial_as_stranger(&net_ann, &cal).await;
        assert!(e.contains("does not know this device"), "{e}");
        for net in [net_ann, net_bea, net_cal] {
            net.shutdown().await;
        }
    });
}

fn write_entry(j: &SharedJournal, title: &str, body: &str) -> String {
    network::lock(j)
        .write(EntryDraft {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        })
        .unwrap()
        .id
        .to_string()
}

/// Each shared entry a person's feed shows: (author, title, replies as
/// "who: what").
fn everything(j: &SharedJournal, circle: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<_> = network::lock(j)
        .circle_feed(circle, true)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| {
            let replies = e
                .replies
                .iter()
                .map(|r| {
                    let said = r
                        .text
                        .clone()
                        .unwrap_or_else(|| r.support.unwrap().name().to_string());
                    format!("{}: {said}", r.author)
                })
                .collect();
            (e.author, e.title, replies)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn four_people_see_every_shared_entry_and_reply_even_when_only_one_of_them_meets_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (people, circle) = four_in_a_circle(dir.path());
    let names = ["Ann", "Bea", "Cal", "Dan"];
    let (ann, bea, cal, dan) = (&people[0], &people[1], &people[2], &people[3]);
    let rt = runtime();

    // Each shares an entry; Ann's carries a content warning.
    let mine: Vec<String> = people
        .iter()
        .zip(names)
        .map(|(j, n)| {
            write_entry(
                j,
                &format!("{n}'s week"),
                &format!("What {n} lived through."),
            )
        })
        .collect();
    network::lock(ann)
        .share(&mine[0], "Evenings", Some("grief"))
        .unwrap();
    for (j, entry) in people.iter().zip(&mine).skip(1) {
        network::lock(j).share(entry, &circle, None).unwrap();
    }
    // Ann only ever meets Bea; Bea meets Cal and Dan.
    let round = || {
        for (x, y) in [
            (ann, bea),
            (bea, cal),
            (bea, dan),
            (ann, bea),
            (bea, cal),
            (bea, dan),
        ] {
            sync_pair(&rt, x, y);
        }
    };
    round();
    let feed = network::lock(dan).circle_feed("Evenings", false).unwrap();
    assert_eq!(feed.entries.len(), 4, "everything is new to Dan");
    let anns = feed.entries.iter().find(|e| e.author == "Ann").unwrap();
    assert_eq!(anns.warning.as_deref(), Some("grief"));
    assert_eq!(anns.body, None, "behind its warning in the feed");
    assert_eq!(
        network::lock(dan)
            .read_shared(&anns.id)
            .unwrap()
            .body
            .as_deref(),
        Some("What Ann lived through."),
        "opened on purpose"
    );
    assert!(
        network::lock(dan)
            .circle_feed("Evenings", false)
            .unwrap()
            .entries
            .is_empty(),
        "the feed ends: nothing new since the last visit"
    );

    // Replies, and an edit, travel the same way.
    let bea_shared = feed
        .entries
        .iter()
        .find(|e| e.author == "Bea")
        .unwrap()
        .id
        .clone();
    network::lock(cal)
        .reply(&anns.id, None, Some(Support::HearYou))
        .unwrap();
    network::lock(dan)
        .reply(&bea_shared, Some("Same here. Call me."), None)
        .unwrap();
    network::lock(ann)
        .edit(
            &mine[0],
            &hearth_core::EntryPatch {
                body: Some("What Ann lived through, and what helped.".into()),
                ..Default::default()
            },
        )
        .unwrap();
    round();
    let expected = vec![
        (
            "Ann".to_string(),
            "Ann's week".to_string(),
            vec!["Cal: hear-you".to_string()],
        ),
        (
            "Bea".to_string(),
            "Bea's week".to_string(),
            vec!["Dan: Same here. Call me.".to_string()],
        ),
        ("Cal".to_string(), "Cal's week".to_string(), vec![]),
        ("Dan".to_string(), "Dan's week".to_string(), vec![]),
    ];
    let news = network::lock(dan).circle_feed("Evenings", false).unwrap();
    let titles: Vec<&str> = news.entries.iter().map(|e| e.author.as_str()).collect();
    assert_eq!(
        titles,
        ["Ann", "Bea"],
        "only what changed since Dan's last visit"
    );
    for j in &people {
        assert_eq!(everything(j, &circle), expected);
    }
    assert_eq!(
        network::lock(dan)
            .read_shared(&anns.id)
            .unwrap()
            .body
            .as_deref(),
        Some("What Ann lived through, and what helped."),
        "Ann's later edit followed"
    );

    // Unsharing hides it from then on.
    network::lock(dan).unshare(&mine[3], "Evenings").unwrap();
    round();
    for j in &people {
        assert_eq!(everything(j, &circle).len(), 3);
    }
    // Emptying the trash unshares what it purges.
    network::lock(ann).trash(&mine[0]).unwrap();
    network::lock(ann).empty_trash().unwrap();
    round();
    for j in &people {
        let left: Vec<String> = everything(j, &circle).into_iter().map(|e| e.0).collect();
        assert_eq!(left, ["Bea", "Cal"]);
    }
    // Nobody's journal received anyone else's entries.
    for (j, mine) in people.iter().zip([0, 1, 1, 1]) {
        assert_eq!(network::lock(j).len(), mine);
    }
}

/// Ann's circle "Evenings", which Bea, Cal and Dan joined over the network
/// (each through Ann's node); the four journals and the circle's id.
fn four_in_a_circle(dir: &std::path::Path) -> (Vec<SharedJournal>, String) {
    loopback_only();
    let names = ["Ann", "Bea", "Cal", "Dan"];
    let people: Vec<SharedJournal> = names.iter().map(|n| person(dir, n)).collect();
    let made = network::lock(&people[0])
        .create_circle(&NewCircle {
            name: "Evenings".into(),
            as_name: "Ann".into(),
            ..NewCircle::default()
        })
        .unwrap();
    let circle = made.id.clone();
    runtime().block_on(async {
        let net_ann = Network::start(people[0].clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        for (j, name) in people.iter().zip(names).skip(1) {
            let net = Network::start(j.clone(), &NetOptions::default(), None)
                .await
                .unwrap();
            let invitation = net_ann
                .invite_to_circle(&circle, Duration::from_secs(600))
                .unwrap();
            net.join_circle(&invitation.ticket, name, |_| true)
                .await
                .unwrap()
                .unwrap();
            net.shutdown().await;
        }
        net_ann.shutdown().await;
    });
    (people, circle)
}

/// Exchange between every two of `people`, twice over.
fn all_meet(rt: &tokio::runtime::Runtime, people: &[&SharedJournal]) {
    for _ in 0..2 {
        for (i, x) in people.iter().enumerate() {
            for y in &people[i + 1..] {
                sync_pair(rt, x, y);
            }
        }
    }
}

/// `from`'s ops of the circle that `to` lacks, as a device forwarding them
/// would hand them over.
fn forward(from: &SharedJournal, to: &SharedJournal, circle: &str) -> usize {
    let theirs = network::lock(to).version_vector().unwrap();
    let ops: Vec<_> = network::lock(from)
        .ops_missing_from(&theirs, usize::MAX)
        .unwrap()
        .into_iter()
        .filter(|o| hex::encode(o.scope) == circle)
        .collect();
    let n = ops.len();
    network::lock(to).receive(ops).unwrap();
    n
}

fn epoch(j: &SharedJournal, circle: &str) -> u32 {
    network::lock(j).circle(circle).unwrap().epoch
}

#[test]
fn a_removed_member_reads_nothing_written_after_and_their_later_writes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (people, circle) = four_in_a_circle(dir.path());
    let (ann, bea, cal, dan) = (&people[0], &people[1], &people[2], &people[3]);
    let rt = runtime();
    all_meet(&rt, &[ann, bea, cal, dan]);
    let before = epoch(dan, &circle);

    network::lock(bea)
        .remove_member(&circle, "Dan")
        .unwrap_err()
        .to_string()
        .contains("only the admins")
        .then_some(())
        .expect("a member cannot remove anyone");
    network::lock(ann).remove_member(&circle, "Dan").unwrap();
    // Dan, not knowing yet, shares an entry.
    let dans = write_entry(dan, "Dan's late news", "Written after the removal.");
    network::lock(dan).share(&dans, &circle, None).unwrap();
    all_meet(&rt, &[ann, bea, cal]);
    let anns = write_entry(ann, "After Dan", "Only the three of us read this.");
    let shared = network::lock(ann).share(&anns, &circle, None).unwrap();
    all_meet(&rt, &[ann, bea, cal]);
    network::lock(bea)
        .reply(&shared.id, Some("Thank you."), None)
        .unwrap();
    all_meet(&rt, &[ann, bea, cal]);

    let now = epoch(ann, &circle);
    assert_ne!(now, before, "the circle moved to a new key");
    for j in [bea, cal] {
        assert_eq!(epoch(j, &circle), now);
        assert_eq!(member_names(j, &circle), ["Ann", "Bea", "Cal"]);
    }

    // Bea forwards everything she holds to Dan: nothing new is readable.
    assert!(forward(bea, dan, &circle) > 0);
    let dan_sees = network::lock(dan).circle_feed(&circle, true).unwrap();
    assert!(
        dan_sees.entries.iter().all(|e| e.title != "After Dan"),
        "{dan_sees:?}"
    );
    assert_eq!(network::lock(dan).circles().unwrap()[0].role, None);
    assert!(
        epoch(dan, &circle) < now,
        "Dan holds no key of the new epoch"
    );
    network::lock(dan)
        .reply(&shared.id, Some("hello?"), None)
        .unwrap_err();

    // Dan's own later writes reach nobody.
    let refused_before = network::lock(cal).version_vector().unwrap();
    assert!(
        forward(dan, cal, &circle) > 0,
        "Dan had something to hand over"
    );
    assert_eq!(
        network::lock(cal).version_vector().unwrap(),
        refused_before,
        "nothing of Dan's after his removal was stored"
    );
    assert!(
        everything(cal, &circle)
            .iter()
            .all(|(_, title, _)| title != "Dan's late news")
    );
}

#[test]
fn two_removals_made_at_once_leave_one_member_set_and_a_key_neither_removed_person_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (people, circle) = four_in_a_circle(dir.path());
    let (ann, bea, cal, dan) = (&people[0], &people[1], &people[2], &people[3]);
    let rt = runtime();
    network::lock(ann)
        .set_member_role(&circle, "Bea", true)
        .unwrap();
    all_meet(&rt, &[ann, bea, cal, dan]);

    // Apart: Ann removes Cal while Bea removes Dan.
    network::lock(ann).remove_member(&circle, "Cal").unwrap();
    network::lock(bea).remove_member(&circle, "Dan").unwrap();
    all_meet(&rt, &[ann, bea]);

    assert_eq!(member_names(ann, &circle), ["Ann", "Bea"]);
    assert_eq!(member_names(bea, &circle), ["Ann", "Bea"]);
    let manifest = |j: &SharedJournal| {
        let mut d = network::lock(j).circle(&circle).unwrap();
        d.members.iter_mut().for_each(|m| m.you = false);
        d.role = None;
        d
    };
    assert_eq!(manifest(ann), manifest(bea), "one manifest");
    let now = epoch(ann, &circle);
    assert_eq!(epoch(bea, &circle), now, "one key");
    // Each removed person is handed everything; neither holds that key.
    for gone in [cal, dan] {
        forward(ann, gone, &circle);
        assert!(epoch(gone, &circle) < now);
    }
}
