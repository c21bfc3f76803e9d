//! The unlocked journal.
//!
//! Unlock decrypts every entry's view into memory; reads are served from
//! there. Every change loads the entry's Automerge document from its ops,
//! applies the change, and writes the new op and the new view in one
//! transaction.

use crate::doc_cache::DocCache;
use crate::entry::{Entry, EntryDraft, EntryId, EntryPatch, ListFilter};
use crate::oplog::{self, KIND_CHANGE, Writer};
use crate::registry::Registry;
use crate::search::SearchState;
use crate::{CoreError, KdfParams, Result, vault, view};
use chrono::Utc;
use hearth_crypto::{RecoveryKey, SymmetricKey, VaultSecrets};
use hearth_doc::{EntryDoc, EntryFields};
use hearth_store::{ScopeId, Store, StoreTx};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An entry whose stored data failed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub id: EntryId,
    pub reason: String,
}

/// An unlocked journal.
pub struct Journal {
    home: PathBuf,
    pub(crate) store: Store,
    pub(crate) secrets: VaultSecrets,
    scope: ScopeId,
    /// The devices trusted to write in the personal scope, and its keys.
    pub(crate) registry: Registry,
    pub(crate) entries: HashMap<EntryId, Entry>,
    /// Whether `entries` holds every view (always, except in a one-shot
    /// search).
    views_loaded: bool,
    /// The log's position when `entries` last took in the stored views
    /// ([`Journal::take_in_other_writes`]).
    seen_position: Option<Vec<u8>>,
    damaged: Vec<Damage>,
    pub(crate) search: SearchState,
    /// The documents of the entries edited last.
    docs: DocCache,
    /// The device this one was just paired with, before its certificate
    /// has arrived: one of the person's own devices for the first exchange.
    pub(crate) paired_with: Option<[u8; 32]>,
    /// The device of another person this one just joined a circle
    /// through, before the circle's membership has arrived.
    pub(crate) joined_through: Option<([u8; 32], hearth_crypto::statement::CircleId)>,
    /// Circle ops whose authors were not (yet) certified when they came:
    /// they wait for the certificate, in memory only.
    pub(crate) deferred_circle_ops: HashMap<ScopeId, Vec<hearth_store::OpRecord>>,
}

impl Journal {
    pub(crate) fn open(
        home: &Path,
        store: Store,
        secrets: VaultSecrets,
        scope: ScopeId,
    ) -> Result<Self> {
        let mut journal = Self::open_lazily(home, store, secrets, scope)?;
        journal.load_views()?;
        Ok(journal)
    }

    /// A journal whose views are not opened yet: only for a one-shot search
    /// (see `Vault::search_once`), which opens just the views it needs.
    pub(crate) fn open_lazily(
        home: &Path,
        store: Store,
        secrets: VaultSecrets,
        scope: ScopeId,
    ) -> Result<Self> {
        let registry = Registry::load(
            &store.read(),
            &scope,
            secrets.user.identity_public(),
            &secrets.user.personal_scope_key,
        )?;
        Ok(Self {
            home: home.to_path_buf(),
            store,
            secrets,
            scope,
            registry,
            entries: HashMap::new(),
            views_loaded: false,
            seen_position: None,
            damaged: Vec::new(),
            search: SearchState::default(),
            docs: DocCache::default(),
            paired_with: None,
            joined_through: None,
            deferred_circle_ops: HashMap::new(),
        })
    }

