import Big from 'big.js';

/*
 * Reads the table of an invoice PDF back from its text (pdftotext -layout), so tests can re-add
 * it as an auditor would: every line with its tier sub-lines, and the totals.
 */

export interface ReadTier {
  range: string;
  quantity: string;
  unitPrice: string;
  flatAmount: string;
  amount: string;
}

export interface ReadLine {
  description: string;
  quantity: string;
  amount: string;
  tiers: ReadTier[];
}

export interface ReadInvoice {
  lines: ReadLine[];
  /** Label → amount, in order ("Subtotal", "Total", "Amount due (USD)", …). */
  totals: Map<string, string>;
}

const FIGURE = '-?[\\d,]+(?:\\.\\d+)?';
const LINE_ROW = new RegExp(`^(\\S.*?)\\s{2,}(${FIGURE})\\s{2,}(${FIGURE})\\s*$`);
const TIER_ROW = new RegExp(`^\\s+(Units .+?)\\s{2,}(${FIGURE})\\s+(${FIGURE})\\s+(${FIGURE})\\s+(${FIGURE})\\s*$`);
const TOTAL_ROW = new RegExp(`^\\s+(\\S.*?)\\s{2,}(${FIGURE})\\s*$`);

export function readInvoiceTable(text: string): ReadInvoice {
  const lines: ReadLine[] = [];
  const totals = new Map<string, string>();
  let inTable = false;
  for (const row of text.split('\n')) {
    if (/^Description\s+Quantity\s+Unit price\s+Flat amount\s+Amount/.test(row)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    let match: RegExpExecArray | null;
    if ((match = TIER_ROW.exec(row))) {
      const [, range, quantity, unitPrice, flatAmount, amount] = match;
      lines.at(-1)!.tiers.push({ range: range.replace(/^Units /, ''), quantity, unitPrice, flatAmount, amount });
    } else if ((match = LINE_ROW.exec(row))) {
      lines.push({ description: match[1], quantity: match[2], amount: match[3], tiers: [] });
    } else if ((match = TOTAL_ROW.exec(row))) {
      totals.set(match[1], match[2]);
    }
  }
  return { lines, totals };
}

/** A printed figure as a Big ("1,234.50" → 1234.5). */
export const figure = (printed: string) => new Big(printed.replace(/,/g, ''));
