import { describe, expect, it } from 'vitest';
import { changes, merge, type Fields } from '../../src/lib/merge';

const base: Fields = { title: 'Walk', body: 'By the river.', mood: 3, feelings: ['calm'], tags: ['walk'] };

describe('taking in another device’s version of the open entry', () => {
  it('takes every field the person did not touch from the other device', () => {
    const theirs = { ...base, mood: 5, tags: ['walk', 'river'] };
    const mine = { ...base, body: 'By the river, at dusk.' };
    const m = merge(base, mine, theirs);
    expect(m.fields).toEqual({ ...base, body: 'By the river, at dusk.', mood: 5, tags: ['walk', 'river'] });
    expect(m.both).toEqual([]);
  });

  it('keeps what the person is typing when both changed a field, and says which', () => {
    const theirs = { ...base, body: 'By the sea.', feelings: ['content'] };
    const mine = { ...base, body: 'By the river, at dusk.', feelings: ['content'] };
    const m = merge(base, mine, theirs);
    expect(m.fields.body).toBe('By the river, at dusk.');
    expect(m.fields.feelings).toEqual(['content']);
    expect(m.both).toEqual(['body']);
  });

  it('is their version when nothing changed here, and leaves the inputs alone', () => {
    const theirs = { ...base, title: 'Evening walk', mood: null };
    const mine = { ...base, feelings: [...base.feelings] };
    const m = merge(base, mine, theirs);
    expect(m.fields).toEqual(theirs);
    m.fields.feelings.push('tired');
    expect(theirs.feelings).toEqual(['calm']);
  });
});

describe('what a save of the open entry sends', () => {
  it('is only the fields the person changed, so the others stay as another device left them', () => {
    const mine = { ...base, body: 'By the river, at dusk.', mood: null, tags: ['walk', 'dusk'] };
    expect(changes(base, mine)).toEqual({ body: 'By the river, at dusk.', mood: null, tags: ['walk', 'dusk'] });
  });

  it('is nothing when every field is back as it was', () => {
    expect(changes(base, { ...base, feelings: [...base.feelings] })).toEqual({});
  });
});
