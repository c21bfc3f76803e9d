//! Creating and unlocking a vault, changing its passphrase, and getting back
//! in with the recovery key.
//!
//! A vault is one SQLite file, `vault.db`, in the data directory. Its header
//! holds the Argon2id settings, a salt and the user secrets sealed under the
//! key the passphrase derives; everything else in it is sealed with keys
//! inside those secrets.
//!
//! A vault of format 1 (written before devices could sync) is brought to
//! format 2 the first time it is unlocked; see [`crate::migrate`].
//!
//! The recovery key is a second wrapping of the same secrets
//! (`vault.wrapped_recovery`; see [`hearth_crypto::recovery`]): recovering
//! opens them with it and seals them again under a new passphrase, so no
//! entry is re-encrypted. A passphrase change leaves that wrapping alone, and
//! a new recovery key replaces it, which is what makes the old key stop
//! working.

use crate::journal::Journal;
use crate::migrate;
use crate::oplog::Writer;
use crate::registry::{Registry, default_device_name};
use crate::{CoreError, Result};
use hearth_crypto::{
    CryptoError, DeviceCertificate, DevicePublicKey, DeviceSecrets, KdfParams, RecoveryKey,
    SymmetricKey, Unwrapped, UserSecrets, VaultSecrets,
};
use hearth_store::{ScopeId, Store, VaultHeader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The vault format this build writes; format 1 is migrated at unlock.
pub(crate) const FORMAT: u32 = 4;
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

/// Whose journal a new vault holds: the person's secrets and the id of
/// their personal scope, new for a new person, received when pairing.
pub(crate) struct Person {
    pub(crate) user: UserSecrets,
    pub(crate) scope: ScopeId,
    /// Keys of the personal scope's later epochs.
    pub(crate) epochs: Vec<(u32, hearth_crypto::SymmetricKey)>,
}

impl Vault {
    /// The vault file inside a data directory.
    pub fn file(home: &Path) -> PathBuf {
        home.join(VAULT_FILE)
    }

    /// Whether `home` holds a vault.
    pub fn exists(home: &Path) -> bool {
        Self::file(home).exists()
    }

    /// Create a vault in `home` (made if missing) with a recovery key, and
    /// return it unlocked with the key, which must be shown to the person
    /// once: it is not stored anywhere.
    pub fn create_with_recovery(
        home: &Path,
        passphrase: &[u8],
        kdf: KdfParams,
    ) -> Result<(Journal, RecoveryKey)> {
        Self::with_recovery(home, Self::create(home, passphrase, kdf)?)
    }

    /// Give a vault created seconds ago its recovery key; if that fails,
    /// take the vault away again.
    pub(crate) fn with_recovery(home: &Path, journal: Journal) -> Result<(Journal, RecoveryKey)> {
        let mut journal = journal;
        match journal.new_recovery_key() {
            Ok(key) => Ok((journal, key)),
            Err(e) => {
                // The vault is seconds old and empty: take it away again so
                // that a retry starts clean.
                drop(journal);
                let path = Self::file(home);
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                Err(e)
            }
        }
    }

    /// Create a vault in `home` (made if missing) and return it unlocked. It
    /// has no recovery key: [`Vault::create_with_recovery`] makes one too,
    /// and [`Journal::new_recovery_key`] adds one later.
    pub fn create(home: &Path, passphrase: &[u8], kdf: KdfParams) -> Result<Journal> {
        let person = Person {
            user: UserSecrets::generate(),
            scope: rand::random(),
            epochs: Vec::new(),
        };
        Self::create_for(
            home,
            passphrase,
            kdf,
            person,
            DeviceSecrets::generate(),
            &default_device_name(),
        )
    }

    /// Create a vault for a person's journal on a new device: with their
    /// secrets and personal scope (from pairing), this device's own keys,
    /// and nothing else yet: the ops come by sync.
    pub(crate) fn create_for(
        home: &Path,
        passphrase: &[u8],
        kdf: KdfParams,
        person: Person,
        device: DeviceSecrets,
        name: &str,
    ) -> Result<Journal> {
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
        let Person {
            user,
            scope,
            epochs,
        } = person;
        let salt: [u8; 16] = rand::random();
        let kek = kdf.derive(passphrase, &salt)?;
        let mut header = VaultHeader {
            format: FORMAT,
            kdf_memory_kib: kdf.memory_kib,
            kdf_iterations: kdf.iterations,
            kdf_parallelism: kdf.parallelism,
            salt: salt.to_vec(),
            wrapped_secrets: Vec::new(),
            device: *device.key.public().as_bytes(),
            personal_scope: scope,
            created_at: chrono::Utc::now().timestamp_millis(),
        };
        header.wrapped_secrets = user.wrap(&kek, &secrets_aad(&header));
        let mut store = Store::create(&path, &header)?;
        restrict_file(&path)?;
        let secrets = VaultSecrets { user, device };
        store.write(|tx| -> Result<()> {
            for (epoch, key) in &epochs {
                tx.put_epoch(&crate::registry::seal_epoch_key(
                    &secrets.user.personal_scope_key,
                    &scope,
                    *epoch,
                    key,
                ))?;
            }
            Ok(())
        })?;
        adopt_device(&mut store, &header.personal_scope, &secrets, name)?;
        Journal::open(home, store, secrets, header.personal_scope)
    }

    /// Unlock the vault in `home`.
    pub fn unlock(home: &Path, passphrase: &[u8]) -> Result<(Journal, UnlockTimings)> {
        let (mut journal, kdf, started) = unlock_lazily(home, passphrase)?;
        journal.load_views()?;
        journal.purge_expired()?;
        Ok((
            journal,
            UnlockTimings {
                kdf,
                load: started.elapsed(),
            },
        ))
    }

    /// Unlock, search once, and close: the one-shot `hearth search`. Only
    /// the views of the hits are opened (with the sealed search-index image
    /// this is much faster than a full unlock); returns the hits and any hit
    /// whose stored view is damaged.
    pub fn search_once(
        home: &Path,
        passphrase: &[u8],
        query: &str,
        filter: &crate::ListFilter,
    ) -> Result<(Vec<crate::search::SearchHit>, Vec<crate::journal::Damage>)> {
        let (mut journal, _, _) = unlock_lazily(home, passphrase)?;
        let hits = journal.search(query, filter)?;
        Ok((hits, journal.damaged().to_vec()))
    }

    /// Read a recovery key as a person typed it. A mistyped key is refused
    /// here, by its check characters, before any work is done.
    pub fn parse_recovery_key(text: &str) -> Result<RecoveryKey> {
        RecoveryKey::parse(text).map_err(|e| match e {
            CryptoError::RecoveryKeyFormat(_) | CryptoError::RecoveryKeyMistyped => {
                CoreError::invalid(format!("{e}; nothing was changed"))
            }
            other => CoreError::Crypto(other),
        })
    }

    /// Get back into the vault in `home` with its recovery key: set
    /// `new_passphrase` and return the journal unlocked. The recovery key
    /// keeps working. On any error nothing is changed.
    pub fn recover(home: &Path, key: &RecoveryKey, new_passphrase: &[u8]) -> Result<Journal> {
        if new_passphrase.is_empty() {
            return Err(CoreError::invalid(
                "the new passphrase is empty; nothing was changed",
            ));
        }
        let (mut store, header) = open_store(home)?;
        let wrapped = store.wrapped_recovery()?.ok_or(CoreError::NoRecoveryKey)?;
        let unwrapped = key
            .unwrap(&recovery_aad(&header.personal_scope), &wrapped)
            .map_err(|e| match e {
                CryptoError::Decrypt => CoreError::WrongRecoveryKey,
                other => CoreError::Crypto(other),
            })?;
        let secrets = device_secrets(&mut store, &header, unwrapped, None)?;
        // Open first (it only reads), then re-seal: the one write is last.
        let mut journal = Journal::open(home, store, secrets, header.personal_scope)?;
        journal.change_passphrase(new_passphrase, None)?;
        Ok(journal)
    }
}

/// Open the vault file in `home` and read its header, refusing formats this
/// build cannot read.
fn open_store(home: &Path) -> Result<(Store, VaultHeader)> {
    let path = Vault::file(home);
    if !path.exists() {
        return Err(CoreError::NoVault(home.to_path_buf()));
    }
    let store = Store::open(&path)?;
    let header = store.header()?;
    if !(1..=FORMAT).contains(&header.format) {
        return Err(CoreError::invalid(format!(
            "this vault has format {}, which this Hearth cannot read; upgrade Hearth",
            header.format
        )));
    }
    Ok((store, header))
}

/// This device's secrets: opened from the vault, or, in a vault of format 1,
/// made by migrating it (see [`crate::migrate`]). `kek` is the passphrase's
/// key when the secrets were opened with it.
pub(crate) fn device_secrets(
    store: &mut Store,
    header: &VaultHeader,
    unwrapped: Unwrapped,
    kek: Option<&SymmetricKey>,
) -> Result<VaultSecrets> {
    let Unwrapped {
        user,
        legacy_device,
    } = unwrapped;
    if header.format == 1 {
        let device = migrate::format_1_to_2(store, header, &user, legacy_device, kek, false)?;
        return Ok(VaultSecrets { user, device });
    }
    let changed = || {
        CoreError::invalid(
            "the vault header does not match its secrets; the vault file was changed",
        )
    };
    if (2..FORMAT).contains(&header.format) {
        // Format 3 adds circles (op kinds 6 and 7, a circle's keys in the
        // epochs table), format 4 attachments (the blobs table, made by the
        // schema migration, and new keys in entry documents and views);
        // neither changes anything already written.
        store.write(|tx| tx.set_format(FORMAT, &header.wrapped_secrets))?;
        tracing::info!(
            "brought the vault from format {} to format {FORMAT}",
            header.format
        );
    }
    let sealed = store.read().device_secrets()?.ok_or_else(changed)?;
    let me = DevicePublicKey::from_bytes(&header.device).map_err(|_| changed())?;
    let device = DeviceSecrets::open(
        &user.personal_scope_key,
        &device_binding(&header.personal_scope, &me),
        &sealed,
    )
    .map_err(|_| changed())?;
    Ok(VaultSecrets { user, device })
}

/// What a device's sealed secrets are bound to: the vault's scope and the
/// device's public key.
pub(crate) fn device_binding(scope: &ScopeId, device: &DevicePublicKey) -> Vec<u8> {
    let mut b = scope.to_vec();
    b.extend_from_slice(device.as_bytes());
    b
}

/// Make `secrets.device` this vault's device: store its sealed secrets and
/// certify it in the registry.
pub(crate) fn adopt_device(
    store: &mut Store,
    scope: &ScopeId,
    secrets: &VaultSecrets,
    name: &str,
) -> Result<()> {
    let storage_key = &secrets.user.personal_scope_key;
    let me = secrets.device.key.public();
    store.write(|tx| -> Result<()> {
        tx.set_device(
            me.as_bytes(),
            &secrets
                .device
                .seal(storage_key, &device_binding(scope, &me)),
        )?;
        let mut registry = Registry::load(tx, scope, secrets.user.identity_public(), storage_key)?;
        let epoch = registry.current_epoch();
        let key = registry.epoch_key(epoch).unwrap_or(storage_key).clone();
        let writer = Writer {
            scope: *scope,
            epoch,
            key: &key,
            device: &secrets.device.key,
        };
        let cert = DeviceCertificate::issue(
            &secrets.user.identity,
            &me,
            secrets.device.agreement_public(),
            name,
            chrono::Utc::now().timestamp_millis(),
        )?;
        registry.certify(tx, &writer, cert)
    })
}

/// What the recovery wrapping is bound to: its purpose and this vault's
/// personal scope (random, fixed at creation), so that a wrapping copied from
/// another vault fails to open. Unlike the passphrase wrapping it is not bound
/// to the KDF settings or salt, which change with the passphrase.
pub(crate) fn recovery_aad(scope: &ScopeId) -> Vec<u8> {
    let mut a = b"hearth/recovery/v1".to_vec();
    a.extend_from_slice(&1u32.to_be_bytes());
    a.extend_from_slice(scope);
    a
}

/// Derive the key, open the secrets and the journal without its views;
/// returns the KDF time and when the rest started.
fn unlock_lazily(home: &Path, passphrase: &[u8]) -> Result<(Journal, Duration, Instant)> {
    let (mut store, header) = open_store(home)?;
    let started = Instant::now();
    let kek = kdf_of(&header)?.derive(passphrase, &header.salt)?;
    let kdf = started.elapsed();
    let started = Instant::now();
    let unwrapped = unwrap(&kek, &header)?;
    let secrets = device_secrets(&mut store, &header, unwrapped, Some(&kek))?;
    let journal = Journal::open_lazily(home, store, secrets, header.personal_scope)?;
    Ok((journal, kdf, started))
}

pub(crate) fn kdf_of(h: &VaultHeader) -> Result<KdfParams> {
    KdfParams::new(h.kdf_memory_kib, h.kdf_iterations, h.kdf_parallelism).map_err(CoreError::Crypto)
}

pub(crate) fn unwrap(kek: &SymmetricKey, h: &VaultHeader) -> Result<Unwrapped> {
    UserSecrets::unwrap(kek, &secrets_aad(h), &h.wrapped_secrets).map_err(|e| match e {
        CryptoError::Decrypt => CoreError::WrongPassphrase,
        other => CoreError::Crypto(other),
    })
}

/// The header fields the wrapped secrets are bound to: changing the KDF
/// settings or salt in the file makes the secrets fail to open. (The `1` is
/// the wrapping's own version; it stays 1 whatever the vault's format.)
pub(crate) fn secrets_aad(h: &VaultHeader) -> Vec<u8> {
    let mut a = b"hearth/secrets/v1".to_vec();
    a.extend_from_slice(&1u32.to_be_bytes());
    a.extend_from_slice(&h.kdf_memory_kib.to_be_bytes());
    a.extend_from_slice(&h.kdf_iterations.to_be_bytes());
    a.extend_from_slice(&h.kdf_parallelism.to_be_bytes());
    a.extend_from_slice(&h.salt);
    a
}

/// Seal `secrets` under a new passphrase, with new or the same KDF settings.
pub(crate) fn rewrap(
    store: &mut Store,
    secrets: &UserSecrets,
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

pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
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

pub(crate) fn restrict_file(path: &Path) -> Result<()> {
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

#[cfg(test)]
mod recovery_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{EntryDraft, ListFilter};

    fn cheap() -> KdfParams {
        KdfParams::new(8 * 1024, 1, 1).unwrap()
    }

    fn bodies(j: &Journal) -> Vec<String> {
        let mut b: Vec<String> = j
            .list(&ListFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| e.body.clone())
            .collect();
        b.sort();
        b
    }

    fn with_entries(home: &Path) -> RecoveryKey {
        let (mut j, key) = Vault::create_with_recovery(home, b"pw", cheap()).unwrap();
        for body in ["one", "two", "three"] {
            j.write(EntryDraft {
                body: body.into(),
                ..Default::default()
            })
            .unwrap();
        }
        assert!(j.has_recovery_key().unwrap());
        key
    }

    #[test]
    fn recover_sets_a_new_passphrase_and_keeps_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("h");
        let key = with_entries(&home);
        let typed = Vault::parse_recovery_key(&key.encoded().to_lowercase()).unwrap();
        let j = Vault::recover(&home, &typed, b"fresh").unwrap();
        assert_eq!(bodies(&j), ["one", "three", "two"]);
        drop(j);
        assert!(matches!(
            Vault::unlock(&home, b"pw"),
            Err(CoreError::WrongPassphrase)
        ));
        let (j, _) = Vault::unlock(&home, b"fresh").unwrap();
        assert_eq!(bodies(&j), ["one", "three", "two"]);
        drop(j);
        // The key keeps working, also after a passphrase change.
        let (mut j, _) = Vault::unlock(&home, b"fresh").unwrap();
        j.change_passphrase(b"third", None).unwrap();
        drop(j);
        let j = Vault::recover(&home, &key, b"fourth").unwrap();
        assert_eq!(bodies(&j), ["one", "three", "two"]);
    }

    #[test]
    fn a_new_key_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("h");
        let old = with_entries(&home);
        let (mut j, _) = Vault::unlock(&home, b"pw").unwrap();
        let new = j.new_recovery_key().unwrap();
        drop(j);
        let before = std::fs::read(Vault::file(&home)).unwrap();
        assert!(matches!(
            Vault::recover(&home, &old, b"x"),
            Err(CoreError::WrongRecoveryKey)
        ));
        assert_eq!(std::fs::read(Vault::file(&home)).unwrap(), before);
        Vault::unlock(&home, b"pw").unwrap();
        let j = Vault::recover(&home, &new, b"x").unwrap();
        assert_eq!(bodies(&j), ["one", "three", "two"]);
    }

    #[test]
    fn a_journal_without_a_recovery_key_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("h");
        let j = Vault::create(&home, b"pw", cheap()).unwrap();
        assert!(!j.has_recovery_key().unwrap());
        drop(j);
        let Err(err) = Vault::recover(&home, &RecoveryKey::generate(), b"x") else {
            unreachable!("a journal without a recovery key cannot be recovered")
        };
        assert!(matches!(err, CoreError::NoRecoveryKey));
        assert!(err.to_string().contains("recovery-key new"));
        Vault::unlock(&home, b"pw").unwrap();
        let (mut j, _) = Vault::unlock(&home, b"pw").unwrap();
        let key = j.new_recovery_key().unwrap();
        assert!(j.has_recovery_key().unwrap());
        drop(j);
        Vault::recover(&home, &key, b"x").unwrap();
    }

    #[test]
    fn errors_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("h");
        let key = with_entries(&home);
        assert!(matches!(
            Vault::recover(&home, &key, b""),
            Err(CoreError::Invalid(m)) if m.contains("empty")
        ));
        assert!(matches!(
            Vault::recover(&dir.path().join("nowhere"), &key, b"x"),
            Err(CoreError::NoVault(_))
        ));
        Vault::unlock(&home, b"pw").unwrap();
        let err = Vault::parse_recovery_key("0000-0000").unwrap_err();
        assert!(err.to_string().contains("nothing was changed"));
        let mut typo: Vec<char> = key.encoded().chars().collect();
        typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert!(
            matches!(Vault::parse_recovery_key(&typo), Err(CoreError::Invalid(m)) if m.contains("mistyped"))
        );
    }

    #[test]
    fn a_wrapping_moved_from_another_vault_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        let key_a = with_entries(&a);
        with_entries(&b);
        let blob_a = Store::open(&Vault::file(&a))
            .unwrap()
            .wrapped_recovery()
            .unwrap()
            .unwrap();
        Store::open(&Vault::file(&b))
            .unwrap()
            .set_wrapped_recovery(&blob_a)
            .unwrap();
        assert!(matches!(
            Vault::recover(&b, &key_a, b"x"),
            Err(CoreError::WrongRecoveryKey)
        ));
        Vault::unlock(&b, b"pw").unwrap();
    }
}
