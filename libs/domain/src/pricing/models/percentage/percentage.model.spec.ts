import Big from 'big.js';
import fc from 'fast-check';
import { decimalBig } from '../../../testing/decimal-arbitraries';
import { chargesOf, errorsOf } from '../../../testing/plan-charges';
import { chargeToJson } from '../../charge-json';
import { type PercentageProperties, pricePercentageEvent, pricePercentageEvents } from './percentage.model';

const card = (overrides: Partial<PercentageProperties> = {}): PercentageProperties => ({
  rate: new Big('2.9'),
  fixedAmount: new Big('0.30'),
  minPerEvent: null,
  maxPerEvent: null,
  ...overrides,
});

describe('pricePercentageEvent', () => {
  // Stripe's documented US card fee, 2.9 % + 30¢ (https://stripe.com/pricing): a $100 charge costs $3.20.
  it.each([
    ['100', '3.2'],
    ['0', '0.3'],
    ['10.01', '0.59029'],
    ['1000000000000000000000000000000', '29000000000000000000000000000.3'],
  ])('2.9 %% + 0.30 of %s is %s', (value, expected) => {
    expect(pricePercentageEvent(card(), new Big(value)).toFixed()).toBe(expected);
  });

  it('clamps each event to min_per_event and max_per_event, not the period', () => {
    const bounded = card({ rate: new Big('1'), fixedAmount: new Big(0), minPerEvent: new Big('0.5'), maxPerEvent: new Big('5') });
    expect(pricePercentageEvent(bounded, new Big('10')).toFixed()).toBe('0.5');
    expect(pricePercentageEvent(bounded, new Big('200')).toFixed()).toBe('2');
    expect(pricePercentageEvent(bounded, new Big('100000')).toFixed()).toBe('5');
    // Three events: 0.5 + 2 + 5, where pricing their total (100210) at once would give 5.
    expect(
      pricePercentageEvents(
        bounded,
        ['10', '200', '100000'].map((v) => new Big(v)),
      ).amount.toFixed(),
    ).toBe('7.5');
  });

  it('is exact however many fractional digits rate × value has (no Big.DP rounding)', () => {
    const fine = card({ rate: new Big('0.000000000001'), fixedAmount: new Big(0) });
    expect(pricePercentageEvent(fine, new Big('0.000000000000000000000003')).toFixed()).toBe(`0.${'0'.repeat(37)}3`);
  });

  it('prices the events of a period as the sum of their fees, in any order', () => {
    fc.assert(
      fc.property(
        decimalBig({ maxIntegerDigits: 2, maxFractionDigits: 3 }).filter((r) => r.lte(100)),
        fc.array(decimalBig({ maxFractionDigits: 2 }), { maxLength: 20 }),
        (rate, values) => {
          const properties = card({ rate, minPerEvent: new Big('0.5'), maxPerEvent: new Big('50') });
          const total = pricePercentageEvents(properties, values).amount;
          const reversed = pricePercentageEvents(properties, [...values].reverse()).amount;
          expect(total.eq(reversed)).toBe(true);
          // Every event's fee lies within the bounds, so the period lies within count × bounds.
          expect(total.gte(new Big('0.5').times(values.length))).toBe(true);
          expect(total.lte(new Big('50').times(values.length))).toBe(true);
        },
      ),
    );
  });
});

describe('percentage in a plan', () => {
  it('writes every optional field back explicitly', () => {
    const charges = chargesOf([
      { metric_key: 'api_calls', model: 'percentage', properties: { rate: '2.9', fixed_amount: '0.30' } },
      { metric_key: 'storage', model: 'percentage', properties: { rate: 1, min_per_event: '0.5', max_per_event: '5' } },
    ]);
    expect(charges.map(chargeToJson)).toEqual([
      { metric_key: 'api_calls', model: 'percentage', properties: { rate: '2.9', fixed_amount: '0.3', min_per_event: null, max_per_event: null } },
      { metric_key: 'storage', model: 'percentage', properties: { rate: '1', fixed_amount: '0', min_per_event: '0.5', max_per_event: '5' } },
    ]);
  });

  it('refuses a rate above 100 at its field', () => {
    expect(errorsOf([{ metric_key: 'api_calls', model: 'percentage', properties: { rate: '100.5' } }])).toEqual([
      { field: 'charges[0].properties.rate', message: 'must be between 0 and 100' },
    ]);
  });

  it('refuses a negative rate at its field', () => {
    expect(errorsOf([{ metric_key: 'api_calls', model: 'percentage', properties: { rate: '-1' } }])).toEqual([
      { field: 'charges[0].properties.rate', message: expect.stringContaining('must not be negative') },
    ]);
  });

  it('refuses min_per_event above max_per_event', () => {
    expect(errorsOf([{ metric_key: 'api_calls', model: 'percentage', properties: { rate: '1', min_per_event: '5', max_per_event: '1' } }])).toEqual([
      { field: 'charges[0].properties.min_per_event', message: 'must not be greater than max_per_event' },
    ]);
  });
});
