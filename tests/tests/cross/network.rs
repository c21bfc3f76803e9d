//! Devices meeting over the network (hearth-core's `Network` on real iroh
//! endpoints, on loopback, in a network namespace of the test's own), and
//! the exchange itself over an in-memory stream where one side misbehaves
//! or the stream is cut.

use hearth_core::backup::BackupKey;
use hearth_core::circles::NewCircle;
use hearth_core::network::{self, NetOptions, Network, SharedJournal};
use hearth_core::{CoreError, EntryDraft, Journal, KdfParams, ListFilter, OpRecord, Vault};
use hearth_sync::session::{self, Outcome};
use hearth_sync::{Allowlist, Node, NodeOptions, PairTicket, Replica, ReplicaError, SessionError};
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::AsyncWrite;

pub(crate) fn cheap() -> KdfParams {
    KdfParams::new(8 * 1024, 1, 1).unwrap()
}

/// Move the calling thread (and what it starts: the runtime's threads, any
/// process) into a new network namespace holding only loopback. Where the
/// machine does not allow it, say so: every address dialled below is one a
/// node of this test printed.
pub(crate) fn loopback_only() {
    match nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET) {
        Ok(()) => {
            let up = std::process::Command::new("ip")
                .args(["link", "set", "lo", "up"])
                .status();
            assert!(up.is_ok_and(|s| s.success()), "loopback comes up");
        }
        Err(e) => {
            eprintln!("note: no network namespace here ({e}); running on the machine's loopback")
        }
    }
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub(crate) fn shared(j: Journal) -> SharedJournal {
    Arc::new(Mutex::new(j))
}

fn count(j: &SharedJournal) -> usize {
    network::lock(j).len()
}

#[test]
fn a_refused_code_a_wrong_or_used_ticket_and_an_expired_one_change_nothing() {
    loopback_only();
    let dir = tempfile::tempdir().unwrap();
    let a = shared(Vault::create(&dir.path().join("a"), b"pw", cheap()).unwrap());
    network::lock(&a)
        .write(EntryDraft {
            body: "the journal".into(),
            ..Default::default()
        })
        .unwrap();
    let accept_here = Arc::new(AtomicBool::new(false));
    let answer = accept_here.clone();
    let confirm = Arc::new(move |_: &str, _: &str| answer.load(Ordering::SeqCst));
    let rt = runtime();
    rt.block_on(async {
        let net = Network::start(a.clone(), &NetOptions::default(), Some(confirm))
            .await
            .unwrap();
        let join = |home: &str, ticket: String, yes: bool| {
            let home = dir.path().join(home);
            async move {
                network::join(&home, b"pw2", cheap(), &ticket, "New", move |_| yes)
                    .await
                    .map(|_| ())
            }
        };
        let error = |r: Result<(), CoreError>| r.unwrap_err().to_string();

        // Refused on the existing device.
        let ticket = net.invite(Duration::from_secs(600));
        let e = error(join("b1", ticket, true).await);
        assert!(e.contains("refused on the other device"), "{e}");
        // Refused on the new device.
        let ticket = net.invite(Duration::from_secs(600));
        let e = error(join("b2", ticket, false).await);
        assert!(e.contains("refused here"), "{e}");
        // A wrong secret is answered, and the invitation stays open.
        accept_here.store(true, Ordering::SeqCst);
        let ticket = net.invite(Duration::from_secs(600));
        let mut wrong = PairTicket::parse(&ticket).unwrap();
        wrong.secret[0] ^= 1;
        let e = error(join("b3", wrong.to_string(), true).await);
        assert!(e.contains("does not know this ticket"), "{e}");
        for home in ["b1", "b2", "b3"] {
            assert!(!Vault::exists(&dir.path().join(home)), "{home}: no journal");
        }
        assert_eq!(
            network::lock(&a).devices().len(),
            1,
            "no device was admitted"
        );

        // The right ticket then works, once, in capitals too (as its QR
        // code carries it).
        join("b4", ticket.to_ascii_uppercase(), true).await.unwrap();
        assert_eq!(network::lock(&a).devices().len(), 2);
        let e = error(join("b5", ticket, true).await);
        assert!(e.contains("already used"), "{e}");
        // An expired ticket is refused before anything is dialled.
        let e = error(join("b6", net.invite(Duration::ZERO), true).await);
        assert!(e.contains("expired"), "{e}");
        for home in ["b5", "b6"] {
            assert!(!Vault::exists(&dir.path().join(home)), "{home}: no journal");
        }
        net.shutdown().await;
    });
    let b = Vault::unlock(&dir.path().join("b4"), b"pw2").unwrap().0;
    assert_eq!(b.len(), 1, "the paired device holds the journal");
    assert_eq!(network::lock(&a).devices().len(), 2);
}

