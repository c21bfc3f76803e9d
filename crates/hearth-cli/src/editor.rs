//! Writing a body in the person's `$EDITOR`. The temporary file is created
//! mode 0600 in the runtime directory (memory-backed on most systems) when
//! there is one, and removed afterwards.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::process::Command;
use zeroize::Zeroizing;

/// Open `$EDITOR` (else `$VISUAL`, else `vi`) on `initial`; return what was
/// saved.
pub fn edit(initial: &str) -> Result<Zeroizing<String>> {
    let editor = std::env::var("EDITOR")
        .or_else(|_| std::env::var("VISUAL"))
        .unwrap_or_else(|_| "vi".to_string());
    let mut builder = tempfile::Builder::new();
    builder.prefix("hearth-").suffix(".md");
    let mut file = match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if std::path::Path::new(&dir).is_dir() => builder.tempfile_in(dir)?,
        _ => builder.tempfile()?,
    };
    file.write_all(initial.as_bytes())?;
    file.flush()?;
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = Command::new(program)
        .args(parts)
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot start the editor {editor:?}; set $EDITOR"))?;
    if !status.success() {
        bail!("the editor {editor:?} exited with {status}; nothing was saved");
    }
    let text = Zeroizing::new(std::fs::read_to_string(file.path())?);
    file.close()?;
    Ok(text)
}
