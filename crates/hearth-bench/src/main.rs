//! `hearth-bench`: measures Hearth on a generated journal and prints every
//! figure next to its target.
//!
//! It generates a deterministic journal (10,000 entries of about 80 words by
//! default, with titles, tags, moods and feelings, spread over three years),
//! writes it as a Hearth JSON backup, and measures, in a temporary folder:
//!
//! 1. **import**: `Journal::import` of the backup into a fresh vault made
//!    with the default Argon2id settings;
//! 2. **unlock to first list**: `Vault::unlock` then `list` of 50 entries,
//!    with the KDF apart from the rest (target: under 150 ms beyond the KDF);
//! 3. **search**: building the index, then common-word, rare-word, prefix
//!    (`wor*`) and phrase queries (target: under 5 ms, median and p95);
//! 4. **write and edit** latency on the full journal (target: under 2 ms);
//! 5. **bytes on disk per entry** once the vault is closed;
//! 6. **whole process**: `hearth --home H search WORD` against
//!    `jrnl --config-file CFG -contains WORD` on the same entries in plain
//!    text (target: Hearth at most half of jrnl's time). Needs `--hearth`
//!    and a `jrnl` (`--jrnl`, else on `PATH`); skipped otherwise.
//!
//! Beside them, without targets (`--core-only` skips them), in `extra`:
//!
//! 7. **backup**: `Journal::backup` of the imported journal, its size,
//!    `Vault::verify_backup`, and `Vault::restore_backup` into a new folder;
//! 8. **empty the trash**: trash 1 entry, then `--purge` entries, and time
//!    `Journal::empty_trash` (WAL checkpoint included), and the index
//!    rebuild it costs the next session's first search;
//! 9. **history**: edit one entry up to `--versions` versions and time
//!    `Journal::history` (at 10, 100 and all versions) and
//!    `Journal::version_diff`;
//! 10. **receive**: a second device of the same person takes in every op
//!     of the journal through `Journal::receive`, in batches of 1,000 (what
//!     sync does after the network part), with the ops' bytes.
//!
//! Sections 11 and 12 (`sync`, `circle`; `--circle-only` runs 12 alone) run
//! devices and a circle of 12 people over loopback. Section 13
//! (`attachments`; `--attachments-only` runs it alone) imports a generated
//! Day One export of `--photos` entries (1,000) with a photo of about
//! `--photo-mib` MiB (3) each, against reading and sealing the same bytes
//! (target: under 1.5 times as long), with the import's peak memory
//! (target: under 200 MiB; needs `--hearth`), then attaches one 20 MiB
//! file. At the defaults it needs about 6 GiB of the temp folder at once
//! (the export and the vault; deleted at the end) and takes 70 s to 2
//! minutes on 2 busy cores.
//!
//! `scripts/bench` builds the release binaries, installs jrnl into
//! `target/bench-venv`, and runs this program with both paths.
//!
//! ```text
//! hearth-bench --hearth target/release/hearth --jrnl target/bench-venv/bin/jrnl
//! hearth-bench --entries 2000 --json > bench.json
//! hearth-bench --attachments-only --photos 50 --hearth target/release/hearth
//! ```

mod attachments;
mod circle;
mod corpus;
mod extra;
mod report;
mod sync;

use anyhow::{Context, Result, bail, ensure};
use chrono::{DateTime, Utc};
use clap::Parser;
use corpus::{GenEntry, Generator};
use hearth_core::{EntryDraft, EntryPatch, Format, Journal, KdfParams, ListFilter, Vault};
use report::{Report, Target, median, median_p95, millis};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "correct horse battery staple";

/// Targets, in milliseconds (or a ratio).
const UNLOCK_LIST_BEYOND_KDF_MS: f64 = 150.0;
const SEARCH_MS: f64 = 5.0;
const WRITE_MS: f64 = 2.0;
const PROCESS_RATIO: f64 = 0.5;

const USAGE: &str = "\
Measures Hearth on a generated journal and prints each figure against its target.

It generates N entries (default 10,000, about 80 words each, deterministic
for a seed), then measures in a temporary folder: import of a Hearth JSON
backup into a fresh vault (default Argon2id settings); unlock then list 50
(target < 150 ms beyond the KDF); search latency per query kind (< 5 ms);
write and edit latency (< 2 ms); bytes on disk per entry; and the whole
`hearth search WORD` process against `jrnl -contains WORD` on the same
entries (Hearth at most half of jrnl's time; needs --hearth and jrnl).

Then, as information without targets (--core-only skips them): making,
verifying and restoring an encrypted backup of the journal and its size;
emptying the trash of 1 and of --purge entries; and Journal::history and
version_diff on one entry edited up to --versions versions. Each of these
figures carries a note on how the wait would feel (under 0.1 s instant,
under 1 s a short pause, under 10 s a noticeable wait). Then two devices
and a circle of 12 people over loopback (--circle-only: the circle alone).

Last, photos (--core-only skips them; --attachments-only runs them alone):
a generated Day One export of --photos entries (1,000) with a photo of
about --photo-mib MiB (3) each, random bytes behind a JPEG header stored
in the zip, is imported by `hearth import` in a child process against
reading and sealing the same bytes (target: under 1.5x), with the
import's peak memory (< 200 MiB; needs --hearth, else the import runs in
this process and its memory is not measured); then one 20 MiB file is
attached. At the defaults this needs about 6 GiB of the temp folder at
once (deleted at the end) and takes 70 s to 2 minutes on 2 busy cores.

