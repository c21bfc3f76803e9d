#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, local, record, sorted, utc};
use hearth_interchange::{
    AttachmentSource, Blobs, Dropped, Format, InterchangeError, Parsed, Place, Record,
    RecordAttachment, read, write, write_with,
};
use proptest::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const ID: &str = "5f3a9c0d1e2b4a6f8091a2b3c4d5e6f7";

fn dropped<'a>(p: &'a Parsed, what: &str) -> Option<&'a Dropped> {
    p.dropped.iter().find(|d| d.what == what)
}

fn whats(p: &Parsed) -> Vec<&str> {
    p.dropped.iter().map(|d| d.what.as_str()).collect()
}

fn by_title<'a>(p: &'a Parsed, title: &str) -> &'a Record {
    p.records
        .iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("no record titled {title:?} in {:#?}", p.records))
}

fn real(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap()
}

/// (key, name, media type, source path)
fn attachments(r: &Record) -> Vec<(&str, &str, Option<&str>, PathBuf)> {
    r.attachments
        .iter()
        .map(|a| {
            let path = match &a.source {
                AttachmentSource::File(p) => p.clone(),
                other => panic!("{other:?}"),
            };
            (
                a.key.as_str(),
                a.name.as_str(),
                a.media_type.as_deref(),
                path,
            )
        })
        .collect()
}

#[test]
fn reads_a_hand_made_folder() {
    let p = read(Format::Markdown, &fixture("markdown/notes")).unwrap();
    // Subfolders are read too; README.txt is reported.
    assert_eq!(p.records.len(), 4);

    let walk = &p.records[0];
    assert_eq!(walk.title, "Walk by the sea");
    assert_eq!(
        walk.body,
        "Cold and bright. The heron was back.\n\n- gloves next time\n"
    );
    assert_eq!(walk.created_at, local("2021-03-05 00:00:00"));
    assert_eq!(walk.id, None);
    assert!(walk.tags.is_empty());

    let exported = &p.records[1];
    // A ULID is another program's id: reported, and the entry gets its own.
    assert_eq!(exported.id, None);
    assert_eq!(exported.title, "Hearth: exported");
    assert_eq!(
        exported.body,
        "  Leading spaces kept.\n---\nA line of three dashes above is body, not front matter.\n"
    );
    assert_eq!(exported.mood, Some(5));
    assert_eq!(exported.feelings, vec!["hopeful"]);
    assert_eq!(exported.tags, vec!["plans"]);
    assert!(exported.starred);
    assert_eq!(exported.created_at, utc("2021-03-07T09:30:00Z"));
    assert_eq!(exported.updated_at, utc("2021-03-07T10:00:00.5Z"));

    let sub = &p.records[2];
    assert_eq!(sub.title, "photo-note");
    assert_eq!(sub.body, "In a subfolder: not read.\n");

    let obsidian = &p.records[3];
    assert_eq!(obsidian.title, "obsidian-note");
    assert_eq!(obsidian.body, "Finished the chapter.\n");
    assert_eq!(obsidian.tags, vec!["evening", "reading"]);
    assert_eq!(obsidian.mood, Some(2));
    assert_eq!(obsidian.created_at, local("2021-03-06 18:30:00"));

    let w = whats(&p);
    assert!(w.contains(&"front matter `aliases`"), "{w:?}");
    assert!(
        w.contains(&"front matter `id` from another program"),
        "{w:?}"
    );
    assert_eq!(dropped(&p, "files no entry links to").unwrap().entries, 1);
}

