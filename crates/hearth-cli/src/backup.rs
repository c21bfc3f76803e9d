//! `hearth backup FILE`, `hearth backup verify FILE` and `hearth restore
//! FILE`: the whole journal, history included, in one encrypted file.
//!
//! A backup opens with the passphrase the journal had when it was made
//! (`HEARTH_PASSPHRASE`, else asked), or with the recovery key when
//! `--recovery-key` is given or `HEARTH_RECOVERY_KEY` is set (the key is
//! read from that variable, else asked).

use crate::args::{BackupAction, BackupArgs, BackupKeyArgs, RestoreArgs, VerifyArgs};
use crate::{print_json, say, secret};
use anyhow::{Context, Result, bail};
use hearth_core::{BackupKey, BackupSummary, RecoveryKey, Vault};
use std::io::{IsTerminal, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// Where scripts put the recovery key.
const RECOVERY_ENV: &str = "HEARTH_RECOVERY_KEY";

/// `hearth backup FILE` and `hearth backup verify FILE`.
pub fn backup(home: &Path, a: &BackupArgs) -> Result<()> {
    if let Some(BackupAction::Verify(v)) = &a.action {
        return verify(v);
    }
    let path = a
        .path
        .as_deref()
        .context("say which file to write the backup to: `hearth backup FILE`")?;
    let j = crate::unlock(home)?;
    let s = j.backup(path)?;
    say!(
        "Backed up {} with their history ({} {}){} to {}.",
        counted(s.entries + s.trashed, "entry", "entries"),
        s.ops,
        plural(s.ops, "change", "changes"),
        files(&s),
        path.display()
    );
    if s.recovery_key {
        say!("It opens with the passphrase the journal has now, or with the recovery key.");
    } else {
        say!("It opens with the passphrase the journal has now.");
    }
    Ok(())
}

fn verify(a: &VerifyArgs) -> Result<()> {
    let opener = Opener::new(&a.key)?;
    let s = Vault::verify_backup(&a.path, opener.key())?;
    if a.json {
        return print_json(&s);
    }
    say!(
        "{} is a complete, undamaged backup made {}: {}.",
        a.path.display(),
        s.made_at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M"),
        contents(&s)
    );
    Ok(())
}

/// `hearth restore FILE`.
pub fn restore(home: &Path, a: &RestoreArgs) -> Result<()> {
    let opener = Opener::new(&a.key)?;
    let s = Vault::restore_backup(&a.path, home, opener.key())?;
    say!("Restored {} into {}.", contents(&s), home.display());
    say!("The journal opens with the passphrase it had when the backup was made.");
    Ok(())
}

fn contents(s: &BackupSummary) -> String {
    let mut out = counted(s.entries, "entry", "entries");
    if s.trashed > 0 {
        out.push_str(&format!(" and {} in the trash", s.trashed));
    }
    out.push_str(&format!(
        ", with their history ({} {})",
        s.ops,
        plural(s.ops, "change", "changes")
    ));
    out.push_str(&files(s));
    out
}

/// `, and 3 photos and files (8.2 MiB), every byte checked`, or nothing.
fn files(s: &BackupSummary) -> String {
    if s.attachments == 0 {
        return String::new();
    }
    format!(
        " and {} ({}, every byte checked)",
        counted(s.attachments, "photo or file", "photos and files"),
        hearth_core::attachments::human_size(s.attachment_bytes)
    )
}

/// The passphrase or the recovery key, read once.
enum Opener {
    Passphrase(Zeroizing<String>),
    Recovery(RecoveryKey),
}

impl Opener {
    fn new(a: &BackupKeyArgs) -> Result<Self> {
        let from_env = std::env::var(RECOVERY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(Zeroizing::new);
        if !a.recovery_key && from_env.is_none() {
            return Ok(Self::Passphrase(secret::current()?));
        }
        let typed = match from_env {
            Some(k) => k,
            None if std::io::stdin().is_terminal() => {
                Zeroizing::new(rpassword::prompt_password("Recovery key: ")?)
            }
            None => bail!(
                "no recovery key: set {RECOVERY_ENV}, or run hearth in a terminal to be asked"
            ),
        };
        Ok(Self::Recovery(Vault::parse_recovery_key(&typed)?))
    }

    fn key(&self) -> BackupKey<'_> {
        match self {
            Self::Passphrase(p) => BackupKey::Passphrase(p.as_bytes()),
            Self::Recovery(k) => BackupKey::Recovery(k),
        }
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
