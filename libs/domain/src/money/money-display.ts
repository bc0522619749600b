import Big from 'big.js';
import { minorUnitOf } from './currency';
import { formatAmount, formatDecimal, fractionDigits } from './decimal';

/*
 * Amounts and quantities as documents print them (invoice PDF and email): thousands separated
 * by ",", decimal point "." — from decimal strings or Big values, never through a JS number.
 */

/** "-1234567.50" → "-1,234,567.50": separators in the integer part; the fraction as written. */
export function groupThousands(plain: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(plain);
  if (!match) throw new RangeError(`not a plain decimal: ${plain}`);
  const [, sign, integer, fraction = ''] = match;
  return `${sign}${integer.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction}`;
}

/** An amount at the currency's minor unit, rounded half-up: "1,234.50", JPY "1,235", KWD "1.235". */
export function displayAmount(value: Big | string, currency: string): string {
  return groupThousands(formatAmount(new Big(value), currency));
}

/**
 * An exact amount (a unit price, a tier's amount): never rounded, written with at least the
 * currency's minor digits: USD "10.00", "0.0005", "0.0015"; JPY "3", "0.5".
 */
export function displayExactAmount(value: Big | string, currency: string): string {
  const exact = new Big(value);
  const digits = Math.max(fractionDigits(exact), minorUnitOf(currency));
  return groupThousands(exact.eq(0) ? new Big(0).toFixed(digits) : exact.toFixed(digits));
}

/** A quantity, exact: "185,000", "1,234.5". */
export function displayQuantity(value: Big | string): string {
  return groupThousands(formatDecimal(new Big(value)));
}
