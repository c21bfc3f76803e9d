#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, utc};
use hearth_interchange::{
    AttachmentSource, Dropped, FILE_MAX, Format, InterchangeError, Parsed, Place, Record, read,
    write,
};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn dropped<'a>(p: &'a Parsed, what: &str) -> Option<&'a Dropped> {
    p.dropped.iter().find(|d| d.what == what)
}

fn count(p: &Parsed, what: &str) -> Option<usize> {
    dropped(p, what).map(|d| d.entries)
}

/// The bytes an attachment's source streams.
fn bytes_of(source: &AttachmentSource) -> Vec<u8> {
    source
        .read_with(|r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out)?;
            Ok(out)
        })
        .unwrap()
}

/// Made-up contents for a media file, different for each name.
fn media_bytes(member: &str) -> Vec<u8> {
    format!("bytes of {member}\n").repeat(3).into_bytes()
}

/// Attachment keys are unique and plain; the body refers to each of them,
/// and to nothing else.
fn check_references(r: &Record) {
    let mut keys: Vec<&str> = r.attachments.iter().map(|a| a.key.as_str()).collect();
    for k in &keys {
        assert!(
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "{k}"
        );
        assert!(
            r.body.contains(&format!("(attachment:{k})")),
            "{k} is not in the body: {}",
            r.body
        );
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), r.attachments.len(), "keys repeat");
    for (i, _) in r.body.match_indices("(attachment:") {
        let rest = &r.body[i + "(attachment:".len()..];
        let key = &rest[..rest.find(')').unwrap()];
        assert!(keys.contains(&key), "{key} is not attached");
    }
    assert!(!r.body.contains("dayone-moment:"), "{}", r.body);
    assert!(!r.title.contains("dayone-moment:"), "{}", r.title);
}

fn zip_of(path: &Path, files: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        if name.ends_with('/') {
            z.add_directory(*name, opts).unwrap();
        } else {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
    }
    z.finish().unwrap();
}

