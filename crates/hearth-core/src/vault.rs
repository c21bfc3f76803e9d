//! Creating and unlocking a vault, and changing its passphrase.
//!
//! A vault is one SQLite file, `vault.db`, in the data directory. Its header
//! holds the Argon2id settings, a salt and the user secrets sealed under the
//! key the passphrase derives; everything else in it is sealed with keys
//! inside those secrets.

use crate::journal::Journal;
use crate::{CoreError, Result};
use hearth_crypto::{CryptoError, KdfParams, SymmetricKey, VaultSecrets};
use hearth_store::{Store, VaultHeader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FORMAT: u32 = 1;
const VAULT_FILE: &str = "vault.db";

/// How long unlocking took, in its two parts.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockTimings {
    /// Deriving the key from the passphrase (Argon2id).
    pub kdf: Duration,
    /// Opening the secrets and decrypting every entry's view.
    pub load: Duration,
}

/// Entry points that need no open journal.
pub struct Vault;

impl Vault {
    /// The vault file inside a data directory.
    pub fn file(home: &Path) -> PathBuf {
        home.join(VAULT_FILE)
    }

    /// Whether `home` holds a vault.
    pub fn exists(home: &Path) -> bool {
        Self::file(home).exists()
    }

    /// Create a vault in `home` (made if missing) and return it unlocked.
    pub fn create(home: &Path, passphrase: &[u8], kdf: KdfParams) -> Result<Journal> {
        if passphrase.is_empty() {
            return Err(CoreError::invalid(
                "the passphrase is empty: choose one you will remember",
            ));
        }
        kdf.check().map_err(CoreError::Crypto)?;
        let path = Self::file(home);
        if path.exists() {
            return Err(CoreError::VaultExists(home.to_path_buf()));
        }
        create_private_dir(home)?;
        let secrets = VaultSecrets::generate();
        let salt: [u8; 16] = rand::random();
        let kek = kdf.derive(passphrase, &salt)?;
        let mut header = VaultHeader {
            format: FORMAT,
            kdf_memory_kib: kdf.memory_kib,
            kdf_iterations: kdf.iterations,
            kdf_parallelism: kdf.parallelism,
            salt: salt.to_vec(),
            wrapped_secrets: Vec::new(),
            device: *secrets.device.public().as_bytes(),
            personal_scope: rand::random(),
            created_at: chrono::Utc::now().timestamp_millis(),
        };
        header.wrapped_secrets = secrets.wrap(&kek, &secrets_aad(&header));
        let store = Store::create(&path, &header)?;
        restrict_file(&path)?;
        Journal::open(home, store, secrets, header.personal_scope)
    }

    /// Unlock the vault in `home`.
    pub fn unlock(home: &Path, passphrase: &[u8]) -> Result<(Journal, UnlockTimings)> {
        let path = Self::file(home);
        if !path.exists() {
            return Err(CoreError::NoVault(home.to_path_buf()));
        }
        let store = Store::open(&path)?;
        let header = store.header()?;
        if header.format != FORMAT {
            return Err(CoreError::invalid(format!(
                "this vault has format {}, which this Hearth cannot read; upgrade Hearth",
                header.format
            )));
        }
        let started = Instant::now();
        let kek = kdf_of(&header)?.derive(passphrase, &header.salt)?;
        let kdf = started.elapsed();
        let started = Instant::now();
        let secrets = unwrap(&kek, &header)?;
        if *secrets.device.public().as_bytes() != header.device {
            return Err(CoreError::invalid(
                "the vault header does not match its secrets; the vault file was changed",
            ));
        }
        let journal = Journal::open(home, store, secrets, header.personal_scope)?;
        Ok((
            journal,
            UnlockTimings {
                kdf,
                load: started.elapsed(),
            },
        ))
    }
}

pub(crate) fn kdf_of(h: &VaultHeader) -> Result<KdfParams> {
    KdfParams::new(h.kdf_memory_kib, h.kdf_iterations, h.kdf_parallelism).map_err(CoreError::Crypto)
}

fn unwrap(kek: &SymmetricKey, h: &VaultHeader) -> Result<VaultSecrets> {
    VaultSecrets::unwrap(kek, &secrets_aad(h), &h.wrapped_secrets).map_err(|e| match e {
        CryptoError::Decrypt => CoreError::WrongPassphrase,
        other => CoreError::Crypto(other),
    })
}

/// The header fields the wrapped secrets are bound to: changing the KDF
/// settings or salt in the file makes the secrets fail to open.
pub(crate) fn secrets_aad(h: &VaultHeader) -> Vec<u8> {
    let mut a = b"hearth/secrets/v1".to_vec();
    a.extend_from_slice(&h.format.to_be_bytes());
    a.extend_from_slice(&h.kdf_memory_kib.to_be_bytes());
    a.extend_from_slice(&h.kdf_iterations.to_be_bytes());
    a.extend_from_slice(&h.kdf_parallelism.to_be_bytes());
    a.extend_from_slice(&h.salt);
    a
}

/// Seal `secrets` under a new passphrase, with new or the same KDF settings.
pub(crate) fn rewrap(
    store: &mut Store,
    secrets: &VaultSecrets,
    passphrase: &[u8],
    kdf: Option<KdfParams>,
) -> Result<()> {
    if passphrase.is_empty() {
        return Err(CoreError::invalid("the new passphrase is empty"));
    }
    let mut header = store.header()?;
    let kdf = match kdf {
        Some(k) => {
            k.check()?;
            k
        }
        None => kdf_of(&header)?,
    };
    header.kdf_memory_kib = kdf.memory_kib;
    header.kdf_iterations = kdf.iterations;
    header.kdf_parallelism = kdf.parallelism;
    header.salt = rand::random::<[u8; 16]>().to_vec();
    let kek = kdf.derive(passphrase, &header.salt)?;
    let wrapped = secrets.wrap(&kek, &secrets_aad(&header));
    store.rewrap(
        (kdf.memory_kib, kdf.iterations, kdf.parallelism),
        &header.salt,
        &wrapped,
    )?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let io = |source| CoreError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

fn restrict_file(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
            |source| CoreError::Io {
                path: path.to_path_buf(),
                source,
            },
        )?;
    }
    let _ = path;
    Ok(())
}
