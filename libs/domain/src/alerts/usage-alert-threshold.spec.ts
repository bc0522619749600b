import Big from 'big.js';
import { parseAlertThreshold, reachedThreshold, thresholdToJson } from './usage-alert-threshold';
import { calendarMonthPeriod } from './alert-period';

describe('usage alert thresholds', () => {
  it('reads a usage or an amount threshold, as decimal strings or exact numbers', () => {
    const usage = parseAlertThreshold({ usage: '100000' });
    expect(usage.ok && thresholdToJson(usage.threshold)).toEqual({ usage: '100000' });
    const amount = parseAlertThreshold({ amount: 500, currency: 'EUR' });
    expect(amount.ok && thresholdToJson(amount.threshold)).toEqual({ amount: '500', currency: 'EUR' });
    const noCurrency = parseAlertThreshold({ amount: '0.50' });
    expect(noCurrency.ok && thresholdToJson(noCurrency.threshold)).toEqual({ amount: '0.5' });
  });

  it('names every problem at its field', () => {
    const fields = (input: unknown) => {
      const result = parseAlertThreshold(input);
      return result.ok ? [] : result.errors.map((error) => error.field);
    };
    expect(fields(undefined)).toEqual(['threshold']);
    expect(fields({})).toEqual(['threshold']);
    expect(fields({ usage: '1', amount: '1' })).toEqual(['threshold']);
    expect(fields({ usage: '0' })).toEqual(['threshold.usage']);
    expect(fields({ usage: 0.1 + 0.2 })).toEqual(['threshold.usage']);
    expect(fields({ amount: '-5' })).toEqual(['threshold.amount']);
    expect(fields({ amount: '5', currency: 'XYZ' })).toEqual(['threshold.currency']);
    expect(fields({ usage: '5', currency: 'USD' })).toEqual(['threshold.currency']);
    expect(fields({ usage: '5', filters: {} })).toEqual(['threshold.filters']);
  });

  it('is reached at or above the threshold, never below', () => {
    const usage = parseAlertThreshold({ usage: '100' });
    if (!usage.ok) throw new Error('parse');
    expect(reachedThreshold(usage.threshold, { usage: new Big('99.999') })).toBeNull();
    expect(reachedThreshold(usage.threshold, { usage: new Big('100') })).toEqual({ value: new Big('100'), currency: null });
    expect(reachedThreshold(usage.threshold, {})).toBeNull();
  });

  it('compares an amount in its own currency, or in any currency the customer is billed in', () => {
    const inEur = parseAlertThreshold({ amount: '50', currency: 'EUR' });
    const anyCurrency = parseAlertThreshold({ amount: '50' });
    if (!inEur.ok || !anyCurrency.ok) throw new Error('parse');
    const totals = new Map([
      ['USD', new Big('75.10')],
      ['EUR', new Big('49.99')],
    ]);
    expect(reachedThreshold(inEur.threshold, { totals })).toBeNull();
    expect(reachedThreshold(anyCurrency.threshold, { totals })).toEqual({ value: new Big('75.10'), currency: 'USD' });
    expect(reachedThreshold(inEur.threshold, { totals: new Map([['EUR', new Big('50')]]) })).toEqual({ value: new Big('50'), currency: 'EUR' });
  });
});

describe('alert periods', () => {
  it('is the UTC calendar month of the instant, half-open', () => {
    expect(calendarMonthPeriod(new Date('2026-03-17T14:00:00Z'))).toEqual({ start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') });
    expect(calendarMonthPeriod(new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
    expect(calendarMonthPeriod(new Date('2026-04-01T00:00:00Z')).start).toEqual(new Date('2026-04-01T00:00:00Z'));
  });
});
