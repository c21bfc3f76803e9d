// Moods in words, and the mood chart's arithmetic: averages per week or
// month, and the geometry of the SVG line. Pure, unit-tested.

import { dayKey, parseDay } from './dates';

export const MOODS = [
  { value: 1, label: 'Very low' },
  { value: 2, label: 'Low' },
  { value: 3, label: 'Okay' },
  { value: 4, label: 'Good' },
  { value: 5, label: 'Very good' },
] as const;

export function moodLabel(m: number | null | undefined): string {
  if (m == null) return 'No mood';
  return MOODS[Math.min(5, Math.max(1, Math.round(m))) - 1].label;
}

export type Unit = 'day' | 'week' | 'month';

export interface Bucket {
  /** The first day of the bucket, `YYYY-MM-DD`. */
  start: string;
  label: string;
  /** Average mood, or null when no day in it had one. */
  average: number | null;
}

/** The first day of the week (Monday) or month holding `d`. */
export function bucketStart(d: Date, unit: Unit): Date {
  const s = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  if (unit === 'week') s.setDate(s.getDate() - ((s.getDay() + 6) % 7));
  if (unit === 'month') s.setDate(1);
  return s;
}

function next(d: Date, unit: Unit): Date {
  const n = new Date(d);
  if (unit === 'day') n.setDate(n.getDate() + 1);
  if (unit === 'week') n.setDate(n.getDate() + 7);
  if (unit === 'month') n.setMonth(n.getMonth() + 1);
  return n;
}

const fmtDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const fmtMonth = new Intl.DateTimeFormat(undefined, { month: 'short', year: '2-digit' });

/**
 * Average daily moods into buckets from `from` to `to` (inclusive), every
 * bucket present, empty ones with a null average. A bucket's average is the
 * mean of its days' averages, so one busy day does not outweigh the rest.
 */
export function buckets(
  points: { date: string; average: number }[],
  unit: Unit,
  from: Date,
  to: Date,
): Bucket[] {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const p of points) {
    const k = dayKey(bucketStart(parseDay(p.date), unit));
    const s = sums.get(k) ?? { sum: 0, n: 0 };
    s.sum += p.average;
    s.n += 1;
    sums.set(k, s);
  }
  const out: Bucket[] = [];
  for (let d = bucketStart(from, unit); d <= to; d = next(d, unit)) {
    const k = dayKey(d);
    const s = sums.get(k);
    out.push({
      start: k,
      label: unit === 'month' ? fmtMonth.format(d) : fmtDay.format(d),
      average: s ? s.sum / s.n : null,
    });
  }
  return out;
}

export interface ChartPoint {
  x: number;
  y: number;
  bucket: Bucket;
}

/**
 * Where each bucket with a mood sits in a `width` x `height` plot (mood 5 at
 * the top), the line through neighbouring buckets (`path`), and the dashed
 * bridges across empty buckets (`bridges`), so a sparse chart still reads
 * as one line without pretending the gaps had data.
 */
export function geometry(
  bs: Bucket[],
  width: number,
  height: number,
): { points: ChartPoint[]; path: string; bridges: string } {
  const step = bs.length > 1 ? width / (bs.length - 1) : 0;
  const y = (m: number) => height - ((m - 1) / 4) * height;
  const points: ChartPoint[] = [];
  const at = (p: ChartPoint) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;
  let path = '';
  let bridges = '';
  let prev: { p: ChartPoint; i: number } | null = null;
  bs.forEach((b, i) => {
    if (b.average == null) return;
    const p = { x: bs.length > 1 ? i * step : width / 2, y: y(b.average), bucket: b };
    points.push(p);
    if (prev && prev.i === i - 1) path += `L${at(p)} `;
    else {
      if (prev) bridges += `M${at(prev.p)} L${at(p)} `;
      path += `M${at(p)} `;
    }
    prev = { p, i };
  });
  return { points, path: path.trim(), bridges: bridges.trim() };
}
