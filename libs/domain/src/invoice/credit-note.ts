import Big from 'big.js';
import { minorUnitOf } from '../money/currency';
import { formatAmount, parseDecimal } from '../money/decimal';
import type { InvoiceStatus } from './invoice-lifecycle';
import { IDEMPOTENCY_KEY_TRUSTED_MS } from './payment-attempt';

/*
 * Credit notes (contract Part II §6), as pure rules: what may be credited on an invoice and how
 * the credit is settled. Every credit is bounded by what is left of the invoice's total (credit
 * notes together never exceed it) and, for a line credit, by what is left of that line.
 */

export const CREDIT_NOTE_REASONS = ['duplicate', 'product_unsatisfactory', 'order_change', 'other'] as const;
export type CreditNoteReason = (typeof CREDIT_NOTE_REASONS)[number];

/**
 * How a credit note gives the money back: on an unpaid invoice it lowers the amount due; on a
 * paid one it is refunded to the card (Stripe Refund) or added to the customer's credit balance.
 */
export type CreditNoteSettlement = 'amount_due' | 'refund' | 'credit_balance';

/** A line item is named by its position in the invoice's `line_items`: `li_0` is the first. */
export function lineItemId(index: number): string {
  return `li_${index}`;
}

export function lineItemIndex(id: unknown): number | undefined {
  const match = typeof id === 'string' ? /^li_(0|[1-9]\d{0,5})$/.exec(id) : null;
  return match ? Number(match[1]) : undefined;
}

/** What is left to credit of an amount already partly credited, never below zero. */
export function remainingCreditable(amount: Big, credited: Big): Big {
  const left = amount.minus(credited);
  return left.lt(0) ? new Big(0) : left;
}

/** What the customer still owes on an invoice: its total less what was credited before payment. */
export function amountDue(total: Big, prePaymentCredited: Big): Big {
  return remainingCreditable(total, prePaymentCredited);
}

export interface CreditableLine {
  amount: Big;
  /** Credited on this line by earlier credit notes. */
  credited: Big;
}

export interface CreditableInvoice {
  currency: string;
  total: Big;
  /** Credited on the invoice by earlier credit notes, lines and lump sums together. */
  credited: Big;
  lines: readonly CreditableLine[];
}

export type CreditRequest = { amount: unknown } | { lineItems: ReadonlyArray<{ line_item_id: unknown; amount: unknown }> };

export interface CreditAllocation {
  amount: Big;
  /** Empty for a lump-sum credit. */
  lines: Array<{ index: number; amount: Big }>;
}

export type CreditAllocationResult =
  | { ok: true; allocation: CreditAllocation }
  /** 400: the request itself is malformed; 422: well formed but more than may be credited. */
  | { ok: false; status: 400 | 422; code: string; field: string; message: string };

/** A credit amount: a positive decimal with no more fractional digits than the currency's minor unit. */
export function parseCreditAmount(input: unknown, currency: string): { ok: true; value: Big } | { ok: false; message: string } {
  const digits = minorUnitOf(currency);
  const parsed = parseDecimal(input, { maxFractionDigits: digits });
  if (!parsed.ok) {
    return { ok: false, message: parsed.message.includes('fractional digits') ? `${parsed.message} (${currency} has ${digits})` : parsed.message };
  }
  if (parsed.value.eq(0)) return { ok: false, message: 'must be greater than zero' };
  return parsed;
}

/**
 * Checks a credit against what is left of the invoice and of each line it names. Either one
 * amount for the invoice as a whole, or amounts per line item (each line named once).
 */
