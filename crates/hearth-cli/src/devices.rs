//! `hearth devices`: the person's devices, and renaming one.

use crate::args::{DevicesAction, DevicesArgs};
use crate::{print_json, say};
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use hearth_core::Journal;
use std::io::Write;

pub fn devices(j: &mut Journal, a: &DevicesArgs) -> Result<()> {
    match &a.action {
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
