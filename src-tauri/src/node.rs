//! This device's node while the journal is open: hearth-core's `run_node`
//! on Tauri's async runtime. The node follows the person's network
//! settings by itself (no socket while offline mode is on or outside the
//! sync windows); around it the shell passes on the window's commands
//! (invite, sync now), tells the window what happens, starts the node again
//! when it fails, and stops it when the journal locks or the app quits.

use crate::error::{IpcError, IpcResult};
use crate::notify::{NetNotice, Tell};
use hearth_core::CoreError;
use hearth_core::circle_invite::{self, CircleInvitation, CirclePreview, JoinedCircle};
use hearth_core::network::{
    self, Confirm, NetEvent, NodeCommand, NodeRun, SharedJournal, SyncReport,
};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};

/// How long a failed node rests before it is started again.
const RESTART_AFTER: Duration = Duration::from_secs(10);
/// How long stopping waits for the node to close its sockets.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// The node of the open journal.
pub struct RunningNode {
    commands: mpsc::Sender<NodeCommand>,
    stop: oneshot::Sender<()>,
    done: std::sync::mpsc::Receiver<()>,
}

impl RunningNode {
    /// Start the node on `journal`; `confirm` asks the person whether a new
    /// device's code matches, `tell` reaches the window.
    pub fn start(journal: SharedJournal, confirm: Confirm, tell: Tell) -> Self {
        let (commands, from_shell) = mpsc::channel(8);
        let (stop, stopped) = oneshot::channel();
        let (finished, done) = std::sync::mpsc::channel();
        tauri::async_runtime::spawn(async move {
            supervise(journal, confirm, tell, from_shell, stopped).await;
            let _ = finished.send(());
        });
        Self {
            commands,
            stop,
            done,
        }
    }

    /// Where the node takes commands.
    pub fn commands(&self) -> mpsc::Sender<NodeCommand> {
        self.commands.clone()
    }

    /// Stop the node and wait (a few seconds at most) until its sockets are
    /// closed and it no longer holds the journal. Blocks: call it from a
    /// blocking thread.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.done.recv_timeout(STOP_WAIT);
    }
}

/// Run the node until `stop`, starting it again after a failure.
async fn supervise(
    journal: SharedJournal,
    confirm: Confirm,
    tell: Tell,
    mut from_shell: mpsc::Receiver<NodeCommand>,
    mut stop: oneshot::Receiver<()>,
) {
    let (events, heard) = broadcast::channel(256);
    let forwarder = tauri::async_runtime::spawn(forward(heard, tell.clone(), journal.clone()));
    let mut shell_open = true;
    loop {
        let (to_node, commands) = mpsc::channel(8);
        let (halt, halted) = oneshot::channel::<()>();
        let run = NodeRun {
            port: 0,
            events: events.clone(),
            confirm: Some(confirm.clone()),
            commands,
        };
        let mut node =
            tauri::async_runtime::spawn(network::run_node(journal.clone(), run, async {
                let _ = halted.await;
            }));
        let mut halt = Some(halt);
        let outcome = loop {
            tokio::select! {
                result = &mut node => break result,
                _ = &mut stop => {
                    if let Some(halt) = halt.take() {
                        let _ = halt.send(());
                    }
                    let _ = (&mut node).await;
                    forwarder.abort();
                    return;
                }
                command = from_shell.recv(), if shell_open => match command {
                    Some(command) => {
                        if let Err(mpsc::error::SendError(command)) = to_node.send(command).await {
                            refuse(command, "the network stopped");
                        }
                    }
                    None => shell_open = false,
                },
            }
        };
        let reason = match outcome {
            Ok(Ok(())) => "the network stopped".to_string(),
            Ok(Err(e)) => e.to_string(),
            Err(e) => format!("the network task failed: {e}"),
        };
        tell(NetNotice::Failed {
            reason: reason.clone(),
        });
        let rest = tokio::time::sleep(RESTART_AFTER);
        tokio::pin!(rest);
        loop {
            tokio::select! {
                _ = &mut rest => break,
                _ = &mut stop => {
                    forwarder.abort();
                    return;
                }
                command = from_shell.recv(), if shell_open => match command {
                    Some(command) => refuse(command, &reason),
                    None => shell_open = false,
                },
            }
        }
    }
}

