import { formatDecimal, parseDecimal } from '../money/decimal';
import type { AggregationType } from './aggregation-state';

export type ValueType = 'integer' | 'decimal' | 'string';

export const VALUE_TYPES: readonly ValueType[] = ['integer', 'decimal', 'string'];

/** Fractional digits a `decimal` metric value may carry. */
export const MAX_VALUE_FRACTION_DIGITS = 12;

/** Longest `string` metric value; they are kept in unique_count states, so they must stay small. */
export const MAX_STRING_VALUE_LENGTH = 1024;

export type ParseMetricValueResult = { ok: true; value: string | null } | { ok: false; message: string };

/** `string` values only make sense for unique_count; numbers work with every aggregation. */
export function isValueTypeAllowed(aggregationType: AggregationType, valueType: ValueType): boolean {
  return valueType !== 'string' || aggregationType === 'unique_count';
}

/**
 * Validates an event's `value` for a metric and returns its normalised string:
 * - integer: optional sign and digits ("+7" → "7", "-007" → "-7"), or a safe-integer JSON number;
 * - decimal: up to 12 fractional digits, strings or exactly representable JSON numbers,
 *   normalised like formatDecimal ("1.50" → "1.5", "-0" → "0") so that unique_count treats equal
 *   numbers as equal;
 * - string: a JSON string of 1–1024 characters, kept verbatim.
 * For `count` the value is optional (absent or null → value null); a value that is present must
 * still fit the type, so stored events stay clean. Every other aggregation requires a value.
 */
export function parseMetricValue(valueType: ValueType, aggregationType: AggregationType, raw: unknown): ParseMetricValueResult {
  if (!isValueTypeAllowed(aggregationType, valueType)) {
    return { ok: false, message: `value_type ${valueType} cannot be used with aggregation ${aggregationType}` };
  }
  if (raw === undefined || raw === null) {
    return aggregationType === 'count' ? { ok: true, value: null } : { ok: false, message: 'is required' };
  }
  switch (valueType) {
    case 'integer':
      return parseIntegerValue(raw);
    case 'decimal':
      return parseDecimalValue(raw);
    case 'string':
      return parseStringValue(raw);
  }
}

function parseIntegerValue(raw: unknown): ParseMetricValueResult {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) {
      return { ok: false, message: 'must be an integer; send large integers as a string, e.g. "12345678901234567890"' };
    }
    return { ok: true, value: String(raw === 0 ? 0 : raw) };
  }
  if (typeof raw !== 'string' || !/^[+-]?\d+$/.test(raw)) {
    return { ok: false, message: 'must be an integer (optional sign and digits only)' };
  }
  const parsed = parseDecimal(raw.replace(/^\+/, ''), { allowNegative: true, maxFractionDigits: 0 });
  return parsed.ok ? { ok: true, value: formatDecimal(parsed.value) } : parsed;
}

function parseDecimalValue(raw: unknown): ParseMetricValueResult {
  const text = typeof raw === 'string' ? raw.replace(/^\+(?=\d)/, '') : raw;
  const parsed = parseDecimal(text, { allowNegative: true, maxFractionDigits: MAX_VALUE_FRACTION_DIGITS });
  return parsed.ok ? { ok: true, value: formatDecimal(parsed.value) } : parsed;
}

function parseStringValue(raw: unknown): ParseMetricValueResult {
  if (typeof raw !== 'string') return { ok: false, message: 'must be a string' };
  if (raw.length === 0 || raw.length > MAX_STRING_VALUE_LENGTH) {
    return { ok: false, message: `must be 1 to ${MAX_STRING_VALUE_LENGTH} characters long` };
  }
  return { ok: true, value: raw };
}
