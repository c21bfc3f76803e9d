//! `hearth circle`: making a circle, inviting a person and joining one,
//! listing the person's circles, showing one.

use crate::args::{CircleAction, CircleArgs, ReplyArgs, ShareArgs};
use crate::{print_json, say, unlock};
use anyhow::{Context, Result, bail};
use hearth_core::Journal;
use hearth_core::circle_invite::CirclePreview;
use hearth_core::circle_share::{Reply, SharedEntry, Support};
use hearth_core::circles::{CircleRole, NewCircle};
use hearth_core::network::{Network, SharedJournal};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most an agreements file may hold, checked before it is read whole.
const AGREEMENTS_FILE_MAX: u64 = 16 * 1024;

pub fn circle(home: &Path, a: &CircleArgs) -> Result<()> {
    if let CircleAction::Join { ticket, name, yes } = &a.action {
        return join(home, ticket, name, *yes, a.json);
    }
    let j = &mut unlock(home)?;
    match &a.action {
        CircleAction::Join { .. } => Ok(()),
        CircleAction::Invite { circle, expires } => {
            if *expires == 0 || *expires > 24 * 30 {
                bail!("--expires takes 1 to 720 hours; nothing was changed");
            }
            let invitation = j.invite_to_circle(circle, Duration::from_secs(expires * 3600))?;
            if a.json {
                return print_json(&serde_json::json!({ "ticket": invitation.ticket }));
            }
            say!(
                "An invitation to {:?}. The person you invite runs:\n\n    hearth circle join {} --name \"How they appear\"\n",
                invitation.name,
                invitation.ticket
            );
            if std::io::stdout().is_terminal() {
                say!("{}", crate::net::qr(&invitation.ticket));
            }
            say!(
                "It works once, until {}, while this device's node runs (`hearth serve` or the Hearth app).",
                invitation
                    .expires_at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
            );
            Ok(())
        }
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
        CircleAction::Feed { circle, all } => {
            let feed = j.circle_feed(circle, *all)?;
            if a.json {
                return print_json(&feed);
            }
            for e in &feed.entries {
                print_shared(e, false)?;
            }
            if feed.only_new {
                say!(
                    "That is everything new in {:?} since your last visit. (`--all` shows everything shared.)",
                    feed.name
                );
            } else if feed.entries.is_empty() {
                say!("Nothing is shared with {:?} yet.", feed.name);
            } else {
                say!("That is everything shared with {:?}.", feed.name);
            }
            Ok(())
        }
        CircleAction::Read { entry } => {
            let e = j.read_shared(entry)?;
            if a.json {
                return print_json(&e);
            }
            print_shared(&e, true)
        }
        CircleAction::Remove { circle, member } => {
            let name = j.remove_member(circle, member)?;
            outcome(
                a.json,
                serde_json::json!({ "removed": name }),
                &format!(
                    "Removed {name}. The circle moved to a new key: nothing written in it from now on can be read by them, and their later writes are refused. What they already received stays with them."
                ),
            )
        }
        CircleAction::Promote { circle, member } => {
            let name = j.set_member_role(circle, member, true)?;
            outcome(
                a.json,
                serde_json::json!({ "member": name, "role": "admin" }),
                &format!("{name} is an admin now."),
            )
        }
        CircleAction::Demote { circle, member } => {
            let name = j.set_member_role(circle, member, false)?;
            outcome(
                a.json,
                serde_json::json!({ "member": name, "role": "member" }),
                &format!("{name} is a member (not an admin) now."),
            )
        }
        CircleAction::Leave { circle } => {
            let name = j.leave_circle(circle)?;
            outcome(
                a.json,
                serde_json::json!({ "left": name }),
                &format!(
                    "You left {name:?}. What you received stays here; nothing new reaches you once its admins move it to a new key."
                ),
            )
        }
        CircleAction::Mute { circle, member } => {
            let name = j.mute_member(circle, member, true)?;
            outcome(
                a.json,
                serde_json::json!({ "muted": name }),
                &format!(
                    "Muted {name}: their entries and replies are hidden, for you alone. Nobody is told."
                ),
            )
        }
        CircleAction::Unmute { circle, member } => {
            let name = j.mute_member(circle, member, false)?;
            outcome(
                a.json,
                serde_json::json!({ "unmuted": name }),
                &format!("{name}'s entries and replies show again."),
            )
        }
        CircleAction::Report {
            circle,
            item,
            reason,
        } => {
            j.report(circle, item, reason)?;
            outcome(
                a.json,
                serde_json::json!({ "reported": item }),
                "Reported to the circle's admins, and only them. They see it once their devices receive it.",
            )
        }
        CircleAction::Reports { circle } => {
            let reports = j.circle_reports(circle)?;
            if a.json {
                return print_json(&reports);
            }
            if reports.is_empty() {
                say!("No reports.");
            }
            for r in &reports {
                say!(
                    "{}  {} reported {}'s {} ({}): {:?}\n  Why: {}",
                    r.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"),
                    r.from,
                    r.about,
                    r.what,
                    &r.item[..8.min(r.item.len())],
                    r.excerpt,
                    r.reason
                );
            }
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
                let muted = if m.muted { "  (muted)" } else { "" };
                say!("  {}  {}{you}{muted}", m.name, role(Some(m.role)));
                if let Some(away) = &m.away {
                    let note = away
                        .note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default();
                    say!(
                        "    taking a break until {}{note}",
                        away.until.with_timezone(&chrono::Local).format("%Y-%m-%d")
                    );
                }
            }
            if c.shared.is_empty() {
                say!("\nNothing is shared with it.");
            } else {
                say!("\nShared with it:");
                for e in &c.shared {
                    let who = if e.you { "you" } else { e.author.as_str() };
                    let title = if e.title.is_empty() {
                        "(untitled)"
                    } else {
                        e.title.as_str()
                    };
                    say!("  {}  {title}  by {who}", &e.id[..8]);
                }
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

/// What a command that changes something did: JSON, or a sentence.
fn outcome(json: bool, value: serde_json::Value, text: &str) -> Result<()> {
    if json {
        return print_json(&value);
    }
    say!("{text}");
    Ok(())
}

/// `hearth share`.
pub fn share(j: &mut Journal, a: &ShareArgs) -> Result<()> {
    let shared = j.share(&a.entry, &a.circle, a.warning.as_deref())?;
    if a.json {
        return print_json(&shared);
    }
    say!(
        "Shared {:?} with the circle ({}). Your later edits follow it; `hearth unshare` stops it.",
        shared.title,
        &shared.id[..8]
    );
    Ok(())
}

/// `hearth away`: the note to every circle; with `--offline`, tell the
/// circles' devices now, then go offline until the date.
pub fn away(home: &Path, a: &crate::args::AwayArgs) -> Result<()> {
    let mut j = unlock(home)?;
    let until = a
        .until
        .as_deref()
        .map(hearth_core::when::parse_datetime)
        .transpose()?;
    let told = j.set_away(if a.back { None } else { until }, a.note.as_deref())?;
    if a.back {
        let mut c = j.net_config()?;
        if c.offline_until.is_some() {
            c.offline = false;
            c.offline_until = None;
            j.set_net_config(&c)?;
        }
        if a.json {
            return print_json(
                &serde_json::json!({ "circles": told, "until": null, "offline": false }),
            );
        }
        say!("Welcome back. Your circles no longer see an away note.");
        return Ok(());
    }
    let until = until.unwrap_or_default();
    let day = until.with_timezone(&chrono::Local).format("%Y-%m-%d");
    if !a.json {
        if told.is_empty() {
            say!("You are in no circle, so nobody needed telling.");
        } else {
            say!(
                "Your circles ({}) will see you are taking a break until {day}.",
                told.join(", ")
            );
        }
    }
    if a.offline {
        if !j.net_config()?.offline_at(chrono::Local::now()) {
            let options = crate::net::options(&j, None)?;
            let journal: SharedJournal = Arc::new(Mutex::new(j));
            let rt = crate::net::runtime()?;
            let results = rt.block_on(async {
                let net = Network::start(journal.clone(), &options, None).await?;
                let results = net.sync_known().await;
                net.shutdown().await;
                anyhow::Ok(results)
            })?;
            let reached = results.iter().filter(|(_, r)| r.is_ok()).count();
            if !a.json {
                say!(
                    "Told {reached} of {} devices now; the others hear it from them.",
                    results.len()
                );
            }
            j = Arc::try_unwrap(journal)
                .map_err(|_| anyhow::anyhow!("the journal is still in use"))?
                .into_inner()
                .unwrap_or_else(|p| p.into_inner());
        }
        let mut c = j.net_config()?;
        c.offline = true;
        c.offline_until = Some(until);
        j.set_net_config(&c)?;
        if !a.json {
            say!(
                "Offline mode is on until {day}: no socket is opened. `hearth away --back` ends it sooner."
            );
        }
    }
    if a.json {
        return print_json(
            &serde_json::json!({ "circles": told, "until": until, "offline": a.offline }),
        );
    }
    Ok(())
}

/// `hearth reply`.
pub fn reply(j: &mut Journal, a: &ReplyArgs) -> Result<()> {
    let support = a.support.as_deref().map(Support::parse).transpose()?;
    let reply = j.reply(&a.entry, a.text.as_deref(), support)?;
    if a.json {
        return print_json(&reply);
    }
    say!("Replied.");
    Ok(())
}

fn reply_line(r: &Reply) -> String {
    let said = match (&r.text, r.support) {
        (_, Some(s)) => format!("({})", s.words()),
        (Some(t), None) => t.clone(),
        (None, None) => String::new(),
    };
    let who = if r.you { "you" } else { r.author.as_str() };
    format!("    {who}: {said}")
}

/// A shared entry as the terminal shows it; its body only when it has no
/// content warning, or when opened on purpose.
fn print_shared(e: &SharedEntry, opened: bool) -> Result<()> {
    let who = if e.you { "you" } else { e.author.as_str() };
    let title = if e.title.is_empty() {
        "(untitled)"
    } else {
        e.title.as_str()
    };
    say!(
        "{}  {title}  by {who}, {}",
        &e.id[..8],
        e.written_at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d")
    );
    if let Some(w) = &e.warning {
        say!("  Content warning: {w}");
    }
    match &e.body {
        Some(body) => {
            for line in body.lines() {
                say!("  {line}");
            }
        }
        None if !opened => say!("  `hearth circle read {}` opens it.", &e.id[..8]),
        None => {}
    }
    for a in &e.attachments {
        let here = if e.arriving.contains(&a.id) {
            ", not on this device yet"
        } else {
            ""
        };
        say!(
            "  [{}] {} ({}{here})",
            &a.id[..12],
            a.name,
            hearth_core::attachments::human_size(a.size)
        );
    }
    for r in &e.replies {
        say!("{}", reply_line(r));
    }
    say!();
    Ok(())
}

/// `hearth circle join`: show the circle's purpose and agreements, ask,
/// and join through the inviting device's node.
fn join(home: &Path, ticket: &str, name: &str, yes: bool, json: bool) -> Result<()> {
    let journal = unlock(home)?;
    let options = crate::net::options(&journal, None)?;
    let journal: SharedJournal = Arc::new(Mutex::new(journal));
    let as_name = name.to_string();
    let rt = crate::net::runtime()?;
    let joined = rt.block_on(async {
        let net = Network::start(journal, &options, None).await?;
        let accept = move |p: &CirclePreview| ask_to_join(p, &as_name, yes, json);
        let joined = net.join_circle(ticket, name, accept).await;
        net.shutdown().await;
        joined
    })?;
    let Some(joined) = joined else {
        if json {
            return print_json(&serde_json::json!({ "joined": false }));
        }
        say!("You did not join; nothing was changed.");
        return Ok(());
    };
    if json {
        return print_json(&serde_json::json!({
            "joined": true,
            "circle": joined.circle,
            "sync": joined.first_sync.as_ref().ok(),
        }));
    }
    say!("You joined {:?} as {name:?}.", joined.circle.name);
    if let Err(e) = &joined.first_sync {
        say!("Taking in the circle failed: {e}\nRun `hearth sync` to finish it.");
    }
    Ok(())
}

/// Show what the circle is for and its agreements, and ask whether the
/// person accepts them (`--yes` does). With `--json` the text goes to
/// standard error, so standard output stays JSON.
fn ask_to_join(p: &CirclePreview, as_name: &str, yes: bool, json: bool) -> bool {
    let mut text = format!("{} invites you to the circle {:?}.\n", p.invited_by, p.name);
    if !p.about.is_empty() {
        text.push_str(&format!("\nWhat it is for:\n{}\n", p.about));
    }
    if !p.agreements.is_empty() {
        text.push_str(&format!("\nIts agreements:\n{}\n", p.agreements));
    }
    text.push_str(&format!("\nMembers: {}\n", p.members.join(", ")));
    if json {
        eprint!("{text}");
    } else {
        print!("{text}");
        let _ = std::io::stdout().flush();
    }
    if yes {
        return true;
    }
    eprint!("\nDo you accept these agreements and join as {as_name:?}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn role(r: Option<CircleRole>) -> &'static str {
    match r {
        Some(CircleRole::Owner) => "owner",
        Some(CircleRole::Admin) => "admin",
        Some(CircleRole::Member) => "member",
        None => "no longer a member",
    }
}
