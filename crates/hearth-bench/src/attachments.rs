//! Section 13: photos. A generated Day One export of `--photos` entries,
//! each with one photo of about `--photo-mib` MiB, is imported into a fresh
//! vault; then one 20 MiB file is attached to an entry.
//!
//! **The export.** A zip in the work folder, made the same way for a seed:
//! `Journal.json` (deflated) with one entry per photo (a generated title and
//! about 40 words, then `![](dayone-moment://ID)`), and the photos as
//! `photos/<md5>.jpeg`, each between 15/16 and 17/16 of `--photo-mib` MiB,
//! written to disk (`fsync`) before anything is timed.
//! A photo is a JPEG header, pseudo-random bytes (SplitMix64) and the JPEG
//! end marker: Hearth does not decode a photo on import (it reads the first
//! bytes to name the media type, then hashes and seals the rest), so real
//! pictures would cost the same, and random bytes cannot be compressed,
//! as a JPEG's mostly cannot. The `md5` names are made up (Hearth does not
//! check them). The photos are **stored** in the zip, not deflated: photos
//! gain nothing from deflate, but Day One's own export zips do deflate them,
//! which adds an inflate of each photo to the import's pass over
//! it; the figures here are for stored members.
//!
//! **The baseline**, "read and seal the same bytes": every photo read out of
//! the zip (opened once) in 1 MiB chunks, each chunk sealed with the vault's
//! AEAD (`hearth_crypto::aead::seal`, XChaCha20-Poly1305, a random key),
//! nothing stored. Target: the import takes under 1.5 times as long.
//!
//! **The import**: `hearth import --format dayone ZIP --json`, the release
//! binary (`--hearth`), into a vault made just before with cheap KDF
//! settings (8 MiB, 1 pass: the unlock costs milliseconds, and the same
//! process start and unlock are timed apart on the empty vault). Its peak
//! memory is the child's alone: this program runs itself as a small wrapper
//! (`hearth-bench __peak-rss OUT PROGRAM ARGS…`) whose only child is
//! `hearth`, and the wrapper reads `getrusage(RUSAGE_CHILDREN).ru_maxrss`
//! once it has waited for it (the peak resident set of that one process;
//! the workspace forbids `unsafe`, so no `wait4` through `libc`; `nix` wraps
//! `getrusage` safely). Target: under 200 MiB, whatever the export's size.
//! Without `--hearth`, the import is `Journal::import` in this process, and
//! only its time is measured.
//!
//! **Where the import's time goes**, measured beside it in this process on
//! the same zip: reading alone; the import's one pass over each photo
//! (read, BLAKE2b per chunk, seal; a file up to 16 MiB is held while it is
//! hashed, so it is read once), read through `AttachmentSource::Zip`, which
//! opens the zip anew for every read; and opening the zip's directory
//! `--photos` times alone. What the import takes beyond that pass and the
//! process start is SQLite (the sealed chunks written to the WAL, then
//! checkpointed into the vault: twice the bytes), the entries, and the
//! rest. Beside it, the disk's floor: the same number of bytes written once
//! to a plain file and `fsync`ed (then deleted), and the import against the
//! baseline and that floor together: no store that keeps the sealed bytes
//! on disk can take less than both. Each time has its CPU time (user +
//! system, from `getrusage`) beside it, and the ratio is given in CPU time
//! too: on a busy machine the wall-clock times move with the load, the CPU
//! times much less.
//!
//! **Then**: the vault's size on disk after the import beside the photos'
//! bytes, and `Journal::attach` of one 20 MiB file of random bytes to an
//! entry of the imported vault, beside reading and sealing that file alone.
//!
//! Room: the export and the vault take twice the photos' bytes at once
//! (about 6 GiB at the defaults, in the temp folder or `--dir`); they are
//! deleted at the end of the section, whether it ran to the end or not
//! (unless `--keep`). Time: with the defaults (1,000 photos of about 3 MiB,
//! 3 GiB in all) the section took 70 s to 2 minutes on 2 cores (a load of
//! 4 to 7 from other work), over half of it the import, 7 s the
//! generation; `--photos 50` takes under 10 s.

