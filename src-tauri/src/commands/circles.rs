//! Circles: small groups the person shares chosen entries with. Making
//! one, listing them, showing one whole, inviting a person into one (on
//! this device's node) and joining one by its ticket, after the person
//! has seen and accepted its agreements; sharing a chosen entry with one
//! (with an optional content warning) and stopping, reading a circle's
//! feed (what is new since the last visit, or everything), opening a
//! shared entry on purpose, and replying with words or a supportive
//! response.

use super::blocking;
use super::pairing::clean_ticket;
use crate::circle_ask::{ANSWER_TIMEOUT, CircleQuestions};
use crate::dto::{CircleInput, CircleJoin};
use crate::error::IpcResult;
use crate::session::Session;
use hearth_core::Journal;
use hearth_core::circle_invite::{CircleInvitation, JoinedCircle};
use hearth_core::circle_share::{CircleFeed, Reply, SharedEntry, Support};
use hearth_core::circles::{CircleDetail, CircleSummary};
use hearth_core::network::NodeCommand;
use std::sync::Arc;
use tauri::State;
use tokio::sync::mpsc;

/// Every circle the person is in (or was), by name.
#[tauri::command]
pub async fn list_circles(state: State<'_, Arc<Session>>) -> IpcResult<Vec<CircleSummary>> {
    blocking(state, |s| s.with(|j| Ok(j.circles()?))).await
}

/// One circle, whole: its purpose, agreements, members and key epoch.
#[tauri::command]
pub async fn show_circle(
    state: State<'_, Arc<Session>>,
    id_or_name: String,
) -> IpcResult<CircleDetail> {
    blocking(state, move |s| s.with(|j| Ok(j.circle(&id_or_name)?))).await
}

/// Make a circle the person owns; nothing is shared with it.
#[tauri::command]
pub async fn create_circle(
    state: State<'_, Arc<Session>>,
    input: CircleInput,
) -> IpcResult<CircleSummary> {
    blocking(state, move |s| s.with(|j| create(j, input))).await
}

fn create(j: &mut Journal, input: CircleInput) -> IpcResult<CircleSummary> {
    Ok(j.create_circle(&input.into())?)
}

/// Share one of the person's entries (id or unique prefix) with a circle
/// they are a member of, with an optional one-line content warning; shared
/// again, the warning is replaced. Later edits follow it.
#[tauri::command]
pub async fn share_entry(
    state: State<'_, Arc<Session>>,
    entry: String,
    circle: String,
    warning: Option<String>,
) -> IpcResult<SharedEntry> {
    blocking(state, move |s| {
        s.with(|j| share(j, &entry, &circle, warning.as_deref()))
    })
    .await
}

fn share(
    j: &mut Journal,
    entry: &str,
    circle: &str,
    warning: Option<&str>,
) -> IpcResult<SharedEntry> {
    Ok(j.share(entry, circle, warning)?)
}

/// Stop sharing an entry with a circle: members' apps stop showing it;
/// what they already received cannot be recalled.
#[tauri::command]
pub async fn unshare_entry(
    state: State<'_, Arc<Session>>,
    entry: String,
    circle: String,
) -> IpcResult<()> {
    blocking(state, move |s| s.with(|j| unshare(j, &entry, &circle))).await
}

fn unshare(j: &mut Journal, entry: &str, circle: &str) -> IpcResult<()> {
    Ok(j.unshare(entry, circle)?)
}

/// A circle's shared entries and replies: only what is new since the last
/// visit, or everything (`all`). Records the visit.
#[tauri::command]
pub async fn circle_feed(
    state: State<'_, Arc<Session>>,
    circle: String,
    all: bool,
) -> IpcResult<CircleFeed> {
    blocking(state, move |s| s.with(|j| feed(j, &circle, all))).await
}

fn feed(j: &mut Journal, circle: &str, all: bool) -> IpcResult<CircleFeed> {
    Ok(j.circle_feed(circle, all)?)
}

