//! What the fuzz targets share: the fuzz input written where a reader of
//! files finds it. Every reader here may refuse its input; none may panic,
//! hang or run out of memory on it.

use hearth_interchange::Format;
use std::path::Path;
use std::sync::OnceLock;
use tempfile::TempDir;

/// A folder that lasts as long as the fuzzing process.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("hearth-fuzz-")
            .tempdir()
            .expect("a temporary folder")
    })
    .path()
}

/// Write `bytes` to the file `name` in the scratch folder and read it as
/// `format`. The result does not matter: refusing is fine.
pub fn read_file(format: Format, name: &str, bytes: &[u8]) {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("write the input file");
    let _ = hearth_interchange::read(format, &path);
}

/// Write `bytes` as the only file, named `name`, of a folder and read the
/// folder as `format`.
pub fn read_folder(format: Format, name: &str, bytes: &[u8]) {
    let dir = scratch().join("folder");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).expect("make the input folder");
    std::fs::write(dir.join(name), bytes).expect("write the input file");
    let _ = hearth_interchange::read(format, &dir);
}
