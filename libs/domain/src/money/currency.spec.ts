import Big from 'big.js';
import { CURRENCY_CODES, isCurrencyCode, minorUnitOf, roundToMinorUnit } from './currency';

describe('currency table', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['VND', 0],
    ['CLP', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['IQD', 3],
    ['LYD', 3],
    ['CLF', 4],
    ['UYW', 4],
    ['MGA', 2],
    ['UYI', 0],
    ['XCG', 2],
    ['ZWG', 2],
    ['SLE', 2],
    ['VED', 2],
  ])('%s has %i minor digits', (code, digits) => {
    expect(isCurrencyCode(code)).toBe(true);
    expect(minorUnitOf(code)).toBe(digits);
  });

  it.each(['usd', 'Usd', 'XAU', 'XDR', 'XXX', 'XTS', 'HRK', 'DEM', 'US', 'USDD', '', 'constructor', 'toString'])('refuses %p', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
    expect(() => minorUnitOf(code)).toThrow(RangeError);
  });

  it('refuses non-strings', () => {
    expect(isCurrencyCode(840)).toBe(false);
    expect(isCurrencyCode(null)).toBe(false);
  });

  it('lists the active ISO 4217 currencies, sorted, three upper-case letters each', () => {
    expect(CURRENCY_CODES.length).toBeGreaterThanOrEqual(150);
    expect(CURRENCY_CODES.every((code) => /^[A-Z]{3}$/.test(code))).toBe(true);
    expect([...CURRENCY_CODES].sort()).toEqual(CURRENCY_CODES);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    expect(CURRENCY_CODES.every((code) => [0, 2, 3, 4].includes(minorUnitOf(code)))).toBe(true);
  });
});

describe('roundToMinorUnit', () => {
  it.each([
    ['2.345', 'USD', '2.35'],
    ['2.344999', 'USD', '2.34'],
    ['2.335', 'USD', '2.34'], // half-up, not half-even (half-even would give 2.34 too; see next)
    ['2.325', 'USD', '2.33'], // half-even would give 2.32
    ['0.5', 'JPY', '1'],
    ['1.5', 'JPY', '2'],
    ['2.5', 'JPY', '3'],
    ['1.0005', 'KWD', '1.001'],
    ['1.00049', 'KWD', '1.000'],
    ['0.00005', 'CLF', '0.0001'],
    ['6000000000000000000000000000007.505', 'USD', '6000000000000000000000000000007.51'],
  ])('rounds %s %s half-up to %s', (amount, currency, expected) => {
    const rounded = roundToMinorUnit(new Big(amount), currency);
    expect(rounded.eq(new Big(expected))).toBe(true);
  });

  it('does not change its input', () => {
    const amount = new Big('2.345');
    roundToMinorUnit(amount, 'USD');
    expect(amount.toFixed()).toBe('2.345');
  });
});
