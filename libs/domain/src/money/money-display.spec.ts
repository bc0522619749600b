import Big from 'big.js';
import { displayAmount, displayExactAmount, displayQuantity, groupThousands } from './money-display';

describe('money and quantities on documents', () => {
  it.each([
    ['0', '0'],
    ['999', '999'],
    ['1000', '1,000'],
    ['185000', '185,000'],
    ['1234567.891', '1,234,567.891'],
    ['-1234.5', '-1,234.5'],
  ])('groups %s as %s', (plain, grouped) => {
    expect(groupThousands(plain)).toBe(grouped);
  });

  it('refuses what is not a plain decimal', () => {
    expect(() => groupThousands('1e21')).toThrow(RangeError);
  });

  it.each([
    ['1234.5', 'USD', '1,234.50'],
    ['72', 'USD', '72.00'],
    ['1234567', 'JPY', '1,234,567'],
    ['1234.5', 'JPY', '1,235'],
    ['1234.5', 'KWD', '1,234.500'],
    ['0.0005', 'KWD', '0.001'],
    ['0', 'KWD', '0.000'],
    ['-12.345', 'USD', '-12.35'],
  ])('writes the amount %s %s as %s', (amount, currency, expected) => {
    expect(displayAmount(amount, currency)).toBe(expected);
  });

  it.each([
    ['10', 'USD', '10.00'],
    ['0.0005', 'USD', '0.0005'],
    ['0.0015', 'USD', '0.0015'],
    ['12500.125', 'USD', '12,500.125'],
    ['3', 'JPY', '3'],
    ['0.5', 'JPY', '0.5'],
    ['2', 'KWD', '2.000'],
    ['0', 'USD', '0.00'],
  ])('writes the exact amount %s %s as %s, never rounded', (amount, currency, expected) => {
    expect(displayExactAmount(amount, currency)).toBe(expected);
  });

  it('writes quantities exactly with thousands separators', () => {
    expect(displayQuantity('185000')).toBe('185,000');
    expect(displayQuantity('1234.500')).toBe('1,234.5');
    expect(displayQuantity(new Big('0.000000000001'))).toBe('0.000000000001');
    expect(displayQuantity('100000000000000000000000')).toBe('100,000,000,000,000,000,000,000');
  });
});
