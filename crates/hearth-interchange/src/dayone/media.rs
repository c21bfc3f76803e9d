//! Day One's media: finding the file behind each photo, video, audio
//! recording and PDF an entry lists, and turning the entry's
//! `dayone-moment:` references into `attachment:` ones.
//!
//! An export keeps each file as `<folder>/<md5>.<extension>` beside the
//! journal's JSON: `photos/`, `videos/`, `audios/` and `pdfs/`. The JSON
//! names the md5 and a type, but the type does not always match the
//! extension (an audio recording's `format` is "aac" while its file is
//! `.m4a`), so a file is looked up by its folder and md5 alone, preferring
//! the extension the type names when there are several. Files are only
//! listed here, never read: each becomes an [`AttachmentSource`] that is
//! streamed when the caller stores it.

use crate::common::DropLog;
use crate::{AttachmentSource, RecordAttachment};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The four kinds of media an entry lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    Photo,
    Video,
    Audio,
    Pdf,
}

impl Kind {
    pub(super) const ALL: [Kind; 4] = [Kind::Photo, Kind::Video, Kind::Audio, Kind::Pdf];

    /// The entry's field listing them.
    pub(super) fn field(self) -> &'static str {
        match self {
            Kind::Photo => "photos",
            Kind::Video => "videos",
            Kind::Audio => "audios",
            Kind::Pdf => "pdfAttachments",
        }
    }

    /// The export's folder holding their files.
    fn folder(self) -> &'static str {
        match self {
            Kind::Photo => "photos",
            Kind::Video => "videos",
            Kind::Audio => "audios",
            Kind::Pdf => "pdfs",
        }
    }

    fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.folder().eq_ignore_ascii_case(folder))
    }

    /// The start of a file name made up for one ("photo-31c871f1.jpeg").
    fn noun(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::Video => "video",
            Kind::Audio => "audio",
            Kind::Pdf => "document",
        }
    }

    /// The [`crate::Dropped::what`] for ones whose files are not there.
    fn missing_what(self) -> &'static str {
        match self {
            Kind::Photo => "photos not in the export",
            Kind::Video => "videos not in the export",
            Kind::Audio => "audio recordings not in the export",
            Kind::Pdf => "PDFs not in the export",
        }
    }
}

/// One media file of the export.
#[derive(Debug, Clone)]
struct MediaFile {
    /// The folder the media folder is in: "" at the top of the zip, or
    /// "Export/" when everything sits in one folder.
    dir: String,
    /// The file's extension, lower case, without the dot ("" if none).
    ext: String,
    source: AttachmentSource,
}

/// Where the export keeps its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Day One's export zip.
    Zip,
    /// A journal's `.json` on its own, with any media folders beside it.
    Folder,
}

/// The media files of an export, by folder and md5.
#[derive(Debug)]
pub(super) struct MediaFiles {
    files: HashMap<(Kind, String), Vec<MediaFile>>,
    origin: Origin,
}

/// `photo.JPEG` → (`photo`, `jpeg`); `x` → (`x`, ``).
fn stem_and_ext(base: &str) -> (&str, String) {
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext.to_ascii_lowercase()),
        _ => (base, String::new()),
    }
}

impl MediaFiles {
    /// No media at all (a journal's JSON parsed on its own).
    #[cfg(test)]
    pub(super) fn none() -> Self {
        MediaFiles {
            files: HashMap::new(),
            origin: Origin::Folder,
        }
    }

    /// The media files among a zip's member names.
    pub(super) fn in_zip<'a>(archive: &Path, names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut files: HashMap<(Kind, String), Vec<MediaFile>> = HashMap::new();
        for name in names {
            if name.ends_with('/') || name.starts_with("__MACOSX/") {
                continue;
            }
            let mut parts = name.rsplitn(3, '/');
            let (Some(base), Some(folder)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some(kind) = Kind::from_folder(folder) else {
                continue;
            };
            if base.starts_with("._") {
                continue;
            }
            let dir = parts.next().map(|d| format!("{d}/")).unwrap_or_default();
            let (stem, ext) = stem_and_ext(base);
            files
                .entry((kind, stem.to_ascii_lowercase()))
                .or_default()
                .push(MediaFile {
                    dir,
                    ext,
                    source: AttachmentSource::Zip {
                        archive: archive.to_path_buf(),
                        member: name.to_string(),
                    },
                });
        }
        MediaFiles {
            files,
            origin: Origin::Zip,
        }
    }

