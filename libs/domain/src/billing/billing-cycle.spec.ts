import { currentPeriod, cycleBoundary, cycleContaining, cyclesOverlapping, nextCycleEnd } from './billing-cycle';

const d = (iso: string) => new Date(iso);
const boundaries = (anchor: string, interval: 'day' | 'week' | 'month' | 'year', count: number) =>
  Array.from({ length: count }, (_, k) => cycleBoundary(d(anchor), interval, k).toISOString());

describe('billing cycles', () => {
  it('monthly from Jan 31 falls on the last day of shorter months and comes back to the 31st', () => {
    expect(boundaries('2026-01-31T10:00:00Z', 'month', 5)).toEqual([
      '2026-01-31T10:00:00.000Z',
      '2026-02-28T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-04-30T10:00:00.000Z',
      '2026-05-31T10:00:00.000Z',
    ]);
    expect(boundaries('2028-01-31T00:00:00Z', 'month', 3)[1]).toBe('2028-02-29T00:00:00.000Z');
  });

  it('monthly from the 29th and 30th', () => {
    expect(boundaries('2026-01-29T00:00:00Z', 'month', 3)).toEqual(['2026-01-29T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-29T00:00:00.000Z']);
    expect(boundaries('2026-12-30T00:00:00Z', 'month', 4)).toEqual([
      '2026-12-30T00:00:00.000Z',
      '2027-01-30T00:00:00.000Z',
      '2027-02-28T00:00:00.000Z',
      '2027-03-30T00:00:00.000Z',
    ]);
  });

  it('yearly from Feb 29 falls on Feb 28 in common years and Feb 29 in leap years', () => {
    expect(boundaries('2024-02-29T12:00:00Z', 'year', 5)).toEqual([
      '2024-02-29T12:00:00.000Z',
      '2025-02-28T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2027-02-28T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
    ]);
  });

  it('weekly and daily add exact days in UTC', () => {
    expect(boundaries('2026-03-05T08:30:00Z', 'week', 3)).toEqual(['2026-03-05T08:30:00.000Z', '2026-03-12T08:30:00.000Z', '2026-03-19T08:30:00.000Z']);
    expect(boundaries('2026-12-31T23:00:00Z', 'day', 3)).toEqual(['2026-12-31T23:00:00.000Z', '2027-01-01T23:00:00.000Z', '2027-01-02T23:00:00.000Z']);
  });

  it('finds the cycle holding an instant, boundaries belonging to the cycle they start', () => {
    const anchor = d('2026-01-31T00:00:00Z');
    expect(cycleContaining(anchor, 'month', d('2026-02-28T00:00:00Z'))).toEqual({ index: 1, start: d('2026-02-28T00:00:00Z'), end: d('2026-03-31T00:00:00Z') });
    expect(cycleContaining(anchor, 'month', d('2026-02-27T23:59:59.999Z')).index).toBe(0);
    expect(cycleContaining(anchor, 'month', d('2027-01-30T00:00:00Z'))).toMatchObject({ index: 11, start: d('2026-12-31T00:00:00Z') });
    expect(cycleContaining(d('2024-02-29T00:00:00Z'), 'year', d('2025-02-28T00:00:00Z')).index).toBe(1);
    expect(cycleContaining(d('2024-02-29T00:00:00Z'), 'year', d('2025-02-27T23:00:00Z')).index).toBe(0);
    expect(cycleContaining(d('2026-01-01T00:00:00Z'), 'week', d('2026-01-15T00:00:00Z'))).toMatchObject({ index: 2, start: d('2026-01-15T00:00:00Z') });
  });

  it('every instant lies in exactly one cycle, cycles back to back', () => {
    const anchor = d('2026-01-31T05:00:00Z');
    for (let t = Date.parse('2026-01-31T05:00:00Z'); t < Date.parse('2028-06-01T00:00:00Z'); t += 13 * 3_600_000 + 17_000) {
      const cycle = cycleContaining(anchor, 'month', new Date(t));
      expect(cycle.start.getTime()).toBeLessThanOrEqual(t);
      expect(cycle.end.getTime()).toBeGreaterThan(t);
      expect(cycleBoundary(anchor, 'month', cycle.index + 1)).toEqual(cycle.end);
    }
  });

  it('lists the cycles a window overlaps and the next cycle end, a cancellation cutting it short', () => {
    const anchor = d('2026-01-15T00:00:00Z');
    expect(cyclesOverlapping(anchor, 'month', d('2026-02-01T00:00:00Z'), d('2026-04-15T00:00:00Z')).map((cycle) => cycle.start.toISOString())).toEqual([
      '2026-01-15T00:00:00.000Z',
      '2026-02-15T00:00:00.000Z',
      '2026-03-15T00:00:00.000Z',
    ]);
    expect(cyclesOverlapping(anchor, 'month', d('2026-02-01T00:00:00Z'), d('2026-02-01T00:00:00Z'))).toEqual([]);
    expect(nextCycleEnd(anchor, 'month', d('2026-02-15T00:00:00Z'))).toEqual(d('2026-03-15T00:00:00Z'));
    expect(nextCycleEnd(anchor, 'month', d('2026-02-20T00:00:00Z'), d('2026-03-01T00:00:00Z'))).toEqual(d('2026-03-01T00:00:00Z'));
  });
});

describe('currentPeriod', () => {
  const anchor = d('2026-01-31T00:00:00Z');
  it('is the cycle holding now, the first one before the start, and ends at a cancellation inside it', () => {
    expect(currentPeriod(anchor, 'month', d('2026-03-05T00:00:00Z'))).toEqual({ start: d('2026-02-28T00:00:00Z'), end: d('2026-03-31T00:00:00Z') });
    expect(currentPeriod(anchor, 'month', d('2026-01-01T00:00:00Z'))).toEqual({ start: anchor, end: d('2026-02-28T00:00:00Z') });
    expect(currentPeriod(anchor, 'month', d('2026-03-05T00:00:00Z'), d('2026-03-20T00:00:00Z'))).toEqual({
      start: d('2026-02-28T00:00:00Z'),
      end: d('2026-03-20T00:00:00Z'),
    });
    expect(currentPeriod(anchor, 'month', d('2026-06-05T00:00:00Z'), d('2026-03-20T00:00:00Z'))).toEqual({
      start: d('2026-02-28T00:00:00Z'),
      end: d('2026-03-20T00:00:00Z'),
    });
  });
});