/// One shared entry whole, its body too when it carries a content warning:
/// the person opens it on purpose. Records no visit.
#[tauri::command]
pub async fn read_shared(state: State<'_, Arc<Session>>, id: String) -> IpcResult<SharedEntry> {
    blocking(state, move |s| s.with(|j| read(j, &id))).await
}

fn read(j: &Journal, id: &str) -> IpcResult<SharedEntry> {
    Ok(j.read_shared(id)?)
}

/// Reply to a shared entry: with words, or one supportive response (not
/// both, not neither).
#[tauri::command]
pub async fn reply_to_shared(
    state: State<'_, Arc<Session>>,
    id: String,
    text: Option<String>,
    support: Option<Support>,
) -> IpcResult<Reply> {
    blocking(state, move |s| {
        s.with(|j| reply(j, &id, text.as_deref(), support))
    })
    .await
}

fn reply(
    j: &mut Journal,
    id: &str,
    text: Option<&str>,
    support: Option<Support>,
) -> IpcResult<Reply> {
    Ok(j.reply(id, text, support)?)
}

/// Open an invitation to `circle` (id or name) for one person, valid a
/// day; it is answered by this device's node, so only while the app (or
/// `hearth serve`) runs. Only owners and admins invite.
#[tauri::command]
pub async fn invite_to_circle(
    state: State<'_, Arc<Session>>,
    circle: String,
) -> IpcResult<CircleInvitation> {
    let commands = state.node()?;
    crate::node::circle_invite(commands, circle).await
}

/// Join the circle `ticket` invites to, appearing to it as `as_name`. What
/// the circle is for, its agreements and members come to the window as a
/// question first; nothing changes unless the person accepts.
#[tauri::command]
pub async fn join_circle(
    state: State<'_, Arc<Session>>,
    ticket: String,
    as_name: String,
) -> IpcResult<CircleJoin> {
    let commands = state.node()?;
    let questions = state.circle_questions().clone();
    join(commands, questions, &ticket, &as_name).await
}

/// The person's answer to circle question `id`: accept its agreements and
/// join, or decline.
#[tauri::command]
pub async fn answer_circle_question(
    state: State<'_, Arc<Session>>,
    id: u32,
    accept: bool,
) -> IpcResult<()> {
    state.touch();
    state.circle_questions().answer(id, accept)
}

async fn join(
    commands: mpsc::Sender<NodeCommand>,
    questions: Arc<CircleQuestions>,
    ticket: &str,
    as_name: &str,
) -> IpcResult<CircleJoin> {
    let joined = crate::node::join_circle(
        commands,
        clean_ticket(ticket),
        as_name.trim().to_string(),
        move |preview| questions.ask(|_| preview.clone(), ANSWER_TIMEOUT),
    )
    .await?;
    Ok(outcome(joined))
}

