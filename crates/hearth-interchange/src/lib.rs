//! Hearth's bridge to other journals' files.
//!
//! Every format is read into, and written from, one neutral [`Record`]. The
//! crate knows nothing of vaults or encryption: it parses bytes into records
//! (validating everything first, so a bad file is refused whole) and renders
//! records into files. The caller decides what to store.
//!
//! | format | read | write | keeps |
//! | --- | --- | --- | --- |
//! | `hearth` ([`Format::Hearth`]) | yes | yes | everything, times to the nanosecond |
//! | `markdown` | yes | yes | everything (YAML front matter + body) |
//! | `jrnl` | yes | yes | title, body, tags, starred, time to the second |
//! | `jrnl-json` | yes | yes | title, body, tags, starred, time to the minute |
//! | `dayone` | yes | no | text, dates, tags, starred, photos/videos/audio/PDFs, place, weather, time zone; the rest is reported |
//!
//! Each format lives in its own module, whose documentation says exactly
//! what is read, written and lost. Readers validate the whole input first and
//! refuse it with [`InterchangeError::Malformed`] naming the entry, line or
//! file; what a source held that Hearth cannot keep is listed in
//! [`Parsed::dropped`]. Writers check the records first, never overwrite an
//! existing file or non-empty folder, and [`lost_on_write`] says what a
//! format will leave out. Tags are always held without an `@`/`#` prefix,
//! trimmed and without repeats; a mood is 1 to 5 or none.

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod common;
mod dayone;
mod hearth_json;
mod jrnl;
mod jrnl_json;
mod markdown;

/// One journal entry as it crosses a file boundary.
///
/// This is also the shape of an entry in `--json` output and in the
/// `hearth` backup format: `{id, title, body, mood, feelings, tags, starred,
/// created_at, updated_at}`, plus `attachments`, `place`, `weather` and
/// `time_zone` when the entry has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Hearth's id when the source had one (the `hearth` format); importers
    /// of other formats leave it `None`.
    pub id: Option<String>,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// 1 to 5, or none.
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    /// Without any `@` or `#` prefix.
    pub tags: Vec<String>,
    pub starred: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Files that belong to the entry. The body refers to one as
    /// `attachment:KEY` (`![caption](attachment:KEY)` shows a photo in
    /// place).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<RecordAttachment>,
    /// Where the entry was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// The weather when it was written, as a person reads it ("Partly
    /// cloudy, 12 °C").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weather: Option<String>,
    /// The IANA time zone the entry was written in ("Europe/Berlin").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A file that belongs to a [`Record`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAttachment {
    /// What the record's body calls it: `attachment:KEY`. Unique within the
    /// record; only ASCII letters, digits, `-`, `_` and `.`.
    pub key: String,
    /// The file name to show and to save it under (no folders).
    pub name: String,
    /// Its media type ("image/jpeg"), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Where the bytes are. Readers name a file or a zip member; a caller
    /// writing records names its own store.
    #[serde(skip)]
    pub source: AttachmentSource,
}

/// Where an attachment's bytes are, so that they are read when stored and
/// never all held in memory at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AttachmentSource {
    /// Not known (for example, a record read back from `--json`).
    #[default]
    Missing,
    /// A file on disk.
    File(PathBuf),
    /// A member of a zip archive.
    Zip { archive: PathBuf, member: String },
    /// Something only the caller can read, by this id (see [`Blobs`]).
    Stored(String),
}

impl AttachmentSource {
    /// Hand a reader of the bytes to `f` ([`AttachmentSource::File`] and
    /// [`AttachmentSource::Zip`]; the others are the caller's to read). The
    /// bytes are streamed, never held whole.
    pub fn read_with<T>(
        &self,
        f: impl FnOnce(&mut dyn std::io::Read) -> std::io::Result<T>,
    ) -> Result<T, InterchangeError> {
        match self {
            AttachmentSource::File(path) => {
                let mut file = std::fs::File::open(path).map_err(|e| common::io_err(path, e))?;
                f(&mut file).map_err(|e| common::io_err(path, e))
            }
            AttachmentSource::Zip { archive, member } => {
                let file = std::fs::File::open(archive).map_err(|e| common::io_err(archive, e))?;
                let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
                    .map_err(|e| common::io_err(archive, std::io::Error::other(e)))?;
                let mut reader = zip.by_name(member).map_err(|e| {
                    common::io_err(
                        archive,
                        std::io::Error::other(format!("cannot read `{member}` in the zip: {e}")),
                    )
                })?;
                f(&mut reader).map_err(|e| common::io_err(archive, e))
            }
            AttachmentSource::Missing | AttachmentSource::Stored(_) => Err(
                InterchangeError::Unsupported("this attachment's bytes are not in a file".into()),
            ),
        }
    }
}