    /// The media folders beside a journal's `.json`, as Day One's export
    /// is laid out once unzipped; none when there are none.
    pub(super) fn beside(json: &Path) -> Self {
        let mut files: HashMap<(Kind, String), Vec<MediaFile>> = HashMap::new();
        let dir = match json.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        for kind in Kind::ALL {
            let Ok(listing) = std::fs::read_dir(dir.join(kind.folder())) else {
                continue;
            };
            for item in listing.flatten() {
                let path = item.path();
                if !path.is_file() {
                    continue;
                }
                let Some(base) = item.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if base.starts_with("._") {
                    continue;
                }
                let (stem, ext) = stem_and_ext(&base);
                files
                    .entry((kind, stem.to_ascii_lowercase()))
                    .or_default()
                    .push(MediaFile {
                        dir: String::new(),
                        ext,
                        source: AttachmentSource::File(path),
                    });
            }
        }
        MediaFiles {
            files,
            origin: Origin::Folder,
        }
    }

    /// The file for `md5` in `kind`'s folder, preferring one beside the
    /// journal (`dir`) and then one whose extension is `ext`.
    fn find(&self, kind: Kind, md5: &str, ext: Option<&str>, dir: &str) -> Option<&MediaFile> {
        let found = self.files.get(&(kind, md5.to_ascii_lowercase()))?;
        let same_ext = |f: &&&MediaFile| ext.is_some_and(|e| same_type(&f.ext, e));
        let here: Vec<&MediaFile> = found.iter().filter(|f| f.dir == dir).collect();
        let pool: Vec<&MediaFile> = if here.is_empty() {
            found.iter().collect()
        } else {
            here
        };
        pool.iter().find(same_ext).or(pool.first()).copied()
    }

    /// Why media listed in an entry were not found.
    fn missing_why(&self, kind: Kind) -> String {
        let folder = kind.folder();
        match self.origin {
            Origin::Zip => format!(
                "the entries list them but the export zip has no {folder}/<md5> file for them, so there was nothing to import; their references were removed from the text"
            ),
            Origin::Folder => format!(
                "only the journal's .json was read and no {folder}/ folder beside it holds them; import Day One's export zip to keep them. Their references were removed from the text"
            ),
        }
    }
}

/// Whether an extension and a Day One type name the same kind of file.
fn same_type(ext: &str, ty: &str) -> bool {
    let norm = |s: &str| match s.to_ascii_lowercase().as_str() {
        "jpg" => "jpeg".to_string(),
        "tif" => "tiff".to_string(),
        other => other.to_string(),
    };
    norm(ext) == norm(ty)
}

