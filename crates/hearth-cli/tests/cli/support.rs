//! Running the real `hearth` binary, one temporary journal per test.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// The passphrase every test journal is created with.
pub const PASS: &str = "correct horse battery";

/// The keys of an entry in `--json` output, exactly.
pub const ENTRY_KEYS: [&str; 9] = [
    "id",
    "title",
    "body",
    "mood",
    "feelings",
    "tags",
    "starred",
    "created_at",
    "updated_at",
];

/// The cheapest KDF settings `init` accepts.
pub const CHEAP_KDF: [&str; 4] = ["--kdf-memory-mib", "8", "--kdf-iterations", "1"];

/// What one run of `hearth` did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    what: String,
}

impl Run {
    /// A run of `what` that printed `output` to a terminal, where standard
    /// output and standard error are one stream.
    pub fn from_terminal(what: String, out: std::process::Output) -> Self {
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        Self {
            code: out.status.code(),
            stdout: text.clone(),
            stderr: text,
            what,
        }
    }

    /// Assert exit status 0; return self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "`{}` should succeed\n{self:#?}",
            self.what
        );
        self
    }

    /// Assert hearth's own failure: exit status 1 (not a panic, not a usage
    /// error) and an error line on stderr; return self.
    #[track_caller]
    pub fn fails(self) -> Self {
        assert_eq!(
            self.code,
            Some(1),
            "`{}` should fail with status 1\n{self:#?}",
            self.what
        );
        assert!(
            self.stderr.contains("hearth: error:"),
            "`{}` should explain the failure on stderr\n{self:#?}",
            self.what
        );
        self
    }

    /// Assert the error message (stderr) contains every one of `parts`,
    /// ignoring ASCII case.
    #[track_caller]
    pub fn says(&self, parts: &[&str]) -> &Self {
        let err = self.stderr.to_lowercase();
        for p in parts {
            assert!(
                err.contains(&p.to_lowercase()),
                "stderr of `{}` should mention {p:?}\n{self:#?}",
                self.what
            );
        }
        self
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout of `{}` is not JSON ({e})\n{self:#?}", self.what))
    }

    /// Lines of stdout.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// One `hearth` command line being put together.
pub struct Hearth {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    what: String,
}

impl Hearth {
    /// `hearth` with a clean environment: the test passphrase, UTC, no
    /// HEARTH_HOME, no editor.
    pub fn new() -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
        cmd.env("HEARTH_PASSPHRASE", PASS)
            .env("TZ", "UTC")
            .env("EDITOR", "false")
            .env("VISUAL", "false")
            .env("RUST_BACKTRACE", "0")
            .env_remove("HEARTH_HOME")
            .env_remove("HEARTH_NEW_PASSPHRASE")
            .env_remove("NO_COLOR");
        Self {
            cmd,
            stdin: None,
            what: "hearth".into(),
        }
    }

    pub fn args<S: AsRef<std::ffi::OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        for a in args {
            self.what.push(' ');
            self.what.push_str(&a.as_ref().to_string_lossy());
            self.cmd.arg(a);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.cmd.env_remove(key);
        self
    }

    /// Pipe `text` to standard input (otherwise it is /dev/null).
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    /// Run it through `program WRAPPER_ARGS` (`nsenter ...`), with the same
    /// environment.
    pub fn wrap(mut self, program: &str, wrapper_args: &[String]) -> Self {
        let mut cmd = Command::new(program);
        cmd.args(wrapper_args)
            .arg(self.cmd.get_program())
            .args(self.cmd.get_args());
        for (k, v) in self.cmd.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        self.cmd = cmd;
        self
    }

    /// Start it in the background, stdin closed, stdout and stderr piped.
    pub fn spawn(mut self) -> std::process::Child {
        self.cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the hearth binary starts")
    }

    pub fn run(mut self) -> Run {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("the hearth binary starts");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A command that does not read stdin may exit first; that is fine.
            let _ = pipe.write_all(&input);
        }
        let out = child.wait_with_output().expect("hearth runs to the end");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
            what: self.what,
        }
    }
}

/// A temporary directory with a data directory (`home`) inside it, and room
/// next to it for files to import and export.
pub struct Journal {
    _tmp: TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
}

impl Journal {
    /// A journal made with `init` and cheap KDF settings.
    pub fn new() -> Self {
        let j = Self::uninit();
        j.ok(&[
            "init",
            CHEAP_KDF[0],
            CHEAP_KDF[1],
            CHEAP_KDF[2],
            CHEAP_KDF[3],
        ]);
        j
    }