/// The caller's store of attachments, for writers: copies the bytes of
/// [`AttachmentSource::Stored`] attachments.
pub trait Blobs {
    /// Copy the bytes of the stored attachment `id` to `out`.
    fn copy(&self, id: &str, out: &mut dyn std::io::Write) -> std::io::Result<u64>;
}

/// For records without stored attachments.
pub struct NoBlobs;

impl Blobs for NoBlobs {
    fn copy(&self, id: &str, _out: &mut dyn std::io::Write) -> std::io::Result<u64> {
        Err(std::io::Error::other(format!(
            "no attachment store holds {id}"
        )))
    }
}

/// A place, as far as the source knew it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Place {
    /// The name as a person would say it ("Café Sperl, Vienna, Austria").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

/// The file formats Hearth reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Hearth's lossless JSON backup.
    Hearth,
    /// A folder, one `.md` file per entry with YAML front matter.
    Markdown,
    /// jrnl's plain-text journal file.
    Jrnl,
    /// What `jrnl --export json` writes.
    JrnlJson,
    /// Day One's JSON export (`Journal.json` or the zip around it); import only.
    DayOne,
}

impl Format {
    /// Every format, in the order they are listed to people.
    pub const ALL: [Format; 5] = [
        Format::Hearth,
        Format::Markdown,
        Format::Jrnl,
        Format::JrnlJson,
        Format::DayOne,
    ];

    /// The name used on the command line: `hearth`, `markdown`, `jrnl`,
    /// `jrnl-json`, `dayone`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Hearth => "hearth",
            Format::Markdown => "markdown",
            Format::Jrnl => "jrnl",
            Format::JrnlJson => "jrnl-json",
            Format::DayOne => "dayone",
        }
    }

    /// Whether [`write()`] supports this format (all but Day One).
    pub fn can_write(self) -> bool {
        !matches!(self, Format::DayOne)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = InterchangeError;

    /// Accepts [`Format::name`], case-insensitively, and the spellings
    /// `json`, `md`, `jrnl_json`, `jrnljson`, `day-one`, `day_one`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hearth" | "json" => Ok(Format::Hearth),
            "markdown" | "md" => Ok(Format::Markdown),
            "jrnl" => Ok(Format::Jrnl),
            "jrnl-json" | "jrnl_json" | "jrnljson" => Ok(Format::JrnlJson),
            "dayone" | "day-one" | "day_one" => Ok(Format::DayOne),
            other => Err(InterchangeError::Unsupported(format!(
                "unknown format `{other}`; expected one of hearth, markdown, jrnl, jrnl-json, dayone"
            ))),
        }
    }
}

/// Something the source held that Hearth did not keep, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// What was dropped, e.g. "photos", "location".
    pub what: String,
    /// How many entries had it.
    pub entries: usize,
    pub why: String,
}

/// The outcome of reading a file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub records: Vec<Record>,
    pub dropped: Vec<Dropped>,
}

/// The largest file an import reads whole (a Day One journal's JSON, a jrnl
/// file, one Markdown file), in bytes. A Day One zip may be larger: it is
/// never read whole.
pub const FILE_MAX: u64 = 256 << 20;

/// Errors from reading or writing an interchange file.
#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not what the format says. `location` names the entry or
    /// line ("entry 3", "line 42", "2021-03-05.md").
    #[error("{path}: {location}: {message}")]
    Malformed {
        path: PathBuf,
        location: String,
        message: String,
    },
    /// A record handed to [`write()`] cannot be written as it is (for example
    /// mood 9). `entry` counts from 1. Nothing was written.
    #[error("entry {entry}: {message}")]
    InvalidRecord { entry: usize, message: String },
    #[error("{0}")]
    Unsupported(String),
    #[error(
        "{path} is larger than the {limit_mib} MiB an import file may be; split it (nothing was imported)"
    )]
    TooLarge { path: PathBuf, limit_mib: u64 },
}

/// Read `path` in `format` into records. Nothing is returned unless the whole
/// file is valid.
///
/// Local times without an offset (jrnl, jrnl JSON, hand-written Markdown
/// file names) are read in the computer's time zone ([`chrono::Local`]).
pub fn read(format: Format, path: &Path) -> Result<Parsed, InterchangeError> {
    match format {
        Format::Hearth => hearth_json::read(path),
        Format::Markdown => markdown::read(path, &Local),
        Format::Jrnl => jrnl::read(path, &Local),
        Format::JrnlJson => jrnl_json::read(path, &Local),
        Format::DayOne => dayone::read(path),
    }
}