    /// Open every view into memory.
    pub(crate) fn load_views(&mut self) -> Result<()> {
        let scope = self.scope;
        let position = self.store.read().log_position()?;
        let views: Vec<_> = self
            .store
            .views()?
            .into_iter()
            .filter(|v| v.scope == scope && v.doc_type == view::DOC_ENTRY)
            .collect();
        let key = &self.secrets.user.personal_scope_key;
        // Opening views is the bulk of unlock after the KDF: share it out.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let chunk = views.len().div_ceil(threads).max(1);
        let opened: Vec<Vec<(EntryId, Result<EntryFields>)>> = std::thread::scope(|s| {
            let workers: Vec<_> = views
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|rec| (EntryId(rec.doc), view::open(key, rec)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().filter_map(|w| w.join().ok()).collect()
        });
        let mut entries = HashMap::with_capacity(views.len());
        let mut damaged = Vec::new();
        for (id, opened) in opened.into_iter().flatten() {
            match opened {
                Ok(fields) => {
                    entries.insert(id, Entry::from_fields(id, fields));
                }
                Err(e) => damaged.push(Damage {
                    id,
                    reason: damage_reason(e),
                }),
            }
        }
        if entries.len() + damaged.len() != views.len() {
            return Err(CoreError::invalid(
                "opening the journal's entries failed; try again",
            ));
        }
        damaged.sort_by_key(|d| d.id);
        self.entries = entries;
        self.damaged = damaged;
        self.views_loaded = true;
        self.seen_position = Some(position);
        Ok(())
    }

    /// Take in the entries other processes wrote since this one last
    /// looked (a `hearth attach` beside a running `hearth serve`): each
    /// entry with an op after that is read again from its stored view.
    pub(crate) fn take_in_other_writes(&mut self) -> Result<()> {
        if !self.views_loaded {
            return Ok(());
        }
        let position = self.store.read().log_position()?;
        let Some(since) = self.seen_position.replace(position.clone()) else {
            return Ok(());
        };
        if since == position {
            return Ok(());
        }
        let scope = self.scope;
        let changed = self.store.read().docs_changed_since(&since, &position)?;
        for (_, doc) in changed
            .into_iter()
            .filter(|(s, d)| *s == scope && *d != crate::registry::REGISTRY_DOC)
        {
            let id = EntryId(doc);
            let stored = (self.store.read().view(&scope, &doc)?)
                .filter(|rec| rec.doc_type == view::DOC_ENTRY);
            match stored {
                Some(rec) => {
                    if let Some(entry) = self.open_view(id, &rec) {
                        self.entries.insert(id, entry);
                    }
                }
                None => {
                    self.entries.remove(&id);
                }
            }
        }
        Ok(())
    }

    /// The entry of a document: from memory, or, before the views are
    /// loaded, from its stored view (a damaged one is noted).
    pub(crate) fn entry_by_doc(&mut self, id: EntryId) -> Result<Option<Entry>> {
        if self.views_loaded {
            return Ok(self.entries.get(&id).cloned());
        }
        if let Some(e) = self.entries.get(&id) {
            return Ok(Some(e.clone()));
        }
        let Some(rec) = self.store.read().view(&self.scope, &id.0)? else {
            return Ok(None);
        };
        let entry = self.open_view(id, &rec);
        if let Some(e) = &entry {
            self.entries.insert(id, e.clone());
        }
        Ok(entry)
    }

    /// The entry a stored view holds; a view that fails its checks is
    /// noted as damaged.
    fn open_view(&mut self, id: EntryId, rec: &hearth_store::ViewRecord) -> Option<Entry> {
        match view::open(&self.secrets.user.personal_scope_key, rec) {
            Ok(fields) => Some(Entry::from_fields(id, fields)),
            Err(e) => {
                if !self.damaged.iter().any(|d| d.id == id) {
                    self.damaged.push(Damage {
                        id,
                        reason: damage_reason(e),
                    });
                }
                None
            }
        }
    }

    pub(crate) fn views_loaded(&self) -> bool {
        self.views_loaded
    }

    /// The data directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Entries whose stored data failed its checks at unlock.
    pub fn damaged(&self) -> &[Damage] {
        &self.damaged
    }

    /// Entries not in the trash, newest first.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<&Entry>> {
        filter.check()?;
        let mut out: Vec<&Entry> = self
            .entries
            .values()
            .filter(|e| !e.is_trashed() && filter.matches(e))
            .collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        if let Some(limit) = filter.limit {
            out.truncate(limit);
        }
        Ok(out)
    }

    /// Number of entries not in the trash.
    pub fn len(&self) -> usize {
        self.entries.values().filter(|e| !e.is_trashed()).count()
    }

    /// Whether there is no entry outside the trash.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Find the entry an id or unique id prefix names (trashed ones excluded).
    pub fn resolve(&self, id_or_prefix: &str) -> Result<EntryId> {
        // A whole id (what the desktop app and scripts pass) is looked up
        // directly instead of being compared with every entry's.
        if let Ok(id) = EntryId::parse(id_or_prefix.trim())
            && self.entries.get(&id).is_some_and(|e| !e.is_trashed())
        {
            return Ok(id);
        }
        let live = self
            .entries
            .values()
            .filter(|e| !e.is_trashed())
            .map(|e| e.id);
        pick(id_or_prefix, live.chain(self.damaged.iter().map(|d| d.id)))
    }

