import Big from 'big.js';
import { packageCount, pricePackage } from './package-pricing';

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