#[test]
fn a_device_that_is_not_trusted_is_refused_by_the_device_it_dials() {
    loopback_only();
    let dir = tempfile::tempdir().unwrap();
    let a = shared(Vault::create(&dir.path().join("a"), b"pw", cheap()).unwrap());
    let stranger = shared(Vault::create(&dir.path().join("s"), b"pw", cheap()).unwrap());
    network::lock(&stranger)
        .write(EntryDraft {
            body: "not yours".into(),
            ..Default::default()
        })
        .unwrap();
    runtime().block_on(async {
        let net = Network::start(a.clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        let e = dial_as_stranger(&net, &stranger).await;
        assert!(e.contains("does not know this device"), "{e}");
        net.shutdown().await;
    });
    assert_eq!(count(&a), 0, "nothing reached the dialled device");
}

/// Dial `net` from a node of `stranger`'s journal (a device key of its own)
/// whose own allowlist lets the connection out; why the exchange failed.
pub(crate) async fn dial_as_stranger(net: &Network, stranger: &SharedJournal) -> String {
    let target = hearth_sync::node::parse_address_ticket(&net.ticket()).unwrap();
    let own = Allowlist::default();
    own.insert(*target.id.as_bytes());
    let node = Node::spawn(
        &NodeOptions::direct([7; 32]),
        network::replica(stranger.clone()),
        own,
        None,
        None,
        None,
    )
    .await
    .unwrap();
    let e = node.sync_with(target).await.unwrap_err().to_string();
    node.shutdown().await;
    e
}

/// A first device, and a second made from its backup while it was empty.
fn two_devices(dir: &Path) -> (SharedJournal, SharedJournal) {
    let a = Vault::create(&dir.join("a"), b"pw", cheap()).unwrap();
    let file = dir.join("empty.hearth-backup");
    a.backup(&file).unwrap();
    Vault::restore_backup(&file, &dir.join("b"), BackupKey::Passphrase(b"pw")).unwrap();
    let b = Vault::unlock(&dir.join("b"), b"pw").unwrap().0;
    (shared(a), shared(b))
}

fn write(j: &SharedJournal, n: usize) {
    let mut j = network::lock(j);
    for i in 0..n {
        j.write(EntryDraft {
            body: format!("entry {i}"),
            ..Default::default()
        })
        .unwrap();
    }
}

/// One exchange between A and B (each a replica and its device id) over an
/// in-memory pipe, A's writes cut after `cut_after` bytes if given.
async fn exchange(
    (a, a_id): (Arc<dyn Replica>, [u8; 32]),
    (b, b_id): (Arc<dyn Replica>, [u8; 32]),
    cut_after: Option<usize>,
) -> (Result<Outcome, SessionError>, Result<Outcome, SessionError>) {
    let (a_end, b_end) = tokio::io::duplex(64 << 10);
    let (a_read, a_write) = tokio::io::split(a_end);
    let (mut b_read, mut b_write) = tokio::io::split(b_end);
    let mut a_write = Cut {
        inner: a_write,
        left: cut_after.unwrap_or(usize::MAX),
    };
    let mut a_read = a_read;
    tokio::join!(
        session::run(&mut a_read, &mut a_write, a, b_id),
        session::run(&mut b_read, &mut b_write, b, a_id)
    )
}

/// A journal's side of an exchange: its replica and its device id.
fn side(j: &SharedJournal) -> (Arc<dyn Replica>, [u8; 32]) {
    (network::replica(j.clone()), network::lock(j).device_id())
}

/// A writer whose stream breaks after `left` bytes.
struct Cut<W> {
    inner: W,
    left: usize,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Cut<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.left == 0 {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "cut",
            )));
        }
        let n = buf.len().min(self.left);
        match Pin::new(&mut self.inner).poll_write(cx, &buf[..n]) {
            Poll::Ready(Ok(n)) => {
                self.left -= n;
                if self.left == 0 {
                    let _ = Pin::new(&mut self.inner).poll_shutdown(cx);
                }
                Poll::Ready(Ok(n))
            }
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[test]
fn a_transfer_cut_in_the_middle_resumes_without_gaps_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_devices(dir.path());
    write(&a, 1300);
    let rt = runtime();
    // Cut a little after the first batch of ops (Hello and Vector take
    // under 200 bytes before it).
    let first_batch = {
        let theirs = network::lock(&b).version_vector().unwrap();
        let ops = network::lock(&a)
            .ops_missing_from(&theirs, usize::MAX)
            .unwrap();
        let ops: Vec<_> = ops
            .into_iter()
            .map(|o| hearth_sync::Op::try_from(o).unwrap())
            .collect();
        hearth_sync::Message::batches(ops)[0]
            .encode()
            .unwrap()
            .len()
    };
    let (ra, rb) = (side(&a), side(&b));
    let (_, cut) = rt.block_on(exchange(ra.clone(), rb.clone(), Some(first_batch + 1000)));
    assert!(matches!(cut, Err(SessionError::Io(_))), "{cut:?}");
    let part = count(&b);
    assert!(
        part > 0 && part < 1300,
        "the whole first batch was stored: {part}"
    );

    let (sent, got) = rt.block_on(exchange(ra, rb, None));
    let (sent, got) = (sent.unwrap(), got.unwrap());
    assert_eq!(got.received.duplicates, 0, "nothing came twice");
    assert_eq!(got.received.stored + part, 1300, "nothing is missing");
    assert!(sent.equal() && got.equal());
    let (a, b) = (network::lock(&a), network::lock(&b));
    assert_eq!(a.version_vector().unwrap(), b.version_vector().unwrap());
    let all = |j: &Journal| -> Vec<_> {
        j.list(&ListFilter::default())
            .unwrap()
            .into_iter()
            .cloned()
            .collect()
    };
    assert_eq!(all(&a), all(&b));
}

