import { randomUUID } from 'node:crypto';
import type { InvoiceEventEnvelope } from '@abaxus/contracts/invoice-events';
import { TOPICS } from '@abaxus/contracts/topics';
import type { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import type { InvoiceStatus } from '@abaxus/domain/invoice/invoice-lifecycle';

export interface InvoiceEventFacts {
  id: string;
  number: string;
  customer_id: string;
  currency: string;
  total_amount: string;
}

/** An invoice lifecycle event, keyed by customer so one customer's events stay in order. */
export function invoiceEventMessage(
  type: InvoiceEventEnvelope['type'],
  invoice: InvoiceEventFacts,
  status: InvoiceStatus,
  occurredAt: Date,
  extra: { payment_intent?: string; failure_code?: string } = {},
): OutgoingMessage {
  const envelope: InvoiceEventEnvelope = {
    event_id: randomUUID(),
    type,
    occurred_at: occurredAt.toISOString(),
    data: {
      invoice_id: invoice.id,
      number: invoice.number,
      customer_id: invoice.customer_id,
      status,
      currency: invoice.currency,
      total_amount: invoice.total_amount,
      ...extra,
    },
  };
  return { topic: TOPICS.invoiceEvents, key: invoice.customer_id, value: JSON.stringify(envelope) };
}
