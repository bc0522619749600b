/**
 * The event types an outbound webhook endpoint may subscribe to (API contract, section 9).
 * `subscription.changed` and `credits.balance_low` are accepted already; they are delivered once
 * the facts behind them exist on the bus.
 */
export const WEBHOOK_EVENT_TYPES = [
  'invoice.issued',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.voided',
  'credit_note.issued',
  'subscription.changed',
  'subscription.canceled',
  'usage.alert_triggered',
  'credits.balance_low',
  'events.rejected',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