/// Write `records` to `path` in `format`.
///
/// Records are checked first (mood 1 to 5 or none); a bad one is refused with
/// [`InterchangeError::InvalidRecord`] and nothing is written. Single-file
/// formats refuse to replace an existing non-empty file, and Markdown refuses
/// a non-empty folder, so an export never overwrites anything; a file is
/// written through a temporary file and a rename, so a failure leaves no
/// half-written file. What a format cannot hold is listed by
/// [`lost_on_write`].
pub fn write(format: Format, path: &Path, records: &[Record]) -> Result<(), InterchangeError> {
    write_with(format, path, records, &NoBlobs)
}

/// [`write()`], copying [`AttachmentSource::Stored`] attachments from
/// `blobs`.
pub fn write_with(
    format: Format,
    path: &Path,
    records: &[Record],
    blobs: &dyn Blobs,
) -> Result<(), InterchangeError> {
    if format == Format::DayOne {
        return Err(InterchangeError::Unsupported(
            "Hearth imports Day One exports but cannot write them; export to hearth, markdown, jrnl or jrnl-json instead".into(),
        ));
    }
    common::validate_records(records)?;
    match format {
        Format::Hearth => hearth_json::write(path, records, blobs),
        Format::Markdown => markdown::write(path, records, &Local, blobs),
        Format::Jrnl => jrnl::write(path, records, &Local),
        Format::JrnlJson => jrnl_json::write(path, records, &Local),
        Format::DayOne => Ok(()),
    }
}

/// What writing `records` in `format` would leave out, so a caller can say
/// so before (or after) exporting. Empty for the lossless formats (`hearth`,
/// `markdown`) and for `dayone`, which cannot be written at all.
pub fn lost_on_write(format: Format, records: &[Record]) -> Vec<Dropped> {
    let mut lost = match format {
        Format::Hearth | Format::Markdown | Format::DayOne => return Vec::new(),
        Format::Jrnl => jrnl::lost_on_write(records),
        Format::JrnlJson => jrnl_json::lost_on_write(records),
    };
    let why =
        format!("{format} files have no place for them; export to hearth or markdown to keep them");
    for (what, has) in [
        (
            "photos and files",
            &(|r: &Record| !r.attachments.is_empty()) as &dyn Fn(&Record) -> bool,
        ),
        ("places", &|r: &Record| r.place.is_some()),
        ("weather", &|r: &Record| r.weather.is_some()),
        ("time zones", &|r: &Record| r.time_zone.is_some()),
    ] {
        let entries = records.iter().filter(|r| has(r)).count();
        if entries > 0 {
            lost.push(Dropped {
                what: what.into(),
                entries,
                why: why.clone(),
            });
        }
    }
    lost
}

#[cfg(test)]
mod no_panic {
    //! Readers must refuse bad input, never panic on it.
    use super::*;
    use proptest::prelude::*;

    fn junk() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "\\PC{0,10}",
                "[\\[\\]{}\":,\\\\!()#@*`\\-\n\r ]{0,10}",
                Just("---\n".to_string()),
                Just("![](dayone-moment://AB)".to_string()),
                Just("\"entries\":[{".to_string()),
                Just("\"creationDate\":\"2021-03-05T21:40:00Z\"".to_string()),
                Just("2021-03-05".to_string()),
            ],
            0..12,
        )
        .prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn hearth_json(text in junk()) {
            let _ = hearth_json::parse(&text);
        }

        #[test]
        fn markdown(name in "[0-9a-z\\- .]{0,20}\\.md", text in junk()) {
            let mut log = common::DropLog::default();
            let _ = markdown::parse_file(&name, &text, Utc::now(), &Utc, &mut log);
        }

        #[test]
        fn dayone(text in junk()) {
            let mut log = common::DropLog::default();
            let _ = dayone::parse_journal(&text, None, &mut log);
            let wrapped = format!(
                "{{\"entries\":[{{\"creationDate\":\"2021-03-05T21:40:00Z\",\"text\":{}}}]}}",
                serde_json::Value::String(text)
            );
            let parsed = dayone::parse_journal(&wrapped, None, &mut log);
            prop_assert!(parsed.is_ok());
        }

        #[test]
        fn jrnl(text in junk()) {
            let _ = jrnl::parse(&text, &Utc);
        }
    }
}

/// Narrow entry points for the fuzz targets in `fuzz/`; not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::markdown::{fuzz_file_name_date, fuzz_markdown_file};
}
