//! Sections 7 to 10, beside the core ones on the same generated journal:
//! backup (make, size, verify, restore), emptying the trash, the history
//! of one entry with many versions, and a second device of the same person
//! taking in every op of the journal (what sync does, without the network;
//! section 11, in `sync.rs`, adds it). None has a target yet; each main figure
//! carries a note on how the wait would feel to a person.
//!
//! Section 7 restores the backup of the freshly imported journal into a new
//! directory; sections 9 and 8 then run on that restored copy, so they see
//! exactly the generated journal (sections 3 and 4 add entries to the
//! original) and so the restore is shown to give a working vault.

use crate::corpus::Generator;
use crate::report::{median, millis};
use crate::{Bench, PASSPHRASE, dir_size, progress, run_ok};
use anyhow::{Context, Result, ensure};
use hearth_core::{BackupKey, EntryPatch, Journal, ListFilter, Vault};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const BACKUP: &str = "7. Backup of the whole vault (history included)";
pub const PURGE: &str = "8. Empty the trash (purge for good, WAL checkpoint included)";
pub const RECEIVE: &str = "10. A new device takes in the whole journal (no network)";

/// The title of section 9, which names the number of versions.
fn history_section(versions: usize) -> String {
    format!("9. History of one entry with {versions} versions")
}

/// How a wait of `ms` feels to someone who asked for something and watches
/// the screen (the usual 0.1 s / 1 s / 10 s limits of response time).
pub fn feel(ms: f64) -> &'static str {
    if ms < 100.0 {
        "feels instant"
    } else if ms < 1000.0 {
        "a short pause, flow kept"
    } else if ms < 10_000.0 {
        "a noticeable wait; wants a busy sign"
    } else {
        "a long wait; wants progress and a way to cancel"
    }
}

