//! Passphrases: from the environment for scripts, else a hidden prompt.
//! They are zeroized after use.

use anyhow::{Result, bail};
use std::io::IsTerminal;
use zeroize::Zeroizing;

/// The passphrase of an existing journal.
pub fn current() -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("HEARTH_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    prompt("Passphrase: ", "HEARTH_PASSPHRASE")
}

/// A new passphrase: `env_var` when set, else asked twice.
pub fn new(env_var: &str, what: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(env_var) {
        return Ok(Zeroizing::new(p));
    }
    let first = prompt(&format!("{what}: "), env_var)?;
    let second = prompt(&format!("{what} again: "), env_var)?;
    if *first != *second {
        bail!("the two passphrases differ; nothing was changed");
    }
    Ok(first)
}

fn prompt(label: &str, env_var: &str) -> Result<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set {env_var}, or run hearth in a terminal to be asked");
    }
    Ok(Zeroizing::new(rpassword::prompt_password(label)?))
}
