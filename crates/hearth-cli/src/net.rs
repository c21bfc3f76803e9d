//! The commands that reach other devices: `pair invite`, `pair join`,
//! `sync` and `serve` (and `circle join`, in `circle`). Each runs the core's network on a runtime of its
//! own; the other commands never open a socket.

use crate::args::{
    ConfigAction, ConfigArgs, NetArgs, OnOff, PairAction, PairArgs, PairInviteArgs, PairJoinArgs,
    ServeArgs, SyncArgs,
};
use crate::{kdf_params, print_json, print_json_line, say, secret, unlock};
use anyhow::{Context, Result, bail};
use hearth_core::netconfig::{RelayChoice, SyncWindow};
use hearth_core::network::{
    self, NetEvent, NetOptions, Network, NodeStatus, PeerAddress, SharedJournal, SyncReport,
};
use hearth_core::{KdfParams, Vault};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

/// The person's network settings, on the port asked for.
pub(crate) fn options(journal: &hearth_core::Journal, a: Option<&NetArgs>) -> Result<NetOptions> {
    check_online(journal)?;
    let port = a.and_then(|a| a.port).unwrap_or(0);
    Ok(NetOptions::from_config(&journal.net_config()?, port)?)
}

pub fn pair(home: &Path, a: &PairArgs) -> Result<()> {
    match &a.action {
        PairAction::Invite(a) => invite(home, a),
        PairAction::Join(a) => join(home, a),
    }
}

/// Ask on the terminal whether the code matches; `--yes` says yes.
fn ask_code(yes: bool, code: &str, other: &str) -> bool {
    eprintln!("Pairing code: {code}");
    if yes {
        return true;
    }
    eprint!("Does {other} show the same code? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn invite(home: &Path, a: &PairInviteArgs) -> Result<()> {
    if a.expires == 0 || a.expires > 24 * 60 {
        bail!("--expires takes 1 to 1440 minutes");
    }
    let journal = unlock(home)?;
    let options = options(&journal, Some(&a.net))?;
    let journal: SharedJournal = Arc::new(Mutex::new(journal));
    let yes = a.yes;
    let confirm = Arc::new(move |code: &str, name: &str| ask_code(yes, code, &format!("{name:?}")));
    let rt = runtime()?;
    rt.block_on(async {
        let net = Network::start(journal, &options, Some(confirm)).await?;
        let mut events = net.events();
        let ttl = Duration::from_secs(a.expires * 60);
        let ticket = net.invite(ttl);
        if a.json {
            print_json_line(&serde_json::json!({ "ticket": ticket }))?;
        } else {
            say!("On the new device, run:\n\n    hearth pair join {ticket}\n");
            if std::io::stdout().is_terminal() {
                say!("{}", qr(&ticket));
            }
            say!(
                "This ticket works once and expires in {} minutes. Waiting for the new device...",
                a.expires
            );
        }
        let outcome = wait_for_pairing(&mut events, ttl).await;
        net.close_invite();
        net.shutdown().await;
        let (device, name, report) = outcome?;
        if a.json {
            return print_json_line(&serde_json::json!({
                "paired": { "device": device, "name": name },
                "sync": report,
            }));
        }
        say!("Paired with {name:?} ({}).", &device[..8]);
        match report {
            Some(r) => say!("It has the whole journal now: {} ops sent.", r.sent),
            None => say!(
                "It has not taken in the journal yet; `hearth sync` on either device finishes it."
            ),
        }
        Ok(())
    })
}

/// Wait for a device to pair and then for its first exchange.
async fn wait_for_pairing(
    events: &mut tokio::sync::broadcast::Receiver<NetEvent>,
    ttl: Duration,
) -> Result<(String, String, Option<SyncReport>)> {
    let deadline = tokio::time::Instant::now() + ttl;
    let mut paired: Option<(String, String)> = None;
    loop {
        let wait = match &paired {
            // After pairing, the new device dials at once to take the journal.
            Some(_) => Duration::from_secs(120),
            None => deadline.saturating_duration_since(tokio::time::Instant::now()),
        };
        let event = match tokio::time::timeout(wait, events.recv()).await {
            Err(_) => match paired {
                Some((d, n)) => return Ok((d, n, None)),
                None => {
                    bail!("the pairing ticket expired before a device used it; nothing was changed")
                }
            },
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(_)) => bail!("the network stopped"),
            Ok(Ok(e)) => e,
        };
        match event {
            NetEvent::PairingFailed(reason) => {
                bail!(
                    "pairing failed: {reason}; nothing was changed. Start `hearth pair invite` again"
                )
            }
            NetEvent::Paired { device, name } => paired = Some((device, name)),
            NetEvent::Synced(result) => {
                if let Some((device, name)) = &paired {
                    match result {
                        Ok(r) if &r.device == device => {
                            // The new device takes the photos and files
                            // next, from this node: stay up until it has.
                            wait_for_files(events, device).await;
                            return Ok((device.clone(), name.clone(), Some(r)));
                        }
                        Err(e) => {
                            eprintln!("hearth: the first exchange with the new device failed: {e}");
                        }
                        Ok(_) => {}
                    }
                }
            }
            NetEvent::Up { .. }
            | NetEvent::Closed { .. }
            | NetEvent::EntriesChanged { .. }
            | NetEvent::CirclesChanged { .. }
            | NetEvent::FilesMoved { .. }
            | NetEvent::CircleJoined(_) => {}
        }
    }
}

