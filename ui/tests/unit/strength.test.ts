import { describe, expect, it } from 'vitest';
import { entropyBits, strength } from '../../src/lib/strength';

describe('passphrase strength', () => {
  it('calls short and common passphrases weak', () => {
    expect(strength('').score).toBe(0);
    expect(strength('abc').score).toBe(0);
    expect(strength('password1').score).toBe(0);
    expect(strength('aaaaaaaaaaaaaaaa').score).toBe(0);
  });

  it('rewards length and several words', () => {
    expect(strength('river lantern copper moth').score).toBeGreaterThanOrEqual(3);
    expect(strength('Walk-by-the-grey-river-at-dusk').score).toBe(4);
    expect(entropyBits('river lantern copper moth')).toBeGreaterThan(entropyBits('river'));
  });

  it('always gives a hint', () => {
    for (const p of ['', 'x', 'correct horse battery staple']) expect(strength(p).hint.length).toBeGreaterThan(10);
  });
});
