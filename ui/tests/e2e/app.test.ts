// The real app, end to end: the release binary under Xvfb, driven by
// tauri-driver and WebKitWebDriver. Create a journal (and see its recovery
// key), write an entry with a mood, lock, unlock, find it by search, turn
// offline mode on, then open the journal with the recovery key and a new
// passphrase (offline mode still on). A second test imports a small backup
// through the menu and photographs every screen (the README's screenshots).
// Run under `xvfb-run -a`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, startDriver, type Driver } from './webdriver';
import { Netns } from './netns';

const here = dirname(fileURLToPath(import.meta.url));
// Where cargo put it: CARGO_TARGET_DIR (relative to the workspace, where cargo
// runs) or target/.
const APP =
  process.env.HEARTH_DESKTOP_BIN ??
  resolve(here, '../../..', process.env.CARGO_TARGET_DIR ?? 'target', 'release/hearth-desktop');
const SHOTS = resolve(here, '../../test-results/screenshots');
const PASS = 'lantern copper river moth';
const NEW_PASS = 'harbour pebble violet kettle';

let ns: Netns;
let driver: Driver;
let s: Session;

async function shot(name: string, session: Session = s) {
  console.log(`e2e: ${name}`);
  await writeFile(join(SHOTS, `e2e-${name}.png`), await session.screenshot());
}

const visible = (text: string) =>
  `return [...document.querySelectorAll('h1,h2,button,p')].some(e => e.textContent.trim().includes(${JSON.stringify(text)}));`;

