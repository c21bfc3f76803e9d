// A passphrase strength hint: a rough guess at how hard it is to guess,
// told in words. It never blocks; it only advises.

export interface Strength {
  /** 0 (very weak) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  hint: string;
}

const COMMON = [
  'password', 'passwort', 'qwerty', 'letmein', 'welcome', 'iloveyou', 'admin', 'monkey',
  'dragon', 'sunshine', 'princess', 'football', 'baseball', 'abc123', '123456', 'hearth',
];

/** Estimated bits of entropy, after penalties for the usual patterns. */
export function entropyBits(p: string): number {
  if (!p) return 0;
  let pool = 0;
  if (/[a-z]/.test(p)) pool += 26;
  if (/[A-Z]/.test(p)) pool += 26;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(p)) pool += 33;
  // Repeated characters add little.
  const unique = new Set(p).size;
  const effective = Math.min(p.length, unique * 2);
  let bits = effective * Math.log2(Math.max(pool, 2));
  const lower = p.toLowerCase();
  if (COMMON.some((w) => lower.includes(w))) bits -= 20;
  if (/^(.)\1+$/.test(p)) bits = Math.min(bits, 4);
  if (/(0123|1234|2345|3456|4567|5678|6789|abcd|bcde|qwer|asdf)/i.test(p)) bits -= 10;
  // Several words separated by spaces or dashes are easy to remember and hard to guess.
  const words = p.trim().split(/[\s\-_.]+/).filter((w) => w.length >= 3);
  if (words.length >= 4) bits += 10;
  return Math.max(0, bits);
}

export function strength(p: string): Strength {
  if (p.length === 0) {
    return { score: 0, label: 'Empty', hint: 'Choose a passphrase only you would think of.' };
  }
  const bits = entropyBits(p);
  if (p.length < 8 || bits < 28) {
    return {
      score: 0,
      label: 'Very weak',
      hint: 'Easy to guess. Try four or more unrelated words, like a short sentence only you would write.',
    };
  }
  if (bits < 40) {
    return { score: 1, label: 'Weak', hint: 'Add another word or two: length matters more than symbols.' };
  }
  if (bits < 55) {
    return { score: 2, label: 'Fair', hint: 'Getting there. One more unusual word would make it much stronger.' };
  }
  if (bits < 70) {
    return { score: 3, label: 'Good', hint: 'A good passphrase. Make sure you can remember it.' };
  }
  return { score: 4, label: 'Strong', hint: 'Strong. Make sure you can remember it.' };
}