/// A's side, serving what A holds with its last op's signature broken.
struct Forger(Arc<dyn Replica>);

impl Replica for Forger {
    fn vectors(
        &self,
        peer: &[u8; 32],
    ) -> Result<std::collections::BTreeMap<[u8; 16], hearth_sync::VersionVector>, ReplicaError>
    {
        self.0.vectors(peer)
    }

    fn ops(
        &self,
        scope: &[u8; 16],
        author: &[u8; 32],
        from: u64,
        to: u64,
        limit: usize,
    ) -> Result<Vec<hearth_core::OpRecord>, ReplicaError> {
        let mut ops = self.0.ops(scope, author, from, to, limit)?;
        if let Some(last) = ops.last_mut() {
            last.signature[0] ^= 1;
        }
        Ok(ops)
    }

    fn receive(&self, ops: Vec<hearth_core::OpRecord>) -> Result<hearth_sync::Taken, ReplicaError> {
        self.0.receive(ops)
    }
}

#[test]
fn a_forged_op_on_the_wire_is_refused_the_sender_told_and_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_devices(dir.path());
    write(&a, 3);
    let before = network::lock(&b).version_vector().unwrap();
    let forger = Arc::new(Forger(network::replica(a.clone())));
    let a_id = network::lock(&a).device_id();
    let (sent, got) = runtime().block_on(exchange((forger, a_id), side(&b), None));
    assert!(matches!(got, Err(SessionError::Refused(_))), "{got:?}");
    assert!(
        matches!(sent, Err(SessionError::Peer { code: 3, .. })),
        "{sent:?}"
    );
    let b = network::lock(&b);
    assert_eq!(b.len(), 0);
    assert_eq!(
        b.version_vector().unwrap(),
        before,
        "nothing of the batch was stored"
    );
}

#[test]
fn an_oversized_frame_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (_, b) = two_devices(dir.path());
    let before = network::lock(&b).version_vector().unwrap();
    let got = runtime().block_on(async {
        let (mut peer, b_end) = tokio::io::duplex(1 << 16);
        let (mut b_read, mut b_write) = tokio::io::split(b_end);
        use tokio::io::AsyncWriteExt;
        // A length of 4 GiB - 1, and nothing after it.
        peer.write_all(&[0xff, 0xff, 0xff, 0xff]).await.unwrap();
        let got = session::run(
            &mut b_read,
            &mut b_write,
            network::replica(b.clone()),
            [7; 32],
        )
        .await;
        drop(peer);
        got
    });
    assert!(
        matches!(
            got,
            Err(SessionError::Protocol(
                hearth_sync::SyncError::FrameTooLarge { .. }
            ))
        ),
        "{got:?}"
    );
    assert_eq!(network::lock(&b).version_vector().unwrap(), before);
}

