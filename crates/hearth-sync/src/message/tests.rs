#![allow(clippy::unwrap_used)]

use super::*;
use crate::frame::{Decoded, MAX_FRAME};
use proptest::prelude::*;

/// The frame an encoded message starts with.
fn frame_of(bytes: &[u8]) -> Frame<'_> {
    match frame::decode(bytes).unwrap() {
        Decoded::Frame { frame, .. } => frame,
        Decoded::NeedMore { .. } => unreachable!("an encoded message is a whole frame"),
    }
}

fn decode(bytes: &[u8]) -> Result<Message> {
    Message::decode(frame_of(bytes))
}

fn op(author: u8, seq: u64, payload: Vec<u8>) -> Op {
    Op {
        scope: [1; 16],
        author: [author; 32],
        seq,
        epoch: 0,
        doc: [2; 16],
        kind: 1,
        prev: [3; 32],
        payload_hash: [4; 32],
        payload,
        signature: [5; 64],
    }
}

fn malformed(message: &'static str, reason: &'static str) -> SyncError {
    SyncError::Malformed { message, reason }
}

#[test]
fn done_is_its_type_and_scope() {
    let bytes = Message::Done { scope: [9; 16] }.encode().unwrap();
    let mut want = vec![0, 0, 0, 17, DONE];
    want.extend([9; 16]);
    assert_eq!(bytes, want);
}

#[test]
fn a_hello_costs_11_bytes_and_48_per_scope() {
    let hello = |n: u8| Message::Hello {
        digests: (0..n).map(|i| ([i; 16], [i; 32])).collect(),
    };
    assert_eq!(hello(0).encode().unwrap().len(), 11);
    assert_eq!(hello(1).encode().unwrap().len(), 59);
    assert_eq!(hello(3).encode().unwrap().len(), 11 + 3 * 48);
    let bytes = hello(1).encode().unwrap();
    assert_eq!(&bytes[..11], [0, 0, 0, 55, HELLO, 0, 1, 0, 0, 0, 1]);
}

#[test]
fn an_op_costs_its_payload_and_213_bytes() {
    assert_eq!(OP_OVERHEAD, 213);
    let bytes = Message::Ops(vec![op(1, 1, vec![7; 10])]).encode().unwrap();
    assert_eq!(bytes.len(), 4 + 1 + 4 + OP_OVERHEAD + 10);
}

#[test]
fn the_largest_op_fits_in_a_frame_and_a_larger_one_does_not() {
    let largest = Message::Ops(vec![op(1, 1, vec![0; OP_PAYLOAD_MAX])]);
    let bytes = largest.encode().unwrap();
    assert!(bytes.len() - frame::LENGTH_LEN <= MAX_FRAME);
    assert_eq!(decode(&bytes).unwrap(), largest);
    assert_eq!(
        Message::Ops(vec![op(1, 1, vec![0; OP_PAYLOAD_MAX + 1])]).encode(),
        Err(malformed("Ops", "an op payload over 4 MiB"))
    );
}

#[test]
fn a_payload_length_over_the_cap_is_refused_before_its_bytes() {
    let mut bytes = Message::Ops(vec![op(1, 1, vec![])]).encode().unwrap();
    let at = 4 + 1 + 4 + OP_OVERHEAD - 4 - 64 - 4;
    bytes[at..at + 4].copy_from_slice(&(OP_PAYLOAD_MAX as u32 + 1).to_be_bytes());
    assert_eq!(
        decode(&bytes),
        Err(malformed("Ops", "an op payload over 4 MiB"))
    );
}

#[test]
fn a_count_over_the_cap_or_the_bytes_left_is_refused_before_allocating() {
    let mut body = PROTOCOL.to_be_bytes().to_vec();
    body.extend(u32::MAX.to_be_bytes());
    let bytes = frame::encode(HELLO, &body).unwrap();
    assert_eq!(
        decode(&bytes),
        Err(malformed("Hello", "more scopes than a Hello may hold"))
    );
    let bytes = frame::encode(OPS, &(MAX_BATCH_OPS as u32).to_be_bytes()).unwrap();
    assert_eq!(decode(&bytes), Err(SyncError::Truncated { message: "Ops" }));
}

