//! Looking after a circle and oneself in it: removing a member, promoting
//! and demoting (admins), leaving; muting a member (for oneself alone);
//! reporting a shared entry or a reply to the circle's admins and, for
//! admins, reading the reports; and an away note to every circle, with
//! offline mode until the date if the person asks.

use super::blocking;
use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use chrono::{DateTime, Utc};
use hearth_core::Journal;
use hearth_core::circle_notes::Report;
use std::sync::Arc;
use std::time::Duration;
use tauri::State;

/// How long going offline waits for the circles' devices to hear the note.
const TELL_WAIT: Duration = Duration::from_secs(20);

/// Remove a member (id or name) from a circle (admins only). A new key
/// epoch begins: the person keeps what they already received and reads
/// nothing new. Returns their name.
#[tauri::command]
pub async fn remove_member(
    state: State<'_, Arc<Session>>,
    circle: String,
    member: String,
) -> IpcResult<String> {
    blocking(state, move |s| s.with(|j| remove(j, &circle, &member))).await
}

fn remove(j: &mut Journal, circle: &str, member: &str) -> IpcResult<String> {
    Ok(j.remove_member(circle, member)?)
}

/// Make a member an admin, or an admin a member again (admins only; the
/// owner stays an admin). Returns their name.
#[tauri::command]
pub async fn set_member_role(
    state: State<'_, Arc<Session>>,
    circle: String,
    member: String,
    admin: bool,
) -> IpcResult<String> {
    blocking(state, move |s| s.with(|j| role(j, &circle, &member, admin))).await
}

fn role(j: &mut Journal, circle: &str, member: &str, admin: bool) -> IpcResult<String> {
    Ok(j.set_member_role(circle, member, admin)?)
}

/// Leave a circle. Returns its name.
#[tauri::command]
pub async fn leave_circle(state: State<'_, Arc<Session>>, circle: String) -> IpcResult<String> {
    blocking(state, move |s| s.with(|j| leave(j, &circle))).await
}

fn leave(j: &mut Journal, circle: &str) -> IpcResult<String> {
    Ok(j.leave_circle(circle)?)
}

/// Hide (or show again) a member's entries and replies, for this person
/// alone: nobody is told. Returns their name.
#[tauri::command]
pub async fn mute_member(
    state: State<'_, Arc<Session>>,
    circle: String,
    member: String,
    mute: bool,
) -> IpcResult<String> {
    blocking(state, move |s| {
        s.with(|j| mute_one(j, &circle, &member, mute))
    })
    .await
}

fn mute_one(j: &mut Journal, circle: &str, member: &str, mute: bool) -> IpcResult<String> {
    Ok(j.mute_member(circle, member, mute)?)
}

/// Report a shared entry or a reply (its id) to the circle's admins, and
/// why; only they read it.
#[tauri::command]
pub async fn report_item(
    state: State<'_, Arc<Session>>,
    circle: String,
    item: String,
    reason: String,
) -> IpcResult<()> {
    blocking(state, move |s| {
        s.with(|j| report(j, &circle, &item, &reason))
    })
    .await
}

fn report(j: &mut Journal, circle: &str, item: &str, reason: &str) -> IpcResult<()> {
    Ok(j.report(circle, item, reason)?)
}

/// The reports made in a circle (admins only).
#[tauri::command]
pub async fn circle_reports(
    state: State<'_, Arc<Session>>,
    circle: String,
) -> IpcResult<Vec<Report>> {
    blocking(state, move |s| s.with(|j| reports(j, &circle))).await
}

fn reports(j: &Journal, circle: &str) -> IpcResult<Vec<Report>> {
    Ok(j.circle_reports(circle)?)
}

/// Tell every circle the person is taking a break until `until` (RFC 3339
/// or YYYY-MM-DD, local midnight), with an optional one-line note; `None`:
/// they are back (the note goes, and offline mode set by an away note
/// ends). With `offline`, the circles' devices are told now if the node
/// can reach them, then offline mode holds until that moment. Returns the
/// circles told, by name.
#[tauri::command]
pub async fn set_away(
    state: State<'_, Arc<Session>>,
    until: Option<String>,
    note: Option<String>,
    offline: bool,
) -> IpcResult<Vec<String>> {
    let session = Arc::clone(state.inner());
    let (told, until) = blocking(state, move |s| {
        s.with(|j| write_note(j, until.as_deref(), note.as_deref(), offline))
    })
    .await?;
    if let (Some(until), true) = (until, offline) {
        // Best effort: the note reaches whoever answers now; the others
        // hear it from them.
        if let Ok(commands) = session.node() {
            let _ = tokio::time::timeout(TELL_WAIT, crate::node::sync_now(commands)).await;
        }
        let s = Arc::clone(&session);
        tauri::async_runtime::spawn_blocking(move || s.with(|j| go_offline(j, until)))
            .await
            .map_err(|e| IpcError::internal(format!("the task stopped: {e}")))??;
    }
    Ok(told)
}

/// Write the away note (or take it back), checking the date first; with
/// the person back, end offline mode an away note set.
fn write_note(
    j: &mut Journal,
    until: Option<&str>,
    note: Option<&str>,
    offline: bool,
) -> IpcResult<(Vec<String>, Option<DateTime<Utc>>)> {
    let until = until
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(hearth_core::when::parse_datetime)
        .transpose()?;
    if until.is_none() && (offline || note.is_some_and(|n| !n.trim().is_empty())) {
        return Err(IpcError::invalid(
            "say until when you are taking a break (a date still to come); nothing was changed",
        ));
    }
    let told = j.set_away(until, note)?;
    if until.is_none() {
        let mut c = j.net_config()?;
        if c.offline_until.is_some() {
            c.offline = false;
            c.offline_until = None;
            j.set_net_config(&c)?;
        }
    }
    Ok((told, until))
}

