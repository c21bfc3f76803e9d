// Photos end to end: the `hearth` terminal program makes a journal, writes
// an entry and attaches a small PNG to it (the file dialog cannot be
// driven), and puts the photo in the entry's text; then the real app
// (release build, under Xvfb through tauri-driver) opens that data
// directory and shows the photo through the shell's hearth-file scheme:
// as a thumbnail in the list, in place in the preview, and large. The app
// and the driver run in a loopback-only network namespace (netns.ts), as
// the unlocked app runs its sync node. Run under `xvfb-run -a`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Netns } from './netns';
import { Session, cliPath, startDriver, type Driver } from './webdriver';
import { png } from '../png';

const here = dirname(fileURLToPath(import.meta.url));
const APP =
  process.env.HEARTH_DESKTOP_BIN ??
  resolve(here, '../../..', process.env.CARGO_TARGET_DIR ?? 'target', 'release/hearth-desktop');
const SHOTS = resolve(here, '../../test-results/screenshots');
const PASS = 'harbour lights at dawn';
const ESCAPE = '\uE00C';

let ns: Netns;
let driver: Driver | undefined;
let s: Session | undefined;
let cli: string;
let work: string;
let home: string;

/** `hearth --home HOME ARGS` to its end (no network). */
function hearth(...args: string[]): string {
  const r = spawnSync(cli, ['--home', home, ...args], {
    env: { ...process.env, HEARTH_PASSPHRASE: PASS, RUST_LOG: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`hearth ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function shot(name: string) {
  console.log(`e2e: ${name}`);
  await writeFile(join(SHOTS, `e2e-${name}.png`), await s!.screenshot());
}

/** A script that holds when the first image `css` finds has loaded, with its size. */
const imageLoaded = (css: string) =>
  `const i = document.querySelector(${JSON.stringify(css)}); return !!i && i.complete && i.naturalWidth > 0 ? { src: i.getAttribute('src'), width: i.naturalWidth, height: i.naturalHeight } : false;`;

beforeAll(async () => {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: build it with scripts/desktop-test or cargo build --release -p hearth-desktop --features tauri/custom-protocol`);
  cli = cliPath();
  await mkdir(SHOTS, { recursive: true });
  ns = await Netns.create();
  work = await mkdtemp(join(tmpdir(), 'hearth-e2e-photos-'));
  home = join(work, 'hearth');
});

afterAll(async () => {
  await s?.close();
  await driver?.stop();
  await ns?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('photos in the desktop app', () => {
  it('shows a photo attached in the terminal as a thumbnail in the list, in place in the entry, and large', async () => {
    hearth('init', '--json', '--kdf-memory-mib', '8', '--kdf-iterations', '1');
    // An older entry with a photo whose full size the window never loads
    // (the list shows its thumbnail): after locking, it is refused.
    const quay = hearth('write', 'Nets drying.', '--title', 'The quay', '--at', '2024-05-01 10:00').trim();
    const other = join(work, 'quay.png');
    await writeFile(other, png(200, 150, 9));
    const [unseen] = JSON.parse(hearth('attach', quay, other, '--json')) as { id: string }[];
    const entry = hearth('write', 'Boats in the morning light.', '--title', 'Harbour at dawn').trim();
    expect(entry).toMatch(/^[0-9a-f]{32}$/);
    const file = join(work, 'harbour.png');
    await writeFile(file, png(900, 600, 3));
    const [photo] = JSON.parse(hearth('attach', entry, file, '--json')) as { id: string; name: string; media_type: string }[];
    expect(photo).toMatchObject({ name: 'harbour.png', media_type: 'image/png' });
    expect(photo.id).toMatch(/^[0-9a-f]{64}$/);
    hearth('edit', entry, '--body', `Boats in the morning light.\n\n![The harbour at dawn](attachment:${photo.id})`);

    driver = await startDriver(4474, home, ns);
    s = await Session.create(driver.port, APP);
    await s.waitFor(`return !!document.querySelector('#unlock-pass');`, 'the unlock screen', 60_000);
    await (await s.find('#unlock-pass')).type(PASS);
    await (await s.button('Unlock')).click();
    await s.waitFor(`return document.querySelector('.rows .title')?.textContent.includes('Harbour at dawn');`, 'the entry in the list', 60_000);

    // The list: a thumbnail (a JPEG the shell made, at most 320 pixels).
    const thumb = (await s.waitFor(imageLoaded('.rows img.thumb'), 'the thumbnail in the list')) as { src: string; width: number; height: number };
    expect(thumb.src).toBe(`hearth-file://localhost/${photo.id}?thumb`);
    expect([thumb.width, thumb.height]).toEqual([320, 213]);
    expect(await s.execute<string>(`return document.querySelector('.rows .visually-hidden:last-child')?.textContent ?? '';`)).toBe(
      'With 1 photo or file.',
    );

    // The entry: the photo listed under the text, and in place in the preview.
    await (await s.findX(`//button[contains(., 'Harbour at dawn')]`)).click();
    await s.waitFor(`return document.querySelector('#entry-title')?.value === 'Harbour at dawn';`, 'the entry');
    await s.waitFor(imageLoaded('.strip img'), 'the thumbnail under the text');
    await (await s.button('Preview')).click();
    const inline = (await s.waitFor(imageLoaded('.preview .photo img'), 'the photo in place')) as { src: string; width: number };
    expect(inline).toMatchObject({ src: `hearth-file://localhost/${photo.id}`, width: 900 });
    await shot('photo-entry');

    // Open large, then Escape closes it.
    await s.execute(`document.querySelector('.preview button.photo').scrollIntoView({ block: 'center' });`);
    await (await s.find('.preview button.photo')).click();
    const large = (await s.waitFor(imageLoaded('dialog[open] img'), 'the photo large')) as { width: number; height: number };
    expect([large.width, large.height]).toEqual([900, 600]);
    expect(await (await s.find('dialog[open] figcaption')).text()).toContain('harbour.png');
    await shot('photo-large');
    await (await s.find('dialog[open] button.primary')).type(ESCAPE);
    await s.waitFor(`return !document.querySelector('dialog[open]');`, 'the dialog to close');

    // Locked, the scheme serves nothing.
    await s.waitFor(imageLoaded(`.rows img.thumb[src$="${unseen.id}?thumb"]`), 'the other entry’s thumbnail');
    await (await s.button('Lock')).click();
    await s.waitFor(`return !!document.querySelector('#unlock-pass');`, 'the lock screen');
    const status = await s.execute<string>(
      `return new Promise((done) => { const i = new Image(); i.onload = () => done('loaded'); i.onerror = () => done('refused'); i.src = 'hearth-file://localhost/${unseen.id}'; });`,
    );
    expect(status).toBe('refused');
  });
});
