// Photos and files in entries: added with the picker, by dropping files on
// the editor and by pasting a picture; shown in place in the preview, as a
// thumbnail in the list and large in a dialog; removed; an oversized or
// unreadable file refused with the core's words and nothing changed. And
// where, in what weather and at what local time an entry was written.
// The fake shell's convertFileSrc points the hearth-file scheme at the test
// server (harness.ts), which answers with a real PNG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { calls, emit, pageErrors, shot, start, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.close();
});

type Fake = {
  __hearthFake: {
    state: {
      nextOpen?: string[];
      entries: { id: string; title: string; body: string; attachments: { id: string; name: string }[] }[];
    };
  };
};

/** Set what the next file dialog returns. */
const willPick = (page: Page, paths: string[]) =>
  page.evaluate((p) => ((window as unknown as Fake).__hearthFake.state.nextOpen = p), paths);

/** The fake's copy of an entry, by title. */
const stored = (page: Page, title: string) =>
  page.evaluate((t) => {
    const e = (window as unknown as Fake).__hearthFake.state.entries.find((x) => x.title === t);
    return e ? JSON.parse(JSON.stringify(e)) : null;
  }, title) as Promise<Fake['__hearthFake']['state']['entries'][number] | null>;

/** Whether every image the selector finds has loaded with real pixels. */
const loaded = (page: Page, selector: string) =>
  page.waitForFunction((sel) => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>(sel)];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, selector);

async function openEntry(page: Page, title: string) {
  await page.getByRole('heading', { name: 'Today' }).waitFor();
  await page.getByRole('button', { name: new RegExp(title) }).first().click();
  await expect.poll(() => page.getByLabel('Title').inputValue()).toBe(title);
}

/** The middle of the editor, where a drop lands on it. */
async function editorCentre(page: Page) {
  const box = (await page.locator('article.editor').boundingBox())!;
  return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
}