/// A zip holding `files` (name, bytes) and a made-up file for each media
/// member name in `media`.
fn export_zip(path: &Path, files: &[(&str, &[u8])], media: &[String]) {
    let made: Vec<(String, Vec<u8>)> = media.iter().map(|m| (m.clone(), media_bytes(m))).collect();
    let mut all: Vec<(&str, &[u8])> = files.to_vec();
    all.extend(made.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    zip_of(path, &all);
}

fn zip_member(a: &AttachmentSource) -> &str {
    match a {
        AttachmentSource::Zip { member, .. } => member,
        other => panic!("not a zip member: {other:?}"),
    }
}

#[test]
fn reads_a_journal_json() {
    let p = read(Format::DayOne, &fixture("dayone/Journal.json")).unwrap();
    let rs = &p.records;
    assert_eq!(rs.len(), 5);

    assert_eq!(rs[0].title, "Initial entry");
    assert_eq!(rs[0].body, "some text");
    assert_eq!(rs[0].tags, vec!["Board Games", "Day One"]);
    assert!(rs[0].starred);
    assert_eq!(rs[0].created_at, utc("2019-03-18T13:04:56Z"));
    assert_eq!(rs[0].updated_at, utc("2019-03-26T21:48:44Z"));
    assert_eq!(rs[0].id, None);
    assert_eq!(
        rs[0].place,
        Some(Place {
            name: Some("Berlin, Germany".into()),
            latitude: Some(52.52),
            longitude: Some(13.40),
        })
    );
    assert_eq!(rs[0].weather.as_deref(), Some("Clear, 4 °C"));
    assert_eq!(rs[0].time_zone.as_deref(), Some("Europe/Berlin"));

    assert_eq!(rs[1].title, "Notes from the Daily Commute");
    assert_eq!(
        rs[1].body,
        "Then the fourth cylinder fell--a brilliant green meteor--as I learned afterwards. Wow! (Really.)\n\nThe train was late  again.\n\n1\\. not a list\n\n\\# not a heading\n\n`a code\\. span` and \\*stars\\*"
    );
    assert_eq!(rs[1].tags, vec!["commute"]);
    assert_eq!(rs[1].time_zone.as_deref(), Some("America/Boise"));
    assert_eq!((rs[1].place.as_ref(), rs[1].weather.as_ref()), (None, None));

    // No text and no rich text: an empty entry, still dated.
    assert_eq!((rs[2].title.as_str(), rs[2].body.as_str()), ("", ""));
    assert_eq!(rs[2].created_at, utc("2011-03-26T21:44:20Z"));

    // No text: the rich text's plain text.
    assert_eq!(rs[3].title, "Only rich text");
    assert_eq!(rs[3].body, "It has no text field.");
    assert_eq!(rs[3].updated_at, rs[3].created_at);
    assert_eq!(rs[3].time_zone, None);

    assert_eq!(rs[4].title, "Fourth Test Journal Entry");
    assert_eq!(
        rs[4].body,
        "This entry contains a PDF file.\n\nContent continues here after the PDF."
    );
    assert_eq!(rs[4].time_zone.as_deref(), Some("Europe/Dublin"));

    // A .json alone has no media: their references are removed, and said so.
    assert!(rs.iter().all(|r| r.attachments.is_empty()));
    assert_eq!(count(&p, "photos not in the export"), Some(1));
    assert_eq!(count(&p, "videos not in the export"), Some(1));
    assert_eq!(count(&p, "PDFs not in the export"), Some(1));
    let why = &dropped(&p, "photos not in the export").unwrap().why;
    assert!(why.contains("export zip"), "{why}");
    assert_eq!(
        count(&p, "references to media the entry does not list"),
        Some(1)
    );
    for kept in ["location", "weather", "time zone", "photos", "videos"] {
        assert_eq!(count(&p, kept), None, "{kept} is kept now");
    }
    assert_eq!(count(&p, "rich text"), Some(1));
    assert_eq!(count(&p, "pinned"), Some(1));
    assert_eq!(count(&p, "all-day flag"), Some(1));
    assert_eq!(count(&p, "editing time"), Some(1));
    assert_eq!(count(&p, "media details"), Some(1));
    assert_eq!(count(&p, "duration"), None, "zero durations are not news");
    for d in &p.dropped {
        assert!(!d.why.is_empty());
    }
}

/// The same journal in an export zip with its media: each becomes an
/// attachment where the text showed it.
#[test]
fn the_zip_keeps_media_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let journal = std::fs::read(fixture("dayone/Journal.json")).unwrap();
    let media = [
        "photos/5d41402abc4b2a76b9719d911017c592.jpeg".to_string(),
        "videos/7d793037a0760186574b0282f2f435e7.mp4".to_string(),
        "pdfs/c4ca4238a0b923820dcc509a6f75849b.pdf".to_string(),
    ];
    export_zip(
        &zip_path,
        &[
            ("Journal.json", &journal),
            ("photos/", b""),
            (
                "__MACOSX/photos/._5d41402abc4b2a76b9719d911017c592.jpeg",
                b"junk",
            ),
        ],
        &media,
    );
    let p = read(Format::DayOne, &zip_path).unwrap();
    let rs = &p.records;
    assert_eq!(rs.len(), 5);
    for r in rs {
        check_references(r);
    }

    assert_eq!(
        rs[0].body,
        "some text\n\n![](attachment:5d41402abc4b2a76b9719d911017c592.jpeg)"
    );
    let photo = &rs[0].attachments[0];
    assert_eq!(photo.key, "5d41402abc4b2a76b9719d911017c592.jpeg");
    assert_eq!(photo.name, "photo-5d41402a.jpeg");
    assert_eq!(photo.media_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        photo.source,
        AttachmentSource::Zip {
            archive: zip_path.clone(),
            member: media[0].clone()
        }
    );
    assert_eq!(bytes_of(&photo.source), media_bytes(&media[0]));

    assert_eq!(
        rs[1].body,
        "Then the fourth cylinder fell--a brilliant green meteor--as I learned afterwards. Wow! (Really.)\n\nThe train was late  again.\n\n[video-7d793037.mp4](attachment:7d793037a0760186574b0282f2f435e7.mp4)\n\n1\\. not a list\n\n\\# not a heading\n\n`a code\\. span` and \\*stars\\*"
    );
    let video = &rs[1].attachments[0];
    assert_eq!(video.media_type.as_deref(), Some("video/mp4"));
    assert_eq!(bytes_of(&video.source), media_bytes(&media[1]));

    assert_eq!(
        rs[4].body,
        "This entry contains a PDF file.\n\n[ticket.pdf](attachment:c4ca4238a0b923820dcc509a6f75849b.pdf)\n\nContent continues here after the PDF."
    );
    let pdf = &rs[4].attachments[0];
    assert_eq!(
        (pdf.name.as_str(), pdf.media_type.as_deref()),
        ("ticket.pdf", Some("application/pdf"))
    );
    assert_eq!(bytes_of(&pdf.source), media_bytes(&media[2]));

    for gone in [
        "photos not in the export",
        "videos not in the export",
        "PDFs not in the export",
    ] {
        assert_eq!(count(&p, gone), None, "{gone}");
    }
    // The one reference to a photo the entry does not list.
    assert_eq!(
        count(&p, "references to media the entry does not list"),
        Some(1)
    );
}

