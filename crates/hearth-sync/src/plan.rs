//! What two version vectors of one scope say: which ops each device should
//! send the other, and which logs forked. It is the one decision of a sync
//! exchange, kept a pure function so that it is tested apart from any
//! transport.
//!
//! Each (scope, author) log is single-writer and gap-free, so an author's
//! last seq says which of its ops a device holds: all of them up to that
//! seq. The side with the higher seq sends the rest, in seq order. Whether
//! what it sends follows on from what the other holds (the previous-op
//! hashes) is checked by the receiver, which holds both; two vectors alone
//! prove a fork only when both sides are at the same seq with different
//! head hashes.

use hearth_crypto::hash;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

/// An author device's public key.
pub type Author = [u8; 32];

/// The last op a device holds of one author's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    /// That op's hash (its `hash` column, FORMAT.md 2.2).
    pub hash: [u8; 32],
}

/// What a device holds of one scope. An author of whom it holds no op is
/// left out (a Vector refuses seq 0, and the digest would differ).
pub type VersionVector = BTreeMap<Author, Head>;

/// A vector's bytes in canonical order: `author (32) || u64 seq || hash
/// (32)` per author, by ascending author. The Vector message carries them
/// after its count, and the digest hashes them.
pub(crate) fn put_heads(out: &mut Vec<u8>, vector: &VersionVector) {
    for (author, head) in vector {
        out.extend_from_slice(author);
        out.extend_from_slice(&head.seq.to_be_bytes());
        out.extend_from_slice(&head.hash);
    }
}

/// H256 of the vector's canonical bytes: `author (32) || u64 seq || hash
/// (32)` per author, by ascending author. Two devices with the same digest
/// for a scope hold the same ops of it.
pub fn digest(vector: &VersionVector) -> [u8; 32] {
    let mut bytes = Vec::with_capacity(vector.len() * 72);
    put_heads(&mut bytes, vector);
    hash(&[&bytes])
}

/// What one side of an exchange does for one scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Per author, the seqs of its ops to send: the other side is behind.
    pub send: BTreeMap<Author, RangeInclusive<u64>>,
    /// Per author, the seqs of its ops the other side will send.
    pub expect: BTreeMap<Author, RangeInclusive<u64>>,
    /// Authors both sides hold at the same seq with different head hashes:
    /// their logs forked, and nothing of theirs is sent either way.
    pub forks: BTreeSet<Author>,
}

impl Plan {
    /// The plan of the device holding `ours`, facing one holding `theirs`.
    pub fn between(ours: &VersionVector, theirs: &VersionVector) -> Plan {
        let mut plan = Plan::default();
        for author in ours.keys().chain(theirs.keys()) {
            let held = |v: &VersionVector| v.get(author).map_or(0, |h| h.seq);
            let (our_seq, their_seq) = (held(ours), held(theirs));
            if our_seq > their_seq {
                plan.send.insert(*author, their_seq + 1..=our_seq);
            } else if their_seq > our_seq {
                plan.expect.insert(*author, our_seq + 1..=their_seq);
            } else if our_seq > 0 && ours.get(author) != theirs.get(author) {
                plan.forks.insert(*author);
            }
        }
        plan
    }