impl Bench<'_> {
    fn unlock_at(&self, home: &Path) -> Result<Journal> {
        Ok(Vault::unlock(home, PASSPHRASE.as_bytes())?.0)
    }

    /// A figure already in the report (0 when absent).
    pub(crate) fn figure(&self, section: &str, metric: &str) -> f64 {
        self.report
            .rows
            .iter()
            .find(|r| r.section == section && r.metric == metric)
            .map_or(0.0, |r| r.value)
    }

    // 7 ---------------------------------------------------------------------

    /// Make, verify and restore a backup of the journal as imported; returns
    /// the data directory of the restored copy.
    pub fn backup(&mut self) -> Result<PathBuf> {
        let n = self.args.entries;
        let runs = self.args.runs;
        let key = || BackupKey::Passphrase(PASSPHRASE.as_bytes());
        let file = self.dir.join("journal.hearth-backup");
        let restored = self.dir.join("restored");

        progress(format!(
            "backup: make, verify and restore, {runs} times each"
        ));
        let journal = self.unlock_at(&self.home)?;
        let mut make = Vec::with_capacity(runs);
        let mut made = None;
        for _ in 0..runs {
            if file.exists() {
                std::fs::remove_file(&file)?;
            }
            let started = Instant::now();
            let s = journal.backup(&file)?;
            make.push(started.elapsed());
            made = Some(s);
        }
        drop(journal);
        let made = made.context("no backup was made")?;
        ensure!(
            made.entries == n && made.trashed == 0,
            "the backup holds {} entries and {} in the trash, not {n}",
            made.entries,
            made.trashed
        );
        let bytes = std::fs::metadata(&file)?.len();

        let mut verify = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let s = Vault::verify_backup(&file, key())?;
            verify.push(started.elapsed());
            ensure!(
                s.entries == n,
                "verify found {} entries, not {n}",
                s.entries
            );
        }

        let mut restore = Vec::with_capacity(runs);
        for i in 0..runs {
            let target = if i + 1 == runs {
                restored.clone()
            } else {
                self.dir.join(format!("restore-{i}"))
            };
            let started = Instant::now();
            let s = Vault::restore_backup(&file, &target, key())?;
            restore.push(started.elapsed());
            ensure!(
                s.entries == n,
                "restore gave {} entries, not {n}",
                s.entries
            );
            if target != restored {
                std::fs::remove_dir_all(&target)?;
            }
        }
        let back = self.unlock_at(&restored)?;
        ensure!(
            back.len() == n,
            "the restored journal holds {} entries, not {n}",
            back.len()
        );
        drop(back);
        let (restored_bytes, _) = dir_size(&restored)?;

        let kdf = self.figure(crate::UNLOCK, "Argon2id KDF");
        let data_dir = self.figure(crate::DISK, "bytes on disk per entry") * n as f64;
        let (make, verify, restore) = (median(&make), median(&verify), median(&restore));
        let beyond = |d: Duration| (millis(d) - kdf).max(0.0);
        let r = &mut self.report;
        r.ms(
            BACKUP,
            format!("make a backup of {n} entries (Journal::backup), median of {runs}"),
            make,
            None,
        )
        .note = Some(feel(millis(make)).into());
        r.add(BACKUP, "backup file size", bytes as f64, "B", None)
            .note = Some(format!("{} ops, {} settings", made.ops, made.settings));
        r.add(
            BACKUP,
            "backup size per entry",
            bytes as f64 / n as f64,
            "B",
            None,
        );
        if data_dir > 0.0 {
            r.add(
                BACKUP,
                "  backup / data directory after import (section 5)",
                bytes as f64 / data_dir,
                "x",
                None,
            );
        }
        r.ms(
            BACKUP,
            format!("verify the backup (Vault::verify_backup, one Argon2id), median of {runs}"),
            verify,
            None,
        )
        .note = Some(feel(millis(verify)).into());
        r.add(
            BACKUP,
            "  verify beyond the KDF (less the section 2 KDF median)",
            beyond(verify),
            "ms",
            None,
        );
        r.ms(
            BACKUP,
            format!(
                "restore into a new directory (Vault::restore_backup, one Argon2id), median of {runs}"
            ),
            restore,
            None,
        )
        .note = Some(feel(millis(restore)).into());
        r.add(
            BACKUP,
            "  restore beyond the KDF (less the section 2 KDF median)",
            beyond(restore),
            "ms",
            None,
        );
        r.add(
            BACKUP,
            "  restored data directory (no search-index image)",
            restored_bytes as f64,
            "B",
            None,
        )
        .note = Some(format!("unlocks with {n} entries"));
        Ok(restored)
    }

    // 8 ---------------------------------------------------------------------

    /// Trash one entry, then a batch, and time emptying the trash each time,
    /// each round in a session of its own whose search index is ready (as in
    /// the app), so that the cached index image is there to be dropped.
    pub fn purge(&mut self, home: &Path) -> Result<()> {
        let runs = self.args.runs;
        let reps = runs.min(3);
        let live = self.unlock_at(home)?.len();
        // Keep at least one entry, and the one whose history section 9 made.
        let room = live.saturating_sub(runs + 2);
        let batch = self.args.purge.min(room / reps);
        let mut cases = vec![(1usize, runs)];
        if batch > 1 {
            cases.push((batch, reps));
            if batch < self.args.purge {
                self.report.skipped.push(format!(
                    "{PURGE}: {batch} entries at a time, not {} (too few entries)",
                    self.args.purge
                ));
            }
        } else if self.args.purge > 1 {
            self.report.skipped.push(format!(
                "{PURGE}: too few entries to trash {} at a time {reps} times",
                self.args.purge
            ));
        }
        let wal = {
            let mut p = Vault::file(home).into_os_string();
            p.push("-wal");
            PathBuf::from(p)
        };
        let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());

        let mut rebuild = Vec::new();
        let mut purged_total = 0;
        for (k, rounds) in cases {
            progress(format!(
                "trash {k} {} then empty the trash, {rounds} times",
                if k == 1 { "entry" } else { "entries" }
            ));
            let (mut trash, mut empty, mut wal_before, mut wal_after) =
                (vec![], vec![], vec![], vec![]);
            for _ in 0..rounds {
                let mut j = self.unlock_at(home)?;
                // No image (restored, or dropped by the last purge): built
                // from the views and stored.
                let started = Instant::now();
                j.build_search_index()?;
                rebuild.push(started.elapsed());
                // The oldest entries; section 9's entry is in the middle.
                let ids: Vec<String> = {
                    let all = j.list(&ListFilter::default())?;
                    all.iter().rev().take(k).map(|e| e.id.to_string()).collect()
                };
                let started = Instant::now();
                for id in &ids {
                    j.trash(id)?;
                }
                trash.push(started.elapsed());
                ensure!(j.trashed().len() == k, "{} in the trash", j.trashed().len());
                wal_before.push(wal_len());
                let started = Instant::now();
                let purged = j.empty_trash()?;
                empty.push(started.elapsed());
                wal_after.push(wal_len());
                ensure!(purged == k, "emptying the trash purged {purged} of {k}");
                purged_total += k;
                drop(j);
            }
            let (trash, empty) = (median(&trash), median(&empty));
            let entries = if k == 1 { "entry" } else { "entries" };
            let r = &mut self.report;
            r.ms(
                PURGE,
                format!("trash {k} {entries} (Journal::trash each), median of {rounds}"),
                trash,
                None,
            );
            r.ms(
                PURGE,
                format!(
                    "empty the trash of {k} {entries} (Journal::empty_trash), median of {rounds}"
                ),
                empty,
                None,
            )
            .note = Some(feel(millis(empty)).into());
            if k > 1 {
                r.add(
                    PURGE,
                    "  empty the trash, per entry",
                    millis(empty) * 1000.0 / k as f64,
                    "µs",
                    None,
                );
            }
            let max = |v: &[u64]| v.iter().copied().max().unwrap_or(0) as f64;
            r.add(
                PURGE,
                format!("  WAL before emptying ({k}), largest"),
                max(&wal_before),
                "B",
                None,
            );
            r.add(
                PURGE,
                format!("  WAL after emptying ({k}; checkpoint TRUNCATE), largest"),
                max(&wal_after),
                "B",
                None,
            );
        }

        // The price in the next session: the first search builds the index
        // again. Against it, a session that finds the image (stored by the
        // previous one).
        let mut j = self.unlock_at(home)?;
        let started = Instant::now();
        j.build_search_index()?;
        rebuild.push(started.elapsed());
        let left = j.len();
        drop(j);
        let mut cached = Vec::new();
        for _ in 0..reps {
            let mut j = self.unlock_at(home)?;
            let started = Instant::now();
            j.build_search_index()?;
            cached.push(started.elapsed());
        }
        ensure!(
            left + purged_total == live,
            "{left} entries left after purging {purged_total} of {live}"
        );
        let r = &mut self.report;
        r.ms(
            PURGE,
            format!(
                "first search of the next session: index rebuilt (image dropped by the purge), median of {}",
                rebuild.len()
            ),
            median(&rebuild),
            None,
        )
        .note = Some(feel(millis(median(&rebuild))).into());
        r.ms(
            PURGE,
            format!("  against: first search of a session with the image kept, median of {reps}"),
            median(&cached),
            None,
        );
        r.add(
            PURGE,
            "entries left after the purges",
            left as f64,
            "count",
            None,
        )
        .note = Some(format!("{purged_total} purged of {live}"));
        Ok(())
    }

    // 9 ---------------------------------------------------------------------

    /// Bring one entry to `--versions` versions by editing it, appending a
    /// sentence (two edits in three) or rewriting one it gained; time
    /// `Journal::history` as it grows, and `version_diff` at the end.
    pub fn history(&mut self, home: &Path) -> Result<()> {
        let target = self.args.versions;
        let runs = self.args.runs;
        let section = history_section(target);
        let mut j = self.unlock_at(home)?;
        let (id, prefix) = {
            let all = j.list(&ListFilter::default())?;
            let e = all[all.len() / 2];
            (e.id.to_string(), e.body.clone())
        };
        let first = j.history(&id)?.len();
        ensure!(first == 1, "the chosen entry has {first} versions, not 1");
        progress(format!(
            "history: {} edits of one entry, timing Journal::history as it grows",
            target.saturating_sub(1)
        ));

        let mut g = Generator::new(self.args.seed ^ 0x4849_5354_4f52);
        let mut sentences: Vec<String> = Vec::new();
        let mut checkpoints: Vec<usize> = [10, 100, target]
            .into_iter()
            .filter(|&v| v <= target)
            .collect();
        checkpoints.dedup();
        let mut at = Vec::new();
        let mut edits = Vec::with_capacity(target);
        for v in 2..=target {
            if sentences.is_empty() || g.rng().below(3) != 0 {
                sentences.push(g.body(1));
            } else {
                let i = g.rng().below(sentences.len());
                sentences[i] = g.body(1);
            }
            let patch = EntryPatch {
                body: Some(format!("{prefix} {}", sentences.join(" "))),
                ..Default::default()
            };
            let started = Instant::now();
            j.edit(&id, &patch)?;
            edits.push(started.elapsed());
            if v % 100 == 0 {
                progress(format!(
                    "history: {v} versions, last edit {:.0} ms",
                    millis(edits[edits.len() - 1])
                ));
            }
            if checkpoints.contains(&v) {
                at.push((v, time_history(&j, &id, v, runs)?));
            }
        }
        let last_body = j.get(&id)?.body.clone();

        // The word diff of the newest version against the one before.
        let mut diffs = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let parts = j.version_diff(&id, target)?;
            diffs.push(started.elapsed());
            ensure!(!parts.is_empty(), "an empty diff");
        }
        let mut loads = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            j.load_fields(&id)?;
            loads.push(started.elapsed());
        }
        drop(j);

        // What a person waits for at the command line.
        let mut process = Vec::new();
        if let Some(hearth) = &self.args.hearth {
            let cmd = || {
                let mut c = Command::new(hearth);
                c.arg("--home")
                    .arg(home)
                    .arg("history")
                    .arg(&id)
                    .env("HEARTH_PASSPHRASE", PASSPHRASE)
                    .env("NO_COLOR", "1")
                    .env_remove("HEARTH_HOME");
                c
            };
            let out = run_ok(&mut cmd())?;
            let lines = String::from_utf8_lossy(&out.stdout).lines().count();
            ensure!(
                lines == target,
                "`hearth history` printed {lines} lines, not {target}"
            );
            for _ in 0..runs {
                process.push(crate::timed(&mut cmd())?);
            }
        }

        let r = &mut self.report;
        for (v, d) in &at {
            let row = r.ms(
                &section,
                format!("history at {v} versions (Journal::history), median of {runs}"),
                *d,
                None,
            );
            row.note = Some(feel(millis(*d)).into());
        }
        if let Some((v, d)) = at.last() {
            r.add(
                &section,
                "  history, per version",
                millis(*d) / *v as f64,
                "ms",
                None,
            );
        }
        let diff = median(&diffs);
        r.ms(
            &section,
            format!("word diff of version {target} against {} (Journal::version_diff), median of {runs}", target - 1),
            diff,
            None,
        )
        .note = Some(feel(millis(diff)).into());
        if let Some(hearth) = self.args.hearth.as_ref().filter(|_| !process.is_empty()) {
            let d = median(&process);
            r.ms(
                &section,
                format!("whole process: hearth history ID ({target} lines; start, unlock with KDF, history), median of {runs}"),
                d,
                None,
            )
            .note = Some(format!("{}; {}", feel(millis(d)), hearth.display()));
        } else {
            r.skipped.push(format!(
                "{section}, whole process: pass --hearth PATH (the release hearth binary)"
            ));
        }
        let head = (edits.len() / 2).min(100);
        if head > 0 {
            r.ms(
                &section,
                format!("edit of this entry, versions 2 to {}, median", head + 1),
                median(&edits[..head]),
                None,
            );
            r.ms(
                &section,
                format!(
                    "edit of this entry, versions {} to {target}, median",
                    target + 1 - head
                ),
                median(&edits[edits.len() - head..]),
                None,
            );
        }
        r.ms(
            &section,
            format!(
                "  load its document from its {target} ops (Journal::load_fields), median of {runs}"
            ),
            median(&loads),
            None,
        );
        r.add(
            &section,
            "body at the last version, words",
            last_body.split_whitespace().count() as f64,
            "count",
            None,
        );
        r.add(
            &section,
            "body at the last version, bytes",
            last_body.len() as f64,
            "B",
            None,
        );
        Ok(())
    }
}

