import Big from 'big.js';
import { CurrencyCode, isCurrencyCode } from './currency';

/*
 * Stripe's own view of currencies, which differs from ISO 4217 in places (MGA is ISO 2 but
 * zero-decimal at Stripe; ISK is ISO 0 but sent with two decimals).
 * Source: Stripe docs "Supported currencies" (zero-decimal and three-decimal lists) and
 * "Minimum and maximum charge amounts".
 */
export const STRIPE_ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** Sent ×1000, but Stripe requires the last digit to be 0 (i.e. at most 2 decimals in effect). */
export const STRIPE_THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/**
 * Converts an amount to the integer string Stripe expects in `amount`.
 * - zero-decimal currencies: the amount itself, rounded half-up to a whole unit;
 * - three-decimal currencies: rounded half-up to 2 decimals, then ×1000 (so it ends in 0);
 * - every other currency: rounded half-up to 2 decimals, then ×100.
 * Invoice totals are already rounded to the ISO minor unit, so the rounding here only bites where
 * Stripe is coarser than ISO (KWD 1.235 → "1240", MGA, CLF); callers that must refuse instead can
 * compare `fromStripeMinorUnits(result)` with their amount.
 * Throws on negative amounts or unknown currencies: both are programming errors at this point.
 */
export function toStripeMinorUnits(amount: Big, currency: CurrencyCode | string): string {
  if (!isCurrencyCode(currency)) throw new RangeError(`unknown ISO 4217 currency code: ${String(currency)}`);
  if (amount.lt(0)) throw new RangeError('Stripe amounts cannot be negative');
  const minor = amount.round(stripeDecimalsOf(currency), Big.roundHalfUp).times(stripeMultiplierOf(currency));
  return minor.toFixed(0);
}

/** Inverse of toStripeMinorUnits: Stripe's integer `amount` back to a decimal amount. */
export function fromStripeMinorUnits(minorUnits: string | Big, currency: CurrencyCode | string): Big {
  if (!isCurrencyCode(currency)) throw new RangeError(`unknown ISO 4217 currency code: ${String(currency)}`);
  // Multiplying by 0.01 / 0.001 instead of dividing keeps this exact whatever Big.DP is.
  return new Big(minorUnits).times(stripeInverseMultiplierOf(currency));
}

function stripeDecimalsOf(currency: string): number {
  return STRIPE_ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

function stripeMultiplierOf(currency: string): string {
  if (STRIPE_ZERO_DECIMAL_CURRENCIES.has(currency)) return '1';
  return STRIPE_THREE_DECIMAL_CURRENCIES.has(currency) ? '1000' : '100';
}

function stripeInverseMultiplierOf(currency: string): string {
  if (STRIPE_ZERO_DECIMAL_CURRENCIES.has(currency)) return '1';
  return STRIPE_THREE_DECIMAL_CURRENCIES.has(currency) ? '0.001' : '0.01';
}

// Stripe's published minimum charge per presentment currency (decimal strings, never floats).
const STRIPE_MINIMUM_CHARGES: Readonly<Record<string, string>> = {
  USD: '0.50',
  AED: '2.00',
  AUD: '0.50',
  BGN: '1.00',
  BRL: '0.50',
  CAD: '0.50',
  CHF: '0.50',
  CZK: '15.00',
  DKK: '2.50',
  EUR: '0.50',
  GBP: '0.30',
  HKD: '4.00',
  HUF: '175.00',
  INR: '0.50',
  JPY: '50',
  MXN: '10',
  MYR: '2',
  NOK: '3.00',
  NZD: '0.50',
  PLN: '2.00',
  RON: '2.00',
  SEK: '3.00',
  SGD: '0.50',
  THB: '10',
};

/**
 * Stripe's minimum charge in `currency`, or undefined when Stripe publishes none (then the minimum
 * is the equivalent of USD 0.50 at the day's rate, which only Stripe can check).
 */
export function stripeMinimumCharge(currency: CurrencyCode | string): Big | undefined {
  const minimum = Object.prototype.hasOwnProperty.call(STRIPE_MINIMUM_CHARGES, currency) ? STRIPE_MINIMUM_CHARGES[currency] : undefined;
  return minimum === undefined ? undefined : new Big(minimum);
}
