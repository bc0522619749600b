import Big from 'big.js';
import type { CreditNoteReason, CreditNoteSettlement } from '@abaxus/domain/invoice/credit-note';
import type { ChargeModel } from '@abaxus/domain/pricing/models/registry';
import { formatAmount } from '@abaxus/domain/money/decimal';
import type { IssuedDocumentSnapshot } from '../documents/issued-document-snapshot';

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/** One credited line: the invoice line it names, as that line was issued, and the amount credited on it. */
export interface CreditNoteLineJson {
  line_item_id: string;
  metric_key: string | null;
  model: ChargeModel;
  /** The invoice line's amount. */
  line_amount: string;
  amount: string;
}

/** The refund to the card a credit note on a paid invoice made (settlement `refund`). */
export interface CreditNoteRefundJson {
  status: RefundStatus;
  amount: string;
  payment_intent: string;
  stripe_refund_id: string | null;
  failure_message: string | null;
}

export interface CreditNoteJson {
  id: string;
  number: string;
  invoice_id: string;
  invoice_number: string;
  customer_id: string;
  currency: string;
  amount: string;
  reason: CreditNoteReason;
  memo: string | null;
  settlement: CreditNoteSettlement;
  /** Empty when the credit is one amount on the invoice as a whole. */
  line_items: CreditNoteLineJson[];
  refund: CreditNoteRefundJson | null;
  sent_at: string | null;
  created_at: string;
}

/** As stored: `lines` and `document` are jsonb, read as objects. */
export interface CreditNoteRow {
  id: string;
  sequence: string;
  number: string;
  invoice_id: string;
  invoice_number: string;
  customer_id: string;
  currency: string;
  amount: string;
  reason: CreditNoteReason;
  memo: string | null;
  settlement: CreditNoteSettlement;
  lines: CreditNoteLineJson[];
  document: IssuedDocumentSnapshot;
  refund_status: RefundStatus | null;
  refund_idempotency_key: string | null;
  refund_amount_minor: string | null;
  refund_payment_intent: string | null;
  stripe_refund_id: string | null;
  refund_failure: string | null;
  sent_at: Date | null;
  created_at: Date;
}

export function creditNoteToJson(row: CreditNoteRow): CreditNoteJson {
  const amount = formatAmount(new Big(row.amount), row.currency);
  return {
    id: row.id,
    number: row.number,
    invoice_id: row.invoice_id,
    invoice_number: row.invoice_number,
    customer_id: row.customer_id,
    currency: row.currency,
    amount,
    reason: row.reason,
    memo: row.memo,
    settlement: row.settlement,
    line_items: row.lines,
    refund:
      row.refund_status === null
        ? null
        : {
            status: row.refund_status,
            amount,
            payment_intent: row.refund_payment_intent!,
            stripe_refund_id: row.stripe_refund_id,
            failure_message: row.refund_failure,
          },
    sent_at: row.sent_at ? row.sent_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
  };
}
