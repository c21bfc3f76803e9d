//! Crash safety: `hearth` killed with SIGKILL at random moments, during a
//! long import and during a stream of writes. After every kill the journal
//! opens, every entry that was reported written is there and whole, an
//! import is all there or not there at all, and nothing half-written shows.
//!
//! The moments come from a seeded generator. The seed is new each run and
//! printed when a test fails; `HEARTH_CRASH_SEED=N` replays a run.

#![cfg(unix)]

use crate::support::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Entries in the file the import test imports.
const IMPORT_ENTRIES: usize = 2000;
/// Imports killed before the test ends.
const IMPORT_KILLS: usize = 12;
/// Writes killed before the test ends.
const WRITE_KILLS: usize = 44;
const SIGKILL: i32 = 9;

// ------------------------------------------------------------ the import

#[test]
fn an_import_killed_at_random_moments_is_all_there_or_not_at_all() {
    let seed = Seed::new("an_import_killed_at_random_moments_is_all_there_or_not_at_all");
    let mut rng = Rng::new(seed.0);
    let started = Instant::now();
    let j = Journal::new();
    let pristine = j.path("pristine-home");
    copy_dir(&j.home, &pristine);

    let source: Vec<Value> = (0..IMPORT_ENTRIES)
        .map(|i| import_entry(i, &mut rng))
        .collect();
    let file = j.arg("big.json");
    write_backup(Path::new(&file), &source);
    let source: BTreeMap<String, Value> = source
        .into_iter()
        .map(|e| (e["id"].as_str().unwrap().to_string(), e))
        .collect();
    assert_eq!(source.len(), IMPORT_ENTRIES, "ids are distinct");
    let import = ["import", "--format", "hearth", file.as_str()];

    // One import left to finish: it shows the whole file goes in, field for
    // field, how long an import takes here, and when it starts writing to
    // the vault (most of an import is reading the file and building each
    // entry's document in memory; the one transaction comes last).
    let wal = j.home.join("vault.db-wal");
    let (out, mut full, writing) = run_watching(spawn(&j, &import), &wal);
    assert!(
        out.status.success(),
        "{seed}: the uninterrupted import: {out:?}"
    );
    let mut writing = writing.unwrap_or_default();
    let ctx = format!("{seed}, the uninterrupted import");
    assert_eq!(check_import(&j, &source, &ctx), IMPORT_ENTRIES);
    reset(&j, &pristine);

    let (mut kills, mut tries, mut in_writing) = (0, 0, 0);
    let (mut none, mut all, mut finished) = (0, 0, 0);
    while kills < IMPORT_KILLS {
        tries += 1;
        assert!(
            tries <= IMPORT_KILLS * 4,
            "{seed}: too few imports were still running when the kill came"
        );
        // Half the kills anywhere in the import, half while it writes.
        let delay = if tries % 2 == 1 {
            full.mul_f64(rng.fraction())
        } else {
            writing + (full - writing).mul_f64(rng.fraction())
        };
        let t = Instant::now();
        let (out, killed) = run_until(spawn(&j, &import), t + delay);
        let ctx = format!("{seed}, import {tries} killed after {delay:?} of {full:?}");
        if killed {
            kills += 1;
            in_writing += usize::from(!writing.is_zero() && delay >= writing);
        } else {
            assert!(out.status.success(), "{ctx}: the import failed: {out:?}");
            finished += 1;
            // Quicker than the first: aim the next kills within this one.
            let ran = t.elapsed();
            if ran < full {
                writing = writing.mul_f64(ran.as_secs_f64() / full.as_secs_f64());
                full = ran;
            }
        }
        let n = check_import(&j, &source, &ctx);
        if n == 0 {
            none += 1;
        } else {
            all += 1;
            // The next import needs a journal without these entries.
            reset(&j, &pristine);
        }
        if !killed {
            assert_eq!(n, IMPORT_ENTRIES, "{ctx}: a finished import is all there");
        }
    }
    // After all that, the journal still takes the whole file.
    let out = spawn(&j, &import).wait_with_output().unwrap();
    assert!(out.status.success(), "{seed}: the last import: {out:?}");
    assert_eq!(
        check_import(&j, &source, &format!("{seed}, the last import")),
        IMPORT_ENTRIES
    );
    println!(
        "{seed}: {kills} imports of {IMPORT_ENTRIES} entries killed within {full:?}, \
         {in_writing} after it began writing at {writing:?} ({none} left nothing, \
         {} left everything; {finished} finished first) in {:?}",
        all - finished,
        started.elapsed()
    );
}

