//! Where the journal lives: the same data directory the `hearth` terminal
//! program uses, so both open the same journal.

use std::path::PathBuf;

/// `$HEARTH_HOME` when set and not empty, else the platform's data
/// directory (`~/.local/share/hearth` on Linux).
pub fn data_dir() -> Result<PathBuf, String> {
    if let Some(h) = std::env::var_os("HEARTH_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    directories::ProjectDirs::from("", "", "hearth")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            "cannot find a data directory for this user; set HEARTH_HOME to a folder".to_string()
        })
}
