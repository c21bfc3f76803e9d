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
