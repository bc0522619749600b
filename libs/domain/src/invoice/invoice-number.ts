/*
 * Invoice numbers: one gapless sequence per deployment, shown as "INV-000042" (zero-padded to six
 * digits so they sort as text in spreadsheets up to a million invoices, then simply grow).
 */
const PREFIX = 'INV-';
const MIN_DIGITS = 6;

export function formatInvoiceNumber(sequence: number | bigint | string): string {
  const text = String(sequence);
  if (!/^[1-9]\d*$/.test(text)) throw new RangeError(`invoice sequence must be a positive integer, got ${text}`);
  return `${PREFIX}${text.padStart(MIN_DIGITS, '0')}`;
}

/** The sequence behind a number made by formatInvoiceNumber, or undefined for anything else. */
export function parseInvoiceNumber(number: string): bigint | undefined {
  const match = /^INV-(\d+)$/.exec(number);
  return match && /[1-9]/.test(match[1]) ? BigInt(match[1]) : undefined;
}
