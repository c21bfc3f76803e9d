import { describe, expect, it } from 'vitest';
import { bucketStart, buckets, geometry, moodLabel } from '../../src/lib/mood';
import { dayKey } from '../../src/lib/dates';

describe('mood chart', () => {
  it('starts weeks on Monday and months on the first', () => {
    expect(dayKey(bucketStart(new Date(2025, 2, 5), 'week'))).toBe('2025-03-03');
    expect(dayKey(bucketStart(new Date(2025, 2, 2), 'week'))).toBe('2025-02-24');
    expect(dayKey(bucketStart(new Date(2025, 2, 5), 'month'))).toBe('2025-03-01');
  });

  it('averages days into weeks, with empty weeks kept', () => {
    const bs = buckets(
      [
        { date: '2025-03-03', average: 2 },
        { date: '2025-03-04', average: 4 },
        { date: '2025-03-17', average: 5 },
      ],
      'week',
      new Date(2025, 2, 3),
      new Date(2025, 2, 20),
    );
    expect(bs.map((b) => [b.start, b.average])).toEqual([
      ['2025-03-03', 3],
      ['2025-03-10', null],
      ['2025-03-17', 5],
    ]);
  });

  it('draws mood 5 at the top and breaks the line at gaps', () => {
    const bs = [
      { start: 'a', label: 'a', average: 5 },
      { start: 'b', label: 'b', average: null },
      { start: 'c', label: 'c', average: 1 },
    ];
    const g = geometry(bs, 200, 100);
    expect(g.points.map((p) => [p.x, p.y])).toEqual([[0, 0], [200, 100]]);
    expect(g.path).toBe('M0.0,0.0 M200.0,100.0');
    expect(g.bridges).toBe('M0.0,0.0 L200.0,100.0');
    const joined = geometry([bs[0], bs[2]], 100, 100);
    expect(joined.path).toBe('M0.0,0.0 L100.0,100.0');
    expect(joined.bridges).toBe('');
    expect(geometry([], 10, 10).path).toBe('');
  });

  it('names moods', () => {
    expect(moodLabel(null)).toBe('No mood');
    expect(moodLabel(1)).toBe('Very low');
    expect(moodLabel(4.4)).toBe('Good');
  });
});