/// Answer a command the node cannot take now.
fn refuse(command: NodeCommand, reason: &str) {
    let error = || {
        CoreError::Network(format!(
            "sync is not running just now ({reason}); it starts again in a few seconds"
        ))
    };
    match command {
        NodeCommand::Invite { reply, .. } => {
            let _ = reply.send(Err(error()));
        }
        NodeCommand::SyncNow { reply } => {
            let _ = reply.send(vec![("every device".into(), Err(error()))]);
        }
        NodeCommand::CloseInvite => {}
        NodeCommand::CircleInvite { reply, .. } => {
            let _ = reply.send(Err(error()));
        }
        NodeCommand::JoinCircle { reply, .. } => {
            let _ = reply.send(Err(error()));
        }
    }
}

/// Pass the node's events on to the window; changes to circles say
/// whether they came inside the quiet hours.
async fn forward(mut heard: broadcast::Receiver<NetEvent>, tell: Tell, journal: SharedJournal) {
    use broadcast::error::RecvError;
    loop {
        match heard.recv().await {
            Ok(event @ NetEvent::CirclesChanged { .. }) => {
                let journal = journal.clone();
                let notice =
                    tauri::async_runtime::spawn_blocking(move || notice(event, &journal)).await;
                if let Ok(notice) = notice {
                    tell(notice);
                }
            }
            Ok(event) => tell(event.into()),
            Err(RecvError::Lagged(_)) => tell(NetNotice::Missed),
            Err(RecvError::Closed) => return,
        }
    }
}

/// The window's notice for `event`, with `quiet` set from the journal's
/// quiet hours now (not quiet when they cannot be read).
fn notice(event: NetEvent, journal: &SharedJournal) -> NetNotice {
    let mut notice = NetNotice::from(event);
    if let NetNotice::CirclesChanged { quiet, .. } = &mut notice {
        *quiet = network::lock(journal).quiet_now().unwrap_or(false);
    }
    notice
}

fn stopped() -> IpcError {
    IpcError::internal(
        "sync stopped before it answered: lock and unlock the journal to start it again",
    )
}

/// Open a pairing invitation on the node; returns its ticket.
pub async fn invite(commands: mpsc::Sender<NodeCommand>) -> IpcResult<String> {
    let (reply, answer) = oneshot::channel();
    commands
        .send(NodeCommand::Invite {
            ttl: network::DEFAULT_INVITE_TTL,
            reply,
        })
        .await
        .map_err(|_| stopped())?;
    Ok(answer.await.map_err(|_| stopped())??)
}

/// Close the open invitation, if any.
pub async fn close_invite(commands: mpsc::Sender<NodeCommand>) -> IpcResult<()> {
    commands
        .send(NodeCommand::CloseInvite)
        .await
        .map_err(|_| stopped())
}

/// Exchange with every known device now; per device, what moved or why not.
pub async fn sync_now(
    commands: mpsc::Sender<NodeCommand>,
) -> IpcResult<Vec<(String, Result<SyncReport, CoreError>)>> {
    let (reply, answer) = oneshot::channel();
    commands
        .send(NodeCommand::SyncNow { reply })
        .await
        .map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())
}

/// Open an invitation to `circle` (id or name) on the node, valid for
/// [`DEFAULT_CIRCLE_INVITE_TTL`](hearth_core::circle_invite::DEFAULT_CIRCLE_INVITE_TTL).
pub async fn circle_invite(
    commands: mpsc::Sender<NodeCommand>,
    circle: String,
) -> IpcResult<CircleInvitation> {
    let (reply, answer) = oneshot::channel();
    commands
        .send(NodeCommand::CircleInvite {
            circle,
            ttl: circle_invite::DEFAULT_CIRCLE_INVITE_TTL,
            reply,
        })
        .await
        .map_err(|_| stopped())?;
    Ok(answer.await.map_err(|_| stopped())??)
}

