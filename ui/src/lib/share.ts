// Sharing entries with a circle, and a circle's feed as the window shows
// it: the content warning's limits (the core has the last word), the four
// supportive responses in words, how a reply and the end of the feed read,
// and taking a fresh feed into what is on screen. Pure, unit-tested.

import { bytes } from './circles';
import type { Reply } from './bindings/Reply';
import type { SharedEntry } from './bindings/SharedEntry';
import type { Support } from './bindings/Support';

/** The longest content warning, in bytes (the core's WARNING_MAX). */
export const WARNING_MAX = 100;

/** The supportive responses, in the core's order, with how they read
 *  (the core's Support::words). */
export const SUPPORTS: readonly { value: Support; words: string }[] = [
  { value: 'hear-you', words: 'I hear you' },
  { value: 'thinking-of-you', words: 'Thinking of you' },
  { value: 'here-for-you', words: 'Here if you need me' },
  { value: 'proud-of-you', words: 'Proud of you' },
];

/** How a supportive response reads. */
export function supportWords(s: Support): string {
  return SUPPORTS.find((x) => x.value === s)?.words ?? s;
}

/** What is wrong with a content warning (after trimming, as the core
 *  does), or null when it may be sent; an empty one means none. */
export function checkWarning(text: string): string | null {
  const w = text.trim();
  if (/[\r\n]/.test(w)) return 'A content warning is one line.';
  if (bytes(w) > WARNING_MAX) {
    return `The content warning is ${bytes(w)} bytes; it may hold ${WARNING_MAX}. Shorten it a little.`;
  }
  return null;
}

/** The warning to send: trimmed, or null for none. */
export function warningOf(text: string): string | null {
  return text.trim() || null;
}

/** A reply as it reads: who wrote it ("You" for the person) and what
 *  they said (their words, or the supportive response's). */
export function replyLine(r: Reply): { who: string; said: string } {
  return {
    who: r.you ? 'You' : r.author,
    said: r.text ?? (r.support ? supportWords(r.support) : ''),
  };
}

/** Who shared an entry, as its byline begins. */
export function byline(e: SharedEntry): string {
  return e.you ? 'You' : e.author;
}

/** The line after the feed's last entry: there is nothing more. */
export function endLine(onlyNew: boolean, empty: boolean): string {
  if (onlyNew) {
    return empty ? 'Nothing new since your last visit.' : 'That is everything new since your last visit.';
  }
  return empty ? 'Nothing is shared with this circle yet.' : 'That is everything shared with this circle.';
}

/** What sharing did, as one sentence. */
export function sharedLine(circle: string, warning: string | null): string {
  const behind = warning ? ` behind the content warning “${warning}”` : '';
  return `Shared with “${circle}”${behind}. Your later edits to it reach the circle too, until you stop sharing.`;
}

/** What unsharing did, as one sentence. */
export function unsharedLine(circle: string): string {
  return `Stopped sharing with “${circle}”. Members’ apps no longer show it; what they already received cannot be recalled.`;
}

/**
 * Take a feed just read into the entries on screen. Showing everything,
 * the fresh list is the whole truth. Showing what is new, the fresh list
 * holds only what changed since the previous read (which recorded a
 * visit), so what is on screen stays: entries read again replace theirs,
 * and those new to the screen come first, in the feed's order.
 */
export function takeFeed(shown: SharedEntry[], fresh: SharedEntry[], onlyNew: boolean): SharedEntry[] {
  if (!onlyNew) return fresh;
  const again = new Map(fresh.map((e) => [e.id, e]));
  const kept = shown.map((e) => again.get(e.id) ?? e);
  const known = new Set(shown.map((e) => e.id));
  return [...fresh.filter((e) => !known.has(e.id)), ...kept];
}

/** One entry on screen after the person replied to it: the reply added
 *  at the end of its thread. */
export function withReply(entries: SharedEntry[], id: string, reply: Reply): SharedEntry[] {
  return entries.map((e) => (e.id === id ? { ...e, replies: [...e.replies, reply] } : e));
}
