// Dates as the window shows them: local days, friendly labels, calendar
// grids. Pure functions, unit-tested with a fixed time zone.

/** `YYYY-MM-DD` of a moment in local time. */
export function dayKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The local midnight of a `YYYY-MM-DD` key. */
export function parseDay(key: string): Date {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(y, m - 1, d);
}

const longDay = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const shortTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "Today", "Yesterday", or the full date. */
export function dayLabel(key: string, now: Date = new Date()): string {
  const today = dayKey(now);
  const y = new Date(now);
  y.setDate(y.getDate() - 1);
  if (key === today) return 'Today';
  if (key === dayKey(y)) return 'Yesterday';
  return longDay.format(parseDay(key));
}

export function timeLabel(iso: string): string {
  return shortTime.format(new Date(iso));
}

export function fullLabel(iso: string): string {
  const d = new Date(iso);
  return `${longDay.format(d)}, ${shortTime.format(d)}`;
}

/** When something last happened, or "never" when it has not (null). */
export function lastLabel(iso: string | null): string {
  return iso ? fullLabel(iso) : 'never';
}

export interface DayGroup<T> {
  key: string;
  label: string;
  entries: T[];
}

/** Group entries (newest first) by local day, keeping their order. */
export function groupByDay<T extends { createdAt: string }>(
  entries: T[],
  now: Date = new Date(),
): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const e of entries) {
    const key = dayKey(new Date(e.createdAt));
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.entries.push(e);
    else groups.push({ key, label: dayLabel(key, now), entries: [e] });
  }
  return groups;
}

/** The value of an `<input type="datetime-local">` for a moment. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${dayKey(d)}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** An `<input type="datetime-local">` value as RFC 3339 (UTC), or null. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export interface CalendarCell {
  key: string;
  day: number;
  inMonth: boolean;
}

/** The weeks of a month's grid, Monday first, padded with neighbours' days. */
export function monthGrid(year: number, month: number): CalendarCell[][] {
  const first = new Date(year, month - 1, 1);
  const offset = (first.getDay() + 6) % 7;
  const start = new Date(year, month - 1, 1 - offset);
  const weeks: CalendarCell[][] = [];
  const cursor = new Date(start);
  do {
    const week: CalendarCell[] = [];
    for (let i = 0; i < 7; i++) {
      week.push({
        key: dayKey(cursor),
        day: cursor.getDate(),
        inMonth: cursor.getMonth() === month - 1,
      });
      cursor.setDate(cursor.getDate() + 1);
    }
    weeks.push(week);
  } while (cursor.getMonth() === month - 1);
  return weeks;
}

export function monthLabel(year: number, month: number): string {
  return new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(
    new Date(year, month - 1, 1),
  );
}

/** The month before or after. */
export function shiftMonth(year: number, month: number, by: number): { year: number; month: number } {
  const d = new Date(year, month - 1 + by, 1);
  return { year: d.getFullYear(), month: d.getMonth() + 1 };
}

/** How many years ago a moment was, in words. */
export function yearsAgo(iso: string, now: Date = new Date()): string {
  const n = now.getFullYear() - new Date(iso).getFullYear();
  return n === 1 ? 'A year ago' : `${n} years ago`;
}
