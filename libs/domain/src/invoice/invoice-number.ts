/*
 * Invoice numbers: one gapless sequence per deployment, shown as "INV-000042" (zero-padded to six
 * digits so they sort as text in spreadsheets up to a million invoices, then simply grow). The
 * prefix is the issuer's choice (settings `invoice.number_prefix`); the sequence goes on across
 * a change of prefix, so numbers stay unique and gapless.
 */
export const DEFAULT_INVOICE_NUMBER_PREFIX = 'INV';
/** Like Stripe's invoice prefixes: upper-case letters and digits, 1 to 12 of them. */
export const INVOICE_NUMBER_PREFIX_PATTERN = /^[A-Z0-9]{1,12}$/;
const MIN_DIGITS = 6;

export function formatInvoiceNumber(sequence: number | bigint | string, prefix: string = DEFAULT_INVOICE_NUMBER_PREFIX): string {
  const text = String(sequence);
  if (!/^[1-9]\d*$/.test(text)) throw new RangeError(`invoice sequence must be a positive integer, got ${text}`);
  if (!INVOICE_NUMBER_PREFIX_PATTERN.test(prefix)) throw new RangeError(`invoice number prefix must be 1 to 12 upper-case letters or digits, got ${prefix}`);
  return `${prefix}-${text.padStart(MIN_DIGITS, '0')}`;
}

/** The sequence behind a number made by formatInvoiceNumber (any prefix), or undefined for anything else. */
export function parseInvoiceNumber(number: string): bigint | undefined {
  const match = /^[A-Z0-9]{1,12}-(\d+)$/.exec(number);
  return match && /[1-9]/.test(match[1]) ? BigInt(match[1]) : undefined;
}
