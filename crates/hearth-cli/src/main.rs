//! `hearth`: the terminal program. Every command is a thin call into
//! hearth-core; this crate only parses arguments, asks for passphrases and
//! prints.

mod args;
mod attach;
mod backup;
mod circle;
mod devices;
mod editor;
mod history;
mod net;
mod recovery;
mod render;
mod secret;

/// `println!` that returns an error instead of panicking when stdout is
/// closed (e.g. piped into `head`).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)?
    };
}

use anyhow::{Context, Result, bail};
use args::{Cli, Command, EditArgs, EntryFieldArgs, FilterArgs, FormatArg, KdfArgs, WriteArgs};
use clap::Parser;
use hearth_core::when::{parse_datetime, parse_range_end};
use hearth_core::{EntryDraft, EntryPatch, Format, Journal, KdfParams, ListFilter, Vault};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut msg = format!("{e}");
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !msg.contains(&cause) {
                    msg.push_str(&format!(": {cause}"));
                }
            }
            eprintln!("hearth: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Log to standard error: warnings by default, more with `-v`, or what
/// `RUST_LOG` asks for.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

fn home(cli_home: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(h) = cli_home {
        return Ok(h);
    }
    if let Some(h) = std::env::var_os("HEARTH_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    directories::ProjectDirs::from("", "", "hearth")
        .map(|d| d.data_dir().to_path_buf())
        .context("cannot find a data directory for this user; pass --home DIR or set HEARTH_HOME")
}

fn run(cli: Cli) -> Result<()> {
    let home = home(cli.home)?;
    match cli.command {
        Command::Init(a) => init(&home, &a.kdf, a.json),
        Command::Write(a) => write(&mut unlock(&home)?, a),
        Command::List(a) => {
            let j = unlock(&home)?;
            let entries = j.list(&filter(&a.filter)?)?;
            if a.json {
                return print_json(&entries);
            }
            if entries.is_empty() {
                say!("No entries.");
            }
            for e in entries {
                say!("{}", render::list_line(e));
            }
            Ok(())
        }
        Command::Show(a) => {
            let j = unlock(&home)?;
            let e = j.get(&a.id)?;
            if a.json {
                return print_json(e);
            }
            write!(std::io::stdout().lock(), "{}", render::entry(e))?;
            Ok(())
        }
        Command::Edit(a) => edit(&mut unlock(&home)?, a),
        Command::Delete(a) => {
            let e = unlock(&home)?.trash(&a.id)?;
            say!("Moved {} to the trash.", e.id.short());
            Ok(())
        }
        Command::Search(a) => {
            let mut f = filter(&a.filter)?;
            if f.limit.is_none() && !a.json {
                f.limit = Some(20);
            }
            if !Vault::exists(&home) {
                return Err(hearth_core::CoreError::NoVault(home.clone()).into());
            }
            let pass = secret::current()?;
            let (hits, damaged) =
                Vault::search_once(&home, pass.as_bytes(), &a.query.join(" "), &f)?;
            warn_damaged(&damaged);
            if a.json {
                return print_json(&hits);
            }
            if hits.is_empty() {
                say!("Nothing found.");
            }
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for h in &hits {
                say!("{}", render::hit(h, color));
            }
            Ok(())
        }
        Command::Mood(a) => {
            let report = unlock(&home)?.mood_report(a.days)?;
            if a.json {
                return print_json(&report);
            }
            write!(std::io::stdout().lock(), "{}", render::mood(&report))?;
            Ok(())
        }
        Command::Recover => recovery::recover(&home),
        Command::RecoveryKey(a) => recovery::command(&home, &a),
        Command::Passwd(a) => {
            let mut j = unlock(&home)?;
            let new = secret::new("HEARTH_NEW_PASSPHRASE", "New passphrase")?;
            let stored = j.kdf_params()?;
            let kdf = kdf_params(&a, j_kdf_default(&a, stored))?;
            j.change_passphrase(new.as_bytes(), kdf)?;
            say!("Passphrase changed.");
            Ok(())
        }
        Command::Import(a) => {
            let format = format(a.format);
            let mut j = unlock(&home)?;
            let report = if a.dry_run {
                j.import_dry_run(format, &a.path)?
            } else {
                let bar = if a.json { None } else { progress_bar() };
                let report = j.import(format, &a.path, |done, total| {
                    if let Some(b) = &bar {
                        b.set_length(total as u64);
                        b.set_position(done as u64);
                    }
                })?;
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
                report
            };
            if a.json {
                return print_json(&report);
            }
            let (verb, skipped) = if report.dry_run {
                ("Would import", "would skip")
            } else {
                ("Imported", "skipped")
            };
            say!(
                "{verb} {} {}; {skipped} {} {} already in the journal.",
                report.imported,
                plural(report.imported, "entry", "entries"),
                report.duplicates,
                plural(report.duplicates, "duplicate", "duplicates")
            );
            let kept: Vec<String> = report
                .kept
                .iter()
                .skip(1)
                .map(|k| format!("{} ({})", k.what, k.entries))
                .collect();
            if !kept.is_empty() {
                say!(
                    "Kept with the text and times, by entries that had them: {}.",
                    kept.join(", ")
                );
            }
            for d in &report.dropped {
                say!(
                    "Dropped {} from {} {}: {}",
                    d.what,
                    d.entries,
                    plural(d.entries, "entry", "entries"),
                    d.why
                );
            }
            if report.dry_run {
                say!("Nothing was written (--dry-run).");
            }
            Ok(())
        }
        Command::Attach(a) => attach::attach(&mut unlock(&home)?, &a),
        Command::Attachments(a) => attach::list(&unlock(&home)?, &a),
        Command::Attachment(a) => attach::attachment(&unlock(&home)?, &a),
        Command::Detach(a) => attach::detach(&mut unlock(&home)?, &a),
        Command::History(a) => history::history(&unlock(&home)?, &a),
        Command::Trash(a) => history::trash(&mut unlock(&home)?, &a),
        Command::Undelete(a) => {
            let e = unlock(&home)?.untrash(&a.id)?;
            say!("Took {} out of the trash.", e.id.short());
            Ok(())
        }
        Command::Devices(a) => devices::devices(&mut unlock(&home)?, &a),
        Command::Pair(a) => net::pair(&home, &a),
        Command::Sync(a) => net::sync(&home, &a),
        Command::Serve(a) => net::serve(&home, &a),
        Command::Status(a) => net::status(&unlock(&home)?, a.json),
        Command::Config(a) => net::config(&mut unlock(&home)?, &a),
        Command::Circle(a) => circle::circle(&home, &a),
        Command::Share(a) => circle::share(&mut unlock(&home)?, &a),
        Command::Unshare(a) => {
            unlock(&home)?.unshare(&a.entry, &a.circle)?;
            if a.json {
                return print_json(&serde_json::json!({ "unshared": a.entry }));
            }
            say!(
                "No longer shared: members' apps stop showing it. What they already received cannot be recalled."
            );
            Ok(())
        }
        Command::Reply(a) => circle::reply(&mut unlock(&home)?, &a),
        Command::Away(a) => circle::away(&home, &a),
        Command::Backup(a) => backup::backup(&home, &a),
        Command::Restore(a) => match a.version {
            Some(n) => {
                let id = a.path.to_string_lossy();
                let e = unlock(&home)?.restore_version(&id, n)?;
                say!(
                    "Brought back version {n} of {} as a new version.",
                    e.id.short()
                );
                Ok(())
            }
            None => backup::restore(&home, &a),
        },
        Command::Export(a) => {
            let format = format(a.format);
            if format == Format::DayOne {
                bail!(
                    "Hearth can import Day One exports but not write them; choose hearth, markdown, jrnl or jrnl-json"
                );
            }
            let (n, lost) = unlock(&home)?.export_report(format, &a.path)?;
            say!(
                "Exported {n} {} to {}.",
                plural(n, "entry", "entries"),
                a.path.display()
            );
            for d in &lost {
                say!(
                    "Left out {} of {} {}: {}",
                    d.what,
                    d.entries,
                    plural(d.entries, "entry", "entries"),
                    d.why
                );
            }
            Ok(())
        }
    }
}

fn init(home: &std::path::Path, a: &KdfArgs, json: bool) -> Result<()> {
    if Vault::exists(home) {
        return Err(hearth_core::CoreError::VaultExists(home.to_path_buf()).into());
    }
    let kdf = kdf_params(a, Some(KdfParams::default()))?.unwrap_or_default();
    let pass = secret::new("HEARTH_PASSPHRASE", "New passphrase")?;
    let (_, key) = Vault::create_with_recovery(home, pass.as_bytes(), kdf)?;
    recovery::created(home, &key, json)
}

/// `passwd` keeps the stored settings unless one is given.
fn j_kdf_default(a: &KdfArgs, stored: KdfParams) -> Option<KdfParams> {
    (a.kdf_memory_mib.is_some() || a.kdf_iterations.is_some()).then_some(stored)
}

pub(crate) fn kdf_params(a: &KdfArgs, base: Option<KdfParams>) -> Result<Option<KdfParams>> {
    let Some(base) = base else { return Ok(None) };
    let memory_kib = match a.kdf_memory_mib {
        Some(m) => m
            .checked_mul(1024)
            .context("--kdf-memory-mib is too large")?,
        None => base.memory_kib,
    };
    let p = KdfParams::new(
        memory_kib,
        a.kdf_iterations.unwrap_or(base.iterations),
        base.parallelism,
    )
    .map_err(hearth_core::CoreError::from)?;
    Ok(Some(p))
}

pub(crate) fn unlock(home: &std::path::Path) -> Result<Journal> {
    if !Vault::exists(home) {
        return Err(hearth_core::CoreError::NoVault(home.to_path_buf()).into());
    }
    let pass = secret::current()?;
    let (journal, _) = Vault::unlock(home, pass.as_bytes())?;
    warn_damaged(journal.damaged());
    Ok(journal)
}

fn warn_damaged(damaged: &[hearth_core::journal::Damage]) {
    for d in damaged {
        eprintln!(
            "hearth: warning: entry {} is damaged and cannot be read: {}",
            d.id, d.reason
        );
    }
}

fn write(j: &mut Journal, a: WriteArgs) -> Result<()> {
    let body = if !a.text.is_empty() {
        a.text.join(" ")
    } else if std::io::stdin().is_terminal() {
        editor::edit("")?.trim_end().to_string()
    } else {
        read_stdin()?
    };
    let f = a.fields;
    if body.trim().is_empty() && f.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        bail!("the entry is empty; nothing was written");
    }
    let entry = j.write(EntryDraft {
        title: f.title.unwrap_or_default(),
        body,
        mood: f.mood,
        feelings: f.feelings,
        tags: f.tags,
        starred: f.star,
        created_at: f.at.as_deref().map(parse_datetime).transpose()?,
    })?;
    say!("{}", entry.id);
    Ok(())
}

fn edit(j: &mut Journal, a: EditArgs) -> Result<()> {
    let id = j.resolve(&a.id)?;
    let current = j.get(&id.to_string())?.clone();
    let f: EntryFieldArgs = a.fields;
    let changes_fields = f.title.is_some()
        || f.mood.is_some()
        || !f.feelings.is_empty()
        || !f.tags.is_empty()
        || f.at.is_some()
        || f.star
        || a.unstar
        || a.no_mood
        || !a.remove_tags.is_empty();
    let body = match a.body {
        Some(b) => Some(b),
        None if !std::io::stdin().is_terminal() => Some(read_stdin()?).filter(|b| !b.is_empty()),
        None if !changes_fields => Some(editor::edit(&current.body)?.trim_end().to_string()),
        None => None,
    };
    let patch = EntryPatch {
        title: f.title,
        body,
        mood: if a.no_mood {
            Some(None)
        } else {
            f.mood.map(Some)
        },
        feelings: (!f.feelings.is_empty()).then_some(f.feelings),
        add_tags: f.tags,
        remove_tags: a.remove_tags,
        starred: if f.star {
            Some(true)
        } else if a.unstar {
            Some(false)
        } else {
            None
        },
        created_at: f.at.as_deref().map(parse_datetime).transpose()?,
    };
    let e = j.edit(&id.to_string(), &patch)?;
    say!("Saved {}.", e.id.short());
    Ok(())
}

fn filter(a: &FilterArgs) -> Result<ListFilter> {
    Ok(ListFilter {
        limit: a.limit,
        tag: a.tag.clone(),
        mood: a.mood,
        from: a.from.as_deref().map(parse_datetime).transpose()?,
        to: a.to.as_deref().map(parse_range_end).transpose()?,
    })
}

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Hearth => Format::Hearth,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Jrnl => Format::Jrnl,
        FormatArg::JrnlJson => Format::JrnlJson,
        FormatArg::Dayone => Format::DayOne,
    }
}

/// Standard input as an entry's text; more than an entry may hold is
/// refused without reading the rest.
fn read_stdin() -> Result<String> {
    let max = hearth_core::entry::BODY_MAX;
    let mut s = String::new();
    std::io::stdin()
        .take(max as u64 + 1)
        .read_to_string(&mut s)
        .context("standard input is not UTF-8 text")?;
    if s.len() > max {
        bail!(
            "standard input holds more than the {} MiB an entry may hold; split it into several entries (nothing was saved)",
            max >> 20
        );
    }
    Ok(s.trim_end().to_string())
}

pub(crate) fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// One JSON value on one line, flushed at once: for commands that print
/// several as they happen (a reader acts on the first before the rest).
pub(crate) fn print_json_line<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} entries") {
        bar.set_style(style);
    }
    Some(bar)
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