Usually run through scripts/bench, which builds the release binaries,
installs jrnl into target/bench-venv and passes both paths.

Exit status: 0 when it ran (1 with --strict if a target was missed), 2 on error.";

#[derive(Debug, Parser)]
#[command(name = "hearth-bench", version, about = "Measure Hearth on a generated journal", long_about = USAGE)]
struct Args {
    /// Number of entries in the generated journal
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    entries: usize,
    /// Words per entry body (about)
    #[arg(long, value_name = "N", default_value_t = 80)]
    words: usize,
    /// Seed of the generated journal
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Repetitions of unlock and of each whole-process command
    #[arg(long, value_name = "N", default_value_t = 5)]
    runs: usize,
    /// Number of timed writes (and of timed edits)
    #[arg(long, value_name = "N", default_value_t = 200)]
    writes: usize,
    /// Timed searches per query kind
    #[arg(long, value_name = "N", default_value_t = 200)]
    queries: usize,
    /// The release `hearth` binary, for the whole-process comparison
    #[arg(long, value_name = "PATH")]
    hearth: Option<PathBuf>,
    /// The `jrnl` program [default: jrnl on PATH]
    #[arg(long, value_name = "PATH")]
    jrnl: Option<PathBuf>,
    /// The word both programs search for [default: a body word in about 10% of entries]
    #[arg(long)]
    word: Option<String>,
    /// Work in a new folder inside DIR instead of the system temp folder
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Keep the work folder (its path is printed)
    #[arg(long)]
    keep: bool,
    /// Print the results as JSON on standard output
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when a target is missed
    #[arg(long)]
    strict: bool,
    /// Only the core sections 1 to 6 (skip backup, purge and history)
    #[arg(long)]
    core_only: bool,
    /// Only section 12, the circle of 12 people
    #[arg(long, conflicts_with = "core_only")]
    circle_only: bool,
    /// Only section 13, photos: a generated Day One export imported, a
    /// 20 MiB file attached
    #[arg(long, conflicts_with_all = ["core_only", "circle_only"])]
    attachments_only: bool,
    /// Entries, one photo each, in the generated Day One export (section 13)
    #[arg(long, value_name = "N", default_value_t = 1000)]
    photos: usize,
    /// Size of each generated photo in MiB, about (section 13)
    #[arg(long, value_name = "M", default_value_t = 3.0)]
    photo_mib: f64,
    /// Versions of the one entry whose history is timed (section 9; making
    /// them, one edit each, is the slow part of a whole run)
    #[arg(long, value_name = "N", default_value_t = 1000)]
    versions: usize,
    /// Entries trashed together before emptying the trash (section 8)
    #[arg(long, value_name = "N", default_value_t = 100)]
    purge: usize,
}

fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if raw.get(1).is_some_and(|a| a == attachments::PEAK_RSS_ARG) {
        return attachments::peak_rss_main(&raw[2..]);
    }
    let args = Args::parse();
    match run(&args) {
        Ok(report) => {
            if args.strict && !report.pass {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("hearth-bench: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn progress(msg: impl AsRef<str>) {
    eprintln!("hearth-bench: {}", msg.as_ref());
}

fn run(args: &Args) -> Result<Report> {
    ensure!(args.entries >= 1, "--entries must be at least 1");
    ensure!(
        args.runs >= 1 && args.writes >= 1 && args.queries >= 1,
        "--runs, --writes and --queries must be at least 1"
    );
    ensure!(args.versions >= 2, "--versions must be at least 2");
    ensure!(args.purge >= 1, "--purge must be at least 1");
    let work = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            tempfile::Builder::new()
                .prefix("hearth-bench-")
                .tempdir_in(d)?
        }
        None => tempfile::Builder::new().prefix("hearth-bench-").tempdir()?,
    };
    let work = if args.keep {
        let p = work.keep();
        progress(format!("working in {} (kept)", p.display()));
        Work::Kept(p)
    } else {
        Work::Temp(work)
    };
    let mut b = Bench {
        args,
        dir: work.path().to_path_buf(),
        home: work.path().join("home"),
        report: Report::default(),
        word: String::new(),
    };
    b.config();
    b.run_all()?;
    b.report
        .config
        .insert("loadavg_end".into(), loadavg().into());
    b.report.finish();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&b.report)?);
    } else {
        print!("{}", b.report.table());
    }
    drop(work);
    Ok(b.report)
}

enum Work {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl Work {
    fn path(&self) -> &Path {
        match self {
            Work::Temp(t) => t.path(),
            Work::Kept(p) => p,
        }
    }
}

struct Bench<'a> {
    args: &'a Args,
    dir: PathBuf,
    home: PathBuf,
    report: Report,
    /// The word of the whole-process comparison and the linear-scan figure.
    word: String,
}

