//! Exchanging ops with another device of the same person: what this device
//! holds (its version vector), what another one lacks, and taking in ops
//! that another device sent. The transport (hearth-sync) only moves these
//! between devices; every check is made here, before anything is stored.
//!
//! Receiving checks every op of a batch first: its scope, its size, its
//! hashes and signature, that its author is a device certified by the
//! person's identity (certificates in the same batch count), that a change
//! op holds exactly one Automerge change by its author, and, per author, that
//! seqs follow on from what is stored with each op naming the hash of the
//! one before. One bad op refuses the whole batch and nothing is stored. An
//! op already held is skipped; a different op at a seq already held is a
//! fork and is refused. Ops after a gap are not stored: they are reported,
//! and come again once the gap is filled.
//!
//! The ops, the purges they bring and the views of the entries they change
//! are written in one transaction; then the in-memory entries and the
//! search index follow.

use crate::circles::{CIRCLES_DOC, CircleKey, KIND_CIRCLE_KEY};
use crate::entry::{Entry, EntryId};
use crate::journal::Journal;
use crate::oplog::{
    self, KIND_CHANGE, KIND_DEVICE, KIND_EPOCH, KIND_PURGE, KIND_REMOVAL, OP_PAYLOAD_MAX,
};
use crate::registry::{REGISTRY_DOC, Registry};
use crate::{CoreError, Result, view};
use hearth_doc::{EntryDoc, causal_order};
use hearth_store::{DocId, OpRecord, ScopeId, StoreTx, Tombstone};
use std::collections::{BTreeMap, BTreeSet};

/// The last seq and op hash this device holds of each (scope, author).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionVector(pub BTreeMap<(ScopeId, [u8; 32]), (u64, [u8; 32])>);

/// What taking in a batch of ops did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// Ops stored.
    pub stored: usize,
    /// Ops this device already held.
    pub duplicates: usize,
    /// Ops not stored because an earlier op of their author is missing.
    pub after_a_gap: usize,
    /// Entries whose view changed (created or edited).
    pub changed: Vec<EntryId>,
    /// Entries purged by a purge op in the batch.
    pub purged: Vec<EntryId>,
    /// Entries holding changes whose dependencies have not arrived yet
    /// (or that are sealed in an epoch this device holds no key for yet):
    /// they show what has, and take the rest when it comes.
    pub waiting: Vec<EntryId>,
    /// Ops of a removed device written after its removal: not stored.
    pub from_removed: usize,
    /// Circles that took in new ops (shared entries, replies, members).
    pub circles: Vec<ScopeId>,
}

impl Journal {
    /// What this device holds.
    pub fn version_vector(&self) -> Result<VersionVector> {
        let mut vv = VersionVector::default();
        for (scope, author, seq, hash) in self.store.read().heads()? {
            vv.0.insert((scope, author), (seq, hash));
        }
        Ok(vv)
    }

    /// The ops this device holds that a device at `theirs` lacks, in seq
    /// order per author, at most `limit`.
    pub fn ops_missing_from(&self, theirs: &VersionVector, limit: usize) -> Result<Vec<OpRecord>> {
        let mut out = Vec::new();
        let tx = self.store.read();
        for (scope, author, _, _) in tx.heads()? {
            if out.len() >= limit {
                break;
            }
            let after = theirs.0.get(&(scope, author)).map_or(0, |(seq, _)| *seq);
            out.extend(tx.ops_after(&scope, &author, after, limit - out.len())?);
        }
        Ok(out)
    }

    /// `author`'s ops in `scope` from seq `from` on, in seq order, at most
    /// `limit`; a purged op comes as its marker.
    pub fn ops_of(
        &self,
        scope: &ScopeId,
        author: &[u8; 32],
        from: u64,
        limit: usize,
    ) -> Result<Vec<OpRecord>> {
        Ok(self
            .store
            .read()
            .ops_after(scope, author, from.saturating_sub(1), limit)?)
    }

