import { formatMoney, formatQuantity, formatUnitPrice } from './money';

describe('formatMoney', () => {
  it('rounds USD half-up to cents and groups thousands', () => {
    expect(formatMoney('1234567.005', 'USD')).toBe('$1,234,567.01');
    expect(formatMoney('1234.5', 'USD')).toBe('$1,234.50');
    expect(formatMoney('0', 'USD')).toBe('$0.00');
    expect(formatMoney('999.994', 'USD')).toBe('$999.99');
  });

  it('shows JPY without minor digits', () => {
    expect(formatMoney('1234.5', 'JPY')).toBe('¥1,235');
    expect(formatMoney('1000000', 'JPY')).toBe('¥1,000,000');
  });

  it('shows KWD with three minor digits and its code', () => {
    expect(formatMoney('1234.5675', 'KWD')).toBe('KWD 1,234.568');
    expect(formatMoney('0.1', 'KWD')).toBe('KWD 0.100');
  });

  it('puts the sign before the currency for negatives (credits, refunds)', () => {
    expect(formatMoney('-1234.5', 'USD')).toBe('-$1,234.50');
    expect(formatMoney('-1000', 'JPY')).toBe('-¥1,000');
    expect(formatMoney('-1.2345', 'KWD')).toBe('-KWD 1.235');
    // Rounded to nothing, a negative shows no sign: "-0.000" would read as money owed.
    expect(formatMoney('-0.0004', 'KWD')).toBe('KWD 0.000');
  });

  it('keeps digits a float would lose', () => {
    expect(formatMoney('12345678901234567890.12', 'EUR')).toBe('€12,345,678,901,234,567,890.12');
  });

  it('shows what it cannot format as received rather than hiding it', () => {
    expect(formatMoney('12.5', 'ZZZ')).toBe('12.5 ZZZ');
    expect(formatMoney('1e3', 'USD')).toBe('1e3 USD');
    expect(formatMoney(null, 'USD')).toBe('—');
  });
});

describe('formatUnitPrice', () => {
  it('keeps sub-cent prices exact and pads to the minor unit', () => {
    expect(formatUnitPrice('0.0015', 'USD')).toBe('$0.0015');
    expect(formatUnitPrice('7', 'USD')).toBe('$7.00');
    expect(formatUnitPrice('0.5', 'JPY')).toBe('¥0.5');
    expect(formatUnitPrice('1500', 'GBP')).toBe('£1,500.00');
  });
});

describe('formatQuantity', () => {
  it('groups thousands and keeps fractions exact', () => {
    expect(formatQuantity('185000')).toBe('185,000');
    expect(formatQuantity('1234.5')).toBe('1,234.5');
    expect(formatQuantity('-12')).toBe('-12');
  });
});
