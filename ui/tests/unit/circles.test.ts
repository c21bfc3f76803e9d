import { describe, expect, it } from 'vitest';
import { ABOUT_MAX, AGREEMENTS_MAX, bytes, checkCircle, fieldOf, roleLabel, yourRole } from '../../src/lib/circles';

const form = (over: Partial<Record<'name' | 'about' | 'agreements' | 'asName', string>> = {}) => ({
  name: 'Sunday walkers',
  about: '',
  agreements: '',
  asName: 'Fern',
  ...over,
});

describe('a new circle', () => {
  it('needs a name and how you appear, and nothing else', () => {
    expect(checkCircle(form())).toEqual({});
    const e = checkCircle(form({ name: '   ', asName: '' }));
    expect(Object.keys(e).sort()).toEqual(['asName', 'name']);
  });

  it('counts bytes as the core does, after trimming', () => {
    expect(bytes('é')).toBe(2);
    expect(checkCircle(form({ name: `  ${'x'.repeat(100)}  ` }))).toEqual({});
    expect(checkCircle(form({ name: 'é'.repeat(51) })).name).toMatch(/^The name is 102 bytes; it may hold 100/);
    expect(checkCircle(form({ asName: 'y'.repeat(101) })).asName).toMatch(/^How you appear is 101 bytes/);
    expect(checkCircle(form({ about: 'a'.repeat(ABOUT_MAX) }))).toEqual({});
    expect(checkCircle(form({ about: 'a'.repeat(ABOUT_MAX + 1) })).about).toMatch(/2,001 bytes; it may hold 2,000/);
    expect(checkCircle(form({ agreements: 'a'.repeat(AGREEMENTS_MAX + 1) })).agreements).toMatch(/16,384/);
  });

  it('places the core’s refusals on their field', () => {
    expect(fieldOf("a circle's name is one line of 1 to 100 bytes; nothing was changed")).toBe('name');
    expect(fieldOf('how you appear to the circle is one line of 1 to 100 bytes; nothing was changed')).toBe('asName');
    expect(fieldOf('what the circle is for is 2100 bytes, over the 2000 it may hold; nothing was changed')).toBe('about');
    expect(fieldOf('the agreements are 17000 bytes, over the 16384 they may hold; nothing was changed')).toBe('agreements');
    expect(fieldOf('the journal is locked: unlock it with your passphrase')).toBeNull();
  });

  it('says roles plainly', () => {
    expect(roleLabel('owner')).toBe('owner');
    expect(roleLabel(null)).toBe('no longer a member');
    expect(yourRole('member')).toBe('You are a member of this circle.');
  });
});

describe('inviting and joining', () => {
  it('lets owners and admins invite', async () => {
    const { mayInvite } = await import('../../src/lib/circles');
    expect([mayInvite('owner'), mayInvite('admin'), mayInvite('member'), mayInvite(null)]).toEqual([true, true, false, false]);
  });

  it('says until when an invitation works', async () => {
    const { until } = await import('../../src/lib/circles');
    const now = new Date(2026, 5, 1, 19, 5);
    expect(until(new Date(2026, 5, 1, 23, 40).toISOString(), now)).toBe('until 23:40 today');
    expect(until(new Date(2026, 5, 2, 19, 5).toISOString(), now)).toBe('until 19:05 tomorrow');
    expect(until(new Date(2026, 5, 4, 7, 0).toISOString(), now)).toBe('until 4 Jun at 07:00');
  });

  it('says what joining did', async () => {
    const { joinedLine } = await import('../../src/lib/circles');
    expect(joinedLine({ joined: false, circle: null, syncError: null })).toBe('You did not join; nothing was changed.');
    const circle = { id: 'ab'.repeat(16), name: 'Night owls', role: 'member' as const };
    expect(joinedLine({ joined: true, circle, syncError: null })).toBe('You joined “Night owls”.');
    expect(joinedLine({ joined: true, circle, syncError: 'timed out' })).toBe(
      'You joined “Night owls”. Taking in the circle failed (timed out); the next sync finishes it.',
    );
  });
});