use crate::corpus::{self, Rng};
use crate::extra::feel;
use crate::report::{Target, millis};
use crate::{Bench, PASSPHRASE, dir_size, progress, run_ok};
use anyhow::{Context, Result, bail, ensure};
use chrono::SecondsFormat;
use hearth_core::attachments::read_full;
use hearth_core::{Format, Journal, KdfParams, ListFilter, Vault};
use hearth_crypto::{SymmetricKey, aead, hash};
use hearth_interchange::AttachmentSource;
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

pub const ATTACH: &str = "13. Photos: a Day One export imported, a 20 MiB file attached";

/// Targets: the import against reading and sealing the same bytes, and its
/// peak memory.
const IMPORT_RATIO: f64 = 1.5;
const PEAK_MIB: f64 = 200.0;

/// The file attached on its own.
const BIG_FILE: usize = 20 << 20;
/// The chunk a blob is sealed in (`hearth_store::BLOB_CHUNK_MAX`).
const CHUNK: usize = 1 << 20;
/// What sealing adds to each chunk: the nonce and the tag.
const SEAL_OVERHEAD: u64 = 24 + 16;

/// The first argument that makes this program the peak-memory wrapper.
pub const PEAK_RSS_ARG: &str = "__peak-rss";

/// The generated export.
struct Export {
    zip: PathBuf,
    /// Member name and size of each photo.
    photos: Vec<(String, u64)>,
}

impl Export {
    fn bytes(&self) -> u64 {
        self.photos.iter().map(|p| p.1).sum()
    }

    fn chunks(&self) -> u64 {
        self.photos
            .iter()
            .map(|p| p.1.div_ceil(CHUNK as u64).max(1))
            .sum()
    }
}

