// Circles against the built UI with the IPC mocked: the empty state, making
// one, the list, one circle whole, refusals shown beside their field,
// inviting someone (ticket and QR code), and joining one by a ticket with
// its agreements shown first (accepting and declining); a circle's feed
// (a warned entry opened on purpose, replies in words and supportive
// responses, the line at its end), sharing from the editor with a content
// warning, and stopping. Looking after a circle: away notes, promoting,
// removing (confirmed), muting, reporting from the feed and the admins'
// reports, leaving (confirmed), the away note with offline mode, quiet
// hours in the settings, and the notice of something new. A shared
// entry's photos and files: in place, below the text, on their way, large,
// and behind a warning only once opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { calls, emit, openView, pageErrors, shot, start, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.close();
});

async function circles(): Promise<Page> {
  const page = await openView(h, 'Circles');
  await page.getByRole('heading', { name: 'Circles', exact: true }).waitFor();
  return page;
}

/** Whether every image the selector finds has loaded with real pixels. */
const loaded = (page: Page, selector: string) =>
  page.waitForFunction((sel) => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>(sel)];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, selector);

const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const made = (page: Page) =>
  page.evaluate(() => (window as unknown as { __hearthFake: { state: { circles: unknown[] } } }).__hearthFake.state.circles.length);

const AGREEMENTS = 'What is said here stays here.\nNo advice unless asked.';