/// Wait until `device` has taken its photos and files from this node (it
/// dials for them right after the first exchange), or stopped trying.
async fn wait_for_files(events: &mut tokio::sync::broadcast::Receiver<NetEvent>, device: &str) {
    // A transfer says nothing until it ends; a device that never dials
    // for files is given this long to start.
    let deadline = tokio::time::Instant::now() + FILES_WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(NetEvent::FilesMoved {
                device: d, error, ..
            })) if d == device => {
                if let Some(e) = error {
                    eprintln!(
                        "hearth: photos and files did not all reach the new device ({e}); they come with its next sync"
                    );
                }
                return;
            }
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(_)) | Err(_) => return,
        }
    }
}

/// How long `pair invite` stays up for the new device's photos and files.
const FILES_WAIT: Duration = Duration::from_secs(30 * 60);

pub(crate) fn qr(text: &str) -> String {
    match qrcode::QrCode::new(text.to_ascii_uppercase().as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[derive(Serialize)]
struct JoinOutput<'a> {
    recovery_key: &'a str,
    code: &'a str,
    device: String,
    entries: usize,
    sync: Option<&'a SyncReport>,
    /// Why taking in the journal failed, when it did.
    sync_error: Option<String>,
}

fn join(home: &Path, a: &PairJoinArgs) -> Result<()> {
    if Vault::exists(home) {
        bail!(
            "a journal already exists in {}: pairing makes a new one, so give an empty data directory (--home); nothing was changed",
            home.display()
        );
    }
    let kdf = kdf_params(&a.kdf, Some(KdfParams::default()))?.unwrap_or_default();
    let pass = secret::new("HEARTH_PASSPHRASE", "Passphrase for this device")?;
    let name = a
        .name
        .clone()
        .unwrap_or_else(hearth_core::network::default_device_name);
    let yes = a.yes;
    let rt = runtime()?;
    let joined = rt.block_on(network::join(
        home,
        pass.as_bytes(),
        kdf,
        &a.ticket,
        &name,
        move |code| ask_code(yes, code, "the other device"),
    ))?;
    let entries = joined.journal.len();
    let device = joined
        .journal
        .devices()
        .into_iter()
        .find(|d| d.this_device)
        .map(|d| d.id)
        .unwrap_or_default();
    if a.json {
        let key = joined.recovery_key.encoded();
        return print_json(&JoinOutput {
            recovery_key: &key,
            code: &joined.code,
            device,
            entries,
            sync: joined.first_sync.as_ref().ok(),
            sync_error: joined.first_sync.as_ref().err().map(ToString::to_string),
        });
    }
    match &joined.first_sync {
        Ok(_) => say!("Paired. This device holds the journal now: {entries} entries."),
        Err(e) => {
            say!("Paired, but taking in the journal failed: {e}\nRun `hearth sync` to finish it.")
        }
    }
    say!();
    crate::recovery::created(home, &joined.recovery_key, false)
}

pub fn sync(home: &Path, a: &SyncArgs) -> Result<()> {
    let peer = a.peer.as_deref().map(PeerAddress::parse).transpose()?;
    let journal = unlock(home)?;
    let options = options(&journal, None)?;
    let journal: SharedJournal = Arc::new(Mutex::new(journal));
    let rt = runtime()?;
    rt.block_on(async {
        let net = Network::start(journal, &options, None).await?;
        let results: Vec<(String, Result<SyncReport, String>)> = match &peer {
            Some(peer) => {
                let r = net.sync_peer(peer).await;
                net.shutdown().await;
                let r = r?;
                return print_sync(&[(r.name.clone(), Ok(r))], a.json);
            }
            None => net
                .sync_known()
                .await
                .into_iter()
                .map(|(name, r)| (name, r.map_err(|e| e.to_string())))
                .collect(),
        };
        net.shutdown().await;
        print_sync(&results, a.json)
    })
}

/// One device's line in `sync --json`: its report, or why it failed.
#[derive(Serialize)]
#[serde(untagged)]
enum SyncLine<'a> {
    Synced(&'a SyncReport),
    Failed { name: &'a str, error: &'a str },
}

fn print_sync(results: &[(String, Result<SyncReport, String>)], json: bool) -> Result<()> {
    if json {
        let lines: Vec<SyncLine<'_>> = results
            .iter()
            .map(|(name, r)| match r {
                Ok(report) => SyncLine::Synced(report),
                Err(error) => SyncLine::Failed { name, error },
            })
            .collect();
        print_json(&lines)?;
    } else if results.is_empty() {
        say!("No other devices yet: pair one with `hearth pair invite`.");
    } else {
        for (name, r) in results {
            match r {
                Ok(r) => say!(
                    "{name}: sent {}, received {}{}{}.",
                    r.sent,
                    r.received,
                    if r.files_sent + r.files_received > 0 {
                        format!(
                            "; photos and files: sent {}, received {}",
                            r.files_sent, r.files_received
                        )
                    } else {
                        String::new()
                    },
                    if r.equal {
                        "; both hold the same now"
                    } else {
                        "; not all of it yet"
                    }
                ),
                Err(e) => eprintln!("hearth: {name}: {e}"),
            }
        }
    }
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if failed > 0 && failed == results.len() {
        bail!("could not sync with any device");
    }
    Ok(())
}

pub fn serve(home: &Path, a: &ServeArgs) -> Result<()> {
    let journal: SharedJournal = Arc::new(Mutex::new(unlock(home)?));
    let rt = runtime()?;
    rt.block_on(async {
        let (events, mut heard) = tokio::sync::broadcast::channel(64);
        let json = a.json;
        let printer = tokio::spawn(async move {
            loop {
                match heard.recv().await {
                    Ok(event) => {
                        let _ = print_event(&event, json);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                }
            }
        });
        // `serve` takes no new devices (that is `pair invite`) and no
        // commands: it keeps the sender so the node's command channel stays
        // open.
        let (_commands, commands) = tokio::sync::mpsc::channel(1);
        let run = network::NodeRun {
            port: a.net.port.unwrap_or(0),
            events,
            confirm: None,
            commands,
        };
        let result = network::run_node(journal, run, async {
            let _ = shutdown_signal().await;
        })
        .await;
        printer.abort();
        Ok(result?)
    })
}

fn print_event(event: &NetEvent, json: bool) -> Result<()> {
    if json {
        let line = match event {
            NetEvent::Up { ticket } => serde_json::json!({ "ticket": ticket }),
            NetEvent::Closed { state, opens_at } => {
                serde_json::json!({ "closed": state, "opens_at": opens_at })
            }
            NetEvent::Synced(Ok(r)) => serde_json::json!({ "synced": r }),
            NetEvent::Synced(Err(e)) => serde_json::json!({ "error": e }),
            NetEvent::Paired { device, name } => {
                serde_json::json!({ "paired": { "device": device, "name": name } })
            }
            NetEvent::PairingFailed(e) => serde_json::json!({ "pairing_failed": e }),
            NetEvent::CircleJoined(joined) => serde_json::json!({ "circle_joined": joined }),
            NetEvent::EntriesChanged { .. } => return Ok(()),
            NetEvent::CirclesChanged { circles } => {
                serde_json::json!({ "circles_changed": circles })
            }
            NetEvent::FilesMoved {
                device,
                received,
                sent,
                error,
            } => {
                if *received + *sent == 0 && error.is_none() {
                    return Ok(());
                }
                serde_json::json!({ "files": { "device": device, "received": received, "sent": sent, "error": error } })
            }
        };
        return print_json_line(&line);
    }
    match event {
        NetEvent::Up { ticket } => {
            say!(
                "Serving. Other devices can dial this one with:\n\n    hearth sync --peer {ticket}\n\nStop with Ctrl-C."
            );
        }
        NetEvent::Closed { state, opens_at } => match opens_at {
            Some(t) => say!(
                "Closed until the next sync window opens at {}.",
                t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
            ),
            None => say!("Closed: {}. No socket is open.", status_word(*state)),
        },
        NetEvent::Synced(Ok(r)) if r.sent + r.received > 0 => {
            say!("{}: sent {}, received {}.", r.name, r.sent, r.received);
        }
        NetEvent::Synced(Ok(_)) => {}
        NetEvent::Synced(Err(e)) => eprintln!("hearth: {e}"),
        NetEvent::Paired { name, .. } => say!("Paired with {name:?}."),
        NetEvent::PairingFailed(e) => eprintln!("hearth: pairing failed: {e}"),
        NetEvent::CircleJoined(joined) => say!("{joined}."),
        NetEvent::FilesMoved {
            received,
            sent,
            error,
            ..
        } => match error {
            Some(e) => {
                eprintln!("hearth: photos and files stopped moving: {e}; the next sync resumes")
            }
            None if received + sent > 0 => {
                say!("Photos and files: sent {sent}, received {received}.");
            }
            None => {}
        },
        NetEvent::EntriesChanged { .. } | NetEvent::CirclesChanged { .. } => {}
    }
    Ok(())
}

fn status_word(state: NodeStatus) -> &'static str {
    match state {
        NodeStatus::Running => "running",
        NodeStatus::Offline => "offline mode is on",
        NodeStatus::Waiting => "waiting for a sync window",
        NodeStatus::Stopped => "not running",
    }
}

/// Refuse to open a socket while offline mode is on.
fn check_online(journal: &hearth_core::Journal) -> Result<()> {
    if journal.net_config()?.offline_at(chrono::Local::now()) {
        bail!(
            "offline mode is on, so Hearth opens no network connection; `hearth config offline off` turns it off"
        );
    }
    Ok(())
}

pub fn status(journal: &hearth_core::Journal, json: bool) -> Result<()> {
    let status = journal.sync_status()?;
    if json {
        return print_json(&status);
    }
    let node = &status.node;
    match (node.state, node.pid) {
        (NodeStatus::Waiting, _) => say!(
            "Node: waiting for a sync window{}.",
            node.opens_at.map_or_else(String::new, |t| format!(
                " (opens at {})",
                t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
            ))
        ),
        (NodeStatus::Running, Some(pid)) => say!("Node: running (process {pid})."),
        (state, _) => say!("Node: {}.", status_word(state)),
    }
    if let Some(ticket) = &node.ticket {
        say!("Address ticket: {ticket}");
    }
    if status.devices.is_empty() {
        say!("No other devices yet: pair one with `hearth pair invite`.");
    }
    for d in &status.devices {
        let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map_or_else(
                || "never".to_string(),
                |t| {
                    t.with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                },
            )
        };
        let then = match d.equal_then {
            Some(true) => "; both held the same then",
            Some(false) => "; not all of it had moved then",
            None => "",
        };
        say!(
            "{} ({}): last exchange {}{then}; {} of this device's changes not confirmed by it.",
            d.name,
            &d.id[..8],
            when(d.last_synced),
            d.unconfirmed
        );
    }
    Ok(())
}

