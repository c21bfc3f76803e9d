//! The Hearth facade: everything the shells (the `hearth` program, the
//! desktop app) can do with a journal, and nothing about how they show it.
//!
//! - [`vault`]: creating and unlocking a vault, changing its passphrase,
//!   recovering it with the recovery key.
//! - [`journal`]: the unlocked journal: write, edit, trash, list, show.
//! - [`attachments`]: photos and files in entries, stored in sealed chunks;
//!   [`thumbnails`]: their small pictures, made when first asked for.
//! - [`entry`]: the entry type the shells see, and input validation.
//! - [`oplog`]: turning document changes into sealed, signed ops and back.
//! - [`exchange`]: what another device lacks, and taking in what it sent.
//! - [`netconfig`]: offline mode, relays, LAN discovery, sync windows.
//! - [`network`]: the node (sync and pairing over hearth-sync), joining a
//!   journal from a new device, and what is remembered of each exchange.
//! - [`registry`]: the devices trusted to write, and the keys of each epoch.
//! - [`membership`]: who is in a circle, from its signed statements.
//! - [`circles`]: making a circle, and what each circle says.
//! - [`migrate`]: bringing a format-1 vault to the multi-writer format.
//! - [`view`]: the sealed materialised view of each entry.
//! - [`history`]: every saved version of an entry, diffs, restoring one.
//! - [`trash`]: purging entries for good.
//! - [`search`], [`mood`], [`transfer`]: search, the mood report, import and
//!   export.
//! - [`settings`]: sealed preferences, templates and lists.
//! - [`devices`]: the person's devices: list, rename.
//! - [`backup`]: the whole vault in one encrypted file; verify, restore.
//! - [`when`]: the date and time forms people type.

pub mod attachments;
pub mod backup;
mod circle_exchange;
pub mod circle_invite;
pub mod circle_moderation;
pub mod circle_notes;
pub mod circle_share;
pub mod circles;
pub mod devices;
mod doc_cache;
pub mod entry;
mod error;
pub mod exchange;
mod file_exchange;
pub mod history;
pub mod journal;
pub mod membership;
mod migrate;
pub mod mood;
pub mod netconfig;
pub mod network;
mod oplog;
mod registry;
pub mod search;
pub mod settings;
pub mod thumbnails;
pub mod transfer;
pub mod trash;
pub mod vault;
mod view;
pub mod when;

pub use attachments::Attachment;
pub use backup::{BackupKey, BackupSummary};
pub use devices::Device;
pub use entry::{Entry, EntryDraft, EntryId, EntryPatch, ListFilter};
pub use error::CoreError;
pub use exchange::{Received, VersionVector};
pub use hearth_crypto::{KdfParams, RecoveryKey};
pub use hearth_interchange::Format;
pub use hearth_store::OpRecord;
pub use journal::Journal;
pub use vault::{UnlockTimings, Vault};

/// Hearth's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
