//! The materialised view: an entry's current fields, sealed with its scope
//! key and bound to its document id, so unlock can read entries without
//! loading any Automerge document.

use crate::{CoreError, Result};
use hearth_crypto::{SymmetricKey, aead};
use hearth_doc::EntryFields;
use hearth_store::{DocId, ScopeId, ViewRecord};
use serde::{Deserialize, Serialize};

const VERSION: u8 = 1;

/// The document type of an entry's view.
pub(crate) const DOC_ENTRY: u8 = 1;

#[derive(Serialize, Deserialize)]
struct ViewPayload {
    v: u8,
    title: String,
    body: String,
    mood: Option<u8>,
    feelings: Vec<String>,
    tags: Vec<String>,
    starred: bool,
    created_at: i64,
    updated_at: i64,
    trashed_at: Option<i64>,
    // Since vault format 4; absent when empty, so older views read alike.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    files: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weather: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
}

fn aad(scope: &ScopeId, doc: &DocId) -> Vec<u8> {
    let mut a = b"hearth/view/v1".to_vec();
    a.extend_from_slice(scope);
    a.extend_from_slice(doc);
    a
}

pub(crate) fn seal(key: &SymmetricKey, scope: ScopeId, doc: DocId, f: &EntryFields) -> ViewRecord {
    let p = ViewPayload {
        v: VERSION,
        title: f.title.clone(),
        body: f.body.clone(),
        mood: f.mood,
        feelings: f.feelings.clone(),
        tags: f.tags.clone(),
        starred: f.starred,
        created_at: f.created_at,
        updated_at: f.updated_at,
        trashed_at: f.trashed_at,
        attachments: f.attachments.clone(),
        files: f.files.clone(),
        place: f.place.clone(),
        weather: f.weather.clone(),
        time_zone: f.time_zone.clone(),
    };
    // Serialising plain strings and numbers cannot fail.
    let plain = serde_json::to_vec(&p).unwrap_or_default();
    ViewRecord {
        scope,
        doc,
        doc_type: DOC_ENTRY,
        payload: aead::seal(key, &aad(&scope, &doc), &plain),
    }
}

pub(crate) fn open(key: &SymmetricKey, rec: &ViewRecord) -> Result<EntryFields> {
    let damaged = |reason: &str| CoreError::Damaged {
        id: hex::encode(rec.doc),
        reason: reason.into(),
    };
    let plain = aead::open(key, &aad(&rec.scope, &rec.doc), &rec.payload)
        .map_err(|_| damaged("its stored view does not decrypt (the stored data was changed)"))?;
    let p: ViewPayload =
        serde_json::from_slice(&plain).map_err(|_| damaged("its stored view is not readable"))?;
    if p.v != VERSION {
        return Err(damaged("its stored view has an unknown version"));
    }
    Ok(EntryFields {
        title: p.title,
        body: p.body,
        mood: p.mood,
        feelings: p.feelings,
        tags: p.tags,
        starred: p.starred,
        created_at: p.created_at,
        updated_at: p.updated_at,
        trashed_at: p.trashed_at,
        attachments: p.attachments,
        files: p.files,
        place: p.place,
        weather: p.weather,
        time_zone: p.time_zone,
    })
}