    /// The entry an id or unique prefix names.
    pub fn get(&self, id_or_prefix: &str) -> Result<&Entry> {
        let id = self.resolve(id_or_prefix)?;
        self.entry(&id)
    }

    fn entry(&self, id: &EntryId) -> Result<&Entry> {
        if let Some(d) = self.damaged.iter().find(|d| d.id == *id) {
            return Err(CoreError::Damaged {
                id: id.to_string(),
                reason: d.reason.clone(),
            });
        }
        self.entries
            .get(id)
            .ok_or_else(|| CoreError::NotFound(id.to_string()))
    }

    /// Add an entry.
    pub fn write(&mut self, draft: EntryDraft) -> Result<Entry> {
        let entry = draft.into_entry(EntryId::random(), Utc::now())?;
        let mut w = self.batch();
        w.create(&entry)?;
        w.commit()?;
        Ok(entry)
    }

    /// Change an entry.
    pub fn edit(&mut self, id_or_prefix: &str, patch: &EntryPatch) -> Result<Entry> {
        let id = self.resolve(id_or_prefix)?;
        self.entry(&id)?;
        self.change(id, |e| patch.apply(e))
    }

    /// Move an entry to the trash.
    pub fn trash(&mut self, id_or_prefix: &str) -> Result<Entry> {
        let id = self.resolve(id_or_prefix)?;
        self.entry(&id)?;
        self.change(id, |e| {
            e.trashed_at = Some(crate::entry::truncate_millis(Utc::now()));
            Ok(())
        })
    }

