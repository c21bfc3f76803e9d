//! What the window hears about the network, as one event
//! (`hearth://net`) whose payload says which kind it is: the core's
//! `NetEvent`s turned into shapes the window can read, the node's own
//! failures, and the pairing code to compare. The shell's parts send
//! notices through a [`Tell`], so they need no window to be tested.

use crate::confirm::CodeQuestion;
use crate::dto::time;
use hearth_core::circle_invite::CirclePreview;
use hearth_core::network::{NetEvent, NodeStatus, SyncReport};
use serde::Serialize;
use std::sync::Arc;
use ts_rs::TS;

/// The window's event for everything below.
pub const NET_EVENT: &str = "hearth://net";

/// Something that happened on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NetNotice {
    /// An exchange with a device ended: its report, or why it failed.
    Synced {
        report: Option<SyncReport>,
        error: Option<String>,
    },
    /// Photos and files moved with a device: how many each way, or why the
    /// transfer stopped (the next one resumes).
    FilesMoved {
        device: String,
        received: u32,
        sent: u32,
        error: Option<String>,
    },
    /// A new device joined through this device's invitation.
    Paired { device: String, name: String },
    /// Pairing failed; the invitation is spent.
    PairingFailed { reason: String },
    /// A person joined a circle through this device's invitation: who
    /// joined what, in words.
    CircleJoined { joined: String },
    /// The node came up (devices can reach this one).
    Up,
    /// The node closed: offline mode, or outside the sync windows (then
    /// `opens_at` says when it opens, RFC 3339).
    #[serde(rename_all = "camelCase")]
    Closed {
        state: NodeStatus,
        opens_at: Option<String>,
    },
    /// Another device's changes reached these entries (ids); the purged
    /// ones are gone for good.
    EntriesChanged {
        changed: Vec<String>,
        purged: Vec<String>,
    },
    /// Another device's ops changed these circles (ids): shared entries,
    /// replies, members. `quiet`: inside the quiet hours, so no
    /// notification is shown.
    CirclesChanged { circles: Vec<String>, quiet: bool },
    /// The node stopped on an error; it is started again shortly.
    Failed { reason: String },
    /// Some notices were lost on the way: whatever is shown may be out of
    /// date, so the window reads it again.
    Missed,
    /// Compare this code with the one the other device shows.
    CodeQuestion { question: CodeQuestion },
    /// The code question `id` is closed (answered, timed out, withdrawn).
    CodeClosed { id: u32 },
    /// Joining a circle: what it is for, its agreements and members, for
    /// the person to accept or decline (answered with question `id`).
    CircleQuestion { id: u32, preview: CirclePreview },
    /// The circle question `id` is closed (answered, timed out, withdrawn).
    CircleQuestionClosed { id: u32 },
}

impl From<NetEvent> for NetNotice {
    fn from(e: NetEvent) -> Self {
        match e {
            NetEvent::Synced(Ok(report)) => NetNotice::Synced {
                report: Some(report),
                error: None,
            },
            NetEvent::Synced(Err(error)) => NetNotice::Synced {
                report: None,
                error: Some(error),
            },
            NetEvent::Paired { device, name } => NetNotice::Paired { device, name },
            NetEvent::PairingFailed(reason) => NetNotice::PairingFailed { reason },
            NetEvent::CircleJoined(joined) => NetNotice::CircleJoined { joined },
            // The address ticket stays in the shell: the window has no use
            // for it, and `sync_status` carries it for whoever needs it.
            NetEvent::Up { .. } => NetNotice::Up,
            NetEvent::Closed { state, opens_at } => NetNotice::Closed {
                state,
                opens_at: opens_at.map(time),
            },
            NetEvent::CirclesChanged { circles } => NetNotice::CirclesChanged {
                circles,
                quiet: false,
            },
            NetEvent::FilesMoved {
                device,
                received,
                sent,
                error,
            } => NetNotice::FilesMoved {
                device,
                received: u32::try_from(received).unwrap_or(u32::MAX),
                sent: u32::try_from(sent).unwrap_or(u32::MAX),
                error,
            },
            NetEvent::EntriesChanged { changed, purged } => NetNotice::EntriesChanged {
                changed: changed.iter().map(ToString::to_string).collect(),
                purged: purged.iter().map(ToString::to_string).collect(),
            },
        }
    }
}

/// Sends a notice to the window.
pub type Tell = Arc<dyn Fn(NetNotice) + Send + Sync>;

/// A [`Tell`] that emits [`NET_EVENT`] to every window of `app`.
pub fn to_window(app: tauri::AppHandle) -> Tell {
    use tauri::Emitter;
    Arc::new(move |notice| {
        let _ = app.emit(NET_EVENT, notice);
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn notices_serialize_with_their_kind() {
        let closed = NetNotice::from(NetEvent::Closed {
            state: NodeStatus::Waiting,
            opens_at: Some("2026-06-01T19:00:00Z".parse().unwrap()),
        });
        assert_eq!(
            serde_json::to_value(&closed).unwrap(),
            serde_json::json!({"kind": "closed", "state": "waiting", "opensAt": "2026-06-01T19:00:00.000Z"})
        );
        let failed = NetNotice::from(NetEvent::Synced(Err("gone".into())));
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            serde_json::json!({"kind": "synced", "report": null, "error": "gone"})
        );
        let up = NetNotice::from(NetEvent::Up {
            ticket: "endpointabc".into(),
        });
        assert_eq!(
            serde_json::to_value(&up).unwrap(),
            serde_json::json!({"kind": "up"})
        );
    }
}
