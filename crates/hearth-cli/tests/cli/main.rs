//! End-to-end tests of the `hearth` program: every command run as a person
//! (or a script) would run it, through the real binary, one temporary
//! journal per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod at_rest;
mod attach;
mod backup;
mod circle;
mod crash;
mod editor;
mod errors;
mod format1;
mod format2;
mod format3;
mod history;
mod imports;
mod init;
mod join;
mod journal;
mod mood;
mod net;
mod netns;
mod old_vault;
mod passwd;
mod recovery;
mod search;
mod tamper;
mod transfer;
