//! Cross-crate tests: journals written through hearth-core, carried through
//! every file format by hearth-interchange, and read back into new vaults.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod roundtrip;