/// The hand-written export in `fixtures/dayone_media.json`: every kind of
/// media, a shared md5, a photo the text never shows, one whose file is
/// missing, a reference to nothing, a title after a video, multi-word tags,
/// a place, the weather and time zones good and bad.
#[test]
fn a_hand_written_export_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("Export - Journal.zip");
    let journal = std::fs::read(fixture("dayone_media.json")).unwrap();
    let media: Vec<String> = [
        "photos/0cc175b9c0f1b6a831c399e269772661.jpeg",
        "photos/92eb5ffee6ae2fec3ad71c777531578f.jpeg",
        "photos/4a8a08f09d37b73795649038408b5f33.png",
        "videos/8277e0910d750195b448797616e091ad.mov",
        // Day One says "aac"; the file is .m4a.
        "audios/e1671797c52e15f763380b45e841ec32.m4a",
        "pdfs/8fa14cdd754f91cc6554c9e71929cce7.pdf",
        // Not listed by any entry: not imported.
        "photos/ffffffffffffffffffffffffffffffff.jpeg",
    ]
    .map(String::from)
    .to_vec();
    export_zip(&zip_path, &[("Journal.json", &journal)], &media);
    let p = read(Format::DayOne, &zip_path).unwrap();
    let rs = &p.records;
    assert_eq!(rs.len(), 3);
    for r in rs {
        check_references(r);
    }

    let lake = &rs[0];
    assert_eq!(lake.title, "Lake day!");
    assert_eq!(
        lake.body,
        "We swam out to the raft![](attachment:0cc175b9c0f1b6a831c399e269772661.jpeg). Cold.\n\n\
         ![](attachment:92eb5ffee6ae2fec3ad71c777531578f.jpeg)\n\n\
         The raft again: ![](attachment:0cc175b9c0f1b6a831c399e269772661.jpeg)\n\n\
         ![](attachment:4a8a08f09d37b73795649038408b5f33.png)"
    );
    assert_eq!(lake.tags, vec!["Board Games", "road trip", "Day One"]);
    assert!(lake.starred);
    let got: Vec<(&str, &str, Option<&str>, &str)> = lake
        .attachments
        .iter()
        .map(|a| {
            (
                a.key.as_str(),
                a.name.as_str(),
                a.media_type.as_deref(),
                zip_member(&a.source),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "0cc175b9c0f1b6a831c399e269772661.jpeg",
                "photo-0cc175b9.jpeg",
                Some("image/jpeg"),
                media[0].as_str()
            ),
            (
                "92eb5ffee6ae2fec3ad71c777531578f.jpeg",
                // The original name's stem, with the exported file's type.
                "IMG_0042.jpeg",
                Some("image/jpeg"),
                media[1].as_str()
            ),
            (
                "4a8a08f09d37b73795649038408b5f33.png",
                "photo-4a8a08f0.png",
                Some("image/png"),
                media[2].as_str()
            ),
        ]
    );
    for a in &lake.attachments {
        assert_eq!(bytes_of(&a.source), media_bytes(zip_member(&a.source)));
    }
    assert_eq!(
        lake.place,
        Some(Place {
            name: Some("Lake Tahoe, South Lake Tahoe, CA, United States".into()),
            latitude: Some(38.94),
            longitude: Some(-119.98),
        })
    );
    assert_eq!(lake.weather.as_deref(), Some("Mostly Sunny, 27 °C"));
    assert_eq!(lake.time_zone.as_deref(), Some("America/Los_Angeles"));

    let hike = &rs[1];
    assert_eq!(hike.title, "Hiking the ridge");
    assert_eq!(
        hike.body,
        "[video-8277e091.mov](attachment:8277e0910d750195b448797616e091ad.mov)\n\n\
         Listen: [audio-e1671797.m4a](attachment:e1671797c52e15f763380b45e841ec32.m4a)\n\n\
         [Boarding pass.pdf](attachment:8fa14cdd754f91cc6554c9e71929cce7.pdf)"
    );
    let types: Vec<Option<&str>> = hike
        .attachments
        .iter()
        .map(|a| a.media_type.as_deref())
        .collect();
    assert_eq!(
        types,
        vec![
            Some("video/quicktime"),
            Some("audio/mp4"),
            Some("application/pdf")
        ]
    );
    for a in &hike.attachments {
        assert_eq!(bytes_of(&a.source), media_bytes(zip_member(&a.source)));
    }
    assert_eq!(
        hike.place.as_ref().and_then(|p| p.name.as_deref()),
        Some("Trailhead, Mount Tallac Trailhead, United States")
    );
    assert_eq!(hike.time_zone, None, "Mars/Olympus_Mons is no IANA zone");

    let lost = &rs[2];
    assert_eq!(
        (lost.title.as_str(), lost.body.as_str()),
        ("Lost photos", "Still here.")
    );
    assert!(lost.attachments.is_empty());
    assert_eq!(lost.time_zone.as_deref(), Some("Europe/Berlin"));

    assert_eq!(count(&p, "photos not in the export"), Some(1));
    let why = &dropped(&p, "photos not in the export").unwrap().why;
    assert!(why.contains("zip has no photos/"), "{why}");
    assert_eq!(
        count(&p, "references to media the entry does not list"),
        Some(1)
    );
    assert_eq!(count(&p, "time zone"), Some(1));
    assert_eq!(count(&p, "location details"), Some(1));
    assert_eq!(count(&p, "weather details"), Some(1));
    assert_eq!(count(&p, "media details"), Some(2));
    assert_eq!(count(&p, "device details"), Some(1));
    for kept in ["location", "weather", "photos", "videos", "PDFs"] {
        assert_eq!(count(&p, kept), None, "{kept} is kept");
    }
}

