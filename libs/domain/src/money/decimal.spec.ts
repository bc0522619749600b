import Big from 'big.js';
import fc from 'fast-check';
import { decimalString } from '../testing/decimal-arbitraries';
import { formatAmount, formatDecimal, fractionDigits, parseDecimal } from './decimal';

function parsed(input: unknown, opts?: Parameters<typeof parseDecimal>[1]): string {
  const result = parseDecimal(input, opts);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${result.message}`);
  return formatDecimal(result.value);
}

function refusal(input: unknown, opts?: Parameters<typeof parseDecimal>[1]): string {
  const result = parseDecimal(input, opts);
  if (result.ok) throw new Error(`expected ${String(input)} to be refused, got ${result.value.toFixed()}`);
  return result.message;
}

describe('parseDecimal', () => {
  it.each([
    ['0.0005', '0.0005'],
    ['127.50', '127.5'],
    ['10000', '10000'],
    ['0', '0'],
    ['000123.4500', '123.45'],
    ['1000000000000000000000000000000', '1000000000000000000000000000000'],
    ['0.000000000001', '0.000000000001'],
  ])('accepts the string %s', (input, expected) => {
    expect(parsed(input)).toBe(expected);
  });

  it.each([
    [10000, '10000'],
    [0.5, '0.5'],
    [0.25, '0.25'],
    [127.5, '127.5'],
    [123.456, '123.456'],
    [0.1, '0.1'],
    [-0, '0'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('accepts the exactly representable number %p', (input, expected) => {
    expect(parsed(input)).toBe(expected);
  });

  it.each([
    [0.1 + 0.2, 'not exactly representable'],
    [1 / 3, 'not exactly representable'],
    [1e-7, 'not exactly representable'],
    [1e21, 'too large'],
    [2 ** 53, 'too large'],
    [Number.NaN, 'finite'],
    [Number.POSITIVE_INFINITY, 'finite'],
  ])('refuses the number %p and asks for a string', (input, fragment) => {
    const message = refusal(input);
    expect(message).toContain(fragment);
    expect(message).toContain('string');
  });

  it.each(['', ' 1', '1 ', '1e5', '1E5', '0x10', '+1', '.5', '5.', '1,5', '1_000', 'Infinity', 'NaN', '--1', '1-', '١', '12a'])(
    'refuses the string %p',
    (input) => {
      expect(refusal(input)).toMatch(/must/);
    },
  );

  it.each([true, {}, [], Symbol('x'), 10n])('refuses the non-numeric input %p', (input) => {
    expect(refusal(input)).toContain('must be a decimal string');
  });

  it.each([null, undefined])('says %p is required', (input) => {
    expect(refusal(input)).toContain('is required');
  });

  it('refuses negatives unless allowed', () => {
    expect(refusal('-1')).toBe('must not be negative');
    expect(refusal(-2)).toBe('must not be negative');
    expect(parsed('-1', { allowNegative: true })).toBe('-1');
    expect(parsed(-2.5, { allowNegative: true })).toBe('-2.5');
    expect(parsed('-0', { allowNegative: true })).toBe('0');
  });

  it('counts fractional digits without trailing zeros', () => {
    expect(parsed('0.123456789012', { maxFractionDigits: 12 })).toBe('0.123456789012');
    expect(parsed('1.500000000000000', { maxFractionDigits: 12 })).toBe('1.5');
    expect(refusal('0.1234567890123', { maxFractionDigits: 12 })).toBe('must have at most 12 fractional digits');
    expect(refusal('1.5', { maxFractionDigits: 0 })).toBe('must have at most 0 fractional digits');
  });

  it('refuses strings longer than 100 characters', () => {
    expect(parsed('9'.repeat(100))).toBe('9'.repeat(100));
    expect(refusal('9'.repeat(101))).toContain('at most 100 characters');
  });

  it('accepts a Big as is', () => {
    expect(parsed(new Big('12.30'))).toBe('12.3');
    expect(refusal(new Big('-1'))).toBe('must not be negative');
  });

  it('round-trips every plain decimal string through formatDecimal (trailing zeros trimmed)', () => {
    fc.assert(
      fc.property(decimalString({ maxIntegerDigits: 30, maxFractionDigits: 12, allowNegative: true }), (text) => {
        const result = parseDecimal(text, { allowNegative: true });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.value.eq(new Big(text))).toBe(true);
        expect(formatDecimal(result.value)).toBe(new Big(text).eq(0) ? '0' : new Big(text).toFixed());
      }),
    );
  });
});

describe('formatDecimal', () => {
  it.each([
    ['10', '10'],
    ['0.0005', '0.0005'],
    ['0', '0'],
    ['-0', '0'],
    ['1e30', '1000000000000000000000000000000'],
    ['1e-7', '0.0000001'],
    ['127.500', '127.5'],
  ])('formats %s as %s', (input, expected) => {
    expect(formatDecimal(new Big(input))).toBe(expected);
  });

  it('never shows a signed zero', () => {
    expect(formatDecimal(new Big('-1').times(0))).toBe('0');
  });
});

describe('fractionDigits', () => {
  it.each([
    ['10', 0],
    ['1.5', 1],
    ['0.0005', 4],
    ['100.120', 2],
  ])('%s has %i fractional digits', (input, digits) => {
    expect(fractionDigits(new Big(input))).toBe(digits);
  });
});

describe('formatAmount', () => {
  it.each([
    ['127.5', 'USD', '127.50'],
    ['47.5', 'USD', '47.50'],
    ['0', 'USD', '0.00'],
    ['2.345', 'EUR', '2.35'],
    ['2.3449', 'EUR', '2.34'],
    ['119.5', 'JPY', '120'],
    ['119.49', 'JPY', '119'],
    ['1.2345', 'KWD', '1.235'],
    ['1.2344', 'KWD', '1.234'],
    ['0.00005', 'CLF', '0.0001'],
    ['1e30', 'USD', '1000000000000000000000000000000.00'],
  ])('formats %s %s as %s', (input, currency, expected) => {
    expect(formatAmount(new Big(input), currency)).toBe(expected);
  });

  it('throws on an unknown currency', () => {
    expect(() => formatAmount(new Big(1), 'XYZ')).toThrow('unknown ISO 4217 currency code: XYZ');
  });
});