describe('circles', () => {
  it('makes a circle, lists it, and opens it with its agreements and owner', async () => {
    const page = await circles();
    await page.getByText('You are in no circle yet.').waitFor();
    await page.getByText('a small group of 2 to 12 people you share chosen entries with', { exact: false }).waitFor();
    await page.getByText('Nothing is shared by default', { exact: false }).waitFor();
    await page.getByText('To share an entry, open it in your journal and choose “Share with a circle…”.').waitFor();
    await shot(page, 'circles-empty');

    await page.getByRole('button', { name: 'Make a circle' }).click();
    await page.getByRole('heading', { name: 'Make a circle' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('  Sunday walkers ');
    await page.getByLabel('How you appear').fill('Fern');
    await page.getByLabel('Purpose').fill('Walking together, and writing about it.');
    await page.getByLabel('Agreements').fill(AGREEMENTS);
    await shot(page, 'circles-new');
    await page.getByRole('button', { name: 'Make the circle' }).click();

    await page.getByRole('status').getByText('Made “Sunday walkers”; you own it. Nothing is shared with it.').waitFor();
    const list = page.getByRole('list', { name: 'Your circles' });
    const row = list.getByRole('button', { name: /Sunday walkers/ });
    await expect(row.innerText()).resolves.toMatch(/Sunday walkers\s+owner/);
    await expect(page.getByText('You are in no circle yet.').count()).resolves.toBe(0);
    await expect(focused(page)).resolves.toMatch(/^circle-[0-9a-f]{32}$/);
    expect((await calls(page, 'create_circle'))[0].args).toEqual({
      input: { name: '  Sunday walkers ', asName: 'Fern', about: 'Walking together, and writing about it.', agreements: AGREEMENTS },
    });
    await shot(page, 'circles');

    await row.click();
    await page.getByRole('heading', { name: 'Sunday walkers', level: 1 }).waitFor();
    await page.getByText('You own this circle.').waitFor();
    const agreements = page.getByRole('region', { name: 'Agreements' });
    await expect(agreements.locator('.text').innerText()).resolves.toBe(AGREEMENTS);
    await page.getByRole('region', { name: 'What it is for' }).getByText('Walking together, and writing about it.').waitFor();
    const members = page.getByRole('list', { name: 'Members' }).getByRole('listitem');
    await expect(members.count()).resolves.toBe(1);
    await expect(members.first().innerText()).resolves.toMatch(/^Fern\s+\(you\)\s+owner$/);
    await expect(page.locator('dl').innerText()).resolves.toMatch(/Key epoch:?\s+0/);
    // Nothing that cannot work yet is offered: the way back, the feed's
    // two views, leaving, and inviting.
    await expect(page.locator('main button').allInnerTexts()).resolves.toEqual([
      '← All circles',
      'What’s new',
      'Everything',
      'Leave the circle…',
      'Invite someone',
    ]);
    await page.getByRole('region', { name: 'Shared entries' }).getByText('Nothing new since your last visit.').waitFor();
    // The list reads one circle for the person's away note; opening reads
    // the circle chosen, by id.
    const shown = (await calls(page, 'show_circle')).slice(-1);
    expect(shown[0].args.idOrName).toMatch(/^[0-9a-f]{32}$/);
    await shot(page, 'circle');

    await page.getByRole('button', { name: 'All circles' }).click();
    await expect(focused(page)).resolves.toBe(`circle-${shown[0].args.idOrName}`);
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a refused name beside the field, keeps what was typed, and makes nothing', async () => {
    const page = await circles();
    await page.getByRole('button', { name: 'Make a circle' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await page.getByLabel('How you appear').fill('Fern');
    await page.getByLabel('Agreements').fill(AGREEMENTS);
    await name.fill('   ');
    await page.getByRole('button', { name: 'Make the circle' }).click();

    // Checked here first: the name is missing.
    const alert = page.getByRole('alert');
    await expect(alert.innerText()).resolves.toBe('Give the circle a name.');
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(name.getAttribute('aria-describedby')).resolves.toContain('circle-name-error');
    await expect(focused(page)).resolves.toBe('circle-name-field');
    expect(await calls(page, 'create_circle')).toHaveLength(0);

    // A tab in the name passes the checks here; the core refuses it.
    await name.fill('Sunday\twalkers');
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Make the circle' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe(
      "a circle's name is one line of 1 to 100 bytes; nothing was changed",
    );
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(name.inputValue()).resolves.toBe('Sunday\twalkers');
    await expect(page.getByLabel('How you appear').inputValue()).resolves.toBe('Fern');
    await expect(page.getByLabel('Agreements').inputValue()).resolves.toBe(AGREEMENTS);
    expect(await calls(page, 'create_circle')).toHaveLength(1);
    await expect(made(page)).resolves.toBe(0);
    await shot(page, 'circles-refused');

    // Too long for how you appear, in bytes (each é is two).
    await name.fill('Sunday walkers');
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await page.getByLabel('How you appear').fill('é'.repeat(51));
    await page.getByRole('button', { name: 'Make the circle' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/^How you appear is 102 bytes; it may hold 100/);
    await expect(focused(page)).resolves.toBe('circle-as-field');
    expect(await calls(page, 'create_circle')).toHaveLength(1);

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('You are in no circle yet.').waitFor();
    await expect(made(page)).resolves.toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('invites someone into a circle it owns: a ticket to copy, its QR code and until when it works', async () => {
    const page = await circles();
    await page.getByRole('button', { name: 'Make a circle' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Sunday walkers');
    await page.getByLabel('How you appear').fill('Fern');
    await page.getByRole('button', { name: 'Make the circle' }).click();
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Sunday walkers/ }).click();
    const section = page.getByRole('region', { name: 'Invite someone' });
    await section.getByText('A one-time ticket for one person, valid a day.', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Invite someone' }).click();

    const ticket = section.getByLabel('Ticket');
    await expect(ticket.inputValue()).resolves.toMatch(/^hearthcircle[a-z2-7]+$/);
    await section.getByRole('img', { name: 'QR code of the circle invitation' }).waitFor();
    await expect(section.innerText()).resolves.toMatch(/It works once, until \d\d:\d\d tomorrow, and only while this app \(or hearth serve\) runs/);
    await section.getByRole('button', { name: 'Copy ticket' }).waitFor();
    const asked = await calls(page, 'invite_to_circle');
    expect(asked).toHaveLength(1);
    expect(asked[0].args.circle).toMatch(/^[0-9a-f]{32}$/);
    await shot(page, 'circle-invite');
    expect(pageErrors(page)).toEqual([]);
  });

  it('says why it cannot invite while offline', async () => {
    const page = await circles();
    await page.evaluate(() => {
      const s = (window as unknown as { __hearthFake: { state: { net: { offline: boolean }; circles: unknown[] } } }).__hearthFake.state;
      s.net.offline = true;
      s.circles.push({ id: 'ab'.repeat(16), name: 'Walkers', about: '', agreements: '', asName: 'Fern' });
    });
    // Read again as when the circle's changes arrive from another device.
    await emit(page, 'hearth://net', { kind: 'missed' });
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();
    await page.getByRole('button', { name: 'Invite someone' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('offline mode is on');
    await page.getByRole('button', { name: 'Invite someone' }).waitFor();
  });

  const TICKET = 'HEARTHCIRCLE' + 'abcdefghijklmnopqrstuvwxyz234567'.repeat(5);

  async function startJoin(page: Page, ticket = TICKET, as = 'Fern') {
    await page.getByRole('button', { name: 'Join a circle' }).click();
    await page.getByRole('heading', { name: 'Join a circle' }).waitFor();
    await page.getByLabel('Ticket').fill(ticket);
    await page.getByLabel('How you appear').fill(as);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
  }

  it('shows what a circle is for, its agreements and members before joining, and joins on accept', async () => {
    const page = await circles();
    await startJoin(page);
    const question = page.getByRole('region', { name: 'Join “Night owls”?' });
    await question.getByText('Rowan invites you to this circle.').waitFor();
    await question.getByText('Writing after midnight, and reading each other kindly.').waitFor();
    await expect(question.locator('.agreements').innerText()).resolves.toBe('What is shared here stays here.\nNo advice unless asked.');
    await expect(question.getByRole('list', { name: 'Members' }).getByRole('listitem').allInnerTexts()).resolves.toEqual(['Rowan', 'Sage']);
    await question.getByText('you appear to its members as “Fern”', { exact: false }).waitFor();
    // Nothing is joined while the question is open.
    await expect(made(page)).resolves.toBe(0);
    expect((await calls(page, 'join_circle'))[0].args).toEqual({ ticket: TICKET, asName: 'Fern' });
    await shot(page, 'circle-join-question');

    await question.getByRole('button', { name: 'Accept and join' }).click();
    await page.getByRole('heading', { name: 'Night owls', level: 1 }).waitFor();
    await page.getByText('You are a member of this circle.').waitFor();
    await page.getByRole('status').getByText('You joined “Night owls”.').waitFor();
    await expect(page.getByRole('list', { name: 'Members' }).getByRole('listitem').count()).resolves.toBe(3);
    // A member does not invite.
    await expect(page.getByRole('region', { name: 'Invite someone' }).count()).resolves.toBe(0);
    const answers = await calls(page, 'answer_circle_question');
    expect(answers).toHaveLength(1);
    expect(answers[0].args.accept).toBe(true);

    await page.getByRole('button', { name: 'All circles' }).click();
    const row = page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Night owls/ });
    await expect(row.innerText()).resolves.toMatch(/Night owls\s+member/);
    expect(pageErrors(page)).toEqual([]);
  });

  it('declining changes nothing and keeps the form', async () => {
    const page = await circles();
    await startJoin(page);
    const question = page.getByRole('region', { name: 'Join “Night owls”?' });
    await question.getByRole('button', { name: 'Decline' }).click();
    await page.getByRole('status').getByText('You did not join; nothing was changed.').waitFor();
    await expect(question.count()).resolves.toBe(0);
    await expect(made(page)).resolves.toBe(0);
    await expect(page.getByLabel('Ticket').inputValue()).resolves.toBe(TICKET);
    expect((await calls(page, 'answer_circle_question'))[0].args.accept).toBe(false);
    await shot(page, 'circle-join-declined');
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a refused ticket under the form and keeps what was typed', async () => {
    const page = await circles();
    await startJoin(page, 'hearthpairabc', 'Fern');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('this is not a circle invitation');
    await expect(page.getByLabel('Ticket').inputValue()).resolves.toBe('hearthpairabc');
    await expect(page.getByLabel('How you appear').inputValue()).resolves.toBe('Fern');
    await expect(made(page)).resolves.toBe(0);
  });

  it('reads the list again when someone joins a circle through this device', async () => {
    const page = await circles();
    await page.getByText('You are in no circle yet.').waitFor();
    await page.evaluate(() => {
      const s = (window as unknown as { __hearthFake: { state: { circles: unknown[] } } }).__hearthFake.state;
      s.circles.push({ id: 'cd'.repeat(16), name: 'Walkers', about: '', agreements: '', asName: 'Fern' });
    });
    await emit(page, 'hearth://net', { kind: 'circleJoined', joined: 'Sage joined “Walkers”' });
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).waitFor();
  });
  const WALKERS = 'ab'.repeat(16);
  type Fake = {
    state: { circles: unknown[]; shared: { title: string; unshared: boolean; warning: string | null }[] };
    seedShared(o: Record<string, unknown>): string;
    attachment(name: string, mediaType: string, size: number): { id: string; name: string };
  };

  /** A page whose person is in "Walkers", where Sage shared an entry
   *  behind a content warning (Rowan answered it) and Rowan one without. */
  async function walkers(): Promise<Page> {
    const page = await circles();
    await page.evaluate((id) => {
      const f = (window as unknown as { __hearthFake: Fake }).__hearthFake;
      f.state.circles.push({ id, name: 'Walkers', about: '', agreements: '', asName: 'Fern', role: 'member' });
      const day = (n: number) => new Date(Date.now() - n * 86400000).toISOString();
      f.seedShared({
        circle: id, author: 'Sage', title: 'A hard week', body: 'My father is in hospital again.', warning: 'illness',
        tags: ['family'], mood: 2, feelings: ['anxious'], written_at: day(2), shared_at: day(2),
        replies: [{ author: 'Rowan', support: 'thinking-of-you', at: day(1) }],
      });
      f.seedShared({
        circle: id, author: 'Rowan', title: 'First frost', body: 'The pond froze over. We walked round it twice.',
        tags: ['walk'], mood: 4, written_at: day(3), shared_at: day(3),
      });
    }, WALKERS);
    await emit(page, 'hearth://net', { kind: 'missed' });
    return page;
  }

  it('reads a circle’s feed: a warned entry opened on purpose, replies, and the end of the feed', async () => {
    const page = await walkers();
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();
    const feed = page.getByRole('region', { name: 'Shared entries' });
    await expect(feed.getByRole('button', { name: 'What’s new' }).getAttribute('aria-pressed')).resolves.toBe('true');
    const articles = feed.getByRole('article');
    await expect(articles.count()).resolves.toBe(2);
    // Newest activity first: Rowan's reply to Sage's entry is the latest.
    await expect(feed.getByRole('heading', { level: 3 }).allInnerTexts()).resolves.toEqual(['A hard week', 'First frost']);
    const hard = page.getByRole('article', { name: 'A hard week' });
    await expect(hard.locator('.byline').innerText()).resolves.toMatch(/^Sage · .+ · mood: low · anxious$/);
    await expect(hard.getByRole('list', { name: 'Tags' }).innerText()).resolves.toBe('#family');
    await hard.getByText('Content warning: illness').waitFor();
    await expect(hard.getByText('My father is in hospital again.').count()).resolves.toBe(0);
    await expect(hard.getByRole('list', { name: 'Replies' }).innerText()).resolves.toMatch(/^Rowan: Thinking of you\s+Report to admins$/);
    const frost = page.getByRole('article', { name: 'First frost' });
    await frost.getByText('The pond froze over. We walked round it twice.').waitFor();
    // The text reads as it was written, nothing added around it.
    await expect(frost.locator('.text').evaluate((el) => el.textContent)).resolves.toBe('The pond froze over. We walked round it twice.');
    await expect(frost.getByRole('button', { name: 'Open' }).count()).resolves.toBe(0);
    await expect(feed.locator('.end').innerText()).resolves.toBe('That is everything new since your last visit.');
    // No counts, likes, "seen by" or read receipts.
    await expect(feed.innerText()).resolves.not.toMatch(/\blikes?\b|seen by|\bread by\b|\d+ repl/i);
    expect(await calls(page, 'read_shared')).toHaveLength(0);
    expect((await calls(page, 'circle_feed'))[0].args).toEqual({ circle: WALKERS, all: false });
    await shot(page, 'circle-feed');

    // Opened on purpose.
    await hard.getByRole('button', { name: 'Open' }).click();
    await hard.getByText('My father is in hospital again.').waitFor();
    await hard.getByText('Content warning: illness').waitFor();
    const read = await calls(page, 'read_shared');
    expect(read).toHaveLength(1);
    const id = read[0].args.id as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);

    // A supportive response, then words.
    const replyBox = hard.getByRole('group', { name: 'Reply to “A hard week”' });
    await replyBox.getByRole('button', { name: 'I hear you' }).click();
    const replies = hard.getByRole('list', { name: 'Replies' }).getByRole('listitem');
    await expect.poll(() => replies.allInnerTexts()).toEqual(['Rowan: Thinking of you Report to admins', 'You: I hear you']);
    await replyBox.getByRole('button', { name: 'Send' }).click();
    await expect(hard.getByRole('alert').innerText()).resolves.toBe('Write a few words, or choose one of the responses above.');
    await replyBox.getByLabel('Your reply').fill('  Sending you strength.  ');
    await replyBox.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => replies.allInnerTexts()).toEqual(['Rowan: Thinking of you Report to admins', 'You: I hear you', 'You: Sending you strength.']);
    await expect(replyBox.getByLabel('Your reply').inputValue()).resolves.toBe('');
    await expect(hard.getByRole('alert').count()).resolves.toBe(0);
    const sent = (await calls(page, 'reply_to_shared')).map((c) => c.args);
    expect(sent).toEqual([
      { id, text: null, support: 'hear-you' },
      { id, text: 'Sending you strength.', support: null },
    ]);
    // Still open, and still both entries on screen after the feed was read again.
    await hard.getByText('My father is in hospital again.').waitFor();
    await expect(articles.count()).resolves.toBe(2);
    await shot(page, 'circle-feed-replied');

    // Everything, then only what is new: nothing, since this visit.
    await feed.getByRole('button', { name: 'Everything' }).click();
    await expect(feed.locator('.end').innerText()).resolves.toBe('That is everything shared with this circle.');
    await expect(articles.count()).resolves.toBe(2);
    await feed.getByRole('button', { name: 'What’s new' }).click();
    await expect(feed.locator('.end').innerText()).resolves.toBe('Nothing new since your last visit.');
    await expect(articles.count()).resolves.toBe(0);

    // Something shared arrives with a sync: the feed reads again.
    await page.evaluate((c) => {
      (window as unknown as { __hearthFake: Fake }).__hearthFake.seedShared({ circle: c, author: 'Sage', title: 'Better today', body: 'Home again.' });
    }, WALKERS);
    await emit(page, 'hearth://net', { kind: 'synced', report: {}, error: null });
    await page.getByRole('article', { name: 'Better today' }).waitFor();
    await expect(feed.locator('.end').innerText()).resolves.toBe('That is everything new since your last visit.');

    // Another device's changes to this circle arrive: read again, keeping what is shown.
    await page.evaluate((c) => {
      (window as unknown as { __hearthFake: Fake }).__hearthFake.seedShared({ circle: c, author: 'Rowan', title: 'Snow', body: 'At last.' });
    }, WALKERS);
    await emit(page, 'hearth://net', { kind: 'circlesChanged', circles: [WALKERS], quiet: false });
    await page.getByRole('article', { name: 'Snow' }).waitFor();
    await expect(feed.getByRole('heading', { level: 3 }).allInnerTexts()).resolves.toEqual(['Snow', 'Better today']);
    expect(pageErrors(page)).toEqual([]);
  });

  it('shares an entry from the editor with a content warning, and stops sharing it', async () => {
    const page = await walkers();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Journal', exact: true }).click();
    await page.getByRole('button', { name: /Morning walk/ }).click();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Morning walk');
    const toggle = page.getByRole('button', { name: 'Share with a circle…' });
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    const panel = page.getByRole('region', { name: 'Share with a circle' });
    await expect(panel.getByLabel('Circle').locator('option').allInnerTexts()).resolves.toEqual(['Walkers']);

    // A warning of two lines' worth of bytes is refused here first.
    const warning = panel.getByLabel('Content warning (optional)');
    await warning.fill('é'.repeat(51));
    await panel.getByRole('button', { name: 'Share', exact: true }).click();
    await expect(panel.getByRole('alert').innerText()).resolves.toMatch(/^The content warning is 102 bytes; it may hold 100/);
    expect(await calls(page, 'share_entry')).toHaveLength(0);

    await warning.fill('  a hard morning ');
    await panel.getByRole('button', { name: 'Share', exact: true }).click();
    await panel.getByRole('status').getByText('Shared with “Walkers” behind the content warning “a hard morning”.', { exact: false }).waitFor();
    const shared = await calls(page, 'share_entry');
    expect(shared).toHaveLength(1);
    expect(shared[0].args).toMatchObject({ circle: WALKERS, warning: 'a hard morning' });
    expect(shared[0].args.entry).toMatch(/^[0-9a-f]{32}$/);
    await panel.getByText('what they already received cannot be recalled', { exact: false }).waitFor();
    await shot(page, 'editor-shared');

    // In the circle's feed it is the person's own, behind its warning.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Circles', exact: true }).click();
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();
    const mine = page.getByRole('article', { name: 'Morning walk' });
    await expect(mine.locator('.byline').innerText()).resolves.toMatch(/^You · /);
    await mine.getByText('Content warning: a hard morning').waitFor();
    await mine.getByText('Members’ apps stop showing it; what they already received cannot be recalled.').waitFor();

    // Stopped from the editor: members' apps stop showing it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Journal', exact: true }).click();
    await page.getByRole('button', { name: /Morning walk/ }).click();
    await page.getByRole('button', { name: 'Share with a circle…' }).click();
    await panel.getByRole('button', { name: 'Stop sharing' }).click();
    await panel
      .getByRole('status')
      .getByText('Stopped sharing with “Walkers”. Members’ apps no longer show it; what they already received cannot be recalled.')
      .waitFor();
    expect((await calls(page, 'unshare_entry'))[0].args).toEqual({ entry: shared[0].args.entry, circle: WALKERS });
    // Twice: the core says it is not shared there.
    await panel.getByRole('button', { name: 'Stop sharing' }).click();
    await expect(panel.getByRole('alert').innerText()).resolves.toBe('this entry is not shared with that circle: nothing was changed');
    await shot(page, 'editor-unshared');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Circles', exact: true }).click();
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();
    const feed = page.getByRole('region', { name: 'Shared entries' });
    await feed.getByRole('button', { name: 'Everything' }).click();
    await expect(feed.locator('.end').innerText()).resolves.toBe('That is everything shared with this circle.');
    await expect(page.getByRole('article', { name: 'Morning walk' }).count()).resolves.toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('stops sharing from the circle’s feed', async () => {
    const page = await walkers();
    const entry = await page.evaluate((c) => {
      const f = (window as unknown as { __hearthFake: Fake & { state: { entries: { id: string }[] } } }).__hearthFake;
      const e = f.state.entries[0].id;
      f.seedShared({ circle: c, author: 'Fern', you: true, entry: e, title: 'Mine', body: 'Shared earlier.' });
      return e;
    }, WALKERS);
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();
    const mine = page.getByRole('article', { name: 'Mine' });
    await mine.getByRole('button', { name: 'Stop sharing' }).click();
    await page
      .getByRole('region', { name: 'Shared entries' })
      .getByRole('status')
      .getByText('Stopped sharing with “Walkers”.', { exact: false })
      .waitFor();
    await expect(mine.count()).resolves.toBe(0);
    expect((await calls(page, 'unshare_entry'))[0].args).toEqual({ entry, circle: WALKERS });
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a shared entry’s photos in place and its files below, opens one large, and says which are on their way', async () => {
    const page = await walkers();
    const ids = await page.evaluate((c) => {
      const f = (window as unknown as { __hearthFake: Fake }).__hearthFake;
      const tulips = f.attachment('tulips.jpg', 'image/jpeg', 2_411_520);
      const packet = f.attachment('seed packet.png', 'image/png', 301_112);
      const shed = f.attachment('shed.jpg', 'image/jpeg', 1_048_576);
      const plan = f.attachment('plot plan.pdf', 'application/pdf', 48_213);
      const list = f.attachment('seed list.pdf', 'application/pdf', 9_000);
      const ward = f.attachment('ward.jpg', 'image/jpeg', 900_000);
      f.seedShared({
        circle: c, author: 'Rowan', title: 'Allotment',
        body: `Tulips at last.\n\n![The tulip bed](attachment:${tulips.id})\n\n![The shed in the rain](attachment:${shed.id})`,
        attachments: [tulips, packet, shed, plan, list], arriving: [shed.id, list.id],
      });
      f.seedShared({
        circle: c, author: 'Sage', title: 'Visiting', warning: 'hospital',
        body: `The ward at night.\n\n![The ward](attachment:${ward.id})`, attachments: [ward],
      });
      return { tulips: tulips.id, packet: packet.id, shed: shed.id, plan: plan.id, ward: ward.id };
    }, WALKERS);
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();

    // The photo the text shows, in place; the one still on its way says so.
    const plot = page.getByRole('article', { name: 'Allotment' });
    await plot.getByText('Tulips at last.').waitFor();
    const inPlace = plot.getByRole('button', { name: 'Open photo: The tulip bed' });
    await expect(inPlace.locator('img').getAttribute('src')).resolves.toMatch(new RegExp(`/__hearth-file/${ids.tulips}$`));
    await loaded(page, `img[src$="/__hearth-file/${ids.tulips}"]`);
    await plot.getByText('shed.jpg is on its way; it comes with the next sync.').waitFor();
    await expect(plot.locator(`img[src*="${ids.shed}"]`).count()).resolves.toBe(0);
    // The rest below: a photo, a file to save, and a file on its way.
    const rest = plot.getByRole('list', { name: 'Photos and files not in the text' });
    await rest.getByRole('button', { name: 'Open photo: seed packet.png' }).waitFor();
    await loaded(page, `img[src*="/__hearth-file/${ids.packet}"]`);
    await expect(rest.getByRole('button', { name: /plot plan\.pdf/ }).innerText()).resolves.toMatch(/^plot plan\.pdf\s+47\.1 KiB · save a copy…$/);
    await rest.getByText('seed list.pdf is on its way; it comes with the next sync.').waitFor();
    await expect(rest.getByRole('button', { name: /seed list/ }).count()).resolves.toBe(0);
    await shot(page, 'circle-feed-photos');

    // Large, stepping through the entry's photos that are here; a copy saved.
    await inPlace.click();
    const dialog = page.getByRole('dialog', { name: 'Photo: tulips.jpg' });
    await dialog.waitFor();
    await loaded(page, 'dialog[open] img');
    await expect(dialog.locator('img').getAttribute('src')).resolves.toMatch(new RegExp(`/__hearth-file/${ids.tulips}$`));
    await expect(dialog.innerText()).resolves.toContain('1 of 2');
    await shot(page, 'circle-feed-photo-large');
    await page.keyboard.press('ArrowRight');
    const packet = page.getByRole('dialog', { name: 'Photo: seed packet.png' });
    await packet.getByRole('button', { name: 'Save a copy…' }).click();
    await page.getByText('Saved a copy of seed packet.png to /home/test/Downloads/seed packet.png.').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    // Focus is back on the photo, and Enter opens it again.
    await expect(page.evaluate(() => (document.activeElement as HTMLElement)?.dataset.attachment)).resolves.toBe(ids.tulips);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    await rest.getByRole('button', { name: /plot plan\.pdf/ }).click();
    await page.getByText('Saved a copy of plot plan.pdf to /home/test/Downloads/plot plan.pdf.').waitFor();
    expect((await calls(page, 'save_attachment')).map((x) => x.args)).toEqual([
      { id: ids.packet, path: '/home/test/Downloads/seed packet.png' },
      { id: ids.plan, path: '/home/test/Downloads/plot plan.pdf' },
    ]);

    // Behind a content warning, the photo shows only once opened.
    const visiting = page.getByRole('article', { name: 'Visiting' });
    await visiting.getByText('Content warning: hospital').waitFor();
    await expect(visiting.locator('img').count()).resolves.toBe(0);
    await visiting.getByRole('button', { name: 'Open' }).click();
    const ward = visiting.getByRole('button', { name: 'Open photo: The ward' });
    await expect(ward.locator('img').getAttribute('src')).resolves.toMatch(new RegExp(`/__hearth-file/${ids.ward}$`));
    await loaded(page, `img[src$="/__hearth-file/${ids.ward}"]`);
    await ward.click();
    await page.getByRole('dialog', { name: 'Photo: ward.jpg' }).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    expect(pageErrors(page)).toEqual([]);
  });
});

describe('looking after a circle', () => {
  const CIRCLE = 'cd'.repeat(16);
  const SAGE = '5a'.repeat(32);
  const ROWAN = '7c'.repeat(32);
  type Fake = {
    state: { circles: Record<string, unknown>[]; net: Record<string, unknown>; away: unknown; muted: Record<string, string[]> };
    seedShared(o: Record<string, unknown>): string;
  };
  const later = (days: number) => {
    const d = new Date(Date.now() + days * 86400000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  };

  /** A page on "Walkers", where the person has `role`, with Sage and
   *  Rowan (Rowan away for nine days, with a note); Sage shared an entry
   *  Rowan answered, and Rowan shared one. */
  async function walkers(role: 'owner' | 'admin' | 'member'): Promise<Page> {
    const page = await circles();
    await page.evaluate(
      ({ id, role, sage, rowan }) => {
        const f = (window as unknown as { __hearthFake: Fake }).__hearthFake;
        const until = new Date(Date.now() + 9 * 86400000);
        until.setHours(0, 0, 0, 0);
        f.state.circles.push({
          id, name: 'Walkers', about: '', agreements: '', asName: 'Fern', role,
          others: [
            { id: sage, name: 'Sage', role: role === 'owner' ? 'member' : 'owner', you: false },
            { id: rowan, name: 'Rowan', role: 'member', you: false, away: { until: until.toISOString(), note: 'Moving house' } },
          ],
        });
        const day = (n: number) => new Date(Date.now() - n * 86400000).toISOString();
        f.seedShared({
          circle: id, author: 'Sage', title: 'A hard week', body: 'My father is in hospital again.', written_at: day(2),
          shared_at: day(2), replies: [{ author: 'Rowan', text: 'Sending you strength.', at: day(1) }],
        });
        f.seedShared({ circle: id, author: 'Rowan', title: 'First frost', body: 'The pond froze over.', written_at: day(3), shared_at: day(3) });
      },
      { id: CIRCLE, role, sage: SAGE, rowan: ROWAN },
    );
    await emit(page, 'hearth://net', { kind: 'missed' });
    await page.getByRole('list', { name: 'Your circles' }).getByRole('button', { name: /Walkers/ }).click();
    await page.getByRole('heading', { name: 'Walkers', level: 1 }).waitFor();
    return page;
  }
  const members = (page: Page) => page.getByRole('list', { name: 'Members' });
  const actions = (page: Page, who: string) => page.getByRole('group', { name: `Actions for ${who}` });

  it('shows away notes, promotes a member, and removes one after a plain confirmation', async () => {
    const page = await walkers('owner');
    const rowan = members(page).getByRole('listitem').filter({ hasText: 'Rowan' });
    await rowan.getByText(/^Taking a break until \d+ \w+ \d{4}: Moving house$/).waitFor();
    await actions(page, 'Rowan').getByRole('button', { name: 'Promote to admin' }).click();
    await page.getByText('Rowan is now an admin of this circle.').waitFor();
    await expect(rowan.locator('.role').innerText()).resolves.toBe('admin');
    await actions(page, 'Rowan').getByRole('button', { name: 'Demote to member' }).waitFor();
    expect((await calls(page, 'set_member_role'))[0].args).toEqual({ circle: CIRCLE, member: ROWAN, admin: true });

    await actions(page, 'Sage').getByRole('button', { name: 'Remove…' }).click();
    const confirm = page.getByRole('group', { name: 'Remove Sage?' });
    await expect(confirm.innerText()).resolves.toMatch(/keep what they already received, and read nothing new/);
    await shot(page, 'circle-remove-confirm');
    expect(await calls(page, 'remove_member')).toHaveLength(0);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm.count()).resolves.toBe(0);
    await actions(page, 'Sage').getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('button', { name: 'Remove Sage' }).click();
    await page.getByText('Sage was removed. They keep what they already received and read nothing new from this circle.').waitFor();
    await expect(members(page).getByRole('listitem').count()).resolves.toBe(2);
    expect((await calls(page, 'remove_member'))[0].args).toEqual({ circle: CIRCLE, member: SAGE });
    await expect(page.locator('dl').innerText()).resolves.toMatch(/Key epoch:?\s+1/);
    await shot(page, 'circle-members');
    expect(pageErrors(page)).toEqual([]);
  });

  it('offers a plain member no admin actions, and shows a refusal where it happened', async () => {
    const page = await walkers('member');
    await expect(actions(page, 'Sage').getByRole('button').allInnerTexts()).resolves.toEqual(['Mute']);
    await expect(page.getByRole('region', { name: 'Reports' }).count()).resolves.toBe(0);
    await page.evaluate((id) => {
      // The circle changed meanwhile: the person was made an owner elsewhere
      // and Sage left; the core refuses what no longer fits.
      const f = (window as unknown as { __hearthFake: Fake }).__hearthFake;
      const c = f.state.circles.find((x) => x.id === id) as { others: { name: string }[] };
      c.others = c.others.filter((o) => o.name !== 'Sage');
    }, CIRCLE);
    await actions(page, 'Sage').getByRole('button', { name: 'Mute' }).click();
    await members(page).getByRole('listitem').filter({ hasText: 'Sage' }).getByRole('alert').getByText(/no member of "Walkers" is called/).waitFor();
  });

  it('mutes a member: their entries and replies leave the feed, for the person alone', async () => {
    const page = await walkers('member');
    const feed = page.getByRole('region', { name: 'Shared entries' });
    await feed.getByRole('button', { name: 'Everything' }).click();
    await expect(feed.getByRole('heading', { level: 3 }).allInnerTexts()).resolves.toEqual(['A hard week', 'First frost']);
    await actions(page, 'Rowan').getByRole('button', { name: 'Mute' }).click();
    await page.getByText('You muted Rowan: their entries and replies are hidden from you. Nobody is told.').waitFor();
    await members(page).getByRole('listitem').filter({ hasText: 'Rowan' }).getByText('(muted)').waitFor();
    await expect(feed.getByRole('heading', { level: 3 }).allInnerTexts()).resolves.toEqual(['A hard week']);
    await expect(feed.getByText('Sending you strength.').count()).resolves.toBe(0);
    expect((await calls(page, 'mute_member'))[0].args).toEqual({ circle: CIRCLE, member: ROWAN, mute: true });
    await shot(page, 'circle-muted');
    await actions(page, 'Rowan').getByRole('button', { name: 'Unmute' }).click();
    await feed.getByRole('heading', { name: 'First frost' }).waitFor();
    await feed.getByText('Sending you strength.').waitFor();
    expect(pageErrors(page)).toEqual([]);
  });

  it('reports an entry and a reply from the feed; the admins read who reported what, why and when', async () => {
    const page = await walkers('admin');
    const reports = page.getByRole('region', { name: 'Reports' });
    await reports.getByText('Nobody has reported anything.').waitFor();
    const feed = page.getByRole('region', { name: 'Shared entries' });
    const frost = feed.getByRole('article', { name: 'First frost' });
    await frost.getByRole('button', { name: 'Report to admins' }).click();
    await expect(focused(page)).resolves.toMatch(/^reason-/);
    await frost.getByRole('button', { name: 'Send report' }).click();
    await frost.getByRole('alert').getByText('Say in a few words why you report it; only the admins read it.').waitFor();
    expect(await calls(page, 'report_item')).toHaveLength(0);
    await frost.getByLabel('Why do you report “First frost”?', { exact: false }).fill('It names someone outside the circle.');
    await shot(page, 'circle-report');
    await frost.getByRole('button', { name: 'Send report' }).click();
    await feed.getByRole('status').getByText('Reported to the admins of “Walkers”. Only they read it; nobody else is told.').waitFor();

    const hard = feed.getByRole('article', { name: 'A hard week' });
    await hard.getByRole('list', { name: 'Replies' }).getByRole('button', { name: 'Report to admins' }).click();
    await hard.getByLabel('Why do you report Rowan’s reply?', { exact: false }).fill('Advice nobody asked for.');
    await hard.getByRole('button', { name: 'Send report' }).click();
    await expect(reports.getByRole('listitem').count()).resolves.toBe(2);
    const [first, second] = await reports.getByRole('listitem').allInnerTexts();
    expect(first).toMatch(/^Fern reported an entry by Rowan · .+\n+First frost\n+Why: It names someone outside the circle\.$/);
    expect(second).toMatch(/^Fern reported a reply by Rowan · .+\n+Sending you strength\.\n+Why: Advice nobody asked for\.$/);
    const sent = await calls(page, 'report_item');
    expect(sent[0].args).toMatchObject({ circle: CIRCLE, reason: 'It names someone outside the circle.' });
    expect(String(sent[1].args.item)).toHaveLength(16);
    await shot(page, 'circle-reports');
    expect(pageErrors(page)).toEqual([]);
  });

  it('leaves a circle after confirmation', async () => {
    const page = await walkers('member');
    await page.getByRole('button', { name: 'Leave the circle…' }).click();
    const confirm = page.getByRole('group', { name: 'Leave “Walkers”?' });
    await expect(confirm.innerText()).resolves.toMatch(/You keep what you already received, and nothing new shared there reaches you/);
    expect(await calls(page, 'leave_circle')).toHaveLength(0);
    await confirm.getByRole('button', { name: 'Leave “Walkers”' }).click();
    await page.getByText('You left “Walkers”. You keep what you already received; nothing new reaches you from it.').waitFor();
    await page.getByText('You are no longer in this circle.').waitFor();
    await expect(page.getByRole('button', { name: 'Leave the circle…' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Mute' }).count()).resolves.toBe(0);
    expect((await calls(page, 'leave_circle'))[0].args).toEqual({ circle: CIRCLE });
    await page.getByRole('button', { name: 'All circles' }).click();
    await expect(page.getByRole('list', { name: 'Your circles' }).innerText()).resolves.toMatch(/Walkers\s+no longer a member/);
  });

  it('tells every circle of a break, goes offline until then, and comes back', async () => {
    const page = await walkers('member');
    await page.getByRole('button', { name: 'All circles' }).click();
    const panel = page.getByRole('region', { name: 'Away note' });
    await panel.getByLabel('Taking a break until').fill('2020-01-01');
    await panel.getByLabel('A note (optional)').fill('Back after the move');
    await panel.getByRole('button', { name: 'Tell my circles' }).click();
    await panel.getByRole('alert').getByText('That day has passed: choose one still to come.').waitFor();
    await expect(panel.getByLabel('A note (optional)').inputValue()).resolves.toBe('Back after the move');
    expect(await calls(page, 'set_away')).toHaveLength(0);

    const until = later(12);
    await panel.getByLabel('Taking a break until').fill(until);
    await panel.getByLabel('Go offline until then').check();
    await panel.getByRole('button', { name: 'Tell my circles' }).click();
    await panel
      .getByRole('status')
      .getByText(/^Your circles \(Walkers\) will see you are taking a break until \d+ \w+ \d{4}\. Offline mode is on until then/)
      .waitFor();
    await panel.getByText(/^Taking a break until \d+ \w+ \d{4}: Back after the move$/).waitFor();
    expect((await calls(page, 'set_away'))[0].args).toEqual({ until, note: 'Back after the move', offline: true });
    const net = () => page.evaluate(() => (window as unknown as { __hearthFake: Fake }).__hearthFake.state.net);
    await expect(net()).resolves.toMatchObject({ offline: true });
    await shot(page, 'circles-away');

    await panel.getByRole('button', { name: 'I’m back' }).click();
    await panel.getByRole('status').getByText('Welcome back. Your circles no longer see an away note.').waitFor();
    expect((await calls(page, 'set_away'))[1].args).toEqual({ until: null, note: null, offline: false });
    await expect(net()).resolves.toMatchObject({ offline: false });
    await expect(panel.getByRole('button', { name: 'I’m back' }).count()).resolves.toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('sets quiet hours in the settings, refuses empty ones, and turns them off', async () => {
    const page = await openView(h, 'Settings');
    const net = page.getByRole('region', { name: 'Network and sync' });
    await net.getByText('Off: a gentle notice says when something new arrives in a circle.', { exact: false }).waitFor();
    await net.getByLabel('From').fill('21:30');
    await net.getByLabel('To').fill('21:30');
    await net.getByRole('button', { name: 'Set quiet hours' }).click();
    await net.getByRole('alert').getByText('21:30-21:30 is empty quiet hours: their start and end are the same').waitFor();
    await expect(net.getByLabel('From').inputValue()).resolves.toBe('21:30');
    await net.getByLabel('To').fill('07:15');
    await net.getByRole('button', { name: 'Set quiet hours' }).click();
    await net.getByText('21:30–07:15').waitFor();
    await expect(net.getByRole('alert').count()).resolves.toBe(0);
    const sent = await calls(page, 'set_net_config');
    expect(sent[sent.length - 1].args.config).toMatchObject({ quiet_hours: { start: 1290, end: 435 }, offline: false });
    await shot(page, 'settings-quiet-hours');
    await net.getByRole('button', { name: 'Turn off quiet hours' }).click();
    await net.getByText('Off: a gentle notice says', { exact: false }).waitFor();
    const last = (await calls(page, 'set_net_config')).pop();
    expect(last?.args.config).not.toHaveProperty('quiet_hours');
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a gentle notice of something new in a circle outside the quiet hours, and none inside', async () => {
    const page = await walkers('member');
    await page.getByRole('button', { name: 'All circles' }).click();
    const toasts = page.locator('.toasts');
    await emit(page, 'hearth://net', { kind: 'circlesChanged', circles: [CIRCLE], quiet: true });
    await page.waitForTimeout(300);
    await expect(toasts.getByText(/New in/).count()).resolves.toBe(0);
    await emit(page, 'hearth://net', { kind: 'circlesChanged', circles: [CIRCLE, 'ef'.repeat(16)], quiet: false });
    const notice = toasts.locator('.toast').filter({ hasText: 'New in “Walkers”' });
    await notice.waitFor();
    await expect(notice.innerText()).resolves.not.toMatch(/\d/);
    await shot(page, 'circles-new-notice');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect(notice.count()).resolves.toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });
});
