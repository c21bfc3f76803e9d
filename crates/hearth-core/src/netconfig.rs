//! The person's network settings on this device (offline mode, relays, LAN
//! discovery, sync windows) and what they say about a given moment: may the
//! node be up, and if not, until when. Stored as a sealed local setting,
//! never synced: each device has its own.

use crate::journal::Journal;
use crate::{CoreError, Result};
use chrono::{DateTime, Duration, Local, NaiveTime, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

const SETTING: &str = "net.config";

/// Which relays the node may use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RelayChoice {
    /// None: devices reach each other directly or not at all.
    #[default]
    Off,
    /// iroh's public relays and address lookup (n0's servers).
    N0,
    /// A relay the person runs.
    Url(String),
}

/// A daily time span in local time, `HH:MM-HH:MM`; it may wrap midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncWindow {
    /// Minutes after midnight.
    pub start: u16,
    pub end: u16,
}

impl SyncWindow {
    /// Read `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            CoreError::invalid(format!(
                "{text:?} is not a sync window: write it as HH:MM-HH:MM, e.g. 19:00-20:00"
            ))
        };
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        let minutes = |t: &str| -> Result<u16> {
            let t = NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad())?;
            Ok((t.hour() * 60 + t.minute()) as u16)
        };
        let (start, end) = (minutes(a)?, minutes(b)?);
        if start == end {
            return Err(CoreError::invalid(format!(
                "{text:?} is an empty sync window: its start and end are the same"
            )));
        }
        Ok(Self { start, end })
    }

    fn contains(&self, minute: u16) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }
}

impl std::fmt::Display for SyncWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// This device's network settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct NetConfig {
    /// No socket at all while on.
    pub offline: bool,
    /// With `offline`: offline mode ends by itself then (an away note's
    /// `--offline`).
    #[cfg_attr(feature = "ts", ts(optional, type = "string"))]
    pub offline_until: Option<DateTime<chrono::Utc>>,
    pub relay: RelayChoice,
    /// Find and announce devices on the local network (mDNS).
    pub lan_discovery: bool,
    /// When the node may be up; empty: always.
    pub sync_windows: Vec<SyncWindow>,
    /// When the desktop app holds back circle notifications.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub quiet_hours: Option<SyncWindow>,
}

impl Default for NetConfig {
    fn default() -> Self {
        Self {
            offline: false,
            offline_until: None,
            relay: RelayChoice::Off,
            lan_discovery: true,
            sync_windows: Vec::new(),
            quiet_hours: None,
        }
    }
}

/// Whether the node may be up at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Offline mode is on.
    Offline,
    /// Outside every sync window; the next one opens then.
    Closed {
        opens_at: DateTime<Local>,
    },
}

impl NetConfig {
    /// Whether offline mode holds at `now` (it may end by itself).
    pub fn offline_at(&self, now: DateTime<Local>) -> bool {
        self.offline && self.offline_until.is_none_or(|until| now < until)
    }

    /// Whether `now` is inside the quiet hours.
    pub fn quiet_at(&self, now: DateTime<Local>) -> bool {
        self.quiet_hours
            .is_some_and(|q| q.contains((now.hour() * 60 + now.minute()) as u16))
    }

    pub fn gate(&self, now: DateTime<Local>) -> Gate {
        if self.offline_at(now) {
            return Gate::Offline;
        }
        if self.sync_windows.is_empty() {
            return Gate::Open;
        }
        let minute = (now.hour() * 60 + now.minute()) as u16;
        if self.sync_windows.iter().any(|w| w.contains(minute)) {
            return Gate::Open;
        }
        // The next start, today or tomorrow.
        let opens_at = (0..2)
            .flat_map(|day| {
                self.sync_windows.iter().filter_map(move |w| {
                    let date = now.date_naive() + Duration::days(day);
                    let at =
                        date.and_hms_opt(u32::from(w.start / 60), u32::from(w.start % 60), 0)?;
                    Local.from_local_datetime(&at).earliest()
                })
            })
            .filter(|t| *t > now)
            .min()
            .unwrap_or(now + Duration::days(1));
        Gate::Closed { opens_at }
    }
}

impl Journal {
    /// This device's network settings (the defaults until one is set).
    pub fn net_config(&self) -> Result<NetConfig> {
        Ok(self.setting(SETTING)?.unwrap_or_default())
    }

    /// Whether circle notifications are held back now (quiet hours).
    pub fn quiet_now(&self) -> Result<bool> {
        Ok(self.net_config()?.quiet_at(Local::now()))
    }

    pub fn set_net_config(&mut self, config: &NetConfig) -> Result<()> {
        if let RelayChoice::Url(url) = &config.relay {
            crate::network::check_relay_url(url)?;
        }
        self.set_setting(SETTING, config)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Local> {
        Local
            .with_ymd_and_hms(2026, 6, 1, h, m, 0)
            .earliest()
            .unwrap()
    }

    #[test]
    fn windows_open_and_close_and_say_when_they_open_next() {
        let mut c = NetConfig::default();
        assert_eq!(c.gate(at(3, 0)), Gate::Open);
        c.sync_windows = vec![
            SyncWindow::parse("19:00-20:00").unwrap(),
            SyncWindow::parse("23:30-00:30").unwrap(),
        ];
        assert_eq!(c.gate(at(19, 30)), Gate::Open);
        assert_eq!(c.gate(at(0, 10)), Gate::Open, "a window wraps midnight");
        assert_eq!(
            c.gate(at(20, 0)),
            Gate::Closed {
                opens_at: at(23, 30)
            }
        );
        assert_eq!(
            c.gate(at(1, 0)),
            Gate::Closed {
                opens_at: at(19, 0)
            }
        );
        c.offline = true;
        assert_eq!(c.gate(at(19, 30)), Gate::Offline);
        c.offline_until = Some(at(19, 45).into());
        assert_eq!(c.gate(at(19, 30)), Gate::Offline);
        assert_eq!(
            c.gate(at(19, 50)),
            Gate::Open,
            "offline until a time ends by itself"
        );
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let mut c = NetConfig::default();
        assert!(!c.quiet_at(at(23, 0)));
        c.quiet_hours = Some(SyncWindow::parse("22:00-08:00").unwrap());
        assert!(c.quiet_at(at(23, 0)) && c.quiet_at(at(7, 59)));
        assert!(!c.quiet_at(at(8, 0)) && !c.quiet_at(at(12, 0)));
    }

    #[test]
    fn a_window_is_read_strictly() {
        for bad in ["19-20", "19:00", "25:00-26:00", "19:00-19:00", "7pm-8pm"] {
            assert!(SyncWindow::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SyncWindow::parse(" 07:05-08:00 ").unwrap().to_string(),
            "07:05-08:00"
        );
    }
}
