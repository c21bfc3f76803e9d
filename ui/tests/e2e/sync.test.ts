// Device sync end to end: the real app (release build, under Xvfb through
// tauri-driver) joins a journal that the `hearth` terminal program invites
// it to from a data directory of its own, comparing the pairing code; then,
// while `hearth serve` runs on that journal, an entry written by the
// terminal program appears in the app without a reload. The app, the
// driver and every `hearth` run inside one loopback-only network namespace
// (netns.ts). Run under `xvfb-run -a`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Netns } from './netns';
import { Running, Session, cliPath, startDriver, type Driver } from './webdriver';

const here = dirname(fileURLToPath(import.meta.url));
const APP =
  process.env.HEARTH_DESKTOP_BIN ??
  resolve(here, '../../..', process.env.CARGO_TARGET_DIR ?? 'target', 'release/hearth-desktop');
const SHOTS = resolve(here, '../../test-results/screenshots');
const PASS_CLI = 'terminal side passphrase';
const PASS_APP = 'desk side passphrase kettle';

let ns: Netns;
let driver: Driver | undefined;
let s: Session | undefined;
let cli: string;
let home: string;
const running: Running[] = [];
const env = () => ({ ...process.env, HEARTH_PASSPHRASE: PASS_CLI, RUST_LOG: 'warn' });

/** `hearth --home HOME ARGS` to its end (no network). */
function hearth(...args: string[]): string {
  const r = spawnSync(cli, ['--home', home, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`hearth ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** `hearth --home HOME ARGS` in the background, inside the namespace. */
function hearthNode(...args: string[]): Running {
  const r = new Running(ns.spawn(cli, ['--home', home, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] }));
  running.push(r);
  return r;
}

async function shot(name: string) {
  console.log(`e2e: ${name}`);
  await writeFile(join(SHOTS, `e2e-${name}.png`), await s!.screenshot());
}

const visible = (text: string) =>
  `return [...document.querySelectorAll('h1,h2,button,p')].some(e => e.textContent.trim().includes(${JSON.stringify(text)}));`;

beforeAll(async () => {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: build it with scripts/desktop-test or cargo build --release -p hearth-desktop --features tauri/custom-protocol`);
  cli = cliPath();
  await mkdir(SHOTS, { recursive: true });
  ns = await Netns.create();
  home = await mkdtemp(join(tmpdir(), 'hearth-e2e-cli-'));
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await s?.close();
  await driver?.stop();
  await ns?.close();
});

describe('device sync in the desktop app', () => {
  it('joins a journal the terminal program invites it to, then shows what the terminal writes while it serves', async () => {
    hearth('init', '--json', '--kdf-memory-mib', '8', '--kdf-iterations', '1');
    hearth('write', 'Written in the terminal before pairing.', '--title', 'From the terminal');
    // One port for the invitation and the node afterwards, so the app finds
    // the terminal's journal again where it first met it.
    const port = String(42000 + Math.floor(Math.random() * 2000));
    const invite = hearthNode('pair', 'invite', '--yes', '--json', '--port', port);
    const ticket = JSON.parse(await invite.line((l) => l.startsWith('{'), 'the ticket')).ticket as string;
    expect(ticket).toMatch(/^hearthpair/);

    driver = await startDriver(4464, undefined, ns);
    s = await Session.create(driver.port, APP);
    await s.waitFor(visible('Create your journal'), 'the first-run screen');
    await (await s.button('Join a journal from another device')).click();
    await (await s.find('#join-ticket')).type(ticket);
    const name = await s.find('#join-name');
    await name.clear();
    await name.type('E2E desk');
    await (await s.find('#join-pass')).type(PASS_APP);
    await (await s.find('#join-repeat')).type(PASS_APP);
    await (await s.button('Join')).click();

    const shown = (await s.waitFor(`return document.querySelector('dialog[open] .code')?.textContent.trim();`, 'the code to compare', 60_000)) as string;
    const printed = await invite.line((l) => l.startsWith('Pairing code:'), 'its pairing code', 'err');
    expect(printed).toBe(`Pairing code: ${shown}`);
    await shot('sync-1-code');
    await (await s.button('It matches')).click();
    await s.waitFor(visible('Your recovery key'), 'the recovery key', 90_000);
    await s.waitFor(visible('This device holds your journal now: 1 entry.'), 'what the first sync brought');
    await shot('sync-2-joined');
    await (await s.button('I have written it down')).click();
    await s.waitFor(`return document.querySelector('.rows .title')?.textContent.includes('From the terminal');`, 'the entry from the terminal');
    const paired = JSON.parse(await invite.line((l) => l.includes('"paired"'), 'that it paired'));
    expect(paired.paired.name).toBe('E2E desk');
    expect(await invite.exited).toBe(0);

    // The terminal's journal keeps a node running; the app reaches it.
    const serve = hearthNode('serve', '--json', '--port', port);
    await serve.line((l) => l.includes('"ticket"'), 'its address');
    await (await s.findX(`//nav//button[normalize-space(.)='Devices']`)).click();
    await (await s.button('Sync now')).click();
    await s.waitFor(
      `return [...document.querySelectorAll('.outcomes li')].some(li => li.textContent.includes('both hold the same now'));`,
      'a sync with the terminal’s node',
      60_000,
    );
    await s.waitFor(
      `return /^Up to date with .+ \\(\\d\\d:\\d\\d\\)$/.test(document.querySelector('header .sync .text')?.textContent.trim() ?? '');`,
      'the header saying it is up to date',
      30_000,
    );
    await shot('sync-3-devices');

    // Written by a terminal command while `serve` has the journal open: the
    // node pushes it, and the list shows it without a reload.
    await (await s.findX(`//nav//button[normalize-space(.)='Journal']`)).click();
    await s.waitFor(`return document.querySelector('.rows .title')?.textContent.includes('From the terminal');`, 'the journal');
    await s.execute('window.__notReloaded = true; return true;');
    hearth('write', 'Written in the terminal while it serves.', '--title', 'Written while serving');
    await s.waitFor(
      `return [...document.querySelectorAll('.rows .title')].some(t => t.textContent.includes('Written while serving'));`,
      'the new entry in the app',
      90_000,
    );
    expect(await s.execute<boolean>('return window.__notReloaded === true;')).toBe(true);
    await shot('sync-4-arrived');
  });
});