pub fn config(journal: &mut hearth_core::Journal, a: &ConfigArgs) -> Result<()> {
    let mut c = journal.net_config()?;
    match &a.action {
        None => {}
        Some(ConfigAction::Offline { value }) => {
            c.offline = matches!(value, OnOff::On);
            c.offline_until = None;
        }
        Some(ConfigAction::QuietHours { value }) => {
            c.quiet_hours = match value.trim() {
                "off" | "none" => None,
                w => Some(SyncWindow::parse(w).map_err(|_| {
                    anyhow::anyhow!("{w:?} is not quiet hours: write them as HH:MM-HH:MM, e.g. 22:00-08:00, or `off`")
                })?),
            }
        }
        Some(ConfigAction::LanDiscovery { value }) => c.lan_discovery = matches!(value, OnOff::On),
        Some(ConfigAction::Relay { value }) => {
            c.relay = match value.trim() {
                "off" => RelayChoice::Off,
                "n0" => RelayChoice::N0,
                url => RelayChoice::Url(url.to_string()),
            }
        }
        Some(ConfigAction::SyncWindow { windows }) => {
            c.sync_windows = if windows.len() == 1 && windows[0].trim() == "none" {
                Vec::new()
            } else {
                windows
                    .iter()
                    .map(|w| SyncWindow::parse(w))
                    .collect::<Result<_, _>>()?
            };
        }
    }
    if a.action.is_some() {
        journal.set_net_config(&c)?;
    }
    if a.json {
        return print_json(&c);
    }
    let offline = match (c.offline_at(chrono::Local::now()), c.offline_until) {
        (true, Some(until)) => format!(
            "on until {} (no socket is opened)",
            until.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
        ),
        (true, None) => "on (no socket is opened)".to_string(),
        (false, _) => "off".to_string(),
    };
    say!("offline: {offline}");
    say!(
        "relay: {}",
        match &c.relay {
            RelayChoice::Off => "off (devices connect directly)".to_string(),
            RelayChoice::N0 => "n0 (iroh's public relays)".to_string(),
            RelayChoice::Url(u) => u.clone(),
        }
    );
    say!(
        "lan-discovery: {}",
        if c.lan_discovery { "on" } else { "off" }
    );
    say!(
        "sync-window: {}",
        if c.sync_windows.is_empty() {
            "none (always)".to_string()
        } else {
            c.sync_windows
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    say!(
        "quiet-hours: {}",
        c.quiet_hours.map_or_else(
            || "off".to_string(),
            |q| format!("{q} (the app holds back circle notifications)")
        )
    );
    Ok(())
}

async fn shutdown_signal() -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    Ok(())
}
