import { AGGREGATION_TYPES } from './aggregation-state';
import { isValueTypeAllowed, parseMetricValue } from './metric-value';

const ok = (value: string | null) => ({ ok: true, value });

describe('isValueTypeAllowed', () => {
  it('allows string values with unique_count only; numbers everywhere', () => {
    for (const aggregation of AGGREGATION_TYPES) {
      expect(isValueTypeAllowed(aggregation, 'integer')).toBe(true);
      expect(isValueTypeAllowed(aggregation, 'decimal')).toBe(true);
      expect(isValueTypeAllowed(aggregation, 'string')).toBe(aggregation === 'unique_count');
    }
  });
});

describe('parseMetricValue', () => {
  describe('integer', () => {
    it.each([
      ['1', '1'],
      ['-7', '-7'],
      ['+7', '7'],
      ['007', '7'],
      ['-0', '0'],
      ['123456789012345678901234567890', '123456789012345678901234567890'],
      [42, '42'],
      [-42, '-42'],
      [-0, '0'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    ])('accepts %p as %s', (raw, expected) => {
      expect(parseMetricValue('integer', 'sum', raw)).toEqual(ok(expected));
    });

    it.each(['1.5', '1.0', '1e3', '', ' 1', '0x1', '+-1', 'one'])('refuses the string %p', (raw) => {
      expect(parseMetricValue('integer', 'sum', raw)).toEqual({ ok: false, message: 'must be an integer (optional sign and digits only)' });
    });

    it.each([1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY])('refuses the number %p', (raw) => {
      const result = parseMetricValue('integer', 'max', raw);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toContain('must be an integer');
    });

    it('refuses other JSON types', () => {
      expect(parseMetricValue('integer', 'sum', true).ok).toBe(false);
      expect(parseMetricValue('integer', 'sum', { value: 1 }).ok).toBe(false);
    });
  });

  describe('decimal', () => {
    it.each([
      ['0.0005', '0.0005'],
      ['1.50', '1.5'],
      ['-2.25', '-2.25'],
      ['+2.25', '2.25'],
      ['0.000000000001', '0.000000000001'],
      ['1.000000000000000', '1'],
      [0.5, '0.5'],
      [10, '10'],
      ['-0.0', '0'],
    ])('accepts %p as %s', (raw, expected) => {
      expect(parseMetricValue('decimal', 'sum', raw)).toEqual(ok(expected));
    });

    it.each([
      ['0.0000000000001', 'at most 12 fractional digits'],
      ['1e-3', 'plain decimal number'],
      ['.5', 'plain decimal number'],
      ['++1', 'plain decimal number'],
      [0.1 + 0.2, 'not exactly representable'],
      ['abc', 'plain decimal number'],
    ])('refuses %p (%s)', (raw, fragment) => {
      const result = parseMetricValue('decimal', 'latest', raw);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toContain(fragment);
    });
  });

  describe('string', () => {
    it('keeps the value verbatim for unique_count', () => {
      expect(parseMetricValue('string', 'unique_count', ' User-42 ')).toEqual(ok(' User-42 '));
    });

    it('refuses non-strings, empty and over-long strings', () => {
      expect(parseMetricValue('string', 'unique_count', 42)).toEqual({ ok: false, message: 'must be a string' });
      expect(parseMetricValue('string', 'unique_count', '')).toEqual({ ok: false, message: 'must be 1 to 1024 characters long' });
      expect(parseMetricValue('string', 'unique_count', 'x'.repeat(1025)).ok).toBe(false);
      expect(parseMetricValue('string', 'unique_count', 'x'.repeat(1024)).ok).toBe(true);
    });

    it('refuses a string value type with any other aggregation', () => {
      expect(parseMetricValue('string', 'sum', 'a')).toEqual({ ok: false, message: 'value_type string cannot be used with aggregation sum' });
    });
  });

  describe('absent values', () => {
    it.each([undefined, null])('are fine for count (%p → null)', (raw) => {
      expect(parseMetricValue('integer', 'count', raw)).toEqual(ok(null));
    });

    it('are still type-checked for count when present', () => {
      expect(parseMetricValue('integer', 'count', '1')).toEqual(ok('1'));
      expect(parseMetricValue('integer', 'count', 'x').ok).toBe(false);
    });

    it.each(['sum', 'max', 'min', 'unique_count', 'latest'] as const)('are required for %s', (aggregation) => {
      expect(parseMetricValue('decimal', aggregation, undefined)).toEqual({ ok: false, message: 'is required' });
    });
  });
});
