//! Arbitrary bytes as a backup file: `Vault::verify_backup_bytes` must
//! refuse anything that is not a whole, undamaged backup, and never panic.
//!
//! It opens the backup with the recovery key of the journal the seed
//! (`fuzz/seeds/backup_reader/journal.hbk`, made with `hearth backup`) was
//! made from, so a mutated seed gets past the header and the sealed secrets
//! to the chunks, the record stream and the checks of every row. The
//! passphrase is not tried: a header may ask Argon2id for up to 4 GiB and
//! 100 passes, which is allowed, and would only make the fuzzer time out.
#![no_main]

use hearth_core::{BackupKey, RecoveryKey, Vault};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

/// The recovery key `hearth init` gave the seed's journal.
const SEED_RECOVERY_KEY: &str = "XKEF-R9CR-PAPM-RQHJ-2RNC-BGQ9-HG05-58DR-215D";

fuzz_target!(|data: &[u8]| {
    static KEY: OnceLock<RecoveryKey> = OnceLock::new();
    let key = KEY.get_or_init(|| RecoveryKey::parse(SEED_RECOVERY_KEY).expect("the seed's key"));
    let _ = Vault::verify_backup_bytes(Path::new("fuzzed.hbk"), data, BackupKey::Recovery(key));
});
