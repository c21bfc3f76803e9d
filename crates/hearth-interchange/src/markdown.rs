//! A folder of Markdown files, one per entry, as Hearth writes it and as
//! other tools do (Obsidian, Logseq, Jekyll, Hugo, plain editors).
//!
//! This is the format people can open without Hearth (any editor, Obsidian,
//! a static site generator), and the way to bring in notes written elsewhere.
//!
//! # Writing
//!
//! PATH must be a missing or empty folder (it is created if missing; a
//! non-empty folder is refused so nothing is overwritten). Each entry becomes
//! `YYYY-MM-DD-HHMM-<slug>.md`, the time being the creation time in the
//! local time zone and the slug an ASCII rendering of the title (`entry`
//! when the title has none); equal names get `-2`, `-3`, …. The file is
//! `---`, the YAML front matter (`id` when present, `title`, `mood` when
//! present, `feelings`, `tags`, `starred`, `created_at`, `updated_at` as RFC
//! 3339 UTC with full precision, then `time_zone`, `place` and `weather`
//! when present, and `attachments` when there are any), `---`, then the body.
//!
//! An entry's attachments are written into a folder named after its file's
//! stem, beside it: `2021-04-15-0930-walk.md` and
//! `2021-04-15-0930-walk/photo.jpg`. File names there are the attachments'
//! names made safe (no `/`, `\`, `..`, leading dot, control characters or
//! characters Windows refuses; `-2`, `-3`, … for repeats). The bytes come
//! from the attachment's source: [`crate::Blobs::copy`] for
//! [`AttachmentSource::Stored`], the file or zip member otherwise; a record
//! whose attachment has no source ([`AttachmentSource::Missing`]) or whose
//! keys repeat is refused before anything is written. In the body, link
//! destinations `attachment:KEY` (in `![…](…)`, `[…](…)`, `[label]: …` and
//! `<img src>`) become the relative path (`2021-04-15-0930-walk/photo.jpg`,
//! percent-encoded where a link needs it); the rest of the body is written
//! byte for byte. The front matter's `attachments` list keeps each one's
//! `key`, `name`, `media_type` and `file` (the relative path), so reading an
//! export back gives the same records, attachments included (as
//! [`AttachmentSource::File`]).
//!
//! # Reading
//!
//! A path to a folder reads every `.md` and `.markdown` file in it and in
//! its subfolders, in name order within each folder. Skipped without a
//! word: hidden files and folders (a leading `.`: `.obsidian`, `.git`,
//! `.trash`), `node_modules`, a `logseq` folder holding `config.edn`
//! (Logseq's settings and backups), Jekyll's `_site` beside `_config.yml`,
//! Hugo's `public` and `resources` beside a Hugo config, `Thumbs.db` and
//! `desktop.ini`. Folders reached through symbolic links are not followed
//! (reported). A path to one Markdown file reads just that file (its links
//! resolve within its folder).
//!
//! A subfolder holding `index.md` or `index.markdown` is one entry (a Hugo
//! page bundle): the date and title fallbacks below use the folder's name,
//! and every other file in it and its subfolders becomes an attachment of
//! that entry, linked from the body or not, unless another entry links to
//! it. Markdown files inside a bundle are still entries of their own. The
//! imported folder itself is never a bundle: a site's or vault's top
//! `index.md`, like `_index.md` anywhere (a Hugo section page), is an
//! ordinary entry whose date and title fallbacks use its folder's name.
//!
//! Front matter is optional: YAML between `---` lines, TOML between `+++`
//! lines (Hugo), or a JSON object opening the file (Hugo). Logseq's page
//! properties (`key:: value` lines at the top) are read like front matter
//! and taken out of the body; Logseq's block bookkeeping lines `id:: <uuid>`
//! and `collapsed:: true|false` are taken out of the body (reported). Keys
//! are matched without regard to case. Every key is optional:
//! - title: `title`, else a first non-blank line `# Heading` (taken out of
//!   the body with the blank lines after it), else the file stem (for a
//!   bundle, the folder name) without a leading date and time; a daily note
//!   named only by its date (`2021-04-15.md`, Logseq's `2021_04_15.md`) gets
//!   an empty title, since the entry's date already says it.
//! - created_at: `created_at`; else `date`, `created`, `date created`,
//!   `date_created`, `creation date`, `creation_date` (the first that is
//!   present and a time); else a date (and time) at the start of the file or
//!   bundle folder name, read as local time (see [`dates`] for the forms:
//!   `2021-04-15`, `2021_04_15`, `2021.04.15`, `20210415`, with `-0930` or
//!   `-09-30`, then a `-slug` or ` title`); else the file's modification
//!   time. Front-matter times may be RFC 3339 (with fractional seconds),
//!   `YYYY-MM-DD HH:MM[:SS] +0800`/`+08:00`/`Z`, local `YYYY-MM-DD[ HH:MM
//!   [:SS]]` (also with `T`), a date alone (midnight), or RFC 2822; times
//!   without an offset are local.
//! - updated_at: `updated_at`; else `updated`, `lastmod`,
//!   `last_modified_at`, `modified`, `date modified`, `date_modified`,
//!   `last modified`, `last_modified`; else created_at when the front
//!   matter gave it; else the later of the modification time and created_at.
//! - tags: `tags` and `keywords` (a list, whose items keep their spaces, or
//!   one string split at commas, or at spaces when it has no comma; `#` and
//!   Logseq's `[[…]]` are taken off), then inline `#tags` in the body (see
//!   [`body`]; not in code, not headings, not URL fragments, not `#123`) and
//!   Logseq's `#[[two words]]`. Inline tags stay in the body.
//! - feelings: a list, or one comma-separated string; mood 1 to 5; starred
//!   true or false; time_zone and weather text; place a name or `{name,
//!   latitude, longitude}`.
//! - id: kept only when it is a Hearth id (32 hex digits); another
//!   program's `id` is reported and the entry gets a new id.
//!
//! Links in the body to files inside the imported folder become
//! attachments: `![alt](img/photo.jpg)`, `![alt](<with spaces.png>)`,
//! `![alt](my%20photo.jpg)`, Obsidian's `![[photo.png]]` (found beside the
//! note, from the top of the folder, or by name anywhere in it, as Obsidian
//! does), `[doc](files/a.pdf)`, `[[a.pdf]]`, `[label]: img.png`
//! definitions and `<img src="…">`. A path starting with `/` is looked up
//! from the top of the folder (and its `static/`, for Hugo). Each such
//! target is rewritten to `attachment:KEY` (embeds to `![](attachment:KEY)`,
//! with the embed's caption as alt text, but not a size like `|300`); KEY is
//! the file name reduced to ASCII letters, digits, `-`, `_`, `.`, with `-2`,
//! … for repeats; the attachment's name is the file name, its media type
//! follows the extension, its source the file's absolute path. Bytes are not
//! read (only checked to be a file). Links to URLs (`https:`, `data:`,
//! `mailto:`, …), to `#anchors`, to other Markdown notes and to folders stay
//! as they are. Links to missing files (images and embeds, and plain links
//! to names with a file extension other than a web page's) and to files
//! outside the folder stay in the body and are reported.
//!
//! Reported in [`Parsed::dropped`], never a reason to refuse the folder:
//! front matter keys and page properties Hearth has no field for (other
//! tools' `layout`, `slug`, `permalink`, `draft`, `categories`, `aliases`,
//! `cssclass`, `publish`, …, and an `id` that is not a Hearth id), dates in
//! other tools' keys that are not times (the next source of the date is
//! used), the missing and outside links above, and files no entry links to
//! (outside bundles; counted per file). Refused, naming the file and what to
//! do: front matter that is not valid YAML or TOML or is never closed, a
//! `created_at`/`updated_at` (Hearth's own keys) that is not a time, a mood
//! outside 1 to 5, a `title`, `starred`, `feelings`, `place`, `weather` or
//! `time_zone` of the wrong kind, a file name that starts with an
//! impossible date (`2021-02-30`) when nothing else gives the date, text
//! that is not UTF-8. The Markdown files themselves are read whole, each up
//! to [`crate::FILE_MAX`]; attachments are not read at all.
//!
//! Files Hearth wrote (YAML front matter with `created_at` and
//! `updated_at`) are read exactly as written: no page properties, no inline
//! tags, no Logseq lines taken out, so write→read is lossless.

