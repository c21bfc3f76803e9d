// Search as you type: the word still being typed matches as a prefix
// ("lighth" finds "lighthouse"), in the core's query language (words,
// prefix*, "a phrase").

export function asYouType(text: string): string {
  const t = text.trimStart();
  if (!t || /[\s"*]$/.test(t)) return t.trim();
  // Inside an open phrase: leave it as typed.
  if ((t.match(/"/g) ?? []).length % 2 === 1) return t;
  const last = t.split(/\s+/).pop() ?? '';
  return /^[\p{L}\p{N}]/u.test(last) && last.length >= 2 ? `${t}*` : t;
}