/// Median of `runs` calls of `Journal::history`, checking it gives `versions`.
impl Bench<'_> {
    // 10 --------------------------------------------------------------------

    /// Two devices of one person: the first imports the generated journal,
    /// the second (restored from a backup made while the first was empty)
    /// has nothing. Time the second checking and storing every op the first
    /// holds, in batches as sync sends them, and count the ops' bytes.
    pub fn receive(&mut self, backup_json: &Path) -> Result<()> {
        const BATCH: usize = 1000;
        let n = self.args.entries;
        progress(format!("receive: a new device takes in {n} entries"));
        let first_home = self.dir.join("device-a");
        let second_home = self.dir.join("device-b");
        let kdf = hearth_core::KdfParams::new(8 * 1024, 1, 1)?;
        let mut first = Vault::create(&first_home, PASSPHRASE.as_bytes(), kdf)?;
        let empty = self.dir.join("empty.hearth-backup");
        first.backup(&empty)?;
        Vault::restore_backup(
            &empty,
            &second_home,
            BackupKey::Passphrase(PASSPHRASE.as_bytes()),
        )?;
        first.import(hearth_core::Format::Hearth, backup_json, |_, _| {})?;
        let mut second = self.unlock_at(&second_home)?;

        let ops = first.ops_missing_from(&second.version_vector()?, usize::MAX)?;
        let count = ops.len();
        let bytes: usize = ops
            .iter()
            .map(|o| 16 + 32 + 8 + 4 + 16 + 1 + 32 + 32 + o.payload.len() + o.signature.len())
            .sum();
        let started = Instant::now();
        let mut rest = ops;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(BATCH));
            second.receive(rest)?;
            rest = tail;
        }
        let took = started.elapsed();
        ensure!(
            second.len() == n,
            "the second device holds {} entries, not {n}",
            second.len()
        );
        self.report
            .add(RECEIVE, "ops sent", count as f64, "count", None);
        self.report.add(
            RECEIVE,
            "their bytes (fields, sealed payloads, signatures)",
            bytes as f64,
            "B",
            None,
        );
        let row = self.report.ms(
            RECEIVE,
            format!("check, store, merge and seal views, in batches of {BATCH}"),
            took,
            None,
        );
        row.note = Some(feel(millis(took)).to_string());
        self.report.add(
            RECEIVE,
            "per op",
            millis(took) * 1000.0 / count.max(1) as f64,
            "µs",
            None,
        );
        Ok(())
    }
}

fn time_history(j: &Journal, id: &str, versions: usize, runs: usize) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let h = j.history(id)?;
        times.push(started.elapsed());
        ensure!(
            h.len() == versions,
            "history gave {} versions, not {versions} (one per edit expected)",
            h.len()
        );
    }
    Ok(median(&times))
}
