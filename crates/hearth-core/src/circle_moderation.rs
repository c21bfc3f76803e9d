//! Changing who is in a circle: removing a member (admins), promoting and
//! demoting (admins), leaving; and the new key epoch a departure calls for.
//!
//! A departure is a signed statement (hearth-crypto's `statement`), folded
//! into the membership alike on every device. Whoever departed still holds
//! the keys they had, so the circle moves to a **new epoch**: a fresh key
//! wrapped with HPKE to each device the remaining members certified in the
//! circle, announced in an op of kind 5 in the membership document, sealed
//! under the epoch it replaces and binding the circle, both epochs and the
//! set of devices (the registry's `EpochChange`). Every device writes in
//! the highest epoch whose key it holds. An admin's device starts one when
//! it removes someone, and whenever it finds the epoch it writes in was
//! given to someone who has since departed (two removals made at once, a
//! member who left), so the circle ends in a key no departed person holds.
//! An announcement counts only when written by an admin's device.
//!
//! A removed member's ops after the seqs their removal names are refused
//! by every device (`circle_exchange`).

use crate::circles::{Circle, KIND_STATEMENT, MEMBERSHIP_DOC, keep_circle_key, open_circle_op};
use crate::journal::Journal;
use crate::membership::Membership;
use crate::oplog::{self, KIND_EPOCH, Writer};
use crate::registry::{EpochChange, next_epoch};
use crate::{CoreError, Result};
use chrono::Utc;
use hearth_crypto::statement::{Action, CircleId, Role, Statement};
use hearth_crypto::wrap::{WRAPPED_LEN, unwrap_key, wrap_key};
use hearth_crypto::{DeviceCertificate, SymmetricKey};
use hearth_store::{OpRecord, StoreTx};
use std::collections::{BTreeMap, BTreeSet};

/// A circle's membership document as one device reads it: the membership,
/// the certificates, and the epoch announcements that count.
pub(crate) struct CircleState {
    pub membership: Membership,
    pub certs: Vec<DeviceCertificate>,
    pub epochs: BTreeMap<u32, EpochChange>,
}

impl CircleState {
    /// Read from a circle's membership ops with the keys held.
    pub(crate) fn read(
        circle: &CircleId,
        ops: &[OpRecord],
        keys: &BTreeMap<u32, SymmetricKey>,
    ) -> Option<Self> {
        let (membership, certs) =
            crate::circle_exchange::membership_and_certificates(circle, ops, keys);
        let membership = membership?;
        let identity_of: BTreeMap<[u8; 32], [u8; 32]> =
            certs.iter().map(|c| (c.device, c.identity)).collect();
        let mut epochs = BTreeMap::new();
        for op in ops.iter().filter(|o| o.kind == KIND_EPOCH) {
            let Some(change) = open_circle_op(op, keys).and_then(|p| EpochChange::decode(&p))
            else {
                continue;
            };
            let by_admin = identity_of.get(&op.author).is_some_and(|who| {
                membership.is_admin(who) || membership.departed.contains_key(who)
            });
            if by_admin {
                epochs.insert(change.epoch, change);
            }
        }
        Some(Self {
            membership,
            certs,
            epochs,
        })
    }

    /// The devices a new epoch's key goes to: every device certified in
    /// the circle by a person who is a member now.
    fn member_devices(&self) -> BTreeMap<[u8; 32], [u8; 32]> {
        self.certs
            .iter()
            .filter(|c| self.membership.is_member(&c.identity))
            .map(|c| (c.device, c.agreement))
            .collect()
    }

    /// The devices of people who departed.
    fn departed_devices(&self) -> BTreeSet<[u8; 32]> {
        self.certs
            .iter()
            .filter(|c| {
                self.membership.departed.contains_key(&c.identity)
                    && !self.membership.is_member(&c.identity)
            })
            .map(|c| c.device)
            .collect()
    }

