import Big from 'big.js';
import { CurrencyCode, roundToMinorUnit, minorUnitOf } from './currency';

/*
 * big.js settings: this library never mutates the shared `Big` constructor (DP, RM, strict) because
 * every other module of the repo imports the same constructor and would silently change behaviour
 * depending on import order. Instead no domain result depends on Big.DP/Big.RM:
 * - only add/minus/times/mod are used on money and usage, and these are exact in big.js;
 * - every rounding passes its decimal places and ROUND_HALF_UP explicitly;
 * - the one division (package count) is done exactly with mod (see package-pricing.ts).
 * Big.strict stays off so that other code keeps working; external input enters only through
 * parseDecimal, which never hands a JS number to Big.
 */

export type ParseDecimalResult = { ok: true; value: Big } | { ok: false; message: string };

export interface ParseDecimalOptions {
  /** Maximum fractional digits of the value (trailing zeros do not count: "1.500" has 1). */
  maxFractionDigits?: number;
  /** Accept a leading "-" (default false). */
  allowNegative?: boolean;
}

/** Longest decimal string accepted; guards against megabyte-sized "numbers". */
export const MAX_DECIMAL_LENGTH = 100;

// Plain decimal notation only: no exponent, no leading "+" or ".", no trailing ".".
const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

// Any decimal with at most 15 significant digits survives a trip through a double (DBL_DIG),
// so String(n) then reproduces exactly what the client wrote. 17 digits ("0.30000000000000004")
// means the number is a float artefact.
const MAX_EXACT_SIGNIFICANT_DIGITS = 15;

const SEND_A_STRING = 'send the value as a decimal string, e.g. "0.0005"';

/**
 * Parses a decimal given as a string ("0.0005", "127.50") or a JSON number that is exactly the
 * decimal it prints (10000, 0.5). Never rounds: anything ambiguous is refused with a message.
 */
export function parseDecimal(input: unknown, opts: ParseDecimalOptions = {}): ParseDecimalResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (typeof input === 'number') {
    const fromNumber = exactNumberText(input);
    if (!fromNumber.ok) return fromNumber;
    text = fromNumber.text;
  } else if (input instanceof Big) {
    text = input.toFixed();
  } else if (input === undefined || input === null) {
    return { ok: false, message: `is required; ${SEND_A_STRING}` };
  } else {
    return { ok: false, message: `must be a decimal string; ${SEND_A_STRING}` };
  }

  if (text.length === 0) return { ok: false, message: 'must not be empty' };
  if (text.length > MAX_DECIMAL_LENGTH) {
    return { ok: false, message: `must be at most ${MAX_DECIMAL_LENGTH} characters long` };
  }
  if (!DECIMAL_PATTERN.test(text)) {
    return {
      ok: false,
      message: `must be a plain decimal number such as "127.50" (digits with an optional "." part${
        opts.allowNegative ? ' and an optional leading "-"' : ''
      }; no exponent, spaces or "+")`,
    };
  }
  const value = new Big(text);
  if (value.lt(0) && !opts.allowNegative) return { ok: false, message: 'must not be negative' };
  if (opts.maxFractionDigits !== undefined && fractionDigits(value) > opts.maxFractionDigits) {
    return { ok: false, message: `must have at most ${opts.maxFractionDigits} fractional digits` };
  }
  // "-0" and friends become plain zero so that formatting never shows a signed zero.
  return { ok: true, value: value.eq(0) ? new Big(0) : value };
}

function exactNumberText(n: number): { ok: true; text: string } | { ok: false; message: string } {
  if (!Number.isFinite(n)) return { ok: false, message: `must be a finite number; ${SEND_A_STRING}` };
  if (Number.isInteger(n)) {
    if (!Number.isSafeInteger(n)) {
      return { ok: false, message: `is too large to be exact as a JSON number; ${SEND_A_STRING}` };
    }
    return { ok: true, text: String(n) };
  }
  const text = String(n);
  const significant = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  if (/e/i.test(text) || Number(text) !== n || significant.length > MAX_EXACT_SIGNIFICANT_DIGITS) {
    return { ok: false, message: `is not exactly representable as a JSON number (${text}); ${SEND_A_STRING}` };
  }
  return { ok: true, text };
}

/** Number of fractional digits of a value, trailing zeros excluded (Big normalises them away). */
export function fractionDigits(value: Big): number {
  return Math.max(0, value.c.length - value.e - 1);
}

/** Plain notation, never an exponent, trailing zeros trimmed: "10", "0.0005", "0". */
export function formatDecimal(value: Big): string {
  return value.eq(0) ? '0' : value.toFixed();
}

/**
 * An amount as the API shows it: fixed to the currency's minor unit, rounded half-up
 * ("127.50", JPY "120", KWD "1.235").
 */
export function formatAmount(value: Big, currency: CurrencyCode | string): string {
  const rounded = roundToMinorUnit(value, currency);
  return rounded.eq(0) ? new Big(0).toFixed(minorUnitOf(currency)) : rounded.toFixed(minorUnitOf(currency));
}