pub(crate) mod body;
pub(crate) mod dates;
mod files;
mod front;

use crate::common::{
    Bad, DropLog, Fields, describe, file_name, io_err, mood_from_json, normalize_tags, read_text,
};
use crate::{AttachmentSource, Blobs, InterchangeError, Parsed, Place, Record, RecordAttachment};
use body::{Link, LinkKind};
use chrono::{DateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use dates::NameDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Other tools' keys for the creation time, in the order they are tried.
const CREATED_KEYS: [&str; 6] = [
    "date",
    "created",
    "date created",
    "date_created",
    "creation date",
    "creation_date",
];

/// Other tools' keys for the last change, in the order they are tried.
const UPDATED_KEYS: [&str; 8] = [
    "updated",
    "lastmod",
    "last_modified_at",
    "modified",
    "date modified",
    "date_modified",
    "last modified",
    "last_modified",
];

/// Keys read into a record (besides the date keys above).
const KEYS: [&str; 14] = [
    "id",
    "title",
    "mood",
    "feelings",
    "tags",
    "keywords",
    "starred",
    "created_at",
    "updated_at",
    "time_zone",
    "place",
    "weather",
    "attachments",
    "body",
];

// ---------------------------------------------------------------- writing

#[derive(Serialize)]
struct FrontOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mood: Option<u8>,
    feelings: &'a [String],
    tags: &'a [String],
    starred: bool,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<&'a Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    weather: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attachments: &'a [FrontAttachment],
}

/// One attachment as the front matter lists it.
#[derive(Serialize, Debug, Clone, PartialEq)]
struct FrontAttachment {
    key: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    /// The path from the `.md` file's folder, with `/`.
    file: String,
}

/// One file as Hearth writes it; `listed` are its attachments as written
/// beside it, `body` the body with their links rewritten.
fn render_one(
    record: &Record,
    listed: &[FrontAttachment],
    body: &str,
) -> Result<String, serde_yaml::Error> {
    let front = FrontOut {
        id: record.id.as_deref(),
        title: &record.title,
        mood: record.mood,
        feelings: &record.feelings,
        tags: &record.tags,
        starred: record.starred,
        created_at: record
            .created_at
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        updated_at: record
            .updated_at
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        time_zone: record.time_zone.as_deref(),
        place: record.place.as_ref(),
        weather: record.weather.as_deref(),
        attachments: listed,
    };
    let yaml = serde_yaml::to_string(&front)?;
    Ok(format!("---\n{yaml}---\n{body}"))
}

/// The file name for each record, unique within the set.
pub(crate) fn file_names<Tz: TimeZone>(records: &[Record], tz: &Tz) -> Vec<String>
where
    Tz::Offset: std::fmt::Display,
{
    let mut used: HashSet<String> = HashSet::new();
    records
        .iter()
        .map(|r| {
            let when = r.created_at.with_timezone(tz).format("%Y-%m-%d-%H%M");
            let base = format!("{when}-{}", slug(&r.title));
            let mut name = format!("{base}.md");
            let mut n = 2usize;
            while used.contains(&name.to_lowercase()) {
                name = format!("{base}-{n}.md");
                n += 1;
            }
            used.insert(name.to_lowercase());
            name
        })
        .collect()
}

/// An ASCII slug of a title: lowercase letters and digits joined by `-`,
/// common accented Latin letters folded, at most 50 characters, `entry` if
/// nothing is left.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let folded: Option<&str> = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => Some("a"),
            'æ' => Some("ae"),
            'ç' | 'ć' | 'č' => Some("c"),
            'ď' | 'đ' | 'ð' => Some("d"),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => Some("e"),
            'ğ' => Some("g"),
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => Some("i"),
            'ł' => Some("l"),
            'ñ' | 'ń' | 'ň' => Some("n"),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => Some("o"),
            'œ' => Some("oe"),
            'ř' => Some("r"),
            'ß' => Some("ss"),
            'ś' | 'š' | 'ş' => Some("s"),
            'ť' | 'ţ' => Some("t"),
            'þ' => Some("th"),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => Some("u"),
            'ý' | 'ÿ' => Some("y"),
            'ź' | 'ż' | 'ž' => Some("z"),
            _ => None,
        };
        let mut push = |s: &str| {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push_str(s);
        };
        if c.is_ascii_alphanumeric() {
            push(c.encode_utf8(&mut [0u8; 4]));
        } else if let Some(f) = folded {
            push(f);
        } else {
            pending_dash = true;
        }
        if out.len() >= 50 {
            break;
        }
    }
    out.truncate(50);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "entry".to_string()
    } else {
        out
    }
}

/// What one record becomes on disk.
struct Planned<'r> {
    name: String,
    text: String,
    /// The attachments folder (the stem) and, for each attachment, its file
    /// name there and its source.
    files: Option<(String, Vec<(String, &'r AttachmentSource)>)>,
}

/// Checks a record's attachments before anything is written.
fn check_attachments(i: usize, r: &Record) -> Result<(), InterchangeError> {
    let mut keys = HashSet::new();
    for a in &r.attachments {
        let bad = |message: String| InterchangeError::InvalidRecord {
            entry: i + 1,
            message,
        };
        if !files::valid_key(&a.key) {
            return Err(bad(format!(
                "attachment `{}` has the key {:?}; a key is ASCII letters, digits, `-`, `_` and `.`",
                a.name, a.key
            )));
        }
        if !keys.insert(a.key.as_str()) {
            return Err(bad(format!(
                "two attachments have the key `{}`; keys must differ within an entry",
                a.key
            )));
        }
        if a.source == AttachmentSource::Missing {
            return Err(bad(format!(
                "attachment `{}` has no bytes to write (where it is stored is not known); export from the journal itself",
                a.name
            )));
        }
    }
    Ok(())
}

fn plan<'r>(r: &'r Record, i: usize, name: String) -> Result<Planned<'r>, InterchangeError> {
    check_attachments(i, r)?;
    let invalid = |e: serde_yaml::Error| InterchangeError::InvalidRecord {
        entry: i + 1,
        message: format!("cannot be written as YAML front matter: {e}"),
    };
    if r.attachments.is_empty() {
        let text = render_one(r, &[], &r.body).map_err(invalid)?;
        return Ok(Planned {
            name,
            text,
            files: None,
        });
    }
    let stem = name.trim_end_matches(".md").to_string();
    let mut used: HashSet<String> = HashSet::new();
    let mut listed = Vec::with_capacity(r.attachments.len());
    let mut to_copy = Vec::with_capacity(r.attachments.len());
    let mut paths: HashMap<&str, String> = HashMap::new();
    for a in &r.attachments {
        let base = files::disk_name(&a.name, &a.key);
        let disk = files::unique(&base, |c| used.contains(&c.to_lowercase()));
        used.insert(disk.to_lowercase());
        let file = format!("{stem}/{disk}");
        paths.insert(a.key.as_str(), body::percent_encode_path(&file));
        listed.push(FrontAttachment {
            key: a.key.clone(),
            name: a.name.clone(),
            media_type: a.media_type.clone(),
            file,
        });
        to_copy.push((disk, &a.source));
    }
    let links = body::scan(&r.body, false).links;
    let edits = links
        .iter()
        .filter(|l| !matches!(l.kind, LinkKind::Embed | LinkKind::Wiki))
        .filter_map(|l| {
            let key = l.target.strip_prefix("attachment:")?;
            Some((l.range.clone(), paths.get(key)?.clone()))
        })
        .collect();
    let body = body::rewrite(&r.body, edits);
    let text = render_one(r, &listed, &body).map_err(invalid)?;
    Ok(Planned {
        name,
        text,
        files: Some((stem, to_copy)),
    })
}