    /// Whether `epoch`, the one written in, may be held by someone who
    /// departed: the first epoch once anyone departed, or a later one
    /// given to a departed person's device.
    fn needs_new_epoch(&self, epoch: u32) -> bool {
        if self.membership.departed.is_empty() {
            return false;
        }
        match self.epochs.get(&epoch) {
            Some(change) => {
                let gone = self.departed_devices();
                change.wraps.keys().any(|d| gone.contains(d))
            }
            None => true,
        }
    }
}

/// Start a new epoch of `circle` from `parent`: a fresh key wrapped to
/// each of `devices` (device, agreement key), announced as an op of
/// `writer` (which writes in the parent epoch), kept here and carried to
/// this person's other devices by `personal`.
fn start_epoch(
    tx: &StoreTx<'_>,
    writer: &Writer<'_>,
    personal: &Writer<'_>,
    storage: &SymmetricKey,
    devices: &BTreeMap<[u8; 32], [u8; 32]>,
) -> Result<u32> {
    let key = SymmetricKey::random();
    let mut change = EpochChange {
        epoch: next_epoch(writer.epoch),
        parent: writer.epoch,
        wraps: devices.keys().map(|d| (*d, vec![0; WRAPPED_LEN])).collect(),
    };
    let info = change.info(&writer.scope);
    for (device, agreement) in devices {
        change
            .wraps
            .insert(*device, wrap_key(agreement, &info, device, &key)?);
    }
    oplog::append(tx, writer, &MEMBERSHIP_DOC, KIND_EPOCH, &change.encode())?;
    keep_circle_key(tx, personal, storage, &writer.scope, change.epoch, &key)?;
    Ok(change.epoch)
}

impl Journal {
    fn circle_state(&self, circle: &Circle) -> Result<Option<CircleState>> {
        let ops = self.store.read().ops_for_doc(&circle.id, &MEMBERSHIP_DOC)?;
        Ok(CircleState::read(&circle.id, &ops, &circle.keys))
    }

    /// For each device of someone removed from `circle`, the last of its
    /// ops that counts.
    pub(crate) fn circle_caps(&self, circle: &CircleId) -> Result<BTreeMap<[u8; 32], u64>> {
        let loaded = self.load_circle(circle)?;
        Ok(self
            .circle_state(&loaded)?
            .map(|s| crate::circle_exchange::removal_caps(&s.membership, &s.certs))
            .unwrap_or_default())
    }
}