/// `n` devices of one journal: the first, and copies restored from its
/// backup while it was empty (each a device of its own).
fn devices_of_one_journal(dir: &Path, n: usize) -> Vec<SharedJournal> {
    let first = Vault::create(&dir.join("d0"), b"pw", cheap()).unwrap();
    let file = dir.join("empty.hearth-backup");
    first.backup(&file).unwrap();
    let mut out = vec![shared(first)];
    for i in 1..n {
        let home = dir.join(format!("d{i}"));
        Vault::restore_backup(&file, &home, BackupKey::Passphrase(b"pw")).unwrap();
        out.push(shared(Vault::unlock(&home, b"pw").unwrap().0));
    }
    out
}

/// One exchange between two journals over an in-memory pipe; both must
/// end without error.
pub(crate) fn sync_pair(rt: &tokio::runtime::Runtime, a: &SharedJournal, b: &SharedJournal) {
    let (x, y) = rt.block_on(exchange(side(a), side(b), None));
    x.unwrap();
    y.unwrap();
}

fn bodies(j: &SharedJournal) -> Vec<String> {
    let mut out: Vec<String> = network::lock(j)
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.body.clone())
        .collect();
    out.sort();
    out
}

#[test]
fn writes_purges_and_a_removal_travel_through_a_device_in_between_and_lock_the_removed_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let all = devices_of_one_journal(dir.path(), 4);
    let (a, b, c, lost) = (&all[0], &all[1], &all[2], &all[3]);
    let rt = runtime();
    // Everyone knows everyone: A meets B, C and the soon-lost device, then
    // B and C hear the rest from A.
    for other in [b, c, lost, b, c] {
        sync_pair(&rt, a, other);
    }
    write(a, 2);
    let gone = {
        let mut j = network::lock(a);
        let e = j
            .write(EntryDraft {
                body: "to be purged".into(),
                ..Default::default()
            })
            .unwrap();
        j.trash(&e.id.to_string()).unwrap();
        j.empty_trash().unwrap();
        e.id
    };
    sync_pair(&rt, a, lost);
    assert_eq!(bodies(lost), ["entry 0", "entry 1"]);
    let lost_id = network::lock(lost)
        .devices()
        .into_iter()
        .find(|d| d.this_device)
        .unwrap()
        .id;
    network::lock(a).remove_device(&lost_id).unwrap();
    network::lock(a)
        .write(EntryDraft {
            body: "written after the removal".into(),
            ..Default::default()
        })
        .unwrap();

    // A and C never meet: B carries everything.
    sync_pair(&rt, a, b);
    sync_pair(&rt, b, c);
    assert_eq!(
        bodies(c),
        ["entry 0", "entry 1", "written after the removal"]
    );
    assert!(
        network::lock(c).get(&gone.to_string()).is_err(),
        "the purge arrived"
    );
    let names = |j: &SharedJournal| {
        network::lock(j)
            .devices()
            .into_iter()
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    assert!(!names(c).contains(&lost_id), "the removal arrived");
    assert_eq!(names(c).len(), 3);
    // C writes in the new epoch too, and A reads it.
    network::lock(c)
        .write(EntryDraft {
            body: "from C, after".into(),
            ..Default::default()
        })
        .unwrap();
    sync_pair(&rt, c, b);
    sync_pair(&rt, b, a);
    assert_eq!(bodies(a), bodies(c));

    // Whoever forwards them, what was written after the removal does not
    // open with any key the removed device holds.
    let theirs = network::lock(lost).version_vector().unwrap();
    let later = network::lock(b)
        .ops_missing_from(&theirs, usize::MAX)
        .unwrap();
    assert!(!later.is_empty());
    let got = network::lock(lost).receive(later).unwrap();
    assert!(got.stored > 0);
    assert_eq!(
        bodies(lost),
        ["entry 0", "entry 1"],
        "nothing new can be read"
    );
    assert!(
        !got.waiting.is_empty(),
        "the entries it cannot open wait for a key it will never get"
    );

    // And what the removed device writes from now on is refused.
    network::lock(lost)
        .write(EntryDraft {
            body: "from the lost device".into(),
            ..Default::default()
        })
        .unwrap();
    let theirs = network::lock(a).version_vector().unwrap();
    let its = network::lock(lost)
        .ops_missing_from(&theirs, usize::MAX)
        .unwrap();
    let got = network::lock(a).receive(its).unwrap();
    assert_eq!(got.stored, 0);
    assert!(got.from_removed > 0);
    assert!(!bodies(a).contains(&"from the lost device".to_string()));
    // Devices that know of the removal agree on what there is.
    sync_pair(&rt, a, c);
    assert_eq!(
        network::lock(a).version_vector().unwrap(),
        network::lock(c).version_vector().unwrap()
    );
}