/// Join the circle `ticket` invites to as `as_name`; `accept` is shown the
/// circle (on a blocking thread) and says whether the person accepts its
/// agreements. `None` when they declined: nothing changed.
pub async fn join_circle(
    commands: mpsc::Sender<NodeCommand>,
    ticket: String,
    as_name: String,
    accept: impl FnOnce(&CirclePreview) -> bool + Send + 'static,
) -> IpcResult<Option<JoinedCircle>> {
    let (reply, answer) = oneshot::channel();
    commands
        .send(NodeCommand::JoinCircle {
            ticket,
            as_name,
            accept: Box::new(accept),
            reply,
        })
        .await
        .map_err(|_| stopped())?;
    Ok(answer.await.map_err(|_| stopped())??)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    /// A node that refuses every command, as one that is restarting does.
    fn refusing() -> mpsc::Sender<NodeCommand> {
        let (commands, mut taken) = mpsc::channel(8);
        tokio::spawn(async move {
            while let Some(command) = taken.recv().await {
                refuse(command, "offline mode is on");
            }
        });
        commands
    }

    #[tokio::test]
    async fn a_circle_invitation_while_the_node_is_down_says_why() {
        let e = circle_invite(refusing(), "Walkers".into())
            .await
            .unwrap_err();
        assert!(
            e.message
                .contains("sync is not running just now (offline mode is on)"),
            "{}",
            e.message
        );
        let e = join_circle(refusing(), "hearthcircle".into(), "Fern".into(), |_| true)
            .await
            .unwrap_err();
        assert!(e.message.contains("offline mode is on"), "{}", e.message);
    }

    #[test]
    fn circle_changes_are_quiet_only_inside_the_quiet_hours() {
        use chrono::Timelike;
        use hearth_core::netconfig::SyncWindow;
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        let j =
            hearth_core::Vault::create(dir.path(), b"pw", crate::session::tests::cheap()).unwrap();
        let journal: SharedJournal = Arc::new(Mutex::new(j));
        let changed = || NetEvent::CirclesChanged {
            circles: vec!["ab".repeat(16)],
        };
        let quiet = |n: NetNotice| match n {
            NetNotice::CirclesChanged { circles, quiet } => {
                assert_eq!(circles, vec!["ab".repeat(16)]);
                quiet
            }
            other => panic!("{other:?}"),
        };
        assert!(!quiet(notice(changed(), &journal)), "no quiet hours");
        let now = chrono::Local::now();
        let minute = (now.hour() * 60 + now.minute()) as u16;
        let around = |from: u16, to: u16| SyncWindow {
            start: (minute + 1440 - from) % 1440,
            end: (minute + to) % 1440,
        };
        let set = |w: SyncWindow| {
            let mut j = network::lock(&journal);
            let mut c = j.net_config().unwrap();
            c.quiet_hours = Some(w);
            j.set_net_config(&c).unwrap();
        };
        set(around(60, 60));
        assert!(quiet(notice(changed(), &journal)), "inside");
        set(around(1380, 1320)); // from an hour after now to two before
        assert!(!quiet(notice(changed(), &journal)), "outside");
        let other = notice(NetEvent::PairingFailed("gone".into()), &journal);
        assert_eq!(
            other,
            NetNotice::PairingFailed {
                reason: "gone".into()
            }
        );
    }

    #[tokio::test]
    async fn a_stopped_node_says_so() {
        let (commands, taken) = mpsc::channel(1);
        drop(taken);
        let e = circle_invite(commands, "Walkers".into()).await.unwrap_err();
        assert!(e.message.contains("sync stopped"), "{}", e.message);
    }
}
