//! Taking in a circle's ops from another device.
//!
//! The same checks as the personal scope's (`exchange`), against the
//! circle's own trust: an op counts when its author is a device certified
//! (kind 3, in the circle's membership document) by a person the circle's
//! statements make a member, certificates and statements of the same batch
//! included. A statement must decode, be signed by its author and name this
//! circle. One bad op refuses the batch and nothing is stored; ops after a
//! gap wait; a second op at a seq already held is a fork and is refused.

use crate::circle_notes::{AWAY_DOC, KIND_AWAY, KIND_REPORT, REPORTS_DOC};
use crate::circle_share::{KIND_REPLY, KIND_SHARE, well_formed};
use crate::circles::{KIND_STATEMENT, MEMBERSHIP_DOC, open_circle_op};
use crate::exchange::{Place, Received, by_author, place, within_limits};
use crate::journal::Journal;
use crate::membership;
use crate::oplog::{self, KIND_DEVICE, KIND_EPOCH};
use crate::{CoreError, Result};
use hearth_crypto::statement::Statement;
use hearth_crypto::{DeviceCertificate, SymmetricKey, aead};
use hearth_store::{OpRecord, ScopeId};
use std::collections::BTreeMap;

/// The most ops of unknown authors held back in memory, per circle.
const DEFERRED_MAX: usize = 20_000;

impl Journal {
    /// Check and store ops of the circle `scope` another device sent (their
    /// hashes already computed).
    pub(crate) fn receive_circle(
        &mut self,
        scope: ScopeId,
        ops: Vec<OpRecord>,
    ) -> Result<Received> {
        let keys = self.circle_keys(&scope)?;
        if keys.is_empty() {
            return Err(refused(
                "ops for a circle this journal is not in".to_string(),
            ));
        }
        let mut ops = ops;
        // Ops held back from earlier batches: their authors' certificates
        // may have come since.
        if let Some(waiting) = self.deferred_circle_ops.remove(&scope) {
            for op in waiting {
                if !ops.iter().any(|o| o.author == op.author && o.seq == op.seq) {
                    ops.push(op);
                }
            }
        }
        let (trusted, caps) = {
            let tx = self.store.read();
            let mut held = tx.ops_for_doc(&scope, &MEMBERSHIP_DOC)?;
            held.extend(ops.iter().filter(|o| o.doc == MEMBERSHIP_DOC).cloned());
            trusted_devices(&scope, &held, &keys)
        };
        // A sender passes each author's log on in turn, so a member's ops
        // may come before the op that certifies their device: they wait, in
        // memory, for a later batch, and are never stored if it does not
        // come.
        for op in &ops {
            check(op, &scope, &keys, trusted.get(&op.author))?;
        }
        let (ops, waiting): (Vec<OpRecord>, Vec<OpRecord>) = ops
            .into_iter()
            .partition(|o| trusted.contains_key(&o.author));
        let held_back = waiting.len();
        if held_back > 0 {
            let kept = self.deferred_circle_ops.entry(scope).or_default();
            kept.extend(waiting);
            kept.truncate(DEFERRED_MAX);
        }
        let got = self.store.write(|tx| -> Result<Received> {
            let mut got = Received::default();
            for (author, group) in by_author(ops) {
                let mut head = tx.head(&scope, &author)?.unwrap_or((0, [0; 32]));
                for op in group {
                    // A removed member's ops after those their removal
                    // names are never stored.
                    if caps.get(&author).is_some_and(|last| op.seq > *last) {
                        got.from_removed += 1;
                        continue;
                    }
                    match place(tx, &op, head)? {
                        Place::Held => got.duplicates += 1,
                        Place::AfterAGap => got.after_a_gap += 1,
                        Place::Next => {
                            tx.append_op(&op)?;
                            head = (op.seq, op.hash);
                            got.stored += 1;
                        }
                    }
                }
            }
            got.after_a_gap += held_back;
            Ok(got)
        })?;
        if got.stored > 0 {
            self.after_circle_ops(&scope)?;
        }
        tracing::info!(
            stored = got.stored,
            duplicates = got.duplicates,
            after_a_gap = got.after_a_gap,
            from_removed = got.from_removed,
            "took in a circle's ops from another device"
        );
        Ok(got)
    }
}

/// Each trusted device, with its person.
type Trusted = BTreeMap<[u8; 32], [u8; 32]>;
/// Each removed member's device, with the last of its ops that counts.
type Caps = BTreeMap<[u8; 32], u64>;