pub(crate) fn write<Tz: TimeZone>(
    dir: &Path,
    records: &[Record],
    tz: &Tz,
    blobs: &dyn Blobs,
) -> Result<(), InterchangeError>
where
    Tz::Offset: std::fmt::Display,
{
    let names = file_names(records, tz);
    let mut plans = Vec::with_capacity(records.len());
    for (i, (r, name)) in records.iter().zip(names).enumerate() {
        plans.push(plan(r, i, name)?);
    }

    let created = match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(io_err(
                dir,
                std::io::Error::other(
                    "this is a file; a Markdown export needs a new or empty folder",
                ),
            ));
        }
        Ok(_) => {
            let mut it = std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
            if it.next().is_some() {
                return Err(io_err(
                    dir,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the folder is not empty; export into a new or empty folder so no file is overwritten",
                    ),
                ));
            }
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
            true
        }
        Err(e) => return Err(io_err(dir, e)),
    };

    let mut written: Vec<PathBuf> = Vec::new();
    let mut folders: Vec<PathBuf> = Vec::new();
    let result = write_all(dir, &plans, blobs, &mut written, &mut folders);
    if result.is_err() {
        for p in written.iter().rev() {
            let _ = std::fs::remove_file(p);
        }
        for f in folders.iter().rev() {
            let _ = std::fs::remove_dir(f);
        }
        if created {
            let _ = std::fs::remove_dir(dir);
        }
    }
    result
}

fn write_all(
    dir: &Path,
    plans: &[Planned<'_>],
    blobs: &dyn Blobs,
    written: &mut Vec<PathBuf>,
    folders: &mut Vec<PathBuf>,
) -> Result<(), InterchangeError> {
    for p in plans {
        let path = dir.join(&p.name);
        written.push(path.clone());
        write_new(&path, p.text.as_bytes()).map_err(|e| io_err(&path, e))?;
        let Some((stem, files)) = &p.files else {
            continue;
        };
        let folder = dir.join(stem);
        std::fs::create_dir(&folder).map_err(|e| io_err(&folder, e))?;
        folders.push(folder.clone());
        for (disk, source) in files {
            let out = folder.join(disk);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&out)
                .map_err(|e| io_err(&out, e))?;
            written.push(out.clone());
            match source {
                AttachmentSource::Stored(id) => {
                    blobs.copy(id, &mut f).map_err(|e| io_err(&out, e))?;
                }
                other => {
                    other.read_with(|r| std::io::copy(r, &mut f))?;
                }
            }
            f.sync_all().map_err(|e| io_err(&out, e))?;
        }
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

// ---------------------------------------------------------------- reading

fn is_markdown(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

fn is_index(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "index.md" | "index.markdown"
    )
}

fn is_section_index(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "_index.md" | "_index.markdown"
    )
}

/// One Markdown file to read.
struct Source {
    /// Canonical.
    path: PathBuf,
    /// From the imported folder, with `/`: the location in messages.
    rel: String,
    /// The name dates and titles fall back to: the stem, or the folder's
    /// name for `index.md` and `_index.md`.
    date_name: String,
    /// Whether `date_name` is a folder's name.
    from_folder: bool,
}

/// A file that is not Markdown.
struct Other {
    path: PathBuf,
    /// The index of the bundle's `index.md` in the sources.
    bundle: Option<usize>,
}

/// The imported folder: where links may point.
struct Folder {
    /// Canonical.
    root: PathBuf,
    /// Lowercase file name → files of that name, in walk order.
    by_name: HashMap<String, Vec<PathBuf>>,
}

#[derive(Default)]
struct Walk {
    sources: Vec<Source>,
    others: Vec<Other>,
    linked_folders: usize,
    too_deep: usize,
}

const MAX_DEPTH: usize = 64;

fn has_any(dir: &Path, names: &[&str]) -> bool {
    names.iter().any(|n| dir.join(n).exists())
}

/// Folders other programs keep for themselves.
fn skip_folder(parent: &Path, name: &str, path: &Path) -> bool {
    match name {
        "node_modules" => true,
        "logseq" => path.join("config.edn").exists(),
        "_site" => parent.join("_config.yml").exists() || parent.join("_config.yaml").exists(),
        "public" | "resources" => has_any(
            parent,
            &[
                "hugo.toml",
                "hugo.yaml",
                "hugo.json",
                "config.toml",
                "config.yaml",
            ],
        ),
        _ => false,
    }
}

impl Walk {
    fn folder(
        &mut self,
        dir: &Path,
        rel: &str,
        depth: usize,
        bundle: Option<usize>,
    ) -> Result<(), InterchangeError> {
        let mut items: Vec<(String, PathBuf)> = Vec::new();
        for item in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
            let item = item.map_err(|e| io_err(dir, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            items.push((name, item.path()));
        }
        items.sort();
        let join = |name: &str| {
            if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            }
        };
        let folder_name = file_name(dir);

        let mut bundle = bundle;
        if depth > 0
            && let Some(pos) = items.iter().position(|(n, p)| is_index(n) && p.is_file())
        {
            let (name, path) = items.remove(pos);
            bundle = Some(self.sources.len());
            self.sources.push(Source {
                path: canonical(&path)?,
                rel: join(&name),
                date_name: folder_name.clone(),
                from_folder: true,
            });
        }

        for (name, path) in items {
            let meta = std::fs::symlink_metadata(&path).map_err(|e| io_err(&path, e))?;
            let (is_dir, is_file, path) = if meta.file_type().is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => {
                        self.linked_folders += 1;
                        continue;
                    }
                    Ok(m) if m.is_file() => (false, true, canonical(&path)?),
                    // A broken link or something else: nothing to read.
                    _ => continue,
                }
            } else {
                (meta.is_dir(), meta.is_file(), path)
            };
            if is_dir {
                if skip_folder(dir, &name, &path) {
                    continue;
                }
                if depth + 1 >= MAX_DEPTH {
                    self.too_deep += 1;
                    continue;
                }
                self.folder(&path, &join(&name), depth + 1, bundle)?;
            } else if is_file {
                if matches!(
                    name.to_ascii_lowercase().as_str(),
                    "thumbs.db" | "desktop.ini"
                ) {
                    continue;
                }
                if is_markdown(&name) {
                    let section = is_section_index(&name) || is_index(&name);
                    self.sources.push(Source {
                        path: canonical(&path)?,
                        rel: join(&name),
                        date_name: if section {
                            folder_name.clone()
                        } else {
                            stem_of(&name)
                        },
                        from_folder: section,
                    });
                } else {
                    self.others.push(Other {
                        path: canonical(&path)?,
                        bundle,
                    });
                }
            }
        }
        Ok(())
    }
}

fn canonical(p: &Path) -> Result<PathBuf, InterchangeError> {
    std::fs::canonicalize(p).map_err(|e| io_err(p, e))
}