    /// Check and store ops another device sent; see the module docs. An
    /// op's own `hash` is not taken from the sender: it is computed here
    /// from the op's signed header.
    pub fn receive(&mut self, mut ops: Vec<OpRecord>) -> Result<Received> {
        for op in &mut ops {
            op.hash = hearth_crypto::hash(&[&oplog::signed_header(op)]);
        }
        let scope = self.scope();
        if ops.iter().any(|o| o.scope != scope) {
            return self.receive_scopes(ops);
        }
        let mut registry = self.registry_with(&ops)?;
        let count = ops.len();
        let refuse = |e: CoreError| {
            if let CoreError::Refused(reason) = &e {
                tracing::warn!(ops = count, %reason, "refused a batch of ops");
            }
            e
        };
        for op in &ops {
            check(op, &scope, &registry).map_err(refuse)?;
        }
        let by_author = by_author(ops);
        let key = self.scope_key().clone();
        let actor = self.device_key().public().as_bytes().to_vec();
        let me = *self.device_key().public().as_bytes();
        let device_key = self.device_key().clone();
        let agreement = self.secrets.device.agreement.clone();
        let outcome = self
            .store
            .write(|tx| -> Result<(Received, Vec<(EntryId, Entry)>)> {
                let mut got = Received::default();
                let mut touched = BTreeSet::new();
                let mut purges = Vec::new();
                for (author, group) in by_author {
                    let mut head = tx.head(&scope, &author)?.unwrap_or((0, [0; 32]));
                    for mut op in group {
                        if registry.removed_beyond(&author, op.seq) {
                            got.from_removed += 1;
                            continue;
                        }
                        match place(tx, &op, head)? {
                            Place::Held => {
                                got.duplicates += 1;
                                continue;
                            }
                            Place::AfterAGap => {
                                got.after_a_gap += 1;
                                continue;
                            }
                            Place::Next => {}
                        }
                        if op.kind == KIND_CHANGE && tx.tombstone(&scope, &op.doc)?.is_some() {
                            op.payload.clear();
                        }
                        tx.append_op(&op)?;
                        head = (op.seq, op.hash);
                        got.stored += 1;
                        match op.kind {
                            KIND_PURGE => purges.push(Tombstone {
                                scope,
                                doc: op.doc,
                                author,
                                seq: op.seq,
                            }),
                            KIND_CHANGE if !op.is_marker() => {
                                touched.insert(op.doc);
                            }
                            _ => {}
                        }
                    }
                }
                // Keys of new epochs wrapped to this device: adopt them, and
                // open again what was sealed in them.
                for (epoch, epoch_key) in registry.keys_to_adopt(&scope, &me, &agreement) {
                    registry.adopt_key(tx, &scope, epoch, epoch_key)?;
                    touched.extend(tx.docs_in_epoch(&scope, epoch)?);
                }
                touched.remove(&REGISTRY_DOC);
                touched.remove(&CIRCLES_DOC);
                if got.stored > 0 {
                    crate::circles::adopt_circle_keys(tx, &scope, &registry, &key, &device_key)?;
                }
                // A device was removed while this one writes in an epoch the
                // removed device may hold: move on to a new one.
                if registry.needs_new_epoch() && registry.members().contains(&me) {
                    let parent = registry.current_epoch();
                    let parent_key = registry.epoch_key(parent).unwrap_or(&key).clone();
                    let writer = oplog::Writer {
                        scope,
                        epoch: parent,
                        key: &parent_key,
                        device: &device_key,
                    };
                    let epoch = registry.start_epoch(tx, &writer)?;
                    tracing::info!(epoch, "a device was removed: started a new key epoch");
                }
                for stone in &purges {
                    if tx.tombstone(&scope, &stone.doc)?.is_none() {
                        tx.purge_doc(stone, KIND_PURGE)?;
                        got.purged.push(EntryId(stone.doc));
                    }
                    touched.remove(&stone.doc);
                }
                let mut views = Vec::new();
                for doc in touched {
                    let (fields, waiting) = materialise(tx, &scope, &doc, &actor, &registry)?;
                    if waiting {
                        got.waiting.push(EntryId(doc));
                    }
                    if let Some(fields) = fields {
                        tx.put_view(&view::seal(&key, scope, doc, &fields))?;
                        got.changed.push(EntryId(doc));
                        views.push((EntryId(doc), Entry::from_fields(EntryId(doc), fields)));
                    }
                }
                Ok((got, views))
            });
        let (got, views) = outcome.map_err(refuse)?;
        tracing::info!(
            stored = got.stored,
            duplicates = got.duplicates,
            after_a_gap = got.after_a_gap,
            from_removed = got.from_removed,
            changed = got.changed.len(),
            purged = got.purged.len(),
            waiting = got.waiting.len(),
            "took in ops from another device"
        );
        self.registry = registry;
        self.forget(&got.purged)?;
        if !got.purged.is_empty() {
            self.store.drop_cache(crate::search::CACHE)?;
            self.store.checkpoint()?;
        }
        for (id, entry) in views {
            self.docs_forget(&id);
            self.cache_entry(entry)?;
        }
        Ok(got)
    }

