import { parseEventInstant } from '@abaxus/usage-events/event-timestamp';
import { histogramSize, histogramSpans, planPeriod, Span } from './usage-window';

const span = (start: string, end: string): Span => ({ start: parseEventInstant(start)!, end: parseEventInstant(end)! });
const iso = (spans: Span[]) => spans.map((s) => [s.start.iso, s.end.iso]);

describe('planPeriod', () => {
  it('reads an hour-aligned period from buckets only', () => {
    const plan = planPeriod(span('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'));
    expect([new Date(plan.fromHour).toISOString(), new Date(plan.toHour).toISOString(), plan.edges]).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
      [],
    ]);
  });

  it('reads the partial hours at both edges from events', () => {
    const plan = planPeriod(span('2026-03-17T10:30:00Z', '2026-03-17T13:00:00.000001Z'));
    expect(new Date(plan.fromHour).toISOString()).toBe('2026-03-17T11:00:00.000Z');
    expect(new Date(plan.toHour).toISOString()).toBe('2026-03-17T13:00:00.000Z');
    expect(iso(plan.edges)).toEqual([
      ['2026-03-17T10:30:00.000Z', '2026-03-17T11:00:00.000Z'],
      ['2026-03-17T13:00:00.000Z', '2026-03-17T13:00:00.000001Z'],
    ]);
  });

  it('reads a period inside one hour, or spanning no whole hour, from events only', () => {
    expect(planPeriod(span('2026-03-17T10:15:00Z', '2026-03-17T10:45:00Z')).edges).toHaveLength(1);
    const across = planPeriod(span('2026-03-17T10:15:00Z', '2026-03-17T11:45:00Z'));
    expect(across.toHour - across.fromHour).toBe(0);
    expect(iso(across.edges)).toEqual([['2026-03-17T10:15:00.000Z', '2026-03-17T11:45:00.000Z']]);
  });

  it('treats a start a microsecond past the hour as not aligned', () => {
    const plan = planPeriod(span('2026-03-17T10:00:00.000001Z', '2026-03-17T12:00:00Z'));
    expect(new Date(plan.fromHour).toISOString()).toBe('2026-03-17T11:00:00.000Z');
    expect(iso(plan.edges)).toEqual([['2026-03-17T10:00:00.000001Z', '2026-03-17T11:00:00.000Z']]);
  });
});

describe('histogramSpans', () => {
  it('cuts UTC days, clipping the first and last to the period', () => {
    const period = span('2026-03-16T12:00:00Z', '2026-03-18T06:00:00Z');
    expect(iso(histogramSpans(period, 'day'))).toEqual([
      ['2026-03-16T12:00:00.000Z', '2026-03-17T00:00:00.000Z'],
      ['2026-03-17T00:00:00.000Z', '2026-03-18T00:00:00.000Z'],
      ['2026-03-18T00:00:00.000Z', '2026-03-18T06:00:00.000Z'],
    ]);
    expect(histogramSize(period, 'day')).toBe(3);
  });

  it('gives one bucket per hour of an aligned period, and counts them without building them', () => {
    const period = span('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(histogramSpans(period, 'hour')).toHaveLength(744);
    expect(histogramSize(period, 'hour')).toBe(744);
  });
});