fn stem_of(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Where a link's target is.
enum Target {
    /// Not a file link (a URL, an anchor, a note, a folder): left as is.
    Leave,
    Missing,
    Outside,
    File(PathBuf),
}

enum Located {
    Found(PathBuf),
    Folder,
    Outside,
    Missing,
}

/// `mailto:`, `https:` … (two letters or more, so `C:` is not one).
fn scheme(s: &str) -> Option<&str> {
    let (head, _) = s.split_once(':')?;
    let mut chars = head.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && head.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(head)
}

/// The lowercase extension of the last path segment, when it looks like one.
fn extension(s: &str) -> Option<String> {
    let last = s.rsplit(['/', '\\']).next().unwrap_or(s);
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| ext.to_ascii_lowercase())
}

fn is_note_or_page(ext: &str) -> bool {
    matches!(
        ext,
        "md" | "markdown" | "html" | "htm" | "xhtml" | "php" | "asp" | "aspx" | "xml"
    )
}

impl Folder {
    fn locate(&self, dir: &Path, rel: &str) -> Located {
        if rel.is_empty() || rel.contains('\0') {
            return Located::Missing;
        }
        let candidates: Vec<PathBuf> = match rel.strip_prefix('/') {
            Some(r) => vec![
                self.root.join(r),
                self.root.join("static").join(r),
                PathBuf::from(rel),
            ],
            None => vec![dir.join(rel)],
        };
        for c in candidates {
            let Ok(real) = std::fs::canonicalize(&c) else {
                continue;
            };
            let Ok(meta) = std::fs::metadata(&real) else {
                continue;
            };
            if !real.starts_with(&self.root) {
                return Located::Outside;
            }
            if meta.is_dir() {
                return Located::Folder;
            }
            if meta.is_file() {
                return Located::Found(real);
            }
        }
        Located::Missing
    }

    fn resolve(&self, dir: &Path, link: &Link) -> Target {
        let raw = link.target.trim();
        if raw.is_empty()
            || raw.starts_with('#')
            || raw.starts_with("//")
            || raw.contains("{{")
            || raw.contains("{%")
        {
            return Target::Leave;
        }
        let wiki = matches!(link.kind, LinkKind::Embed | LinkKind::Wiki);
        if scheme(raw).is_some() {
            return Target::Leave;
        }
        let b = raw.as_bytes();
        if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/')
        {
            // C:\Users\…: a file on another computer's disk.
            return Target::Outside;
        }
        let base = if wiki {
            raw.split('#').next().unwrap_or(raw).trim()
        } else {
            raw
        };
        let mut candidates: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !s.is_empty() && !candidates.contains(&s) {
                candidates.push(s);
            }
        };
        push(base.to_string());
        if let Some(u) = body::unescape(base) {
            push(u);
        }
        if let Some(d) = body::percent_decode(base) {
            push(d);
        }
        if !wiki && let Some(cut) = base.find(['#', '?']) {
            push(base[..cut].to_string());
            if let Some(d) = body::percent_decode(&base[..cut]) {
                push(d);
            }
        }
        if base.contains('\\') {
            push(base.replace('\\', "/"));
        }
        let ext = candidates.iter().find_map(|c| extension(c));
        if wiki && ext.is_none() {
            return Target::Leave;
        }
        if ext.as_deref().is_some_and(|e| e == "md" || e == "markdown") {
            return Target::Leave;
        }
        let mut outside = false;
        for c in &candidates {
            match self.locate(dir, c) {
                Located::Found(p) => {
                    let name = file_name(&p);
                    return if is_markdown(&name) {
                        Target::Leave
                    } else {
                        Target::File(p)
                    };
                }
                Located::Folder => return Target::Leave,
                Located::Outside => outside = true,
                Located::Missing => {}
            }
        }
        if wiki {
            for c in &candidates {
                let want = c.trim_start_matches('/').replace('\\', "/");
                let fname = want.rsplit('/').next().unwrap_or(&want).to_lowercase();
                if let Some(paths) = self.by_name.get(&fname) {
                    let suffix = format!("/{}", want.to_lowercase());
                    if let Some(p) = paths
                        .iter()
                        .find(|p| p.to_string_lossy().to_lowercase().ends_with(&suffix))
                    {
                        return Target::File(p.clone());
                    }
                }
            }
        }
        if outside {
            return Target::Outside;
        }
        match link.kind {
            LinkKind::Image | LinkKind::Embed | LinkKind::HtmlImg => Target::Missing,
            _ => match ext {
                Some(e) if !is_note_or_page(&e) => Target::Missing,
                _ => Target::Leave,
            },
        }
    }
}

/// A file being read, and what its links may reach.
struct FileInfo<'a> {
    /// The location in messages.
    name: &'a str,
    date_name: &'a str,
    from_folder: bool,
    mtime: DateTime<Utc>,
    /// The canonical folder of the file and the imported folder, when links
    /// are resolved.
    links: Option<(&'a Path, &'a Folder)>,
}

/// Front matter with keys matched without regard to case.
struct Meta {
    /// Lowercase key → value.
    map: Map<String, Value>,
    /// Lowercase key → as written.
    spelled: HashMap<String, String>,
    /// Keys that came from Logseq page properties.
    props: HashSet<String>,
}

impl Meta {
    fn new(map: Map<String, Value>, dropped: &mut DropLog) -> Self {
        let mut m = Meta {
            map: Map::new(),
            spelled: HashMap::new(),
            props: HashSet::new(),
        };
        for (k, v) in map {
            let lower = k.to_lowercase();
            if m.map.contains_key(&lower) {
                dropped.note(
                    &format!("front matter `{k}`"),
                    "another key differing only in capitals was read instead",
                );
                continue;
            }
            m.spelled.insert(lower.clone(), k);
            m.map.insert(lower, v);
        }
        m
    }

    fn add_property(&mut self, key: String, value: String) {
        if self.map.contains_key(&key) {
            return;
        }
        self.spelled.insert(key.clone(), key.clone());
        self.props.insert(key.clone());
        self.map.insert(key, Value::String(value));
    }

    /// A value, `None` when absent or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn label(&self, key: &str) -> String {
        let spelled = self.spelled.get(key).map(String::as_str).unwrap_or(key);
        if self.props.contains(key) {
            format!("page property `{spelled}`")
        } else {
            format!("front matter `{spelled}`")
        }
    }

    /// A scalar as text (`title: 2021` is the text "2021").
    fn text(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(format!("`{key}` is {}; expected text", describe(other))),
        }
    }
}

fn is_hearth_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// Logseq's `id:: <uuid>` and `collapsed:: true` lines, taken out.
fn strip_block_properties(body: &str) -> Option<String> {
    if !body.contains(":: ") {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut any = false;
    for line in body.split_inclusive('\n') {
        if let Some((k, v)) = front::property(line.trim())
            && ((k == "id" && is_uuid(&v)) || (k == "collapsed" && (v == "true" || v == "false")))
        {
            any = true;
            continue;
        }
        out.push_str(line);
    }
    any.then_some(out)
}

/// Takes a first non-blank `# Heading` line off the body.
fn heading_title(body: &str) -> Option<(String, String)> {
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        if line.trim().is_empty() {
            pos += line.len();
            continue;
        }
        let t = line.trim();
        let heading = if t == "#" {
            Some("")
        } else {
            t.strip_prefix("# ").or_else(|| t.strip_prefix("#\t"))
        };
        let heading = heading?;
        let mut rest_start = pos + line.len();
        for next in body[rest_start..].split_inclusive('\n') {
            if next.trim().is_empty() && next.ends_with('\n') {
                rest_start += next.len();
            } else {
                break;
            }
        }
        return Some((heading.trim().to_string(), body[rest_start..].to_string()));
    }
    None
}