fn outcome(joined: Option<JoinedCircle>) -> CircleJoin {
    match joined {
        None => CircleJoin {
            joined: false,
            circle: None,
            sync_error: None,
        },
        Some(j) => CircleJoin {
            joined: true,
            sync_error: j.first_sync.as_ref().err().map(ToString::to_string),
            circle: Some(j.circle),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::error::{ErrorKind, IpcError};
    use crate::session::tests::cheap;
    use hearth_core::Vault;
    use hearth_core::circle_invite::CirclePreview;
    use hearth_core::circles::CircleRole;
    use serde_json::json;

    fn input(name: &str, as_name: &str) -> CircleInput {
        serde_json::from_value(json!({
            "name": name,
            "about": "  Walking on Sundays. ",
            "agreements": "What is said here stays here.\nBe kind.",
            "asName": as_name,
        }))
        .unwrap()
    }

    #[test]
    fn a_made_circle_is_listed_and_shown_with_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        assert!(j.circles().unwrap().is_empty());
        let made = create(&mut j, input(" Sunday walkers ", " Fern ")).unwrap();
        assert_eq!(made.name, "Sunday walkers");
        assert_eq!(made.role, Some(CircleRole::Owner));
        assert_eq!(made.id.len(), 32);
        assert_eq!(j.circles().unwrap(), vec![made.clone()]);

        let shown = j.circle(&made.id).unwrap();
        assert_eq!(shown.name, "Sunday walkers");
        assert_eq!(shown.about, "Walking on Sundays.");
        assert_eq!(shown.agreements, "What is said here stays here.\nBe kind.");
        assert_eq!(shown.role, Some(CircleRole::Owner));
        assert_eq!((shown.epoch, shown.waiting), (0, 0));
        let [me] = shown.members.as_slice() else {
            panic!("one member: {:?}", shown.members)
        };
        assert_eq!(
            (me.name.as_str(), me.role, me.you),
            ("Fern", CircleRole::Owner, true)
        );
        assert_eq!(j.circle("sunday walkers").unwrap(), shown);
    }

    #[test]
    fn the_form_arrives_in_camel_case() {
        let c: CircleInput = serde_json::from_value(json!({ "name": "A", "asName": "B" })).unwrap();
        assert_eq!((c.name.as_str(), c.as_name.as_str()), ("A", "B"));
        assert!(c.about.is_empty() && c.agreements.is_empty());
    }

    #[test]
    fn a_bad_name_is_refused_and_nothing_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let e = create(&mut j, input("   ", "Fern")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(
            e.message,
            "a circle's name is one line of 1 to 100 bytes; nothing was changed"
        );
        let e = create(&mut j, input(&"x".repeat(101), "Fern")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{}", e.message);
        let e = create(&mut j, input("Walkers", "")).unwrap_err();
        assert_eq!(
            e.message,
            "how you appear to the circle is one line of 1 to 100 bytes; nothing was changed"
        );
        assert!(j.circles().unwrap().is_empty());
    }

    /// A node that takes one join: it checks the ticket and name arrive
    /// cleaned, asks `accept` on a blocking thread as the core does, and
    /// replies with `joined` when accepted.
    fn one_join(joined: Option<JoinedCircle>) -> mpsc::Sender<NodeCommand> {
        let (commands, mut taken) = mpsc::channel(1);
        tokio::spawn(async move {
            let Some(NodeCommand::JoinCircle {
                ticket,
                as_name,
                accept,
                reply,
            }) = taken.recv().await
            else {
                panic!("a join was expected");
            };
            assert_eq!(
                (ticket.as_str(), as_name.as_str()),
                ("hearthcircleabcd", "Ash")
            );
            let preview = crate::circle_ask::tests::preview();
            let yes = tokio::task::spawn_blocking(move || accept(&preview))
                .await
                .unwrap();
            let _ = reply.send(Ok(if yes { joined } else { None }));
        });
        commands
    }

    fn walkers() -> CircleSummary {
        CircleSummary {
            id: "ab".repeat(16),
            name: "Sunday walkers".into(),
            role: Some(CircleRole::Member),
        }
    }

    #[tokio::test]
    async fn joining_shows_the_circle_first_and_accepting_joins() {
        let (questions, told) = crate::question::tests::recorded::<CirclePreview>();
        let answering = questions.clone();
        let shown = told.clone();
        let answer = std::thread::spawn(move || {
            let (id, preview) = crate::question::tests::wait_for_question(&shown);
            assert_eq!(preview.agreements, "What is said here stays here.");
            answering.answer(id, true).unwrap();
        });
        let joined = Some(JoinedCircle {
            circle: walkers(),
            first_sync: Err(hearth_core::CoreError::Network(
                "the inviter went away".into(),
            )),
        });
        let done = join(
            one_join(joined),
            questions,
            " HEARTHCIRCLE ab\ncd ",
            "  Ash ",
        )
        .await
        .unwrap();
        answer.join().unwrap();
        assert_eq!(
            serde_json::to_value(&done).unwrap(),
            json!({
                "joined": true,
                "circle": { "id": "ab".repeat(16), "name": "Sunday walkers", "role": "member" },
                "syncError": done.sync_error.clone(),
            })
        );
        assert!(
            done.sync_error
                .as_deref()
                .unwrap()
                .contains("the inviter went away"),
            "{:?}",
            done.sync_error
        );
    }

    #[tokio::test]
    async fn declining_changes_nothing() {
        let (questions, told) = crate::question::tests::recorded::<CirclePreview>();
        let answering = questions.clone();
        let answer = std::thread::spawn(move || {
            let (id, _) = crate::question::tests::wait_for_question(&told);
            answering.answer(id, false).unwrap();
        });
        let joined = Some(JoinedCircle {
            circle: walkers(),
            first_sync: Err(hearth_core::CoreError::Network("unused".into())),
        });
        let done = join(one_join(joined), questions, "hearthcircleabcd", "Ash")
            .await
            .unwrap();
        answer.join().unwrap();
        assert_eq!(
            serde_json::to_value(&done).unwrap(),
            json!({ "joined": false, "circle": null, "syncError": null })
        );
    }

    #[test]
    fn inviting_or_joining_without_a_running_node_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::new(dir.path().to_path_buf());
        let e = session.node().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Locked);
        session
            .open(Vault::create(dir.path(), b"pw", cheap()).unwrap())
            .unwrap();
        let e = session.node().unwrap_err();
        assert!(e.message.contains("sync does not run"), "{}", e.message);
        let e = session.circle_questions().answer(1, true).unwrap_err();
        assert!(e.message.contains("no longer waiting"), "{}", e.message);
    }

    #[test]
    fn an_unknown_circle_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let e = IpcError::from(j.circle("nowhere").unwrap_err());
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("no circle called"), "{}", e.message);
    }

    /// A journal with one circle and one entry in it: (dir, journal,
    /// circle id, entry id).
    fn sharing() -> (tempfile::TempDir, Journal, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let circle = create(&mut j, input("Sunday walkers", "Fern")).unwrap().id;
        let entry = j
            .write(hearth_core::EntryDraft {
                title: "Hard day".into(),
                body: "Everything felt heavy.".into(),
                mood: Some(2),
                tags: vec!["family".into()],
                ..Default::default()
            })
            .unwrap();
        (dir, j, circle, entry.id.to_string())
    }

    #[test]
    fn a_shared_entry_with_a_warning_is_in_the_feed_without_its_body_until_opened() {
        let (_dir, mut j, circle, entry) = sharing();
        let shared = share(&mut j, &entry, "sunday walkers", Some("  grief  ")).unwrap();
        assert_eq!(shared.circle, circle);
        assert_eq!(shared.entry.as_deref(), Some(entry.as_str()));
        assert_eq!(shared.warning.as_deref(), Some("grief"));
        assert!(shared.you);
        assert_eq!(shared.author, "Fern");

        let all = feed(&mut j, &circle, true).unwrap();
        assert_eq!((all.name.as_str(), all.only_new), ("Sunday walkers", false));
        let [one] = all.entries.as_slice() else {
            panic!("one entry: {:?}", all.entries)
        };
        assert_eq!(one.title, "Hard day");
        assert_eq!(one.body, None, "behind its warning");
        assert_eq!(
            (one.mood, one.tags.clone()),
            (Some(2), vec!["family".to_string()])
        );
        let v = serde_json::to_value(&all).unwrap();
        assert_eq!(v["only_new"], json!(false));
        assert_eq!(v["entries"][0]["warning"], json!("grief"));
        assert!(v["entries"][0]["written_at"].is_string());

        // The visit was recorded: nothing is new now.
        assert!(feed(&mut j, &circle, false).unwrap().entries.is_empty());
        let opened = read(&j, &one.id[..8]).unwrap();
        assert_eq!(opened.body.as_deref(), Some("Everything felt heavy."));
        // Opening it records no visit and changes nothing.
        assert!(feed(&mut j, &circle, false).unwrap().only_new);
    }

    #[test]
    fn a_reply_is_words_or_one_supportive_response_and_shows_in_the_thread() {
        let (_dir, mut j, circle, entry) = sharing();
        let shared = share(&mut j, &entry, &circle, None).unwrap();
        assert_eq!(shared.body.as_deref(), Some("Everything felt heavy."));
        let words = reply(&mut j, &shared.id, Some(" Thank you. "), None).unwrap();
        assert_eq!(
            (words.text.as_deref(), words.you),
            (Some("Thank you."), true)
        );
        let support: Support = serde_json::from_value(json!("here-for-you")).unwrap();
        let warm = reply(&mut j, &shared.id, None, Some(support)).unwrap();
        assert_eq!(warm.support, Some(Support::HereForYou));
        assert_eq!(
            serde_json::to_value(&warm).unwrap()["support"],
            json!("here-for-you")
        );

        let e = reply(&mut j, &shared.id, Some("Both"), Some(Support::HearYou)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(
            e.message.contains("not both and not neither"),
            "{}",
            e.message
        );
        let e = reply(&mut j, &shared.id, Some("   "), None).unwrap_err();
        assert!(
            e.message.contains("not both and not neither"),
            "{}",
            e.message
        );
        let e = reply(&mut j, "zzzz", Some("Hello"), None).unwrap_err();
        assert!(
            e.message.contains("not a shared entry's id"),
            "{}",
            e.message
        );

        let now = feed(&mut j, &circle, true).unwrap();
        let replies = &now.entries[0].replies;
        assert_eq!(replies.len(), 2);
        assert_eq!(replies[0].text.as_deref(), Some("Thank you."));
        assert_eq!(replies[1].support, Some(Support::HereForYou));
        assert!(replies.iter().all(|r| r.you && r.author == "Fern"));
    }

    #[test]
    fn sharing_refuses_a_bad_warning_and_an_unknown_circle() {
        let (_dir, mut j, circle, entry) = sharing();
        let e = share(&mut j, &entry, &circle, Some("one\ntwo")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(
            e.message.contains("content warning is one line"),
            "{}",
            e.message
        );
        let e = share(&mut j, &entry, &circle, Some(&"x".repeat(101))).unwrap_err();
        assert!(e.message.contains("nothing was shared"), "{}", e.message);
        let e = share(&mut j, &entry, "nowhere", None).unwrap_err();
        assert!(e.message.contains("no circle called"), "{}", e.message);
        assert!(feed(&mut j, &circle, true).unwrap().entries.is_empty());
    }

    #[test]
    fn after_leaving_a_circle_nothing_is_shared_answered_or_unshared_there() {
        let (_dir, mut j, circle, entry) = sharing();
        let shared = share(&mut j, &entry, &circle, None).unwrap();
        j.leave_circle(&circle).unwrap();
        let e = share(&mut j, &entry, &circle, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(
            e.message,
            "you are not a member of \"Sunday walkers\": nothing was changed"
        );
        let e = unshare(&mut j, &entry, &circle).unwrap_err();
        assert!(e.message.contains("you are not a member"), "{}", e.message);
        let e = reply(&mut j, &shared.id, Some("Still here"), None).unwrap_err();
        assert!(e.message.contains("you are not a member"), "{}", e.message);
    }

    #[test]
    fn unsharing_takes_it_out_of_the_feed_and_twice_is_refused() {
        let (_dir, mut j, circle, entry) = sharing();
        let shared = share(&mut j, &entry, &circle, None).unwrap();
        unshare(&mut j, &entry, &circle).unwrap();
        assert!(feed(&mut j, &circle, true).unwrap().entries.is_empty());
        let e = read(&j, &shared.id).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        let e = unshare(&mut j, &entry, &circle).unwrap_err();
        assert!(
            e.message.contains("not shared with that circle"),
            "{}",
            e.message
        );
        // Shared again, it is back.
        share(&mut j, &entry, &circle, None).unwrap();
        assert_eq!(feed(&mut j, &circle, true).unwrap().entries.len(), 1);
    }
}