const IMPORT: &str = "1. Import (Hearth JSON backup into a new vault)";
const UNLOCK: &str = "2. Unlock to first list (median of runs)";
const SEARCH: &str = "3. Search in process (index built once)";
const WRITE: &str = "4. Write and edit on the full journal";
const DISK: &str = "5. Bytes on disk";
const PROCESS: &str = "6. Whole process: hearth search vs jrnl -contains";

impl Bench<'_> {
    fn config(&mut self) {
        let a = self.args;
        let kdf = KdfParams::default();
        let c = &mut self.report.config;
        c.insert("entries".into(), a.entries.into());
        c.insert("words_per_entry".into(), a.words.into());
        c.insert("seed".into(), a.seed.into());
        c.insert("runs".into(), a.runs.into());
        c.insert("writes".into(), a.writes.into());
        c.insert("queries_per_kind".into(), a.queries.into());
        if !a.core_only {
            c.insert("history_versions".into(), a.versions.into());
            c.insert("purge_batch".into(), a.purge.into());
        }
        c.insert("kdf_memory_kib".into(), kdf.memory_kib.into());
        c.insert("kdf_iterations".into(), kdf.iterations.into());
        c.insert("kdf_parallelism".into(), kdf.parallelism.into());
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        c.insert("cpus".into(), cpus.into());
        c.insert("date".into(), Utc::now().to_rfc3339().into());
    }

    fn run_all(&mut self) -> Result<()> {
        self.report
            .config
            .insert("loadavg_start".into(), loadavg().into());
        if self.args.circle_only {
            return self.circle();
        }
        if self.args.attachments_only {
            return self.attachments();
        }
        let n = self.args.entries;
        progress(format!("generating {n} entries (seed {})", self.args.seed));
        let entries = corpus::journal(self.args.seed, n, self.args.words);
        let words: usize = entries
            .iter()
            .map(|e| e.body.split_whitespace().count())
            .sum();
        self.report.config.insert(
            "mean_body_words".into(),
            (words as f64 / n as f64).round().into(),
        );

        self.word = match &self.args.word {
            Some(w) => w.to_lowercase(),
            None => pick_word(&entries),
        };
        self.report
            .config
            .insert("word".into(), self.word.clone().into());

        self.import(&entries)?;
        self.disk(&entries)?;
        let jrnl_file = self.dir.join("journal.txt");
        self.unlock(&jrnl_file)?;
        self.whole_process(&entries, &jrnl_file)?;
        if self.args.core_only {
            self.search_and_write(&entries)?;
            return Ok(());
        }
        // The backup is of the journal as imported (sections 3 and 4 add to
        // it); sections 9 and 8 work on its restored copy.
        let restored = self.backup()?;
        self.search_and_write(&entries)?;
        self.history(&restored)?;
        self.purge(&restored)?;
        self.receive(&self.dir.join("backup.json"))?;
        self.sync()?;
        self.circle()?;
        self.attachments()?;
        Ok(())
    }

    fn unlock_journal(&self) -> Result<Journal> {
        Ok(Vault::unlock(&self.home, PASSPHRASE.as_bytes())?.0)
    }

    // 1 ---------------------------------------------------------------------

    fn import(&mut self, entries: &[GenEntry]) -> Result<()> {
        let n = entries.len();
        let backup = self.dir.join("backup.json");
        write_backup(entries, &backup)?;
        let backup_size = std::fs::metadata(&backup)?.len();

        progress("creating a vault (default KDF) and importing");
        let started = Instant::now();
        let mut journal = Vault::create(&self.home, PASSPHRASE.as_bytes(), KdfParams::default())?;
        let create = started.elapsed();

        // The parse alone, to tell it apart from the store.
        let started = Instant::now();
        let parsed = hearth_interchange::read(Format::Hearth, &backup)?;
        let parse = started.elapsed();
        ensure!(
            parsed.records.len() == n,
            "the backup holds {} entries, not {n}",
            parsed.records.len()
        );
        drop(parsed);

        let started = Instant::now();
        let imported = journal.import(Format::Hearth, &backup, |_, _| {})?;
        let import = started.elapsed();
        ensure!(
            imported.imported == n,
            "imported {} of {n} entries ({} duplicates)",
            imported.imported,
            imported.duplicates
        );

        let started = Instant::now();
        drop(journal);
        let close = started.elapsed();

        let r = &mut self.report;
        r.ms(
            IMPORT,
            "create vault (includes one Argon2id derivation)",
            create,
            None,
        );
        r.add(IMPORT, "backup file size", backup_size as f64, "B", None);
        r.ms(
            IMPORT,
            format!("import {n} entries (Journal::import, total)"),
            import,
            None,
        );
        r.ms(
            IMPORT,
            "  of which: read and check the file (estimate: hearth_interchange::read)",
            parse,
            None,
        );
        r.add(
            IMPORT,
            "import per entry",
            millis(import) * 1000.0 / n as f64,
            "µs",
            None,
        );
        r.ms(IMPORT, "close (drop: WAL checkpoint)", close, None);
        Ok(())
    }

    // 5 ---------------------------------------------------------------------

    fn disk(&mut self, entries: &[GenEntry]) -> Result<()> {
        let n = entries.len() as f64;
        let (total, files) = dir_size(&self.home)?;
        let backup = std::fs::metadata(self.dir.join("backup.json"))?.len();
        let text: usize = entries.iter().map(|e| e.title.len() + e.body.len()).sum();
        let r = &mut self.report;
        r.add(
            DISK,
            format!(
                "data directory after import and close ({})",
                files.join(", ")
            ),
            total as f64,
            "B",
            None,
        );
        r.add(DISK, "bytes on disk per entry", total as f64 / n, "B", None);
        r.add(
            DISK,
            "  for comparison: title + body text per entry",
            text as f64 / n,
            "B",
            None,
        );
        r.add(
            DISK,
            "  for comparison: JSON backup per entry",
            backup as f64 / n,
            "B",
            None,
        );
        // Where the bytes go, from SQLite's own page accounting.
        match db_breakdown(&Vault::file(&self.home)) {
            Ok(parts) => {
                for (what, bytes) in parts {
                    self.report
                        .add(DISK, format!("  {what}, per entry"), bytes / n, "B", None);
                }
            }
            Err(e) => self.report.skipped.push(format!("disk breakdown: {e:#}")),
        }
        Ok(())
    }

    // 2 ---------------------------------------------------------------------

    fn unlock(&mut self, jrnl_file: &Path) -> Result<()> {
        let n = self.args.entries;
        progress(format!("unlock then list 50, {} times", self.args.runs));
        let (mut kdf, mut load, mut list, mut beyond, mut total) =
            (vec![], vec![], vec![], vec![], vec![]);
        for i in 0..self.args.runs {
            let started = Instant::now();
            let (journal, t) = Vault::unlock(&self.home, PASSPHRASE.as_bytes())?;
            let listed_at = Instant::now();
            let first = journal.list(&ListFilter {
                limit: Some(50),
                ..Default::default()
            })?;
            let l = listed_at.elapsed();
            let all = started.elapsed();
            ensure!(
                first.len() == n.min(50),
                "list gave {} entries",
                first.len()
            );
            ensure!(
                journal.len() == n,
                "the journal holds {} entries, not {n}",
                journal.len()
            );
            kdf.push(t.kdf);
            load.push(t.load);
            list.push(l);
            total.push(all);
            beyond.push(all.saturating_sub(t.kdf));
            if i + 1 == self.args.runs {
                // The jrnl file for section 6: Hearth's own jrnl export of
                // this journal, as `hearth export --format jrnl` writes it.
                journal.export(Format::Jrnl, jrnl_file)?;
            }
        }
        // Where `load` goes: reading the sealed views out of SQLite alone.
        let started = Instant::now();
        let store = hearth_store::Store::open(&Vault::file(&self.home))?;
        let opened = started.elapsed();
        let views = store.views()?;
        let read = started.elapsed();
        ensure!(views.len() == n, "{} views", views.len());
        drop(store);

        let r = &mut self.report;
        r.ms(UNLOCK, "Argon2id KDF", median(&kdf), None);
        r.ms(
            UNLOCK,
            "unlock load: open secrets, decrypt every view",
            median(&load),
            None,
        );
        r.ms(
            UNLOCK,
            "  of which: open store + read sealed views from SQLite",
            read,
            None,
        )
        .note = Some(format!("open {:.1} ms", millis(opened)));
        r.ms(UNLOCK, "list 50 newest", median(&list), None);
        r.ms(UNLOCK, "unlock + list, total", median(&total), None);
        r.ms(
            UNLOCK,
            "unlock + list beyond the KDF",
            median(&beyond),
            Some(UNLOCK_LIST_BEYOND_KDF_MS),
        );
        Ok(())
    }

    // 3 and 4 ---------------------------------------------------------------

    fn search_and_write(&mut self, entries: &[GenEntry]) -> Result<()> {
        let mut journal = self.unlock_journal()?;
        let mut scans = Vec::new();
        let mut scan_found = 0;
        for _ in 0..self.args.runs {
            let started = Instant::now();
            scan_found = linear_scan(&journal, &self.word)?;
            scans.push(started.elapsed());
        }
        progress("building the search index");
        let started = Instant::now();
        journal.build_search_index()?;
        let build = started.elapsed();
        self.report.ms(
            SEARCH,
            format!("build search index ({} entries)", entries.len()),
            build,
            None,
        );
        let word = self.word.clone();
        self.report
            .ms(
                SEARCH,
                format!("  alternative without an index: scan every entry for {word:?}, top 20"),
                median(&scans),
                None,
            )
            .note = Some(format!("{scan_found} matches"));

        let kinds = query_kinds(entries);
        let q = self.args.queries;
        let all_runs = (q / 4).max(5);
        for (kind, queries) in &kinds {
            if queries.is_empty() {
                self.report.skipped.push(format!(
                    "search {kind}: no query of that kind matches the generated journal"
                ));
                continue;
            }
            progress(format!("search: {kind} ({})", queries.join(", ")));
            let top20 = ListFilter {
                limit: Some(20),
                ..Default::default()
            };
            let (t20, _) = time_queries(&mut journal, queries, &top20, q)?;
            let (tall, hits) =
                time_queries(&mut journal, queries, &ListFilter::default(), all_runs)?;
            let (m, p) = median_p95(&t20);
            let (ma, pa) = median_p95(&tall);
            let shown = shorten(&queries.join(" "), 40);
            let r = &mut self.report;
            r.ms(
                SEARCH,
                format!("{kind}, top 20, median"),
                m,
                Some(SEARCH_MS),
            )
            .note = Some(shown);
            r.ms(SEARCH, format!("{kind}, top 20, p95"), p, Some(SEARCH_MS));
            r.ms(SEARCH, format!("{kind}, all hits, median"), ma, None)
                .note = Some(format!("mean {hits:.0} hits"));
            r.ms(SEARCH, format!("{kind}, all hits, p95"), pa, None);
        }

        // 4: writes and edits, with the search index kept up to date (as in
        // an app session).
        progress(format!(
            "{} writes and {} edits",
            self.args.writes, self.args.writes
        ));
        let mut g = Generator::new(self.args.seed ^ 0x5752_4954_4553);
        let drafts: Vec<EntryDraft> = (0..self.args.writes)
            .map(|_| {
                let e = g.entry(Utc::now(), self.args.words);
                EntryDraft {
                    title: e.title,
                    body: e.body,
                    mood: e.mood,
                    feelings: e.feelings,
                    tags: e.tags,
                    starred: e.starred,
                    created_at: None,
                }
            })
            .collect();
        let mut writes = Vec::with_capacity(drafts.len());
        for d in drafts {
            let started = Instant::now();
            journal.write(d)?;
            writes.push(started.elapsed());
        }
        let ids: Vec<(String, String)> = journal
            .list(&ListFilter::default())?
            .iter()
            .map(|e| (e.id.to_string(), e.body.clone()))
            .collect();
        let patches: Vec<(String, EntryPatch)> = (0..self.args.writes)
            .map(|_| {
                let (id, body) = &ids[g.rng().below(ids.len())];
                let more = g.body(12);
                let patch = EntryPatch {
                    body: Some(format!("{body}\n\n{more}")),
                    ..Default::default()
                };
                (id.clone(), patch)
            })
            .collect();
        let mut edits = Vec::with_capacity(patches.len());
        for (id, p) in &patches {
            let started = Instant::now();
            journal.edit(id, p)?;
            edits.push(started.elapsed());
        }
        // Where an edit's time goes: finding the id, loading the document.
        let (mut resolves, mut loads) = (Vec::new(), Vec::new());
        for (id, _) in patches.iter().take(50) {
            let started = Instant::now();
            journal.resolve(id)?;
            resolves.push(started.elapsed());
            let started = Instant::now();
            journal.load_fields(id)?;
            // load_fields resolves the id too: keep only the loading.
            loads.push(
                started
                    .elapsed()
                    .saturating_sub(resolves[resolves.len() - 1]),
            );
        }
        drop(journal);

        // The same without a search index, as a one-shot `hearth write` does.
        let mut journal = self.unlock_journal()?;
        let plain_n = (self.args.writes / 4).max(5);
        let mut plain = Vec::with_capacity(plain_n);
        for _ in 0..plain_n {
            let e = g.entry(Utc::now(), self.args.words);
            let d = EntryDraft {
                title: e.title,
                body: e.body,
                tags: e.tags,
                ..Default::default()
            };
            let started = Instant::now();
            journal.write(d)?;
            plain.push(started.elapsed());
        }
        let mut plain_edits = Vec::with_capacity(plain_n);
        for (id, p) in patches.iter().rev().take(plain_n) {
            let started = Instant::now();
            journal.edit(id, p)?;
            plain_edits.push(started.elapsed());
        }
        drop(journal);

        let (wm, wp) = median_p95(&writes);
        let (em, ep) = median_p95(&edits);
        let (pm, pp) = median_p95(&plain);
        let (pem, pep) = median_p95(&plain_edits);
        let r = &mut self.report;
        let n = self.args.writes;
        r.ms(WRITE, format!("write, median of {n}"), wm, Some(WRITE_MS));
        r.ms(WRITE, format!("write, p95 of {n}"), wp, Some(WRITE_MS));
        r.ms(
            WRITE,
            format!("edit (append a sentence), median of {n}"),
            em,
            Some(WRITE_MS),
        );
        r.ms(
            WRITE,
            format!("edit (append a sentence), p95 of {n}"),
            ep,
            Some(WRITE_MS),
        );
        r.ms(
            WRITE,
            format!("write without a search index, median of {plain_n}"),
            pm,
            None,
        );
        r.ms(
            WRITE,
            format!("write without a search index, p95 of {plain_n}"),
            pp,
            None,
        );
        r.ms(
            WRITE,
            format!("edit without a search index, median of {plain_n}"),
            pem,
            None,
        );
        r.ms(
            WRITE,
            format!("edit without a search index, p95 of {plain_n}"),
            pep,
            None,
        );
        r.ms(
            WRITE,
            "  edit step: resolve the id (Journal::resolve), median",
            median(&resolves),
            None,
        );
        r.ms(
            WRITE,
            "  edit step: load the document from its ops (load_fields less resolve), median",
            median(&loads),
            None,
        );
        Ok(())
    }

    // 6 ---------------------------------------------------------------------

    fn whole_process(&mut self, entries: &[GenEntry], jrnl_file: &Path) -> Result<()> {
        let Some(hearth) = self.args.hearth.clone() else {
            self.report.skipped.push(format!(
                "{PROCESS}: pass --hearth PATH (the release hearth binary)"
            ));
            return Ok(());
        };
        let jrnl = self
            .args
            .jrnl
            .clone()
            .unwrap_or_else(|| PathBuf::from("jrnl"));
        let jrnl_version = match Command::new(&jrnl)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
        {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
            _ => {
                self.report.skipped.push(format!(
                    "{PROCESS}: cannot run {} (install jrnl or pass --jrnl PATH; scripts/bench does both)",
                    jrnl.display()
                ));
                return Ok(());
            }
        };
        let word = self.word.clone();
        let expected = entries
            .iter()
            .filter(|e| has_word(&e.title, &e.body, &e.tags, &e.feelings, &word))
            .count();
        let cfg = self.dir.join("jrnl.yaml");
        write_jrnl_config(&cfg, jrnl_file, &jrnl_version)?;
        let jrnl_bytes = std::fs::metadata(jrnl_file)?.len();
        let c = &mut self.report.config;
        c.insert("hearth".into(), hearth.display().to_string().into());
        c.insert("jrnl".into(), jrnl.display().to_string().into());
        c.insert("jrnl_version".into(), jrnl_version.clone().into());
        c.insert("word".into(), word.clone().into());

        let home = self.home.clone();
        let hearth_cmd = |extra: &[&str]| {
            let mut c = Command::new(&hearth);
            c.arg("--home")
                .arg(&home)
                .arg("search")
                .arg(&word)
                .args(extra);
            c.env("HEARTH_PASSPHRASE", PASSPHRASE)
                .env("NO_COLOR", "1")
                .env_remove("HEARTH_HOME");
            c
        };
        let hearth_plain = |args: &[&str]| {
            let mut c = Command::new(&hearth);
            c.args(args);
            c.env("HEARTH_PASSPHRASE", PASSPHRASE)
                .env("NO_COLOR", "1")
                .env_remove("HEARTH_HOME");
            c
        };
        let home_s = home.display().to_string();
        let jrnl_cmd = |extra: &[&str]| {
            let mut c = Command::new(&jrnl);
            c.arg("--config-file")
                .arg(&cfg)
                .arg("-contains")
                .arg(&word)
                .args(extra);
            c
        };

        // Counts first, so that the comparison is known to be fair.
        let out = run_ok(&mut hearth_cmd(&["--json"]))?;
        let hearth_found = json_len(&out.stdout, None).context("reading `hearth search --json`")?;
        let out = run_ok(&mut jrnl_cmd(&["--format", "json"]))?;
        let jrnl_found =
            json_len(&out.stdout, Some("entries")).context("reading `jrnl --format json`")?;
        let all = hearth_found.max(1).to_string();

        progress(format!(
            "whole process: searching {word:?}, {} runs each (after one warm-up)",
            self.args.runs
        ));
        let (mut h20, mut hall, mut j, mut start, mut list) =
            (vec![], vec![], vec![], vec![], vec![]);
        for i in 0..=self.args.runs {
            let a = timed(&mut hearth_cmd(&[]))?;
            let b = timed(&mut hearth_cmd(&["--limit", &all]))?;
            let c = timed(&mut jrnl_cmd(&[]))?;
            let d = timed(&mut hearth_plain(&["--version"]))?;
            let e = timed(&mut hearth_plain(&[
                "--home", &home_s, "list", "--limit", "20",
            ]))?;
            if i > 0 {
                h20.push(a);
                hall.push(b);
                j.push(c);
                start.push(d);
                list.push(e);
            }
        }
        let (h20, hall, j) = (median(&h20), median(&hall), median(&j));
        let (start, list) = (median(&start), median(&list));
        let ratio = |h: Duration| {
            if j.is_zero() {
                0.0
            } else {
                h.as_secs_f64() / j.as_secs_f64()
            }
        };
        let kdf_ms = self
            .report
            .rows
            .iter()
            .find(|r| r.metric == "Argon2id KDF")
            .map_or(0.0, |r| r.value);

        let r = &mut self.report;
        r.add(
            PROCESS,
            format!("entries containing {word:?} (generator)"),
            expected as f64,
            "count",
            None,
        );
        r.add(
            PROCESS,
            "entries found by hearth search --json",
            hearth_found as f64,
            "count",
            None,
        );
        r.add(
            PROCESS,
            "entries found by jrnl -contains",
            jrnl_found as f64,
            "count",
            None,
        );
        r.add(
            PROCESS,
            "jrnl plain-text journal file",
            jrnl_bytes as f64,
            "B",
            None,
        );
        r.ms(
            PROCESS,
            format!("hearth search {word} (prints top 20, the default)"),
            h20,
            None,
        );
        r.ms(
            PROCESS,
            format!("hearth search {word} --limit {all} (prints all)"),
            hall,
            None,
        );
        r.ms(
            PROCESS,
            format!("jrnl -contains {word} (prints all)"),
            j,
            None,
        )
        .note = Some(jrnl_version);
        r.ms(
            PROCESS,
            "  hearth --version (process start, no vault)",
            start,
            None,
        );
        r.ms(
            PROCESS,
            "  hearth list --limit 20 (start + unlock + list, no index)",
            list,
            None,
        );
        r.add(
            PROCESS,
            "  of which: Argon2id KDF (section 2 median)",
            kdf_ms,
            "ms",
            None,
        );
        r.ms(
            PROCESS,
            "  search minus list: index build + query + output",
            h20.saturating_sub(list),
            None,
        );
        r.add(
            PROCESS,
            "ratio hearth / jrnl, default output",
            ratio(h20),
            "x",
            Some(Target::at_most(PROCESS_RATIO)),
        );
        r.add(
            PROCESS,
            "ratio hearth / jrnl, both print every match",
            ratio(hall),
            "x",
            Some(Target::at_most(PROCESS_RATIO)),
        );
        if hearth_found.abs_diff(jrnl_found) > jrnl_found / 20 {
            r.skipped.push(format!(
                "warning: hearth found {hearth_found} entries and jrnl {jrnl_found}; the comparison is not like for like"
            ));
        }
        Ok(())
    }
}

