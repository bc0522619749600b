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

/** Credit facts on TOPICS.invoiceEvents, keyed by customer id (webhook event `credits.balance_low`). */
export interface CreditEventEnvelope {
  event_id: string;
  type: 'credits.balance_low';
  occurred_at: string;
  data: { customer_id: string; currency: string; balance: string };
}