    /// Ops of several scopes (the wire sends one scope per batch; a caller
    /// may mix them): refused whole if any is for a scope this journal does
    /// not hold; else the personal scope's first, since they may carry a
    /// circle's key, then each circle's, each checked whole.
    fn receive_scopes(&mut self, ops: Vec<OpRecord>) -> Result<Received> {
        let personal = self.scope();
        let mut by_scope: BTreeMap<ScopeId, Vec<OpRecord>> = BTreeMap::new();
        for op in ops {
            by_scope.entry(op.scope).or_default().push(op);
        }
        let circles = self.circle_ids()?;
        if let Some(op) = by_scope
            .iter()
            .find(|(s, _)| **s != personal && !circles.contains(s))
            .and_then(|(_, batch)| batch.first())
        {
            return Err(refused(format!(
                "op {} is for a scope this journal does not hold",
                op.seq
            )));
        }
        let mut got = match by_scope.remove(&personal) {
            Some(mine) => self.receive(mine)?,
            None => Received::default(),
        };
        for (scope, batch) in by_scope {
            let more = self.receive_circle(scope, batch)?;
            if more.stored > 0 {
                got.circles.push(scope);
            }
            got.stored += more.stored;
            got.duplicates += more.duplicates;
            got.after_a_gap += more.after_a_gap;
        }
        Ok(got)
    }

    /// The registry this journal would have with the certificates among
    /// `ops` added.
    fn registry_with(&self, ops: &[OpRecord]) -> Result<Registry> {
        let tx = self.store.read();
        let mut certs = tx.ops_for_doc(&self.scope(), &REGISTRY_DOC)?;
        certs.extend(
            ops.iter()
                .filter(|o| matches!(o.kind, KIND_DEVICE | KIND_REMOVAL | KIND_EPOCH))
                .cloned(),
        );
        Registry::from_parts(
            &certs,
            &tx.epochs(&self.scope())?,
            *self.registry.identity(),
            self.scope_key(),
        )
    }
}

/// Everything about one op that can be checked without the log.
fn check(op: &OpRecord, scope: &ScopeId, registry: &Registry) -> Result<()> {
    if op.scope != *scope {
        return Err(refused(format!(
            "op {} is for a scope this journal does not hold",
            op.seq
        )));
    }
    within_limits(op)?;
    let reason = |e: CoreError| match e {
        CoreError::Damaged { reason, .. } => refused(reason),
        other => other,
    };
    if op.is_marker() {
        if op.kind == KIND_PURGE {
            return Err(refused(format!("purge op {} has lost its payload", op.seq)));
        }
        return oplog::verify(op, registry).map_err(reason);
    }
    if registry.epoch_key(op.epoch).is_none() {
        // Sealed in an epoch whose key this device does not hold (yet): it
        // can check who wrote it, not what it says.
        return oplog::verify(op, registry).map_err(reason);
    }
    match op.kind {
        KIND_CHANGE => {
            if op.doc == REGISTRY_DOC || op.doc == CIRCLES_DOC {
                return Err(refused(format!("change op {} names the registry", op.seq)));
            }
            oplog::open_change(op, registry).map_err(reason)?;
        }
        KIND_PURGE => {
            if !oplog::open(op, registry).map_err(reason)?.is_empty() {
                return Err(refused(format!("purge op {} carries data", op.seq)));
            }
        }
        KIND_REMOVAL => {
            let plain = oplog::open(op, registry).map_err(reason)?;
            let removal = hearth_crypto::DeviceRemoval::decode(&plain)
                .map_err(|_| refused(format!("op {} holds no device removal", op.seq)))?;
            if removal.verify(registry.identity()).is_err() {
                return Err(refused(format!(
                    "op {} holds a removal this journal's identity did not sign",
                    op.seq
                )));
            }
        }
        KIND_EPOCH => {
            let plain = oplog::open(op, registry).map_err(reason)?;
            if crate::registry::EpochChange::decode(&plain).is_none() {
                return Err(refused(format!("op {} holds no valid new epoch", op.seq)));
            }
        }
        KIND_CIRCLE_KEY => {
            if op.doc != CIRCLES_DOC {
                return Err(refused(format!(
                    "op {} carries a circle key outside the circles document",
                    op.seq
                )));
            }
            let plain = oplog::open(op, registry).map_err(reason)?;
            if CircleKey::decode(&plain).is_none() {
                return Err(refused(format!("op {} holds no circle key", op.seq)));
            }
        }
        KIND_DEVICE => {
            let plain = oplog::open(op, registry).map_err(reason)?;
            let cert = hearth_crypto::DeviceCertificate::decode(&plain)
                .map_err(|_| refused(format!("op {} holds no device certificate", op.seq)))?;
            if cert.verify(registry.identity()).is_err() {
                return Err(refused(format!(
                    "op {} holds a certificate this journal's identity did not sign",
                    op.seq
                )));
            }
        }
        other => return Err(refused(format!("op {} has unknown kind {other}", op.seq))),
    }
    Ok(())
}

