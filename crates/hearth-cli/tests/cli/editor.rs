//! `write` and `edit` through `$EDITOR`, on a real terminal (a
//! pseudo-terminal from util-linux `script`), with a stand-in editor that
//! records where its file was, its mode and file system, then writes text.

use crate::support::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const EDITOR: &str = r#"#!/bin/sh
log="$(dirname "$0")/editor.log"
{
  printf 'path=%s\n' "$1"
  stat -c 'mode=%a' "$1"
  stat -f -c 'fs=%T' "$1"
  printf 'before=%s\n' "$(cat "$1")"
} > "$log"
printf '%s\n' "$FAKE_EDITOR_TEXT" > "$1"
exit "${FAKE_EDITOR_EXIT:-0}"
"#;

/// A journal, a stand-in editor beside it, and the folders drafts may go to.
struct Setup {
    j: Journal,
    editor: PathBuf,
    /// A fresh folder on /dev/shm, given as `$XDG_RUNTIME_DIR`.
    memory: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let j = Journal::new();
        let editor = j.root.join("editor.sh");
        std::fs::write(&editor, EDITOR).unwrap();
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
        let memory = tempfile::Builder::new()
            .prefix("hearth-editor-test-")
            .tempdir_in("/dev/shm")
            .expect("/dev/shm is there for memory-backed drafts");
        assert_eq!(
            fs_type(memory.path()),
            "tmpfs",
            "/dev/shm should be a tmpfs"
        );
        Self { j, editor, memory }
    }

    /// `hearth --home H ARGS` on a terminal, with `typed` typed into it;
    /// the editor saves `text`, then exits with `exit`.
    fn run(&self, args: &[&str], env: &[(&str, &Path)], typed: &str, text: &str, exit: u8) -> Run {
        let mut line = shell_quote(env!("CARGO_BIN_EXE_hearth"));
        for a in ["--home", self.j.home.to_str().unwrap()].iter().chain(args) {
            line.push(' ');
            line.push_str(&shell_quote(a));
        }
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-c", &line, "/dev/null"])
            .env("HEARTH_PASSPHRASE", PASS)
            .env("TZ", "UTC")
            .env("EDITOR", &self.editor)
            .env("XDG_RUNTIME_DIR", self.memory.path())
            .env("FAKE_EDITOR_TEXT", text)
            .env("FAKE_EDITOR_EXIT", exit.to_string())
            .env_remove("HEARTH_HOME")
            .env_remove("HEARTH_DRAFT_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("util-linux `script` runs");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(typed.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run::from_terminal(format!("hearth {} (on a terminal)", args.join(" ")), out)
    }

    /// What the stand-in editor saw, by name; empty when it did not run.
    fn editor_saw(&self) -> Vec<(String, String)> {
        let log = self.j.root.join("editor.log");
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(log);
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

fn saw<'a>(seen: &'a [(String, String)], key: &str) -> &'a str {
    seen.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("the editor did not report {key}: {seen:?}"))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn fs_type(dir: &Path) -> String {
    let out = Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[test]
fn write_through_the_editor_keeps_the_draft_in_memory_and_removes_it() {
    let s = Setup::new();
    s.run(
        &["write", "--mood", "4"],
        &[],
        "",
        "Written in the editor.",
        0,
    )
    .ok();
    let seen = s.editor_saw();
    let draft = PathBuf::from(saw(&seen, "path"));
    assert!(draft.starts_with(s.memory.path()), "{seen:?}");
    assert_eq!(saw(&seen, "mode"), "600");
    assert_eq!(saw(&seen, "fs"), "tmpfs");
    assert_eq!(saw(&seen, "before"), "");
    assert!(!draft.exists(), "the draft should be removed");
    assert!(files_in(s.memory.path()).is_empty());

    let entries = s.j.list(&[]);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["body"], "Written in the editor.");
    assert_eq!(entries[0]["mood"], 4);
}

#[test]
fn edit_through_the_editor_starts_from_the_body() {
    let s = Setup::new();
    let id = s.j.write(&["First draft of the day."]);
    s.run(&["edit", &id[..8]], &[], "", "Second thoughts, kept.", 0)
        .ok();
    let seen = s.editor_saw();
    assert_eq!(saw(&seen, "before"), "First draft of the day.");
    assert_eq!(saw(&seen, "fs"), "tmpfs");
    assert!(!Path::new(saw(&seen, "path")).exists());
    let shown = s.j.ok(&["show", &id, "--json"]).json();
    assert_eq!(shown["body"], "Second thoughts, kept.");
    let versions = s.j.ok(&["history", &id, "--json"]).json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
}

#[test]
fn an_editor_that_fails_saves_nothing() {
    let s = Setup::new();
    let out = s.run(&["write"], &[], "", "Half a thought", 1).fails();
    out.says(&["editor", "nothing was saved"]);
    assert!(s.j.list(&[]).is_empty());
    assert!(files_in(s.memory.path()).is_empty(), "no draft is left");

    let id = s.j.write(&["Kept as it was."]);
    s.run(&["edit", &id], &[], "", "Lost edit", 3).fails();
    let shown = s.j.ok(&["show", &id, "--json"]).json();
    assert_eq!(shown["body"], "Kept as it was.");
    assert!(files_in(s.memory.path()).is_empty());
}

#[test]
fn without_memory_backed_storage_it_asks_before_using_the_disk() {
    let s = Setup::new();
    let disk = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    assert_ne!(
        fs_type(disk.path()),
        "tmpfs",
        "the target folder should be on disk"
    );
    let env: &[(&str, &Path)] = &[("HEARTH_DRAFT_DIR", disk.path())];

    let out = s.run(&["write"], env, "n\n", "Never written", 0).fails();
    out.says(&["memory-backed", "disk", "nothing was written"]);
    assert!(s.editor_saw().is_empty(), "the editor should not start");
    assert!(files_in(disk.path()).is_empty());
    assert!(s.j.list(&[]).is_empty());

    s.run(&["write"], env, "y\n", "Written on disk, then removed.", 0)
        .ok();
    let seen = s.editor_saw();
    let draft = PathBuf::from(saw(&seen, "path"));
    assert!(draft.starts_with(disk.path()), "{seen:?}");
    assert_eq!(saw(&seen, "mode"), "600");
    assert!(
        files_in(disk.path()).is_empty(),
        "the draft should be removed"
    );
    let entries = s.j.list(&[]);
    assert_eq!(entries[0]["body"], "Written on disk, then removed.");
}

#[test]
fn a_draft_folder_that_is_not_there_is_an_error() {
    let s = Setup::new();
    let missing = s.j.root.join("no-such-folder");
    let out = s
        .run(&["write"], &[("HEARTH_DRAFT_DIR", &missing)], "", "x", 0)
        .fails();
    out.says(&["HEARTH_DRAFT_DIR", "not a folder"]);
    assert!(s.editor_saw().is_empty());
}