impl Bench<'_> {
    pub fn attachments(&mut self) -> Result<()> {
        let dir = self.dir.join("photos");
        std::fs::create_dir_all(&dir)?;
        let result = self.attachments_in(&dir);
        if !self.args.keep {
            progress("photos: deleting the export and the vault");
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                progress(format!("cannot delete {}: {e}", dir.display()));
            }
        }
        result
    }

    fn attachments_in(&mut self, dir: &Path) -> Result<()> {
        let section_started = Instant::now();
        let (n, mib) = (self.args.photos, self.args.photo_mib);
        ensure!(n >= 1, "--photos must be at least 1");
        ensure!(
            mib > 0.0 && mib <= 90.0,
            "--photo-mib must be over 0 and at most 90 (a file in an entry is at most 100 MiB)"
        );
        progress(format!(
            "photos: generating a Day One export of {n} entries with a photo of about {mib} MiB each"
        ));
        let started = Instant::now();
        let export = write_export(&dir.join("dayone.zip"), self.args.seed, n, mib)?;
        let generate = started.elapsed();
        let (bytes, chunks) = (export.bytes(), export.chunks());
        let zip_size = std::fs::metadata(&export.zip)?.len();

        progress("photos: baseline, reading and sealing every photo");
        let key = SymmetricKey::random();
        let (sealed, baseline) = timed(|| read_and_seal(&export, &key))?;
        ensure!(
            sealed == bytes + chunks * SEAL_OVERHEAD,
            "sealed {sealed} bytes, expected {}",
            bytes + chunks * SEAL_OVERHEAD
        );
        progress("photos: the import's pass, apart");
        let ((), read_alone) = timed(|| pass(&export, None))?;
        let ((), one_pass) = timed(|| pass(&export, Some(&key)))?;
        let ((), opens) = timed(|| open_zip(&export.zip, n))?;
        progress("photos: writing the same bytes once to a file, for the disk's floor");
        let floor_file = dir.join("disk-floor.bin");
        let ((), floor) = timed(|| write_once(&floor_file, sealed))?;
        std::fs::remove_file(&floor_file)?;

        let home = dir.join("home");
        let kdf = KdfParams::new(8 * 1024, 1, 1)?;
        drop(Vault::create(&home, PASSPHRASE.as_bytes(), kdf)?);
        let (import, peak_kib, start) = match self.args.hearth.clone() {
            Some(hearth) => {
                progress(format!(
                    "photos: `hearth import --format dayone` of {n} entries, {:.0} MiB of photos",
                    bytes as f64 / 1048576.0
                ));
                let (import, peak, start) = import_process(&hearth, &home, &export, dir, n)?;
                (import, peak, Some(start))
            }
            None => {
                progress(format!(
                    "photos: Journal::import of {n} entries (in this process)"
                ));
                let mut j = Vault::unlock(&home, PASSPHRASE.as_bytes())?.0;
                let (r, t) = timed(|| Ok(j.import(Format::DayOne, &export.zip, |_, _| {})?))?;
                drop(j);
                ensure!(r.imported == n, "imported {} of {n} entries", r.imported);
                (t, None, None)
            }
        };
        let (vault_size, files) = dir_size(&home)?;

        // What was imported, then the large file.
        let mut j = Vault::unlock(&home, PASSPHRASE.as_bytes())?.0;
        check_imported(&j, n, bytes)?;
        progress("photos: attaching a 20 MiB file");
        let big = dir.join("recording.bin");
        write_big_file(&big, self.args.seed)?;
        let (attach, big_baseline) = attach_big(&mut j, &big, &key)?;
        drop(j);

        let ratio = import.wall.as_secs_f64() / baseline.wall.as_secs_f64().max(1e-9);
        let mib_s = |d: Duration| bytes as f64 / 1048576.0 / d.as_secs_f64().max(1e-9);
        let note = |t: &Took| match t.cpu {
            Some(c) => format!("{:.0} MiB/s; CPU {:.0} ms", mib_s(t.wall), millis(c)),
            None => format!("{:.0} MiB/s", mib_s(t.wall)),
        };
        let c = &mut self.report.config;
        c.insert("photos".into(), n.into());
        c.insert("photo_mib".into(), mib.into());
        c.insert("photos_in_zip".into(), "stored".into());

        let r = &mut self.report;
        r.add(
            ATTACH,
            "entries with one photo each",
            n as f64,
            "count",
            None,
        );
        r.add(ATTACH, "photos' bytes", bytes as f64, "B", None).note = Some(format!(
            "{:.2} MiB per photo, {chunks} chunks of at most 1 MiB",
            bytes as f64 / n as f64 / 1048576.0
        ));
        r.add(
            ATTACH,
            "export zip (photos stored, Journal.json deflated)",
            zip_size as f64,
            "B",
            None,
        );
        r.ms(
            ATTACH,
            "generate the export (not in any figure)",
            generate,
            None,
        );
        r.ms(
            ATTACH,
            "baseline: read every photo out of the zip and seal it in 1 MiB chunks",
            baseline.wall,
            None,
        )
        .note = Some(note(&baseline));
        let how = if start.is_some() {
            "hearth import --format dayone, whole process"
        } else {
            "Journal::import, in process"
        };
        r.ms(
            ATTACH,
            format!("import {n} entries and photos ({how})"),
            import.wall,
            None,
        )
        .note = Some(note(&import));
        r.add(
            ATTACH,
            "ratio import / baseline",
            ratio,
            "x",
            Some(Target::below(IMPORT_RATIO)),
        );
        if let (Some(i), Some(b)) = (import.cpu, baseline.cpu) {
            r.add(
                ATTACH,
                "  the same ratio in CPU time (user + system; steadier on a busy machine)",
                i.as_secs_f64() / b.as_secs_f64().max(1e-9),
                "x",
                None,
            );
        }
        match peak_kib {
            Some(kib) => {
                r.add(
                    ATTACH,
                    "peak memory of the import process (ru_maxrss)",
                    kib as f64 * 1024.0,
                    "B",
                    Some(Target::below(PEAK_MIB * 1048576.0)),
                );
            }
            None => r.skipped.push(format!(
                "{ATTACH}: the import's peak memory was not measured; pass --hearth PATH (the release hearth binary) to import in a child process and read its peak"
            )),
        }
        if let Some(s) = start {
            r.ms(
                ATTACH,
                "  of which: process start, unlock (cheap KDF) and close, on the empty vault",
                s,
                None,
            );
        }
        r.ms(
            ATTACH,
            "  for comparison: read every photo out of the zip alone",
            read_alone.wall,
            None,
        )
        .note = Some(note(&read_alone));
        r.ms(
            ATTACH,
            "  import's one pass over the photos (read + BLAKE2b per chunk + seal, zip opened per photo)",
            one_pass.wall,
            None,
        )
        .note = Some(note(&one_pass));
        r.ms(
            ATTACH,
            format!("  of which: open the zip's directory {n} times"),
            opens.wall,
            None,
        );
        let rest = import
            .wall
            .saturating_sub(one_pass.wall + start.unwrap_or_default());
        r.ms(
            ATTACH,
            "  import less that pass and the process start: SQLite writes, entries, the rest",
            rest,
            None,
        )
        .note = match (import.cpu, one_pass.cpu) {
            (Some(i), Some(p)) => Some(format!("CPU {:.0} ms", millis(i.saturating_sub(p)))),
            _ => None,
        };
        r.ms(
            ATTACH,
            "  for comparison: write the sealed bytes once to a file and fsync (the disk's floor)",
            floor.wall,
            None,
        )
        .note = Some(format!(
            "{:.0} MiB/s, {:.2}x the baseline",
            mib_s(floor.wall),
            floor.wall.as_secs_f64() / baseline.wall.as_secs_f64().max(1e-9)
        ));
        r.add(
            ATTACH,
            "  ratio import / (baseline + the disk's floor): reading, sealing and storing once",
            import.wall.as_secs_f64() / (baseline.wall + floor.wall).as_secs_f64().max(1e-9),
            "x",
            None,
        );
        r.add(
            ATTACH,
            format!("vault on disk after the import ({})", files.join(", ")),
            vault_size as f64,
            "B",
            None,
        );
        r.add(
            ATTACH,
            "vault on disk / photos' bytes",
            vault_size as f64 / bytes as f64,
            "x",
            None,
        )
        .note = Some(format!(
            "{:.1} MiB more",
            (vault_size as f64 - bytes as f64) / 1048576.0
        ));
        r.ms(
            ATTACH,
            "attach one 20 MiB file (Journal::attach, imported vault)",
            attach.wall,
            None,
        )
        .note = Some(match attach.cpu {
            Some(c) => format!("{}; CPU {:.0} ms", feel(millis(attach.wall)), millis(c)),
            None => feel(millis(attach.wall)).to_string(),
        });
        r.ms(
            ATTACH,
            "  for comparison: read and seal that file alone",
            big_baseline.wall,
            None,
        );
        r.ms(
            ATTACH,
            "this section in all (generation, every run, checks; not the clean-up)",
            section_started.elapsed(),
            None,
        );
        Ok(())
    }
}