/// A time in a front-matter value (text, or a number like 20210415).
fn time_of<Tz: TimeZone>(v: &Value, tz: &Tz) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => dates::parse_time(s, tz),
        Value::Number(n) => dates::parse_time(&n.to_string(), tz),
        _ => None,
    }
}

/// Hearth's own time keys: refused when not a time.
fn strict_time<Tz: TimeZone>(
    meta: &Meta,
    key: &str,
    tz: &Tz,
) -> Result<Option<DateTime<Utc>>, String> {
    match meta.get(key) {
        None => Ok(None),
        Some(v) => time_of(v, tz).map(Some).ok_or_else(|| {
            format!(
                "`{key}` is {}, which is not a time; expected an RFC 3339 time like 2021-03-05T21:40:00Z, or 2021-03-05 21:40",
                describe(v)
            )
        }),
    }
}

/// Other tools' time keys: the first that is a time; the others that are
/// present but not times are reported.
fn lenient_time<Tz: TimeZone>(
    meta: &Meta,
    keys: &[&str],
    tz: &Tz,
    dropped: &mut DropLog,
) -> Option<DateTime<Utc>> {
    for key in keys {
        if let Some(v) = meta.get(key) {
            match time_of(v, tz) {
                Some(t) => return Some(t),
                None => dropped.note(
                    &format!("{} that is not a time", meta.label(key)),
                    "the time was taken from the next key, the file name or the file's modification time",
                ),
            }
        }
    }
    None
}

/// Words from a list or a string (split at commas, or at spaces when there
/// is no comma). `logseq`: take `[[…]]` off too.
fn words(v: &Value, logseq: bool, out: &mut Vec<String>) -> bool {
    let clean = |s: &str| -> String {
        let t = s.trim();
        let t = if logseq {
            t.strip_prefix("#").unwrap_or(t)
        } else {
            t
        };
        if logseq && let Some(inner) = t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            return inner.trim().to_string();
        }
        t.to_string()
    };
    match v {
        Value::String(s) => {
            if s.contains(',') {
                out.extend(s.split(',').map(clean));
            } else if logseq && s.contains("[[") {
                // `[[two words]] [[three more words]]`
                let mut rest = s.as_str();
                while let Some(start) = rest.find("[[") {
                    let Some(end) = rest[start..].find("]]") else {
                        break;
                    };
                    out.push(rest[start + 2..start + end].trim().to_string());
                    rest = &rest[start + end + 2..];
                }
                out.extend(rest.split_whitespace().map(clean));
            } else {
                out.extend(s.split_whitespace().map(clean));
            }
            true
        }
        Value::Number(n) => {
            out.push(n.to_string());
            true
        }
        Value::Bool(b) => {
            out.push(b.to_string());
            true
        }
        Value::Array(items) => {
            let mut all = true;
            for item in items {
                match item {
                    Value::String(s) => out.push(clean(s)),
                    Value::Number(n) => out.push(n.to_string()),
                    Value::Bool(b) => out.push(b.to_string()),
                    Value::Null => {}
                    _ => all = false,
                }
            }
            all
        }
        Value::Null => true,
        Value::Object(_) => false,
    }
}

/// A list of words, or one comma-separated string (feelings).
fn word_list(meta: &Meta, key: &str) -> Result<Vec<String>, String> {
    match meta.get(key) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect()),
        Some(Value::Array(items)) => crate::common::str_items(key, items, "a list of words"),
        Some(other) => Err(format!(
            "`{key}` is {}; expected a list of words like [calm, hopeful]",
            describe(other)
        )),
    }
}

fn place_of(meta: &Meta) -> Result<Option<Place>, String> {
    match meta.get("place") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(Place {
            name: Some(s.clone()),
            ..Place::default()
        })),
        Some(Value::Object(o)) => {
            let name = match o.get("name") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    return Err(format!(
                        "`place` has the name {}; expected text",
                        describe(other)
                    ));
                }
            };
            let coord = |k: &str| -> Result<Option<f64>, String> {
                match o.get(k) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Number(n)) => Ok(n.as_f64()),
                    Some(other) => Err(format!(
                        "`place` has the {k} {}; expected a number like 48.2",
                        describe(other)
                    )),
                }
            };
            Ok(Some(Place {
                name,
                latitude: coord("latitude")?,
                longitude: coord("longitude")?,
            }))
        }
        Some(other) => Err(format!(
            "`place` is {}; expected a name, or name, latitude and longitude",
            describe(other)
        )),
    }
}

/// An attachment as Hearth's front matter lists it.
struct Listed {
    key: String,
    name: String,
    media_type: Option<String>,
    file: String,
}

/// The `attachments` list, when it is in the form Hearth writes.
fn listed_attachments(v: &Value) -> Option<Vec<Listed>> {
    let Value::Array(items) = v else {
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(o) = item else {
            return None;
        };
        let text = |k: &str| match o.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let media_type = match o.get("media_type") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            _ => return None,
        };
        out.push(Listed {
            key: text("key")?,
            name: text("name")?,
            media_type,
            file: text("file")?,
        });
    }
    Some(out)
}

/// A record's attachments as they are found.
#[derive(Default)]
struct Attacher {
    list: Vec<RecordAttachment>,
    keys: HashSet<String>,
    by_path: HashMap<PathBuf, usize>,
}

impl Attacher {
    fn from_record(r: &Record) -> Self {
        let mut a = Attacher {
            list: r.attachments.clone(),
            ..Attacher::default()
        };
        for (i, x) in r.attachments.iter().enumerate() {
            a.keys.insert(x.key.clone());
            if let AttachmentSource::File(p) = &x.source {
                a.by_path.insert(p.clone(), i);
            }
        }
        a
    }

    fn push(
        &mut self,
        path: PathBuf,
        key: &str,
        name: String,
        media_type: Option<String>,
    ) -> String {
        if let Some(&i) = self.by_path.get(&path) {
            return self.list[i].key.clone();
        }
        let base = if files::valid_key(key) {
            key.to_string()
        } else {
            files::key_from_name(key)
        };
        let key = files::unique(&base, |k| self.keys.contains(k));
        self.keys.insert(key.clone());
        self.by_path.insert(path.clone(), self.list.len());
        self.list.push(RecordAttachment {
            key: key.clone(),
            name,
            media_type,
            source: AttachmentSource::File(path),
        });
        key
    }

    /// A file found by a link or in a bundle.
    fn file(&mut self, path: PathBuf) -> String {
        let name = file_name(&path);
        let media_type = files::media_type(&name).map(str::to_string);
        self.push(path, &files::key_from_name(&name), name, media_type)
    }
}

/// Whether a wiki link's alias is a size (`300`, `300x200`) rather than a
/// caption.
fn is_size(s: &str) -> bool {
    let s = s.trim();
    let mut parts = s.splitn(2, 'x');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let w = parts.next();
    match parts.next() {
        None => ok(w),
        h => ok(w) && ok(h),
    }
}

fn replacement(link: &Link, key: &str) -> String {
    match link.kind {
        LinkKind::Embed => {
            let alt = match &link.alias {
                Some(a) if !is_size(a) => body::escape_link_text(a.trim()),
                _ => String::new(),
            };
            format!("![{alt}](attachment:{key})")
        }
        LinkKind::Wiki => {
            let text = link.alias.as_deref().unwrap_or(&link.target);
            format!(
                "[{}](attachment:{key})",
                body::escape_link_text(text.trim())
            )
        }
        _ => format!("attachment:{key}"),
    }
}

/// Whether a split file is one Hearth wrote.
fn hearth_written(split: &front::Split<'_>) -> bool {
    let f = Fields::new(&split.map);
    split.kind == front::Kind::Yaml && f.has("created_at") && f.has("updated_at")
}

