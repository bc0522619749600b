import { createHash } from 'node:crypto';
import type { WebhookEventType } from '@abaxus/domain/webhooks/webhook-event-types';

/**
 * One event for the webhook endpoints. `id` is the Standard Webhooks message id (the
 * `webhook-id` of every attempt to every endpoint) and is derived from the fact behind the event,
 * so a fact delivered twice by the bus records one event. `customerId` orders the deliveries.
 */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  customerId: string | null;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** A stable event id from the identity of its source (an upstream event id, a dead letter's position). */
export function webhookEventId(source: string): string {
  return `evt_${createHash('sha256').update(source).digest('hex').slice(0, 32)}`;
}

/** The body every endpoint receives for the event (Standard Webhooks payload: type, timestamp, data). */
export function webhookPayload(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });
}
