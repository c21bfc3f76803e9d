// Saving a copy of a photo or file, of the person's own entry or one shared
// with them, where the person chooses (the core never replaces a file); a
// toast says where it went, or why not.

import { save } from '@tauri-apps/plugin-dialog';
import { api, message } from './api';
import { app } from './app.svelte';
import type { Attachment } from './bindings/Attachment';

export async function saveCopy(a: Attachment): Promise<void> {
  try {
    const path = await save({ defaultPath: a.name, title: `Save a copy of ${a.name}` });
    if (!path) return;
    const where = await api.saveAttachment(a.id, path);
    app.toast(`Saved a copy of ${a.name} to ${where}.`);
  } catch (err) {
    app.toast(`Not saved: ${message(err)}`);
  }
}