beforeAll(async () => {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: build it with scripts/desktop-test or cargo build --release -p hearth-desktop --features tauri/custom-protocol`);
  await mkdir(SHOTS, { recursive: true });
  // The unlocked app runs its sync node: on loopback only.
  ns = await Netns.create();
  driver = await startDriver(4444, undefined, ns);
  s = await Session.create(driver.port, APP);
});

afterAll(async () => {
  await s?.close();
  await driver?.stop();
  await ns?.close();
});

describe('the desktop app', () => {
  it('creates a journal, writes, locks, unlocks, searches, goes offline and recovers', async () => {
    await s.waitFor(visible('Create your journal'), 'the first-run screen');
    await (await s.find('#setup-pass')).type(PASS);
    await (await s.find('#setup-repeat')).type(PASS);
    await shot('1-create');
    await (await s.button('Create journal')).click();
    await s.waitFor(visible('Your recovery key'), 'the recovery key', 60_000);
    const key = (await (await s.find('.key')).text()).trim();
    expect(key).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){8}$/);
    await shot('1-recovery-key');
    await (await s.button('I have written it down')).click();
    await s.waitFor(visible('New entry'), 'the journal after creating it');
    expect(existsSync(join(driver.home, 'hearth', 'vault.db'))).toBe(true);

    await (await s.find('#entry-title')).type('Lighthouse walk');
    await (await s.find('#entry-body')).type('Walked out to the lighthouse at dusk. The sea was calm.');
    await (await s.find('button[data-mood="4"]')).click();
    await s.waitFor(
      `return document.querySelector('[data-state]')?.dataset.state === 'saved' && document.querySelector('.rows .title')?.textContent.includes('Lighthouse walk');`,
      'the autosaved entry in the list',
    );
    await shot('2-entry');

    await (await s.button('Lock')).click();
    await s.waitFor(visible('Welcome back'), 'the lock screen');
    await shot('3-locked');
    // Nothing readable on disk.
    const vault = await readFile(join(driver.home, 'hearth', 'vault.db'));
    expect(vault.includes(Buffer.from('lighthouse'))).toBe(false);

    await (await s.find('#unlock-pass')).type(PASS);
    await (await s.button('Unlock')).click();
    await s.waitFor(`return document.querySelector('.rows .title')?.textContent.includes('Lighthouse walk');`, 'the list after unlocking', 60_000);
    const mood = await s.execute<string>(`return document.querySelector('.rows .visually-hidden')?.textContent ?? '';`);
    expect(mood).toContain('Good');

    await (await s.find('#search')).type('lighthous');
    await s.waitFor(
      `return [...document.querySelectorAll('ul[aria-label="Search results"] mark')].some(m => /lighthouse/i.test(m.textContent));`,
      'a highlighted search hit',
    );
    await shot('4-search');

    const offline = await s.find('header [role="switch"]');
    expect(await offline.text()).toContain('Offline off');
    await offline.click();
    await s.waitFor(`return document.querySelector('header [role="switch"]').getAttribute('aria-checked') === 'true';`, 'offline mode on');
    expect(await (await s.find('header [role="switch"]')).text()).toContain('Offline on');
    await shot('5-offline');

    // A forgotten passphrase: the recovery key opens the journal and sets a
    // new one. The offline switch is sealed in the journal: still on.
    await (await s.button('Lock')).click();
    await s.waitFor(visible('Welcome back'), 'the lock screen again');
    await (await s.button('Forgot your passphrase?')).click();
    await (await s.find('#recovery-key')).type(key.toLowerCase().replaceAll('-', ' '));
    await (await s.find('#recover-pass')).type(NEW_PASS);
    await (await s.find('#recover-repeat')).type(NEW_PASS);
    await shot('6-recover');
    await (await s.button('Open with the recovery key')).click();
    await s.waitFor(`return document.querySelector('header [role="switch"]')?.getAttribute('aria-checked') === 'true';`, 'offline mode still on', 60_000);
    await (await s.button('Lock')).click();
    await s.waitFor(`return !!document.querySelector('#unlock-pass');`, 'the lock screen once more');
    await (await s.find('#unlock-pass')).type(NEW_PASS);
    await (await s.button('Unlock')).click();
    await s.waitFor(`return document.querySelector('.rows .title')?.textContent.includes('Lighthouse walk');`, 'the list with the new passphrase', 60_000);
  });
});

/** A small lived-in journal as a Hearth backup, dated from today backwards. */
function sampleBackup(): string {
  const now = Date.now();
  const DAY = 86_400_000;
  const at = (daysAgo: number, hour: number) => {
    const d = new Date(now - daysAgo * DAY);
    d.setHours(hour, 15, 0, 0);
    return d.toISOString();
  };
  const lastYear = new Date();
  lastYear.setFullYear(lastYear.getFullYear() - 1);
  lastYear.setHours(20, 0, 0, 0);
  const e = (title: string, body: string, mood: number | null, feelings: string[], tags: string[], when: string) => ({
    id: null, title, body, mood, feelings, tags, starred: false, created_at: when, updated_at: when,
  });
  const entries = [
    e('Morning walk', 'Walked by the **river** before work. The light on the water was soft and I felt lighter.', 4, ['calm'], ['walk'], at(0, 8)),
    e('', 'Long meeting. Tired, but it went fine in the end.', 3, ['tired'], ['work'], at(0, 13)),
    e('Rain', 'Rain all evening. Read a book, made soup.', 4, ['content'], [], at(1, 21)),
    e('Hard day', 'Everything felt heavy today. Called my sister, which helped a little.', 2, ['anxious', 'lonely'], ['family'], at(3, 22)),
    e('Garden', 'Planted the tulip bulbs. Hopeful for spring.', 5, ['hopeful'], ['garden'], at(6, 17)),
    e('Quiet Sunday', 'Nothing much happened, and that was good.', 4, ['calm'], [], at(10, 11)),
    e('Worry dump', '- rent\n- the exam\n- whether I said the wrong thing', 2, ['anxious'], ['worry'], at(16, 23)),
    e('Dinner with Sam', 'Laughed more than I have in weeks.', 5, ['grateful'], ['friends'], at(23, 22)),
    e('Slow start', 'Could not get going today. Tea, a short walk, then better.', 3, ['tired'], ['walk'], at(31, 10)),
    e('Exam done', 'It is over. Whatever the result, I showed up.', 4, ['hopeful'], ['study'], at(45, 18)),
    e('Low', 'Felt low all day without knowing why.', 2, ['sad'], [], at(60, 21)),
    e('Moving day', 'Moved into the new flat. Boxes everywhere.', 3, ['overwhelmed'], ['home'], lastYear.toISOString()),
  ];
  return JSON.stringify({ format: 'hearth', version: 1, entries });
}

describe('a lived-in journal (the README screenshots)', () => {
  it('imports a backup through the menu and shows every screen', async () => {
    await s.close();
    await driver.stop();
    driver = await startDriver(4444, undefined, ns);
    s = await Session.create(driver.port, APP);
    await s.waitFor(visible('Create your journal'), 'the first-run screen');
    await (await s.find('#setup-pass')).type(PASS);
    await (await s.find('#setup-repeat')).type(PASS);
    await (await s.button('Create journal')).click();
    await s.waitFor(visible('Your recovery key'), 'the recovery key', 60_000);
    await (await s.button('I have written it down')).click();
    await s.waitFor(visible('New entry'), 'the journal');

    const backup = join(driver.home, 'sample-backup.json');
    await writeFile(backup, sampleBackup());
    await (await s.button('Import / export')).click();
    await (await s.button('Import entries…')).click();
    await (await s.find('#t-path')).type(backup);
    await (await s.button('Import')).click();
    await s.waitFor(visible('Imported 12 entries.'), 'the import summary');
    await shot('import');
    await (await s.button('Close')).click();
    await s.waitFor(`return document.querySelectorAll('.rows li').length === 12;`, 'the imported entries');
    await (await s.findX(`//button[contains(., 'Morning walk')]`)).click();
    await s.waitFor(`return document.querySelector('#entry-title')?.value === 'Morning walk';`, 'the entry');
    await shot('journal');

    for (const [view, ready, name] of [
      ['Calendar', `return [...document.querySelectorAll('.otd .title')].some(t => t.textContent.includes('Moving day'));`, 'calendar'],
      ['Mood', `return document.querySelectorAll('svg circle.point').length > 3;`, 'mood'],
      ['Help', `return document.body.innerText.includes('Samaritans');`, 'help'],
    ] as const) {
      await (await s.findX(`//nav//button[normalize-space(.)='${view}']`)).click();
      await s.waitFor(ready, view);
      await shot(name);
    }
    await (await s.findX(`//nav//button[normalize-space(.)='Settings']`)).click();
    await (await s.findX(`//label[normalize-space(.)='Dark']/input`)).click();
    await s.waitFor(`return document.documentElement.dataset.theme === 'dark';`, 'the dark theme');
    await (await s.findX(`//nav//button[normalize-space(.)='Journal']`)).click();
    await s.waitFor(`return document.querySelectorAll('.rows li').length === 12;`, 'the journal in the dark');
    await (await s.findX(`//button[contains(., 'Hard day')]`)).click();
    await s.waitFor(`return document.querySelector('#entry-title')?.value === 'Hard day';`, 'the entry');
    await shot('journal-dark');
  });
});