/// Offline mode on until `until`; the node follows by itself.
fn go_offline(j: &mut Journal, until: DateTime<Utc>) -> IpcResult<()> {
    let mut c = j.net_config()?;
    c.offline = true;
    c.offline_until = Some(until);
    Ok(j.set_net_config(&c)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::error::ErrorKind;
    use crate::session::tests::cheap;
    use hearth_core::Vault;
    use hearth_core::circles::{CircleRole, NewCircle};

    /// A journal with one circle the person owns and one entry shared
    /// with it: (dir, journal, circle id, shared id).
    fn owned() -> (tempfile::TempDir, Journal, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let circle = j
            .create_circle(&NewCircle {
                name: "Sunday walkers".into(),
                about: String::new(),
                agreements: String::new(),
                as_name: "Fern".into(),
            })
            .unwrap()
            .id;
        let entry = j
            .write(hearth_core::EntryDraft {
                title: "Hard day".into(),
                body: "Everything felt heavy.".into(),
                ..Default::default()
            })
            .unwrap();
        let shared = j.share(&entry.id.to_string(), &circle, None).unwrap().id;
        (dir, j, circle, shared)
    }

    #[test]
    fn nobody_removes_or_demotes_the_owner_or_mutes_themselves() {
        let (_dir, mut j, circle, _) = owned();
        let me = j.circle(&circle).unwrap().members[0].id.clone();
        let e = remove(&mut j, &circle, &me).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(
            e.message.contains("to leave a circle yourself"),
            "{}",
            e.message
        );
        let e = role(&mut j, &circle, "Fern", false).unwrap_err();
        assert!(
            e.message.contains("nobody demotes the owner"),
            "{}",
            e.message
        );
        let e = mute_one(&mut j, &circle, &me[..8], true).unwrap_err();
        assert!(e.message.contains("cannot mute yourself"), "{}", e.message);
        let e = remove(&mut j, &circle, "Nobody").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        let shown = j.circle(&circle).unwrap();
        assert_eq!(shown.members.len(), 1);
        assert_eq!(shown.members[0].role, CircleRole::Owner);
        assert!(!shown.members[0].muted);
    }

    #[test]
    fn a_report_reaches_the_admins_list_and_needs_a_reason() {
        let (_dir, mut j, circle, shared) = owned();
        assert!(reports(&j, &circle).unwrap().is_empty());
        let e = report(&mut j, &circle, &shared, "   ").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("say why you report it"), "{}", e.message);
        report(&mut j, &circle, &shared, " Not kind. ").unwrap();
        let [r] = reports(&j, &circle)
            .unwrap()
            .try_into()
            .unwrap_or_else(|v: Vec<_>| panic!("{v:?}"));
        assert_eq!((r.from.as_str(), r.reason.as_str()), ("Fern", "Not kind."));
        assert_eq!(r.item, shared);
        let v = serde_json::to_value(&r).unwrap();
        assert!(v["at"].is_string() && v["what"].is_string() && v["excerpt"].is_string());
    }

    #[test]
    fn leaving_ends_membership_and_twice_is_refused() {
        let (_dir, mut j, circle, _) = owned();
        assert_eq!(leave(&mut j, &circle).unwrap(), "Sunday walkers");
        assert_eq!(j.circle(&circle).unwrap().role, None);
        let e = leave(&mut j, &circle).unwrap_err();
        assert!(e.message.contains("not a member"), "{}", e.message);
        let e = reports(&j, &circle).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
    }

    #[test]
    fn an_away_note_with_offline_mode_and_back_again() {
        let (_dir, mut j, circle, _) = owned();
        let until = (chrono::Local::now() + chrono::Duration::days(10))
            .format("%Y-%m-%d")
            .to_string();
        let (told, at) = write_note(&mut j, Some(&until), Some(" Resting "), true).unwrap();
        assert_eq!(told, vec!["Sunday walkers".to_string()]);
        go_offline(&mut j, at.unwrap()).unwrap();
        let me = &j.circle(&circle).unwrap().members[0];
        let away = me.away.clone().unwrap();
        assert_eq!(away.note.as_deref(), Some("Resting"));
        assert_eq!(Some(away.until), at);
        let c = j.net_config().unwrap();
        assert!(c.offline && c.offline_until == at);

        let (told, at) = write_note(&mut j, None, None, false).unwrap();
        assert_eq!((told.len(), at), (1, None));
        assert!(j.circle(&circle).unwrap().members[0].away.is_none());
        let c = j.net_config().unwrap();
        assert!(!c.offline && c.offline_until.is_none());
    }

    #[test]
    fn a_bad_or_missing_date_changes_nothing() {
        let (_dir, mut j, circle, _) = owned();
        let e = write_note(&mut j, Some("2020-01-01"), None, false).unwrap_err();
        assert!(e.message.contains("that date has passed"), "{}", e.message);
        let e = write_note(&mut j, Some("next week"), None, true).unwrap_err();
        assert!(e.message.contains("is not a date"), "{}", e.message);
        let e = write_note(&mut j, None, Some("Resting"), false).unwrap_err();
        assert!(e.message.contains("until when"), "{}", e.message);
        let e = write_note(&mut j, Some("2099-01-01"), Some("a\nb"), false).unwrap_err();
        assert!(e.message.contains("one line"), "{}", e.message);
        assert!(j.circle(&circle).unwrap().members[0].away.is_none());
        assert!(!j.net_config().unwrap().offline);
    }
}
