// Device sync in the window, against the built UI with the IPC mocked: the
// header's sync state, the Devices screen (figures, sync now, pairing with
// its ticket, QR code and code to compare, removal), the network settings,
// joining a journal from the first-run screen, and entries another device
// changed appearing without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { calls, emit, openView, pageErrors, shot, start, type Harness } from './harness';

const OTHER = 'a07e91d2' + '03f5e8b1'.repeat(7);
const NET = 'hearth://net';

let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.close();
});

const go = (view: string, scenario = {}) => openView(h, view, scenario);

type Fake = {
  state: {
    hasJournal: boolean;
    net: { relay: unknown; sync_windows: unknown[] };
    figures: Record<string, unknown>;
    entries: Record<string, unknown>[];
  };
};

/** Change the fake shell's state (in the page). */
function fake(page: Page, change: string, arg: unknown = null): Promise<void> {
  return page.evaluate(
    ([body, a]) => {
      const state = (window as unknown as { __hearthFake: Fake }).__hearthFake.state;
      new Function('state', 'arg', body as string)(state, a);
    },
    [change, arg] as const,
  );
}

/** Today at HH:MM UTC (the browser runs in UTC, as Vitest does). */
function todayAt(hhmm: string): string {
  return `${new Date().toISOString().slice(0, 10)}T${hhmm}:00.000Z`;
}

const header = (page: Page) => page.getByRole('banner');
const syncText = (page: Page) => header(page).locator('.sync .text');

/** Wait until the header's sync state reads `text` (or matches it). */
async function headerSays(page: Page, text: string | RegExp) {
  const [source, exact] = typeof text === 'string' ? [text, true] : [text.source, false];
  await page.waitForFunction(
    ([src, whole]) => {
      const t = document.querySelector('header .sync .text')?.textContent?.trim() ?? '';
      return whole ? t === src : new RegExp(src as string).test(t);
    },
    [source, exact] as const,
  );
}

