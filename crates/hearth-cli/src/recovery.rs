//! The recovery key: showing it once when a journal is made or the key is
//! replaced (`hearth init`, `hearth recovery-key new`), and getting back in
//! with it (`hearth recover`).
//!
//! The key is read from `HEARTH_RECOVERY_KEY` for scripts, else asked for
//! without echo. It is checked (its check characters) before anything else
//! is asked or done.

use crate::args::{RecoveryKeyAction, RecoveryKeyArgs};
use crate::secret;
use anyhow::{Result, bail};
use hearth_core::{CoreError, RecoveryKey, Vault};
use std::io::{IsTerminal, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// Where scripts put the recovery key.
const KEY_ENV: &str = "HEARTH_RECOVERY_KEY";

/// After `init`: say where the journal is and show its recovery key, or with
/// `json` print only `{"recovery_key": "..."}`.
pub fn created(home: &Path, key: &RecoveryKey, json: bool) -> Result<()> {
    if json {
        return print_json(key);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "Created a journal in {}.", home.display())?;
    writeln!(out)?;
    show(&mut out, key)
}

/// `hearth recovery-key ...`.
pub fn command(home: &Path, a: &RecoveryKeyArgs) -> Result<()> {
    match &a.action {
        RecoveryKeyAction::New(n) => {
            let mut j = crate::unlock(home)?;
            let key = j.new_recovery_key()?;
            if n.json {
                return print_json(&key);
            }
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "Made a new recovery key. The one before it no longer works."
            )?;
            writeln!(out)?;
            show(&mut out, &key)
        }
    }
}

/// `hearth recover`: the recovery key, then a new passphrase.
pub fn recover(home: &Path) -> Result<()> {
    if !Vault::exists(home) {
        return Err(CoreError::NoVault(home.to_path_buf()).into());
    }
    let typed = read_key()?;
    let key = Vault::parse_recovery_key(&typed)?;
    drop(typed);
    let pass = secret::new("HEARTH_PASSPHRASE", "New passphrase")?;
    let j = Vault::recover(home, &key, pass.as_bytes())?;
    for d in j.damaged() {
        eprintln!(
            "hearth: warning: entry {} is damaged and cannot be read: {}",
            d.id, d.reason
        );
    }
    let n = j.len();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "New passphrase set. Your journal opens with it now ({n} {}).",
        if n == 1 { "entry" } else { "entries" }
    )?;
    writeln!(
        out,
        "The recovery key still works; `hearth recovery-key new` replaces it."
    )?;
    Ok(())
}

/// The key from the environment, else a hidden prompt.
fn read_key() -> Result<Zeroizing<String>> {
    if let Ok(k) = std::env::var(KEY_ENV) {
        return Ok(Zeroizing::new(k));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no recovery key: set {KEY_ENV}, or run hearth in a terminal to be asked");
    }
    Ok(Zeroizing::new(rpassword::prompt_password(
        "Recovery key: ",
    )?))
}

fn show(out: &mut impl Write, key: &RecoveryKey) -> Result<()> {
    let encoded = key.encoded();
    writeln!(out, "Your recovery key:")?;
    writeln!(out)?;
    writeln!(out, "    {}", &*encoded)?;
    writeln!(out)?;
    writeln!(
        out,
        "Write it down now and keep it somewhere safe, away from this computer: it is\n\
         shown only this once. It is the only way back into your journal if you forget\n\
         your passphrase (`hearth recover`). Lose both, and nobody can read your entries,\n\
         Hearth included. Anyone who has the key can open the journal.\n\
         `hearth recovery-key new` replaces it."
    )?;
    Ok(())
}

fn print_json(key: &RecoveryKey) -> Result<()> {
    let encoded = key.encoded();
    // The key is digits, capitals and dashes: nothing to escape.
    let mut line = Zeroizing::new(String::with_capacity(encoded.len() + 24));
    line.push_str("{\"recovery_key\": \"");
    line.push_str(&encoded);
    line.push_str("\"}\n");
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()?;
    Ok(())
}
