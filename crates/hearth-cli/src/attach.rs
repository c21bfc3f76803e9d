//! `hearth attach`, `attachments`, `attachment save` and `detach`: photos
//! and files in entries.

use crate::args::{AttachArgs, AttachmentAction, AttachmentArgs, AttachmentsArgs, DetachArgs};
use crate::{print_json, say};
use anyhow::Result;
use hearth_core::Journal;
use hearth_core::attachments::{Attachment, human_size};
use std::io::Write;

pub fn attach(j: &mut Journal, a: &AttachArgs) -> Result<()> {
    let added = j.attach(&a.entry, &a.files)?;
    if a.json {
        return print_json(&added);
    }
    for x in &added {
        say!("Attached {}", line(x));
    }
    Ok(())
}

pub fn list(j: &Journal, a: &AttachmentsArgs) -> Result<()> {
    let all = j.attachments(&a.entry)?;
    if a.json {
        return print_json(&all);
    }
    if all.is_empty() {
        say!("This entry has no photos or files; `hearth attach ENTRY FILE` adds one.");
    }
    for x in &all {
        say!("{}", line(x));
    }
    Ok(())
}

pub fn attachment(j: &Journal, a: &AttachmentArgs) -> Result<()> {
    match &a.action {
        AttachmentAction::Save { id, path, json } => {
            let (x, dest) = j.save_attachment(id, path)?;
            if *json {
                return print_json(&serde_json::json!({
                    "id": x.id, "name": x.name, "path": dest, "size": x.size,
                }));
            }
            say!(
                "Wrote {} ({}) to {}.",
                x.name,
                human_size(x.size),
                dest.display()
            );
            Ok(())
        }
    }
}

pub fn detach(j: &mut Journal, a: &DetachArgs) -> Result<()> {
    let gone = j.detach(&a.entry, &a.attachment)?;
    if a.json {
        return print_json(&gone);
    }
    say!(
        "Took {} out of the entry; its history keeps it (`hearth history ENTRY`).",
        gone.name
    );
    Ok(())
}

/// `3f9a1c2b77e0  photo.jpg  image/jpeg  2.9 MiB`
fn line(x: &Attachment) -> String {
    format!(
        "{}  {}  {}  {}",
        &x.id[..12],
        x.name,
        x.media_type,
        human_size(x.size)
    )
}