describe('photos and files', () => {
  it('shows a photo as a thumbnail in the list, in place in the preview and large; and where it was written', async () => {
    const page = await h.page();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const garden = await stored(page, 'Garden');
    const [tulips, packet] = garden!.attachments;
    const row = page.locator('.rows button', { hasText: 'Garden' });
    await expect(row.locator('img.thumb').getAttribute('src')).resolves.toMatch(new RegExp(`/__hearth-file/${tulips.id}\\?thumb$`));
    await loaded(page, '.rows img.thumb');
    await expect(row.locator('.visually-hidden', { hasText: 'With 2 photos or files.' }).count()).resolves.toBe(1);
    // Rows without photos have no picture.
    await expect(page.locator('.rows button', { hasText: 'Morning walk' }).locator('img').count()).resolves.toBe(0);

    await row.click();
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe('Garden');
    const context = page.getByRole('list', { name: 'Where and when it was written' });
    await expect(context.innerText()).resolves.toContain('Allotment 14, Hackney, London');
    await expect(context.innerText()).resolves.toContain('11 °C, light rain');
    await expect(context.innerText()).resolves.toMatch(/Time there\s+\d{4}-\d\d-\d\d 17:15 in Europe\/London \(UTC\+00:00\)/);
    const strip = page.getByRole('list', { name: 'Photos and files in this entry' });
    await expect(strip.locator('li').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/tulips\.jpg\s+2\.3 MiB · in the text/),
      expect.stringMatching(/seed packet\.png\s+294\.1 KiB/),
    ]);
    await page.getByText(/Up to 100 MiB each/).waitFor();
    await loaded(page, '.strip img');

    await page.getByRole('button', { name: 'Preview' }).click();
    const inline = page.getByRole('button', { name: 'Open photo: The tulip bed' });
    await inline.waitFor();
    await expect(inline.locator('img').getAttribute('src')).resolves.toMatch(new RegExp(`/__hearth-file/${tulips.id}$`));
    await loaded(page, '.preview .photo img');
    // The photo the text does not show is in the gallery below it.
    const gallery = page.getByRole('list', { name: 'Photos and files not in the text' });
    await expect(gallery.getByRole('button', { name: 'Open photo: seed packet.png' }).count()).resolves.toBe(1);
    await expect(gallery.getByRole('button', { name: /tulips/ }).count()).resolves.toBe(0);
    await shot(page, 'attachments-preview');

    // Open large with the mouse; step with the keys; Escape closes.
    await inline.click();
    const dialog = page.getByRole('dialog', { name: 'Photo: tulips.jpg' });
    await dialog.waitFor();
    await loaded(page, 'dialog[open] img');
    await expect(dialog.locator('img').getAttribute('src')).resolves.toMatch(new RegExp(`/__hearth-file/${tulips.id}$`));
    await expect(dialog.innerText()).resolves.toContain('1 of 2');
    await shot(page, 'attachments-large');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'Photo: seed packet.png' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    // Focus is back on the photo, and the keyboard opens it again.
    await expect(page.evaluate(() => (document.activeElement as HTMLElement)?.dataset.attachment)).resolves.toBe(tulips.id);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    // From the gallery too.
    await gallery.getByRole('button', { name: 'Open photo: seed packet.png' }).click();
    await page.getByRole('dialog', { name: 'Photo: seed packet.png' }).waitFor();
    await page.keyboard.press('Escape');
    expect(packet.name).toBe('seed packet.png');
    expect(pageErrors(page)).toEqual([]);
  });

  it('adds files with the picker, in the text at the caret, to a new entry', async () => {
    const page = await h.page();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const body = page.getByLabel('Entry text (Markdown)');
    await page.getByLabel('Title').fill('Harbour');
    await body.fill('Before.\nAfter.');
    await body.evaluate((t: HTMLTextAreaElement) => t.setSelectionRange(7, 7));
    await willPick(page, ['/home/test/Pictures/harbour.jpg', '/home/test/Documents/tide-times.pdf']);
    await page.getByRole('button', { name: 'Add photo or file' }).click();
    const strip = page.getByRole('list', { name: 'Photos and files in this entry' });
    await strip.locator('li').nth(1).waitFor();
    // The new entry was saved first, then the files went into it.
    const saves = await calls(page, 'save_entry');
    const attached = await calls(page, 'attach_files');
    expect(attached).toHaveLength(1);
    expect((await calls(page, 'check_files'))[0].args.paths).toEqual(attached[0].args.paths);
    expect(saves[0].args.input).toMatchObject({ title: 'Harbour', body: 'Before.\nAfter.' });
    const entry = await stored(page, 'Harbour');
    expect(attached[0].args).toEqual({ entry: entry!.id, paths: ['/home/test/Pictures/harbour.jpg', '/home/test/Documents/tide-times.pdf'] });
    const [photo, pdf] = entry!.attachments;
    await expect(body.inputValue()).resolves.toBe(
      `Before.\n![harbour.jpg](attachment:${photo.id})\n[tide-times.pdf](attachment:${pdf.id})\nAfter.`,
    );
    await page.getByText('Added 2 files.').waitFor();
    await expect(strip.locator('li').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/harbour\.jpg\s+3\.0 MiB · in the text/),
      expect.stringMatching(/tide-times\.pdf\s+47\.1 KiB · in the text/),
    ]);
    // The text saves itself, references and all; the list shows the photo.
    await page.waitForFunction(
      (id) => (window as unknown as Fake).__hearthFake.state.entries.some((e) => e.title === 'Harbour' && e.body.includes(id)),
      photo.id,
    );
    const row = page.locator('.rows button', { hasText: 'Harbour' });
    await expect.poll(() => row.locator('img.thumb').getAttribute('src')).toMatch(new RegExp(`${photo.id}\\?thumb$`));
    await loaded(page, '.rows img.thumb');
    await page.getByRole('button', { name: 'Preview' }).click();
    await loaded(page, '.preview .photo img');
    await expect(page.locator('.preview a.file-link').innerText()).resolves.toBe('tide-times.pdf');
    await shot(page, 'attachments-picked');

    // Save a copy: from the link in the preview, then the strip's button.
    await page.locator('.preview a.file-link').click();
    await page.getByText('Saved a copy of tide-times.pdf to /home/test/Downloads/tide-times.pdf.').waitFor();
    await page.getByRole('button', { name: 'Save a copy of tide-times.pdf' }).click();
    await page.getByText(/Not saved: .*tide-times\.pdf already exists/).waitFor();
    const saved = await calls(page, 'save_attachment');
    expect(saved.map((c) => c.args)).toEqual([
      { id: pdf.id, path: '/home/test/Downloads/tide-times.pdf' },
      { id: pdf.id, path: '/home/test/Downloads/tide-times.pdf' },
    ]);
    expect(pageErrors(page)).toEqual([]);
  });

  it('adds files dropped on the editor, and a pasted picture', async () => {
    const page = await h.page();
    await openEntry(page, 'Morning walk');
    const body = page.getByLabel('Entry text (Markdown)');
    const before = await body.inputValue();
    const at = await editorCentre(page);
    // Dragging over the editor shows where to drop.
    await emit(page, 'tauri://drag-enter', { paths: ['/home/test/Pictures/boats.png'], position: at });
    await page.getByText('Drop to add to this entry (up to 100 MiB each)').waitFor();
    await shot(page, 'attachments-drop');
    // Dropped on the list, nothing happens.
    await emit(page, 'tauri://drag-drop', { paths: ['/home/test/Pictures/boats.png'], position: { x: 80, y: 300 } });
    await page.waitForFunction(() => !document.querySelector('.drop'));
    expect(await calls(page, 'attach_files')).toHaveLength(0);
    // Dropped on the editor, it goes in at the end (the caret's place).
    await body.evaluate((t: HTMLTextAreaElement) => t.setSelectionRange(t.value.length, t.value.length));
    await emit(page, 'tauri://drag-drop', { paths: ['/home/test/Pictures/boats.png'], position: at });
    await page.getByText('Added boats.png.').waitFor();
    const entry = await stored(page, 'Morning walk');
    const boats = entry!.attachments[0];
    expect(await calls(page, 'attach_files')).toEqual([
      { cmd: 'attach_files', args: { entry: entry!.id, paths: ['/home/test/Pictures/boats.png'] } },
    ]);
    // An existing entry is not checked apart: attaching checks.
    expect(await calls(page, 'check_files')).toHaveLength(0);
    await expect(body.inputValue()).resolves.toBe(`${before}\n![boats.png](attachment:${boats.id})`);

    // A picture pasted from the clipboard: its bytes go to the shell.
    await body.focus();
    await body.evaluate(async (t: HTMLTextAreaElement) => {
      const canvas = document.createElement('canvas');
      canvas.width = 24;
      canvas.height = 16;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#c0602b';
      ctx.fillRect(0, 0, 24, 16);
      const blob = await new Promise<Blob>((ok) => canvas.toBlob((b) => ok(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      t.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.getByText(/^Added Pasted image \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d\.png\.$/).waitFor();
    const pasted = await calls(page, 'attach_bytes');
    expect(pasted).toHaveLength(1);
    const args = pasted[0].args as { entry: string; name: string; bytes: number[] };
    expect(args.entry).toBe(entry!.id);
    expect(args.name).toMatch(/^Pasted image .*\.png$/);
    expect(args.bytes.slice(0, 4)).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const now = await stored(page, 'Morning walk');
    expect(now!.attachments.map((a) => a.name)).toEqual(['boats.png', args.name]);
    await expect(body.inputValue()).resolves.toContain(`![${args.name}](attachment:${now!.attachments[1].id})`);
    // Text still pastes as text.
    await body.evaluate((t: HTMLTextAreaElement) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'words');
      t.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    expect(await calls(page, 'attach_bytes')).toHaveLength(1);
    await expect(page.getByRole('list', { name: 'Photos and files in this entry' }).locator('li').count()).resolves.toBe(2);
    expect(pageErrors(page)).toEqual([]);
  });

  it('refuses an oversized or unreadable file with a clear message, and changes nothing', async () => {
    const page = await h.page();
    await openEntry(page, 'Morning walk');
    const body = page.getByLabel('Entry text (Markdown)');
    const before = await body.inputValue();
    await willPick(page, ['/home/test/Pictures/harbour.jpg', '/home/test/Videos/holiday.mov']);
    await page.getByRole('button', { name: 'Add photo or file' }).click();
    const alert = page.locator('.files [role="alert"]');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toBe(
      '/home/test/Videos/holiday.mov is 150.0 MiB, over the 100 MiB a file in an entry may be (nothing was attached)',
    );
    await shot(page, 'attachments-too-big');
    await emit(page, 'tauri://drag-drop', { paths: ['/home/test/Pictures/gone.jpg'], position: await editorCentre(page) });
    await expect.poll(() => alert.innerText()).toBe(
      'cannot read /home/test/Pictures/gone.jpg: No such file or directory (os error 2) (nothing was attached)',
    );
    await expect(body.inputValue()).resolves.toBe(before);
    await expect(page.getByRole('list', { name: 'Photos and files in this entry' }).count()).resolves.toBe(0);
    expect((await stored(page, 'Morning walk'))!.attachments).toEqual([]);
    expect(await calls(page, 'save_entry')).toHaveLength(0);

    // A new entry: the files are checked before it is saved, so no empty
    // entry is left behind.
    await page.getByRole('button', { name: 'New entry' }).click();
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe('');
    const rows = await page.locator('.rows li').count();
    await willPick(page, ['/home/test/Videos/holiday.mov']);
    await page.getByRole('button', { name: 'Add photo or file' }).click();
    await expect.poll(() => page.locator('.files [role="alert"]').innerText()).toContain('holiday.mov is 150.0 MiB');
    expect(await calls(page, 'save_entry')).toHaveLength(0);
    await expect(page.locator('.rows li').count()).resolves.toBe(rows);
    expect(pageErrors(page)).toEqual([]);
  });

  it('removes a photo from the entry and from its text', async () => {
    const page = await h.page();
    await openEntry(page, 'Garden');
    const body = page.getByLabel('Entry text (Markdown)');
    await expect(body.inputValue()).resolves.toContain('![The tulip bed](attachment:');
    await page.getByRole('button', { name: 'Remove tulips.jpg' }).click();
    await page.getByText('Removed tulips.jpg from this entry; its history keeps it.').waitFor();
    await expect(body.inputValue()).resolves.toBe('Planted the tulip bulbs. Hopeful for spring.\n\n');
    const strip = page.getByRole('list', { name: 'Photos and files in this entry' });
    await expect(strip.locator('li').allInnerTexts()).resolves.toEqual([expect.stringContaining('seed packet.png')]);
    const garden = await stored(page, 'Garden');
    expect(garden!.attachments.map((a) => a.name)).toEqual(['seed packet.png']);
    expect((await calls(page, 'detach_attachment'))[0].args).toEqual({ entry: garden!.id, attachment: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The list's picture is now the remaining photo's.
    await expect
      .poll(() => page.locator('.rows button', { hasText: 'Garden' }).locator('img.thumb').getAttribute('src'))
      .toMatch(new RegExp(`${garden!.attachments[0].id}\\?thumb$`));
    // Nothing else to save: the change came from the shell.
    await page.waitForTimeout(1300);
    expect(await calls(page, 'save_entry')).toHaveLength(0);
    expect(pageErrors(page)).toEqual([]);
  });
});
