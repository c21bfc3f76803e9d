//! `hearth devices`: the person's devices, renaming and removing one.

use crate::args::{DevicesAction, DevicesArgs};
use crate::{print_json, say};
use anyhow::{Result, bail};
use chrono::{DateTime, Local, Utc};
use hearth_core::Journal;
use std::io::{IsTerminal, Write};

pub fn devices(j: &mut Journal, a: &DevicesArgs) -> Result<()> {
    match &a.action {
        Some(DevicesAction::Remove { id, yes }) => {
            let target = j
                .devices()
                .into_iter()
                .find(|d| d.id.starts_with(&id.trim().to_ascii_lowercase()))
                .map(|d| d.name);
            if !yes {
                let name = target.unwrap_or_else(|| id.clone());
                if !std::io::stdin().is_terminal() {
                    bail!(
                        "removing {name:?} cannot be undone: add --yes to confirm; nothing was changed"
                    );
                }
                eprint!(
                    "Remove {name:?}? Your other devices will refuse it from now on and it will not be able to read anything written after; it keeps what it already has. [y/N] "
                );
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                if !matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
                    bail!("not removed; nothing was changed");
                }
            }
            let d = j.remove_device(id)?;
            if a.json {
                return print_json(&d);
            }
            say!(
                "Removed {:?} ({}). Your other devices learn of it when they sync with this one; the journal's key moved to a new epoch.",
                d.name,
                &d.id[..8]
            );
            Ok(())
        }
        Some(DevicesAction::Rename { id, name }) => {
            let d = j.rename_device(id, name)?;
            if a.json {
                return print_json(&d);
            }
            say!("Renamed device {} to {:?}.", &d.id[..8], d.name);
            Ok(())
        }
        None => {
            let list = j.devices();
            if a.json {
                return print_json(&list);
            }
            for d in list {
                let this = if d.this_device { "  (this device)" } else { "" };
                say!(
                    "{}  {}{this}\n          last seen: {}; last synced: {}",
                    &d.id[..8],
                    d.name,
                    when(d.last_seen),
                    when(d.last_synced)
                );
            }
            Ok(())
        }
    }
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "never".to_string(),
        |t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
    )
}
