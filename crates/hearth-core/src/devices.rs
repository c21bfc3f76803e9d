//! The person's devices, as this device's registry knows them: list and
//! rename. A rename is a new certificate signed by the identity key and
//! written as an op, so it reaches every device the way any change does.

use crate::journal::Journal;
use crate::oplog::Writer;
use crate::registry::Registry;
use crate::{CoreError, Result};
use chrono::{DateTime, Utc};
use hearth_crypto::{DeviceCertificate, DevicePublicKey, DeviceRemoval};
use hearth_store::StoreTx;
use serde::Serialize;

/// One of the person's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Device {
    /// The device's public key, 64 hex digits.
    pub id: String,
    pub name: String,
    /// Whether it is the device this journal is open on.
    pub this_device: bool,
    /// When this device last had a connection from it; `None`: never.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_seen: Option<DateTime<Utc>>,
    /// When this device last finished an exchange with it; `None`: never.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_synced: Option<DateTime<Utc>>,
}

impl Journal {
    /// Every device trusted to write in this journal, this one first, then
    /// by name.
    pub fn devices(&self) -> Vec<Device> {
        let me = *self.device_key().public().as_bytes();
        let mut out: Vec<Device> = self
            .registry
            .devices()
            .filter(|c| self.registry.removed_at_seq(&c.device).is_none())
            .map(|c| {
                let record = self.peer_record(&c.device);
                Device {
                    id: hex::encode(c.device),
                    name: c.name.clone(),
                    this_device: c.device == me,
                    last_seen: record.last_seen,
                    last_synced: record.last_synced,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.this_device
                .cmp(&a.this_device)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    /// Give a device a new name. `id_or_prefix` is its id or a unique
    /// prefix of at least 4 hex digits.
    pub fn rename_device(&mut self, id_or_prefix: &str, name: &str) -> Result<Device> {
        let name = name.trim();
        hearth_crypto::cert::check_name(name).map_err(|_| {
            CoreError::invalid(format!(
                "{name:?} cannot be a device name: give one line of 1 to {} bytes; nothing was changed",
                hearth_crypto::cert::NAME_MAX
            ))
        })?;
        let old = self.find_device(id_or_prefix)?;
        let device = DevicePublicKey::from_bytes(&old.device)?;
        let issued_at = Utc::now().timestamp_millis().max(old.issued_at + 1);
        let cert = DeviceCertificate::issue(
            &self.secrets.user.identity,
            &device,
            old.agreement,
            name,
            issued_at,
        )?;
        self.write_registry(|registry, tx, writer| registry.certify(tx, writer, cert))?;
        let id = hex::encode(old.device);
        self.devices()
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| CoreError::invalid(format!("device {id} is gone from the registry")))
    }

    /// Remove a lost or sold device: from now on every device of this
    /// journal refuses it (at the handshake, and any op it writes after the
    /// ones this device holds), and the journal's key moves to a new epoch
    /// wrapped to each remaining device's own key, so it cannot read what is
    /// written from now on, whoever forwards it. What it already holds it
    /// keeps. The removal is an op, so it reaches the other devices as any
    /// change does.
    pub fn remove_device(&mut self, id_or_prefix: &str) -> Result<Device> {
        let cert = self.find_device(id_or_prefix)?;
        let me = *self.device_key().public().as_bytes();
        if cert.device == me {
            return Err(CoreError::invalid(
                "this is the device you are using: remove it from another of your devices; nothing was changed",
            ));
        }
        let shown = self
            .devices()
            .into_iter()
            .find(|d| d.id == hex::encode(cert.device))
            .ok_or_else(|| {
                CoreError::invalid(format!(
                    "device {} was removed already; nothing was changed",
                    &hex::encode(cert.device)[..8]
                ))
            })?;
        let last_seq = self
            .store
            .read()
            .head(&self.scope(), &cert.device)?
            .map_or(0, |(seq, _)| seq);
        let removal = DeviceRemoval::issue(
            &self.secrets.user.identity,
            cert.device,
            last_seq,
            Utc::now().timestamp_millis(),
        );
        self.write_registry(|registry, tx, writer| {
            registry.record_removal(tx, writer, removal)?;
            let new = registry.start_epoch(tx, writer)?;
            tracing::info!(epoch = new, "removed a device and started a new key epoch");
            Ok(())
        })?;
        Ok(shown)
    }

    /// Certify a new device (pairing): a certificate signed by the identity
    /// key, written as an op of this device's log.
    pub(crate) fn certify_device(
        &mut self,
        device: [u8; 32],
        name: &str,
        agreement: [u8; 32],
    ) -> Result<()> {
        let device = DevicePublicKey::from_bytes(&device)?;
        let cert = DeviceCertificate::issue(
            &self.secrets.user.identity,
            &device,
            agreement,
            name,
            Utc::now().timestamp_millis(),
        )?;
        self.write_registry(|registry, tx, writer| registry.certify(tx, writer, cert))
    }

    /// Write registry ops (certificates, removals, epochs) as this device,
    /// sealed with the current key, in one transaction.
    fn write_registry<T>(
        &mut self,
        f: impl FnOnce(&mut Registry, &StoreTx<'_>, &Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let (epoch, key) = self.write_key();
        let key = key.clone();
        let signer = self.device_key().clone();
        let writer = Writer {
            scope: self.scope(),
            epoch,
            key: &key,
            device: &signer,
        };
        let registry = &mut self.registry;
        self.store.write(|tx| f(registry, tx, &writer))
    }

    fn find_device(&self, id_or_prefix: &str) -> Result<DeviceCertificate> {
        let p = id_or_prefix.trim().to_ascii_lowercase();
        if p.len() < 4 || p.len() > 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CoreError::invalid(format!(
                "{id_or_prefix:?} is not a device id: give at least 4 of its hex digits, as `hearth devices` shows them"
            )));
        }
        let mut found = self
            .registry
            .devices()
            .filter(|c| hex::encode(c.device).starts_with(&p));
        let first = found
            .next()
            .ok_or_else(|| {
                CoreError::invalid(format!(
                    "no device with id {id_or_prefix}; `hearth devices` shows the ids (nothing was changed)"
                ))
            })?
            .clone();
        if found.next().is_some() {
            return Err(CoreError::invalid(format!(
                "{id_or_prefix:?} names more than one device: give more of its digits"
            )));
        }
        Ok(first)
    }
}