// --- helpers ----------------------------------------------------------------

#[derive(Serialize)]
struct Backup<'a> {
    format: &'static str,
    version: u32,
    entries: Vec<BackupEntry<'a>>,
}

#[derive(Serialize)]
struct BackupEntry<'a> {
    id: Option<&'a str>,
    title: &'a str,
    body: &'a str,
    mood: Option<u8>,
    feelings: &'a [String],
    tags: &'a [String],
    starred: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn write_backup(entries: &[GenEntry], path: &Path) -> Result<()> {
    let b = Backup {
        format: "hearth",
        version: 1,
        entries: entries
            .iter()
            .map(|e| BackupEntry {
                id: None,
                title: &e.title,
                body: &e.body,
                mood: e.mood,
                feelings: &e.feelings,
                tags: &e.tags,
                starred: e.starred,
                created_at: e.created_at,
                updated_at: e.created_at,
            })
            .collect(),
    };
    let text = serde_json::to_string(&b)?;
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn write_jrnl_config(cfg: &Path, journal: &Path, version: &str) -> Result<()> {
    let version = version
        .trim_start_matches("jrnl")
        .trim()
        .trim_start_matches('v');
    let version = if version.is_empty() { "4.6" } else { version };
    let text = format!(
        "version: '{version}'\n\
         journals:\n  default:\n    journal: '{}'\n\
         editor: ''\n\
         encrypt: false\n\
         template: false\n\
         default_hour: 9\n\
         default_minute: 0\n\
         timeformat: '%Y-%m-%d %I:%M:%S %p'\n\
         tagsymbols: '#@'\n\
         highlight: false\n\
         linewrap: false\n\
         indent_character: '|'\n\
         colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n",
        journal.display()
    );
    std::fs::write(cfg, text).with_context(|| format!("cannot write {}", cfg.display()))
}

/// Bytes per table and index of the vault (dbstat), free pages, and the mean
/// sizes of the sealed op and view payloads.
fn db_breakdown(db: &Path) -> Result<Vec<(String, f64)>> {
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name HAVING SUM(pgsize) > 65536 ORDER BY 2 DESC",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (name, bytes) = row?;
        out.push((format!("pages of {name}"), bytes as f64));
    }
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    out.push(("free pages".to_string(), (free * page) as f64));
    let (ops, op_payload, op_sig): (i64, f64, f64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(length(payload)), 0), COALESCE(SUM(length(signature)), 0) FROM ops",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let view_payload: f64 = conn.query_row(
        "SELECT COALESCE(SUM(length(payload)), 0) FROM views",
        [],
        |r| r.get(0),
    )?;
    out.push((
        format!("sealed op payloads (Automerge changes; {ops} ops)"),
        op_payload,
    ));
    out.push(("op signatures".to_string(), op_sig));
    out.push((
        "sealed view payloads (JSON of the fields)".to_string(),
        view_payload,
    ));
    Ok(out)
}