/// An entry's fields from its stored changes, in causal order, and whether
/// some of its changes wait for dependencies. `None` when none can be
/// applied yet.
fn materialise(
    tx: &StoreTx<'_>,
    scope: &ScopeId,
    doc: &DocId,
    actor: &[u8],
    registry: &Registry,
) -> Result<(Option<hearth_doc::EntryFields>, bool)> {
    let mut changes = Vec::new();
    let mut metas = Vec::new();
    let mut locked = false;
    for op in tx.ops_for_doc(scope, doc)? {
        if op.kind == KIND_CHANGE && !op.is_marker() {
            if registry.epoch_key(op.epoch).is_none() {
                locked = true;
                continue;
            }
            let (bytes, meta) = oplog::open_change(&op, registry)?;
            changes.push(bytes);
            metas.push(meta);
        }
    }
    let (order, waiting) = causal_order(&metas);
    if order.is_empty() {
        return Ok((None, locked || !waiting.is_empty()));
    }
    let loaded =
        EntryDoc::load(actor, order.iter().map(|&i| changes[i].as_slice())).map_err(|e| {
            CoreError::Damaged {
                id: hex::encode(doc),
                reason: format!("its document does not load: {e}"),
            }
        })?;
    Ok((Some(loaded.fields()?), locked || !waiting.is_empty()))
}

/// An op's payload within the size an op may have, and its signature the
/// size of one.
pub(crate) fn within_limits(op: &OpRecord) -> Result<()> {
    if op.payload.len() > OP_PAYLOAD_MAX || op.signature.len() != 64 {
        return Err(refused(format!(
            "op {} is larger than an op may be ({} MiB)",
            op.seq,
            OP_PAYLOAD_MAX >> 20
        )));
    }
    Ok(())
}

/// Ops by author, each author's in seq order.
pub(crate) fn by_author(ops: Vec<OpRecord>) -> BTreeMap<[u8; 32], Vec<OpRecord>> {
    let mut out: BTreeMap<[u8; 32], Vec<OpRecord>> = BTreeMap::new();
    for op in ops {
        out.entry(op.author).or_default().push(op);
    }
    for group in out.values_mut() {
        group.sort_by_key(|o| o.seq);
    }
    out
}

/// Where an op goes in its author's log.
pub(crate) enum Place {
    /// This device holds it already.
    Held,
    /// An earlier op of its author is missing: it waits to come again.
    AfterAGap,
    /// It is the next op of its author's log.
    Next,
}

/// Judge `op` against its author's log in its scope, whose last op held
/// here is `head` (seq, hash). A different op at a seq already held (the
/// log forked), or one that does not name the hash of the op before it, is
/// refused.
pub(crate) fn place(tx: &StoreTx<'_>, op: &OpRecord, head: (u64, [u8; 32])) -> Result<Place> {
    let (seq, hash) = head;
    if op.seq <= seq {
        return match tx.op_at(&op.scope, &op.author, op.seq)? {
            Some(held) if held.hash == op.hash => Ok(Place::Held),
            _ => Err(refused(format!(
                "device {} sent a second, different op {} (its log forked)",
                short(&op.author),
                op.seq
            ))),
        };
    }
    if op.seq > seq + 1 {
        return Ok(Place::AfterAGap);
    }
    if op.prev != hash {
        return Err(refused(format!(
            "op {} of device {} does not follow the op before it",
            op.seq,
            short(&op.author)
        )));
    }
    Ok(Place::Next)
}

fn refused(reason: String) -> CoreError {
    CoreError::Refused(reason)
}

fn short(author: &[u8; 32]) -> String {
    hex::encode(&author[..4])
}

#[cfg(test)]
mod tests;
