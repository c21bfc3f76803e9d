//! Cross-crate tests: journals written through hearth-core, carried through
//! every file format by hearth-interchange, and read back into new vaults;
//! devices' ops carried through hearth-sync's wire format; and devices
//! meeting over the network.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod joining;
mod network;
mod roundtrip;
mod sync_wire;
