import { describe, expect, it } from 'vitest';
import {
  ABOUT_MAX,
  AGREEMENTS_MAX,
  awayLine,
  awaySetLine,
  bytes,
  checkAwayDate,
  checkCircle,
  fieldOf,
  hhmm,
  isAdmin,
  localDate,
  minutesOf,
  newIn,
  roleLabel,
  yourRole,
} from '../../src/lib/circles';

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

describe('moderation and away notes', () => {
  it('says who looks after a circle', () => {
    expect([isAdmin('owner'), isAdmin('admin'), isAdmin('member'), isAdmin(null)]).toEqual([true, true, false, false]);
  });

  it('reads an away note as one line, with or without its note', () => {
    const until = new Date(2027, 0, 10).toISOString();
    expect(awayLine({ until, note: 'Moving house' })).toBe('Taking a break until 10 January 2027: Moving house');
    expect(awayLine({ until, note: null })).toBe('Taking a break until 10 January 2027');
  });

  it('says what setting an away note did', () => {
    const until = new Date(2027, 0, 10);
    expect(awaySetLine(['Walkers', 'Owls'], until, false)).toBe(
      'Your circles (Walkers, Owls) will see you are taking a break until 10 January 2027.',
    );
    expect(awaySetLine([], until, true)).toBe(
      'You are in no circle, so nobody needed telling. Offline mode is on until then; “I’m back” ends it sooner.',
    );
  });

  it('takes a day still to come, as the date field gives it', () => {
    const now = new Date(2026, 11, 2, 15, 0);
    expect(checkAwayDate('', now)).toBe('Choose the day you expect to be back.');
    expect(checkAwayDate('10/01/2027', now)).toBe('Choose the day you expect to be back.');
    expect(checkAwayDate('2026-12-02', now)).toBe('That day has passed: choose one still to come.');
    expect(checkAwayDate('2026-12-03', now)).toBeNull();
    expect(localDate('2027-01-10').getTime()).toBe(new Date(2027, 0, 10).getTime());
  });

  it('names the circles something new arrived in, without counting', () => {
    expect(newIn(['Walkers'])).toBe('New in “Walkers”');
    expect(newIn(['Walkers', 'Owls'])).toBe('New in “Walkers” and “Owls”');
    expect(newIn(['A', 'B', 'C'])).toBe('New in “A”, “B” and “C”');
    expect(newIn([])).toBe('New in your circles');
  });

  it('reads and writes times of day for quiet hours', () => {
    expect([minutesOf('22:00'), minutesOf('08:05'), minutesOf(' 7:30 ')]).toEqual([1320, 485, 450]);
    expect([minutesOf(''), minutesOf('24:00'), minutesOf('12:60'), minutesOf('noon')]).toEqual([null, null, null, null]);
    expect([hhmm(1320), hhmm(485), hhmm(0)]).toEqual(['22:00', '08:05', '00:00']);
  });
});
