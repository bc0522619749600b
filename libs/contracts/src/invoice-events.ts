/** Messages on TOPICS.invoiceEvents, keyed by customer id, for consumers outside the engine. */
export interface InvoiceEventEnvelope {
  event_id: string;
  type: 'invoice.issued' | 'invoice.paid' | 'invoice.payment_failed' | 'invoice.archived' | 'invoice.voided';
  occurred_at: string;
  data: {
    invoice_id: string;
    number: string;
    customer_id: string;
    status: string;
    currency: string;
    total_amount: string;
    payment_intent?: string;
    failure_code?: string;
  };
}

/**
 * A credit note issued on an invoice (Part II §6), on TOPICS.invoiceEvents beside the invoice's
 * own facts and keyed by customer as they are. Amounts are decimal strings in the invoice currency.
 */
export interface CreditNoteEventEnvelope {
  event_id: string;
  type: 'credit_note.issued';
  occurred_at: string;
  data: {
    credit_note_id: string;
    number: string;
    invoice_id: string;
    invoice_number: string;
    customer_id: string;
    currency: string;
    amount: string;
    reason: string;
    /** amount_due (lowered an unpaid invoice), refund (to the card) or credit_balance. */
    settlement: string;
  };
}

/** Everything on TOPICS.invoiceEvents. */
export type InvoicingEventEnvelope = InvoiceEventEnvelope | CreditNoteEventEnvelope;
