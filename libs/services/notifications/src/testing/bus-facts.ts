import { randomUUID } from 'node:crypto';
import type { CatalogEventEnvelope, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { CreditNoteEventEnvelope, InvoiceEventEnvelope } from '@abaxus/contracts/invoice-events';
import { DEAD_LETTER_REASON_HEADER, TOPICS } from '@abaxus/contracts/topics';
import type { OutgoingMessage } from '@abaxus/platform/bus/message-bus';

let invoiceNumber = 0;

/** An invoice lifecycle fact as the invoicing service publishes it (keyed by customer). */
export function invoiceFact(
  customerId: string,
  type: InvoiceEventEnvelope['type'] = 'invoice.issued',
  data: Partial<InvoiceEventEnvelope['data']> = {},
): { message: OutgoingMessage; envelope: InvoiceEventEnvelope } {
  invoiceNumber += 1;
  const envelope: InvoiceEventEnvelope = {
    event_id: randomUUID(),
    type,
    occurred_at: new Date().toISOString(),
    data: {
      invoice_id: `inv_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      number: `INV-${String(invoiceNumber).padStart(6, '0')}`,
      customer_id: customerId,
      status: type === 'invoice.paid' ? 'paid' : 'issued',
      currency: 'USD',
      total_amount: '47.50',
      ...data,
    },
  };
  return { message: { topic: TOPICS.invoiceEvents, key: customerId, value: JSON.stringify(envelope) }, envelope };
}

/** A credit note fact as the invoicing service publishes it, on the invoice events topic. */
export function creditNoteFact(customerId: string): { message: OutgoingMessage; envelope: CreditNoteEventEnvelope } {
  const envelope: CreditNoteEventEnvelope = {
    event_id: randomUUID(),
    type: 'credit_note.issued',
    occurred_at: new Date().toISOString(),
    data: {
      credit_note_id: `cn_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      number: 'CN-000001',
      invoice_id: `inv_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      invoice_number: 'INV-000001',
      customer_id: customerId,
      currency: 'USD',
      amount: '10.00',
      reason: 'duplicate',
      settlement: 'refund',
    },
  };
  return { message: { topic: TOPICS.invoiceEvents, key: customerId, value: JSON.stringify(envelope) }, envelope };
}

/** A subscription cancellation as the catalog publishes it. */
export function subscriptionCanceledFact(subscription: SubscriptionRecord): OutgoingMessage {
  const envelope: CatalogEventEnvelope = { type: 'subscription.canceled', data: subscription, event_id: randomUUID(), occurred_at: new Date().toISOString() };
  return { topic: TOPICS.catalogEvents, key: subscription.id, value: JSON.stringify(envelope) };
}

/** A dead letter as aggregation writes it: the refused message unchanged, its reason and source position in headers. */
export function deadLetterFact(value: string, key: string, reason: string, source: { partition: number; offset: string }): OutgoingMessage {
  return {
    topic: TOPICS.usageEventsDeadLetter,
    key,
    value,
    headers: {
      [DEAD_LETTER_REASON_HEADER]: reason,
      'abaxus-source-topic': TOPICS.usageEvents,
      'abaxus-source-partition': String(source.partition),
      'abaxus-source-offset': source.offset,
    },
  };
}
