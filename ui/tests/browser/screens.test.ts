// Calendar, mood chart, prompts and templates, devices, settings, help,
// import and export, the time-budget nudge: every screen against the built
// UI with the IPC mocked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, emit, openView, pageErrors, shot, start, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.close();
});

const go = (view: string, scenario = {}) => openView(h, view, scenario);

describe('calendar', () => {
  it('marks days with entries, lists a chosen day, and shows on this day', async () => {
    const page = await go('Calendar');
    await page.getByRole('heading', { name: 'On this day' }).waitFor();
    await page.getByText('A year ago', { exact: true }).waitFor();
    const today = new Date();
    const label = new RegExp(`^Today: written`);
    await page.getByRole('button', { name: label }).click();
    await page.locator('.chosen').getByText('Morning walk').waitFor();
    await shot(page, 'calendar');
    await page.getByRole('button', { name: 'Previous month' }).click();
    const cal = await calls(page, 'calendar_month');
    const prev = new Date(today.getFullYear(), today.getMonth() - 1, 1);
    expect(cal[cal.length - 1].args).toEqual({ year: prev.getFullYear(), month: prev.getMonth() + 1 });
    await page.locator('.chosen').getByText('Morning walk').click();
    await page.getByLabel('Title').waitFor();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Morning walk');
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('mood', () => {
  it('draws the mood line over weeks and months, and the feelings named', async () => {
    const page = await go('Mood');
    await page.locator('svg path.line').waitFor();
    const d = await page.locator('svg path.line').getAttribute('d');
    expect(d).toMatch(/^M/);
    expect(await page.locator('svg circle.point').count()).toBeGreaterThan(2);
    await page.getByRole('heading', { name: 'Feelings you named' }).waitFor();
    await shot(page, 'mood-weeks');
    await page.getByRole('button', { name: 'Last 12 months' }).click();
    await page.waitForFunction(() => document.querySelector('svg title')?.textContent?.includes('12 months'));
    const series = await calls(page, 'mood_series');
    expect(series.map((c) => c.args.days)).toEqual([84, 365]);
    await shot(page, 'mood-months');
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    await page.waitForFunction(() => document.querySelector('svg title')?.textContent?.includes('30 days'));
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('prompts and templates', () => {
  it('edits and saves the lists', async () => {
    const page = await go('Prompts & templates');
    await page.getByLabel('Prompt 1', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add a prompt' }).click();
    await page.getByLabel('Prompt 3', { exact: true }).fill('What made you smile?');
    await page.getByRole('button', { name: 'Remove prompt 1' }).click();
    await page.getByLabel('Name').first().fill('Evening');
    await shot(page, 'prompts-templates');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = (await calls(page, 'set_writing_aids'))[0].args.aids as { prompts: { text: string }[]; templates: { name: string }[] };
    expect(saved.prompts.map((p) => p.text)).toEqual(['What took most of your energy today?', 'What made you smile?']);
    expect(saved.templates[0].name).toBe('Evening');
  });
});

describe('settings', () => {
  it('switches theme, offline mode (shown in the header), auto-lock and time budget', async () => {
    const page = await go('Settings');
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await page.locator('#offline-setting').waitFor();
    await shot(page, 'settings');
    await page.getByLabel('Dark').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    const header = page.getByRole('banner').getByRole('switch');
    await expect(header.getAttribute('aria-checked')).resolves.toBe('false');
    await page.locator('#offline-setting').click();
    await expect(header.getAttribute('aria-checked')).resolves.toBe('true');
    await expect(header.innerText()).resolves.toContain('Offline on');
    expect((await calls(page, 'set_net_config'))[0].args.config).toMatchObject({ offline: true });
    await page.getByLabel('Lock by itself after').selectOption('5');
    await page.getByLabel('Daily time in Hearth').selectOption('30');
    await page.waitForFunction(() => (window as unknown as { __hearthFake: { state: { prefs: { dailyBudgetMinutes: number } } } }).__hearthFake.state.prefs.dailyBudgetMinutes === 30);
    const prefs = (await calls(page, 'set_preferences')).map((c) => c.args.preferences as Record<string, unknown>);
    expect(prefs[prefs.length - 1]).toMatchObject({ theme: 'dark', autoLockMinutes: 5, dailyBudgetMinutes: 30 });
    await shot(page, 'settings-dark');
    // The header switch works from any screen.
    await header.click();
    await expect(header.getAttribute('aria-checked')).resolves.toBe('false');
    expect(pageErrors(page)).toEqual([]);
  });

  it('changes the passphrase after checking the current one', async () => {
    const page = await go('Settings');
    await page.getByLabel('Current passphrase').fill('not it');
    await page.getByLabel('New passphrase').fill('a whole new river lantern');
    await page.getByLabel('Type it again').fill('a whole new river lantern');
    await page.getByRole('button', { name: 'Change passphrase' }).click();
    await page.getByText('The current passphrase is not right; nothing was changed.').waitFor();
    await page.getByLabel('Current passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Change passphrase' }).click();
    await page.getByText('Your passphrase is changed.', { exact: false }).waitFor();
    expect((await calls(page, 'change_passphrase'))[1].args).toEqual({ current: 'correct horse battery', next: 'a whole new river lantern' });
  });
});

describe('recovery key', () => {
  it('makes a new recovery key after a confirmation, and shows it once', async () => {
    const page = await go('Settings');
    await page.getByRole('button', { name: 'Make a new recovery key' }).click();
    await page.getByText('The one you wrote down will stop working.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Yes, make a new key' }).click();
    await page.getByText('Z9Y8-X7W6-V5T4-S3R2-Q1P0-NMKJ-HGFE-DCBA-2345').waitFor();
    await page.getByText('Z9Y8-X7W6-V5T4-S3R2-Q1P0-NMKJ-HGFE-DCBA-2345').scrollIntoViewIfNeeded();
    await shot(page, 'settings-recovery-key');
    await page.getByRole('button', { name: 'I have written it down' }).click();
    await expect(page.getByText('Z9Y8-X7W6').count()).resolves.toBe(0);
    expect(await calls(page, 'new_recovery_key')).toHaveLength(1);
  });
});

describe('devices', () => {
  const ME = '5f1c3a9e' + '7b2d4c6e'.repeat(7);

  it('lists this device first, with its short id, and never for another device not yet synced', async () => {
    const page = await go('Devices');
    const list = page.getByRole('list', { name: 'Devices of this journal' });
    const first = list.getByRole('listitem').first();
    await first.getByRole('heading', { name: 'fern-laptop' }).waitFor();
    await expect(first.getByText('This device', { exact: true }).count()).resolves.toBe(1);
    await expect(first.getByText('5f1c3a9e', { exact: true }).count()).resolves.toBe(1);
    await expect(first.locator('dd').allInnerTexts()).resolves.toEqual(['5f1c3a9e']);
    const other = list.getByRole('listitem').nth(1);
    await expect(other.getByText('This device').count()).resolves.toBe(0);
    await expect(other.locator('dd').allInnerTexts()).resolves.toEqual(['a07e91d2', 'never', 'never', 'never synced', '0']);
    await page.getByRole('heading', { name: 'Pair a new device' }).waitFor();
    await shot(page, 'devices');
    expect(pageErrors(page)).toEqual([]);
  });

  it('renames a device in place: Enter saves, Escape cancels', async () => {
    const page = await go('Devices');
    await page.getByRole('button', { name: 'Rename fern-laptop' }).click();
    const name = page.getByLabel('New name for fern-laptop');
    await expect(name.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await name.fill('Kitchen laptop');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'fern-laptop' }).waitFor();
    expect(await calls(page, 'device_rename')).toHaveLength(0);
    await expect(page.getByRole('button', { name: 'Rename fern-laptop' }).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await name.fill('Kitchen laptop');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Kitchen laptop' }).waitFor();
    await page.getByText('Renamed to “Kitchen laptop”.').waitFor();
    expect((await calls(page, 'device_rename'))[0].args).toEqual({ id: ME, name: 'Kitchen laptop' });
    await expect(page.getByRole('button', { name: 'Rename Kitchen laptop' }).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a bad name’s error inline and keeps the old name', async () => {
    const page = await go('Devices');
    await page.getByRole('button', { name: 'Rename fern-laptop' }).click();
    const name = page.getByLabel('New name for fern-laptop');
    await name.fill('   ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toBe('"" cannot be a device name: give one line of 1 to 100 bytes; nothing was changed');
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
    await shot(page, 'devices-rename-error');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'fern-laptop' }).waitFor();
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    const fake = await page.evaluate(() => (window as unknown as { __hearthFake: { state: { devices: { name: string }[] } } }).__hearthFake.state.devices[0].name);
    expect(fake).toBe('fern-laptop');
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('help', () => {
  it('shows the crisis lines and the note on professional care; the list is editable', async () => {
    const page = await go('Help');
    await page.getByText('Samaritans').waitFor();
    await page.getByText('is not a substitute for professional care', { exact: false }).waitFor();
    await shot(page, 'help');
    await page.getByRole('button', { name: 'Edit this list' }).click();
    await page.getByRole('button', { name: 'Add a line' }).click();
    await page.getByLabel('Where').nth(2).fill('Somewhere');
    await page.getByLabel('Name').nth(2).fill('Local line');
    await page.getByLabel('Number or how to reach it').nth(2).fill('0800 000 000');
    await shot(page, 'help-edit');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Local line').waitFor();
    const saved = (await calls(page, 'set_crisis_lines'))[0].args.lines as { lines: { name: string }[] };
    expect(saved.lines.map((l) => l.name)).toContain('Local line');
  });
});

describe('import and export', () => {
  it('imports from the menu with a progress bar, then lists the new entries', async () => {
    const page = await go('Journal');
    await page.getByRole('button', { name: 'Import / export' }).click();
    await expect(page.getByRole('menuitem', { name: 'Import entries…' }).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Import entries' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Choose…' }).click();
    await expect(dialog.getByLabel('File').inputValue()).resolves.toBe('/home/test/journal.json');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.locator('progress').waitFor();
    await dialog.getByText('Imported 37 entries.', { exact: false }).waitFor();
    await expect(dialog.locator('progress').getAttribute('value')).resolves.toBe('40');
    await shot(page, 'import');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('textbox', { name: 'Tag', exact: true }).fill('imported');
    await page.waitForFunction(() => document.querySelectorAll('.rows li').length === 3);
  });

  it('exports to a chosen file', async () => {
    const page = await go('Journal');
    await page.getByRole('button', { name: 'Import / export' }).click();
    await page.getByRole('menuitem', { name: 'Export entries…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export entries' });
    await expect(dialog.getByRole('option', { name: /Day One/ }).count()).resolves.toBe(0);
    await dialog.getByRole('button', { name: 'Choose…' }).click();
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByText('Exported 8 entries to /home/test/hearth-backup.json.').waitFor();
    await shot(page, 'export');
    expect((await calls(page, 'export_entries'))[0].args).toEqual({ formatName: 'hearth', pathText: '/home/test/hearth-backup.json' });
  });
});

describe('time budget', () => {
  it('nudges gently when the daily time is spent', async () => {
    const page = await go('Journal');
    await emit(page, 'hearth://budget', { minutes: 30 });
    await page.getByText('You have spent the 30 minutes you set aside for Hearth today.', { exact: false }).waitFor();
    await shot(page, 'budget-nudge');
    await page.getByRole('button', { name: 'Thank you' }).click();
    await expect(page.getByText('set aside for Hearth').count()).resolves.toBe(0);
  });
});

describe('accessibility', () => {
  it('names every control for screen readers, on every screen', async () => {
    const page = await go('Journal');
    for (const view of ['Journal', 'Calendar', 'Mood', 'Prompts & templates', 'Circles', 'Devices', 'Settings', 'Help']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: view, exact: true }).click();
      await page.waitForTimeout(150);
      const unnamed = await page.evaluate(() => {
        const bad: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea, [role="switch"]')) {
          if ((el as HTMLInputElement).type === 'hidden') continue;
          const labelled =
            el.getAttribute('aria-label') ||
            el.getAttribute('aria-labelledby') ||
            (el.id && document.querySelector(`label[for="${el.id}"]`)) ||
            el.closest('label') ||
            (el.tagName === 'BUTTON' && el.innerText.trim());
          if (!labelled) bad.push(el.outerHTML.slice(0, 120));
        }
        return bad;
      });
      expect(unnamed, view).toEqual([]);
    }
  });

  it('reaches the header, the offline switch and the editor with the keyboard alone', async () => {
    const page = await go('Journal');
    const seen: string[] = [];
    await page.locator('a.skip').focus();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el ? `${el.tagName}:${el.getAttribute('aria-label') ?? el.getAttribute('role') ?? ''}:${el.innerText?.trim().slice(0, 30) ?? ''}:${el.id}` : '';
      }));
    }
    const joined = seen.join('\n');
    for (const want of ['Journal', 'Calendar', 'Settings', 'Help', 'switch', 'Lock', 'New entry', ':search', ':entry-body']) {
      expect(joined, want).toContain(want);
    }
    await page.keyboard.press('Control+l');
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  });
});