/// Unzipped, the export's `.json` sits beside its media folders: those
/// files are attached from disk.
#[test]
fn an_unzipped_export_uses_the_folders_beside_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("Journal.json");
    std::fs::copy(fixture("dayone_media.json"), &json).unwrap();
    std::fs::create_dir(dir.path().join("photos")).unwrap();
    let photo = dir
        .path()
        .join("photos/92eb5ffee6ae2fec3ad71c777531578f.jpeg");
    std::fs::write(&photo, b"a photo").unwrap();
    let p = read(Format::DayOne, &json).unwrap();
    let lake = &p.records[0];
    check_references(lake);
    assert_eq!(lake.attachments.len(), 1);
    assert_eq!(lake.attachments[0].source, AttachmentSource::File(photo));
    assert_eq!(bytes_of(&lake.attachments[0].source), b"a photo");
    assert_eq!(
        lake.body,
        "We swam out to the raft. Cold.\n\n![](attachment:92eb5ffee6ae2fec3ad71c777531578f.jpeg)\n\nThe raft again:"
    );
    // Two entries lost photos; one lost its video, recording and PDF.
    assert_eq!(count(&p, "photos not in the export"), Some(2));
    assert_eq!(count(&p, "videos not in the export"), Some(1));
    assert_eq!(count(&p, "audio recordings not in the export"), Some(1));
    assert_eq!(count(&p, "PDFs not in the export"), Some(1));
    assert!(
        dropped(&p, "videos not in the export")
            .unwrap()
            .why
            .contains("only the journal's .json"),
    );
}

/// A zip whose export sits in one folder (zipped again by hand).
#[test]
fn an_export_in_a_folder_of_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let journal = std::fs::read(fixture("dayone/Journal.json")).unwrap();
    export_zip(
        &zip_path,
        &[("Day One/Journal.json", &journal)],
        &[
            "Day One/photos/5d41402abc4b2a76b9719d911017c592.jpeg".to_string(),
            // The same md5 elsewhere: the one beside the journal wins.
            "photos/5d41402abc4b2a76b9719d911017c592.jpeg".to_string(),
        ],
    );
    let p = read(Format::DayOne, &zip_path).unwrap();
    let a = &p.records[0].attachments[0];
    assert_eq!(
        zip_member(&a.source),
        "Day One/photos/5d41402abc4b2a76b9719d911017c592.jpeg"
    );
    assert_eq!(
        bytes_of(&a.source),
        media_bytes("Day One/photos/5d41402abc4b2a76b9719d911017c592.jpeg")
    );
}

