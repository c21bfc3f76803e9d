//! Writing a body in the person's `$EDITOR` without leaving plaintext on
//! disk. The draft file is created mode 0600 on memory-backed storage and
//! removed afterwards: `$HEARTH_DRAFT_DIR` when set, else the runtime
//! directory, else `/dev/shm`, whichever /proc/mounts says is a tmpfs. Where
//! there is no such place, Hearth says so and asks before using the disk
//! (`$HEARTH_DRAFT_DIR` when set, else the temporary folder).

use anyhow::{Context, Result, bail};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use zeroize::Zeroizing;

/// Open `$EDITOR` (else `$VISUAL`, else `vi`) on `initial`; return what was
/// saved.
pub fn edit(initial: &str) -> Result<Zeroizing<String>> {
    let editor = std::env::var("EDITOR")
        .or_else(|_| std::env::var("VISUAL"))
        .unwrap_or_else(|_| "vi".to_string());
    let chosen = std::env::var_os("HEARTH_DRAFT_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = chosen.as_ref().filter(|d| !d.is_dir()) {
        bail!(
            "HEARTH_DRAFT_DIR is {}, which is not a folder; make it or unset it",
            dir.display()
        );
    }
    let dir = match memory_backed_dir(chosen.clone()) {
        Some(dir) => dir,
        None => ask_for_disk(chosen.unwrap_or_else(std::env::temp_dir))?,
    };
    let mut file = tempfile::Builder::new()
        .prefix("hearth-")
        .suffix(".md")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot create a draft file in {}", dir.display()))?;
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

/// A directory on tmpfs we can write to, if there is one: `chosen` alone
/// when the person named one.
fn memory_backed_dir(chosen: Option<PathBuf>) -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let candidates: Vec<PathBuf> = match chosen {
        Some(dir) => vec![dir],
        None => std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .into_iter()
            .chain([PathBuf::from("/dev/shm")])
            .collect(),
    };
    candidates
        .into_iter()
        .filter(|d| d.is_dir())
        .find(|d| is_memory_backed(d, &mounts))
}

/// Whether the mount holding `dir` (the longest mount point that prefixes
/// it) is a tmpfs or ramfs, going by a /proc/mounts text.
fn is_memory_backed(dir: &Path, mounts: &str) -> bool {
    let Ok(dir) = dir.canonicalize() else {
        return false;
    };
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, point, kind) = (f.next()?, f.next()?, f.next()?);
            let point = point.replace("\\040", " ");
            dir.starts_with(&point)
                .then(|| (point.len(), kind == "tmpfs" || kind == "ramfs"))
        })
        .max_by_key(|(len, _)| *len)
        .is_some_and(|(_, memory)| memory)
}

fn ask_for_disk(tmp: PathBuf) -> Result<PathBuf> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "there is no memory-backed folder for the draft, and the disk is not used without asking; pass the text as arguments or on standard input"
        );
    }
    eprint!(
        "No memory-backed folder was found, so the draft would be written to disk in {} \
         (removed afterwards, but it may be recoverable; set HEARTH_DRAFT_DIR to a tmpfs \
         folder to avoid this). Continue? [y/N] ",
        tmp.display()
    );
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        bail!("nothing was written");
    }
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_mount_of_a_folder() {
        let mounts = "proc /proc proc rw 0 0\n/dev/vda / ext4 rw 0 0\ntmpfs /run tmpfs rw 0 0\n";
        assert!(is_memory_backed(Path::new("/run"), mounts) || !Path::new("/run").exists());
        assert!(!is_memory_backed(Path::new("/"), mounts));
    }
}
