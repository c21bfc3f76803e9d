// Tags and feelings as people type them, by the core's rule
// (hearth-core entry.rs normalize_words): commas separate them; each may
// hold letters, digits, spaces inside and - _ / ' . & +; a leading # or @
// is dropped, runs of spaces become one; no repeats (ignoring case).

/** The punctuation a tag or feeling may hold besides letters, digits and spaces. */
export const WORD_PUNCTUATION = "-_/'.&+";

/** The longest tag or feeling, in characters. */
export const WORD_MAX = 100;

/** One tag as the core keeps it: trimmed, without a leading # or @, runs
 *  of spaces made one. */
export function cleanWord(raw: string): string {
  return raw.trim().replace(/^[#@]+/, '').trim().split(/\s+/).filter(Boolean).join(' ');
}

export function parseWords(input: string): string[] {
  const out: string[] = [];
  for (const raw of input.split(/[,\n]+/)) {
    const w = cleanWord(raw);
    if (w && !out.some((o) => o.toLowerCase() === w.toLowerCase())) out.push(w);
  }
  return out;
}

/** Why the core would refuse `word` as a tag (or `what`), or null. */
export function wordProblem(word: string, what = 'tag'): string | null {
  for (const c of word) {
    if (!/[\p{Alphabetic}\p{N} ]/u.test(c) && !WORD_PUNCTUATION.includes(c)) {
      return `A ${what} holds letters, digits, spaces and - _ / ' . & +, not “${c}”.`;
    }
  }
  if ([...word].length > WORD_MAX) return `A ${what} is at most ${WORD_MAX} characters.`;
  return null;
}

/** Add or remove a word (ignoring case), keeping the order. */
export function toggleWord(list: string[], word: string): string[] {
  const has = list.some((w) => w.toLowerCase() === word.toLowerCase());
  return has ? list.filter((w) => w.toLowerCase() !== word.toLowerCase()) : [...list, word];
}