/// The peak resident memory of this process so far, where Linux tells it.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A zip bigger than an import file may be is still read, and never whole:
/// its photo is streamed from it.
#[test]
fn a_zip_larger_than_file_max_is_read_without_holding_it() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("big.zip");
    let journal = std::fs::read(fixture("dayone/Journal.json")).unwrap();
    let member = "photos/5d41402abc4b2a76b9719d911017c592.jpeg";
    let size = FILE_MAX + (1 << 20);
    {
        let f = std::io::BufWriter::new(std::fs::File::create(&zip_path).unwrap());
        let mut z = zip::ZipWriter::new(f);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("Journal.json", stored).unwrap();
        z.write_all(&journal).unwrap();
        z.start_file(member, stored).unwrap();
        let chunk = vec![0xA5u8; 1 << 20];
        for _ in 0..size >> 20 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(std::fs::metadata(&zip_path).unwrap().len() > FILE_MAX);

    let p = read(Format::DayOne, &zip_path).unwrap();
    let photo = &p.records[0].attachments[0];
    assert_eq!(zip_member(&photo.source), member);
    let streamed = photo
        .source
        .read_with(|r| std::io::copy(r, &mut std::io::sink()))
        .unwrap();
    assert_eq!(streamed, size);
    if let Some(peak) = peak_memory() {
        assert!(
            peak < 200 << 20,
            "peak memory {} MiB: the zip was held in memory",
            peak >> 20
        );
    }
}

/// Journals that inflate to more JSON than an import reads (a zip bomb)
/// are refused, without being held.
#[test]
fn too_much_journal_json_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("bomb.zip");
    {
        let f = std::io::BufWriter::new(std::fs::File::create(&zip_path).unwrap());
        let mut z = zip::ZipWriter::new(f);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("Journal.json", stored).unwrap();
        z.write_all(b"{\"entries\":[]}").unwrap();
        z.start_file("Huge.json", stored).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..FILE_MAX >> 20 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    let err = read(Format::DayOne, &zip_path).unwrap_err();
    assert!(err.to_string().contains("MiB of JSON"), "{err}");
    if let Some(peak) = peak_memory() {
        assert!(peak < 200 << 20, "peak memory {} MiB", peak >> 20);
    }
}

#[test]
fn bad_entry_is_named() {
    let err = read(Format::DayOne, &fixture("dayone/bad_entry.json")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "entry 2");
            assert!(message.contains("creationDate"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_zip_of_two_journals_imports_both() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let journal = std::fs::read(fixture("dayone/Journal.json")).unwrap();
    let travel = std::fs::read(fixture("dayone/Travel.json")).unwrap();
    zip_of(
        &zip_path,
        &[
            ("Journal.json", &journal),
            ("Travel.json", &travel),
            (
                "photos/5d41402abc4b2a76b9719d911017c592.jpeg",
                b"not really a jpeg",
            ),
            ("__MACOSX/._Journal.json", b"resource fork"),
        ],
    );
    let p = read(Format::DayOne, &zip_path).unwrap();
    assert_eq!(p.records.len(), 7);
    assert_eq!(
        bytes_of(&p.records[0].attachments[0].source),
        b"not really a jpeg"
    );
    let hawaii = &p.records[5];
    assert_eq!(hawaii.title, "Hey. We're in Hawaii.");
    assert!(hawaii.body.contains("dayone2://view"));
    assert_eq!(hawaii.tags, vec!["Travel", "Island"]);
    assert!(hawaii.starred);
    assert_eq!(hawaii.time_zone.as_deref(), Some("Pacific/Honolulu"));
    assert_eq!(p.records[6].title, "Last day");
    assert_eq!(p.records[6].body, "Packed.");
    let journals = dropped(&p, "journal names").unwrap();
    assert!(
        journals.why.contains("Journal") && journals.why.contains("Travel"),
        "{}",
        journals.why
    );
    assert_eq!(count(&p, "links to other Day One entries"), Some(1));
    assert_eq!(count(&p, "videos not in the export"), Some(1));
}

#[test]
fn errors_in_a_zip_name_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let good = std::fs::read(fixture("dayone/Travel.json")).unwrap();
    let bad = std::fs::read(fixture("dayone/bad_entry.json")).unwrap();
    zip_of(&zip_path, &[("Travel.json", &good), ("Broken.json", &bad)]);
    let err = read(Format::DayOne, &zip_path).unwrap_err();
    match err {
        InterchangeError::Malformed { location, .. } => {
            assert_eq!(location, "Broken.json: entry 2")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_zip_without_journals_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    zip_of(&zip_path, &[("photos/a.jpeg", b"x")]);
    let err = read(Format::DayOne, &zip_path).unwrap_err();
    assert!(err.to_string().contains("no journal"), "{err}");
}

#[test]
fn writing_day_one_is_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let err = write(Format::DayOne, &dir.path().join("x.json"), &[]).unwrap_err();
    assert!(matches!(err, InterchangeError::Unsupported(_)));
    assert!(err.to_string().contains("cannot write"), "{err}");
}

// ------------------------------------------------- the real Day One exports

/// The real exports in the shared fixtures (never copied here), when they
/// are there.
fn real_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dayone");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is not there", dir.display());
        None
    }
}