    /// Entries in the trash, most recently trashed first.
    pub fn trashed(&self) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = self.entries.values().filter(|e| e.is_trashed()).collect();
        out.sort_by(|a, b| b.trashed_at.cmp(&a.trashed_at).then(b.id.cmp(&a.id)));
        out
    }

    /// Bring an entry back from the trash.
    pub fn untrash(&mut self, id_or_prefix: &str) -> Result<Entry> {
        let in_trash: Vec<EntryId> = self.trashed().into_iter().map(|e| e.id).collect();
        let id = pick(id_or_prefix, in_trash.into_iter()).map_err(|e| match e {
            CoreError::NotFound(_) => CoreError::NotFound(format!("{id_or_prefix} (in the trash)")),
            other => other,
        })?;
        self.change(id, |e| {
            e.trashed_at = None;
            Ok(())
        })
    }

    /// The Argon2id settings the passphrase is currently derived with.
    pub fn kdf_params(&self) -> Result<KdfParams> {
        vault::kdf_of(&self.store.header()?)
    }

    /// Change the passphrase; `kdf` raises (or keeps) the Argon2id cost.
    /// Only the secrets are sealed again; no entry is re-encrypted.
    pub fn change_passphrase(
        &mut self,
        new_passphrase: &[u8],
        kdf: Option<KdfParams>,
    ) -> Result<()> {
        vault::rewrap(&mut self.store, &self.secrets.user, new_passphrase, kdf)
    }

    /// Make a new recovery key, replacing any earlier one (which stops
    /// working). It is returned to be shown once; it is not stored. Only the
    /// secrets are sealed again; no entry is re-encrypted.
    pub fn new_recovery_key(&mut self) -> Result<RecoveryKey> {
        let key = RecoveryKey::generate();
        let wrapped = key.wrap(&self.secrets.user, &vault::recovery_aad(&self.scope))?;
        self.store.set_wrapped_recovery(&wrapped)?;
        Ok(key)
    }

    /// Whether the journal has a recovery key (journals made before Hearth
    /// had them do not, until [`Journal::new_recovery_key`]).
    pub fn has_recovery_key(&self) -> Result<bool> {
        Ok(self.store.wrapped_recovery()?.is_some())
    }

    /// Apply `f` to the entry's current fields and store the result as one op.
    pub(crate) fn change(
        &mut self,
        id: EntryId,
        f: impl FnOnce(&mut Entry) -> Result<()>,
    ) -> Result<Entry> {
        let actor = self.actor();
        let key = &self.secrets.user.personal_scope_key;
        let epoch = self.registry.current_epoch();
        let writer = Writer {
            scope: self.scope,
            epoch,
            key: self.registry.epoch_key(epoch).unwrap_or(key),
            device: &self.secrets.device.key,
        };
        let scope = self.scope;
        let registry = &self.registry;
        let docs = &mut self.docs;
        let updated = self.store.write(|tx| -> Result<Entry> {
            let mut ops = tx.doc_op_count(&scope, &id.0)?;
            let mut doc = match docs.take(&id, ops) {
                Some(doc) => doc,
                None => load_doc(tx, &scope, &id, &actor, registry)?,
            };
            let before = doc.fields()?;
            let mut entry = Entry::from_fields(id, before.clone());
            f(&mut entry)?;
            let mut fields = entry.to_fields();
            let after = if fields == before {
                before
            } else {
                fields.updated_at = Utc::now().timestamp_millis();
                match doc.update(&fields)? {
                    Some(change) => {
                        oplog::append(tx, &writer, &id.0, KIND_CHANGE, &change)?;
                        let after = doc.fields()?;
                        tx.put_view(&view::seal(key, scope, id.0, &after))?;
                        ops += 1;
                        after
                    }
                    None => before,
                }
            };
            // Kept only once the transaction has got this far; a failure
            // above drops the document with its unsaved change.
            docs.keep(id, ops, doc);
            Ok(Entry::from_fields(id, after))
        });
        let updated = match updated {
            Ok(entry) => entry,
            Err(e) => {
                // The commit itself may have failed after the document was kept.
                self.docs.forget(&id);
                return Err(e);
            }
        };
        self.cache(updated.clone())?;
        // What members of a circle it is shared with see follows the edit;
        // the edit itself is kept whatever happens there.
        if let Err(e) = self.follow_shares(&updated) {
            tracing::warn!(error = %e, "a shared entry's circles did not get its new version");
        }
        Ok(updated)
    }

    /// Start a batch of new entries written in one transaction.
    pub(crate) fn batch(&mut self) -> Batch<'_> {
        Batch {
            journal: self,
            pending: Vec::new(),
        }
    }

    pub(crate) fn cache_entry(&mut self, entry: Entry) -> Result<()> {
        self.cache(entry)
    }

    /// Drop an entry's kept document (it changed under it).
    pub(crate) fn docs_forget(&mut self, id: &EntryId) {
        self.docs.forget(id);
    }

    fn cache(&mut self, entry: Entry) -> Result<()> {
        self.search.update(&entry)?;
        self.entries.insert(entry.id, entry);
        Ok(())
    }

    pub(crate) fn scope(&self) -> ScopeId {
        self.scope
    }

    pub(crate) fn device_key(&self) -> &hearth_crypto::DeviceKey {
        &self.secrets.device.key
    }

    /// The key new ops in the personal scope are sealed with, and its epoch.
    pub(crate) fn write_key(&self) -> (u32, &SymmetricKey) {
        let epoch = self.registry.current_epoch();
        (
            epoch,
            self.registry.epoch_key(epoch).unwrap_or(self.scope_key()),
        )
    }

    /// Drop purged entries from memory and from the search index.
    pub(crate) fn forget(&mut self, ids: &[EntryId]) -> Result<()> {
        for id in ids {
            self.docs.forget(id);
            self.entries.remove(id);
            self.search.remove(id)?;
        }
        Ok(())
    }

    /// The vault's storage key: it seals views, settings and caches (and is
    /// the personal scope's epoch-0 key).
    pub(crate) fn scope_key(&self) -> &SymmetricKey {
        &self.secrets.user.personal_scope_key
    }

    fn actor(&self) -> Vec<u8> {
        self.secrets.device.key.public().as_bytes().to_vec()
    }

    /// Load an entry's document from its ops, checking each one.
    pub fn load_fields(&self, id_or_prefix: &str) -> Result<EntryFields> {
        let id = self.resolve(id_or_prefix)?;
        let doc = load_doc(
            &self.store.read(),
            &self.scope,
            &id,
            &self.actor(),
            &self.registry,
        )?;
        Ok(doc.fields()?)
    }
}

