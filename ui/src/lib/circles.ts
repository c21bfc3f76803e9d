// A new circle's form against the limits the core enforces (the core has
// the last word: it also refuses control characters), and how a role reads.

import type { CircleInput } from './bindings/CircleInput';
import type { Away } from './bindings/Away';
import type { CircleRole } from './bindings/CircleRole';

/** The longest name and "how you appear", in bytes of UTF-8. */
export const NAME_MAX = 100;
/** The longest purpose, in bytes. */
export const ABOUT_MAX = 2000;
/** The longest agreements, in bytes. */
export const AGREEMENTS_MAX = 16384;

export type CircleField = keyof CircleInput;
export type CircleErrors = Partial<Record<CircleField, string>>;

const encoder = new TextEncoder();

/** The size of a text as the core measures it (UTF-8 bytes). */
export function bytes(text: string): number {
  return encoder.encode(text).length;
}

const thousands = (n: number) => n.toLocaleString('en-GB');

function tooLong(what: string, text: string, max: number): string {
  return `${what} is ${thousands(bytes(text))} bytes; it may hold ${thousands(max)} (letters with accents and emoji take more than one). Shorten it a little.`;
}

/** What is wrong with each field, after trimming as the core does. */
export function checkCircle(form: CircleInput): CircleErrors {
  const errors: CircleErrors = {};
  const name = form.name.trim();
  const as = form.asName.trim();
  if (!name) errors.name = 'Give the circle a name.';
  else if (bytes(name) > NAME_MAX) errors.name = tooLong('The name', name, NAME_MAX);
  if (!as) errors.asName = 'Say how you appear to the circle: the name its members will see.';
  else if (bytes(as) > NAME_MAX) errors.asName = tooLong('How you appear', as, NAME_MAX);
  const about = form.about.trim();
  if (bytes(about) > ABOUT_MAX) errors.about = tooLong('The purpose', about, ABOUT_MAX);
  const agreements = form.agreements.trim();
  if (bytes(agreements) > AGREEMENTS_MAX) errors.agreements = tooLong('The agreements', agreements, AGREEMENTS_MAX);
  return errors;
}

/** The field a refusal from the core is about, from how its message
 *  begins; null when it is about none of them. */
export function fieldOf(message: string): CircleField | null {
  const m = message.toLowerCase();
  if (m.startsWith("a circle's name")) return 'name';
  if (m.startsWith('how you appear')) return 'asName';
  if (m.startsWith('what the circle is for')) return 'about';
  if (m.startsWith('the agreements')) return 'agreements';
  return null;
}

/** A role, as a few words after a name. */
export function roleLabel(role: CircleRole | null): string {
  switch (role) {
    case 'owner':
      return 'owner';
    case 'admin':
      return 'admin';
    case 'member':
      return 'member';
    default:
      return 'no longer a member';
  }
}

/** The person's own role, as a sentence. */
export function yourRole(role: CircleRole | null): string {
  switch (role) {
    case 'owner':
      return 'You own this circle.';
    case 'admin':
      return 'You are an admin of this circle.';
    case 'member':
      return 'You are a member of this circle.';
    default:
      return 'You are no longer in this circle.';
  }
}

/** Whether the person may invite people into a circle with this role. */
export function mayInvite(role: CircleRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

/** A circle invitation's last moment, in words: "until 19:40 today",
 *  "until 19:40 tomorrow", or "until 3 Mar at 19:40". */
export function until(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const key = (x: Date) => `${x.getFullYear()}-${x.getMonth()}-${x.getDate()}`;
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (key(d) === key(now)) return `until ${clock} today`;
  if (key(d) === key(tomorrow)) return `until ${clock} tomorrow`;
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' }).format(d);
  return `until ${day} at ${clock}`;
}

/** What joining did, as one sentence for the list's status line. */
export function joinedLine(joined: { joined: boolean; circle: { name: string } | null; syncError: string | null }): string {
  if (!joined.joined || !joined.circle) return 'You did not join; nothing was changed.';
  const line = `You joined “${joined.circle.name}”.`;
  return joined.syncError
    ? `${line} Taking in the circle failed (${joined.syncError}); the next sync finishes it.`
    : line;
}

/** Whether the person looks after the circle (promotes, demotes, removes,
 *  reads reports). */
export function isAdmin(role: CircleRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

const day = (when: string | Date) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(when));

/** A member's away note, as one line. */
export function awayLine(away: Away): string {
  const line = `Taking a break until ${day(away.until)}`;
  return away.note ? `${line}: ${away.note}` : line;
}

/** What setting an away note did, in words. */
export function awaySetLine(told: string[], until: Date, offline: boolean): string {
  const when = day(until);
  const circles =
    told.length === 0
      ? 'You are in no circle, so nobody needed telling.'
      : `Your circles (${told.join(', ')}) will see you are taking a break until ${when}.`;
  return offline ? `${circles} Offline mode is on until then; “I’m back” ends it sooner.` : circles;
}

/** A day still to come as the date field gives it (YYYY-MM-DD), or why
 *  not; null when it is fine. */
export function checkAwayDate(text: string, now: Date = new Date()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) return 'Choose the day you expect to be back.';
  const at = localDate(text);
  if (at.getTime() <= now.getTime()) return 'That day has passed: choose one still to come.';
  return null;
}

/** The local midnight a date field's YYYY-MM-DD names. */
export function localDate(text: string): Date {
  const [y, m, d] = text.trim().split('-').map(Number);
  return new Date(y, m - 1, d);
}

/** A notice for new things in circles (their names), without counts:
 *  "New in “Walkers”", "New in “Walkers” and “Owls”". */
export function newIn(names: string[]): string {
  const q = names.map((n) => `“${n}”`);
  if (q.length <= 1) return `New in ${q[0] ?? 'your circles'}`;
  return `New in ${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** Minutes after midnight from an HH:MM time field; null when empty or
 *  not a time. */
export function minutesOf(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Minutes after midnight as HH:MM. */
export function hhmm(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
