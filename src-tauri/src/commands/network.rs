//! Where sync stands and this device's network settings (offline mode,
//! relays, LAN discovery, sync windows), and "sync now". The node reads the
//! settings by itself and follows a change within a second.

use super::blocking;
use crate::dto::SyncOutcome;
use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use hearth_core::Journal;
use hearth_core::netconfig::{NetConfig, RelayChoice, SyncWindow};
use hearth_core::network::SyncStatus;
use std::sync::Arc;
use tauri::State;

/// Whether the node runs and, per other device, what is known of its last
/// exchange with this one.
#[tauri::command]
pub async fn sync_status(state: State<'_, Arc<Session>>) -> IpcResult<SyncStatus> {
    blocking(state, |s| s.with(|j| Ok(j.sync_status()?))).await
}

#[tauri::command]
pub async fn net_config(state: State<'_, Arc<Session>>) -> IpcResult<NetConfig> {
    blocking(state, |s| s.with(|j| Ok(j.net_config()?))).await
}

/// Store the network settings; returns them as stored.
#[tauri::command]
pub async fn set_net_config(
    state: State<'_, Arc<Session>>,
    config: NetConfig,
) -> IpcResult<NetConfig> {
    blocking(state, move |s| s.with(|j| store(j, config))).await
}

/// Add a sync window written as `HH:MM-HH:MM`; returns the settings.
#[tauri::command]
pub async fn add_sync_window(state: State<'_, Arc<Session>>, text: String) -> IpcResult<NetConfig> {
    blocking(state, move |s| {
        let window = SyncWindow::parse(&text)?;
        s.with(|j| {
            let mut config = j.net_config()?;
            if !config.sync_windows.contains(&window) {
                config.sync_windows.push(window);
            }
            store(j, config)
        })
    })
    .await
}

/// Check what the window sent, store it, and read it back.
fn store(j: &mut Journal, mut config: NetConfig) -> IpcResult<NetConfig> {
    for w in &config.sync_windows {
        // The core's own reading of a window decides what is one.
        let text = w.to_string();
        if w.start >= 24 * 60 || w.end >= 24 * 60 {
            return Err(IpcError::invalid(format!(
                "{text} is not a time of day: a sync window is HH:MM-HH:MM, from 00:00 to 23:59"
            )));
        }
        SyncWindow::parse(&text)?;
    }
    if let Some(q) = &config.quiet_hours {
        let text = q.to_string();
        if q.start >= 24 * 60 || q.end >= 24 * 60 {
            return Err(IpcError::invalid(format!(
                "{text} is not a time of day: quiet hours are HH:MM-HH:MM, from 00:00 to 23:59"
            )));
        }
        if q.start == q.end {
            return Err(IpcError::invalid(format!(
                "{text} is empty quiet hours: their start and end are the same"
            )));
        }
    }
    if let RelayChoice::Url(url) = &config.relay {
        let url = url.trim();
        if url.is_empty() {
            return Err(IpcError::invalid(
                "write the address of your relay (it starts with https://), or choose no relay",
            ));
        }
        config.relay = RelayChoice::Url(url.to_string());
    }
    j.set_net_config(&config)?;
    Ok(j.net_config()?)
}

/// Exchange with every known device now.
#[tauri::command]
pub async fn sync_now(state: State<'_, Arc<Session>>) -> IpcResult<Vec<SyncOutcome>> {
    let commands = state.node()?;
    let results = crate::node::sync_now(commands).await?;
    Ok(results
        .into_iter()
        .map(|(name, r)| match r {
            Ok(report) => SyncOutcome {
                name,
                report: Some(report),
                error: None,
            },
            Err(e) => SyncOutcome {
                name,
                report: None,
                error: Some(e.to_string()),
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::session::tests::cheap;
    use hearth_core::Vault;

    #[test]
    fn settings_are_checked_then_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let mut c = j.net_config().unwrap();
        assert!(!c.offline && c.lan_discovery && c.sync_windows.is_empty());
        c.offline = true;
        c.lan_discovery = false;
        c.sync_windows = vec![SyncWindow::parse("23:30-00:30").unwrap()];
        let stored = store(&mut j, c.clone()).unwrap();
        assert_eq!(stored, c);
        assert_eq!(j.net_config().unwrap(), c);

        let mut bad = c.clone();
        bad.sync_windows = vec![SyncWindow {
            start: 600,
            end: 600,
        }];
        assert!(store(&mut j, bad).unwrap_err().message.contains("empty"));
        let mut bad = c.clone();
        bad.sync_windows = vec![SyncWindow {
            start: 1500,
            end: 10,
        }];
        assert!(
            store(&mut j, bad)
                .unwrap_err()
                .message
                .contains("not a time of day")
        );
        let mut bad = c.clone();
        bad.relay = RelayChoice::Url("  ".into());
        assert_eq!(
            store(&mut j, bad).unwrap_err().kind,
            crate::error::ErrorKind::Invalid
        );
        let mut bad = c.clone();
        bad.relay = RelayChoice::Url("not a url".into());
        assert!(store(&mut j, bad).is_err());
        assert_eq!(j.net_config().unwrap(), c, "nothing refused was stored");

        let mut own = c.clone();
        own.relay = RelayChoice::Url(" https://relay.example.org ".into());
        let stored = store(&mut j, own).unwrap();
        assert_eq!(
            stored.relay,
            RelayChoice::Url("https://relay.example.org".into())
        );
    }

    #[test]
    fn quiet_hours_are_checked_then_stored_and_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let mut c = j.net_config().unwrap();
        assert_eq!(c.quiet_hours, None);
        c.quiet_hours = Some(SyncWindow::parse("22:00-08:00").unwrap());
        let stored = store(&mut j, c.clone()).unwrap();
        assert_eq!(stored.quiet_hours, c.quiet_hours);
        let v = serde_json::to_value(&stored).unwrap();
        assert_eq!(
            v["quiet_hours"],
            serde_json::json!({ "start": 1320, "end": 480 })
        );

        let mut bad = c.clone();
        bad.quiet_hours = Some(SyncWindow {
            start: 600,
            end: 600,
        });
        let e = store(&mut j, bad).unwrap_err();
        assert_eq!(
            e.message,
            "10:00-10:00 is empty quiet hours: their start and end are the same"
        );
        let mut bad = c.clone();
        bad.quiet_hours = Some(SyncWindow {
            start: 1500,
            end: 10,
        });
        let e = store(&mut j, bad).unwrap_err();
        assert!(
            e.message.contains("not a time of day: quiet hours"),
            "{}",
            e.message
        );
        assert_eq!(j.net_config().unwrap(), c, "nothing refused was stored");

        // The window sends what it has: no quiet hours at all is off.
        let off: NetConfig = serde_json::from_value(serde_json::json!({
            "offline": false, "relay": "off", "lan_discovery": true, "sync_windows": [], "quiet_hours": null,
        }))
        .unwrap();
        assert_eq!(store(&mut j, off).unwrap().quiet_hours, None);
    }
}
