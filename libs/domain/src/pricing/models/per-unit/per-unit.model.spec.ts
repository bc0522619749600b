import Big from 'big.js';
import fc from 'fast-check';
import { decimalBig } from '../../../testing/decimal-arbitraries';
import { chargesOf, errorsOf } from '../../../testing/plan-charges';
import { orderedQuantityPair } from '../../../testing/price-tiers';
import { chargeToJson } from '../../charge-json';
import { pricePerUnit } from './per-unit.model';

describe('pricePerUnit', () => {
  it.each([
    ['85000', '0.0005', '42.5'],
    ['0', '0.0005', '0'],
    ['2.5', '0.1', '0.25'],
    ['3', '0.000000000001', '0.000000000003'],
    ['1000000000000000000000000000000', '0.001', '1000000000000000000000000000'],
  ])('%s units at %s cost %s', (quantity, unitAmount, expected) => {
    const result = pricePerUnit({ unitAmount: new Big(unitAmount) }, new Big(quantity));
    expect(result.amount.toFixed()).toBe(expected);
    expect(result.tiers).toEqual([]);
  });

  it('never decreases as the quantity grows', () => {
    fc.assert(
      fc.property(decimalBig({ maxFractionDigits: 6 }), orderedQuantityPair, (unitAmount, [low, high]) => {
        expect(pricePerUnit({ unitAmount }, low).amount.lte(pricePerUnit({ unitAmount }, high).amount)).toBe(true);
      }),
    );
  });
});

describe('per_unit in a plan', () => {
  it('reads unit_amount as a number or a string and writes it back as a decimal string', () => {
    const charges = chargesOf([
      { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: 0.5 } },
      { metric_key: 'storage', model: 'per_unit', properties: { unit_amount: '0.000000000001' } },
    ]);
    expect(charges.map(chargeToJson)).toEqual([
      { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.5' } },
      { metric_key: 'storage', model: 'per_unit', properties: { unit_amount: '0.000000000001' } },
    ]);
  });

  it('refuses a negative unit_amount at its field', () => {
    expect(errorsOf([{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '-1' } }])).toEqual([
      { field: 'charges[0].properties.unit_amount', message: expect.stringContaining('must not be negative') },
    ]);
  });
});
