//! Every version of an entry whose changes form one line, in time linear in
//! the number of ops.
//!
//! Reading each version through Automerge means reading the document at that
//! version's heads, and each such read walks every op its text ever had: the
//! history of an entry with 1,000 versions took seconds. When every change
//! depends on exactly the change before it (always so for edits on one
//! device, and whenever devices took turns), each insert lands right after
//! the element it names, because Automerge puts newer siblings first and no
//! element already there is newer. So one pass over the changes gives the
//! final order of every element ever inserted, tombstones included; a second
//! pass replays the changes on plain strings, finding each element's byte
//! offset from its rank with a Fenwick tree of the visible widths.
//!
//! This mirror models only what the entry schema uses: scalars, texts and
//! lists of strings under the root map. Anything else (a fork in the
//! history, nested maps, counters, marks, a list item changed in place)
//! makes it answer `None`, and the caller reads each version with Automerge.

use crate::DocError;
use crate::EntryFields;
use crate::read::{self, Slot, Source};
use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{ActorId, Change, ExpandedChange, ObjType, ScalarValue};
use std::collections::{BTreeMap, HashMap, HashSet};

const NIL: u32 = u32::MAX;

/// An op's id with its actor interned.
type Id = (u64, u32);

/// The fields after each change, or `None` when the history is not one line
/// or uses something this mirror does not model.
pub(crate) fn versions(changes: &[Change]) -> Option<Vec<EntryFields>> {
    // One line: each change follows the one before it (and so every earlier
    // one). Automerge also lists a device's own last change among the deps.
    let mut seen = HashSet::new();
    let mut prev = None;
    for change in changes {
        let deps = change.deps();
        let follows = prev.is_none_or(|p| deps.contains(&p));
        if !follows || !deps.iter().all(|d| seen.contains(d)) {
            return None;
        }
        prev = Some(change.hash());
        seen.insert(change.hash());
    }
    // Decoding panics on op kinds this version of Automerge does not know;
    // such a document is read the slow way.
    let decode = || changes.iter().map(Change::decode).collect::<Vec<_>>();
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)).ok()?;
    let mut replay = Replay::default();
    replay.order(&decoded)?;
    let mut out = Vec::with_capacity(decoded.len());
    for change in &decoded {
        replay.apply(change)?;
        out.push(read::fields(&replay.mirror).ok()?);
    }
    Some(out)
}

#[derive(Default)]
struct Replay {
    actors: HashMap<ActorId, u32>,
    /// The node of each inserted element, by its op id.
    node_of: HashMap<Id, u32>,
    /// The sequence object made by each op, by its op id.
    seq_of: HashMap<Id, usize>,
    /// A singly linked list per sequence, from its head node, in final order.
    next: Vec<u32>,
    /// The sequence each node belongs to.
    seq_of_node: Vec<usize>,
    /// The element's place among every element its sequence ever had.
    rank: Vec<u32>,
    mirror: Mirror,
}

impl Replay {
    fn actor(&mut self, actor: &ActorId) -> u32 {
        if let Some(&index) = self.actors.get(actor) {
            return index;
        }
        let index = u32::try_from(self.actors.len()).unwrap_or(u32::MAX);
        self.actors.insert(actor.clone(), index);
        index
    }

    fn id(&mut self, op: &OpId) -> Id {
        (op.0, self.actor(&op.1))
    }

    fn new_node(&mut self, seq: usize) -> u32 {
        self.next.push(NIL);
        self.seq_of_node.push(seq);
        u32::try_from(self.next.len() - 1).unwrap_or(NIL)
    }

    /// First pass: every sequence's final order, as a rank per element.
    fn order(&mut self, changes: &[ExpandedChange]) -> Option<()> {
        let mut heads = Vec::new();
        for change in changes {
            let (first, actor) = (change.start_op.get(), self.actor(&change.actor_id));
            for (i, op) in change.operations.iter().enumerate() {
                let id = (first + i as u64, actor);
                match (&op.obj, &op.action, op.insert) {
                    (ObjectId::Root, OpType::Make(ObjType::Text | ObjType::List), false) => {
                        let head = self.new_node(heads.len());
                        self.seq_of.insert(id, heads.len());
                        heads.push(head);
                    }
                    (ObjectId::Id(obj), _, true) => {
                        let obj = self.id(obj);
                        let seq = *self.seq_of.get(&obj)?;
                        let after = match &op.key {
                            Key::Seq(ElementId::Head) => heads[seq],
                            Key::Seq(ElementId::Id(e)) => {
                                let e = self.id(e);
                                *self.node_of.get(&e)?
                            }
                            Key::Map(_) => return None,
                        };
                        if self.seq_of_node[after as usize] != seq {
                            return None;
                        }
                        let node = self.new_node(seq);
                        self.next[node as usize] = self.next[after as usize];
                        self.next[after as usize] = node;
                        self.node_of.insert(id, node);
                    }
                    _ => {}
                }
            }
        }
        self.rank = vec![NIL; self.next.len()];
        for &head in &heads {
            let (mut node, mut rank) = (self.next[head as usize], 0);
            while node != NIL {
                self.rank[node as usize] = rank;
                rank += 1;
                node = self.next[node as usize];
            }
            self.mirror.seqs.push(Seq::new(rank as usize));
        }
        Some(())
    }