/// Run `child` to the end, watching the file `wal`. Returns its output,
/// how long it ran, and when `wal` first held anything.
fn run_watching(mut child: Child, wal: &Path) -> (Output, Duration, Option<Duration>) {
    let t = Instant::now();
    let mut first_write = None;
    while child.try_wait().unwrap().is_none() {
        if first_write.is_none() && std::fs::metadata(wal).is_ok_and(|m| m.len() > 0) {
            first_write = Some(t.elapsed());
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let ran = t.elapsed();
    (child.wait_with_output().unwrap(), ran, first_write)
}

/// One entry of the import file, every field set, exactly as `list --json`
/// prints it.
fn import_entry(i: usize, rng: &mut Rng) -> Value {
    const WORDS: [&str; 12] = [
        "ember",
        "kettle",
        "rain",
        "ünïcode",
        "—",
        "quiet",
        "lamp",
        "river",
        "hearth",
        "salt",
        "\"quoted\"",
        "日記",
    ];
    let mut body = format!("Entry {i} of the long import.\n\n");
    for k in 0..20 + rng.below(80) {
        if k > 0 {
            body.push(if k % 12 == 0 { '\n' } else { ' ' });
        }
        body.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    let at = |secs: i64| {
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let created = 1_577_836_800 + 3_600 * i as i64;
    json!({
        "id": format!("{:016x}{:016x}", rng.next(), i),
        "title": format!("Import {i}"),
        "body": body,
        "mood": if i.is_multiple_of(6) { Value::Null } else { json!(1 + i % 5) },
        "feelings": if i.is_multiple_of(2) { json!(["calm"]) } else { json!([]) },
        "tags": [format!("batch{}", i % 9), "import"],
        "starred": i.is_multiple_of(3),
        "created_at": at(created),
        "updated_at": at(created + 60),
    })
}

/// The journal opens, shows no damage, and holds none of `source` or all of
/// it, each entry exactly as in the file. Returns how many it holds.
#[track_caller]
fn check_import(j: &Journal, source: &BTreeMap<String, Value>, ctx: &str) -> usize {
    let listed = list_after_kill(j, ctx);
    assert!(
        listed.is_empty() || listed.len() == source.len(),
        "{ctx}: an import is one transaction, so none or all {} entries, not {}",
        source.len(),
        listed.len()
    );
    for e in &listed {
        let id = e["id"].as_str().unwrap_or_default();
        assert_eq!(
            Some(e),
            source.get(id),
            "{ctx}: every imported entry is whole"
        );
    }
    listed.len()
}

/// Put the journal back as `init` left it.
fn reset(j: &Journal, pristine: &Path) {
    std::fs::remove_dir_all(&j.home).unwrap();
    copy_dir(pristine, &j.home);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    std::fs::set_permissions(to, std::fs::metadata(from).unwrap().permissions()).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        std::fs::copy(item.path(), to.join(item.file_name())).unwrap();
    }
}

// ------------------------------------------------------------ the writes

#[test]
fn writes_killed_at_random_moments_keep_every_reported_entry() {
    let seed = Seed::new("writes_killed_at_random_moments_keep_every_reported_entry");
    let mut rng = Rng::new(seed.0);
    let started = Instant::now();
    let j = Journal::new();
    // Every entry the journal must hold: those `write` reported (printed the
    // id of), and any killed write that turned out to be there.
    let mut known: BTreeMap<String, Written> = BTreeMap::new();
    let mut n = 0;

    // How long one write takes here.
    let t = Instant::now();
    for _ in 0..3 {
        let w = Written::new(n, &mut rng);
        n += 1;
        let out = spawn(&j, &w.args()).wait_with_output().unwrap();
        known.insert(reported_id(&out, &format!("{seed}, write {}", w.n)), w);
    }
    let one = t.elapsed() / 3;

    let (mut kills, mut kept, mut reported) = (0, 0, 0);
    while kills < WRITE_KILLS {
        // A stream of writes, one after another; at a random moment the one
        // in flight is killed.
        let deadline = Instant::now() + one.mul_f64(3.0 * rng.fraction());
        let in_flight = loop {
            let w = Written::new(n, &mut rng);
            n += 1;
            let (out, killed) = run_until(spawn(&j, &w.args()), deadline);
            if killed {
                break w;
            }
            let id = reported_id(&out, &format!("{seed}, write {}", w.n));
            known.insert(id, w);
            reported += 1;
        };
        kills += 1;
        let ctx = format!(
            "{seed}, kill {kills}: write {} killed, {} reported before it",
            in_flight.n,
            known.len()
        );
        let listed = list_after_kill(&j, &ctx);
        let mut extra = None;
        for e in &listed {
            let id = e["id"].as_str().unwrap_or_default().to_string();
            match known.get(&id) {
                Some(w) => w.check(e, &format!("{ctx}: reported entry {id}")),
                None => {
                    assert!(
                        extra.is_none(),
                        "{ctx}: entries that no write reported: {extra:?} and {id}"
                    );
                    in_flight.check(e, &format!("{ctx}: the killed write, found as {id}"));
                    extra = Some(id);
                }
            }
        }
        for id in known.keys() {
            assert!(
                listed.iter().any(|e| e["id"] == id.as_str()),
                "{ctx}: reported entry {id} is missing"
            );
        }
        if let Some(id) = extra {
            kept += 1;
            known.insert(id, in_flight);
        }
    }
    println!(
        "{seed}: {kills} writes killed within about {:?} ({kept} of them were there whole, \
         the rest not at all); {reported} writes reported on the way, {} entries in the end, in {:?}",
        one.mul_f64(3.0),
        known.len(),
        started.elapsed()
    );
}

/// One `write` of the stream and what it asks for.
struct Written {
    n: usize,
    title: String,
    body: String,
    tag: String,
    mood: u8,
}

impl Written {
    fn new(n: usize, rng: &mut Rng) -> Self {
        Self {
            n,
            title: format!("Write {n}"),
            body: format!(
                "Written {n}, token {:016x}.\nA second line — ünïcode, \"quotes\" and 日記.",
                rng.next()
            ),
            tag: format!("stream{}", n % 4),
            mood: 1 + (n % 5) as u8,
        }
    }

    fn args(&self) -> Vec<String> {
        [
            "write",
            "--title",
            &self.title,
            "--tag",
            &self.tag,
            "--mood",
            &self.mood.to_string(),
            &self.body,
        ]
        .map(String::from)
        .to_vec()
    }

    /// `e` is this write, whole.
    #[track_caller]
    fn check(&self, e: &Value, ctx: &str) {
        assert_eq!(e["title"], self.title.as_str(), "{ctx}: title");
        assert_eq!(e["body"], self.body.as_str(), "{ctx}: body");
        assert_eq!(e["tags"], json!([self.tag]), "{ctx}: tags");
        assert_eq!(e["mood"], json!(self.mood), "{ctx}: mood");
        assert_eq!(e["feelings"], json!([]), "{ctx}: feelings");
        assert_eq!(e["starred"], false, "{ctx}: starred");
        assert_eq!(keys(e), ENTRY_KEYS.map(String::from).into(), "{ctx}: keys");
        time(&e["created_at"]);
    }
}

/// The id a write that ran to the end printed.
#[track_caller]
fn reported_id(out: &Output, ctx: &str) -> String {
    assert!(out.status.success(), "{ctx}: the write failed: {out:?}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(is_id(&id), "{ctx}: write printed {id:?}, not an id");
    id
}

// ------------------------------------------------------------ shared

/// `hearth --home HOME ARGS` started, as `Hearth::new` sets it up, with its
/// output piped.
fn spawn<S: AsRef<std::ffi::OsStr>>(j: &Journal, args: &[S]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("--home")
        .arg(&j.home)
        .args(args)
        .env("HEARTH_PASSPHRASE", PASS)
        .env("TZ", "UTC")
        .env("EDITOR", "false")
        .env("VISUAL", "false")
        .env("RUST_BACKTRACE", "0")
        .env_remove("HEARTH_HOME")
        .env_remove("HEARTH_NEW_PASSPHRASE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hearth binary starts")
}

/// Wait for `child`, sending it SIGKILL if it is still running at
/// `deadline`. Returns its output and whether the kill ended it.
fn run_until(mut child: Child, deadline: Instant) -> (Output, bool) {
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() >= deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let out = child.wait_with_output().unwrap();
    let killed = out.status.signal() == Some(SIGKILL);
    (out, killed)
}

/// `list --json` after a kill: it succeeds and warns of nothing (a damaged
/// entry would be named on stderr).
#[track_caller]
fn list_after_kill(j: &Journal, ctx: &str) -> Vec<Value> {
    let run = j.run(&["list", "--json"]);
    assert_eq!(run.code, Some(0), "{ctx}: the journal opens\n{run:#?}");
    assert_eq!(run.stderr, "", "{ctx}: nothing is reported damaged");
    match run.json() {
        Value::Array(a) => a,
        other => panic!("{ctx}: list --json printed {other}"),
    }
}

/// The seed of a test's random moments; says itself when the test fails.
struct Seed(u64, &'static str);

impl Seed {
    fn new(test: &'static str) -> Self {
        let seed = match std::env::var("HEARTH_CRASH_SEED") {
            Ok(s) => s
                .trim()
                .parse()
                .expect("HEARTH_CRASH_SEED is a whole number"),
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        };
        Self(seed, test)
    }
}

impl std::fmt::Display for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seed {}", self.0)
    }
}

impl Drop for Seed {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "{} failed with seed {}; replay it with HEARTH_CRASH_SEED={} cargo nextest run -p hearth-cli {}",
                self.1, self.0, self.0, self.1
            );
        }
    }
}

/// xorshift64*: small, seeded, good enough for picking moments.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in [0, 1).
    fn fraction(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
