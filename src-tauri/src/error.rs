//! The one error that crosses the IPC boundary: a kind the UI can branch on
//! and the core's message, which already says what to do.

use hearth_core::CoreError;
use serde::Serialize;
use ts_rs::TS;

/// What went wrong, in the few kinds the window treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The passphrase did not open the journal.
    WrongPassphrase,
    /// The recovery key does not belong to this journal.
    WrongRecoveryKey,
    /// The journal is locked (auto-lock, or locked in another way).
    Locked,
    /// There is no journal yet.
    NoJournal,
    /// A journal already exists where one was to be created.
    JournalExists,
    /// No such entry.
    NotFound,
    /// The input was refused; nothing changed.
    Invalid,
    /// Reaching another device failed, or what it sent was refused.
    Network,
    /// Anything else (storage, damaged data, a bug).
    Internal,
}

/// An error as the window receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
}

impl IpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn locked() -> Self {
        Self::new(
            ErrorKind::Locked,
            "the journal is locked: unlock it with your passphrase",
        )
    }
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        let kind = match &e {
            CoreError::WrongPassphrase => ErrorKind::WrongPassphrase,
            CoreError::WrongRecoveryKey => ErrorKind::WrongRecoveryKey,
            CoreError::NoRecoveryKey => ErrorKind::Invalid,
            CoreError::VaultExists(_) => ErrorKind::JournalExists,
            CoreError::NoVault(_) => ErrorKind::NoJournal,
            CoreError::NotFound(_) => ErrorKind::NotFound,
            CoreError::Invalid(_) | CoreError::AmbiguousId { .. } | CoreError::Interchange(_) => {
                ErrorKind::Invalid
            }
            CoreError::Network(_) | CoreError::Refused(_) => ErrorKind::Network,
            _ => ErrorKind::Internal,
        };
        let message = match &e {
            // The core speaks to terminal users here; say it for the window.
            CoreError::NoVault(_) => "there is no journal yet: create one first".to_string(),
            other => other.to_string(),
        };
        Self { kind, message }
    }
}

/// The result of every command.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_message_and_get_a_kind() {
        let e = IpcError::from(CoreError::WrongPassphrase);
        assert_eq!(e.kind, ErrorKind::WrongPassphrase);
        assert!(e.message.contains("passphrase is wrong"));
        let e = IpcError::from(CoreError::Invalid("mood 9 is out of range".into()));
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.message, "mood 9 is out of range");
    }
}
