import { describe, expect, it } from 'vitest';
import { asYouType } from '../../src/lib/search';

describe('search as you type', () => {
  it('treats the word being typed as a prefix', () => {
    expect(asYouType('lighth')).toBe('lighth*');
    expect(asYouType('river walk')).toBe('river walk*');
  });

  it('leaves finished words, phrases and prefixes alone', () => {
    expect(asYouType('river ')).toBe('river');
    expect(asYouType('"felt light')).toBe('"felt light');
    expect(asYouType('"felt lighter"')).toBe('"felt lighter"');
    expect(asYouType('calm*')).toBe('calm*');
    expect(asYouType('a')).toBe('a');
    expect(asYouType('   ')).toBe('');
  });
});
