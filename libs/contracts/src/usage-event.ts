/**
 * One usage event: the HTTP body of POST /v1/events, an item of a batch or backfill, and the
 * JSON value of a message on TOPICS.usageEvents (key = customer_id) alike.
 */
export interface UsageEventMessage {
  customer_id: string;
  subscription_id?: string | null;
  metric_key: string;
  /** Decimal string (numbers accepted when exact); may be absent for `count` metrics. */
  value?: string | number | null;
  /** RFC 3339 with an offset. */
  timestamp: string;
  /** 1-255 characters; globally unique for ever: the first event with a key wins. */
  idempotency_key: string;
  properties?: Record<string, unknown>;
}

export const MAX_BATCH_EVENTS = 500;
export const MAX_BACKFILL_EVENTS = 5000;
/** Events may be at most this far in the future. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
