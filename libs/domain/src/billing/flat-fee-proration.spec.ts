import Big from 'big.js';
import fc from 'fast-check';
import { formatAmount } from '../money/decimal';
import { BillingInterval, cycleBoundary } from './billing-cycle';
import { prorateFlatFee } from './flat-fee-proration';

const d = (iso: string) => new Date(iso);
const prorate = (fee: string, from: string, to: string, anchor = '2026-01-01T00:00:00Z', interval: BillingInterval = 'month', currency = 'USD') =>
  prorateFlatFee({ fee: new Big(fee), currency, anchor: d(anchor), interval, from: d(from), to: d(to) });

describe('prorateFlatFee', () => {
  it('charges a whole cycle in full with fraction 1, and whole cycles only as whole', () => {
    const full = prorate('29.00', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect([full.amount.toFixed(2), full.fraction.toString(), full.whole]).toEqual(['29.00', '1', true]);
    const two = prorate('29.00', '2026-02-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect([two.amount.toFixed(2), two.fraction.toString(), two.whole]).toEqual(['58.00', '2', true]);
  });

  it('charges the exact share of seconds covered: a mid-cycle start in a 30-day month', () => {
    // April has 30 days; from Apr 16 00:00 is 15 days: exactly half.
    const half = prorate('29.00', '2026-04-16T00:00:00Z', '2026-05-01T00:00:00Z');
    expect([half.amount.toFixed(2), half.fraction.toString(), half.whole]).toEqual(['14.50', '0.5', false]);
    // One day of February (28 days): 10/28 = 0.357142857142857… → 0.36.
    const day = prorate('10', '2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z');
    expect([day.amount.toFixed(2), day.fraction.toString()]).toEqual(['0.36', '0.035714285714']);
  });

  it('rounds half-up to the currency minor unit (JPY 0, KWD 3); the later half takes the remainder', () => {
    const jpy = (from: string, to: string) => prorate('1001', from, to, undefined, 'month', 'JPY').amount.toString();
    expect([jpy('2026-04-01T00:00:00Z', '2026-04-16T00:00:00Z'), jpy('2026-04-16T00:00:00Z', '2026-05-01T00:00:00Z')]).toEqual(['501', '500']);
    expect(prorate('1.001', '2026-04-01T00:00:00Z', '2026-04-16T00:00:00Z', undefined, 'month', 'KWD').amount.toString()).toBe('0.501');
  });

  it('spans several cycles: a partial, a whole and a partial one', () => {
    const result = prorate('30', '2026-04-16T00:00:00Z', '2026-06-16T00:00:00Z');
    // 15/30 of April + all of May + 15/30 of June.
    expect([formatAmount(result.amount, 'USD'), result.fraction.toString(), result.whole]).toEqual(['60.00', '2', false]);
  });

  it('is independent of Big.DP and Big.RM', () => {
    const [dp, rm] = [Big.DP, Big.RM];
    try {
      Big.DP = 0;
      Big.RM = Big.roundDown;
      expect(prorate('10', '2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z').amount.toFixed(2)).toBe('0.36');
    } finally {
      Big.DP = dp;
      Big.RM = rm;
    }
  });

  it('back-to-back parts of a cycle add up to the full fee to the cent, however the cycle is cut', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BillingInterval>('day', 'week', 'month', 'year'),
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        (interval, cents, cuts) => {
          const anchor = d('2024-01-31T07:00:00Z');
          const start = cycleBoundary(anchor, interval, 3);
          const end = cycleBoundary(anchor, interval, 4);
          const points = [...new Set(cuts.map((cut) => Math.floor(start.getTime() + cut * (end.getTime() - start.getTime()))))]
            .filter((point) => point > start.getTime() && point < end.getTime())
            .sort((a, b) => a - b);
          const edges = [start.getTime(), ...points, end.getTime()];
          const fee = new Big(cents).div(100);
          let sum = new Big(0);
          for (let i = 0; i + 1 < edges.length; i++) {
            sum = sum.plus(prorateFlatFee({ fee, currency: 'USD', anchor, interval, from: new Date(edges[i]), to: new Date(edges[i + 1]) }).amount);
          }
          expect(sum.eq(fee)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('three equal thirds of 10.00 are 3.33, 3.34 and 3.33 (the telescoping rule)', () => {
    const anchor = '2026-01-01T00:00:00Z';
    // A daily plan cut in three 8-hour parts: round(3.333…) = 3.33, round(6.666…) − 3.33 = 3.34, 10 − 6.67 = 3.33.
    const parts = [
      prorate('10', '2026-01-01T00:00:00Z', '2026-01-01T08:00:00Z', anchor, 'day'),
      prorate('10', '2026-01-01T08:00:00Z', '2026-01-01T16:00:00Z', anchor, 'day'),
      prorate('10', '2026-01-01T16:00:00Z', '2026-01-02T00:00:00Z', anchor, 'day'),
    ].map((part) => part.amount.toFixed(2));
    expect(parts).toEqual(['3.33', '3.34', '3.33']);
  });
});