const DEV: &str = "MarcDonald__obsidian-day-one-importer__Dev_Journal.json";
const BSINGR: &str = "bsingr__dayone2-textbundle__demo.json";
const EXAMPLE: &str = "ergebnis__day-one-to-obsidian-converter__Example.json";
const PKAMPPUR: &str = "pkamppur__dayone2-textbundle__demo.json";

#[test]
fn reads_the_real_samples_when_present() {
    let Some(dir) = real_dir() else { return };
    let expected = [(DEV, 5), (BSINGR, 4), (EXAMPLE, 54), (PKAMPPUR, 5)];
    for (name, n) in expected {
        let path = dir.join(name);
        let p = read(Format::DayOne, &path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.records.len(), n, "{name}");
        for r in &p.records {
            assert!(!r.body.contains("dayone-moment:"), "{name}: {}", r.body);
            assert!(!r.title.contains("dayone-moment:"), "{name}: {}", r.title);
            assert!(r.attachments.is_empty());
        }
    }

    let p = read(Format::DayOne, &dir.join(EXAMPLE)).unwrap();
    assert_eq!(p.records.iter().filter(|r| r.starred).count(), 7);
    assert!(
        p.records
            .iter()
            .any(|r| r.tags.contains(&"Board Games".to_string()))
    );
    assert_eq!(count(&p, "photos not in the export"), Some(42));
    assert!(dropped(&p, "weather details").is_some());
    assert!(dropped(&p, "links to other Day One entries").is_some());
    let lady = p
        .records
        .iter()
        .find(|r| r.title == "Lady Liberty, New York City, NY");
    assert!(lady.is_some());

    let p = read(Format::DayOne, &dir.join(DEV)).unwrap();
    assert_eq!(p.records[0].title, "Header 1");
    assert_eq!(
        p.records[0].tags,
        vec!["another-dev-testing-tag", "dev-testing-tag"]
    );
    assert!(p.records[0].starred);
    assert!(
        p.records[2]
            .body
            .starts_with("This-text-is-hyphenated\n(This text is in parentheses)")
    );
    for w in [
        "videos not in the export",
        "audio recordings not in the export",
        "rich text",
    ] {
        assert!(dropped(&p, w).is_some(), "{w}");
    }

    // bsingr: a JSON-level `\/` and a hand-broken richText fall back to text.
    let p = read(Format::DayOne, &dir.join(BSINGR)).unwrap();
    assert_eq!(
        p.records[2].body,
        "double escape a/b dot. single escape slash/"
    );
    assert_eq!(p.records[3].title, "");

    // Two real journals in one zip.
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("export.zip");
    let a = std::fs::read(dir.join(DEV)).unwrap();
    let b = std::fs::read(dir.join(PKAMPPUR)).unwrap();
    zip_of(&zip_path, &[("Dev Journal.json", &a), ("demo.json", &b)]);
    let p = read(Format::DayOne, &zip_path).unwrap();
    assert_eq!(p.records.len(), 10);
    assert!(dropped(&p, "PDFs not in the export").is_some());
}

/// Each media item of a sample's entries: (zip folder, md5, extension).
fn listed_media(entry: &Value) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (field, folder) in [
        ("photos", "photos"),
        ("videos", "videos"),
        ("audios", "audios"),
        ("pdfAttachments", "pdfs"),
    ] {
        for m in entry[field].as_array().into_iter().flatten() {
            let md5 = m["md5"].as_str().unwrap().to_string();
            let ext = match folder {
                "audios" => "m4a".to_string(),
                "pdfs" => "pdf".to_string(),
                _ => m["type"].as_str().unwrap().to_string(),
            };
            out.push((folder, md5, ext));
        }
    }
    out
}