/// A member of `m` named by their id (4 or more hex digits of it) or their
/// unique name.
pub(crate) fn find_member(m: &Membership, who: &str) -> Result<[u8; 32]> {
    {
        let wanted = who.trim();
        let lower = wanted.to_ascii_lowercase();
        let by_id: Vec<[u8; 32]> =
            if lower.len() >= 4 && lower.chars().all(|c| c.is_ascii_hexdigit()) {
                m.members
                    .keys()
                    .filter(|p| hex::encode(p).starts_with(&lower))
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
        let found: Vec<[u8; 32]> = if by_id.is_empty() {
            m.members
                .iter()
                .filter(|(_, x)| x.name.eq_ignore_ascii_case(wanted))
                .map(|(p, _)| *p)
                .collect()
        } else {
            by_id
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(CoreError::invalid(format!(
                "{:?} has no member called {wanted:?}: `hearth circle show` lists them; nothing was changed",
                m.charter.name
            ))),
            _ => Err(CoreError::invalid(format!(
                "{wanted:?} names more than one member of {:?}: give their id (`hearth circle show --json`); nothing was changed",
                m.charter.name
            ))),
        }
    }
}

impl Journal {
    /// Writers for a change to `circle`: in the circle's highest epoch, and
    /// in the personal journal.
    fn circle_writers(&self, circle: &Circle) -> Result<(u32, SymmetricKey, u32, SymmetricKey)> {
        let epoch = circle.epoch();
        let key = circle
            .keys
            .get(&epoch)
            .cloned()
            .ok_or_else(|| CoreError::invalid("this device holds no key of the circle"))?;
        let (personal_epoch, personal_key) = self.write_key();
        Ok((epoch, key, personal_epoch, personal_key.clone()))
    }

    /// Sign `action` about `circle` and store it; with `rotate`, start a new
    /// epoch for the members that remain, in the same transaction.
    fn state_and_maybe_rotate(
        &mut self,
        circle: &Circle,
        m: &Membership,
        action: Action,
        rotate: bool,
    ) -> Result<()> {
        let statement = Statement::issue(
            &self.secrets.user.identity,
            circle.id,
            Utc::now().timestamp_millis(),
            m.heads.clone(),
            action,
        )
        .map_err(|e| CoreError::invalid(format!("{e}; nothing was changed")))?;
        let (epoch, key, personal_epoch, personal_key) = self.circle_writers(circle)?;
        let device = self.device_key().clone();
        let storage = self.scope_key().clone();
        let writer = Writer {
            scope: circle.id,
            epoch,
            key: &key,
            device: &device,
        };
        let personal = Writer {
            scope: self.scope(),
            epoch: personal_epoch,
            key: &personal_key,
            device: &device,
        };
        self.store.write(|tx| -> Result<()> {
            oplog::append(
                tx,
                &writer,
                &MEMBERSHIP_DOC,
                KIND_STATEMENT,
                &statement.encode(),
            )?;
            if rotate {
                // The membership with this statement, to wrap the new key
                // to the devices of those who remain.
                let ops = tx.ops_for_doc(&circle.id, &MEMBERSHIP_DOC)?;
                let Some(state) = CircleState::read(&circle.id, &ops, &circle.keys) else {
                    return Err(CoreError::invalid(
                        "the circle's membership does not read back",
                    ));
                };
                start_epoch(tx, &writer, &personal, &storage, &state.member_devices())?;
            }
            Ok(())
        })
    }

    /// Remove a member (admins only): nothing written in the circle after
    /// this can be read by them, and their later writes are refused.
    pub fn remove_member(&mut self, circle: &str, member: &str) -> Result<String> {
        let (loaded, m) = self.admin_of(circle, "remove people")?;
        let person = find_member(&m, member)?;
        if person == self.secrets.user.identity_public() {
            return Err(CoreError::invalid(
                "to leave a circle yourself, use `hearth circle leave`; nothing was changed",
            ));
        }
        if person == m.owner {
            return Err(CoreError::invalid(format!(
                "nobody removes the owner of {:?}; nothing was changed",
                m.charter.name
            )));
        }
        let name = m
            .members
            .get(&person)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        let state = self
            .circle_state(&loaded)?
            .ok_or_else(|| CoreError::invalid("the circle has not arrived whole on this device"))?;
        let mut devices = Vec::new();
        for c in state.certs.iter().filter(|c| c.identity == person) {
            let last = self
                .store
                .read()
                .head(&loaded.id, &c.device)?
                .map_or(0, |(seq, _)| seq);
            devices.push((c.device, last));
        }
        devices.sort();
        devices.dedup_by_key(|(d, _)| *d);
        self.state_and_maybe_rotate(
            &loaded,
            &m,
            Action::Remove {
                member: person,
                devices,
            },
            true,
        )?;
        tracing::info!("removed a member from a circle and started a new epoch");
        Ok(name)
    }

    /// Make a member an admin, or an admin a member (admins only; nobody
    /// demotes the owner).
    pub fn set_member_role(&mut self, circle: &str, member: &str, admin: bool) -> Result<String> {
        let (loaded, m) = self.admin_of(
            circle,
            if admin {
                "promote people"
            } else {
                "demote people"
            },
        )?;
        let person = find_member(&m, member)?;
        if person == m.owner && !admin {
            return Err(CoreError::invalid(format!(
                "nobody demotes the owner of {:?}; nothing was changed",
                m.charter.name
            )));
        }
        let role = if admin { Role::Admin } else { Role::Member };
        let name = m
            .members
            .get(&person)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        if m.members.get(&person).is_some_and(|x| x.role == role) {
            return Err(CoreError::invalid(format!(
                "{name} is {} already; nothing was changed",
                if admin { "an admin" } else { "not an admin" }
            )));
        }
        self.state_and_maybe_rotate(
            &loaded,
            &m,
            Action::SetRole {
                member: person,
                role,
            },
            false,
        )?;
        Ok(name)
    }

    /// Leave a circle. What it held stays on this device; nothing written
    /// after can be read here once an admin moves the circle to a new key.
    pub fn leave_circle(&mut self, circle: &str) -> Result<String> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let me = self.secrets.user.identity_public();
        let Some(m) = loaded.membership.clone().filter(|m| m.is_member(&me)) else {
            return Err(CoreError::invalid(
                "you are not a member of this circle; nothing was changed",
            ));
        };
        if m.owner == me
            && m.members.len() > 1
            && !m
                .members
                .iter()
                .any(|(p, x)| *p != me && x.role == Role::Admin)
        {
            return Err(CoreError::invalid(format!(
                "you own {:?} and no one else is an admin: promote someone first (`hearth circle promote`), so the circle keeps someone to look after it; nothing was changed",
                m.charter.name
            )));
        }
        self.state_and_maybe_rotate(&loaded, &m, Action::Leave, false)?;
        Ok(m.charter.name.clone())
    }

    /// The circle named, its membership, when this person is an admin of it.
    fn admin_of(&self, circle: &str, to: &str) -> Result<(Circle, Membership)> {
        let id = self.find_circle(circle)?;
        let loaded = self.load_circle(&id)?;
        let Some(m) = loaded.membership.clone() else {
            return Err(CoreError::invalid(
                "this circle has not arrived whole on this device yet: sync first",
            ));
        };
        if !m.is_admin(&self.secrets.user.identity_public()) {
            return Err(CoreError::invalid(format!(
                "only the admins of {:?} {to}, and you are not one; nothing was changed",
                m.charter.name
            )));
        }
        Ok((loaded, m))
    }

    /// After taking in a circle's ops: keep the keys of new epochs wrapped
    /// to this device, and, as an admin, start a new epoch when the one
    /// written in may be held by someone who departed.
    pub(crate) fn after_circle_ops(&mut self, circle: &CircleId) -> Result<()> {
        let loaded = self.load_circle(circle)?;
        let Some(state) = self.circle_state(&loaded)? else {
            return Ok(());
        };
        let me = *self.device_key().public().as_bytes();
        let storage = self.scope_key().clone();
        let (personal_epoch, personal_key) = self.write_key();
        let personal_key = personal_key.clone();
        let device = self.device_key().clone();
        let personal = Writer {
            scope: self.scope(),
            epoch: personal_epoch,
            key: &personal_key,
            device: &device,
        };
        let mut keys = loaded.keys.clone();
        let fresh: Vec<(u32, SymmetricKey)> = state
            .epochs
            .values()
            .filter(|e| !keys.contains_key(&e.epoch))
            .filter_map(|e| {
                let wrapped = e.wraps.get(&me)?;
                unwrap_key(
                    &self.secrets.device.agreement,
                    &e.info(circle),
                    &me,
                    wrapped,
                )
                .ok()
                .map(|k| (e.epoch, k))
            })
            .collect();
        let identity = self.secrets.user.identity_public();
        let rotate_from = keys.keys().next_back().copied().unwrap_or(0);
        let current = fresh
            .iter()
            .map(|(e, _)| *e)
            .chain([rotate_from])
            .max()
            .unwrap_or(0);
        let rotate = state.membership.is_admin(&identity) && state.needs_new_epoch(current);
        if fresh.is_empty() && !rotate {
            return Ok(());
        }
        self.store.write(|tx| -> Result<()> {
            for (epoch, key) in &fresh {
                keep_circle_key(tx, &personal, &storage, circle, *epoch, key)?;
                keys.insert(*epoch, key.clone());
            }
            if rotate && let Some(key) = keys.get(&current) {
                let writer = Writer {
                    scope: *circle,
                    epoch: current,
                    key,
                    device: &device,
                };
                start_epoch(tx, &writer, &personal, &storage, &state.member_devices())?;
                tracing::info!("someone departed a circle: started a new key epoch");
            }
            Ok(())
        })
    }
}