#[test]
fn another_protocol_version_is_refused() {
    let mut bytes = Message::Hello {
        digests: BTreeMap::new(),
    }
    .encode()
    .unwrap();
    bytes[6] = 2;
    assert_eq!(decode(&bytes), Err(SyncError::UnsupportedProtocol(2)));
}

#[test]
fn map_keys_must_be_strictly_ascending() {
    let mut body = PROTOCOL.to_be_bytes().to_vec();
    body.extend(2u32.to_be_bytes());
    for _ in 0..2 {
        body.extend([1; 16]);
        body.extend([0; 32]);
    }
    let bytes = frame::encode(HELLO, &body).unwrap();
    assert_eq!(
        decode(&bytes),
        Err(malformed("Hello", "keys not in strictly ascending order"))
    );
}

#[test]
fn a_vector_holds_no_author_at_seq_0() {
    let heads = VersionVector::from([(
        [1; 32],
        Head {
            seq: 0,
            hash: [0; 32],
        },
    )]);
    let reason = "an author at seq 0 (an author with no op is left out)";
    let vector = Message::Vector {
        scope: [1; 16],
        heads,
    };
    assert_eq!(vector.encode(), Err(malformed("Vector", reason)));
    let mut body = vec![1; 16];
    body.extend(1u32.to_be_bytes());
    body.extend([1; 32]);
    body.extend(0u64.to_be_bytes());
    body.extend([0; 32]);
    let bytes = frame::encode(VECTOR, &body).unwrap();
    assert_eq!(decode(&bytes), Err(malformed("Vector", reason)));
}

#[test]
fn a_batch_is_one_scope_with_each_authors_ops_consecutive() {
    let encode = |ops: Vec<Op>| Message::Ops(ops).encode();
    assert!(encode(vec![op(1, 4, vec![]), op(2, 1, vec![]), op(1, 5, vec![])]).is_ok());
    let gap = "an author's ops out of order or with a gap";
    assert_eq!(
        encode(vec![op(1, 4, vec![]), op(1, 6, vec![])]),
        Err(malformed("Ops", gap))
    );
    assert_eq!(
        encode(vec![op(1, 4, vec![]), op(1, 4, vec![])]),
        Err(malformed("Ops", gap))
    );
    assert_eq!(
        encode(vec![op(1, u64::MAX, vec![]), op(1, 1, vec![])]),
        Err(malformed("Ops", gap))
    );
    assert_eq!(
        encode(vec![op(1, 0, vec![])]),
        Err(malformed("Ops", "an op at seq 0"))
    );
    assert_eq!(encode(vec![]), Err(malformed("Ops", "an empty batch")));
    let mut other = op(2, 1, vec![]);
    other.scope = [8; 16];
    assert_eq!(
        encode(vec![op(1, 1, vec![]), other]),
        Err(malformed("Ops", "ops of more than one scope"))
    );
    let many = (1..=MAX_BATCH_OPS as u64 + 1)
        .map(|seq| op(1, seq, vec![]))
        .collect();
    assert_eq!(
        encode(many),
        Err(malformed("Ops", "more ops than a batch may hold"))
    );
}

#[test]
fn a_signature_is_64_bytes() {
    let mut bytes = Message::Ops(vec![op(1, 1, vec![])]).encode().unwrap();
    let at = bytes.len() - 64 - 4;
    bytes[at + 3] = 63;
    assert_eq!(
        decode(&bytes),
        Err(malformed("Ops", "a signature that is not 64 bytes"))
    );
}

