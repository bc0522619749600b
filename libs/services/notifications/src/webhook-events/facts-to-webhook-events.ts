import type { CatalogEventEnvelope } from '@abaxus/contracts/catalog-events';
import type { InvoicingEventEnvelope } from '@abaxus/contracts/invoice-events';
import { DEAD_LETTER_REASON_HEADER, REJECTION_ID_HEADER, TOPICS } from '@abaxus/contracts/topics';
import { isWebhookEventType } from '@abaxus/domain/webhooks/webhook-event-types';
import type { IncomingMessage } from '@abaxus/platform/bus/message-bus';
import { WebhookEvent, webhookEventId } from './webhook-event';

/** Longest rejected message body carried in an events.rejected payload. */
export const MAX_REJECTED_BODY_CHARS = 65_536;

/**
 * The webhook event a fact on the bus stands for, or null when it is of no interest to
 * endpoints: invoice lifecycle events and credit_note.issued as they are, the catalog's subscription changes, and every
 * dead-lettered usage event as `events.rejected`.
 */
export function webhookEventOf(message: IncomingMessage): WebhookEvent | null {
  if (message.topic === TOPICS.invoiceEvents) return fromInvoiceEvent(message);
  if (message.topic === TOPICS.catalogEvents) return fromCatalogEvent(message);
  if (message.topic === TOPICS.usageEventsDeadLetter) return fromDeadLetter(message);
  return null;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function instant(text: unknown, fallback: string): Date {
  const parsed = typeof text === 'string' ? new Date(text) : new Date(Number.NaN);
  return Number.isNaN(parsed.getTime()) ? new Date(fallback) : parsed;
}

function fromInvoiceEvent(message: IncomingMessage): WebhookEvent | null {
  const envelope = parseObject(message.value) as Partial<InvoicingEventEnvelope> | null;
  if (!envelope || typeof envelope.event_id !== 'string' || !isWebhookEventType(envelope.type) || !envelope.data) return null;
  return {
    id: webhookEventId(`invoicing:${envelope.event_id}`),
    type: envelope.type,
    customerId: typeof envelope.data.customer_id === 'string' ? envelope.data.customer_id : null,
    occurredAt: instant(envelope.occurred_at, message.timestamp),
    data: { ...envelope.data },
  };
}

function fromCatalogEvent(message: IncomingMessage): WebhookEvent | null {
  const envelope = parseObject(message.value) as Partial<CatalogEventEnvelope> | null;
  if (!envelope || typeof envelope.event_id !== 'string' || !envelope.data) return null;
  const type = envelope.type as string;
  if (type !== 'subscription.canceled' && type !== 'subscription.changed') return null;
  const data = envelope.data as unknown as Record<string, unknown>;
  return {
    id: webhookEventId(`catalog:${envelope.event_id}`),
    type,
    customerId: typeof data.customer_id === 'string' ? data.customer_id : null,
    occurredAt: instant(envelope.occurred_at, message.timestamp),
    data: { ...data },
  };
}

/**
 * A dead letter: the refused message as it was (parsed when it is JSON, else its text, cut at
 * MAX_REJECTED_BODY_CHARS) and the reason. Identified by the refusal id ingestion gives a batch
 * refusal, else by the source position aggregation records (one dead letter per source message),
 * else by its own position.
 */
function fromDeadLetter(message: IncomingMessage): WebhookEvent {
  const headers = message.headers;
  const identity =
    headers[REJECTION_ID_HEADER] !== undefined
      ? `rejection:${headers[REJECTION_ID_HEADER]}`
      : headers['abaxus-source-topic'] !== undefined
        ? `dead-letter:${headers['abaxus-source-topic']}:${headers['abaxus-source-partition']}:${headers['abaxus-source-offset']}`
        : `dead-letter-message:${message.topic}:${message.partition}:${message.offset}`;
  const body = parseObject(message.value);
  const customerId = typeof body?.customer_id === 'string' ? body.customer_id : message.key ? message.key : null;
  const truncated = message.value.length > MAX_REJECTED_BODY_CHARS;
  return {
    id: webhookEventId(identity),
    type: 'events.rejected',
    customerId,
    occurredAt: new Date(message.timestamp),
    data: {
      source: headers[REJECTION_ID_HEADER] !== undefined ? 'batch' : 'dead_letter',
      reason: headers[DEAD_LETTER_REASON_HEADER] ?? 'unknown',
      customer_id: customerId,
      idempotency_key: typeof body?.idempotency_key === 'string' ? body.idempotency_key : null,
      ...(body && !truncated ? { event: body } : { raw: truncated ? message.value.slice(0, MAX_REJECTED_BODY_CHARS) : message.value, truncated }),
    },
  };
}