/// One Markdown file into a record. `name` is the file name (the location
/// of any error); `mtime` the file's modification time. Links are not
/// resolved (there is no folder).
pub(crate) fn parse_file<Tz: TimeZone>(
    name: &str,
    text: &str,
    mtime: DateTime<Utc>,
    tz: &Tz,
    dropped: &mut DropLog,
) -> Result<Record, Bad> {
    let date_name = stem_of(name);
    let info = FileInfo {
        name,
        date_name: &date_name,
        from_folder: false,
        mtime,
        links: None,
    };
    parse_entry(&info, text, tz, dropped)
}

fn parse_entry<Tz: TimeZone>(
    src: &FileInfo<'_>,
    text: &str,
    tz: &Tz,
    dropped: &mut DropLog,
) -> Result<Record, Bad> {
    let split = front::split(src.name, text)?;
    let hearth = hearth_written(&split);
    let mut meta = Meta::new(split.map, dropped);
    let err = |m: String| Bad::new(src.name, format!("front matter: {m}"));

    let mut body_text = split.body.to_string();
    if !hearth {
        let (props, rest) = front::logseq_properties(&body_text);
        if !props.is_empty() {
            let rest = rest.to_string();
            for (k, v) in props {
                meta.add_property(k, v);
            }
            body_text = rest;
        }
        if let Some(stripped) = strip_block_properties(&body_text) {
            body_text = stripped;
            dropped.note(
                "Logseq block properties `id::` and `collapsed::`",
                "they are Logseq's own bookkeeping; the lines were taken out of the text",
            );
        }
    }

    // What is not kept.
    let mut keys: Vec<&String> = meta.map.keys().collect();
    keys.sort();
    for key in keys {
        let k = key.as_str();
        let known = KEYS.contains(&k) || CREATED_KEYS.contains(&k) || UPDATED_KEYS.contains(&k);
        if k == "body" {
            dropped.note(
                &meta.label(k),
                "the body is the text after the front matter",
            );
        } else if k == "attachments" {
            if meta.get(k).is_some_and(|v| listed_attachments(v).is_none()) {
                dropped.note(
                    &meta.label(k),
                    "it is not a list of files in the form Hearth writes (key, name, file); linked files are read from the text instead",
                );
            }
        } else if k == "categories" || k == "category" {
            dropped.note(&meta.label(k), "Hearth keeps tags; categories are not tags");
        } else if !known {
            dropped.note(&meta.label(k), "Hearth entries have no field for it");
        }
    }

    let id = match meta.get("id") {
        None => None,
        Some(Value::String(s)) if is_hearth_id(s) => Some(s.clone()),
        Some(_) => {
            dropped.note(
                &format!("{} from another program", meta.label("id")),
                "it is not a Hearth id (32 hex digits); the entry gets an id of its own",
            );
            None
        }
    };

    let nd = dates::name_date(src.date_name);
    let front_created = match strict_time(&meta, "created_at", tz).map_err(err)? {
        Some(t) => Some(t),
        None => lenient_time(&meta, &CREATED_KEYS, tz, dropped),
    };
    if let (None, NameDate::Invalid(prefix)) = (&front_created, &nd) {
        let what = if src.from_folder {
            "the folder name"
        } else {
            "the file name"
        };
        return Err(Bad::new(
            src.name,
            format!(
                "{what} starts with {prefix}, which is not a date; rename it or add front matter such as `date: 2021-03-05`"
            ),
        ));
    }

    let (title, body_text) = match meta.text("title").map_err(err)? {
        Some(t) => (t, body_text),
        None => match heading_title(&body_text) {
            Some((t, b)) => (t, b),
            None => {
                let t = match &nd {
                    NameDate::Valid { rest, .. } => rest.trim().to_string(),
                    _ => src.date_name.to_string(),
                };
                (t, body_text)
            }
        },
    };

    let created_at = match (&front_created, &nd) {
        (Some(t), _) => *t,
        (None, NameDate::Valid { date, time, .. }) => {
            crate::common::local_to_utc(tz, date.and_time(time.unwrap_or(NaiveTime::MIN)))
        }
        _ => src.mtime,
    };
    let updated_at = match strict_time(&meta, "updated_at", tz).map_err(err)? {
        Some(t) => t,
        None => match lenient_time(&meta, &UPDATED_KEYS, tz, dropped) {
            Some(t) => t,
            None if front_created.is_some() => created_at,
            None => src.mtime.max(created_at),
        },
    };

    let mut tags = Vec::new();
    for key in ["tags", "keywords"] {
        if let Some(v) = meta.get(key)
            && !words(v, !hearth, &mut tags)
        {
            dropped.note(
                &format!("{} that are not words", meta.label(key)),
                "only text in a list or a comma-separated string can be a tag",
            );
        }
    }

    // Links and inline tags.
    let mut att = Attacher::default();
    let scan = body::scan(&body_text, !hearth);
    let mut edits = Vec::new();
    if let Some((dir, folder)) = src.links {
        if let Some(list) = meta.get("attachments").and_then(listed_attachments) {
            let mut missing = false;
            for l in list {
                match folder.locate(dir, &l.file) {
                    Located::Found(p) => {
                        att.push(p, &l.key, l.name, l.media_type);
                    }
                    _ => missing = true,
                }
            }
            if missing {
                dropped.note(
                    "attachments listed in the front matter whose files are missing",
                    "the file named in `attachments` is not beside the entry",
                );
            }
        }
        let (mut missing, mut outside) = (false, false);
        for link in &scan.links {
            match folder.resolve(dir, link) {
                Target::Leave => {}
                Target::Missing => missing = true,
                Target::Outside => outside = true,
                Target::File(p) => {
                    let key = att.file(p);
                    edits.push((link.range.clone(), replacement(link, &key)));
                }
            }
        }
        if missing {
            dropped.note(
                "links to missing files",
                "the links were left in the text as they were; the files are not in the imported folder",
            );
        }
        if outside {
            dropped.note(
                "links to files outside the imported folder",
                "the links were left in the text as they were; only files inside the imported folder become attachments",
            );
        }
    }
    let body_text = body::rewrite(&body_text, edits);
    tags.extend(scan.tags);

    Ok(Record {
        id,
        title,
        body: body_text,
        mood: mood_from_json(meta.get("mood")).map_err(err)?,
        feelings: word_list(&meta, "feelings").map_err(err)?,
        tags: normalize_tags(tags),
        starred: match meta.get("starred") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(err(format!(
                    "`starred` is {}; expected true or false",
                    describe(other)
                )));
            }
        },
        created_at,
        updated_at,
        attachments: att.list,
        place: place_of(&meta).map_err(err)?,
        weather: meta.text("weather").map_err(err)?,
        time_zone: meta.text("time_zone").map_err(err)?,
    })
}

/// A Markdown file's text and modification time, or why it cannot be read.
type Loaded = Result<(String, DateTime<Utc>), InterchangeError>;

fn load(path: &Path, s: &Source) -> Loaded {
    let text = read_text(&s.path).map_err(|e| match e {
        InterchangeError::Malformed {
            location, message, ..
        } => Bad::new(s.rel.clone(), format!("{location}: {message}")).at(path),
        other => other,
    })?;
    let mtime = std::fs::metadata(&s.path)
        .and_then(|m| m.modified())
        .map(DateTime::<Utc>::from)
        .map_err(|e| io_err(&s.path, e))?;
    Ok((text, mtime))
}

