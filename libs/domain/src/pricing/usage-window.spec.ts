import { usageWindow } from './usage-window';

const d = (text: string) => new Date(text);
const iso = (value: Date) => value.toISOString();

describe('usageWindow', () => {
  const march = { periodStart: d('2026-03-01T00:00:00Z'), periodEnd: d('2026-04-01T00:00:00Z') };

  it('keeps a period inside the subscription as is', () => {
    const result = usageWindow({ ...march, subscriptionStart: d('2026-01-01T00:00:00Z') });
    expect(result.ok && [iso(result.start), iso(result.end), result.billable]).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', true]);
  });

  it('clips a period overlapping the start to the start', () => {
    const result = usageWindow({ ...march, subscriptionStart: d('2026-03-10T12:00:00Z') });
    expect(result.ok && [iso(result.start), iso(result.end)]).toEqual(['2026-03-10T12:00:00.000Z', '2026-04-01T00:00:00.000Z']);
  });

  it.each(['2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z'])('refuses a period entirely before a start of %s', (start) => {
    const result = usageWindow({ ...march, subscriptionStart: d(start) });
    expect(result.ok === false && result.code).toBe('period_before_subscription_start');
  });

  it.each([
    ['2026-04-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'],
  ])('refuses an empty or inverted period %s → %s', (periodStart, periodEnd) => {
    const result = usageWindow({ periodStart: d(periodStart), periodEnd: d(periodEnd), subscriptionStart: d('2026-01-01T00:00:00Z') });
    expect(result).toEqual({ ok: false, code: 'invalid_period', message: expect.stringContaining('must be after period_start') });
  });

  it.each([
    ['2026-03-15T00:00:00Z', '2026-03-15T00:00:00.000Z', true], // inside: usage stops there
    ['2026-05-01T00:00:00Z', '2026-04-01T00:00:00.000Z', true], // after: no effect
    ['2026-04-01T00:00:00Z', '2026-04-01T00:00:00.000Z', true], // at the end: no effect
    ['2026-03-01T00:00:00Z', '2026-03-01T00:00:00.000Z', false], // at the start: nothing billed
    ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00.000Z', false], // before: nothing billed
  ])('stops at a cancellation at %s → end %s, billable %s', (canceledAt, end, billable) => {
    const result = usageWindow({ ...march, subscriptionStart: d('2026-01-01T00:00:00Z'), canceledAt: d(canceledAt) });
    expect(result.ok && [iso(result.end), result.billable]).toEqual([end, billable]);
  });

  it('clips both ends at once', () => {
    const result = usageWindow({
      ...march,
      subscriptionStart: d('2026-03-05T00:00:00Z'),
      canceledAt: d('2026-03-20T00:00:00Z'),
    });
    expect(result.ok && [iso(result.start), iso(result.end)]).toEqual(['2026-03-05T00:00:00.000Z', '2026-03-20T00:00:00.000Z']);
  });
});
