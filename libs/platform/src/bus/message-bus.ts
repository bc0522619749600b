/**
 * The message bus port every service uses. Two adapters: Kafka (distributed mode) and an
 * append-only PostgreSQL log (embedded mode). Both give at-least-once delivery, ordered per key,
 * and commit a group's position only after its handler resolved; handlers make their effect
 * idempotent (dedup inside their own database transaction), which turns that into exactly-once.
 */
export interface OutgoingMessage {
  /** Logical topic name from TOPICS; the adapter adds the deployment's prefix. */
  topic: string;
  key: string;
  value: string;
  /**
   * Adapters add `x-request-id` (the request being handled) unless it is set. A publisher that
   * gathers messages of several requests into one publish sets it on each message it makes.
   */
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Position in the partition, as a decimal string (Kafka offsets are 64-bit). */
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** When the bus stored the message (ISO 8601, UTC). */
  timestamp: string;
  /**
   * Set when the bus could not decode the message (e.g. its compressed batch): why. Key and value
   * are then empty; the handler dead-letters or skips it rather than retrying it for ever.
   */
  undecodable?: string;
}

export interface SubscriptionOptions {
  /** Consumer group; each group sees every message once (at least once) in key order. */
  groupId: string;
  topics: string[];
  /**
   * Called with a batch of messages of one partition, in order. The batch is committed only when
   * this resolves; if it throws, the same messages are delivered again later. Its log lines
   * carry the request ids of the batch's messages.
   */
  handleBatch(messages: IncomingMessage[]): Promise<void>;
  maxBatchSize?: number;
  /**
   * How many partitions may be handled at once (default 1); batches of one partition always run
   * one after the other. Adapters with a single partition ignore it.
   */
  partitionConcurrency?: number;
}

export interface BusSubscription {
  stop(): Promise<void>;
}

/** The bus cannot take writes now (unreachable, or no acknowledgement in time); retrying later may work. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
}

export abstract class MessageBus {
  /**
   * Resolves once every message is durable (Kafka acks=all, or committed in PostgreSQL). Rejects
   * within a bounded time (Kafka: publishTimeoutMs) when it cannot be, with BusUnavailableError.
   */
  abstract publish(messages: OutgoingMessage[]): Promise<void>;
  /** Resolves once the subscription is set up to run; Kafka joins the group in the background. */
  abstract subscribe(options: SubscriptionOptions): Promise<BusSubscription>;
  /**
   * The next offset to be written in each partition of a topic, keyed by partition. Everything
   * acknowledged before this call lies below it: read-your-writes waits for consumers to pass it.
   */
  abstract endOffsets(topic: string): Promise<Map<number, string>>;
  /** Throws when the bus cannot be reached; used by readiness checks. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
