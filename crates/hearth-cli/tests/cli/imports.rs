//! Imports as people bring them, through the real binary: Markdown folders
//! as Jekyll, Hugo, Obsidian and Logseq write them, a Day One export with
//! its photos, and a jrnl file with jrnl's lenient headers. Each is compared
//! field by field with what the source holds; `--dry-run` writes nothing.
//! The folders are the interchange crate's fixtures (written for Hearth,
//! modelled on each tool); the Day One journal is one of the real exports
//! in `../shared/fixtures`, when that folder is there.

use crate::support::Journal;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hearth-interchange/tests/fixtures")
        .join(name)
}

/// `import --format FORMAT PATH ARGS --json`, in UTC.
fn import(j: &Journal, format: &str, path: &Path, args: &[&str]) -> Value {
    let path = path.to_str().unwrap();
    let mut all = vec!["import", "--format", format, path, "--json"];
    all.extend_from_slice(args);
    j.cmd(&all).env("TZ", "UTC").run().ok().json()
}

fn entries(j: &Journal) -> Vec<Value> {
    j.list(&[])
}

fn titled<'a>(entries: &'a [Value], title: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["title"] == title)
        .unwrap_or_else(|| panic!("no entry {title:?} in {entries:#?}"))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The bytes `attachment save` writes for the attachment of `entry` named
/// `name`.
fn saved(j: &Journal, entry: &Value, name: &str) -> Vec<u8> {
    let a = entry["attachments"]
        .as_array()
        .unwrap_or_else(|| panic!("no attachments in {entry}"))
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no attachment {name} in {entry}"));
    let id = a["id"].as_str().unwrap();
    let body = entry["body"].as_str().unwrap();
    assert!(
        !body.contains(&format!("attachment:{name}")),
        "the body shows {name} by its id: {entry}"
    );
    let out = j.path(&format!("saved-{id}"));
    if !out.exists() {
        j.ok(&["attachment", "save", id, out.to_str().unwrap()]);
    }
    std::fs::read(out).unwrap()
}

