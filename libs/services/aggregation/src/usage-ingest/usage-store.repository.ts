import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { AggregationType, SerializedAggregationState } from '@abaxus/domain/aggregation/aggregation-state';
import { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { appendToOutbox } from '@abaxus/platform/bus/outbox-relay';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { AggregateRow, stateAggregateSql } from '../hourly-buckets/aggregate-sql';
import { ALL_DIMENSION_VALUES_KEY, BucketKey, bucketId, TouchedBucket } from '../hourly-buckets/hourly-buckets';
import { AGGREGATION_OUTBOX } from './dead-letters';

export interface StoredEvent extends ValidUsageEvent {
  /** Ingestion sequence (bigint as a decimal string): breaks timestamp ties for `latest`. */
  seq: string;
}

export interface BucketStateRow extends BucketKey {
  state: SerializedAggregationState;
}

export interface ConsumerPosition {
  topic: string;
  partition: number;
  nextOffset: string;
}

/** Deadlocks and serialization failures are resolved by running the transaction again. */
const RETRYABLE_CODES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/**
 * The writes of the events store, always inside one transaction opened by `transaction`: events
 * with their idempotency keys, hourly bucket states (the database keeps their daily rollups), and
 * the consumer's position.
 */
export class UsageStoreTransaction {
  constructor(private readonly runner: QueryRunner) {}

  /**
   * Marks the keys seen and stores the events whose key was new, in one statement; returns those
   * events with their ingestion sequence (assigned in input order). Keys must be distinct.
   */
  async insertNewEvents(events: ValidUsageEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const rows: Array<{ idempotency_key: string; seq: string }> = await this.runner.query(
      `WITH input AS MATERIALIZED (
         SELECT t.*, nextval('aggregation.event_seq') AS seq
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[]) WITH ORDINALITY
           AS t(idempotency_key, customer_id, subscription_id, metric_key, value, ts, properties, ord)
       ), new_keys AS (
         INSERT INTO aggregation.usage_event_keys (key) SELECT idempotency_key FROM input ORDER BY ord
         ON CONFLICT DO NOTHING RETURNING key
       )
       INSERT INTO aggregation.events (seq, idempotency_key, customer_id, subscription_id, metric_key, value, ts, properties)
       SELECT i.seq, i.idempotency_key, i.customer_id, i.subscription_id, i.metric_key, i.value, i.ts, i.properties::jsonb
       FROM input i JOIN new_keys n ON n.key = i.idempotency_key
       RETURNING idempotency_key, seq`,
      [
        events.map((e) => e.idempotencyKey),
        events.map((e) => e.customerId),
        events.map((e) => e.subscriptionId),
        events.map((e) => e.metricKey),
        events.map((e) => e.value),
        events.map((e) => e.instant.iso),
        events.map((e) => e.propertiesJson),
      ],
    );
    if (rows.length === 0) return [];
    const seqByKey = new Map(rows.map((row) => [row.idempotency_key, String(row.seq)]));
    const stored: StoredEvent[] = [];
    for (const event of events) {
      const seq = seqByKey.get(event.idempotencyKey);
      if (seq !== undefined) stored.push({ ...event, seq });
    }
    return stored;
  }

  /**
   * Creates the buckets that do not exist yet with the given states, and locks the others,
   * returning their current states (to merge into). Rows are taken in key order, which keeps
   * concurrent writers from deadlocking in most cases.
   */
  async insertOrLockBuckets(buckets: BucketStateRow[]): Promise<BucketStateRow[]> {
    if (buckets.length === 0) return [];
    const sorted = [...buckets].sort(compareBuckets);
    const rows: Array<{
      customer_id: string;
      subscription_key: string;
      metric_key: string;
      hour: Date;
      dimension_key: string;
      state: SerializedAggregationState;
      inserted: boolean;
    }> = await this.runner.query(
      `INSERT INTO aggregation.usage_hourly AS b (customer_id, subscription_key, metric_key, hour, dimension_key, state)
       SELECT t.customer_id, t.subscription_key, t.metric_key, t.hour, t.dimension_key, t.state::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) WITH ORDINALITY
         AS t(customer_id, subscription_key, metric_key, hour, dimension_key, state, ord)
       ORDER BY t.ord
       ON CONFLICT (customer_id, metric_key, hour, subscription_key, dimension_key) DO UPDATE SET state = b.state
       RETURNING b.customer_id, b.subscription_key, b.metric_key, b.hour, b.dimension_key, b.state, (b.xmax = 0) AS inserted`,
      bucketColumns(sorted),
    );
    return rows
      .filter((row) => !row.inserted)
      .map((row) => ({
        customerId: row.customer_id,
        subscriptionKey: row.subscription_key,
        metricKey: row.metric_key,
        hourMillis: row.hour.getTime(),
        dimensionKey: row.dimension_key,
        state: row.state,
      }));
  }

  async updateBuckets(buckets: BucketStateRow[]): Promise<void> {
    if (buckets.length === 0) return;
    await this.runner.query(
      `UPDATE aggregation.usage_hourly b SET state = u.state::jsonb, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS u(customer_id, subscription_key, metric_key, hour, dimension_key, state)
       WHERE b.customer_id = u.customer_id AND b.metric_key = u.metric_key AND b.hour = u.hour AND b.subscription_key = u.subscription_key
         AND b.dimension_key = u.dimension_key`,
      bucketColumns(buckets),
    );
  }

  /**
   * Aggregates, from the events table, the buckets given (all of one aggregation type). An event
   * belongs to a bucket when its string values of the metric's dimensions make the bucket's key
   * (compared as jsonb, so the key's order does not matter), and to its hour's rollup bucket.
   */
  async aggregateBuckets(type: AggregationType, buckets: TouchedBucket[]): Promise<Map<string, AggregateRow>> {
    const result = new Map<string, AggregateRow>();
    if (buckets.length === 0) return result;
    const rows: Array<AggregateRow & { customer_id: string; subscription_key: string; metric_key: string; hour: Date; dimension_key: string }> =
      await this.runner.query(
        `SELECT k.customer_id, k.subscription_key, k.metric_key, k.hour, k.dimension_key, ${stateAggregateSql(type)}
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])
           AS k(customer_id, subscription_key, metric_key, hour, dimension_key, dimensions)
         JOIN aggregation.events e
           ON e.customer_id = k.customer_id AND e.metric_key = k.metric_key AND coalesce(e.subscription_id, '') = k.subscription_key
          AND e.ts >= k.hour AND e.ts < k.hour + interval '1 hour'
          AND CASE WHEN k.dimension_key = '${ALL_DIMENSION_VALUES_KEY}' THEN TRUE
                   ELSE (SELECT coalesce(jsonb_object_agg(d, e.properties -> d), '{}') FROM jsonb_array_elements_text(k.dimensions::jsonb) AS d
                         WHERE jsonb_typeof(e.properties -> d) = 'string') = k.dimension_key::jsonb END
         GROUP BY k.customer_id, k.subscription_key, k.metric_key, k.hour, k.dimension_key`,
        [
          buckets.map((b) => b.customerId),
          buckets.map((b) => b.subscriptionKey),
          buckets.map((b) => b.metricKey),
          buckets.map((b) => new Date(b.hourMillis).toISOString()),
          buckets.map((b) => b.dimensionKey),
          buckets.map((b) => JSON.stringify(b.dimensions)),
        ],
      );
    for (const row of rows) {
      const key = {
        customerId: row.customer_id,
        subscriptionKey: row.subscription_key,
        metricKey: row.metric_key,
        hourMillis: row.hour.getTime(),
        dimensionKey: row.dimension_key,
      };
      result.set(bucketId(key), row);
    }
    return result;
  }

  /** Messages the outbox relay publishes once this transaction committed (dead letters). */
  async appendToOutbox(messages: OutgoingMessage[]): Promise<void> {
    await appendToOutbox(this.runner.manager, AGGREGATION_OUTBOX, messages);
  }

  async savePosition(position: ConsumerPosition): Promise<void> {
    await this.runner.query(
      `INSERT INTO aggregation.consumer_positions (topic, partition, next_offset) VALUES ($1, $2, $3)
       ON CONFLICT (topic, partition) DO UPDATE
       SET next_offset = GREATEST(aggregation.consumer_positions.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      [position.topic, position.partition, position.nextOffset],
    );
  }
}

/** Owns the SQL that writes the events store (partitions, transactions). */
@Injectable()
export class UsageStoreRepository {
  private readonly logger = new Logger(UsageStoreRepository.name);
  private readonly knownPartitions = new Set<string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction, again from the start after a deadlock or serialization failure. */
  async transaction<T>(work: (tx: UsageStoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const result = await work(new UsageStoreTransaction(runner));
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        const code = (error as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE_CODES.has(code)) throw error;
        this.logger.warn(`usage store transaction failed with ${code}; attempt ${attempt + 1}`);
      } finally {
        await runner.release();
      }
    }
  }

  /** Creates the monthly partitions of `events` that the instants need (idempotent, serialized). */
  async ensurePartitions(epochMillis: Iterable<number>): Promise<void> {
    const months = new Map<string, { from: string; to: string }>();
    for (const millis of epochMillis) {
      const date = new Date(millis);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      const name = `events_p${String(year).padStart(4, '0')}${String(month + 1).padStart(2, '0')}`;
      if (this.knownPartitions.has(name) || months.has(name)) continue;
      months.set(name, { from: monthStart(year, month), to: monthStart(month === 11 ? year + 1 : year, (month + 1) % 12) });
    }
    if (months.size === 0) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query("SELECT pg_advisory_xact_lock(hashtext('aggregation.events partitions'))");
      for (const [name, range] of months) {
        await manager.query(
          `CREATE TABLE IF NOT EXISTS aggregation.${name} PARTITION OF aggregation.events FOR VALUES FROM ('${range.from}') TO ('${range.to}')`,
        );
      }
    });
    for (const name of months.keys()) this.knownPartitions.add(name);
  }

  async positionOf(topic: string, partition: number): Promise<bigint> {
    const rows: Array<{ next_offset: string }> = await this.dataSource.query(
      'SELECT next_offset FROM aggregation.consumer_positions WHERE topic = $1 AND partition = $2',
      [topic, partition],
    );
    return rows.length === 0 ? 0n : BigInt(rows[0].next_offset);
  }
}

function monthStart(year: number, month: number): string {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 1);
  return date.toISOString();
}

/** Bucket rows as the parameters of `unnest($1..$6)`: customer, subscription key, metric, hour (or day), dimension key, state JSON. */
function bucketColumns(rows: BucketStateRow[]): unknown[] {
  return [
    rows.map((b) => b.customerId),
    rows.map((b) => b.subscriptionKey),
    rows.map((b) => b.metricKey),
    rows.map((b) => new Date(b.hourMillis).toISOString()),
    rows.map((b) => b.dimensionKey),
    rows.map((b) => JSON.stringify(b.state)),
  ];
}

function compareBuckets(a: BucketKey, b: BucketKey): number {
  return (
    compareText(a.customerId, b.customerId) ||
    compareText(a.metricKey, b.metricKey) ||
    a.hourMillis - b.hourMillis ||
    compareText(a.subscriptionKey, b.subscriptionKey) ||
    compareText(a.dimensionKey, b.dimensionKey)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
