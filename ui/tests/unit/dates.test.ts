import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, fromLocalInput, groupByDay, lastLabel, monthGrid, shiftMonth, toLocalInput, yearsAgo } from '../../src/lib/dates';

describe('dates', () => {
  const now = new Date('2025-03-05T15:00:00Z');

  it('labels today and yesterday, else the full date', () => {
    expect(dayLabel('2025-03-05', now)).toBe('Today');
    expect(dayLabel('2025-03-04', now)).toBe('Yesterday');
    expect(dayLabel('2025-03-01', now)).toMatch(/2025/);
  });

  it('groups entries newest first by local day, keeping order', () => {
    const es = [
      { id: 'a', createdAt: '2025-03-05T10:00:00Z' },
      { id: 'b', createdAt: '2025-03-05T08:00:00Z' },
      { id: 'c', createdAt: '2025-03-04T23:59:00Z' },
      { id: 'd', createdAt: '2025-02-01T12:00:00Z' },
    ];
    const g = groupByDay(es, now);
    expect(g.map((x) => x.key)).toEqual(['2025-03-05', '2025-03-04', '2025-02-01']);
    expect(g[0].entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(g[0].label).toBe('Today');
    expect(g[1].label).toBe('Yesterday');
  });

  it('says never for what has not happened, else the full date and time', () => {
    expect(lastLabel(null)).toBe('never');
    expect(lastLabel('2025-03-05T15:00:00Z')).toMatch(/2025/);
  });

  it('round-trips datetime-local values', () => {
    const iso = '2024-03-05T21:40:00.000Z';
    expect(toLocalInput(iso)).toBe('2024-03-05T21:40');
    expect(fromLocalInput('2024-03-05T21:40')).toBe(iso);
    expect(fromLocalInput('nonsense')).toBeNull();
  });

  it('builds month grids that start on Monday and cover the month', () => {
    const weeks = monthGrid(2025, 3); // 1 March 2025 is a Saturday
    expect(weeks[0][0].key).toBe('2025-02-24');
    expect(weeks[0][5]).toMatchObject({ key: '2025-03-01', inMonth: true, day: 1 });
    const days = weeks.flat().filter((c) => c.inMonth);
    expect(days).toHaveLength(31);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });

  it('shifts months across years', () => {
    expect(shiftMonth(2025, 1, -1)).toEqual({ year: 2024, month: 12 });
    expect(shiftMonth(2024, 12, 1)).toEqual({ year: 2025, month: 1 });
  });

  it('says how long ago', () => {
    expect(yearsAgo('2024-03-05T10:00:00Z', now)).toBe('A year ago');
    expect(yearsAgo('2020-03-05T10:00:00Z', now)).toBe('5 years ago');
    expect(dayKey(new Date(2025, 0, 9))).toBe('2025-01-09');
  });
});
