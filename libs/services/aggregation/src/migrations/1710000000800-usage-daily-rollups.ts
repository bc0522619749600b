import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily rollups of the hourly buckets of the types the database merges (sum, count, max, min; the
 * state's field is named as its type): a month's total reads 31 rows per bucket key instead of
 * 744. Written in the transaction that merges the hourly buckets; filled here from the existing
 * hourly buckets. Metrics with dimensions get the same partial index for their `*` rollups.
 */
export class UsageDailyRollups1710000000800 implements MigrationInterface {
  name = 'UsageDailyRollups1710000000800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE aggregation.usage_daily (
        customer_id text NOT NULL,
        metric_key text NOT NULL,
        day timestamptz NOT NULL,
        subscription_key text NOT NULL,
        dimension_key text NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, metric_key, day, subscription_key, dimension_key)
      )`);
    await runner.query(`CREATE INDEX usage_daily_rollups ON aggregation.usage_daily (customer_id, metric_key, day) WHERE dimension_key = '*'`);
    await runner.query(`
      INSERT INTO aggregation.usage_daily (customer_id, metric_key, day, subscription_key, dimension_key, state)
      SELECT customer_id, metric_key, date_trunc('day', hour, 'UTC'), subscription_key, dimension_key,
             jsonb_build_object('type', type, type, CASE type WHEN 'max' THEN max(n) WHEN 'min' THEN min(n) ELSE sum(n) END::text)
      FROM (SELECT h.*, h.state ->> 'type' AS type, (h.state ->> (h.state ->> 'type'))::numeric AS n
            FROM aggregation.usage_hourly h WHERE h.state ->> 'type' IN ('sum', 'count', 'max', 'min')) h
      GROUP BY customer_id, metric_key, date_trunc('day', hour, 'UTC'), subscription_key, dimension_key, type`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE aggregation.usage_daily');
  }
}