pub(crate) fn read<Tz: TimeZone>(path: &Path, tz: &Tz) -> Result<Parsed, InterchangeError> {
    let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
    let mut dropped = DropLog::default();
    let mut walk = Walk::default();
    let root;
    if meta.is_dir() {
        root = canonical(path)?;
        walk.folder(&root, "", 0, None)?;
    } else {
        let file = canonical(path)?;
        root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = file_name(&file);
        walk.sources.push(Source {
            rel: name.clone(),
            date_name: if is_index(&name) || is_section_index(&name) {
                file_name(&root)
            } else {
                stem_of(&name)
            },
            from_folder: is_index(&name) || is_section_index(&name),
            path: file,
        });
    }
    dropped.note_n(
        "folders reached through symbolic links",
        "linked folders are not followed; import them on their own",
        walk.linked_folders,
    );
    dropped.note_n(
        "folders nested too deeply",
        "folders more than 64 levels down are not read",
        walk.too_deep,
    );

    let mut by_name: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for o in &walk.others {
        by_name
            .entry(file_name(&o.path).to_lowercase())
            .or_default()
            .push(o.path.clone());
    }
    let folder = Folder { root, by_name };

    // Every file first, so Markdown files that another entry lists as its
    // attachment (Hearth's export of an attached `.md`) are not entries.
    let loaded: Vec<Loaded> = walk.sources.iter().map(|s| load(path, s)).collect();
    let mut claimed: HashSet<PathBuf> = HashSet::new();
    for (s, l) in walk.sources.iter().zip(&loaded) {
        let Ok((text, _)) = l else { continue };
        let Ok(split) = front::split(&s.rel, text) else {
            continue;
        };
        if !hearth_written(&split) {
            continue;
        }
        let Some(list) = split.map.get("attachments").and_then(listed_attachments) else {
            continue;
        };
        let dir = s.path.parent().unwrap_or(&folder.root);
        for l in list {
            if let Located::Found(p) = folder.locate(dir, &l.file) {
                claimed.insert(p);
            }
        }
    }

    let mut records: Vec<Option<Record>> = Vec::with_capacity(walk.sources.len());
    for (s, l) in walk.sources.iter().zip(loaded) {
        if claimed.contains(&s.path) {
            records.push(None);
            continue;
        }
        let (text, mtime) = l?;
        let dir = s.path.parent().unwrap_or(&folder.root);
        let info = FileInfo {
            name: &s.rel,
            date_name: &s.date_name,
            from_folder: s.from_folder,
            mtime,
            links: Some((dir, &folder)),
        };
        let record = parse_entry(&info, &text, tz, &mut dropped).map_err(|b| b.at(path))?;
        records.push(Some(record));
    }

    // Files in bundles that no entry links to belong to the bundle; others
    // no entry links to are reported.
    let linked: HashSet<PathBuf> = records
        .iter()
        .flatten()
        .flat_map(|r| &r.attachments)
        .filter_map(|a| match &a.source {
            AttachmentSource::File(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let mut unlinked = 0usize;
    let mut extra: HashMap<usize, Attacher> = HashMap::new();
    for o in &walk.others {
        if linked.contains(&o.path) || claimed.contains(&o.path) {
            continue;
        }
        match o.bundle.and_then(|b| records[b].as_ref().map(|r| (b, r))) {
            Some((b, r)) => {
                extra
                    .entry(b)
                    .or_insert_with(|| Attacher::from_record(r))
                    .file(o.path.clone());
            }
            None => unlinked += 1,
        }
    }
    for (b, att) in extra {
        if let Some(r) = records[b].as_mut() {
            let n = r.attachments.len();
            r.attachments.extend(att.list.into_iter().skip(n));
        }
    }
    dropped.note_n(
        "files no entry links to",
        "only files an entry links to, and the files in a page-bundle folder beside its index.md, become attachments",
        unlinked,
    );

    Ok(Parsed {
        records: records.into_iter().flatten().collect(),
        dropped: dropped.into_vec(),
    })
}

/// For the fuzz targets: one Markdown file's front matter and body, read
/// as if it were `fuzz.md` (no folder, so no links are resolved). Returns
/// whether it was accepted.
#[doc(hidden)]
pub fn fuzz_markdown_file(name: &str, text: &str) -> bool {
    let mut log = DropLog::default();
    let mtime = DateTime::<Utc>::UNIX_EPOCH;
    match parse_file(name, text, mtime, &Utc, &mut log) {
        Ok(r) => {
            // Tags are normalised.
            assert!(r.tags.iter().all(|t| !t.is_empty() && t.trim() == t));
            true
        }
        Err(b) => {
            assert!(!b.message.is_empty());
            false
        }
    }
}

/// For the fuzz targets: the date at the start of a file name, and the same
/// text as a front-matter time. Checks what the date parsers promise.
#[doc(hidden)]
pub fn fuzz_file_name_date(stem: &str) {
    match dates::name_date(stem) {
        NameDate::Valid { rest, .. } => assert!(stem.ends_with(rest.as_str())),
        NameDate::Invalid(prefix) => assert!(stem.starts_with(prefix.as_str())),
        NameDate::None => {}
    }
    let _ = dates::parse_time(stem, &Utc);
    let fixed = chrono::FixedOffset::east_opt(5 * 3600 + 1800);
    if let Some(off) = fixed {
        let _ = dates::parse_time(stem, &off);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rec(title: &str, body: &str) -> Record {
        Record {
            id: Some(ID.into()),
            title: title.into(),
            body: body.into(),
            mood: Some(2),
            feelings: vec!["calm".into()],
            tags: vec!["walk".into()],
            starred: false,
            created_at: t("2021-03-05T21:40:00Z"),
            updated_at: t("2021-03-05T22:00:00.5Z"),
            attachments: Vec::new(),
            place: None,
            weather: None,
            time_zone: None,
        }
    }

    fn parse(name: &str, text: &str) -> (Record, Vec<crate::Dropped>) {
        let mut log = DropLog::default();
        let r = parse_file(name, text, t("2022-01-01T00:00:00Z"), &Utc, &mut log).unwrap();
        (r, log.into_vec())
    }

    fn whats(d: &[crate::Dropped]) -> Vec<&str> {
        d.iter().map(|d| d.what.as_str()).collect()
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Morning walk, with Ana!"), "morning-walk-with-ana");
        assert_eq!(slug("Café à Paris"), "cafe-a-paris");
        assert_eq!(slug("日本"), "entry");
        assert_eq!(slug(""), "entry");
        assert!(slug(&"long ".repeat(40)).len() <= 50);
        assert!(!slug(&"ab ".repeat(40)).ends_with('-'));
    }

    #[test]
    fn unique_names() {
        let rs = vec![rec("Same", ""), rec("Same", ""), rec("same", "")];
        let names = file_names(&rs, &Utc);
        assert_eq!(
            names,
            vec![
                "2021-03-05-2140-same.md",
                "2021-03-05-2140-same-2.md",
                "2021-03-05-2140-same-3.md"
            ]
        );
    }

    #[test]
    fn round_trip_one_file() {
        let mut log = DropLog::default();
        for body in [
            "",
            "  lead\n---\ntrail  \n\n",
            "# not a title\nx",
            "---\n",
            "#notatag here\ntags:: x\n",
        ] {
            for title in ["", "Title", "---", "a\nb", "null"] {
                let mut r = rec(title, body);
                r.place = Some(Place {
                    name: Some("Café Sperl".into()),
                    latitude: Some(48.2),
                    longitude: Some(16.36),
                });
                r.weather = Some("Sunny, 12 °C".into());
                r.time_zone = Some("Europe/Vienna".into());
                let text = render_one(&r, &[], &r.body).unwrap();
                let back =
                    parse_file("x.md", &text, t("2000-01-01T00:00:00Z"), &Utc, &mut log).unwrap();
                assert_eq!(back, r, "{text}");
            }
        }
        assert!(log.into_vec().is_empty());
    }

    #[test]
    fn plain_file_heading_and_name_date() {
        let (r, _) = parse("2021-03-05 Morning.md", "\n# Walk by the sea\n\nCold. @x\n");
        assert_eq!(r.title, "Walk by the sea");
        assert_eq!(r.body, "Cold. @x\n");
        assert_eq!(r.created_at, t("2021-03-05T00:00:00Z"));
        assert_eq!(r.updated_at, t("2022-01-01T00:00:00Z"));
        assert!(r.tags.is_empty());

        let (r, _) = parse("2021-03-05-0930-morning.md", "No heading here.");
        assert_eq!(r.title, "morning");
        assert_eq!(r.body, "No heading here.");
        assert_eq!(r.created_at, t("2021-03-05T09:30:00Z"));

        let (r, _) = parse("notes.md", "text");
        assert_eq!(r.title, "notes");
        assert_eq!(r.created_at, t("2022-01-01T00:00:00Z"));

        // A daily note named by its date alone has no title.
        for name in ["2021-04-15.md", "2021_04_15.md", "20210415.markdown"] {
            let (r, _) = parse(name, "- went out\n");
            assert_eq!(r.title, "", "{name}");
            assert_eq!(r.created_at, t("2021-04-15T00:00:00Z"), "{name}");
        }
    }

    #[test]
    fn obsidian_style_front_matter() {
        let text = "---\ndate: 2021-03-05\ntags: journal, walk\naliases: [x]\n---\n# Heading\nbody #inline and `#code`\n";
        let (r, d) = parse("a.md", text);
        assert_eq!(r.title, "Heading");
        assert_eq!(r.body, "body #inline and `#code`\n");
        assert_eq!(r.tags, vec!["journal", "walk", "inline"]);
        assert_eq!(r.created_at, t("2021-03-05T00:00:00Z"));
        assert_eq!(r.updated_at, r.created_at);
        assert_eq!(whats(&d), vec!["front matter `aliases`"]);
    }

    #[test]
    fn jekyll_front_matter() {
        let text = "---\nlayout: post\ntitle: \"Welcome\"\ndate: 2017-02-08 06:09:27 +0800\ncategories: jekyll update\ntags: one two\nid: 42\npermalink: /x/\n---\nHi\n";
        let (r, d) = parse("2017-02-08-welcome.markdown", text);
        assert_eq!(r.title, "Welcome");
        assert_eq!(r.created_at, t("2017-02-07T22:09:27Z"));
        assert_eq!(r.updated_at, r.created_at);
        assert_eq!(r.tags, vec!["one", "two"]);
        assert_eq!(r.id, None);
        let w = whats(&d);
        assert!(w.contains(&"front matter `categories`"), "{w:?}");
        assert!(w.contains(&"front matter `layout`"), "{w:?}");
        assert!(w.contains(&"front matter `permalink`"), "{w:?}");
        assert!(
            w.contains(&"front matter `id` from another program"),
            "{w:?}"
        );
    }

    #[test]
    fn hugo_toml_and_other_keys() {
        let text = "+++\ntitle = \"Trip\"\ndate = 2022-05-15T10:30:00.000+02:00\nlastmod = 2022-05-16\nkeywords = [\"sea\", \"long walks\"]\ndraft = false\n+++\nText\n";
        let (r, d) = parse("trip.md", text);
        assert_eq!(r.title, "Trip");
        assert_eq!(r.created_at, t("2022-05-15T08:30:00Z"));
        assert_eq!(r.updated_at, t("2022-05-16T00:00:00Z"));
        assert_eq!(r.tags, vec!["sea", "long walks"]);
        assert_eq!(r.body, "Text\n");
        assert_eq!(whats(&d), vec!["front matter `draft`"]);
    }

    #[test]
    fn logseq_page() {
        let text = "title:: A good day\ntags:: outdoors, [[long walks]]\nalias:: gd\n\n- Went out #sun\n  id:: 6123abcd-1234-4abc-8def-0123456789ab\n- Back\n  collapsed:: true\n";
        let (r, d) = parse("2021_04_15.md", text);
        assert_eq!(r.title, "A good day");
        assert_eq!(r.tags, vec!["outdoors", "long walks", "sun"]);
        assert_eq!(r.body, "- Went out #sun\n- Back\n");
        assert_eq!(r.created_at, t("2021-04-15T00:00:00Z"));
        let w = whats(&d);
        assert!(w.contains(&"page property `alias`"), "{w:?}");
        assert!(
            w.contains(&"Logseq block properties `id::` and `collapsed::`"),
            "{w:?}"
        );
    }

    #[test]
    fn bad_dates_in_other_keys_are_reported_not_refused() {
        let (r, d) = parse("2021-04-15.md", "---\ndate: someday\ncreated: soon\n---\nx");
        assert_eq!(r.created_at, t("2021-04-15T00:00:00Z"));
        assert_eq!(
            whats(&d),
            vec![
                "front matter `date` that is not a time",
                "front matter `created` that is not a time"
            ]
        );
        let (r, _) = parse("x.md", "---\nDate: 2021-04-15 10:00\nCreated: nope\n---\nx");
        assert_eq!(r.created_at, t("2021-04-15T10:00:00Z"));
    }

    #[test]
    fn hearth_ids_are_kept_others_dropped() {
        let (r, d) = parse("a.md", &format!("---\nid: {ID}\n---\nx"));
        assert_eq!(r.id.as_deref(), Some(ID));
        assert!(d.is_empty());
        let (r, d) = parse("a.md", "---\nid: 01HQ7Z3K9V2C4XJ5R8T6W1Y0AD\n---\nx");
        assert_eq!(r.id, None);
        assert_eq!(whats(&d), vec!["front matter `id` from another program"]);
    }

    #[test]
    fn errors_name_the_file() {
        let mut log = DropLog::default();
        let now = t("2022-01-01T00:00:00Z");
        let e = parse_file("a.md", "---\nmood: 9\n---\n", now, &Utc, &mut log).unwrap_err();
        assert_eq!(e.location, "a.md");
        assert!(e.message.contains("mood"), "{e:?}");
        let e = parse_file("b.md", "---\ntitle: x\n", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("never closed"), "{e:?}");
        let e = parse_file("c.md", "---\ntitle: [x\n---\n", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("not valid YAML"), "{e:?}");
        let e = parse_file("2021-02-30.md", "x", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("not a date"), "{e:?}");
        let e =
            parse_file("d.md", "---\ncreated_at: soon\n---\n", now, &Utc, &mut log).unwrap_err();
        assert!(e.message.contains("created_at"), "{e:?}");
        // A date in the front matter makes a bad file-name date harmless.
        assert!(
            parse_file(
                "2021-02-30.md",
                "---\ndate: 2021-03-01\n---\n",
                now,
                &Utc,
                &mut log
            )
            .is_ok()
        );
    }

    #[test]
    fn sizes_and_replacements() {
        assert!(is_size("300"));
        assert!(is_size("300x200"));
        assert!(!is_size("A caption"));
        assert!(!is_size("x200"));
        let link = Link {
            kind: LinkKind::Embed,
            range: 0..1,
            target: "p.png".into(),
            alias: Some("The [sea]".into()),
        };
        assert_eq!(
            replacement(&link, "p.png"),
            "![The \\[sea\\]](attachment:p.png)"
        );
    }

    #[test]
    fn fuzz_entry_points_hold() {
        assert!(fuzz_markdown_file("x.md", "---\ntags: [a]\n---\n#b"));
        assert!(!fuzz_markdown_file("x.md", "---\nmood: 7\n---\n"));
        fuzz_file_name_date("2021-04-15-0930-walk");
        fuzz_file_name_date("2021-02-30");
        fuzz_file_name_date("日本");
    }
}
