/**
 * Every topic the engine uses, named once. The bus adds the deployment's ABAXUS_TOPIC_PREFIX.
 * Keys: usage events by customer_id; catalog events by the entity id; invoices by customer id.
 */
export const TOPICS = {
  /** Usage events: the public ingestion topic (Kafka producers may publish here directly); values are UsageEventMessage (libs/usage-events). */
  usageEvents: 'abaxus.usage.events',
  /**
   * Usage events that failed validation, with the reason in the `abaxus-error` header: those
   * consumed from the usage topic, and those refused in a batch request.
   */
  usageEventsDeadLetter: 'abaxus.usage.events.dlq',
  /** Metric, plan version, customer and subscription changes, for the read copies of other services. */
  catalogEvents: 'abaxus.catalog.events',
  /** Invoice lifecycle events (issued, paid, payment_failed, archived, voided) and credit_note.issued. */
  invoiceEvents: 'abaxus.invoice.events',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

/** Header carrying the reason a message went to a dead-letter topic. */
export const DEAD_LETTER_REASON_HEADER = 'abaxus-error';

/**
 * Header of a dead letter written for an event refused in a batch request (POST /v1/events/batch)
 * rather than consumed from the topic: the refusal's own id (such a letter has no source position).
 */
export const REJECTION_ID_HEADER = 'abaxus-rejection-id';
