import Big from 'big.js';
import { pricePerUnit } from './per-unit-pricing';

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
});