/// A wall-clock time, and the CPU time (user + system) spent in it when
/// the platform tells.
#[derive(Debug, Clone, Copy, Default)]
struct Took {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Run `f` in this process, timed.
fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Took)> {
    let cpu = cpu_time(false);
    let started = Instant::now();
    let out = f()?;
    let wall = started.elapsed();
    let cpu = match (cpu, cpu_time(false)) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    Ok((out, Took { wall, cpu }))
}

/// User + system CPU time of this process, or of the children waited for.
#[cfg(unix)]
fn cpu_time(children: bool) -> Option<Duration> {
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    let who = if children {
        UsageWho::RUSAGE_CHILDREN
    } else {
        UsageWho::RUSAGE_SELF
    };
    let u = getrusage(who).ok()?;
    let us = u.user_time().num_microseconds() + u.system_time().num_microseconds();
    Some(Duration::from_micros(u64::try_from(us).ok()?))
}

#[cfg(not(unix))]
fn cpu_time(_children: bool) -> Option<Duration> {
    None
}

// --- the export -------------------------------------------------------------

fn fill(rng: &mut Rng, buf: &mut [u8]) {
    for c in buf.chunks_mut(8) {
        let x = rng.next_u64().to_le_bytes();
        c.copy_from_slice(&x[..c.len()]);
    }
}

