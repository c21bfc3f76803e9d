import { describe, expect, it } from 'vitest';
import {
  ATTACHMENT_MAX,
  fileSrc,
  hasThumbnail,
  humanSize,
  insertAt,
  isPhoto,
  pastedName,
  placeLabel,
  reference,
  referencedIds,
} from '../../src/lib/files';
import { loadMarkdown } from '../../src/lib/markdown';

const ID = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

describe('photos and files', () => {
  it('addresses photos through the hearth-file scheme', () => {
    expect(fileSrc(ID)).toBe(`hearth-file://localhost/${ID}`);
    expect(fileSrc(ID, true)).toBe(`hearth-file://localhost/${ID}?thumb`);
    // With the shell's convertFileSrc (Windows form here).
    const g = globalThis as { __TAURI_INTERNALS__?: unknown };
    g.__TAURI_INTERNALS__ = { convertFileSrc: (p: string, proto: string) => `http://${proto}.localhost/${p}` };
    try {
      expect(fileSrc(ID, true)).toBe(`http://hearth-file.localhost/${ID}?thumb`);
    } finally {
      delete g.__TAURI_INTERNALS__;
    }
  });

  it('writes the Markdown that shows a photo, or links a file', () => {
    expect(reference({ id: ID, name: 'Harbour [dawn].jpg', media_type: 'image/jpeg' })).toBe(
      `![Harbour \\[dawn\\].jpg](attachment:${ID})`,
    );
    expect(reference({ id: ID, name: 'tide\ntimes.pdf', media_type: 'application/pdf' })).toBe(`[tide times.pdf](attachment:${ID})`);
    expect(reference({ id: ID, name: 'logo.svg', media_type: 'image/svg+xml' })).toBe(`[logo.svg](attachment:${ID})`);
    const body = `A ![x](attachment:${ID}) and [y](attachment:${OTHER.toUpperCase()}) and ![z](attachment:abc)`;
    expect([...referencedIds(body)]).toEqual([ID, OTHER]);
  });

  it('inserts at the caret on a line of its own', () => {
    expect(insertAt('', 0, 'P')).toEqual({ text: 'P', caret: 1 });
    expect(insertAt('ab', 1, 'P')).toEqual({ text: 'a\nP\nb', caret: 3 });
    expect(insertAt('a\n', 2, 'P')).toEqual({ text: 'a\nP', caret: 3 });
    expect(insertAt('a\nb', 2, 'P')).toEqual({ text: 'a\nP\nb', caret: 3 });
    expect(insertAt('abc', 99, 'P')).toEqual({ text: 'abc\nP', caret: 5 });
  });

  it('says sizes, kinds, places and pasted names as people read them', () => {
    expect([humanSize(812), humanSize(4300), humanSize(3 << 20), humanSize(ATTACHMENT_MAX)]).toEqual([
      '812 B',
      '4.2 KiB',
      '3.0 MiB',
      '100.0 MiB',
    ]);
    expect(isPhoto({ media_type: 'image/heic' })).toBe(true);
    expect(hasThumbnail({ media_type: 'image/heic' })).toBe(false);
    expect(hasThumbnail({ media_type: 'image/webp' })).toBe(true);
    expect(isPhoto({ media_type: 'application/pdf' })).toBe(false);
    expect(placeLabel({ name: ' Café Sperl, Vienna ', latitude: 48.2, longitude: 16.36 })).toBe('Café Sperl, Vienna');
    expect(placeLabel({ name: null, latitude: -33.8568, longitude: -151.2153 })).toBe('33.8568° S, 151.2153° W');
    expect(placeLabel({ name: null, latitude: null, longitude: 2 })).toBe('');
    const at = new Date(2024, 2, 5, 9, 7, 3);
    expect(pastedName({ name: 'image.png', type: 'image/png' }, at)).toBe('Pasted image 2024-03-05 09.07.03.png');
    expect(pastedName({ name: '', type: 'image/jpeg' }, at)).toBe('Pasted image 2024-03-05 09.07.03.jpg');
    expect(pastedName({ name: 'harbour.webp', type: 'image/webp' }, at)).toBe('harbour.webp');
  });

  it('shows a photo in place in the preview, inside a button that opens it', async () => {
    const render = await loadMarkdown();
    const html = render(`Dawn.\n\n![The "harbour" <b>](attachment:${ID.toUpperCase()})\n\n[tides](attachment:${OTHER})`);
    expect(html).toContain(
      `<button type="button" class="photo" data-attachment="${ID}" aria-label="Open photo: The &quot;harbour&quot; &lt;b&gt;">` +
        `<img src="hearth-file://localhost/${ID}" alt="The &quot;harbour&quot; &lt;b&gt;" loading="lazy" decoding="async"></button>`,
    );
    expect(html).toContain(`<a href="attachment:${OTHER}" data-attachment="${OTHER}" class="file-link">tides</a>`);
    // Not an attachment id: markdown-it's own rendering, no button.
    expect(render('![x](attachment:1234)')).not.toContain('class="photo"');
    expect(render('![x](attachment:1234)')).not.toContain('hearth-file');
  });

  it('says a shared photo whose bytes have not arrived comes with the next sync, without an image', async () => {
    const render = await loadMarkdown();
    const html = render(`![The <shed>](attachment:${ID})\n\n![Dawn](attachment:${OTHER})`, new Map([[ID, '']]));
    expect(html).toContain('<span class="arriving">The &lt;shed&gt; is on its way; it comes with the next sync.</span>');
    expect(html).not.toContain(`hearth-file://localhost/${ID}`);
    expect(html).toContain(`hearth-file://localhost/${OTHER}`);
    expect(render(`![x](attachment:${ID})`, new Map([[ID, 'shed.jpg']]))).toContain('shed.jpg is on its way');
  });
});
