//! The one error type of hearth-core. Every variant's message says what is
//! wrong and, where there is something to do, what to do.

use hearth_crypto::CryptoError;
use hearth_doc::DocError;
use hearth_interchange::InterchangeError;
use hearth_store::StoreError;
use std::path::PathBuf;

/// Errors a shell can show to a person.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("the passphrase is wrong; nothing was changed")]
    WrongPassphrase,
    #[error(
        "that recovery key does not open this journal (a key replaced by `hearth recovery-key new` stops working); nothing was changed"
    )]
    WrongRecoveryKey,
    #[error(
        "this journal has no recovery key (it was made before Hearth had them), so there is no way in without the passphrase; nothing was changed. While you know the passphrase, `hearth recovery-key new` makes one"
    )]
    NoRecoveryKey,
    #[error("a journal already exists in {0}; nothing was changed")]
    VaultExists(PathBuf),
    #[error("no journal in {0}; create one with `hearth init`")]
    NoVault(PathBuf),
    #[error("no entry with id {0}; `hearth list` shows the ids")]
    NotFound(String),
    #[error("id {prefix} matches {count} entries; type more of it")]
    AmbiguousId { prefix: String, count: usize },
    #[error("{0}")]
    Invalid(String),
    /// Ops another device sent failed a check; none of them was stored.
    #[error("refused what another device sent: {0}; nothing of it was stored")]
    Refused(String),
    /// Reaching another device failed; the message says how.
    #[error("{0}")]
    Network(String),
    #[error("entry {id} is damaged: {reason}")]
    Damaged { id: String, reason: String },
    /// An attachment's stored bytes failed their checks; the entry and
    /// every other attachment are unaffected.
    #[error("attachment {name} ({id}) is damaged: {reason}; restore it from a backup")]
    AttachmentDamaged {
        name: String,
        id: String,
        reason: String,
    },
    /// An attachment's bytes are not on this device (yet).
    #[error(
        "attachment {name} ({id}) is not on this device yet; it comes with the next sync with the device that added it"
    )]
    AttachmentMissing { name: String, id: String },
    #[error(transparent)]
    Interchange(#[from] InterchangeError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("cryptography: {0}")]
    Crypto(#[from] CryptoError),
    #[error("document: {0}")]
    Doc(#[from] DocError),
    /// A backup that cannot be used; `reason` says what is wrong with it.
    #[error("backup {path}: {reason}")]
    Backup { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl CoreError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Self::Invalid(msg.into())
    }
}
