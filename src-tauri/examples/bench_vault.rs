//! Makes the journal the desktop benchmark opens: N entries of about 80
//! words over the last years, with moods, feelings and tags, imported in one
//! transaction with the default (real) key-derivation cost; and one entry,
//! "Ten photos", six hours old, with ten 1600 × 1200 photos in its text
//! (about 5.5 MiB each).
//!
//! ```sh
//! cargo run --release -p hearth-desktop --example bench_vault -- DIR [N] [PASSPHRASE]
//! ```

use chrono::{Duration, Utc};
use hearth_core::{EntryDraft, EntryPatch, Format, KdfParams, Vault};
use serde_json::json;
use std::path::PathBuf;

const WORDS: &[&str] = &[
    "the", "a", "and", "of", "to", "in", "was", "felt", "today", "morning", "evening", "walk",
    "river", "rain", "work", "friend", "coffee", "tired", "calm", "light", "quiet", "long", "day",
    "sister", "garden", "book", "read", "slept", "late", "early", "meeting", "call", "kitchen",
    "soup", "train", "window", "cold", "warm", "sun", "tea", "music", "wrote", "thought", "about",
    "home", "city", "park", "dog", "cat", "tomorrow", "worry", "hope", "small", "good", "hard",
    "easy", "again", "little", "more", "less", "lighter", "heavy", "laughed", "cried", "cooked",
];
const FEELINGS: &[&str] = &[
    "calm", "grateful", "hopeful", "tired", "anxious", "sad", "content",
];
const TAGS: &[&str] = &[
    "work", "family", "walk", "health", "reading", "garden", "friends",
];

/// A small deterministic generator, so every run builds the same journal.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: bench_vault DIR [N] [PASSPHRASE]")?,
    );
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let pass = args.next().unwrap_or_else(|| "bench passphrase".into());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let now = Utc::now();
    let entries: Vec<_> = (0..n)
        .map(|i| {
            let words: Vec<&str> = (0..70 + rng.below(20))
                .map(|_| WORDS[rng.below(WORDS.len())])
                .collect();
            let at = now - Duration::minutes((i as i64) * 263 + rng.below(120) as i64);
            let id: String = (0..2).map(|_| format!("{:016x}", rng.next())).collect();
            json!({
                "id": id,
                "title": if rng.below(3) == 0 { String::new() } else { words[..3].join(" ") },
                "body": words.join(" "),
                "mood": if rng.below(4) == 0 { None } else { Some(1 + rng.below(5) as u8) },
                "feelings": [FEELINGS[rng.below(FEELINGS.len())]],
                "tags": [TAGS[rng.below(TAGS.len())]],
                "starred": false,
                "created_at": at.to_rfc3339(),
                "updated_at": at.to_rfc3339(),
            })
        })
        .collect();
    let file = std::env::temp_dir().join(format!("hearth-bench-{}.json", std::process::id()));
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({"format": "hearth", "version": 1, "entries": entries}))?,
    )?;
    let mut journal = Vault::create(&dir, pass.as_bytes(), KdfParams::default_params())?;
    let report = journal.import(Format::Hearth, &file, |_, _| {})?;
    std::fs::remove_file(&file)?;

    let photos = journal.write(EntryDraft {
        title: "Ten photos".into(),
        body: "A day out, in pictures.".into(),
        mood: Some(4),
        created_at: Some(now - Duration::hours(6)),
        ..Default::default()
    })?;
    let folder = tempfile_dir()?;
    let files: Vec<PathBuf> = (1..=10u8)
        .map(|i| {
            let path = folder.join(format!("photo-{i:02}.png"));
            std::fs::write(&path, hearth_desktop::sample::png(1600, 1200, i)).map(|()| path)
        })
        .collect::<Result<_, _>>()?;
    let id = photos.id.to_string();
    let added = journal.attach(&id, &files)?;
    std::fs::remove_dir_all(&folder)?;
    let body = added
        .iter()
        .enumerate()
        .map(|(i, a)| format!("![Photo {}](attachment:{})", i + 1, a.id))
        .collect::<Vec<_>>()
        .join("\n\n");
    journal.edit(
        &id,
        &EntryPatch {
            body: Some(format!("A day out, in pictures.\n\n{body}")),
            ..Default::default()
        },
    )?;
    println!(
        "{} entries in {}, one of them with {} photos",
        report.imported + 1,
        dir.display(),
        added.len()
    );
    Ok(())
}

/// A new folder in the system's temporary folder.
fn tempfile_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("hearth-bench-photos-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