/// A JFIF header: enough for `infer` (and anyone) to call it a JPEG.
const JPEG_HEAD: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
const JPEG_END: &[u8] = b"\xff\xd9";

fn write_export(path: &Path, seed: u64, n: usize, mib: f64) -> Result<Export> {
    let entries = corpus::journal(seed ^ 0x5048_4f54_4f53, n, 40);
    let mut rng = Rng::new(seed ^ 0x4441_594f_4e45);
    let unit = (mib * 1048576.0) as u64;
    let mut photos = Vec::with_capacity(n);
    let mut json = Vec::with_capacity(n);
    for e in &entries {
        let md5 = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
        let identifier = format!("{:016X}{:016X}", rng.next_u64(), rng.next_u64());
        let uuid = format!("{:016X}{:016X}", rng.next_u64(), rng.next_u64());
        let size = (unit * 15 / 16 + rng.next_u64() % (unit / 8).max(1))
            .max((JPEG_HEAD.len() + JPEG_END.len()) as u64);
        let date = e.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        json.push(serde_json::json!({
            "uuid": uuid,
            "creationDate": date,
            "modifiedDate": date,
            "text": format!("{}\n\n{}\n\n![](dayone-moment://{identifier})", e.title, e.body),
            "starred": e.starred,
            "tags": e.tags,
            "photos": [{"identifier": identifier, "md5": md5, "type": "jpeg", "orderInMoment": 0}],
        }));
        photos.push((format!("photos/{md5}.jpeg"), size));
    }
    let journal = serde_json::json!({"metadata": {"version": "1.0"}, "entries": json});

    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut z = zip::ZipWriter::new(BufWriter::with_capacity(CHUNK, file));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("Journal.json", deflated)?;
    serde_json::to_writer(&mut z, &journal)?;
    z.add_directory("photos/", stored)?;
    let mut buf = vec![0u8; CHUNK];
    for (i, (member, size)) in photos.iter().enumerate() {
        z.start_file(member.as_str(), stored)?;
        let mut rng = Rng::new(seed.wrapping_add(i as u64).wrapping_mul(0x9E37_79B9));
        let mut left = *size as usize;
        let mut first = true;
        while left > 0 {
            let n = left.min(CHUNK);
            let b = &mut buf[..n];
            fill(&mut rng, b);
            if first {
                b[..JPEG_HEAD.len()].copy_from_slice(JPEG_HEAD);
                first = false;
            }
            if n == left {
                b[n - JPEG_END.len()..].copy_from_slice(JPEG_END);
            }
            z.write_all(b)?;
            left -= n;
        }
    }
    // On disk before anything is timed, so that no write-back of it runs
    // under the figures.
    let file = z.finish()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(Export {
        zip: path.to_path_buf(),
        photos,
    })
}