    /// Nothing to send or receive, and no fork: both sides hold the same.
    pub fn is_empty(&self) -> bool {
        self.send.is_empty() && self.expect.is_empty() && self.forks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn head(seq: u64, tag: u8) -> Head {
        Head {
            seq,
            hash: [tag; 32],
        }
    }

    #[test]
    fn the_side_ahead_sends_the_rest_and_a_same_seq_difference_is_a_fork() {
        let ours = VersionVector::from([
            ([1; 32], head(5, 1)),
            ([2; 32], head(2, 2)),
            ([3; 32], head(4, 3)),
        ]);
        let theirs = VersionVector::from([
            ([1; 32], head(3, 9)),
            ([2; 32], head(7, 2)),
            ([3; 32], head(4, 8)),
            ([4; 32], head(1, 4)),
        ]);
        let plan = Plan::between(&ours, &theirs);
        assert_eq!(plan.send, BTreeMap::from([([1; 32], 4..=5)]));
        assert_eq!(
            plan.expect,
            BTreeMap::from([([2; 32], 3..=7), ([4; 32], 1..=1)])
        );
        assert_eq!(plan.forks, BTreeSet::from([[3; 32]]));
    }

    #[test]
    fn an_author_at_seq_0_holds_nothing() {
        let ours = VersionVector::from([([1; 32], head(0, 1))]);
        assert!(Plan::between(&ours, &VersionVector::new()).is_empty());
    }

    #[test]
    fn the_digest_hashes_the_canonical_heads() {
        assert_eq!(digest(&VersionVector::new()), hash(&[]));
        let vector = VersionVector::from([([2; 32], head(1, 7)), ([1; 32], head(258, 6))]);
        let mut bytes = vec![1; 32];
        bytes.extend([0, 0, 0, 0, 0, 0, 1, 2]);
        bytes.extend([6; 32]);
        bytes.extend([2; 32]);
        bytes.extend([0, 0, 0, 0, 0, 0, 0, 1]);
        bytes.extend([7; 32]);
        assert_eq!(digest(&vector), hash(&[&bytes]));
    }

    /// The hash of op `seq` of `author`'s log on one of two branches (two
    /// branches of one log are a fork).
    fn op_hash(author: u8, seq: u64, branch: u8) -> [u8; 32] {
        hash(&[&[author, branch], &seq.to_be_bytes()])
    }

    /// A device's vector from how many ops of each author's log it holds,
    /// and which branch of that log.
    fn vector(held: &[(u64, u8)]) -> VersionVector {
        held.iter()
            .enumerate()
            .filter(|(_, (seq, _))| *seq > 0)
            .map(|(a, &(seq, branch))| {
                let author = a as u8;
                (
                    [author; 32],
                    Head {
                        seq,
                        hash: op_hash(author, seq, branch),
                    },
                )
            })
            .collect()
    }

    /// How many ops (0 to 5) of each of four authors' logs a device holds,
    /// and on which branch.
    fn holdings() -> impl Strategy<Value = Vec<(u64, u8)>> {
        prop::collection::vec((0u64..6, 0u8..2), 4)
    }

    proptest! {
        #[test]
        fn what_one_sends_the_other_expects(a in holdings(), b in holdings()) {
            let (a, b) = (vector(&a), vector(&b));
            let (ab, ba) = (Plan::between(&a, &b), Plan::between(&b, &a));
            prop_assert_eq!(&ab.send, &ba.expect);
            prop_assert_eq!(&ab.expect, &ba.send);
            prop_assert_eq!(&ab.forks, &ba.forks);
            prop_assert_eq!(ab.is_empty(), a == b);
            prop_assert_eq!(digest(&a) == digest(&b), a == b);
        }

        /// Two devices holding prefixes of the same logs: no fork, and
        /// after each takes what the plan sends it, they hold the same.
        #[test]
        fn prefixes_of_one_history_converge(a in holdings(), b in holdings()) {
            let on_one_branch = |held: &[(u64, u8)]| {
                vector(&held.iter().map(|&(seq, _)| (seq, 0)).collect::<Vec<_>>())
            };
            let (mut a, mut b) = (on_one_branch(&a), on_one_branch(&b));
            let plan = Plan::between(&a, &b);
            prop_assert!(plan.forks.is_empty());
            for (author, seqs) in &plan.send {
                prop_assert_eq!(b.get(author).map_or(0, |h| h.seq) + 1, *seqs.start());
                b.insert(*author, a[author]);
            }
            for (author, seqs) in &plan.expect {
                prop_assert_eq!(a.get(author).map_or(0, |h| h.seq) + 1, *seqs.start());
                a.insert(*author, b[author]);
            }
            prop_assert_eq!(digest(&a), digest(&b));
            prop_assert!(Plan::between(&a, &b).is_empty());
        }
    }
}
