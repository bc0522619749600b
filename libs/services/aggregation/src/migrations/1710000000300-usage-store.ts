import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events store and its aggregates.
 * - events: partitioned by month of `ts` (partitions created on demand by the store), indexed
 *   for per-customer reads. A unique constraint there would have to include `ts`, so
 * - idempotency_keys holds every key ever stored, inserted in the same transaction as its event.
 * - usage_hourly: one mergeable aggregation state per customer, subscription ('' = none), metric
 *   and UTC hour.
 * - consumer_positions: how far the aggregation consumer has stored each partition, written in
 *   the same transaction (read-your-writes waits on it).
 */
export class UsageStore1710000000300 implements MigrationInterface {
  name = 'UsageStore1710000000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE SEQUENCE aggregation.event_seq AS bigint');
    await runner.query('CREATE TABLE aggregation.idempotency_keys (key text PRIMARY KEY)');
    await runner.query(`
      CREATE TABLE aggregation.events (
        seq bigint NOT NULL,
        idempotency_key text NOT NULL,
        customer_id text NOT NULL,
        subscription_id text,
        metric_key text NOT NULL,
        value text,
        ts timestamptz NOT NULL,
        properties jsonb,
        received_at timestamptz NOT NULL DEFAULT now()
      ) PARTITION BY RANGE (ts)`);
    await runner.query('CREATE INDEX events_customer_metric_ts ON aggregation.events (customer_id, metric_key, ts)');
    await runner.query(`
      CREATE TABLE aggregation.usage_hourly (
        customer_id text NOT NULL,
        metric_key text NOT NULL,
        hour timestamptz NOT NULL,
        subscription_key text NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, metric_key, hour, subscription_key)
      )`);
    await runner.query(`
      CREATE TABLE aggregation.consumer_positions (
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE aggregation.consumer_positions');
    await runner.query('DROP TABLE aggregation.usage_hourly');
    await runner.query('DROP TABLE aggregation.events');
    await runner.query('DROP TABLE aggregation.idempotency_keys');
    await runner.query('DROP SEQUENCE aggregation.event_seq');
  }
}