#[test]
fn mood_nine_names_the_file() {
    let err = read(Format::Markdown, &fixture("markdown/bad_mood")).unwrap_err();
    match err {
        InterchangeError::Malformed {
            location, message, ..
        } => {
            assert_eq!(location, "2021-03-05-too-happy.md");
            assert!(message.contains("mood"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reads_a_logseq_graph() {
    let root = real(&fixture("markdown_logseq"));
    let p = read(Format::Markdown, &root).unwrap();
    // journals/ and pages/; the logseq/ folder (settings, backups) is not read.
    assert_eq!(p.records.len(), 3, "{:#?}", p.records);

    let day = &p.records[0];
    assert_eq!(day.title, "");
    assert_eq!(day.created_at, local("2021-04-15 00:00:00"));
    assert_eq!(day.tags, vec!["outdoors", "long walks", "sun", "good food"]);
    assert_eq!(
        day.body,
        "- Walked along the sea wall #sun\n\
         \t- ![sea.jpg](attachment:sea_1618480000000_0.jpg)\n\
         - Lunch with [[Ana]] #[[good food]]\n\
         \t- ```\n\
         \t  #not-a-tag in code\n\
         \t  ```\n"
    );
    assert_eq!(
        attachments(day),
        vec![(
            "sea_1618480000000_0.jpg",
            "sea_1618480000000_0.jpg",
            Some("image/jpeg"),
            root.join("assets/sea_1618480000000_0.jpg")
        )]
    );

    let next = &p.records[1];
    assert_eq!(next.title, "");
    assert_eq!(next.created_at, local("2021-04-16 00:00:00"));
    assert_eq!(next.body, "- Rain all day.\n- Read #books\n");
    assert_eq!(next.tags, vec!["books"]);

    let page = &p.records[2];
    assert_eq!(page.title, "Ana");
    assert_eq!(page.body, "- Friend from school.\n");

    let w = whats(&p);
    assert!(w.contains(&"page property `alias`"), "{w:?}");
    assert!(
        w.contains(&"Logseq block properties `id::` and `collapsed::`"),
        "{w:?}"
    );
    assert_eq!(dropped(&p, "files no entry links to"), None, "{w:?}");
}

#[test]
fn reads_a_jekyll_site() {
    let root = real(&fixture("markdown_jekyll"));
    let p = read(Format::Markdown, &root).unwrap();
    assert_eq!(p.records.len(), 2, "{:#?}", p.records);

    let welcome = by_title(&p, "Welcome to Jekyll!");
    // `date: 2017-02-08 06:09:27 +0800`
    assert_eq!(welcome.created_at, utc("2017-02-07T22:09:27Z"));
    assert_eq!(welcome.updated_at, welcome.created_at);
    assert_eq!(welcome.tags, vec!["first post", "jekyll"]);
    assert_eq!(welcome.id, None);
    assert_eq!(
        welcome.body,
        "You'll find this post in your `_posts` directory.\n\n\
         ![The view](attachment:view.png \"From the window\")\n\n\
         Check out the [Jekyll docs](https://jekyllrb.com/docs/home) and [the notes](attachment:notes.pdf).\n\
         An [old post]({{ site.baseurl }}{% link _posts/2017-02-01-old.md %}).\n"
    );
    assert_eq!(
        attachments(welcome),
        vec![
            (
                "view.png",
                "view.png",
                Some("image/png"),
                root.join("assets/img/view.png")
            ),
            (
                "notes.pdf",
                "notes.pdf",
                Some("application/pdf"),
                root.join("assets/notes.pdf")
            ),
        ]
    );

    let second = by_title(&p, "Second");
    assert_eq!(second.created_at, local("2017-02-09 00:00:00"));
    assert_eq!(second.body, "![gone](/assets/img/missing.png)\n");
    assert!(second.attachments.is_empty());

    assert_eq!(dropped(&p, "front matter `layout`").unwrap().entries, 2);
    assert_eq!(dropped(&p, "front matter `categories`").unwrap().entries, 1);
    assert_eq!(dropped(&p, "front matter `slug`").unwrap().entries, 1);
    assert_eq!(dropped(&p, "links to missing files").unwrap().entries, 1);
    // _config.yml and the stylesheet; _site/ is Jekyll's output, not read.
    assert_eq!(dropped(&p, "files no entry links to").unwrap().entries, 2);
}

#[test]
fn reads_a_hugo_site_with_a_page_bundle() {
    let root = real(&fixture("markdown_hugo"));
    let p = read(Format::Markdown, &root).unwrap();
    assert_eq!(p.records.len(), 3, "{:#?}", p.records);

    let bundle = &p.records[0];
    assert_eq!(bundle.title, "Harbour day");
    // `date: 2022-05-15T10:30:00.000+02:00`
    assert_eq!(bundle.created_at, utc("2022-05-15T08:30:00Z"));
    assert_eq!(bundle.updated_at, utc("2022-05-16T08:00:00Z"));
    assert_eq!(bundle.tags, vec!["sea", "boats"]);
    assert_eq!(
        bundle.body,
        "![The harbour](attachment:photo.jpg)\n\n{{< figure src=\"boat.jpg\" title=\"A boat\" >}}\n"
    );
    let dir = root.join("content/posts/2022-05-15");
    assert_eq!(
        attachments(bundle),
        vec![
            (
                "photo.jpg",
                "photo.jpg",
                Some("image/jpeg"),
                dir.join("photo.jpg")
            ),
            // Not linked, but beside index.md: the bundle's.
            (
                "boat.jpg",
                "boat.jpg",
                Some("image/jpeg"),
                dir.join("boat.jpg")
            ),
        ]
    );

    let toml = &p.records[1];
    assert_eq!(toml.title, "In TOML");
    assert_eq!(toml.created_at, utc("2022-06-01T07:00:00Z"));
    assert_eq!(toml.tags, vec!["hills"]);
    assert_eq!(toml.body, "Up the hill.\n");

    let section = &p.records[2];
    assert_eq!(section.title, "Posts");
    assert_eq!(section.body, "");

    let w = whats(&p);
    for key in ["draft", "slug", "categories", "aliases"] {
        assert!(
            w.contains(&format!("front matter `{key}`").as_str()),
            "{w:?}"
        );
    }
    // hugo.toml; public/ is Hugo's output, not read.
    assert_eq!(dropped(&p, "files no entry links to").unwrap().entries, 1);
}

#[test]
fn reads_an_obsidian_vault() {
    let root = real(&fixture("markdown_obsidian"));
    let p = read(Format::Markdown, &root).unwrap();
    assert_eq!(p.records.len(), 2, "{:#?}", p.records);

    let day = &p.records[0];
    assert_eq!(day.title, "");
    assert_eq!(day.created_at, local("2021-04-15 08:15:00"));
    assert_eq!(day.updated_at, day.created_at);
    assert_eq!(day.tags, vec!["journal", "outdoors", "mood/good"]);
    assert_eq!(
        day.body,
        "Walked to the lake #outdoors #mood/good, not #123.\n\n\
         ![](attachment:photo.png)\n\
         ![A sketch](attachment:my-sketch.png)\n\
         ![[lost.png]]\n\
         Also [the sketch again](attachment:my-sketch.png) and [[Some Note]].\n\n\
         `#notatag`\n"
    );
    assert_eq!(
        attachments(day),
        vec![
            (
                "photo.png",
                "photo.png",
                Some("image/png"),
                root.join("Attachments/photo.png")
            ),
            (
                "my-sketch.png",
                "my sketch.png",
                Some("image/png"),
                root.join("Attachments/my sketch.png")
            ),
        ]
    );

    let note = &p.records[1];
    assert_eq!(note.title, "Some Note");
    assert_eq!(note.body, "Just a note.\n");

    let w = whats(&p);
    for key in ["aliases", "cssclass", "publish"] {
        assert!(
            w.contains(&format!("front matter `{key}`").as_str()),
            "{w:?}"
        );
    }
    assert_eq!(dropped(&p, "links to missing files").unwrap().entries, 1);
    // Attachments/unused.png; .obsidian/ is hidden.
    assert_eq!(dropped(&p, "files no entry links to").unwrap().entries, 1);
}

fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn links_in_every_form_become_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let root = real(dir.path()).join("notes");
    put(&root.join("img/photo.jpg"), b"\xff\xd8\xff\xd9");
    put(&root.join("other/photo.jpg"), b"\xff\xd8\xff\xd9");
    put(&root.join("path with spaces.png"), b"png");
    put(&root.join("my photo.HEIC"), b"heic");
    put(&root.join("files/a.pdf"), b"%PDF");
    put(&root.join("clip.m4a"), b"m4a");
    put(&root.join("café (1).mov"), b"mov");
    put(&root.join("page.md"), b"A page.\n");
    put(&dir.path().join("outside.png"), b"png");
    let body = "\
![alt](img/photo.jpg) ![again](./img/photo.jpg)
![b](other/photo.jpg)
![x](<path with spaces.png>) ![y](my%20photo.HEIC \"t\")
[doc](files/a.pdf) [song](clip.m4a) [film](<café (1).mov>)
[page](page.md) [web](https://example.org/a.png) ![d](data:image/png;base64,AAAA)
[anchor](#top) [mail](mailto:a@example.org)
![up](../outside.png)
[ref]: files/a.pdf
<img src=\"img/photo.jpg\" width=\"10\">
";
    put(
        &root.join("2021-04-15-0930-walk.md"),
        format!("---\ntitle: Walk\n---\n{body}").as_bytes(),
    );
    let p = read(Format::Markdown, &root).unwrap();
    let r = by_title(&p, "Walk");
    assert_eq!(r.created_at, local("2021-04-15 09:30:00"));
    assert_eq!(
        r.body,
        "\
![alt](attachment:photo.jpg) ![again](attachment:photo.jpg)
![b](attachment:photo-2.jpg)
![x](<attachment:path-with-spaces.png>) ![y](attachment:my-photo.HEIC \"t\")
[doc](attachment:a.pdf) [song](attachment:clip.m4a) [film](<attachment:caf-1-.mov>)
[page](page.md) [web](https://example.org/a.png) ![d](data:image/png;base64,AAAA)
[anchor](#top) [mail](mailto:a@example.org)
![up](../outside.png)
[ref]: attachment:a.pdf
<img src=\"attachment:photo.jpg\" width=\"10\">
"
    );
    assert_eq!(
        attachments(r),
        vec![
            (
                "photo.jpg",
                "photo.jpg",
                Some("image/jpeg"),
                root.join("img/photo.jpg")
            ),
            (
                "photo-2.jpg",
                "photo.jpg",
                Some("image/jpeg"),
                root.join("other/photo.jpg")
            ),
            (
                "path-with-spaces.png",
                "path with spaces.png",
                Some("image/png"),
                root.join("path with spaces.png")
            ),
            (
                "my-photo.HEIC",
                "my photo.HEIC",
                Some("image/heic"),
                root.join("my photo.HEIC")
            ),
            (
                "a.pdf",
                "a.pdf",
                Some("application/pdf"),
                root.join("files/a.pdf")
            ),
            (
                "clip.m4a",
                "clip.m4a",
                Some("audio/mp4"),
                root.join("clip.m4a")
            ),
            (
                "caf-1-.mov",
                "café (1).mov",
                Some("video/quicktime"),
                root.join("café (1).mov")
            ),
        ]
    );
    assert_eq!(
        dropped(&p, "links to files outside the imported folder")
            .unwrap()
            .entries,
        1
    );
    assert_eq!(dropped(&p, "links to missing files"), None);
    assert_eq!(dropped(&p, "files no entry links to"), None);
    assert!(p.records.iter().any(|r| r.title == "page"));
}

#[test]
fn a_single_file_reads_links_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = real(dir.path());
    put(&root.join("pics/a.png"), b"png");
    put(&root.join("2021-04-15.md"), b"![](pics/a.png)\n");
    let p = read(Format::Markdown, &root.join("2021-04-15.md")).unwrap();
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.records[0].body, "![](attachment:a.png)\n");
    assert_eq!(attachments(&p.records[0])[0].3, root.join("pics/a.png"));
}

#[test]
fn other_programs_ids_and_odd_keys_never_refuse_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    put(
        &root.join("a.md"),
        b"---\nid: 6123abcd-1234-4abc-8def-0123456789ab\nuuid: x\ndate: not yet\n---\nA\n",
    );
    put(
        &root.join("b.md"),
        format!("---\nid: {ID}\n---\nB\n").as_bytes(),
    );
    let p = read(Format::Markdown, root).unwrap();
    assert_eq!(p.records.len(), 2);
    assert_eq!(p.records[0].id, None);
    assert_eq!(p.records[1].id.as_deref(), Some(ID));
    let w = whats(&p);
    assert!(
        w.contains(&"front matter `id` from another program"),
        "{w:?}"
    );
    assert!(w.contains(&"front matter `uuid`"), "{w:?}");
    assert!(
        w.contains(&"front matter `date` that is not a time"),
        "{w:?}"
    );
}

fn rec(title: &str, body: &str) -> Record {
    Record {
        id: None,
        title: title.into(),
        body: body.into(),
        mood: None,
        feelings: vec![],
        tags: vec![],
        starred: false,
        created_at: utc("2021-03-05T12:00:00Z"),
        updated_at: utc("2021-03-05T12:00:00Z"),
        attachments: Vec::new(),
        place: None,
        weather: None,
        time_zone: None,
    }
}

#[test]
fn writes_one_file_per_entry_with_unique_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let records = vec![rec("Same title", "a"), rec("Same title", "b"), rec("", "")];
    write(Format::Markdown, &out, &records).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3);
    for n in &names {
        assert!(n.ends_with(".md"), "{n}");
        assert!(n.is_ascii(), "{n}");
        let date = n.get(..15).unwrap();
        assert!(
            chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d-%H%M").is_ok(),
            "{n}"
        );
    }
    assert!(names.iter().any(|n| n.ends_with("-same-title.md")));
    assert!(names.iter().any(|n| n.ends_with("-same-title-2.md")));
    assert!(names.iter().any(|n| n.ends_with("-entry.md")));
    let text = std::fs::read_to_string(
        out.join(
            names
                .iter()
                .find(|n| n.ends_with("-same-title.md"))
                .unwrap(),
        ),
    )
    .unwrap();
    assert!(text.starts_with("---\ntitle: Same title\n"), "{text}");
    assert!(
        text.ends_with("---\na") || text.ends_with("---\nb"),
        "{text}"
    );
}

#[test]
fn refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.md"), "x").unwrap();
    let err = write(Format::Markdown, dir.path(), &[rec("t", "b")]).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn writes_into_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(Format::Markdown, dir.path(), &[rec("t", "b")]).unwrap();
    let back = read(Format::Markdown, dir.path()).unwrap();
    assert_eq!(back.records, vec![rec("t", "b")]);
}

#[test]
fn reads_a_single_file() {
    let p = read(
        Format::Markdown,
        &fixture("markdown/notes/2021-03-07-0930-hearth-export.md"),
    )
    .unwrap();
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.records[0].title, "Hearth: exported");
}

/// Attachments held in memory, as the caller's store.
struct MemBlobs(HashMap<String, Vec<u8>>);

impl Blobs for MemBlobs {
    fn copy(&self, id: &str, out: &mut dyn std::io::Write) -> std::io::Result<u64> {
        let bytes = self
            .0
            .get(id)
            .ok_or_else(|| std::io::Error::other(format!("no blob {id}")))?;
        out.write_all(bytes)?;
        Ok(bytes.len() as u64)
    }
}

fn stored(key: &str, name: &str, media_type: Option<&str>, id: &str) -> RecordAttachment {
    RecordAttachment {
        key: key.into(),
        name: name.into(),
        media_type: media_type.map(str::to_string),
        source: AttachmentSource::Stored(id.into()),
    }
}

fn with_attachments() -> (Vec<Record>, MemBlobs) {
    let mut a = rec("Walk", "");
    a.id = Some(ID.into());
    a.body = "![Sea](attachment:p1) and [notes](<attachment:doc> \"t\")\n\
              `![code](attachment:p1)` stays, so does attachment:p1 in text\n\
              <img src=\"attachment:p1\">\n\
              [unknown](attachment:nope) #not-a-tag\n"
        .into();
    a.tags = vec!["sea walk".into()];
    a.attachments = vec![
        stored("p1", "Sea photo.jpg", Some("image/jpeg"), "blob-1"),
        stored("doc", "../notes.pdf", Some("application/pdf"), "blob-2"),
        stored("p2", "Sea photo.jpg", None, "blob-3"),
    ];
    a.place = Some(Place {
        name: Some("Harbour".into()),
        latitude: Some(54.3233),
        longitude: Some(10.1228),
    });
    a.weather = Some("Windy, 9 °C".into());
    a.time_zone = Some("Europe/Berlin".into());
    let mut b = rec("No files", "Nothing attached.");
    b.created_at = utc("2021-03-06T08:00:00Z");
    b.updated_at = b.created_at;
    let blobs = MemBlobs(HashMap::from([
        ("blob-1".to_string(), b"\xff\xd8one\xff\xd9".to_vec()),
        ("blob-2".to_string(), b"%PDF two".to_vec()),
        ("blob-3".to_string(), b"three".to_vec()),
    ]));
    (vec![a, b], blobs)
}

#[test]
fn attachments_are_written_beside_the_entry_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = real(dir.path()).join("export");
    let (records, blobs) = with_attachments();
    write_with(Format::Markdown, &out, &records, &blobs).unwrap();

    let stem = format!(
        "{}-walk",
        records[0]
            .created_at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d-%H%M")
    );
    let folder = out.join(&stem);
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec!["Sea photo-2.jpg", "Sea photo.jpg", "__notes.pdf"]
    );
    assert_eq!(
        std::fs::read(folder.join("Sea photo.jpg")).unwrap(),
        b"\xff\xd8one\xff\xd9"
    );
    assert_eq!(
        std::fs::read(folder.join("__notes.pdf")).unwrap(),
        b"%PDF two"
    );
    // Nothing escaped the export folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let text = std::fs::read_to_string(out.join(format!("{stem}.md"))).unwrap();
    assert!(
        text.contains(&format!(
            "---\n![Sea]({stem}/Sea%20photo.jpg) and [notes](<{stem}/__notes.pdf> \"t\")\n\
             `![code](attachment:p1)` stays, so does attachment:p1 in text\n\
             <img src=\"{stem}/Sea%20photo.jpg\">\n\
             [unknown](attachment:nope) #not-a-tag\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("file: {stem}/__notes.pdf")),
        "{text}"
    );

    let back = read(Format::Markdown, &out).unwrap();
    assert!(back.dropped.is_empty(), "{:?}", back.dropped);
    let mut want = records.clone();
    for (a, disk) in
        want[0]
            .attachments
            .iter_mut()
            .zip(["Sea photo.jpg", "__notes.pdf", "Sea photo-2.jpg"])
    {
        a.source = AttachmentSource::File(folder.join(disk));
    }
    assert_eq!(back.records, want);

    // Records read back (files as sources) export again the same way.
    let again = real(dir.path()).join("again");
    write(Format::Markdown, &again, &back.records).unwrap();
    assert_eq!(
        std::fs::read(again.join(&stem).join("__notes.pdf")).unwrap(),
        b"%PDF two"
    );
    let twice = read(Format::Markdown, &again).unwrap();
    let strip = |rs: Vec<Record>| -> Vec<Record> {
        rs.into_iter()
            .map(|mut r| {
                for a in &mut r.attachments {
                    a.source = AttachmentSource::Missing;
                }
                r
            })
            .collect()
    };
    assert_eq!(strip(twice.records), strip(back.records));
}

#[test]
fn an_attachment_without_bytes_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let (mut records, blobs) = with_attachments();
    records[1].attachments = vec![RecordAttachment {
        key: "x".into(),
        name: "x.jpg".into(),
        media_type: None,
        source: AttachmentSource::Missing,
    }];
    let err = write_with(Format::Markdown, &out, &records, &blobs).unwrap_err();
    match err {
        InterchangeError::InvalidRecord { entry, message } => {
            assert_eq!(entry, 2);
            assert!(message.contains("x.jpg"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!out.exists());

    // A store that fails half-way leaves nothing behind either.
    let (records, _) = with_attachments();
    let empty = MemBlobs(HashMap::new());
    let err = write_with(Format::Markdown, &out, &records, &empty).unwrap_err();
    assert!(err.to_string().contains("blob-1"), "{err}");
    assert!(!out.exists());
}

/// A Hearth id made from any id the strategy gives, so it is kept.
fn hearth_id(s: &str) -> String {
    let mut hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
    hex.truncate(32);
    format!("{hex:0>32}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn markdown_round_trip_is_exact(records in proptest::collection::vec(record(), 0..6)) {
        let records: Vec<Record> = records
            .into_iter()
            .map(|mut r| {
                r.id = r.id.as_deref().map(hearth_id);
                r
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("md");
        write(Format::Markdown, &out, &records).unwrap();
        let back = read(Format::Markdown, &out).unwrap();
        prop_assert!(back.dropped.is_empty(), "{:?}", back.dropped);
        prop_assert_eq!(sorted(back.records), sorted(records));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any text at all (control characters included) survives the YAML
    /// front matter and the body.
    #[test]
    fn markdown_any_text_round_trips(title in any::<String>(), feelings in proptest::collection::vec(any::<String>(), 0..3), id in "[0-9a-f]{32}") {
        let mut r = rec(&title, &title);
        r.feelings = feelings;
        r.id = Some(id);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("md");
        write(Format::Markdown, &out, &[r.clone()]).unwrap();
        let back = read(Format::Markdown, &out).unwrap();
        prop_assert_eq!(back.records, vec![r]);
    }
}