export function allocateCredit(invoice: CreditableInvoice, request: CreditRequest): CreditAllocationResult {
  const { currency } = invoice;
  const money = (value: Big) => `${formatAmount(value, currency)} ${currency}`;
  const refuse = (status: 400 | 422, code: string, field: string, message: string): CreditAllocationResult => ({ ok: false, status, code, field, message });

  let allocation: CreditAllocation;
  if ('amount' in request) {
    const amount = parseCreditAmount(request.amount, currency);
    if (!amount.ok) return refuse(400, 'validation_failed', 'amount', amount.message);
    allocation = { amount: amount.value, lines: [] };
  } else {
    if (request.lineItems.length === 0) return refuse(400, 'validation_failed', 'line_items', 'must name at least one line item');
    const lines: CreditAllocation['lines'] = [];
    for (const [position, item] of request.lineItems.entries()) {
      const field = `line_items[${position}]`;
      const index = lineItemIndex(item.line_item_id);
      if (index === undefined || index >= invoice.lines.length) {
        return refuse(
          422,
          'unknown_line_item',
          `${field}.line_item_id`,
          `is not a line item of this invoice (it has ${invoice.lines.length}: li_0 to li_${invoice.lines.length - 1})`,
        );
      }
      if (lines.some((line) => line.index === index)) return refuse(400, 'validation_failed', `${field}.line_item_id`, 'names a line item twice');
      const amount = parseCreditAmount(item.amount, currency);
      if (!amount.ok) return refuse(400, 'validation_failed', `${field}.amount`, amount.message);
      const line = invoice.lines[index];
      const left = remainingCreditable(line.amount, line.credited);
      if (amount.value.gt(left)) {
        return refuse(
          422,
          'line_credit_exceeds_remaining',
          `${field}.amount`,
          `${money(amount.value)} is more than is left to credit on line ${lineItemId(index)} (${money(left)} of ${money(line.amount)})`,
        );
      }
      lines.push({ index, amount: amount.value });
    }
    allocation = { amount: lines.reduce((sum, line) => sum.plus(line.amount), new Big(0)), lines };
  }

  const left = remainingCreditable(invoice.total, invoice.credited);
  if (allocation.amount.gt(left)) {
    return refuse(
      422,
      'credit_exceeds_remaining',
      'lineItems' in request ? 'line_items' : 'amount',
      `${money(allocation.amount)} is more than is left to credit on the invoice (${money(left)} of its total ${money(invoice.total)})`,
    );
  }
  return { ok: true, allocation };
}

export type SettlementResult = { ok: true; settlement: CreditNoteSettlement } | { ok: false; status: 409 | 422; code: string; field?: string; message: string };

/**
 * How a credit note on an invoice in this state is settled: an issued invoice's amount due goes
 * down (there is nothing to refund yet); a paid invoice is refunded or credits the balance.
 * Voided and archived invoices are closed to corrections.
 */
export function creditNoteSettlement(status: InvoiceStatus, refund: boolean): SettlementResult {
  if (status === 'issued') {
    return refund
      ? {
          ok: false,
          status: 422,
          code: 'nothing_to_refund',
          field: 'refund',
          message: 'the invoice is not paid, so nothing can be refunded; send refund: false to lower its amount due',
        }
      : { ok: true, settlement: 'amount_due' };
  }
  if (status === 'paid') return { ok: true, settlement: refund ? 'refund' : 'credit_balance' };
  return { ok: false, status: 409, code: 'invoice_not_creditable', message: `a credit note needs an issued or paid invoice; this one is ${status}` };
}

/** What to ask Stripe about a refund still pending: read it, send the same request again, or look it up. */
export type RefundCall = 'read' | 'send' | 'look_up';

/**
 * A known Refund is read. Otherwise the same request goes again with the same idempotency key
 * while Stripe surely remembers it (it replays the first answer: never a second Refund); past
 * that, the Refund is looked up by the credit note's metadata first, and sent only if there is none.
 */
export function refundCall(refundId: string | null, createdAt: Date, now: Date): RefundCall {
  if (refundId !== null) return 'read';
  return now.getTime() - createdAt.getTime() >= IDEMPOTENCY_KEY_TRUSTED_MS ? 'look_up' : 'send';
}