/// Who may write in a circle: each device certified in its membership
/// document by a person its statements make a member (or made one), with
/// that person; and for the devices of a removed member, the last of their
/// ops that counts (0 for a device the removal does not name).
fn trusted_devices(
    scope: &ScopeId,
    ops: &[OpRecord],
    keys: &BTreeMap<u32, SymmetricKey>,
) -> (Trusted, Caps) {
    let (Some(m), certs) = membership_and_certificates(scope, ops, keys) else {
        return (BTreeMap::new(), BTreeMap::new());
    };
    let trusted = certs
        .iter()
        .filter(|c| m.members.contains_key(&c.identity) || m.departed.contains_key(&c.identity))
        .map(|c| (c.device, c.identity))
        .collect();
    (trusted, removal_caps(&m, &certs))
}

/// For each device of a person removed from the circle (and not added
/// again), the last of its ops that counts.
pub(crate) fn removal_caps(
    m: &membership::Membership,
    certs: &[DeviceCertificate],
) -> BTreeMap<[u8; 32], u64> {
    let mut caps = BTreeMap::new();
    for c in certs {
        let Some(departure) = m.departed.get(&c.identity) else {
            continue;
        };
        if departure.left || m.is_member(&c.identity) {
            continue;
        }
        let last = departure
            .devices
            .iter()
            .find(|(d, _)| *d == c.device)
            .map_or(0, |(_, seq)| *seq);
        caps.insert(c.device, last);
    }
    caps
}

/// What a circle's membership document says: the membership its
/// statements make (none before the creation arrived), and every device
/// certificate in it whose signature checks.
pub(crate) fn membership_and_certificates(
    scope: &ScopeId,
    ops: &[OpRecord],
    keys: &BTreeMap<u32, SymmetricKey>,
) -> (Option<membership::Membership>, Vec<DeviceCertificate>) {
    let mut statements = Vec::new();
    let mut certs = Vec::new();
    for op in ops {
        let Some(plain) = open_circle_op(op, keys) else {
            continue;
        };
        match op.kind {
            KIND_STATEMENT => {
                if let Ok(s) = Statement::decode(&plain) {
                    statements.push(s);
                }
            }
            KIND_DEVICE => {
                if let Ok(c) = DeviceCertificate::decode(&plain)
                    && c.verify(&c.identity).is_ok()
                {
                    certs.push(c);
                }
            }
            _ => {}
        }
    }
    (membership::fold(scope, &statements).ok(), certs)
}

/// Everything about one circle op that can be checked without the log.
/// `identity`: the person whose device wrote it, once known (a device not
/// certified yet is checked for all but whose it is).
fn check(
    op: &OpRecord,
    scope: &ScopeId,
    keys: &BTreeMap<u32, SymmetricKey>,
    identity: Option<&[u8; 32]>,
) -> Result<()> {
    if op.scope != *scope {
        return Err(refused(format!(
            "op {} is for another scope than its batch",
            op.seq
        )));
    }
    within_limits(op)?;
    oplog::verify_signature(op).map_err(refused)?;
    let in_place = match op.kind {
        KIND_STATEMENT | KIND_DEVICE | KIND_EPOCH => op.doc == MEMBERSHIP_DOC,
        KIND_SHARE | KIND_REPLY => op.doc != MEMBERSHIP_DOC,
        KIND_REPORT => op.doc == REPORTS_DOC,
        KIND_AWAY => op.doc == AWAY_DOC,
        _ => false,
    };
    if !in_place {
        return Err(refused(format!(
            "op {} of a circle is of a kind this Hearth does not take ({}), or in the wrong document",
            op.seq, op.kind
        )));
    }
    if op.is_marker() {
        return Err(refused(format!(
            "op {} of a circle lost its payload",
            op.seq
        )));
    }
    let Some(key) = keys.get(&op.epoch) else {
        // Sealed in an epoch this device does not hold (yet): who wrote it
        // is checked, what it says cannot be.
        return Ok(());
    };
    let plain = aead::open(key, &oplog::payload_aad(op), &op.payload)
        .map_err(|_| refused(format!("op {} of a circle does not decrypt", op.seq)))?;
    let intact = match op.kind {
        KIND_STATEMENT => Statement::decode(&plain).is_ok_and(|s| s.circle == *scope),
        KIND_DEVICE => {
            DeviceCertificate::decode(&plain).is_ok_and(|c| c.verify(&c.identity).is_ok())
        }
        KIND_EPOCH => crate::registry::EpochChange::decode(&plain).is_some(),
        KIND_REPORT | KIND_AWAY => crate::circle_notes::well_formed(op, &plain),
        _ => match identity {
            Some(identity) => well_formed(op, &plain, scope, identity),
            // Whose it must be is checked once its author is known.
            None => true,
        },
    };
    if !intact {
        return Err(refused(format!(
            "op {} of a circle holds no valid statement, certificate, shared entry or reply (or one in another's name)",
            op.seq
        )));
    }
    Ok(())
}

fn refused(reason: String) -> CoreError {
    CoreError::Refused(reason)
}
