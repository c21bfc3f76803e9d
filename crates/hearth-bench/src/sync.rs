//! Section 11: two devices over the network (iroh on loopback). The device
//! holding the generated journal (section 10's first device) and a new,
//! empty device of the same journal converge; beside that, in the same run,
//! the same bytes through a bare iroh stream and section 10's figure for
//! checking and storing the same ops read locally. Then: what an exchange
//! costs when both are already equal, how long a write on one takes to be
//! visible on the other while both nodes run, and pairing a new device.

use crate::extra::{RECEIVE, feel};
use crate::report::{Target, millis};
use crate::{Bench, PASSPHRASE, progress};
use anyhow::{Context, Result, ensure};
use hearth_core::network::{self, NetOptions, Network, PeerAddress, SharedJournal};
use hearth_core::{BackupKey, EntryDraft, KdfParams, Vault};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SYNC: &str = "11. Two devices over loopback (iroh, relays off)";

impl Bench<'_> {
    pub fn sync(&mut self) -> Result<()> {
        let n = self.args.entries;
        progress(format!(
            "sync: an empty device takes {n} entries over the network"
        ));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let kdf = KdfParams::new(8 * 1024, 1, 1)?;
        let first_home = self.dir.join("device-a");
        let empty_home = self.dir.join("device-c");
        Vault::restore_backup(
            &self.dir.join("empty.hearth-backup"),
            &empty_home,
            BackupKey::Passphrase(PASSPHRASE.as_bytes()),
        )?;
        let first: SharedJournal = Arc::new(Mutex::new(
            Vault::unlock(&first_home, PASSPHRASE.as_bytes())?.0,
        ));
        let empty: SharedJournal = Arc::new(Mutex::new(
            Vault::unlock(&empty_home, PASSPHRASE.as_bytes())?.0,
        ));
        // The first device learns of the new one (its certificate), as
        // pairing would have told it.
        {
            let theirs = network::lock(&first).version_vector()?;
            let cert = network::lock(&empty).ops_missing_from(&theirs, usize::MAX)?;
            network::lock(&first).receive(cert)?;
        }
        let ops_bytes = self.figure(RECEIVE, "their bytes (fields, sealed payloads, signatures)");
        let local_apply = self.figure(
            RECEIVE,
            "check, store, merge and seal views, in batches of 1000",
        );
        rt.block_on(async {
            let net_a = Arc::new(Network::start(first.clone(), &NetOptions::default(), None).await?);
            let net_c = Network::start(empty.clone(), &NetOptions::default(), None).await?;
            let at_a = PeerAddress::parse(&net_a.ticket())?;

            let started = Instant::now();
            let report = net_c.sync_peer(&at_a).await?;
            let converge = started.elapsed();
            ensure!(
                network::lock(&empty).len() == n,
                "the new device holds {} entries, not {n}",
                network::lock(&empty).len()
            );
            let wire = (report.bytes_sent + report.bytes_received) as f64;
            let raw = hearth_sync::raw::transfer(wire as usize).await?;
            let row = self.report.ms(SYNC, "converge: dial, exchange, check and store everything", converge, None);
            row.note = Some(feel(millis(converge)).to_string());
            self.report.ms(SYNC, "(a) the same bytes through a bare iroh stream", raw, None);
            self.report.add(SYNC, "(b) the same ops checked and stored, read locally (section 10)", local_apply, "ms", None);
            self.report.add(
                SYNC,
                "converge / ((a) + (b))",
                millis(converge) / (millis(raw) + local_apply),
                "x",
                Some(Target::at_most(1.5)),
            );
            self.report.add(SYNC, "bytes on the wire, both ways (sync protocol)", wire, "B", None);
            self.report.add(SYNC, "bytes on the wire / the ops' own bytes", wire / ops_bytes.max(1.0), "x", Some(Target::at_most(1.2)));

            let again = net_c.sync_peer(&at_a).await?;
            ensure!(again.sent + again.received == 0, "an exchange right after moved ops");
            self.report.add(
                SYNC,
                "an exchange when both are equal, bytes each way (one scope)",
                again.bytes_sent as f64,
                "B",
                Some(Target::below(1024.0)),
            );

            // Both nodes up; a write on the first shows on the other.
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let pusher = net_a.clone();
            let serving = tokio::spawn(async move {
                pusher
                    .serve_until(async {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
            // Let the first node's push loop settle (it dials the other once
            // at start, finding both equal).
            tokio::time::sleep(Duration::from_millis(800)).await;
            let mut times = Vec::new();
            for i in 0..5 {
                let before = network::lock(&empty).len();
                let started = Instant::now();
                network::lock(&first).write(EntryDraft {
                    body: format!("written while both run, {i}"),
                    ..Default::default()
                })?;
                loop {
                    if network::lock(&empty).len() > before {
                        break;
                    }
                    ensure!(started.elapsed() < Duration::from_secs(30), "the write never arrived");
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                times.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let _ = stop_tx.send(());
            let _ = serving.await;
            times.sort();
            let median = times[times.len() / 2];
            self.report.ms(SYNC, "a write on one, visible on the other (median of 5; the push loop polls every 250 ms)", median, Some(500.0));

            // Pairing a third device: dial to welcome, then its vault.
            let join_home = self.dir.join("device-d");
            let invite = Arc::new(Network::start(first.clone(), &NetOptions::default(), Some(Arc::new(|_: &str, _: &str| true))).await?);
            let ticket = invite.invite(Duration::from_secs(600));
            let started = Instant::now();
            let joined = network::join(&join_home, PASSPHRASE.as_bytes(), kdf, &ticket, "Bench", |_| true).await?;
            let total = started.elapsed();
            joined.first_sync.as_ref().map_err(|e| anyhow::anyhow!("{e}")).context("the first sync after pairing")?;
            self.report.ms(SYNC, "pairing: dial, prove the secret, compare codes, welcome", joined.timings.handshake, None);
            self.report.ms(SYNC, "pairing: the new device's vault (Argon2id at 8 MiB, 1 pass, included)", joined.timings.vault, None);
            self.report.ms(SYNC, "pairing and taking in the whole journal, in all", total, None);
            if let Ok(invite) = Arc::try_unwrap(invite) {
                invite.shutdown().await;
            }
            net_c.shutdown().await;
            if let Ok(net_a) = Arc::try_unwrap(net_a) {
                net_a.shutdown().await;
            }
            Ok(())
        })
    }
}