/// Write `bytes` (random) to a new file, 1 MiB at a time, and make them
/// durable.
fn write_once(path: &Path, bytes: u64) -> Result<()> {
    let mut f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut buf = vec![0u8; CHUNK];
    fill(&mut Rng::new(bytes), &mut buf);
    let mut left = bytes;
    while left > 0 {
        let n = left.min(CHUNK as u64) as usize;
        f.write_all(&buf[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    Ok(())
}

fn write_big_file(path: &Path, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed ^ 0x0042_4947_4649_4c45);
    let mut buf = vec![0u8; BIG_FILE];
    fill(&mut rng, &mut buf);
    std::fs::write(path, &buf).with_context(|| format!("cannot write {}", path.display()))
}

// --- reading and sealing ----------------------------------------------------

/// Additional data the size of a blob chunk's.
fn aad(index: u32, last: bool) -> Vec<u8> {
    let mut a = b"hearth/blob/v1".to_vec();
    a.extend_from_slice(&[7u8; 32]);
    a.extend_from_slice(&index.to_be_bytes());
    a.push(u8::from(last));
    a
}

/// Read `r` to its end a chunk at a time; `work` gets each chunk, its index
/// and whether it is the last. Returns the bytes read.
fn chunked(
    r: &mut dyn Read,
    buf: &mut [u8],
    mut work: impl FnMut(&[u8], u32, bool),
) -> std::io::Result<u64> {
    let mut total = 0;
    let mut index = 0;
    loop {
        let n = read_full(r, buf)?;
        let last = n < buf.len();
        if n > 0 || index == 0 {
            work(&buf[..n], index, last);
        }
        total += n as u64;
        index += 1;
        if last {
            return Ok(total);
        }
    }
}

/// The baseline: every photo read out of the zip (opened once) and sealed
/// chunk by chunk; returns the sealed bytes.
fn read_and_seal(export: &Export, key: &SymmetricKey) -> Result<u64> {
    let mut zip = zip::ZipArchive::new(BufReader::new(File::open(&export.zip)?))?;
    let mut buf = vec![0u8; CHUNK];
    let mut sealed = 0u64;
    for (member, _) in &export.photos {
        let mut r = zip.by_name(member)?;
        chunked(&mut r, &mut buf, |chunk, i, last| {
            sealed += aead::seal(key, &aad(i, last), chunk).len() as u64;
        })?;
    }
    Ok(sealed)
}

/// Every photo read through `AttachmentSource::Zip` as the import reads
/// it; with a key, each chunk hashed and sealed as the import does.
fn pass(export: &Export, key: Option<&SymmetricKey>) -> Result<()> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    let mut check = 0u8;
    for (member, _) in &export.photos {
        let source = AttachmentSource::Zip {
            archive: export.zip.clone(),
            member: member.clone(),
        };
        total += source.read_with(|r| {
            chunked(r, &mut buf, |chunk, i, last| {
                if let Some(k) = key {
                    check ^= hash(&[chunk])[0];
                    check ^= aead::seal(k, &aad(i, last), chunk)[0];
                }
            })
        })?;
    }
    std::hint::black_box(check);
    ensure!(total == export.bytes(), "read {total} bytes");
    Ok(())
}

/// Open the zip and read its directory `times` times.
fn open_zip(path: &Path, times: usize) -> Result<()> {
    for _ in 0..times {
        let z = zip::ZipArchive::new(BufReader::new(File::open(path)?))?;
        std::hint::black_box(z.len());
    }
    Ok(())
}

// --- the import, in a child process -----------------------------------------

/// `hearth import` of the export in a child process: its wall-clock and CPU
/// time, its peak resident set in KiB (when the platform tells), and the
/// time of the same process start, unlock and close on the empty vault.
fn import_process(
    hearth: &Path,
    home: &Path,
    export: &Export,
    dir: &Path,
    n: usize,
) -> Result<(Took, Option<u64>, Duration)> {
    let cmd = |args: &[&str]| {
        let mut c = Command::new(hearth);
        c.args(args)
            .env("HEARTH_HOME", home)
            .env("HEARTH_PASSPHRASE", PASSPHRASE)
            .env("NO_COLOR", "1");
        c
    };
    // Process start and unlock, on the empty vault: best of 3.
    let mut start = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        run_ok(&mut cmd(&["list", "--json", "--limit", "1"]))?;
        start = start.min(started.elapsed());
    }

    // The import, under this program as a wrapper that reads its peak.
    let out = dir.join("peak-rss.txt");
    let mut wrapper = Command::new(std::env::current_exe()?);
    wrapper
        .arg(PEAK_RSS_ARG)
        .arg(&out)
        .arg(hearth)
        .args(["import", "--format", "dayone", "--json"])
        .arg(&export.zip)
        .env("HEARTH_HOME", home)
        .env("HEARTH_PASSPHRASE", PASSPHRASE)
        .env("NO_COLOR", "1");
    let output = run_ok(&mut wrapper)?;
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading `hearth import --json`")?;
    let imported = report.get("imported").and_then(serde_json::Value::as_u64);
    ensure!(
        imported == Some(n as u64),
        "hearth import imported {imported:?} of {n} entries"
    );
    let measured = std::fs::read_to_string(&out)?;
    let figures: Vec<u64> = measured
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .context("reading what the wrapper measured")?;
    let [peak, wall, cpu] = figures[..] else {
        bail!("the wrapper wrote {measured:?}");
    };
    let took = Took {
        wall: Duration::from_nanos(wall),
        cpu: (cpu > 0).then(|| Duration::from_micros(cpu)),
    };
    Ok((took, (peak > 0).then_some(peak), start))
}

