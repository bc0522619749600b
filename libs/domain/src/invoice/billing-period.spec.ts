import { deriveBillingPeriod } from './billing-period';

const iso = (d: Date) => d.toISOString();

describe('deriveBillingPeriod', () => {
  const base = { subscriptionStart: '2026-01-01T00:00:00Z', now: '2026-03-20T12:00:00Z' };

  it('starts the first invoice at the subscription start and ends at the cutoff', () => {
    const result = deriveBillingPeriod({ ...base, cutoff: '2026-02-01T00:00:00Z' });
    if (!result.ok) throw new Error(result.message);
    expect([iso(result.start), iso(result.end), iso(result.usageEnd)]).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
  });

  it('starts later invoices at the previous period end', () => {
    const result = deriveBillingPeriod({ ...base, previousPeriodEnd: '2026-02-01T00:00:00Z', cutoff: '2026-03-01T00:00:00+01:00' });
    expect(result.ok && [iso(result.start), iso(result.end)]).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-28T23:00:00.000Z']);
  });

  it('accepts Date inputs', () => {
    const result = deriveBillingPeriod({
      subscriptionStart: new Date('2026-01-01T00:00:00Z'),
      cutoff: new Date('2026-01-02T00:00:00Z'),
      now: new Date('2026-01-02T00:00:00Z'),
    });
    expect(result.ok && iso(result.end)).toBe('2026-01-02T00:00:00.000Z');
  });

  it('refuses a cutoff in the future, but accepts one equal to now', () => {
    expect(deriveBillingPeriod({ ...base, cutoff: '2026-03-20T12:00:00.001Z' })).toEqual({
      ok: false,
      code: 'cutoff_in_future',
      message: 'cutoff_date 2026-03-20T12:00:00.001Z is in the future',
    });
    expect(deriveBillingPeriod({ ...base, cutoff: '2026-03-20T12:00:00Z' }).ok).toBe(true);
  });

  it.each(['2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z', '2026-01-01T01:00:00+01:00'])('refuses a cutoff of %s, not after the period start', (cutoff) => {
    const result = deriveBillingPeriod({ ...base, cutoff });
    expect(result.ok === false && result.code).toBe('cutoff_not_after_period_start');
  });

  it('refuses a cutoff not after the previous period end', () => {
    const result = deriveBillingPeriod({ ...base, previousPeriodEnd: '2026-02-01T00:00:00Z', cutoff: '2026-01-15T00:00:00Z' });
    expect(result).toEqual({
      ok: false,
      code: 'cutoff_not_after_period_start',
      message: 'cutoff_date 2026-01-15T00:00:00.000Z must be after the period start 2026-02-01T00:00:00.000Z',
    });
  });

  it('checks the future before the start', () => {
    const result = deriveBillingPeriod({ subscriptionStart: '2026-05-01T00:00:00Z', now: base.now, cutoff: '2026-04-01T00:00:00Z' });
    expect(result.ok === false && result.code).toBe('cutoff_in_future');
  });

  it.each([
    ['2026-01-15T00:00:00Z', '2026-01-15T00:00:00.000Z'], // cancelled inside the period
    ['2026-03-01T00:00:00Z', '2026-02-01T00:00:00.000Z'], // cancelled after the cutoff
    ['2025-12-01T00:00:00Z', '2026-01-01T00:00:00.000Z'], // cancelled before the period: empty window
  ])('stops billing usage at the cancellation %s → usageEnd %s', (cancelAt, usageEnd) => {
    const result = deriveBillingPeriod({ ...base, cutoff: '2026-02-01T00:00:00Z', cancelAt });
    expect(result.ok && [iso(result.end), iso(result.usageEnd)]).toEqual(['2026-02-01T00:00:00.000Z', usageEnd]);
  });

  it('throws a TypeError for unparseable timestamps', () => {
    expect(() => deriveBillingPeriod({ ...base, cutoff: 'tomorrow' })).toThrow(TypeError);
    expect(() => deriveBillingPeriod({ ...base, cutoff: '2026-02-01T00:00:00' })).toThrow('cutoff must be an RFC 3339');
  });
});
