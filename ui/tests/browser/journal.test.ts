// The journal: list by day, the editor and its autosave, delete with undo,
// search as you type with filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, pageErrors, shot, start, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.close();
});

describe('journal', () => {
  it('lists entries newest first, grouped by day', async () => {
    const page = await h.page();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const days = await page.locator('.day h2').allInnerTexts();
    expect(days.slice(0, 2)).toEqual(['TODAY', 'YESTERDAY']);
    const titles = await page.locator('.day').first().locator('.title').allInnerTexts();
    expect(titles).toEqual(['Long meeting. Tired but it went fine in', 'Morning walk']);
    await shot(page, 'journal');
    expect(pageErrors(page)).toEqual([]);
  });

  it('reads well in the dark theme', async () => {
    const page = await h.page({ journal: 'unlocked', theme: 'dark' });
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.getByRole('button', { name: /Morning walk/ }).click();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Morning walk');
    await shot(page, 'journal-dark');
  });

  it('writes a new entry that saves itself, with mood, feelings, tags and a date', async () => {
    const page = await h.page();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    const body = page.getByLabel('Entry text (Markdown)');
    await expect(body.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.getByLabel('Title').fill('Evening');
    await body.fill('A *quiet* evening.\n\n- tea\n- a walk');
    await page.getByRole('group', { name: 'Mood' }).getByRole('button', { name: 'Good', exact: true }).click();
    await page.getByRole('group', { name: 'Feelings' }).getByRole('button', { name: 'grateful' }).click();
    await page.getByLabel('Tags').fill('tea, evening');
    await page.getByLabel('Tags').press('Enter');
    await page.locator('[data-state="saved"]').waitFor({ timeout: 5000 });
    let saves = await calls(page, 'save_entry');
    expect(saves).toHaveLength(1);
    const first = saves[0].args.input as Record<string, unknown>;
    expect(first).toMatchObject({ title: 'Evening', mood: 4, feelings: ['grateful'], tags: ['tea', 'evening'] });
    // The first save creates the entry; later saves carry its id.
    expect(first.id).toBeUndefined();
    await page.getByRole('group', { name: 'Feelings' }).getByRole('button', { name: 'calm' }).click();
    await page.waitForFunction(() => document.querySelector('[data-state]')?.getAttribute('data-state') === 'saved' &&
      (window as unknown as { __hearthFake: { calls(c: string): unknown[] } }).__hearthFake.calls('save_entry').length === 2);
    saves = await calls(page, 'save_entry');
    const second = saves[1].args.input as Record<string, unknown>;
    expect(second.id).toMatch(/^[0-9a-f]{32}$/);
    expect(second.feelings).toEqual(['grateful', 'calm']);
    await page.locator('.rows button[aria-current="true"] .title').getByText('Evening', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.locator('.preview em').innerText()).resolves.toBe('quiet');
    await shot(page, 'editor-preview');
    await page.getByRole('button', { name: 'Write' }).click();
    await page.getByLabel('Date').fill('2024-03-05T21:40');
    await page.getByLabel('Date').dispatchEvent('change');
    await page.locator('[data-state="saved"]').waitFor({ timeout: 5000 });
    await page.waitForFunction(() => {
      const fake = (window as unknown as { __hearthFake: { calls(c: string): { args: { input: { createdAt?: string } } }[] } }).__hearthFake;
      const s = fake.calls('save_entry');
      return s[s.length - 1].args.input.createdAt === new Date('2024-03-05T21:40').toISOString();
    });
    expect(pageErrors(page)).toEqual([]);
  });

  it('saves at once when another entry is opened (no wait for the debounce)', async () => {
    const page = await h.page();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.getByRole('button', { name: /Morning walk/ }).click();
    await page.getByLabel('Title').waitFor();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Morning walk');
    await page.getByLabel('Entry text (Markdown)').fill('Changed text');
    await page.getByRole('button', { name: /Rain/ }).click();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Rain');
    const saves = await calls(page, 'save_entry');
    expect(saves).toHaveLength(1);
    expect((saves[0].args.input as { body: string }).body).toBe('Changed text');
  });

  it('deletes with undo', async () => {
    const page = await h.page();
    await page.getByRole('button', { name: /Garden/ }).click();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Garden');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Entry moved to the trash.').waitFor();
    await expect(page.getByRole('button', { name: /Garden/ }).count()).resolves.toBe(0);
    await shot(page, 'delete-undo');
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: /Garden/ }).waitFor();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Garden');
    expect(await calls(page, 'untrash_entry')).toHaveLength(1);
  });

  it('searches as you type, highlighting matches, with filters', async () => {
    const page = await h.page();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.keyboard.press('Control+f');
    await expect(page.getByLabel('Search your journal').evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.type('river');
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    // On a busy machine the search can run between keystrokes, showing the
    // hits for "r" first; wait for the results of the whole word.
    await expect.poll(() => results.locator('mark').first().innerText(), { timeout: 5000 }).toBe('river');
    await expect.poll(() => results.locator('li').count(), { timeout: 5000 }).toBe(1);
    await shot(page, 'search');
    await page.getByLabel('Search your journal').fill('');
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('combobox', { name: 'Mood' }).selectOption({ label: 'Low' });
    await page.waitForFunction(() => document.querySelectorAll('.rows li').length === 2);
    await shot(page, 'search-filters');
    const lists = await calls(page, 'list_entries');
    expect(lists[lists.length - 1].args.query).toMatchObject({ mood: 2 });
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });

  it('takes tags with spaces and the punctuation the core allows; commas separate them', async () => {
    const page = await h.page();
    await page.getByRole('button', { name: /Morning walk/ }).click();
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe('Morning walk');
    const tags = page.getByLabel('Tags');
    await tags.fill('long   walk, rock & roll');
    await tags.press('Enter');
    await page.getByRole('button', { name: 'Remove tag long walk' }).waitFor();
    await page.getByRole('button', { name: 'Remove tag rock & roll' }).waitFor();
    // One the core would refuse stays in the box, with the reason.
    await tags.fill('50% done');
    await tags.press('Enter');
    await expect(page.getByRole('alert').innerText()).resolves.toBe('A tag holds letters, digits, spaces and - _ / \' . & +, not “%”.');
    await expect(tags.inputValue()).resolves.toBe('50% done');
    await expect(tags.getAttribute('aria-invalid')).resolves.toBe('true');
    await tags.fill('');
    await page.locator('[data-state="saved"]').waitFor({ timeout: 5000 });
    const saves = await calls(page, 'save_entry');
    expect((saves[saves.length - 1].args.input as { tags: string[] }).tags).toEqual(['walk', 'long walk', 'rock & roll']);
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
  });

  it('offers a prompt and a template in the editor', async () => {
    const page = await h.page();
    await page.getByRole('button', { name: 'Prompt', exact: true }).click();
    const note = page.getByRole('note');
    await note.waitFor();
    await note.getByRole('button', { name: 'Use it' }).click();
    await expect(page.getByLabel('Entry text (Markdown)').inputValue()).resolves.toMatch(/^> /);
    await page.getByLabel('Start from a template').selectOption('Evening check-in');
    await expect(page.getByLabel('Entry text (Markdown)').inputValue()).resolves.toContain('## How I feel');
  });
});
