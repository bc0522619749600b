import { isCurrencyCode } from '@abaxus/domain/money/currency';
import { displayAmount, displayExactAmount, displayQuantity } from '@abaxus/domain/money/money-display';

/*
 * Money and quantities as the console shows them, from the API's decimal strings: never through a
 * JS number (a float cannot hold "0.0015" or 10^20 exactly). Rounding and grouping are the
 * documents' rules (libs/domain), so the console and the invoice PDF print the same figures.
 */

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

function withCurrency(digits: string, currency: string): string {
  const negative = digits.startsWith('-');
  const magnitude = negative ? digits.slice(1) : digits;
  const symbol = SYMBOLS[currency];
  const written = symbol ? `${symbol}${magnitude}` : `${currency} ${magnitude}`;
  return negative ? `-${written}` : written;
}

/**
 * A total or an invoice amount, rounded half-up to the currency's minor unit:
 * ("1234.5", "USD") → "$1,234.50"; ("1234.5", "JPY") → "¥1,235"; ("1.2345", "KWD") → "KWD 1.235".
 * An unknown currency or a value that is not a decimal string is shown as received, never hidden.
 */
export function formatMoney(value: string | null | undefined, currency: string): string {
  if (value === null || value === undefined) return '—';
  if (!isCurrencyCode(currency) || !isDecimal(value)) return `${value} ${currency}`;
  return withCurrency(displayAmount(value, currency), currency);
}

/** A unit price or a tier amount, exact (never rounded): ("0.0015", "USD") → "$0.0015". */
export function formatUnitPrice(value: string | null | undefined, currency: string): string {
  if (value === null || value === undefined) return '—';
  if (!isCurrencyCode(currency) || !isDecimal(value)) return `${value} ${currency}`;
  return withCurrency(displayExactAmount(value, currency), currency);
}

/** A usage quantity, exact with thousands separators: "185000" → "185,000". */
export function formatQuantity(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return isDecimal(value) ? displayQuantity(value) : value;
}

function isDecimal(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}