#[test]
fn an_error_text_is_utf8_within_1_kib() {
    let bytes = frame::encode(ERROR, &[0, 1, 0, 2, 0xC3, 0x28]).unwrap();
    assert_eq!(
        decode(&bytes),
        Err(malformed("Error", "its text is not UTF-8"))
    );
    let long = Message::Error {
        code: 1,
        message: "x".repeat(MAX_ERROR_MESSAGE + 1),
    };
    assert_eq!(long.encode(), Err(malformed("Error", "a text over 1 KiB")));
    let Message::Error { message, .. } = Message::error(code::REFUSED, &"é".repeat(600)) else {
        unreachable!("Message::error makes an Error")
    };
    assert_eq!(message, "é".repeat(512));
}

#[test]
fn leftover_bytes_and_unknown_types_are_errors() {
    let bytes = frame::encode(DONE, &[0; 17]).unwrap();
    assert_eq!(
        decode(&bytes),
        Err(SyncError::TrailingBytes {
            message: "Done",
            extra: 1
        })
    );
    let bytes = frame::encode(0, &[]).unwrap();
    assert_eq!(decode(&bytes), Err(SyncError::UnknownMessage(0)));
}

#[test]
fn batches_keep_the_order_and_stay_within_the_caps() {
    let small: Vec<Op> = (1..=2500).map(|seq| op(1, seq, vec![1])).collect();
    let batches = Message::batches(small.clone());
    let sizes: Vec<usize> = batches
        .iter()
        .map(|m| match m {
            Message::Ops(ops) => ops.len(),
            _ => 0,
        })
        .collect();
    assert_eq!(sizes, [1024, 1024, 452]);
    let again: Vec<Op> = batches
        .into_iter()
        .flat_map(|m| match m {
            Message::Ops(ops) => ops,
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(again, small);

    let big = (1..=3).map(|seq| op(1, seq, vec![0; OP_PAYLOAD_MAX]));
    let batches = Message::batches(big);
    assert_eq!(batches.len(), 3);
    assert!(batches.iter().all(|m| m.encode().is_ok()));

    let mut other = op(1, 1, vec![]);
    other.scope = [8; 16];
    assert_eq!(Message::batches([op(1, 1, vec![]), other]).len(), 2);
    assert!(Message::batches([]).is_empty());
}

#[test]
fn stored_ops_convert_both_ways_but_for_their_hash() {
    let record = OpRecord {
        hash: [0; 32],
        ..OpRecord::from(op(1, 3, vec![6; 5]))
    };
    let wire = Op::try_from(record.clone()).unwrap();
    assert_eq!(wire, op(1, 3, vec![6; 5]));
    let back = OpRecord::from(wire);
    assert_eq!(back, record);

    let damaged = OpRecord {
        signature: Vec::new(),
        ..record.clone()
    };
    assert!(matches!(
        Op::try_from(damaged),
        Err(SyncError::Unsendable { seq: 3, .. })
    ));
    let large = OpRecord {
        payload: vec![0; OP_PAYLOAD_MAX + 1],
        ..record
    };
    assert!(matches!(
        Op::try_from(large),
        Err(SyncError::Unsendable { seq: 3, .. })
    ));
}

fn bytes<const N: usize>() -> impl Strategy<Value = [u8; N]> {
    proptest::array::uniform(any::<u8>())
}

/// A batch of up to 12 ops of one scope by up to three authors, each
/// author's consecutive from a random start (near `u64::MAX` at times).
fn batch() -> impl Strategy<Value = Vec<Op>> {
    let start = prop_oneof![1u64..1000, (u64::MAX - 20)..=(u64::MAX - 12)];
    let one = (
        0u8..3,
        any::<u32>(),
        bytes::<16>(),
        any::<u8>(),
        bytes::<32>(),
        bytes::<32>(),
        prop::collection::vec(any::<u8>(), 0..40),
        bytes::<64>(),
    );
    (
        bytes::<16>(),
        [start.clone(), start.clone(), start],
        prop::collection::vec(one, 1..12),
    )
        .prop_map(|(scope, mut next, ops)| {
            ops.into_iter()
                .map(
                    |(who, epoch, doc, kind, prev, payload_hash, payload, signature)| {
                        let seq = next[usize::from(who)];
                        next[usize::from(who)] += 1;
                        Op {
                            scope,
                            author: [who; 32],
                            seq,
                            epoch,
                            doc,
                            kind,
                            prev,
                            payload_hash,
                            payload,
                            signature,
                        }
                    },
                )
                .collect()
        })
}

fn message() -> impl Strategy<Value = Message> {
    let head = (1u64.., bytes::<32>()).prop_map(|(seq, hash)| Head { seq, hash });
    prop_oneof![
        prop::collection::btree_map(bytes::<16>(), bytes::<32>(), 0..6)
            .prop_map(|digests| Message::Hello { digests }),
        (
            bytes::<16>(),
            prop::collection::btree_map(bytes::<32>(), head, 0..6)
        )
            .prop_map(|(scope, heads)| Message::Vector { scope, heads }),
        batch().prop_map(Message::Ops),
        bytes::<16>().prop_map(|scope| Message::Done { scope }),
        (any::<u16>(), "\\PC{0,40}").prop_map(|(code, text)| Message::error(code, &text)),
    ]
}

proptest! {
    #[test]
    fn every_message_decodes_to_itself(m in message()) {
        let bytes = m.encode().unwrap();
        prop_assert_eq!(decode(&bytes).unwrap(), m);
    }

    /// A message cut short anywhere is an error, never another message;
    /// its frame cut short anywhere needs more bytes.
    #[test]
    fn every_truncation_is_an_error_or_needs_more(m in message()) {
        let bytes = m.encode().unwrap();
        let frame = frame_of(&bytes);
        for cut in 0..frame.body.len() {
            let short = Frame { kind: frame.kind, body: &frame.body[..cut] };
            prop_assert!(Message::decode(short).is_err(), "{} bytes of {:?} decoded", cut, m);
        }
        for cut in 0..bytes.len() {
            let need_more = matches!(frame::decode(&bytes[..cut]), Ok(Decoded::NeedMore { .. }));
            prop_assert!(need_more);
        }
    }

    /// A changed byte gives an error or exactly the message those bytes
    /// encode: decoding is canonical.
    #[test]
    fn a_changed_byte_is_an_error_or_the_message_it_now_says(
        m in message(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..,
    ) {
        let mut bytes = m.encode().unwrap();
        let i = frame::LENGTH_LEN + at.index(bytes.len() - frame::LENGTH_LEN);
        bytes[i] ^= flip;
        if let Ok(other) = decode(&bytes) {
            prop_assert_eq!(other.encode().unwrap(), bytes);
        }
    }

    /// Any body of any type: no panic, and what decodes encodes back to
    /// the same bytes.
    #[test]
    fn any_body_decodes_canonically_or_not_at_all(
        kind in 0u8..7,
        body in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        if let Ok(m) = Message::decode(Frame { kind, body: &body }) {
            prop_assert_eq!(m.encode().unwrap(), frame::encode(kind, &body).unwrap());
        }
    }

    /// A stream of frames of random bodies, then random bytes, read the way
    /// a stream reader reads it: each frame is taken in turn, and the tail
    /// is an error or needs more, without a panic.
    #[test]
    fn a_stream_of_random_frames_is_read_frame_by_frame(
        frames in prop::collection::vec((0u8..7, prop::collection::vec(any::<u8>(), 0..80)), 0..6),
        tail in prop::collection::vec(any::<u8>(), 0..12),
    ) {
        let mut stream = Vec::new();
        for (kind, body) in &frames {
            stream.extend(frame::encode(*kind, body).unwrap());
        }
        stream.extend(&tail);
        let mut rest = &stream[..];
        for (kind, body) in &frames {
            let Ok(Decoded::Frame { frame, consumed }) = frame::decode(rest) else {
                unreachable!("a whole frame is there")
            };
            prop_assert_eq!((frame.kind, frame.body), (*kind, &body[..]));
            let _ = Message::decode(frame);
            rest = &rest[consumed..];
        }
        if let Ok(Decoded::Frame { frame, .. }) = frame::decode(rest) {
            let _ = Message::decode(frame);
        }
    }
}