    /// Second pass, one change at a time.
    fn apply(&mut self, change: &ExpandedChange) -> Option<()> {
        let (first, actor) = (change.start_op.get(), self.actor(&change.actor_id));
        for (i, op) in change.operations.iter().enumerate() {
            let id = (first + i as u64, actor);
            match (&op.obj, &op.key, &op.action, op.insert) {
                (ObjectId::Root, Key::Map(key), OpType::Put(value), false) => {
                    let slot = Slot::Scalar(value.clone());
                    self.mirror.root.insert(key.to_string(), slot);
                }
                (ObjectId::Root, Key::Map(key), OpType::Make(kind), false) => {
                    let seq = *self.seq_of.get(&id)?;
                    let is_text = *kind == ObjType::Text;
                    self.mirror.seqs[seq].is_text = is_text;
                    self.mirror.root.insert(key.to_string(), Slot::Object(seq));
                }
                (ObjectId::Root, Key::Map(key), OpType::Delete, false) => {
                    self.mirror.root.remove(key.as_str());
                }
                (ObjectId::Id(obj), _, OpType::Put(ScalarValue::Str(s)), true) => {
                    let obj = self.id(obj);
                    let seq = *self.seq_of.get(&obj)?;
                    let node = *self.node_of.get(&id)? as usize;
                    self.mirror.seqs[seq].insert(self.rank[node], s)?;
                }
                (ObjectId::Id(obj), Key::Seq(ElementId::Id(e)), OpType::Delete, false) => {
                    let obj = self.id(obj);
                    let seq = *self.seq_of.get(&obj)?;
                    let e = self.id(e);
                    let node = *self.node_of.get(&e)? as usize;
                    if self.seq_of_node[node] != seq {
                        return None;
                    }
                    self.mirror.seqs[seq].remove(self.rank[node])?;
                }
                _ => return None,
            }
        }
        for seq in &mut self.mirror.seqs {
            seq.flush();
        }
        Some(())
    }
}

/// The entry's state as plain values.
#[derive(Default)]
struct Mirror {
    root: HashMap<String, Slot<usize>>,
    seqs: Vec<Seq>,
}

impl Source for Mirror {
    type Obj = usize;

    fn root(&self, key: &str) -> Result<Option<Slot<usize>>, DocError> {
        Ok(self.root.get(key).map(|slot| match slot {
            Slot::Scalar(v) => Slot::Scalar(v.clone()),
            Slot::Object(o) => Slot::Object(*o),
        }))
    }

    fn text(&self, obj: &usize) -> Result<String, DocError> {
        match self.seqs.get(*obj) {
            Some(seq) if seq.is_text => Ok(seq.text.clone()),
            _ => Err(DocError::Malformed("a text is a list".into())),
        }
    }

    fn list(&self, obj: &usize) -> Result<Vec<String>, DocError> {
        match self.seqs.get(*obj) {
            Some(seq) if !seq.is_text => Ok(seq.items.values().cloned().collect()),
            _ => Err(DocError::Malformed("a list is a text".into())),
        }
    }
}

/// A text or a list of strings. Elements are known by their rank in the
/// sequence's final order.
struct Seq {
    is_text: bool,
    /// A text's visible characters.
    text: String,
    /// A list's visible items.
    items: BTreeMap<u32, String>,
    /// The byte width of each rank's element while it is visible.
    widths: Fenwick,
    /// Texts: the edit not yet made to `text`, grown while ops touch
    /// neighbouring bytes, since one change usually inserts or deletes a run.
    pending: Pending,
}

enum Pending {
    Nothing,
    Insert { at: usize, text: String },
    Delete { at: usize, len: usize },
}

impl Seq {
    fn new(len: usize) -> Self {
        Self {
            is_text: false,
            text: String::new(),
            items: BTreeMap::new(),
            widths: Fenwick(vec![0; len]),
            pending: Pending::Nothing,
        }
    }

    fn insert(&mut self, rank: u32, value: &str) -> Option<()> {
        if !self.is_text {
            return self
                .items
                .insert(rank, value.to_string())
                .is_none()
                .then_some(());
        }
        if self.widths.get(rank as usize) != 0 || value.is_empty() {
            return None;
        }
        let at = self.widths.prefix(rank as usize);
        self.widths.add(rank as usize, value.len() as i64);
        match &mut self.pending {
            Pending::Insert { at: start, text } if *start + text.len() == at => {
                text.push_str(value);
            }
            _ => {
                self.flush();
                self.pending = Pending::Insert {
                    at,
                    text: value.to_string(),
                };
            }
        }
        Some(())
    }

    fn remove(&mut self, rank: u32) -> Option<()> {
        if !self.is_text {
            return self.items.remove(&rank).map(|_| ());
        }
        let width = self.widths.get(rank as usize);
        if width == 0 {
            return None;
        }
        let at = self.widths.prefix(rank as usize);
        self.widths.add(rank as usize, -(width as i64));
        match &mut self.pending {
            Pending::Delete { at: start, len } if *start == at => *len += width,
            _ => {
                self.flush();
                self.pending = Pending::Delete { at, len: width };
            }
        }
        Some(())
    }

    fn flush(&mut self) {
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Nothing => {}
            Pending::Insert { at, text } => self.text.insert_str(at, &text),
            Pending::Delete { at, len } => {
                self.text.replace_range(at..at + len, "");
            }
        }
    }
}

/// Prefix sums of byte widths by rank.
struct Fenwick(Vec<i64>);

impl Fenwick {
    fn add(&mut self, index: usize, delta: i64) {
        let mut i = index + 1;
        while i <= self.0.len() {
            self.0[i - 1] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The sum over ranks below `index`, as a byte offset.
    fn prefix(&self, index: usize) -> usize {
        let (mut i, mut sum) = (index, 0);
        while i > 0 {
            sum += self.0[i - 1];
            i -= i & i.wrapping_neg();
        }
        usize::try_from(sum).unwrap_or(0)
    }

    fn get(&self, index: usize) -> usize {
        self.prefix(index + 1) - self.prefix(index)
    }
}