    /// A data directory path with nothing in it yet (it does not exist).
    pub fn uninit() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("hearth-cli-test-")
            .tempdir()
            .expect("tempdir");
        let root = tmp.path().to_path_buf();
        let home = root.join("home");
        Self {
            _tmp: tmp,
            root,
            home,
        }
    }

    /// `hearth --home <home> ARGS`, not yet run.
    pub fn cmd(&self, args: &[&str]) -> Hearth {
        Hearth::new()
            .args([std::ffi::OsStr::new("--home"), self.home.as_os_str()])
            .args(args)
    }

    /// Run with stdin from /dev/null.
    pub fn run(&self, args: &[&str]) -> Run {
        self.cmd(args).run()
    }

    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Run {
        self.run(args).ok()
    }

    #[track_caller]
    pub fn fails(&self, args: &[&str]) -> Run {
        self.run(args).fails()
    }

    /// `write ARGS`; returns the printed id after checking it is 32 hex digits.
    #[track_caller]
    pub fn write(&self, args: &[&str]) -> String {
        let mut all = vec!["write"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        id_of(&out)
    }

    /// `list --json ARGS` as entries.
    #[track_caller]
    pub fn list(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        match self.ok(&all).json() {
            Value::Array(a) => a,
            other => panic!("list --json should print an array, got {other}"),
        }
    }

    /// Ids from `list --json ARGS`, in order.
    #[track_caller]
    pub fn ids(&self, args: &[&str]) -> Vec<String> {
        self.list(args)
            .iter()
            .map(|e| e["id"].as_str().expect("id").to_string())
            .collect()
    }

    /// `show ID --json`.
    #[track_caller]
    pub fn show(&self, id: &str) -> Value {
        self.ok(&["show", id, "--json"]).json()
    }

    /// A path outside the data directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// A path outside the data directory, as a string for argv.
    pub fn arg(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }

    pub fn vault(&self) -> PathBuf {
        self.home.join("vault.db")
    }

    /// Every file under the data directory with its bytes.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        files_under(&self.home)
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).expect("read a data file");
                (p, bytes)
            })
            .collect()
    }
}

/// The id `write` printed: the whole of stdout, 32 lowercase hex digits.
#[track_caller]
pub fn id_of(out: &Run) -> String {
    let id = out.stdout.trim().to_string();
    assert!(
        is_id(&id),
        "write should print the new entry's id, got {:?}",
        out.stdout
    );
    id
}

pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Every regular file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The keys of a JSON object.
#[track_caller]
pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("expected an object, got {v}"))
        .keys()
        .cloned()
        .collect()
}

/// The string array at `v[key]`.
#[track_caller]
pub fn strs(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} should be an array in {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// Parse an RFC 3339 time from JSON.
#[track_caller]
pub fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected a time string, got {v}"));
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"))
        .with_timezone(&chrono::Utc)
}

/// The entry titled `title` in `entries`.
#[track_caller]
pub fn titled<'a>(entries: &'a [Value], title: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["title"] == title)
        .unwrap_or_else(|| panic!("no entry titled {title:?} in {entries:#?}"))
}

/// The `vault` header row's KDF settings: (memory KiB, iterations).
pub fn stored_kdf(vault: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(vault).expect("open the vault with SQLite");
    conn.query_row(
        "SELECT kdf_memory_kib, kdf_iterations FROM vault",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("read the vault header")
}

/// Write a Hearth backup holding `entries` to `path`.
pub fn write_backup(path: &Path, entries: &[Value]) {
    let doc = serde_json::json!({"format": "hearth", "version": 1, "entries": entries});
    std::fs::write(path, serde_json::to_vec_pretty(&doc).expect("serialise"))
        .expect("write backup");
}

/// One backup entry.
pub fn backup_entry(id: Option<&str>, title: &str, body: &str, created_at: &str) -> Value {
    serde_json::json!({
        "id": id,
        "title": title,
        "body": body,
        "mood": null,
        "feelings": [],
        "tags": [],
        "starred": false,
        "created_at": created_at,
        "updated_at": created_at,
    })
}

/// Three entries: titled with a mood and a tag, backdated with a feeling,
/// and untitled.
pub fn some_entries(j: &Journal) {
    j.write(&["--title", "One", "--mood", "3", "--tag", "x", "first"]);
    j.write(&[
        "--title",
        "Two",
        "--feeling",
        "calm",
        "--at",
        "2020-05-05 05:05",
        "second",
    ]);
    j.write(&["third, untitled"]);
}