describe('the header', () => {
  it('says where sync stands, never more than is known, and follows each notice', async () => {
    const page = await go('Journal');
    await headerSays(page, 'Not synced yet with old-desktop');
    await fake(page, `state.figures[arg.id] = { last_synced: arg.at, equal_then: true, unconfirmed: 0 }`, { id: OTHER, at: todayAt('12:40') });
    await emit(page, NET, { kind: 'synced', report: null, error: 'old-desktop went away' });
    await headerSays(page, 'Up to date with old-desktop (12:40)');
    await expect(header(page).locator('.sync').getAttribute('data-tone')).resolves.toBe('ok');
    await shot(page, 'sync-header-up-to-date');

    await fake(page, `state.figures[arg].unconfirmed = 3`, OTHER);
    await emit(page, NET, { kind: 'entriesChanged', changed: [], purged: [] });
    await emit(page, NET, { kind: 'synced', report: null, error: 'timed out' });
    await headerSays(page, '3 changes not yet on old-desktop');

    await emit(page, NET, { kind: 'failed', reason: 'could not open a socket' });
    await headerSays(page, 'Sync stopped');
    await expect(header(page).locator('.sync').getAttribute('title')).resolves.toContain('could not open a socket');
    await emit(page, NET, { kind: 'up' });
    await headerSays(page, '3 changes not yet on old-desktop');

    // One click to the Devices screen.
    await syncText(page).click();
    await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });

  it('cuts the network in one click, and says when a sync window opens', async () => {
    const page = await go('Journal');
    const offline = header(page).getByRole('switch');
    await expect(offline.getAttribute('aria-checked')).resolves.toBe('false');
    await offline.click();
    await headerSays(page, 'Offline');
    await expect(offline.getAttribute('aria-checked')).resolves.toBe('true');
    await expect(offline.innerText()).resolves.toContain('Offline on');
    const sent = await calls(page, 'set_net_config');
    expect(sent[sent.length - 1].args.config).toMatchObject({ offline: true, lan_discovery: true, relay: 'off' });
    await shot(page, 'sync-header-offline');
    await offline.click();
    await headerSays(page, 'Not synced yet with old-desktop');

    const inTwoHours = new Date(Date.now() + 2 * 3600_000);
    const hh = String(inTwoHours.getUTCHours()).padStart(2, '0');
    await fake(page, `state.net.sync_windows = [{ start: arg * 60, end: arg * 60 + 30 }]`, Number(hh));
    await emit(page, NET, { kind: 'closed', state: 'waiting', opensAt: null });
    const when = inTwoHours.getUTCDate() === new Date().getUTCDate() ? `at ${hh}:00` : `tomorrow at ${hh}:00`;
    await headerSays(page, `Sync opens ${when}`);
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('the devices screen', () => {
  it('shows each device’s figures and syncs now', async () => {
    const page = await go('Devices');
    const list = page.getByRole('list', { name: 'Devices of this journal' });
    const other = list.getByRole('listitem').nth(1);
    await other.getByRole('heading', { name: 'old-desktop' }).waitFor();
    await other.getByText('Not synced yet', { exact: true }).waitFor();
    await expect(other.locator('dd').allInnerTexts()).resolves.toEqual(['a07e91d2', 'never', 'never', 'never synced', '0']);
    // This device: its id, nothing about syncing with itself.
    await expect(list.getByRole('listitem').first().locator('dd').allInnerTexts()).resolves.toEqual(['5f1c3a9e']);

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText('old-desktop: sent 2, received 1; both hold the same now.').waitFor();
    await headerSays(page, /^Up to date with old-desktop \(\d\d:\d\d\)$/);
    await other.getByText(/^Up to date at \d\d:\d\d/).waitFor();
    await expect(other.locator('dd').nth(3).innerText()).resolves.toBe('yes');
    expect(await calls(page, 'sync_now')).toHaveLength(1);
    await shot(page, 'devices-synced');

    // Offline: nothing can sync, and the screen says why instead of trying.
    await header(page).getByRole('switch').click();
    await page.getByText('Offline mode is on, so nothing syncs until you turn it off.').waitFor();
    await expect(page.getByRole('button', { name: 'Sync now' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Pair a new device' }).isDisabled()).resolves.toBe(true);
    expect(pageErrors(page)).toEqual([]);
  });

  it('pairs a new device: ticket as text and QR code, the code to compare, then paired', async () => {
    const page = await go('Devices');
    await page.getByRole('button', { name: 'Pair a new device' }).click();
    const ticket = page.getByRole('textbox', { name: 'Ticket' });
    await ticket.waitFor();
    const text = await ticket.inputValue();
    expect(text).toMatch(/^hearthpair[a-z2-7]+$/);
    const qr = page.getByRole('img', { name: 'QR code of the pairing ticket' });
    const box = await qr.boundingBox();
    expect(box && box.width).toBeGreaterThan(150);
    const modules = await qr.evaluate((svg) => (svg.querySelector('path')?.getAttribute('d')?.match(/M/g) ?? []).length);
    expect(modules).toBeGreaterThan(300);
    await page.getByRole('button', { name: 'Copy ticket' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    await page.getByText('Waiting for the new device…', { exact: false }).waitFor();
    await shot(page, 'devices-invite');

    await emit(page, NET, { kind: 'codeQuestion', question: { id: 7, code: '123-456', deviceName: 'Kitchen laptop' } });
    const dialog = page.getByRole('dialog', { name: 'Compare this code' });
    await dialog.waitFor();
    await dialog.getByText('123-456', { exact: true }).waitFor();
    await dialog.getByText('“Kitchen laptop” asks to join your journal.', { exact: false }).waitFor();
    await shot(page, 'devices-code');
    await dialog.getByRole('button', { name: 'It matches' }).click();
    await expect(dialog.count()).resolves.toBe(0);
    expect((await calls(page, 'pair_answer'))[0].args).toEqual({ id: 7, matches: true });

    await emit(page, NET, { kind: 'paired', device: 'c0ffee00'.repeat(8), name: 'Kitchen laptop' });
    await page.getByText('Paired with “Kitchen laptop”. It is taking in the journal now.').waitFor();
    await shot(page, 'devices-paired');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Pair a new device' }).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });

  it('says plainly when the code does not match and pairing fails', async () => {
    const page = await go('Devices');
    await page.getByRole('button', { name: 'Pair a new device' }).click();
    await page.getByRole('textbox', { name: 'Ticket' }).waitFor();
    await emit(page, NET, { kind: 'codeQuestion', question: { id: 3, code: '999-000', deviceName: 'Stranger' } });
    const dialog = page.getByRole('dialog', { name: 'Compare this code' });
    await dialog.getByRole('button', { name: 'It does not match' }).click();
    expect((await calls(page, 'pair_answer'))[0].args).toEqual({ id: 3, matches: false });
    await emit(page, NET, { kind: 'pairingFailed', reason: 'the code was refused on this device' });
    await page.getByRole('alert').getByText('Pairing failed: the code was refused on this device. Nothing was changed.').waitFor();
    await shot(page, 'devices-pairing-failed');

    // Escape answers no, and a question the shell closed goes away by itself.
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('textbox', { name: 'Ticket' }).waitFor();
    await emit(page, NET, { kind: 'codeQuestion', question: { id: 4, code: '111-222', deviceName: 'Laptop' } });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await expect(dialog.count()).resolves.toBe(0);
    expect((await calls(page, 'pair_answer'))[1].args).toEqual({ id: 4, matches: false });
    await emit(page, NET, { kind: 'codeQuestion', question: { id: 5, code: '333-444', deviceName: 'Laptop' } });
    await dialog.waitFor();
    await emit(page, NET, { kind: 'codeClosed', id: 5 });
    await expect(dialog.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Stop pairing' }).click();
    expect(await calls(page, 'pair_close')).toHaveLength(1);
    expect(pageErrors(page)).toEqual([]);
  });

  it('removes a device only after a confirmation that says it keeps what it has', async () => {
    const page = await go('Devices');
    await expect(page.getByRole('button', { name: 'Remove fern-laptop' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Remove old-desktop' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove “old-desktop” from this journal?' });
    await confirm.waitFor();
    await expect(confirm.innerText()).resolves.toContain('It keeps what it already has');
    await shot(page, 'devices-remove');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await expect(confirm.count()).resolves.toBe(0);
    expect(await calls(page, 'device_remove')).toHaveLength(0);

    await page.getByRole('button', { name: 'Remove old-desktop' }).click();
    await confirm.getByRole('button', { name: 'Remove “old-desktop”' }).click();
    await page.getByText('Removed “old-desktop”.', { exact: false }).waitFor();
    expect((await calls(page, 'device_remove'))[0].args).toEqual({ id: OTHER });
    await expect(page.getByRole('heading', { name: 'old-desktop' }).count()).resolves.toBe(0);
    await headerSays(page, 'No other devices yet');
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('the network settings', () => {
  it('switches offline mode and LAN discovery, chooses relays, and keeps sync windows', async () => {
    const page = await go('Settings');
    await page.getByRole('heading', { name: 'Network and sync' }).waitFor();
    await page.locator('#offline-setting').click();
    await headerSays(page, 'Offline');
    await expect(header(page).getByRole('switch').getAttribute('aria-checked')).resolves.toBe('true');
    await page.locator('#offline-setting').click();

    await page.locator('#lan-setting').click();
    await expect(page.locator('#lan-setting').getAttribute('aria-checked')).resolves.toBe('false');

    await page.getByLabel("iroh's public relays", { exact: false }).check();
    await page.waitForFunction(() => (window as unknown as { __hearthFake: Fake }).__hearthFake.state.net.relay === 'n0');
    await page.getByLabel('A relay I run').check();
    await page.getByRole('button', { name: 'Use this relay' }).waitFor();
    await page.getByLabel('Its address').fill('not a url');
    await page.getByRole('button', { name: 'Use this relay' }).click();
    await page.getByRole('alert').getByText('is not a relay URL', { exact: false }).waitFor();
    await page.getByLabel('Its address').fill('https://relay.example.org');
    await page.getByRole('button', { name: 'Use this relay' }).click();
    await page.waitForFunction(
      () => JSON.stringify((window as unknown as { __hearthFake: Fake }).__hearthFake.state.net.relay) === '{"url":"https://relay.example.org"}',
    );

    await page.getByLabel('Add a window').fill('7pm-8pm');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('alert').getByText('is not a sync window: write it as HH:MM-HH:MM', { exact: false }).waitFor();
    await page.getByLabel('Add a window').fill('19:00-20:00');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('19:00–20:00').waitFor();
    await expect(page.getByLabel('Add a window').inputValue()).resolves.toBe('');
    await headerSays(page, new Date().getUTCHours() < 19 ? 'Sync opens at 19:00' : 'Sync opens tomorrow at 19:00');
    await shot(page, 'settings-network');
    await page.getByRole('button', { name: 'Remove the window 19:00–20:00' }).click();
    await expect(page.getByText('19:00–20:00').count()).resolves.toBe(0);

    const last = (await calls(page, 'set_net_config')).pop()?.args.config;
    expect(last).toEqual({ offline: false, relay: { url: 'https://relay.example.org' }, lan_discovery: false, sync_windows: [] });
    // Offline mode is the core's setting, no longer a preference of the window.
    for (const c of await calls(page, 'set_preferences')) expect(c.args.preferences).not.toHaveProperty('offline');
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('joining a journal from another device', () => {
  async function joinForm() {
    const page = await h.page({ journal: 'none' });
    await page.getByRole('heading', { name: 'Create your journal' }).waitFor();
    await page.getByRole('button', { name: 'Join a journal from another device' }).click();
    await page.getByRole('heading', { name: 'Join a journal from another device' }).waitFor();
    await page.getByLabel('Ticket').fill('  HEARTHPAIR abcdefghij\n');
    await page.waitForFunction(() => (document.querySelector('#join-name') as HTMLInputElement | null)?.value === 'fern-desk');
    await page.getByLabel('A name for this device').fill('Study desk');
    await page.getByLabel('A passphrase for this device').fill('moss lantern quiet harbour');
    await page.getByLabel('Type it again').fill('moss lantern quiet harbour');
    return page;
  }

  it('pastes a ticket, compares the code, shows the recovery key, then opens the journal', async () => {
    const page = await joinForm();
    await shot(page, 'join');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare this code' });
    await dialog.getByText('482-913', { exact: true }).waitFor();
    await dialog.getByText('Does the device that invited this one show this same code?').waitFor();
    await shot(page, 'join-code');
    await dialog.getByRole('button', { name: 'It matches' }).click();
    await page.getByRole('heading', { name: 'Your recovery key' }).waitFor();
    await page.getByText('This device holds your journal now: 8 entries.').waitFor();
    await page.getByText('K7QF-2M9X-C4RT-8HZW-P3JN-6VBD-Y5GS-A1EL-0KQM').waitFor();
    await shot(page, 'join-recovery-key');
    expect((await calls(page, 'join_journal'))[0].args).toEqual({
      ticket: '  HEARTHPAIR abcdefghij\n',
      name: 'Study desk',
      passphrase: 'moss lantern quiet harbour',
    });
    await page.getByRole('button', { name: 'I have written it down' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await headerSays(page, /^Up to date with fern-laptop \(\d\d:\d\d\)$/);
    expect(pageErrors(page)).toEqual([]);
  });

  it('says so when the code is refused, and creates nothing', async () => {
    const page = await joinForm();
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.getByRole('dialog', { name: 'Compare this code' }).getByRole('button', { name: 'It does not match' }).click();
    await page.getByRole('alert').getByText('pairing failed: the code was refused here; nothing was changed').waitFor();
    const hasJournal = await page.evaluate(() => (window as unknown as { __hearthFake: Fake }).__hearthFake.state.hasJournal);
    expect(hasJournal).toBe(false);
    await page.getByRole('button', { name: 'Create a new journal instead' }).click();
    await page.getByRole('heading', { name: 'Create your journal' }).waitFor();
  });
});

/** The fake shell's copy of an entry. */
function stored(page: Page, id: string): Promise<Record<string, unknown> | undefined> {
  return page.evaluate((i) => (window as unknown as { __hearthFake: Fake }).__hearthFake.state.entries.find((x) => x.id === i), id);
}

describe('entries another device changed', () => {
  it('appear in the list, the open entry, the calendar and the mood chart without a reload', async () => {
    const page = await go('Journal');
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await page.locator('.rows').getByText('Morning walk').click();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Morning walk');
    // Another device retitles it and writes a new entry.
    const id = await page.evaluate(() => {
      const s = (window as unknown as { __hearthFake: Fake }).__hearthFake.state;
      const e = s.entries.find((x) => x.title === 'Morning walk') as Record<string, unknown>;
      e.title = 'Morning walk by the river';
      e.mood = 5;
      const at = new Date().toISOString();
      s.entries.push({ ...e, id: 'f'.repeat(32), title: 'Written on the laptop', body: 'Hello from there.', createdAt: at, updatedAt: at });
      return e.id as string;
    });
    await emit(page, NET, { kind: 'entriesChanged', changed: [id, 'f'.repeat(32)], purged: [] });
    await page.locator('.rows').getByText('Written on the laptop').waitFor();
    await page.locator('.rows').getByText('Morning walk by the river').waitFor();
    await page.waitForFunction(() => (document.querySelector('#entry-title') as HTMLInputElement).value === 'Morning walk by the river');
    await page.getByText('Updated with changes from another device.').waitFor();
    await shot(page, 'remote-change');

    // While the person types, their words stay; the other fields come in.
    await page.getByLabel('Entry text (Markdown)').fill('Typed here, not yet saved');
    await page.evaluate((entry) => {
      const s = (window as unknown as { __hearthFake: Fake }).__hearthFake.state;
      const e = s.entries.find((x) => x.id === entry) as Record<string, unknown>;
      e.body = 'Changed over there';
      e.tags = ['walk', 'river'];
    }, id);
    await emit(page, NET, { kind: 'entriesChanged', changed: [id], purged: [] });
    await page.getByText('Another device changed the text of this entry too.', { exact: false }).waitFor();
    await expect(page.getByLabel('Entry text (Markdown)').inputValue()).resolves.toBe('Typed here, not yet saved');
    await page.getByRole('button', { name: 'Remove tag river' }).waitFor();
    await page.waitForFunction(
      (entry) =>
        (window as unknown as { __hearthFake: Fake }).__hearthFake.state.entries.find((x) => x.id === entry)?.body ===
        'Typed here, not yet saved',
      id,
    );
    // Only the text is sent: the tags and mood stay the other device's.
    expect((await calls(page, 'save_entry')).pop()?.args.input).toEqual({ id, body: 'Typed here, not yet saved' });
    await expect(stored(page, id)).resolves.toMatchObject({ tags: ['walk', 'river'], mood: 5 });

    // Trashed there: the editor says so and can bring it back.
    await page.evaluate((entry) => {
      const s = (window as unknown as { __hearthFake: Fake }).__hearthFake.state;
      (s.entries.find((x) => x.id === entry) as Record<string, unknown>).trashed = true;
    }, id);
    await emit(page, NET, { kind: 'entriesChanged', changed: [id], purged: [] });
    await page.getByText('This entry is in the trash: another device moved it there.').waitFor();
    await expect(page.locator('.rows').getByText('Morning walk by the river').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Bring it back' }).click();
    await page.locator('.rows').getByText('Morning walk by the river').waitFor();

    // Purged there: gone from the list and the editor.
    await page.evaluate((entry) => {
      const s = (window as unknown as { __hearthFake: Fake }).__hearthFake.state;
      s.entries = s.entries.filter((x) => x.id !== entry);
    }, id);
    await emit(page, NET, { kind: 'entriesChanged', changed: [], purged: [id] });
    await page.getByText('Another device deleted this entry for good.').waitFor();
    await expect(page.locator('.rows').getByText('Morning walk by the river').count()).resolves.toBe(0);

    // The calendar and the mood chart read their data again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Calendar', exact: true }).click();
    await page.getByRole('heading', { name: 'On this day' }).waitFor();
    const before = (await calls(page, 'calendar_month')).length;
    await emit(page, NET, { kind: 'missed' });
    await page.waitForFunction(
      (n) => (window as unknown as { __hearthFake: { calls(c: string): unknown[] } }).__hearthFake.calls('calendar_month').length > n,
      before,
    );
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Mood', exact: true }).click();
    await page.locator('svg path.line').waitFor();
    const moods = (await calls(page, 'mood_series')).length;
    await emit(page, NET, { kind: 'entriesChanged', changed: ['f'.repeat(32)], purged: [] });
    await page.waitForFunction(
      (n) => (window as unknown as { __hearthFake: { calls(c: string): unknown[] } }).__hearthFake.calls('mood_series').length > n,
      moods,
    );
    await expect(page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).resolves.toBe(true);
    expect(pageErrors(page)).toEqual([]);
  });

  it('keep what the other device changed when a save of other fields lands first', async () => {
    const page = await go('Journal');
    await page.locator('.rows').getByText('Morning walk').click();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Morning walk');
    // Another device retitles it; its notice is still on the way when the
    // person types in the text and the save goes.
    const id = await page.evaluate(() => {
      const e = (window as unknown as { __hearthFake: Fake }).__hearthFake.state.entries.find((x) => x.title === 'Morning walk');
      (e as Record<string, unknown>).title = 'Morning walk by the river';
      return (e as Record<string, unknown>).id as string;
    });
    await page.getByLabel('Entry text (Markdown)').fill('Typed while the laptop synced');
    await page.locator('[data-state="saved"]').waitFor({ timeout: 5000 });
    expect((await calls(page, 'save_entry')).map((c) => c.args.input)).toEqual([{ id, body: 'Typed while the laptop synced' }]);
    await expect(stored(page, id)).resolves.toMatchObject({ title: 'Morning walk by the river', body: 'Typed while the laptop synced' });

    await emit(page, NET, { kind: 'entriesChanged', changed: [id], purged: [] });
    await page.waitForFunction(() => (document.querySelector('#entry-title') as HTMLInputElement).value === 'Morning walk by the river');
    await page.getByText('Updated with changes from another device.').waitFor();
    await expect(page.getByLabel('Entry text (Markdown)').inputValue()).resolves.toBe('Typed while the laptop synced');
    expect(pageErrors(page)).toEqual([]);
  });
});
