//! One Automerge change as an op carries it: what it says about itself
//! (hash, dependencies, actor), and the causal order of many.
//!
//! An op holds exactly one change, whose actor is the op's author; the core
//! checks that here before trusting an op's payload. History lists an
//! entry's changes in causal order: a topological order of their
//! dependencies, ties broken by (actor, seq), so two devices that edited one
//! entry see the same versions in the same order.

use crate::DocError;
use automerge::Change;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// What a change says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeMeta {
    pub hash: [u8; 32],
    pub deps: Vec<[u8; 32]>,
    pub actor: Vec<u8>,
    /// The change's number among its actor's changes, from 1.
    pub seq: u64,
}

/// Read the one change in `bytes`; anything else (no change, two changes,
/// trailing bytes, a snapshot) is an error.
pub fn change_meta(bytes: &[u8]) -> Result<ChangeMeta, DocError> {
    let change = Change::try_from(bytes)
        .map_err(|e| DocError::Malformed(format!("not exactly one change: {e}")))?;
    Ok(ChangeMeta {
        hash: change.hash().0,
        deps: change.deps().iter().map(|d| d.0).collect(),
        actor: change.actor_id().to_bytes().to_vec(),
        seq: change.seq(),
    })
}

/// The causal order of `changes`: indexes into it, each change after every
/// change it depends on, ties by (actor, seq). Changes whose dependencies
/// are not all among `changes` (directly or through another waiting change)
/// are left out and returned second: they wait for what they lack.
pub fn causal_order(changes: &[ChangeMeta]) -> (Vec<usize>, Vec<usize>) {
    let index: HashMap<[u8; 32], usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hash, i))
        .collect();
    let mut missing = vec![0usize; changes.len()];
    let mut unmet = vec![0usize; changes.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, c) in changes.iter().enumerate() {
        for d in &c.deps {
            match index.get(d) {
                Some(&j) => {
                    unmet[i] += 1;
                    dependents[j].push(i);
                }
                None => missing[i] += 1,
            }
        }
    }
    let key = |i: usize| Reverse((changes[i].actor.clone(), changes[i].seq, i));
    let mut ready: BinaryHeap<_> = (0..changes.len())
        .filter(|&i| unmet[i] == 0 && missing[i] == 0)
        .map(key)
        .collect();
    let mut order = Vec::with_capacity(changes.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &k in &dependents[i] {
            unmet[k] -= 1;
            if unmet[k] == 0 && missing[k] == 0 {
                ready.push(key(k));
            }
        }
    }
    let mut placed = vec![false; changes.len()];
    for &i in &order {
        placed[i] = true;
    }
    let waiting = (0..changes.len()).filter(|&i| !placed[i]).collect();
    (order, waiting)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{EntryDoc, EntryFields};

    fn fields(body: &str) -> EntryFields {
        EntryFields {
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn one_change_with_its_actor() {
        let (_, c) = EntryDoc::create(&[7; 32], &fields("a")).unwrap();
        let m = change_meta(&c).unwrap();
        assert_eq!(m.actor, vec![7; 32]);
        assert_eq!(m.seq, 1);
        assert!(m.deps.is_empty());
        let mut two = c.clone();
        two.extend_from_slice(&c);
        assert!(change_meta(&two).is_err());
        assert!(change_meta(&c[..c.len() - 1]).is_err());
        assert!(change_meta(b"").is_err());
    }

    #[test]
    fn forks_are_ordered_the_same_whatever_the_input_order() {
        let (mut a, c1) = EntryDoc::create(&[1; 32], &fields("base")).unwrap();
        let a2 = a.update(&fields("base, a")).unwrap().unwrap();
        let mut b = EntryDoc::load(&[2; 32], [c1.as_slice()]).unwrap();
        let b2 = b.update(&fields("b, base")).unwrap().unwrap();
        let all = [c1.clone(), b2.clone(), a2.clone()];
        let metas: Vec<_> = all.iter().map(|c| change_meta(c).unwrap()).collect();
        let (order, waiting) = causal_order(&metas);
        assert!(waiting.is_empty());
        assert_eq!(order, vec![0, 2, 1]);
        let reversed: Vec<_> = metas.iter().rev().cloned().collect();
        let (order, _) = causal_order(&reversed);
        assert_eq!(order, vec![2, 0, 1]);
        // Without the first change, both others wait.
        let (order, waiting) = causal_order(&metas[1..]);
        assert!(order.is_empty());
        assert_eq!(waiting, vec![0, 1]);
    }
}