fn sample(dir: &Path, name: &str) -> (Vec<u8>, Vec<Value>) {
    let bytes = std::fs::read(dir.join(name)).unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let entries = v["entries"].as_array().unwrap().clone();
    (bytes, entries)
}

/// What the entry's JSON says the place, weather and time zone are.
fn check_place_weather_zone(r: &Record, e: &Value) {
    assert_eq!(
        r.time_zone.as_deref(),
        e["timeZone"].as_str(),
        "{}",
        r.title
    );
    match e.get("weather") {
        Some(w) => {
            let t = w["temperatureCelsius"].as_f64().unwrap().round() as i64;
            let expected = match w["conditionsDescription"].as_str() {
                Some(c) => format!("{c}, {t} °C"),
                None => format!("{t} °C"),
            };
            assert_eq!(r.weather.as_deref(), Some(expected.as_str()));
        }
        None => assert_eq!(r.weather, None),
    }
    match e.get("location") {
        Some(l) => {
            let p = r.place.as_ref().unwrap();
            assert_eq!(p.latitude, l["latitude"].as_f64());
            assert_eq!(p.longitude, l["longitude"].as_f64());
            let name = p.name.as_deref().unwrap();
            let first = l["userLabel"].as_str().or(l["placeName"].as_str()).unwrap();
            assert!(name.starts_with(first), "{name}");
            if let Some(c) = l["country"].as_str() {
                assert!(name.ends_with(c), "{name}");
            }
            for k in ["localityName", "administrativeArea"] {
                if let Some(part) = l[k].as_str() {
                    assert!(name.contains(part), "{name} lacks {part}");
                }
            }
        }
        None => assert_eq!(r.place, None),
    }
}

