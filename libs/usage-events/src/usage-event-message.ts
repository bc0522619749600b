import { JSONSchemaType } from 'ajv';
import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';
import type { ValidUsageEvent } from './usage-event-rules';

/**
 * One usage event on the wire, defined once: the body of POST /v1/events, an item of a batch or a
 * backfill, and the JSON value of a message on TOPICS.usageEvents (key = customer_id), whether the
 * ingestion service published it or a Kafka producer did. Every path reads it against
 * USAGE_EVENT_MESSAGE_SCHEMA (checkEventShape); the ingestion service writes it with
 * usageEventMessageJson.
 */
export interface UsageEventMessage {
  customer_id: string;
  subscription_id?: string | null;
  metric_key: string;
  /** Decimal string (numbers accepted when exact); may be absent for `count` metrics. */
  value?: string | number | null;
  /** RFC 3339 with an offset. */
  timestamp: string;
  /** 1-255 characters; unique for ever: the first event with a key wins. */
  idempotency_key: string;
  properties?: Record<string, unknown> | null;
}

/** Events may be at most this far in the future. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export const MAX_ID_LENGTH = 255;
export const MAX_TIMESTAMP_LENGTH = 64;

/** The message's fields and their types; typed against UsageEventMessage, so neither can drift. */
export const USAGE_EVENT_MESSAGE_SCHEMA: JSONSchemaType<UsageEventMessage> = {
  type: 'object',
  additionalProperties: false,
  required: ['customer_id', 'metric_key', 'timestamp', 'idempotency_key'],
  properties: {
    customer_id: { type: 'string', pattern: CLIENT_ID_PATTERN.source },
    subscription_id: { type: 'string', nullable: true, minLength: 1, maxLength: MAX_ID_LENGTH },
    metric_key: { type: 'string', pattern: CLIENT_ID_PATTERN.source },
    value: { type: ['string', 'number'], nullable: true },
    timestamp: { type: 'string', maxLength: MAX_TIMESTAMP_LENGTH },
    idempotency_key: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
    properties: { type: 'object', nullable: true, required: [] },
  },
};

/**
 * The message of an accepted event, normalised (canonical value, UTC timestamp), as the JSON the
 * ingestion service publishes. Absent optional fields are left out.
 */
export function usageEventMessageJson(event: ValidUsageEvent): string {
  const message: UsageEventMessage = {
    customer_id: event.customerId,
    // undefined: JSON.stringify leaves the field out
    subscription_id: event.subscriptionId ?? undefined,
    metric_key: event.metricKey,
    value: event.value ?? undefined,
    timestamp: event.instant.iso,
    idempotency_key: event.idempotencyKey,
  };
  const json = JSON.stringify(message);
  // `properties` was serialized once during validation: spliced in, not parsed and written again.
  return event.propertiesJson === null ? json : `${json.slice(0, -1)},"properties":${event.propertiesJson}}`;
}
