//! Circles: small groups the person shares chosen entries with. Making
//! one, listing them, showing one whole, inviting a person into one (on
//! this device's node) and joining one by its ticket, after the person
//! has seen and accepted its agreements (sharing comes later, in the core
//! first).

use super::blocking;
use super::pairing::clean_ticket;
use crate::circle_ask::{ANSWER_TIMEOUT, CircleQuestions};
use crate::dto::{CircleInput, CircleJoin};
use crate::error::IpcResult;
use crate::session::Session;
use hearth_core::Journal;
use hearth_core::circle_invite::{CircleInvitation, JoinedCircle};
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
}