fn write_body(j: &SharedJournal, body: &str) {
    network::lock(j)
        .write(EntryDraft {
            body: body.into(),
            ..Default::default()
        })
        .unwrap();
}

fn this_device(j: &SharedJournal) -> String {
    network::lock(j)
        .devices()
        .into_iter()
        .find(|d| d.this_device)
        .unwrap()
        .id
}

/// Hand `lost` every op `from` holds that it lacks, as a device that
/// forwards everything would; what it can then read.
fn forwarded_to(from: &SharedJournal, lost: &SharedJournal) -> Vec<String> {
    let theirs = network::lock(lost).version_vector().unwrap();
    let ops = network::lock(from)
        .ops_missing_from(&theirs, usize::MAX)
        .unwrap();
    network::lock(lost).receive(ops).unwrap();
    bodies(lost)
}

#[test]
fn two_removals_made_at_once_on_two_devices_leave_both_removed_devices_unable_to_read_what_follows()
{
    let dir = tempfile::tempdir().unwrap();
    let all = devices_of_one_journal(dir.path(), 4);
    let (a, b, x, y) = (&all[0], &all[1], &all[2], &all[3]);
    let rt = runtime();
    for other in [b, x, y, b, x] {
        sync_pair(&rt, a, other);
    }
    let (x_id, y_id) = (this_device(x), this_device(y));

    // Apart, at the same time: A removes X while B removes Y. Each writes
    // in a new key; A's is still wrapped to Y, B's to X.
    network::lock(a).remove_device(&x_id).unwrap();
    network::lock(b).remove_device(&y_id).unwrap();
    write_body(a, "A, after removing X");
    write_body(b, "B, after removing Y");
    sync_pair(&rt, a, b);

    // Both removals known on both: what either writes now opens with no key
    // X or Y holds.
    write_body(a, "A, once both removals are known");
    write_body(b, "B, once both removals are known");
    sync_pair(&rt, a, b);
    assert_eq!(
        network::lock(a).version_vector().unwrap(),
        network::lock(b).version_vector().unwrap(),
        "one exchange and they agree"
    );
    let everything = bodies(a);
    assert_eq!(everything, bodies(b));
    assert_eq!(everything.len(), 4, "{everything:?}");
    let remaining: Vec<_> = network::lock(a)
        .devices()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(remaining.len(), 2, "both removals hold on A");
    assert!(!remaining.contains(&x_id) && !remaining.contains(&y_id));

    let read_by_x = forwarded_to(b, x);
    let read_by_y = forwarded_to(a, y);
    for read in [&read_by_x, &read_by_y] {
        assert!(
            !read
                .iter()
                .any(|b| b.contains("once both removals are known")),
            "{read:?}"
        );
    }
    assert!(!read_by_x.contains(&"A, after removing X".to_string()));
    assert!(!read_by_y.contains(&"B, after removing Y".to_string()));
}

fn evenings() -> NewCircle {
    NewCircle {
        name: "Evenings".into(),
        about: "Getting through the winter".into(),
        agreements: "Kindness first.".into(),
        as_name: "Sam".into(),
    }
}