/// The one id among `candidates` that `id_or_prefix` names.
fn pick(id_or_prefix: &str, candidates: impl Iterator<Item = EntryId>) -> Result<EntryId> {
    let p = id_or_prefix.trim().to_ascii_lowercase();
    if p.len() < 4 || p.len() > 32 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CoreError::invalid(format!(
            "{id_or_prefix:?} is not an entry id: give at least 4 of its hex digits, as `hearth list` shows them"
        )));
    }
    let mut found = candidates.filter(|id| id.has_prefix(&p));
    let first = found
        .next()
        .ok_or_else(|| CoreError::NotFound(id_or_prefix.to_string()))?;
    let more = found.count();
    if more > 0 {
        return Err(CoreError::AmbiguousId {
            prefix: id_or_prefix.to_string(),
            count: more + 1,
        });
    }
    Ok(first)
}

pub(crate) fn load_doc(
    tx: &StoreTx<'_>,
    scope: &ScopeId,
    id: &EntryId,
    actor: &[u8],
    registry: &Registry,
) -> Result<EntryDoc> {
    let ops = tx.ops_for_doc(scope, &id.0)?;
    if ops.is_empty() {
        return Err(CoreError::NotFound(id.to_string()));
    }
    let mut changes = Vec::with_capacity(ops.len());
    for op in &ops {
        if op.kind == KIND_CHANGE && !op.is_marker() {
            changes.push(oplog::open_change(op, registry)?.0);
        }
    }
    EntryDoc::load(actor, changes.iter().map(Vec::as_slice)).map_err(|e| CoreError::Damaged {
        id: id.to_string(),
        reason: format!("its document does not load: {e}"),
    })
}

fn damage_reason(e: CoreError) -> String {
    match e {
        CoreError::Damaged { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// New entries written together: all of them, or none.
pub(crate) struct Batch<'a> {
    journal: &'a mut Journal,
    /// New entries with the change that creates each one's document.
    pending: Vec<(Entry, Option<Vec<u8>>)>,
}

impl Batch<'_> {
    /// Queue a new entry; its document is built now, stored at commit.
    pub(crate) fn create(&mut self, entry: &Entry) -> Result<()> {
        let (_, change) = EntryDoc::create(&self.journal.actor(), &entry.to_fields())?;
        self.pending.push((entry.clone(), Some(change)));
        Ok(())
    }

    /// Queue an existing entry to be set to `entry`'s fields (used to bring
    /// an entry back from the trash); its document is changed at commit.
    pub(crate) fn replace(&mut self, entry: &Entry) {
        self.pending.push((entry.clone(), None));
    }

    /// Store everything queued in one transaction, calling `progress` after
    /// each entry.
    pub(crate) fn commit_with(
        self,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<EntryId>> {
        let j = self.journal;
        let key = &j.secrets.user.personal_scope_key;
        let epoch = j.registry.current_epoch();
        let writer = Writer {
            scope: j.scope,
            epoch,
            key: j.registry.epoch_key(epoch).unwrap_or(key),
            device: &j.secrets.device.key,
        };
        let scope = j.scope;
        let actor = j.actor();
        let registry = &j.registry;
        let total = self.pending.len();
        let stored = j.store.write(|tx| -> Result<Vec<Entry>> {
            let mut stored = Vec::with_capacity(total);
            for (i, (entry, change)) in self.pending.iter().enumerate() {
                let fields = match change {
                    Some(change) => {
                        oplog::append(tx, &writer, &entry.id.0, KIND_CHANGE, change)?;
                        entry.to_fields()
                    }
                    None => {
                        let mut doc = load_doc(tx, &scope, &entry.id, &actor, registry)?;
                        if let Some(change) = doc.update(&entry.to_fields())? {
                            oplog::append(tx, &writer, &entry.id.0, KIND_CHANGE, &change)?;
                        }
                        doc.fields()?
                    }
                };
                tx.put_view(&view::seal(key, scope, entry.id.0, &fields))?;
                stored.push(Entry::from_fields(entry.id, fields));
                progress(i + 1, total);
            }
            Ok(stored)
        })?;
        let ids = stored.iter().map(|e| e.id).collect();
        for entry in stored {
            j.cache(entry)?;
        }
        Ok(ids)
    }

    pub(crate) fn commit(self) -> Result<Vec<EntryId>> {
        self.commit_with(|_, _| {})
    }
}
