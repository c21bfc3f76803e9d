// First run and unlock, against the built UI with the IPC mocked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, pageErrors, shot, start, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.close();
});

describe('first run', () => {
  it('creates a journal: passphrase twice, strength hint, plain warning', async () => {
    const page = await h.page({ journal: 'none' });
    await page.getByRole('heading', { name: 'Create your journal' }).waitFor();
    await expect(page.getByText('A forgotten passphrase cannot be recovered or reset.').isVisible()).resolves.toBe(true);
    const create = page.getByRole('button', { name: 'Create journal' });
    await page.getByLabel('Passphrase', { exact: true }).fill('abc');
    await expect(page.locator('#setup-strength').innerText()).resolves.toMatch(/Very weak/);
    await page.getByLabel('Passphrase', { exact: true }).fill('river lantern copper moth');
    await expect(page.locator('#setup-strength').innerText()).resolves.toMatch(/Good|Strong/);
    await page.getByLabel('Type it again').fill('river lantern copper');
    await expect(page.getByText('The two do not match yet.').isVisible()).resolves.toBe(true);
    await expect(create.isDisabled()).resolves.toBe(true);
    await page.getByLabel('Type it again').fill('river lantern copper moth');
    await expect(create.isEnabled()).resolves.toBe(true);
    await shot(page, 'first-run');
    await create.click();
    await page.getByRole('heading', { name: 'Your recovery key' }).waitFor();
    await page.getByText('K7QF-2M9X-C4RT-8HZW-P3JN-6VBD-Y5GS-A1EL-0KQM').waitFor();
    await shot(page, 'first-run-recovery-key');
    await page.getByRole('button', { name: 'I have written it down' }).click();
    await page.getByRole('button', { name: 'New entry' }).waitFor();
    expect((await calls(page, 'create_journal'))[0].args).toEqual({ passphrase: 'river lantern copper moth' });
    await expect(page.getByText('Your journal is empty.', { exact: false }).isVisible()).resolves.toBe(true);
    await shot(page, 'first-run-empty-journal');
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('unlock', () => {
  it('refuses a wrong passphrase, then opens the journal', async () => {
    const page = await h.page({ journal: 'locked', delay: 150 });
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    const field = page.getByLabel('Passphrase');
    await expect(field.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await field.fill('wrong');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('That passphrase did not open the journal.').waitFor();
    await shot(page, 'unlock-wrong-passphrase');
    await field.fill('correct horse battery');
    await field.press('Enter');
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });

  it('opens with the recovery key and sets a new passphrase', async () => {
    const page = await h.page({ journal: 'locked' });
    await page.getByRole('button', { name: 'Forgot your passphrase?' }).click();
    await page.getByLabel('Recovery key').fill('k7qf 2m9x c4rt 8hzw p3jn 6vbd y5gs a1el 0kqX');
    await page.getByLabel('New passphrase').fill('a brand new river lantern');
    await page.getByLabel('Type it again').fill('a brand new river lantern');
    await page.getByRole('button', { name: 'Open with the recovery key' }).click();
    await page.getByText('That recovery key does not belong to this journal.').waitFor();
    await page.getByLabel('Recovery key').fill('k7qf 2m9x c4rt 8hzw p3jn 6vbd y5gs a1el 0kqm');
    await shot(page, 'unlock-recovery');
    await page.getByRole('button', { name: 'Open with the recovery key' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.getByText('Your new passphrase is set.', { exact: false }).waitFor();
    expect((await calls(page, 'recover'))[1].args).toEqual({
      recoveryKey: 'k7qf 2m9x c4rt 8hzw p3jn 6vbd y5gs a1el 0kqm',
      next: 'a brand new river lantern',
    });
  });

  it('shows crisis lines on the lock screen', async () => {
    const page = await h.page({ journal: 'locked' });
    await page.getByRole('button', { name: 'Need help right now?' }).click();
    await page.getByText('Samaritans').waitFor();
    await shot(page, 'unlock-help');
  });

  it('goes back to the lock screen on Lock, and when the shell locks by itself', async () => {
    const page = await h.page({ journal: 'unlocked' });
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    expect(await calls(page, 'lock')).toHaveLength(1);
    await page.getByLabel('Passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.evaluate(() => {
      (window as unknown as { __hearthFake: { state: { unlocked: boolean } } }).__hearthFake.state.unlocked = false;
    });
    const { emit } = await import('./harness');
    await emit(page, 'hearth://locked', { reason: 'idle' });
    await page.getByText('Your journal locked itself while you were away.').waitFor();
    await shot(page, 'unlock-after-idle');
  });
});