/// The media type of a file with this extension, when it is a kind Day
/// One exports.
pub(super) fn media_type(ext: &str) -> Option<&'static str> {
    Some(match ext.to_ascii_lowercase().as_str() {
        "jpeg" | "jpg" => "image/jpeg",
        "png" => "image/png",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "tiff" | "tif" => "image/tiff",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "m4v" => "video/x-m4v",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "caf" => "audio/x-caf",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// One item of an entry's `photos`/`videos`/`audios`/`pdfAttachments`.
#[derive(Debug)]
struct Item {
    kind: Kind,
    identifier: Option<String>,
    md5: Option<String>,
    /// `type` (or an audio's `format`).
    ty: Option<String>,
    /// The original file name (`filename`, or a PDF's `pdfName`).
    filename: Option<String>,
    /// Whether the text refers to it.
    referenced: bool,
}

/// The fields of a media item that say what and where the file is; the
/// others are details that are not kept.
const ITEM_FIELDS: [&str; 13] = [
    "identifier",
    "md5",
    "type",
    "format",
    "filename",
    "pdfName",
    "orderInEntry",
    "fileSize",
    "width",
    "height",
    "duration",
    "isSketch",
    "favorite",
];

fn text_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// An entry's media, matched to the export's files as the text refers to
/// them.
pub(super) struct EntryMedia<'a> {
    files: &'a MediaFiles,
    /// The folder of the journal's JSON in the zip ("" at the top).
    dir: &'a str,
    items: Vec<Item>,
    /// Item index by identifier (lower case; the first of repeats).
    by_id: HashMap<String, usize>,
    attachments: Vec<RecordAttachment>,
    /// Attachment index by the file's source, so one file (two identifiers
    /// with one md5) is one attachment.
    by_source: HashMap<SourceKey, usize>,
    /// Attachments the body already shows.
    shown: HashSet<usize>,
    keys: HashSet<String>,
    names: HashSet<String>,
    missing: HashSet<Kind>,
    dangling: bool,
    details: bool,
    unreadable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SourceKey {
    File(std::path::PathBuf),
    Zip(String),
}

fn source_key(s: &AttachmentSource) -> SourceKey {
    match s {
        AttachmentSource::File(p) => SourceKey::File(p.clone()),
        AttachmentSource::Zip { member, .. } => SourceKey::Zip(member.clone()),
        AttachmentSource::Missing => SourceKey::Zip(String::new()),
        AttachmentSource::Stored(id) => SourceKey::Zip(id.clone()),
    }
}

impl<'a> EntryMedia<'a> {
    /// Reads the entry's four media lists. A list or item that is not what
    /// Day One writes is skipped and reported, never refused.
    pub(super) fn new(entry: &Map<String, Value>, files: &'a MediaFiles, dir: &'a str) -> Self {
        let mut items = Vec::new();
        let mut unreadable = false;
        let mut details = false;
        for kind in Kind::ALL {
            let list = match entry.get(kind.field()) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(list)) => list,
                Some(_) => {
                    unreadable = true;
                    continue;
                }
            };
            for v in list {
                let Value::Object(m) = v else {
                    unreadable = true;
                    continue;
                };
                details |= m
                    .iter()
                    .any(|(k, v)| !ITEM_FIELDS.contains(&k.as_str()) && super::meaningful(v));
                let ty = text_field(m, "type").or_else(|| text_field(m, "format"));
                let filename = text_field(m, "filename").or_else(|| text_field(m, "pdfName"));
                items.push(Item {
                    kind,
                    identifier: text_field(m, "identifier"),
                    md5: text_field(m, "md5"),
                    ty,
                    filename,
                    referenced: false,
                });
            }
        }
        let mut by_id = HashMap::new();
        for (i, it) in items.iter().enumerate() {
            if let Some(id) = &it.identifier {
                by_id.entry(id.to_ascii_lowercase()).or_insert(i);
            }
        }
        EntryMedia {
            files,
            dir,
            items,
            by_id,
            attachments: Vec::new(),
            by_source: HashMap::new(),
            shown: HashSet::new(),
            keys: HashSet::new(),
            names: HashSet::new(),
            missing: HashSet::new(),
            dangling: false,
            details,
            unreadable,
        }
    }

    /// The attachment for item `i`, made on first use; `None` (and noted)
    /// when the export has no file for it.
    fn attach(&mut self, i: usize) -> Option<usize> {
        let files: &'a MediaFiles = self.files;
        let item = &self.items[i];
        let kind = item.kind;
        let (md5, ty, filename) = (item.md5.clone(), item.ty.clone(), item.filename.clone());
        let Some(md5) = md5.as_deref() else {
            self.missing.insert(kind);
            return None;
        };
        let Some(file) = files.find(kind, md5, ty.as_deref(), self.dir) else {
            self.missing.insert(kind);
            return None;
        };
        let skey = source_key(&file.source);
        if let Some(&a) = self.by_source.get(&skey) {
            return Some(a);
        }
        let ext = if file.ext.is_empty() {
            ty.clone().unwrap_or_default().to_ascii_lowercase()
        } else {
            file.ext.clone()
        };
        let ext = clean(&ext, 16);
        let key = self.unique_key(&clean(md5, 64), &ext);
        let name = self.unique_name(kind, filename.as_deref(), md5, &ext);
        let attachment = RecordAttachment {
            key,
            name,
            media_type: media_type(&ext).map(str::to_string),
            source: file.source.clone(),
        };
        self.attachments.push(attachment);
        let a = self.attachments.len() - 1;
        self.by_source.insert(skey, a);
        Some(a)
    }

    /// `stem.ext`, or `stem-2.ext` … when that is taken.
    fn unique_key(&mut self, stem: &str, ext: &str) -> String {
        let stem = if stem.is_empty() { "media" } else { stem };
        let dot_ext = if ext.is_empty() {
            String::new()
        } else {
            format!(".{ext}")
        };
        let mut key = format!("{stem}{dot_ext}");
        let mut n = 2;
        while self.keys.contains(&key) {
            key = format!("{stem}-{n}{dot_ext}");
            n += 1;
        }
        self.keys.insert(key.clone());
        key
    }

    fn unique_name(&mut self, kind: Kind, original: Option<&str>, md5: &str, ext: &str) -> String {
        let dot_ext = if ext.is_empty() {
            String::new()
        } else {
            format!(".{ext}")
        };
        let short: String = clean(md5, 64).chars().take(8).collect();
        let made_up = format!("{}-{short}", kind.noun());
        let stem = original
            .map(|o| {
                let base = o.rsplit(['/', '\\']).next().unwrap_or(o);
                // A PDF's name may or may not end in .pdf; a photo's
                // original name may say .HEIC while the export holds a
                // JPEG: the name keeps the stem and takes the file's
                // extension.
                let stem = match base.rsplit_once('.') {
                    Some((s, _)) if !s.trim().is_empty() => s,
                    _ => base,
                };
                file_stem(stem)
            })
            .filter(|s| !s.is_empty())
            .unwrap_or(made_up.clone());
        let mut name = format!("{stem}{dot_ext}");
        if self.names.contains(&name) {
            name = format!("{stem}-{short}{dot_ext}");
        }
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{stem}-{short}-{n}{dot_ext}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// The Markdown for a `![alt](dayone-moment:TARGET)` reference, or
    /// `None` to remove it (its media is not in the export, or the entry
    /// does not list it).
    pub(super) fn reference(&mut self, alt: &str, target: &str) -> Option<String> {
        let id = target
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        let Some(&i) = self.by_id.get(&id.to_ascii_lowercase()) else {
            self.dangling = true;
            return None;
        };
        self.items[i].referenced = true;
        let a = self.attach(i)?;
        self.shown.insert(a);
        Some(self.render(a, self.items[i].kind, alt))
    }

    fn render(&self, a: usize, kind: Kind, alt: &str) -> String {
        let att = &self.attachments[a];
        if kind == Kind::Photo {
            format!("![{alt}](attachment:{})", att.key)
        } else {
            let text = if alt.trim().is_empty() {
                escape_link_text(&att.name)
            } else {
                alt.to_string()
            };
            format!("[{text}](attachment:{})", att.key)
        }
    }

    /// Attaches the listed media the text never refers to, notes what was
    /// not kept, and returns the attachments with the references to add at
    /// the end of the body (one paragraph each).
    pub(super) fn finish(mut self, log: &mut DropLog) -> (Vec<RecordAttachment>, Vec<String>) {
        let mut extra = Vec::new();
        for i in 0..self.items.len() {
            if self.items[i].referenced {
                continue;
            }
            let Some(a) = self.attach(i) else { continue };
            if self.shown.insert(a) {
                extra.push(self.render(a, self.items[i].kind, ""));
            }
        }
        for kind in Kind::ALL {
            if self.missing.contains(&kind) {
                log.note(kind.missing_what(), &self.files.missing_why(kind));
            }
        }
        if self.dangling {
            log.note(
                "references to media the entry does not list",
                "the text shows a photo, video, audio recording or PDF that is not in the entry's lists, so there is no file to import; the references were removed from the text",
            );
        }
        if self.unreadable {
            log.note(
                "unreadable media lists",
                "a photos, videos, audios or pdfAttachments list (or an item in it) is not what Day One writes; it was skipped",
            );
        }
        if self.details {
            log.note(
                "media details",
                "Hearth keeps the files, not the date, camera, place and other details Day One records with each photo, video, recording and PDF",
            );
        }
        (self.attachments, extra)
    }
}

/// Only ASCII letters, digits, `-`, `_` and `.` (others become `_`), at
/// most `max` characters, without leading dots.
fn clean(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(max)
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// A file name's stem as a person wrote it, without folders, control
/// characters or characters file systems refuse; at most 100 characters.
fn file_stem(s: &str) -> String {
    let out: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    out.trim().trim_start_matches('.').trim().to_string()
}

/// A file name as the text of a Markdown link.
fn escape_link_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn zip_files(names: &[&str]) -> MediaFiles {
        MediaFiles::in_zip(Path::new("/x/export.zip"), names.iter().copied())
    }

    fn entry(json: &str) -> Map<String, Value> {
        match serde_json::from_str(json).unwrap() {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn files_are_found_by_folder_and_md5() {
        let files = zip_files(&[
            "Journal.json",
            "photos/",
            "photos/AB12.jpeg",
            "photos/ab12.png",
            "audios/cd34.m4a",
            "__MACOSX/photos/._ef56.jpeg",
            "Inner/photos/ab12.jpeg",
            "notes/ab12.jpeg",
        ]);
        let f = files.find(Kind::Photo, "ab12", Some("png"), "").unwrap();
        assert_eq!(f.ext, "png");
        let f = files.find(Kind::Photo, "AB12", Some("jpg"), "").unwrap();
        assert_eq!(
            f.source,
            AttachmentSource::Zip {
                archive: "/x/export.zip".into(),
                member: "photos/AB12.jpeg".into()
            }
        );
        let f = files.find(Kind::Photo, "ab12", None, "Inner/").unwrap();
        assert_eq!(f.dir, "Inner/");
        // The type says aac, the file is .m4a: found by md5.
        assert_eq!(
            files
                .find(Kind::Audio, "cd34", Some("aac"), "")
                .unwrap()
                .ext,
            "m4a"
        );
        assert!(files.find(Kind::Video, "ab12", None, "").is_none());
        assert!(files.find(Kind::Photo, "ef56", None, "").is_none());
    }

    #[test]
    fn references_become_attachments() {
        let files = zip_files(&[
            "photos/aaa.jpeg",
            "videos/bbb.mov",
            "audios/ccc.m4a",
            "pdfs/ddd.pdf",
        ]);
        let e = entry(
            r#"{"photos":[{"identifier":"P1","md5":"aaa","type":"jpeg"},{"identifier":"P2","md5":"aaa","type":"jpeg"},{"identifier":"P3","md5":"zzz","type":"jpeg"}],
                "videos":[{"identifier":"V1","md5":"bbb","type":"mov","date":"2020-01-01T00:00:00Z"}],
                "audios":[{"identifier":"A1","md5":"ccc","format":"aac","filename":"Voice [memo].m4a"}],
                "pdfAttachments":[{"identifier":"D1","md5":"ddd","type":"pdf","pdfName":"Ticket"}]}"#,
        );
        let mut m = EntryMedia::new(&e, &files, "");
        assert_eq!(
            m.reference("", "//P1").as_deref(),
            Some("![](attachment:aaa.jpeg)")
        );
        assert_eq!(
            m.reference("x", "//p2").as_deref(),
            Some("![x](attachment:aaa.jpeg)")
        );
        assert_eq!(m.reference("", "//P3"), None);
        assert_eq!(m.reference("", "//NOPE"), None);
        assert_eq!(
            m.reference("", "/audio/A1").as_deref(),
            Some("[Voice \\[memo\\].m4a](attachment:ccc.m4a)")
        );
        let mut log = DropLog::default();
        let (atts, extra) = m.finish(&mut log);
        assert_eq!(
            extra,
            vec![
                "[video-bbb.mov](attachment:bbb.mov)",
                "[Ticket.pdf](attachment:ddd.pdf)"
            ]
        );
        let got: Vec<(&str, &str, Option<&str>)> = atts
            .iter()
            .map(|a| (a.key.as_str(), a.name.as_str(), a.media_type.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("aaa.jpeg", "photo-aaa.jpeg", Some("image/jpeg")),
                ("ccc.m4a", "Voice [memo].m4a", Some("audio/mp4")),
                ("bbb.mov", "video-bbb.mov", Some("video/quicktime")),
                ("ddd.pdf", "Ticket.pdf", Some("application/pdf")),
            ]
        );
        let whats: Vec<String> = log.into_vec().into_iter().map(|d| d.what).collect();
        assert_eq!(
            whats,
            vec![
                "photos not in the export",
                "references to media the entry does not list",
                "media details"
            ]
        );
    }

    #[test]
    fn keys_and_names_stay_unique_and_clean() {
        let files = zip_files(&["photos/a b.jpeg", "photos/a_b.jpeg", "photos/../x.jpeg"]);
        let e = entry(
            r#"{"photos":[{"identifier":"1","md5":"a b","filename":"IMG.HEIC"},{"identifier":"2","md5":"a_b","filename":"IMG.HEIC"},{"identifier":"3","md5":"../x"}]}"#,
        );
        let m = EntryMedia::new(&e, &files, "");
        let (atts, extra) = m.finish(&mut DropLog::default());
        assert_eq!(extra.len(), 2, "{extra:?}");
        let keys: Vec<&str> = atts.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, vec!["a_b.jpeg", "a_b-2.jpeg"]);
        let names: Vec<&str> = atts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["IMG.jpeg", "IMG-a_b.jpeg"]);
    }

    #[test]
    fn media_types() {
        assert_eq!(media_type("JPG"), Some("image/jpeg"));
        assert_eq!(media_type("heic"), Some("image/heic"));
        assert_eq!(media_type("mp3"), Some("audio/mpeg"));
        assert_eq!(media_type("xyz"), None);
    }
}