/// Total size of the files in `dir`, and their names.
fn dir_size(dir: &Path) -> Result<(u64, Vec<String>)> {
    let mut total = 0;
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let e = e?;
        let m = e.metadata()?;
        if m.is_file() {
            total += m.len();
            names.push(e.file_name().to_string_lossy().into_owned());
        } else if m.is_dir() {
            let (t, _) = dir_size(&e.path())?;
            total += t;
            names.push(format!("{}/", e.file_name().to_string_lossy()));
        }
    }
    names.sort();
    Ok((total, names))
}

fn words_of(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Whether Hearth's search would match `word` in `e` (title, body, tags,
/// feelings; whole words, any case).
fn has_word(title: &str, body: &str, tags: &[String], feelings: &[String], word: &str) -> bool {
    occurrences(title, body, tags, feelings, word) > 0
}

fn occurrences(title: &str, body: &str, tags: &[String], feelings: &[String], word: &str) -> usize {
    words_of(title)
        .chain(words_of(body))
        .chain(tags.iter().map(|t| t.to_lowercase()))
        .chain(feelings.iter().map(|t| t.to_lowercase()))
        .filter(|w| w == word)
        .count()
}

/// What a one-shot search could do instead of building the index: scan the
/// decrypted entries for whole-word matches (lowercasing each field once),
/// score by occurrences, keep the best 20. Returns the number of matches.
fn linear_scan(j: &Journal, word: &str) -> Result<usize> {
    let mut hits: Vec<(usize, &hearth_core::Entry)> = j
        .list(&ListFilter::default())?
        .into_iter()
        .map(|e| {
            let n = count_word(&e.title, word)
                + count_word(&e.body, word)
                + e.tags
                    .iter()
                    .chain(&e.feelings)
                    .filter(|t| t.to_lowercase() == word)
                    .count();
            (n, e)
        })
        .filter(|(n, _)| *n > 0)
        .collect();
    let found = hits.len();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.created_at.cmp(&a.1.created_at)));
    hits.truncate(20);
    Ok(found)
}

