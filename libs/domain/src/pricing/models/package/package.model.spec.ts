import Big from 'big.js';
import fc from 'fast-check';
import { decimalBig } from '../../../testing/decimal-arbitraries';
import { chargesOf, errorsOf, fieldsOf } from '../../../testing/plan-charges';
import { orderedQuantityPair } from '../../../testing/price-tiers';
import { chargeToJson } from '../../charge-json';
import { packageCount, pricePackage } from './package.model';

const props = (packageSize: string, packageAmount: string, freeUnits = '0') => ({
  packageSize: new Big(packageSize),
  packageAmount: new Big(packageAmount),
  freeUnits: new Big(freeUnits),
});
const amountOf = (p: ReturnType<typeof props>, quantity: string) => pricePackage(p, new Big(quantity)).amount.toFixed();

describe('pricePackage', () => {
  it.each([
    ['0', '0'],
    ['1', '5'],
    ['99.5', '5'],
    ['100', '5'],
    ['100.5', '10'],
    ['101', '10'],
    ['250', '15'],
    ['300', '15'],
  ])('packages of 100 at 5: %s units cost %s', (quantity, expected) => {
    expect(amountOf(props('100', '5'), quantity)).toBe(expected);
  });

  it.each([
    ['0', '0'],
    ['50', '0'],
    ['50.001', '5'],
    ['150', '5'],
    ['151', '10'],
  ])('with 50 free units: %s units cost %s', (quantity, expected) => {
    expect(amountOf(props('100', '5', '50'), quantity)).toBe(expected);
  });

  it('handles decimal package sizes and amounts', () => {
    expect(amountOf(props('0.3', '1.25'), '0.9')).toBe('3.75');
    expect(amountOf(props('0.3', '1.25'), '0.91')).toBe('5');
  });

  it('is exact for huge quantities (10^30)', () => {
    expect(amountOf(props('1000', '0.01'), '1000000000000000000000000000001')).toBe('10000000000000000000000000.01');
  });

  it('has no tier breakdown', () => {
    expect(pricePackage(props('10', '1'), new Big(5)).tiers).toEqual([]);
  });

  it('never decreases as the quantity grows', () => {
    fc.assert(
      fc.property(
        decimalBig({ maxIntegerDigits: 3, maxFractionDigits: 2, positive: true }),
        decimalBig({ maxFractionDigits: 2 }),
        decimalBig({ maxIntegerDigits: 3, maxFractionDigits: 1 }),
        orderedQuantityPair,
        (packageSize, packageAmount, freeUnits, [low, high]) => {
          const properties = { packageSize, packageAmount, freeUnits };
          expect(pricePackage(properties, low).amount.lte(pricePackage(properties, high).amount)).toBe(true);
        },
      ),
    );
  });
});

describe('packageCount', () => {
  it('counts a remainder finer than Big.DP as one more package (no rounding in div)', () => {
    // 25 fractional digits: beyond big.js's default DP of 20, where units.div(size) would round.
    expect(packageCount(new Big('2.0000000000000000000000001'), new Big(1)).toFixed()).toBe('3');
    expect(packageCount(new Big('6.0000000000000000000000003'), new Big(3)).toFixed()).toBe('3');
    expect(packageCount(new Big('6'), new Big(3)).toFixed()).toBe('2');
  });

  it('refuses a zero size', () => {
    expect(() => packageCount(new Big(1), new Big(0))).toThrow('package_size must be greater than 0');
  });
});

describe('package in a plan', () => {
  const packageCharge = (properties: Record<string, unknown>) => [{ metric_key: 'api_calls', model: 'package', properties }];

  it('writes every field back, free_units explicit', () => {
    const [charge] = chargesOf(packageCharge({ package_size: '10', package_amount: '25', free_units: '5' }));
    expect(chargeToJson(charge)).toEqual({
      metric_key: 'api_calls',
      model: 'package',
      properties: { package_size: '10', package_amount: '25', free_units: '5' },
    });
  });

  it('defaults free_units to 0 (also when null); 0 given is fine', () => {
    for (const free_units of [undefined, null, 0]) {
      const [charge] = chargesOf(packageCharge({ package_size: 100, package_amount: '5', free_units }));
      expect(charge.model === 'package' && charge.properties.freeUnits.toFixed()).toBe('0');
    }
  });

  it('requires package_size and package_amount', () => {
    expect(fieldsOf(packageCharge({}))).toEqual(['charges[0].properties.package_size', 'charges[0].properties.package_amount']);
  });

  it.each([
    ['0', 'must be greater than 0'],
    [0, 'must be greater than 0'],
    ['-10', 'must not be negative'],
    ['abc', 'must be a plain decimal number'],
  ])('package_size %p → %s', (value, fragment) => {
    const [issue] = errorsOf(packageCharge({ package_size: value, package_amount: '5' }));
    expect(issue.field).toBe('charges[0].properties.package_size');
    expect(issue.message).toContain(fragment);
  });

  it('refuses a negative package_amount or free_units at its field', () => {
    expect(fieldsOf(packageCharge({ package_size: '1', package_amount: '-1', free_units: '-2' }))).toEqual([
      'charges[0].properties.package_amount',
      'charges[0].properties.free_units',
    ]);
  });
});
