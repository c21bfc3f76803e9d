//! Cross-crate tests: journals written through hearth-core, carried through
//! every file format by hearth-interchange, and read back into new vaults;
//! and devices' ops carried through hearth-sync's wire format.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod roundtrip;
mod sync_wire;