/// Whole-word occurrences of `word` (lowercase) in `text`, any case.
fn count_word(text: &str, word: &str) -> usize {
    let hay = text.to_lowercase();
    hay.match_indices(word)
        .filter(|(i, _)| {
            let before = hay[..*i].chars().next_back();
            let after = hay[i + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .count()
}

/// The 1-minute load average, to judge how quiet the machine was.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_default()
}

/// A body word that both programs count the same way, in about 10% of the
/// entries.
fn pick_word(entries: &[GenEntry]) -> String {
    let sets: Vec<HashSet<String>> = entries
        .iter()
        .map(|e| words_of(&e.title).chain(words_of(&e.body)).collect())
        .collect();
    let goal = entries.len() as f64 * 0.10;
    corpus::unambiguous_nouns()
        .into_iter()
        .map(|w| (w, sets.iter().filter(|s| s.contains(w)).count()))
        .filter(|&(_, c)| c > 0)
        .min_by(|a, b| {
            (a.1 as f64 - goal)
                .abs()
                .total_cmp(&(b.1 as f64 - goal).abs())
        })
        .map_or_else(|| "garden".to_string(), |(w, _)| w.to_string())
}

/// The search queries of each kind, from the generated journal.
fn query_kinds(entries: &[GenEntry]) -> Vec<(&'static str, Vec<String>)> {
    let sets: Vec<HashSet<String>> = entries
        .iter()
        .map(|e| words_of(&e.title).chain(words_of(&e.body)).collect())
        .collect();
    let df = |w: &str| sets.iter().filter(|s| s.contains(w)).count();
    let common: Vec<String> = corpus::common_nouns(5)
        .into_iter()
        .map(str::to_string)
        .collect();
    let rare: Vec<String> = corpus::rare_nouns(10)
        .into_iter()
        .filter(|w| df(w) > 0)
        .map(str::to_string)
        .collect();
    let bodies: Vec<String> = entries.iter().map(|e| e.body.to_lowercase()).collect();
    let mut phrases: Vec<(String, usize)> = corpus::common_adjectives(4)
        .into_iter()
        .flat_map(|a| {
            corpus::common_nouns(6)
                .into_iter()
                .map(move |n| format!("{a} {n}"))
        })
        .map(|p| {
            let c = bodies.iter().filter(|b| b.contains(&p)).count();
            (p, c)
        })
        .filter(|(_, c)| *c > 0)
        .collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.1));
    let phrases = phrases
        .into_iter()
        .take(3)
        .map(|(p, _)| format!("\"{p}\""))
        .collect();
    vec![
        ("common word", common),
        ("rare word", rare),
        ("prefix", vec!["wor*".to_string()]),
        ("two-word phrase", phrases),
    ]
}