fn dropped_whats(report: &Value) -> Vec<String> {
    report["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["what"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_dry_run_says_what_would_be_kept_and_writes_nothing() {
    let j = Journal::new();
    let before = j.snapshot();
    let report = import(&j, "markdown", &fixture("markdown_hugo"), &["--dry-run"]);
    assert_eq!(report["dry_run"], true, "{report}");
    assert!(report["imported"].as_u64().unwrap() >= 2, "{report}");
    let kept: Vec<&str> = report["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["what"].as_str().unwrap())
        .collect();
    assert!(kept.contains(&"photos and files"), "{report}");
    assert_eq!(j.snapshot(), before, "nothing was written");
    let text = j
        .cmd(&[
            "import",
            "--format",
            "markdown",
            fixture("markdown_hugo").to_str().unwrap(),
            "--dry-run",
        ])
        .run()
        .ok()
        .stdout;
    assert!(
        text.contains("Would import") && text.contains("Nothing was written"),
        "{text}"
    );
}

#[test]
fn jekyll_and_hugo_folders_keep_their_dates_tags_and_images() {
    let j = Journal::new();
    let report = import(&j, "markdown", &fixture("markdown_jekyll"), &[]);
    let all = entries(&j);
    let welcome = titled(&all, "Welcome to Jekyll!");
    // Jekyll's documented form: a time with a numeric zone offset.
    assert_eq!(welcome["created_at"], "2017-02-07T22:09:27Z");
    assert_eq!(strs(&welcome["tags"]), ["first post", "jekyll"]);
    let view = std::fs::read(fixture("markdown_jekyll/assets/img/view.png")).unwrap();
    assert_eq!(saved(&j, welcome, "view.png"), view);
    let pdf = std::fs::read(fixture("markdown_jekyll/assets/notes.pdf")).unwrap();
    assert_eq!(saved(&j, welcome, "notes.pdf"), pdf);
    let whats = dropped_whats(&report);
    assert!(
        whats.iter().any(|w| w.contains("categories"))
            && whats.iter().any(|w| w.contains("layout")),
        "keys Hearth does not keep are named: {report}"
    );

    let j = Journal::new();
    import(&j, "markdown", &fixture("markdown_hugo"), &[]);
    let all = entries(&j);
    let harbour = titled(&all, "Harbour day");
    assert_eq!(
        harbour["created_at"], "2022-05-15T08:30:00Z",
        "RFC 3339 with milliseconds"
    );
    assert_eq!(strs(&harbour["tags"]), ["sea", "boats"]);
    // One folder per entry: its images beside index.md come with it.
    let dir = fixture("markdown_hugo/content/posts/2022-05-15");
    assert_eq!(
        saved(&j, harbour, "photo.jpg"),
        std::fs::read(dir.join("photo.jpg")).unwrap()
    );
    assert_eq!(
        saved(&j, harbour, "boat.jpg"),
        std::fs::read(dir.join("boat.jpg")).unwrap()
    );
}

#[test]
fn obsidian_and_logseq_notes_keep_their_days_inline_tags_and_embeds() {
    let j = Journal::new();
    let report = import(&j, "markdown", &fixture("markdown_obsidian"), &[]);
    let all = entries(&j);
    let day = all
        .iter()
        .find(|e| e["created_at"] == "2021-04-15T08:15:00Z")
        .unwrap_or_else(|| panic!("the daily note keeps its `created` time: {all:#?}"));
    let tags = strs(&day["tags"]);
    for t in ["journal", "outdoors", "mood/good"] {
        assert!(tags.contains(&t.to_string()), "{tags:?}");
    }
    assert!(!tags.contains(&"123".to_string()) && !tags.contains(&"notatag".to_string()));
    let dir = fixture("markdown_obsidian/Attachments");
    assert_eq!(
        saved(&j, day, "photo.png"),
        std::fs::read(dir.join("photo.png")).unwrap()
    );
    assert_eq!(
        saved(&j, day, "my sketch.png"),
        std::fs::read(dir.join("my sketch.png")).unwrap()
    );
    assert!(
        dropped_whats(&report).iter().any(|w| w.contains("aliases")),
        "{report}"
    );

    let j = Journal::new();
    import(&j, "markdown", &fixture("markdown_logseq"), &[]);
    let days: Vec<String> = entries(&j)
        .iter()
        .map(|e| e["created_at"].as_str().unwrap()[..10].to_string())
        .collect();
    // The date is in the file name (`journals/2021_04_15.md`), not today.
    assert!(days.contains(&"2021-04-15".to_string()), "{days:?}");
    assert!(days.contains(&"2021-04-16".to_string()), "{days:?}");
}

#[test]
fn every_header_jrnl_reads_is_an_entry_with_jrnls_date() {
    let j = Journal::new();
    import(&j, "jrnl", &fixture("jrnl_lenient/journal.txt"), &[]);
    let all = entries(&j);
    assert_eq!(
        titled(&all, "Missing its day")["created_at"],
        "2019-07-01T14:23:00Z"
    );
    assert_eq!(
        titled(&all, "Also missing its day")["created_at"],
        "2021-03-01T08:00:00Z"
    );
    assert_eq!(
        titled(&all, "Slashes and a twelve-hour clock")["created_at"],
        "2021-03-05T20:05:00Z"
    );
    let day = titled(&all, "Date only");
    assert_eq!(day["created_at"], "2021-03-05T00:00:00Z");
    let body = day["body"].as_str().unwrap();
    assert!(
        !body.contains("Spelled out"),
        "never merged into the entry before: {body:?}"
    );
    let refused = j
        .cmd(&[
            "import",
            "--format",
            "jrnl",
            fixture("jrnl_refused")
                .read_dir()
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path()
                .to_str()
                .unwrap(),
        ])
        .env("TZ", "UTC")
        .run()
        .fails();
    refused.says(&["line"]);
}

/// A real Day One journal in an export zip, its media generated and named
/// by the md5s it lists, as Day One names them.
#[test]
fn a_day_one_export_keeps_its_photos_in_place_and_its_places_weather_and_zones() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/fixtures/dayone/MarcDonald__obsidian-day-one-importer__Dev_Journal.json",
    );
    let Ok(json) = std::fs::read(&source) else {
        eprintln!("skipped: {} is not here", source.display());
        return;
    };
    let journal: Value = serde_json::from_slice(&json).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = vec![("Dev Journal.json".into(), json.clone())];
    for e in journal["entries"].as_array().unwrap() {
        for (list, folder) in [
            ("photos", "photos"),
            ("videos", "videos"),
            ("audios", "audios"),
            ("pdfAttachments", "pdfs"),
        ] {
            for m in e[list].as_array().into_iter().flatten() {
                let md5 = m["md5"].as_str().unwrap();
                let ext = match folder {
                    "audios" => "m4a".to_string(),
                    "pdfs" => "pdf".to_string(),
                    _ => m["type"].as_str().unwrap_or("jpeg").to_string(),
                };
                let name = format!("{folder}/{md5}.{ext}");
                if !files.iter().any(|(n, _)| *n == name) {
                    files.push((name, format!("bytes of {md5}").into_bytes()));
                }
            }
        }
    }
    let j = Journal::new();
    let zip_path = j.path("export.zip");
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    crate::transfer::zip(&zip_path, &refs);
    let report = import(&j, "dayone", &zip_path, &[]);
    let all = entries(&j);
    assert_eq!(
        all.len(),
        journal["entries"].as_array().unwrap().len(),
        "{report}"
    );
    let mut seen_files = 0;
    for (e, source) in all.iter().zip(std::iter::repeat(&journal)) {
        let _ = source;
        for a in e["attachments"].as_array().into_iter().flatten() {
            let id = a["id"].as_str().unwrap();
            assert!(
                e["body"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("attachment:{id}")),
                "{e}"
            );
            let out = j.path(&format!("out-{id}"));
            if !out.exists() {
                j.ok(&["attachment", "save", id, out.to_str().unwrap()]);
            }
            let bytes = std::fs::read(out).unwrap();
            assert!(
                files.iter().any(|(_, b)| *b == bytes),
                "an attachment is byte for byte a file of the zip"
            );
            seen_files += 1;
        }
    }
    assert!(seen_files > 0, "{all:#?}");
    // Places, weather and time zones, as the journal gives them.
    for source in journal["entries"].as_array().unwrap() {
        let created: chrono::DateTime<chrono::Utc> =
            source["creationDate"].as_str().unwrap().parse().unwrap();
        let e = all
            .iter()
            .find(|e| {
                e["created_at"]
                    .as_str()
                    .unwrap()
                    .parse::<chrono::DateTime<chrono::Utc>>()
                    .unwrap()
                    == created
            })
            .unwrap();
        if let Some(zone) = source["timeZone"].as_str() {
            assert_eq!(e["time_zone"], zone, "{e}");
        }
        if let Some(lat) = source["location"]["latitude"].as_f64() {
            assert_eq!(e["place"]["latitude"].as_f64(), Some(lat), "{e}");
        }
        if source["weather"].is_object() {
            assert!(e["weather"].is_string(), "{e}");
        }
        let want: Vec<String> = strs(&source["tags"]);
        assert_eq!(strs(&e["tags"]), want, "multi-word tags stay as they are");
    }
}
