//! Section 12: a circle of 12 people over the network (iroh on loopback).
//! Eleven people, each with their own journal, are in a circle where each
//! shared 100 entries; a twelfth joins (the agreements accepted, the
//! welcome, the first exchange bringing the whole circle) and opens
//! everything; then the owner removes a member, which moves the circle to
//! a new key epoch wrapped to every remaining member's device.

use crate::corpus;
use crate::{Bench, progress};
use anyhow::{Result, ensure};
use hearth_core::circles::NewCircle;
use hearth_core::network::{self, NetOptions, Network, PeerAddress, SharedJournal};
use hearth_core::{EntryDraft, KdfParams, Vault};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const CIRCLE: &str = "12. A circle of 12 people over loopback (iroh, relays off)";

/// Entries each member shares.
const SHARED_EACH: usize = 100;
/// People in the circle once the last one joined.
const PEOPLE: usize = 12;

impl Bench<'_> {
    pub fn circle(&mut self) -> Result<()> {
        progress(format!(
            "circle: {} people sharing {SHARED_EACH} entries each, then one more joins",
            PEOPLE - 1
        ));
        let kdf = KdfParams::new(8 * 1024, 1, 1)?;
        let mut people: Vec<SharedJournal> = Vec::new();
        for i in 0..PEOPLE {
            let home = self.dir.join(format!("circle-{i}"));
            people.push(Arc::new(Mutex::new(Vault::create(
                &home,
                b"circle bench",
                kdf,
            )?)));
        }
        let made = network::lock(&people[0]).create_circle(&NewCircle {
            name: "Bench circle".into(),
            about: "Twelve people supporting each other".into(),
            agreements: "Listen first. What is said here stays here.".into(),
            as_name: "Person 0".into(),
        })?;
        let circle = made.id.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let entries = corpus::journal(self.args.seed, SHARED_EACH * (PEOPLE - 1), 80);
        rt.block_on(async {
            let owner = Network::start(people[0].clone(), &NetOptions::default(), None).await?;
            let at_owner = PeerAddress::parse(&owner.ticket())?;
            // Everyone but the last joins, and shares.
            for (i, j) in people.iter().enumerate().take(PEOPLE - 1) {
                let net = Network::start(j.clone(), &NetOptions::default(), None).await?;
                if i > 0 {
                    let invitation = owner.invite_to_circle(&circle, Duration::from_secs(600))?;
                    let joined = net
                        .join_circle(&invitation.ticket, &format!("Person {i}"), |_| true)
                        .await?;
                    let joined =
                        joined.ok_or_else(|| anyhow::anyhow!("person {i} did not join"))?;
                    joined
                        .first_sync
                        .map_err(|e| anyhow::anyhow!("person {i}'s first exchange: {e}"))?;
                }
                for e in &entries[i * SHARED_EACH..(i + 1) * SHARED_EACH] {
                    let mut j = network::lock(j);
                    let written = j.write(EntryDraft {
                        title: e.title.clone(),
                        body: e.body.clone(),
                        mood: e.mood,
                        feelings: e.feelings.clone(),
                        tags: e.tags.clone(),
                        starred: false,
                        created_at: Some(e.created_at),
                    })?;
                    j.share(&written.id.to_string(), &circle, None)?;
                }
                if i > 0 {
                    net.sync_peer(&at_owner).await?;
                }
                net.shutdown().await;
            }
            ensure!(
                network::lock(&people[0])
                    .circle_feed(&circle, true)?
                    .entries
                    .len()
                    == SHARED_EACH * (PEOPLE - 1),
                "the owner does not hold every shared entry"
            );

            // The twelfth person joins and opens everything.
            let newcomer = &people[PEOPLE - 1];
            let net = Network::start(newcomer.clone(), &NetOptions::default(), None).await?;
            let invitation = owner.invite_to_circle(&circle, Duration::from_secs(600))?;
            let started = Instant::now();
            let joined = net
                .join_circle(&invitation.ticket, "Newcomer", |_| true)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the newcomer did not join"))?;
            let received = started.elapsed();
            let report = joined
                .first_sync
                .map_err(|e| anyhow::anyhow!("the newcomer's first exchange: {e}"))?;
            let opened_at = Instant::now();
            let feed = network::lock(newcomer).circle_feed(&circle, true)?;
            let opened = opened_at.elapsed();
            ensure!(
                feed.entries.len() == SHARED_EACH * (PEOPLE - 1)
                    && feed.entries.iter().all(|e| e.body.is_some()),
                "the newcomer opened {} of {} entries",
                feed.entries.len(),
                SHARED_EACH * (PEOPLE - 1)
            );
            net.shutdown().await;
            self.report.add(
                CIRCLE,
                format!(
                    "a new member: shared entries received ({} people, {SHARED_EACH} each)",
                    PEOPLE - 1
                ),
                feed.entries.len() as f64,
                "entries",
                None,
            );
            self.report.ms(
                CIRCLE,
                "a new member: join (agreements, welcome) and take in the whole circle",
                received,
                None,
            );
            self.report.add(
                CIRCLE,
                "a new member: bytes received in that exchange",
                report.bytes_received as f64,
                "B",
                None,
            );
            self.report.ms(
                CIRCLE,
                "a new member: open everything (the whole feed, decrypted)",
                opened,
                None,
            );
            self.report.ms(
                CIRCLE,
                "a new member: received and opened, in all",
                received + opened,
                None,
            );

            // The owner removes a member: a new epoch for the other eleven.
            // A remaining member is up to date first, so that what it takes
            // in afterwards is the removal alone.
            let member = Network::start(people[1].clone(), &NetOptions::default(), None).await?;
            member.sync_peer(&at_owner).await?;
            let before = network::lock(&people[0]).version_vector()?;
            let started = Instant::now();
            network::lock(&people[0]).remove_member(&circle, "Person 5")?;
            let removed = started.elapsed();
            let added = network::lock(&people[0]).ops_missing_from(&before, usize::MAX)?;
            let bytes: usize = added
                .iter()
                .map(|o| o.payload.len() + o.signature.len() + 16 + 32 + 8 + 4 + 16 + 1 + 32 + 32)
                .sum();
            self.report.ms(
                CIRCLE,
                "remove a member: the statement and a new key wrapped to the rest",
                removed,
                None,
            );
            self.report.add(
                CIRCLE,
                "remove a member: ops it adds",
                added.len() as f64,
                "ops",
                None,
            );
            self.report.add(
                CIRCLE,
                "remove a member: bytes it adds (ops as stored and sent)",
                bytes as f64,
                "B",
                None,
            );
            let started = Instant::now();
            member.sync_peer(&at_owner).await?;
            let took = started.elapsed();
            member.shutdown().await;
            ensure!(
                network::lock(&people[1]).circle(&circle)?.epoch
                    == network::lock(&people[0]).circle(&circle)?.epoch,
                "a remaining member did not take the new key"
            );
            self.report.ms(
                CIRCLE,
                "a remaining member takes in the removal and the new key",
                took,
                None,
            );
            owner.shutdown().await;
            Ok(())
        })
    }
}
