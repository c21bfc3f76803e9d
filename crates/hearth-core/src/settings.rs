//! Sealed settings: the person's preferences, templates and lists, stored as
//! JSON values by name and sealed with the personal scope key (a template or
//! a crisis line list can be as private as an entry).

use crate::journal::Journal;
use crate::{CoreError, Result};
use hearth_crypto::aead;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) fn aad(name: &str) -> Vec<u8> {
    let mut a = b"hearth/setting/v1".to_vec();
    a.extend_from_slice(name.as_bytes());
    a
}

impl Journal {
    /// The setting stored under `name`, if any.
    pub fn setting<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let Some(sealed) = self.store.setting(name)? else {
            return Ok(None);
        };
        let plain = aead::open(self.scope_key(), &aad(name), &sealed).map_err(|_| {
            CoreError::invalid(format!("setting {name:?} is damaged (it does not decrypt)"))
        })?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|e| CoreError::invalid(format!("setting {name:?} is not readable: {e}")))
    }

    /// Store `value` under `name`.
    pub fn set_setting<T: Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        let sealed = self.sealed_setting(name, value)?;
        self.store.put_setting(name, &sealed)?;
        Ok(())
    }

    /// `value` sealed as the setting `name`, for a transaction to store.
    pub(crate) fn sealed_setting<T: Serialize>(&self, name: &str, value: &T) -> Result<Vec<u8>> {
        let plain = serde_json::to_vec(value)
            .map_err(|e| CoreError::invalid(format!("setting {name:?} cannot be stored: {e}")))?;
        Ok(aead::seal(self.scope_key(), &aad(name), &plain))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{KdfParams, Vault};

    #[test]
    fn settings_are_sealed_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", KdfParams::new(8192, 1, 1).unwrap()).unwrap();
        assert_eq!(j.setting::<String>("theme").unwrap(), None);
        j.set_setting("theme", &"dark MARKER991").unwrap();
        drop(j);
        let j = Vault::unlock(dir.path(), b"pw").unwrap().0;
        assert_eq!(
            j.setting::<String>("theme").unwrap().as_deref(),
            Some("dark MARKER991")
        );
        let raw = std::fs::read(dir.path().join("vault.db")).unwrap();
        assert!(!raw.windows(9).any(|w| w == b"MARKER991"));
    }
}
