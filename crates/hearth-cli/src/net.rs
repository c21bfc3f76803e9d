//! The commands that reach other devices: `pair invite`, `pair join`,
//! `sync` and `serve`. Each runs the core's network on a runtime of its
//! own; the other commands never open a socket.

use crate::args::{
    NetArgs, PairAction, PairArgs, PairInviteArgs, PairJoinArgs, ServeArgs, SyncArgs,
};
use crate::{kdf_params, print_json, print_json_line, say, secret, unlock};
use anyhow::{Context, Result, bail};
use hearth_core::network::{
    self, NetEvent, NetOptions, Network, PeerAddress, SharedJournal, SyncReport,
};
use hearth_core::{KdfParams, Vault};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

fn options(a: &NetArgs) -> NetOptions {
    NetOptions {
        port: a.port.unwrap_or(0),
        ..NetOptions::default()
    }
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
    let journal: SharedJournal = Arc::new(Mutex::new(unlock(home)?));
    let yes = a.yes;
    let confirm = Arc::new(move |code: &str, name: &str| ask_code(yes, code, &format!("{name:?}")));
    let rt = runtime()?;
    rt.block_on(async {
        let net = Network::start(journal, &options(&a.net), Some(confirm)).await?;
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
                            return Ok((device.clone(), name.clone(), Some(r)));
                        }
                        Err(e) => {
                            eprintln!("hearth: the first exchange with the new device failed: {e}");
                        }
                        Ok(_) => {}
                    }
                }
            }
        }
    }
}

fn qr(text: &str) -> String {
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
    let journal: SharedJournal = Arc::new(Mutex::new(unlock(home)?));
    let rt = runtime()?;
    rt.block_on(async {
        let net = Network::start(journal, &NetOptions::default(), None).await?;
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
                    "{name}: sent {}, received {}{}.",
                    r.sent,
                    r.received,
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
        let net = Network::start(journal, &options(&a.net), None).await?;
        let ticket = net.ticket();
        if a.json {
            print_json_line(&serde_json::json!({ "ticket": ticket }))?;
        } else {
            say!("Serving. Other devices can dial this one with:\n\n    hearth sync --peer {ticket}\n");
            say!("Stop with Ctrl-C.");
        }
        let mut events = net.events();
        let json = a.json;
        let printer = tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                let _ = print_event(&event, json);
            }
        });
        net.serve_until(async {
            let _ = shutdown_signal().await;
        })
        .await;
        printer.abort();
        net.shutdown().await;
        Ok(())
    })
}

fn print_event(event: &NetEvent, json: bool) -> Result<()> {
    if let NetEvent::Synced(result) = event {
        if json {
            print_json_line(&match result {
                Ok(r) => serde_json::json!({ "synced": r }),
                Err(e) => serde_json::json!({ "error": e }),
            })?;
        } else {
            match result {
                Ok(r) if r.sent + r.received > 0 => {
                    say!("{}: sent {}, received {}.", r.name, r.sent, r.received);
                }
                Ok(_) => {}
                Err(e) => eprintln!("hearth: {e}"),
            }
        }
    }
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