/// Run `runs` searches, cycling through `queries`; the times, and the mean
/// number of hits.
fn time_queries(
    j: &mut Journal,
    queries: &[String],
    f: &ListFilter,
    runs: usize,
) -> Result<(Vec<Duration>, f64)> {
    let mut times = Vec::with_capacity(runs);
    let mut hits = 0usize;
    for i in 0..runs {
        let q = &queries[i % queries.len()];
        let started = Instant::now();
        let h = j.search(q, f)?;
        times.push(started.elapsed());
        hits += h.len();
    }
    Ok((times, hits as f64 / runs as f64))
}

fn run_ok(cmd: &mut Command) -> Result<Output> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out)
}

/// Wall-clock time of a whole process, its output read as a terminal would.
fn timed(cmd: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    let out = run_ok(cmd)?;
    let t = started.elapsed();
    if out.stdout.is_empty() {
        bail!("{cmd:?} printed nothing");
    }
    Ok(t)
}

/// `s`, cut at a word to at most `max` characters, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split(' ') {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out + " …"
}

/// The length of a JSON array: the whole document, or its field `key`.
fn json_len(bytes: &[u8], key: Option<&str>) -> Result<usize> {
    let v: serde_json::Value = serde_json::from_slice(bytes)?;
    let arr = match key {
        Some(k) => v.get(k),
        None => Some(&v),
    };
    match arr {
        Some(serde_json::Value::Array(a)) => Ok(a.len()),
        _ => bail!("expected a JSON list"),
    }
}
