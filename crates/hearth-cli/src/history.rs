//! `hearth history` and `hearth trash`: looking back at versions, and at
//! what was deleted.

use crate::args::{HistoryArgs, TrashAction, TrashArgs};
use crate::{print_json, render, say};
use anyhow::Result;
use chrono::Local;
use hearth_core::Journal;
use hearth_core::history::DiffPart;
use std::io::{IsTerminal, Write};

pub fn history(j: &Journal, a: &HistoryArgs) -> Result<()> {
    if let Some(n) = a.diff {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut out = String::new();
        for part in j.version_diff(&a.id, n)? {
            match (part, color) {
                (DiffPart::Same(t), _) => out.push_str(&t),
                (DiffPart::Added(t), true) => out.push_str(&format!("\x1b[32m{t}\x1b[0m")),
                (DiffPart::Removed(t), true) => out.push_str(&format!("\x1b[31;9m{t}\x1b[0m")),
                (DiffPart::Added(t), false) => out.push_str(&format!("{{+{t}+}}")),
                (DiffPart::Removed(t), false) => out.push_str(&format!("[-{t}-]")),
            }
        }
        say!("{}", out.trim_end());
        return Ok(());
    }
    let versions = j.history(&a.id)?;
    if a.json {
        return print_json(&versions);
    }
    for v in versions {
        say!(
            "{:>4}  {}  {}  {}",
            v.version,
            v.at.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S"),
            &v.device[..8],
            v.summary
        );
    }
    Ok(())
}

pub fn trash(j: &mut Journal, a: &TrashArgs) -> Result<()> {
    match a.action {
        Some(TrashAction::Empty) => {
            let n = j.empty_trash()?;
            say!(
                "Deleted {n} {} for good.",
                if n == 1 { "entry" } else { "entries" }
            );
            Ok(())
        }
        None => {
            let entries = j.trashed();
            if a.json {
                return print_json(&entries);
            }
            if entries.is_empty() {
                say!("The trash is empty.");
            }
            for e in entries {
                say!("{}", render::list_line(e));
            }
            Ok(())
        }
    }
}