/// `hearth-bench __peak-rss OUT PROGRAM ARGS…`: run PROGRAM, wait for it,
/// and write to OUT its peak resident set in KiB, its wall-clock time in
/// nanoseconds and its CPU time (user + system) in microseconds (0 when
/// unknown). Exits as PROGRAM did.
pub fn peak_rss_main(args: &[OsString]) -> ExitCode {
    match peak_rss_run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hearth-bench {PEAK_RSS_ARG}: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn peak_rss_run(args: &[OsString]) -> Result<ExitCode> {
    let [out, program, rest @ ..] = args else {
        bail!("usage: hearth-bench {PEAK_RSS_ARG} OUT PROGRAM [ARGS...]");
    };
    let started = Instant::now();
    let status = Command::new(program)
        .args(rest)
        .status()
        .with_context(|| format!("cannot run {}", Path::new(program).display()))?;
    let took = started.elapsed();
    let kib = children_peak_rss_kib()?;
    let cpu = cpu_time(true).map_or(0, |c| c.as_micros());
    std::fs::write(out, format!("{kib} {} {cpu}\n", took.as_nanos()))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1).max(1)),
        None => ExitCode::from(1),
    })
}

/// The largest peak resident set of the children waited for, in KiB.
#[cfg(unix)]
fn children_peak_rss_kib() -> Result<u64> {
    use nix::sys::resource::{UsageWho, getrusage};
    let max = u64::try_from(getrusage(UsageWho::RUSAGE_CHILDREN)?.max_rss()).unwrap_or(0);
    // KiB on Linux and the BSDs, bytes on macOS.
    Ok(if cfg!(target_os = "macos") {
        max / 1024
    } else {
        max
    })
}

#[cfg(not(unix))]
fn children_peak_rss_kib() -> Result<u64> {
    Ok(0)
}

// --- checks and the large file ----------------------------------------------

/// Every entry is there with its one photo, and the photos add up.
fn check_imported(j: &Journal, n: usize, bytes: u64) -> Result<()> {
    let entries = j.list(&ListFilter::default())?;
    ensure!(
        entries.len() == n,
        "the vault holds {} entries",
        entries.len()
    );
    let photos: Vec<_> = entries.iter().flat_map(|e| &e.attachments).collect();
    ensure!(
        photos.len() == n && photos.iter().all(|a| a.media_type == "image/jpeg"),
        "the entries hold {} attachments, not {n} JPEG photos",
        photos.len()
    );
    let stored: u64 = photos.iter().map(|a| a.size).sum();
    ensure!(
        stored == bytes,
        "the photos hold {stored} bytes, not {bytes}"
    );
    Ok(())
}

/// Attach the file to the newest entry; the time, and reading and sealing
/// it alone.
fn attach_big(j: &mut Journal, file: &Path, key: &SymmetricKey) -> Result<(Took, Took)> {
    let newest = j
        .list(&ListFilter {
            limit: Some(1),
            ..Default::default()
        })?
        .first()
        .map(|e| e.id.to_string())
        .context("no entry to attach to")?;
    let (attached, attach) = timed(|| Ok(j.attach(&newest, &[file.to_path_buf()])?))?;
    ensure!(
        attached.len() == 1 && attached[0].size == BIG_FILE as u64,
        "attached {attached:?}"
    );

    let (sealed, alone) = timed(|| {
        let mut buf = vec![0u8; CHUNK];
        let mut sealed = 0u64;
        chunked(&mut File::open(file)?, &mut buf, |chunk, i, last| {
            sealed += aead::seal(key, &aad(i, last), chunk).len() as u64;
        })?;
        Ok(sealed)
    })?;
    std::hint::black_box(sealed);
    Ok((attach, alone))
}
