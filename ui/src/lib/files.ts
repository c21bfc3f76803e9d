// Photos and files in entries, as the window handles them: where an <img>
// gets a photo (the shell's hearth-file URI scheme, never bytes over IPC),
// the Markdown that shows one in place, sizes as people read them, and the
// limit the core keeps.

import type { Attachment } from './bindings/Attachment';

/** The largest file an entry may hold, in MiB (hearth-core ATTACHMENT_MAX;
 *  a shell test checks the two agree). */
export const ATTACHMENT_MAX_MIB = 100;
export const ATTACHMENT_MAX = ATTACHMENT_MAX_MIB * 1024 * 1024;

/** The shell's URI scheme for photos (src-tauri/src/files.rs). */
export const FILE_SCHEME = 'hearth-file';

const ID = /^[0-9a-f]{64}$/;

type Internals = { convertFileSrc?: (path: string, protocol: string) => string };

/** The address of a photo, or of its thumbnail: `hearth-file://localhost/ID`
 *  (on Windows `http://hearth-file.localhost/ID`), as the shell's
 *  `convertFileSrc` makes it for this platform. */
export function fileSrc(id: string, thumb = false): string {
  const internals = (globalThis as { __TAURI_INTERNALS__?: Internals }).__TAURI_INTERNALS__;
  const base = internals?.convertFileSrc?.(id, FILE_SCHEME) ?? `${FILE_SCHEME}://localhost/${encodeURIComponent(id)}`;
  return thumb ? `${base}?thumb` : base;
}

/** Whether `id` is an attachment id (a content hash, 64 hex digits). */
export function isAttachmentId(id: string): boolean {
  return ID.test(id);
}

/** Whether the window can show it as a picture. */
export function isPhoto(a: Pick<Attachment, 'media_type'>): boolean {
  return a.media_type.startsWith('image/') && !a.media_type.includes('svg');
}

/** Whether the shell makes a thumbnail of it (hearth-core thumbnails.rs). */
export function hasThumbnail(a: Pick<Attachment, 'media_type'>): boolean {
  return ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(a.media_type);
}

/** A size as people read it: `812 B`, `4.2 KiB`, `3.1 MiB` (as the core
 *  says it). */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit + 1 < units.length) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The Markdown that shows an attachment in an entry: a photo in place,
 *  any other file as a link. */
export function reference(a: Pick<Attachment, 'id' | 'name' | 'media_type'>): string {
  const caption = a.name.replace(/[\\[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
  return `${isPhoto(a) ? '!' : ''}[${caption}](attachment:${a.id})`;
}

/** The ids of the attachments a body shows or links to. */
export function referencedIds(body: string): Set<string> {
  const out = new Set<string>();
  for (const m of body.matchAll(/\]\(attachment:([0-9a-fA-F]{64})\)/g)) out.add(m[1].toLowerCase());
  return out;
}

/** What shows in place of a shared photo or file whose bytes have not
 *  reached this device yet. */
export function arrivingLine(name: string): string {
  return `${name} is on its way; it comes with the next sync.`;
}

/** `text` with `insert` put in at `at` (a caret position) on a line of its
 *  own; returns the new text and where the caret goes after it. */
export function insertAt(text: string, at: number, insert: string): { text: string; caret: number } {
  const pos = Math.max(0, Math.min(at, text.length));
  const before = text.slice(0, pos);
  const after = text.slice(pos);
  const lead = before === '' || before.endsWith('\n') ? '' : '\n';
  const tail = after === '' || after.startsWith('\n') ? '' : '\n';
  const piece = `${lead}${insert}${tail}`;
  return { text: before + piece + after, caret: before.length + lead.length + insert.length };
}

/** A name for a pasted image that came without a useful one. */
export function pastedName(file: { name: string; type: string }, now = new Date()): string {
  const generic = !file.name || /^image\.(png|jpe?g|gif|webp|bmp|tiff?)$/i.test(file.name);
  if (!generic) return file.name;
  const ext = (file.type.split('/')[1] || 'png').replace('jpeg', 'jpg').replace(/[^a-z0-9]/gi, '');
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}.${p(now.getMinutes())}.${p(now.getSeconds())}`;
  return `Pasted image ${stamp}.${ext}`;
}

/** Where an entry was written, as one line: the name, else coordinates. */
export function placeLabel(p: { name: string | null; latitude: number | null; longitude: number | null }): string {
  if (p.name?.trim()) return p.name.trim();
  if (p.latitude !== null && p.longitude !== null) {
    const ns = p.latitude >= 0 ? 'N' : 'S';
    const ew = p.longitude >= 0 ? 'E' : 'W';
    return `${Math.abs(p.latitude).toFixed(4)}° ${ns}, ${Math.abs(p.longitude).toFixed(4)}° ${ew}`;
  }
  return '';
}
