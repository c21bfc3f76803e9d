// Circles end to end: the `hearth` terminal program, in a data directory of
// its own, makes a circle (with agreements), shares an entry with it, runs
// `hearth serve` and prints an invitation; the real app (release build,
// under Xvfb through tauri-driver) makes a journal of its own, joins the
// circle by that ticket after showing its agreements, shows the shared
// entry in the circle's feed and answers it with a supportive response,
// which reaches the terminal's journal. The app, the driver and every
// `hearth` run inside one loopback-only network namespace (netns.ts). Run
// under `xvfb-run -a`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const ABOUT = 'A quiet place to set the day down.';
const AGREEMENTS = 'We listen without fixing.\nWhat is shared here stays here.';
const TITLE = 'A long Tuesday';
const BODY = 'The meeting ran over and I missed the bus home. Tired, but the soup helped.';

let ns: Netns;
let driver: Driver | undefined;
let s: Session | undefined;
let cli: string;
let home: string;
const running: Running[] = [];
const env = () => ({ ...process.env, HEARTH_PASSPHRASE: PASS_CLI, RUST_LOG: 'warn' });

/** `hearth --home HOME ARGS` to its end, inside the namespace. */
function hearth(...args: string[]): string {
  const r = ns.run(cli, ['--home', home, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`hearth ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
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

/** The feed's article for the shared entry titled `title`, as XPath. */
const article = (title: string) => `//article[h3[normalize-space(.)=${JSON.stringify(title)}]]`;

interface Reply {
  author: string;
  you: boolean;
  text: string | null;
  support: string | null;
}

beforeAll(async () => {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: build it with scripts/desktop-test or cargo build --release -p hearth-desktop --features tauri/custom-protocol`);
  cli = cliPath();
  await mkdir(SHOTS, { recursive: true });
  ns = await Netns.create();
  home = await mkdtemp(join(tmpdir(), 'hearth-e2e-circle-'));
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await s?.close();
  await driver?.stop();
  await ns?.close();
});

describe('circles in the desktop app', () => {
  it('joins a circle that `hearth serve` runs, shows what was shared there and answers it', async () => {
    // The terminal side: Ann's circle, with an entry shared in it before
    // anyone joins.
    hearth('init', '--json', '--kdf-memory-mib', '8', '--kdf-iterations', '1');
    const agreements = join(home, 'agreements.txt');
    await writeFile(agreements, `${AGREEMENTS}\n`);
    hearth('circle', 'create', 'Evenings', '--as', 'Ann', '--about', ABOUT, '--agreements', agreements);
    const entry = hearth('write', BODY, '--title', TITLE).trim();
    expect(entry).toMatch(/^[0-9a-f]{32}$/);
    const shared = JSON.parse(hearth('share', entry, 'Evenings', '--json')) as { id: string; title: string };
    expect(shared.title).toBe(TITLE);
    const serve = hearthNode('serve', '--json');
    await serve.line((l) => l.includes('"ticket"'), 'its address');
    const ticket = (JSON.parse(hearth('circle', 'invite', 'Evenings', '--json')) as { ticket: string }).ticket;
    expect(ticket).toMatch(/^hearthcircle/);

    // The app: a journal of its own, then Circles → Join a circle.
    driver = await startDriver(4484, undefined, ns);
    s = await Session.create(driver.port, APP);
    await s.waitFor(visible('Create your journal'), 'the first-run screen');
    await (await s.find('#setup-pass')).type(PASS_APP);
    await (await s.find('#setup-repeat')).type(PASS_APP);
    await (await s.button('Create journal')).click();
    await s.waitFor(visible('Your recovery key'), 'the recovery key', 60_000);
    await (await s.button('I have written it down')).click();
    await s.waitFor(visible('New entry'), 'the journal after creating it');

    await (await s.findX(`//nav//button[normalize-space(.)='Circles']`)).click();
    await s.waitFor(visible('You are in no circle yet.'), 'the Circles screen');
    await (await s.button('Join a circle')).click();
    await s.waitFor(`return document.querySelector('h1')?.textContent.trim() === 'Join a circle';`, 'the join form');
    await (await s.find('#join-ticket-field')).type(ticket);
    await (await s.find('#join-as-field')).type('Bea');
    await shot('circle-1-join');
    await (await s.button('Join')).click();

    // What the circle is for, its agreements and members, before anything
    // changes.
    await s.waitFor(
      `return document.querySelector('#circle-question-title')?.textContent.trim() === 'Join “Evenings”?';`,
      'the circle to accept or decline',
      60_000,
    );
    const question = await s.execute<{ by: string; about: string; agreements: string; members: string[]; as: string }>(`
      const q = document.querySelector('.question');
      return {
        by: [...q.querySelectorAll('p')].map(p => p.textContent.trim()).find(t => t.includes('invites you')) ?? '',
        about: q.querySelector('p.text:not(.agreements)')?.textContent ?? '',
        agreements: q.querySelector('.agreements')?.textContent ?? '',
        members: [...q.querySelectorAll('.members .name')].map(n => n.textContent.trim()),
        as: [...q.querySelectorAll('p.hint')].map(p => p.textContent.trim()).find(t => t.startsWith('Joining accepts')) ?? '',
      };`);
    expect(question.by).toBe('Ann invites you to this circle.');
    expect(question.about).toBe(ABOUT);
    expect(question.agreements.trim()).toBe(AGREEMENTS);
    expect(question.members).toEqual(['Ann']);
    expect(question.as).toBe('Joining accepts these agreements; you appear to its members as “Bea”.');
    await s.execute(`document.querySelector('.question').scrollIntoView({ block: 'end' }); return true;`);
    await shot('circle-2-agreements');
    await (await s.button('Accept and join')).click();

    // In: the circle's page, and its feed with Ann's entry.
    const joined = await s.waitFor(
      `return document.querySelector('h1')?.textContent.trim() === 'Evenings' && document.querySelector('p[role=status].ok')?.textContent.trim();`,
      'the circle after joining',
      60_000,
    );
    expect(joined).toBe('You joined “Evenings”.');
    expect(await s.execute<string>(`return document.querySelector('h1 + p')?.textContent.trim();`)).toBe(
      'You are a member of this circle.',
    );
    const members = await s.execute<string[]>(
      `return [...document.querySelectorAll('.members li')].map(li => [...li.querySelectorAll('span')].map(x => x.textContent.trim()).join(' '));`,
    );
    expect(members.sort()).toEqual(['Ann owner', 'Bea (you) member']);
    const shown = (await s.waitFor(
      `const a = [...document.querySelectorAll('.feed article')].find(a => a.querySelector('h3')?.textContent.trim() === ${JSON.stringify(TITLE)});
       return a && { body: a.querySelector('.text')?.textContent ?? '', byline: a.querySelector('.byline')?.textContent ?? '' };`,
      'the shared entry in the feed',
      60_000,
    )) as { body: string; byline: string };
    expect(shown.body).toBe(BODY);
    expect(shown.byline.startsWith('Ann · ')).toBe(true);
    await shot('circle-3-feed');

    // A supportive response, shown at once in the app.
    await (await s.findX(`${article(TITLE)}//button[normalize-space(.)='I hear you']`)).click();
    await s.waitFor(
      `const a = [...document.querySelectorAll('.feed article')].find(a => a.querySelector('h3')?.textContent.trim() === ${JSON.stringify(TITLE)});
       return [...(a?.querySelectorAll('.replies li') ?? [])].some(li => li.textContent.replace(/\\s+/g, ' ').trim() === 'You: I hear you');`,
      'the response under the entry',
    );
    await shot('circle-4-replied');

    // It reaches Ann's journal: the app's node pushes it to the circle's
    // devices, and `serve` takes it in.
    const sent = Date.now();
    const until = sent + 60_000;
    let replies: Reply[] = [];
    for (;;) {
      replies = (JSON.parse(hearth('circle', 'read', shared.id, '--json')) as { replies: Reply[] }).replies;
      if (replies.length > 0 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`e2e: the response reached the terminal's journal after ${Date.now() - sent} ms`);
    expect(replies.map(({ author, you, text, support }) => ({ author, you, text, support }))).toEqual([
      { author: 'Bea', you: false, text: null, support: 'hear-you' },
    ]);
    expect(serve.child.exitCode).toBeNull();
  }, 300_000);
});
