// Tags and feelings as people type them: one word each, separated by commas
// or spaces, without a leading # or @, no repeats (ignoring case).

export function parseWords(input: string): string[] {
  const out: string[] = [];
  for (const raw of input.split(/[\s,]+/)) {
    const w = raw.replace(/^[#@]+/, '').trim();
    if (w && !out.some((o) => o.toLowerCase() === w.toLowerCase())) out.push(w);
  }
  return out;
}

/** Add or remove a word (ignoring case), keeping the order. */
export function toggleWord(list: string[], word: string): string[] {
  const has = list.some((w) => w.toLowerCase() === word.toLowerCase());
  return has ? list.filter((w) => w.toLowerCase() !== word.toLowerCase()) : [...list, word];
}