#[test]
fn a_circle_made_on_one_device_reaches_the_persons_others_and_forged_circle_ops_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let all = devices_of_one_journal(dir.path(), 2);
    let (a, b) = (&all[0], &all[1]);
    let rt = runtime();
    sync_pair(&rt, a, b);
    let made = network::lock(a).create_circle(&evenings()).unwrap();

    // The first exchange carries the circle's key (the personal journal's
    // ops); B holds the key, not yet the circle.
    sync_pair(&rt, a, b);
    assert_eq!(network::lock(b).circles().unwrap()[0].id, made.id);
    let theirs = network::lock(b).version_vector().unwrap();
    let circle_ops: Vec<OpRecord> = network::lock(a)
        .ops_missing_from(&theirs, usize::MAX)
        .unwrap();
    assert!(!circle_ops.is_empty());
    assert!(circle_ops.iter().all(|o| hex::encode(o.scope) == made.id));
    let before = network::lock(b).version_vector().unwrap();
    let mut forged = circle_ops.clone();
    let last = forged.len() - 1;
    forged[last].payload[3] ^= 1;
    let err = network::lock(b).receive(forged).unwrap_err();
    assert!(matches!(err, CoreError::Refused(_)), "{err}");
    assert_eq!(network::lock(b).version_vector().unwrap(), before);

    // A circle this person is not in: refused whole.
    let stranger = shared(Vault::create(&dir.path().join("s"), b"pw", cheap()).unwrap());
    network::lock(&stranger).create_circle(&evenings()).unwrap();
    let foreign = network::lock(&stranger)
        .ops_missing_from(&Default::default(), usize::MAX)
        .unwrap();
    let err = network::lock(b).receive(foreign).unwrap_err().to_string();
    assert!(err.contains("scope this journal does not hold"), "{err}");
    assert_eq!(network::lock(b).version_vector().unwrap(), before);

    // The next exchange brings the circle whole.
    sync_pair(&rt, a, b);
    assert_eq!(
        network::lock(b).circle("evenings").unwrap(),
        network::lock(a).circle(&made.id).unwrap()
    );
    assert_eq!(
        network::lock(a).version_vector().unwrap(),
        network::lock(b).version_vector().unwrap()
    );
}

#[test]
fn a_removed_device_is_refused_at_the_handshake() {
    loopback_only();
    let dir = tempfile::tempdir().unwrap();
    let all = devices_of_one_journal(dir.path(), 2);
    let (a, lost) = (all[0].clone(), all[1].clone());
    let rt = runtime();
    sync_pair(&rt, &a, &lost);
    let lost_id = network::lock(&lost)
        .devices()
        .into_iter()
        .find(|d| d.this_device)
        .unwrap()
        .id;
    rt.block_on(async {
        let net_a = Network::start(a.clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        let net_lost = Network::start(lost.clone(), &NetOptions::default(), None)
            .await
            .unwrap();
        let at_a = network::PeerAddress::parse(&net_a.ticket()).unwrap();
        net_lost.sync_peer(&at_a).await.unwrap();
        network::lock(&a).remove_device(&lost_id).unwrap();
        // A's node reads the registry again within a quarter of a second.
        let serving = net_a.serve_until(tokio::time::sleep(Duration::from_millis(600)));
        serving.await;
        let e = net_lost.sync_peer(&at_a).await.unwrap_err().to_string();
        assert!(
            e.contains("does not know this device") || e.contains("was removed"),
            "{e}"
        );
        net_lost.shutdown().await;
        net_a.shutdown().await;
    });
}

#[test]
fn two_devices_exchange_through_a_relay_when_that_is_the_only_way_given() {
    loopback_only();
    let dir = tempfile::tempdir().unwrap();
    let all = devices_of_one_journal(dir.path(), 2);
    let (a, b) = (all[0].clone(), all[1].clone());
    write(&a, 3);
    let rt = runtime();
    sync_pair(&rt, &a, &b);
    write(&a, 2);
    rt.block_on(async {
        let (url, _relay) = hearth_sync::test_relay::start().await.unwrap();
        let options = NetOptions {
            relays: network::Relays::Own(url.clone()),
            insecure_relay_for_tests: true,
            ..NetOptions::default()
        };
        let net_a = Network::start(a.clone(), &options, None).await.unwrap();
        let net_b = Network::start(b.clone(), &options, None).await.unwrap();
        // A's address as the relay alone: no IP address to dial.
        let relay_only = network::PeerAddress::via_relay(&net_a.id(), &url.to_string()).unwrap();
        let report = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                match net_b.sync_peer(&relay_only).await {
                    Ok(r) => return r,
                    // The relay may not know A yet right after it started.
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        })
        .await
        .expect("the exchange through the relay finishes");
        assert_eq!(report.received, 2, "{report:?}");
        assert!(report.equal);
        net_b.shutdown().await;
        net_a.shutdown().await;
    });
    assert_eq!(bodies(&a), bodies(&b));
}
