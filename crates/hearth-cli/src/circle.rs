//! `hearth circle`: making a circle, listing the person's circles, showing
//! one.

use crate::args::{CircleAction, CircleArgs};
use crate::{print_json, say};
use anyhow::{Context, Result, bail};
use hearth_core::Journal;
use hearth_core::circles::{CircleRole, NewCircle};
use std::io::Write;

/// The most an agreements file may hold, checked before it is read whole.
const AGREEMENTS_FILE_MAX: u64 = 16 * 1024;

pub fn circle(j: &mut Journal, a: &CircleArgs) -> Result<()> {
    match &a.action {
        CircleAction::Create {
            name,
            about,
            agreements,
            as_name,
        } => {
            let agreements = match agreements {
                Some(path) => {
                    let size = std::fs::metadata(path)
                        .with_context(|| format!("cannot read {}", path.display()))?
                        .len();
                    if size > AGREEMENTS_FILE_MAX {
                        bail!(
                            "{} is {size} bytes; a circle's agreements are at most 16,384 bytes; nothing was changed",
                            path.display()
                        );
                    }
                    std::fs::read_to_string(path).with_context(|| {
                        format!(
                            "{} is not a UTF-8 text file; nothing was changed",
                            path.display()
                        )
                    })?
                }
                None => String::new(),
            };
            let made = j.create_circle(&NewCircle {
                name: name.clone(),
                about: about.clone(),
                agreements,
                as_name: as_name.clone(),
            })?;
            if a.json {
                return print_json(&made);
            }
            say!(
                "Made the circle {:?} ({}); you own it. Nothing is shared with it until you share an entry.",
                made.name,
                &made.id[..8]
            );
            Ok(())
        }
        CircleAction::List => {
            let list = j.circles()?;
            if a.json {
                return print_json(&list);
            }
            if list.is_empty() {
                say!(
                    "You are in no circle yet. `hearth circle create NAME --as \"How I appear\"` makes one."
                );
            }
            for c in list {
                say!("{}  {}  ({})", &c.id[..8], c.name, role(c.role));
            }
            Ok(())
        }
        CircleAction::Show { circle } => {
            let c = j.circle(circle)?;
            if a.json {
                return print_json(&c);
            }
            say!("{}  ({}; you are {})", c.name, &c.id[..8], role(c.role));
            if !c.about.is_empty() {
                say!("\nWhat it is for:\n{}", c.about);
            }
            if !c.agreements.is_empty() {
                say!("\nAgreements:\n{}", c.agreements);
            }
            say!("\nMembers:");
            for m in &c.members {
                let you = if m.you { "  (you)" } else { "" };
                say!("  {}  {}{you}", m.name, role(Some(m.role)));
            }
            say!("\nKey epoch: {}", c.epoch);
            if c.waiting > 0 {
                say!(
                    "{} of its changes wait for earlier ones to arrive.",
                    c.waiting
                );
            }
            Ok(())
        }
    }
}

fn role(r: Option<CircleRole>) -> &'static str {
    match r {
        Some(CircleRole::Owner) => "owner",
        Some(CircleRole::Admin) => "admin",
        Some(CircleRole::Member) => "member",
        None => "no longer a member",
    }
}