/// Every sample in a zip with a made-up file for every medium it lists:
/// each becomes an attachment streaming exactly those bytes, referenced in
/// the body where the text showed it (or at its end); tags, places,
/// weather and time zones are what the JSON says.
#[test]
fn real_samples_in_export_zips_keep_their_media() {
    let Some(dir) = real_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for name in [DEV, BSINGR, EXAMPLE, PKAMPPUR] {
        let (json, entries) = sample(&dir, name);
        let mut members: Vec<String> = entries
            .iter()
            .flat_map(listed_media)
            .map(|(folder, md5, ext)| format!("{folder}/{md5}.{ext}"))
            .collect();
        members.sort();
        members.dedup();
        let zip_path = tmp.path().join(format!("{name}.zip"));
        export_zip(&zip_path, &[("Journal.json", &json)], &members);
        let p = read(Format::DayOne, &zip_path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.records.len(), entries.len());
        for (r, e) in p.records.iter().zip(&entries) {
            check_references(r);
            let mut want: Vec<String> = listed_media(e)
                .into_iter()
                .map(|(_, md5, ext)| format!("{md5}.{ext}"))
                .collect();
            want.sort();
            want.dedup();
            let mut keys: Vec<String> = r.attachments.iter().map(|a| a.key.clone()).collect();
            keys.sort();
            assert_eq!(keys, want, "{name}: {}", r.title);
            for a in &r.attachments {
                assert_eq!(bytes_of(&a.source), media_bytes(zip_member(&a.source)));
                assert!(a.media_type.is_some(), "{}", a.key);
            }
            let tags: Vec<String> = e["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t.as_str().unwrap().to_string())
                .fold(Vec::new(), |mut acc, t| {
                    if !acc.contains(&t) {
                        acc.push(t);
                    }
                    acc
                });
            assert_eq!(r.tags, tags, "{name}: tags stay as written");
            check_place_weather_zone(r, e);
        }
        for gone in [
            "photos not in the export",
            "videos not in the export",
            "audio recordings not in the export",
            "PDFs not in the export",
        ] {
            assert_eq!(count(&p, gone), None, "{name}: {gone}");
        }
    }

    // Some exact bodies.
    let zip_path = tmp.path().join(format!("{DEV}.zip"));
    let p = read(Format::DayOne, &zip_path).unwrap();
    let rs = &p.records;
    assert!(
        rs[0].body.ends_with(
            "```\nCode block\n```\n\n\n![](attachment:31c871f18f68d2fde4196ccba1f8ece1.jpeg)"
        ),
        "{}",
        rs[0].body
    );
    // The first line (the title) shows a photo: it opens the body. Two
    // identifiers share one md5 (and entry 1's photo); the video the text
    // never shows comes at the end.
    assert!(
        rs[3].title.contains("nulla et.. Nostrud est"),
        "{}",
        rs[3].title
    );
    assert_eq!(
        rs[3].body,
        "![](attachment:31c871f18f68d2fde4196ccba1f8ece1.jpeg)\n\n![](attachment:6b73e9bd86a91d3a7ead09268b0fb266.jpeg)\n\n[video-842e6f3b.mp4](attachment:842e6f3bf38e93981004c637e8b03967.mp4)"
    );
    assert_eq!(rs[4].title, "");
    assert_eq!(
        rs[4].body,
        "[video-d500d678.mp4](attachment:d500d6789ff2c211af3f507b17be8e66.mp4)\n\n[audio-f35f4173.m4a](attachment:f35f41739499e70c6b2714e3a7d82d8c.m4a)"
    );
    let audio = &rs[4].attachments[1];
    assert_eq!(
        (audio.name.as_str(), audio.media_type.as_deref()),
        ("audio-f35f4173.m4a", Some("audio/mp4"))
    );
    assert_eq!(
        rs[0].place.as_ref().and_then(|p| p.name.as_deref()),
        Some("Eurpocar Dublin Airport Terminal 2, Swords, Co. Dublin, Ireland")
    );

    let p = read(Format::DayOne, &tmp.path().join(format!("{PKAMPPUR}.zip"))).unwrap();
    let pdf = &p.records[4];
    assert!(
        pdf.body
            .contains("[Test.pdf](attachment:2f1c651de5d167db3d62dc260925fa9c.pdf)"),
        "{}",
        pdf.body
    );
    assert_eq!(pdf.time_zone.as_deref(), Some("Europe/Helsinki"));

    let p = read(Format::DayOne, &tmp.path().join(format!("{EXAMPLE}.zip"))).unwrap();
    let first = &p.records[0];
    assert_eq!(
        first.place.as_ref().and_then(|p| p.name.as_deref()),
        Some("Uncle's Tavern, Alice Springs, NT, Australia")
    );
    assert_eq!(first.weather.as_deref(), Some("Partly Cloudy, 34 °C"));
    assert_eq!(first.time_zone.as_deref(), Some("America/Boise"));
    // Day One's own sample refers to photos no entry lists.
    assert_eq!(
        count(&p, "references to media the entry does not list"),
        Some(17)
    );
    // The photo whose original was a HEIC, exported as a JPEG.
    assert!(
        p.records
            .iter()
            .flat_map(|r| &r.attachments)
            .any(|a| a.name == "IMG_1807.jpeg" && a.media_type.as_deref() == Some("image/jpeg"))
    );
    let png = p
        .records
        .iter()
        .flat_map(|r| &r.attachments)
        .find(|a| a.key == "cb4e9724a10adf6a482feb9647aa1dc5.png")
        .unwrap();
    assert_eq!(png.media_type.as_deref(), Some("image/png"));
}

/// Day One's sample in a zip that lacks every other photo: those are
/// reported, the rest attached.
#[test]
fn a_real_sample_with_photos_missing_reports_them() {
    let Some(dir) = real_dir() else { return };
    let (json, entries) = sample(&dir, EXAMPLE);
    let mut all: Vec<String> = entries
        .iter()
        .flat_map(listed_media)
        .map(|(folder, md5, ext)| format!("{folder}/{md5}.{ext}"))
        .collect();
    all.sort();
    all.dedup();
    let kept: Vec<String> = all.iter().step_by(2).cloned().collect();
    let left_out: Vec<String> = all.iter().skip(1).step_by(2).cloned().collect();
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("half.zip");
    export_zip(&zip_path, &[("Example.json", &json)], &kept);
    let p = read(Format::DayOne, &zip_path).unwrap();
    let lacking = entries
        .iter()
        .filter(|e| {
            listed_media(e)
                .iter()
                .any(|(f, md5, ext)| left_out.contains(&format!("{f}/{md5}.{ext}")))
        })
        .count();
    assert!(lacking > 0);
    assert_eq!(count(&p, "photos not in the export"), Some(lacking));
    for (r, e) in p.records.iter().zip(&entries) {
        check_references(r);
        let have = listed_media(e)
            .iter()
            .filter(|(f, md5, ext)| kept.contains(&format!("{f}/{md5}.{ext}")))
            .map(|(_, md5, ext)| format!("{md5}.{ext}"))
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(r.attachments.len(), have.len(), "{}", r.title);
    }
}
