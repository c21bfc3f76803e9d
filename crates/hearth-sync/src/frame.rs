//! Frames: the unit the sync stream carries. A stream delivers bytes in
//! pieces of any size; a frame says how long its message is, so a reader
//! knows when it holds a whole one, and that length is capped, so a peer
//! cannot make this device buffer or allocate more than [`MAX_FRAME`]
//! bytes, whatever it sends.
//!
//! `u32 length (big-endian) || u8 message type || body`, where `length`
//! counts the type byte and the body. There is no version byte: the version
//! is the ALPN (`hearth/sync/1`) and the Hello's protocol number.
//!
//! A stream reader appends what arrives to a buffer and calls [`decode`]
//! on it: [`Decoded::NeedMore`] says how many bytes the buffer must hold
//! before calling again, [`Decoded::Frame`] how many to drop once the frame
//! is handled.

use crate::{Result, SyncError};

/// The bytes of the length field.
pub const LENGTH_LEN: usize = 4;

/// The largest `length` a frame may have (type byte and body): 8 MiB.
///
/// The largest message is a batch of ops, and one op may carry a sealed
/// payload of up to [`OP_PAYLOAD_MAX`](crate::OP_PAYLOAD_MAX) (4 MiB) plus
/// 213 bytes of header. Twice that keeps every op sendable on its own, with
/// room to batch smaller ones beside it, and bounds what a reader holds per
/// connection to one frame.
pub const MAX_FRAME: usize = 8 << 20;

/// One whole frame, borrowed from the buffer it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The message type (see [`crate::message`]).
    pub kind: u8,
    pub body: &'a [u8],
}

/// What the front of a buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// Not a whole frame yet: call again once the buffer holds at least
    /// `total` bytes.
    NeedMore { total: usize },
    /// A whole frame, taking the first `consumed` bytes of the buffer.
    Frame { frame: Frame<'a>, consumed: usize },
}

/// One frame holding `body` as a message of type `kind`.
pub fn encode(kind: u8, body: &[u8]) -> Result<Vec<u8>> {
    let len = 1 + body.len();
    if len > MAX_FRAME {
        return Err(SyncError::FrameTooLarge { len: len as u64 });
    }
    let mut out = Vec::with_capacity(LENGTH_LEN + len);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.push(kind);
    out.extend_from_slice(body);
    Ok(out)
}

/// The frame at the front of `buf`, if it is all there. A length over
/// [`MAX_FRAME`] is an error as soon as its four bytes have arrived.
pub fn decode(buf: &[u8]) -> Result<Decoded<'_>> {
    let Some((length, rest)) = buf.split_first_chunk::<LENGTH_LEN>() else {
        return Ok(Decoded::NeedMore {
            total: LENGTH_LEN + 1,
        });
    };
    let len = u32::from_be_bytes(*length);
    if len as usize > MAX_FRAME {
        return Err(SyncError::FrameTooLarge { len: len.into() });
    }
    let len = len as usize;
    let Some(content) = rest.get(..len) else {
        return Ok(Decoded::NeedMore {
            total: LENGTH_LEN + len,
        });
    };
    let Some((&kind, body)) = content.split_first() else {
        return Err(SyncError::EmptyFrame);
    };
    Ok(Decoded::Frame {
        frame: Frame { kind, body },
        consumed: LENGTH_LEN + len,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_frame_is_its_length_type_and_body() {
        assert_eq!(
            encode(7, b"abc").unwrap(),
            [0, 0, 0, 4, 7, b'a', b'b', b'c']
        );
        assert_eq!(encode(7, b"").unwrap(), [0, 0, 0, 1, 7]);
    }

    #[test]
    fn a_length_over_the_cap_is_refused_from_its_four_bytes() {
        let over = (MAX_FRAME as u32 + 1).to_be_bytes();
        assert_eq!(
            decode(&over),
            Err(SyncError::FrameTooLarge {
                len: MAX_FRAME as u64 + 1
            })
        );
        assert_eq!(
            decode(&u32::MAX.to_be_bytes()),
            Err(SyncError::FrameTooLarge {
                len: u32::MAX.into()
            })
        );
        let at_cap = (MAX_FRAME as u32).to_be_bytes();
        assert_eq!(
            decode(&at_cap),
            Ok(Decoded::NeedMore {
                total: LENGTH_LEN + MAX_FRAME
            })
        );
    }

    #[test]
    fn a_body_over_the_cap_is_not_encoded() {
        assert!(encode(1, &vec![0; MAX_FRAME - 1]).is_ok());
        assert_eq!(
            encode(1, &vec![0; MAX_FRAME]),
            Err(SyncError::FrameTooLarge {
                len: MAX_FRAME as u64 + 1
            })
        );
    }

    #[test]
    fn a_zero_length_is_an_error() {
        assert_eq!(decode(&[0, 0, 0, 0, 9]), Err(SyncError::EmptyFrame));
    }

    #[test]
    fn frames_are_read_one_after_another() {
        let mut stream = encode(1, b"first").unwrap();
        stream.extend(encode(2, b"").unwrap());
        let Decoded::Frame { frame, consumed } = decode(&stream).unwrap() else {
            unreachable!("a whole frame is there")
        };
        assert_eq!((frame.kind, frame.body, consumed), (1, &b"first"[..], 10));
        let Decoded::Frame { frame, consumed } = decode(&stream[consumed..]).unwrap() else {
            unreachable!("a whole frame is there")
        };
        assert_eq!((frame.kind, frame.body, consumed), (2, &b""[..], 5));
    }

    proptest! {
        #[test]
        fn a_frame_decodes_to_what_was_encoded(
            kind: u8,
            body in prop::collection::vec(any::<u8>(), 0..300),
            tail in prop::collection::vec(any::<u8>(), 0..8),
        ) {
            let mut bytes = encode(kind, &body).unwrap();
            let consumed = bytes.len();
            bytes.extend(&tail);
            let frame = Frame { kind, body: &body };
            prop_assert_eq!(decode(&bytes).unwrap(), Decoded::Frame { frame, consumed });
        }

        #[test]
        fn every_prefix_of_a_frame_needs_more(
            kind: u8,
            body in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let bytes = encode(kind, &body).unwrap();
            for cut in 0..bytes.len() {
                let Decoded::NeedMore { total } = decode(&bytes[..cut]).unwrap() else {
                    unreachable!("a prefix of {cut} bytes gave a frame")
                };
                prop_assert!(cut < total && total <= bytes.len());
            }
        }

        #[test]
        fn any_bytes_decode_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(Decoded::Frame { consumed, .. }) = decode(&bytes) {
                prop_assert!(consumed <= bytes.len());
            }
        }
    }
}
