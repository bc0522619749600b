import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hourly buckets per combination of the metric's dimension values (API.md Part II §8):
 * `dimension_key` is a JSON object of the values (`{}` without dimensions), part of the key.
 * Existing buckets keep `{}`, which is right for every metric without dimensions.
 */
export class UsageHourlyDimensions1710000000710 implements MigrationInterface {
  name = 'UsageHourlyDimensions1710000000710';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE aggregation.usage_hourly ADD COLUMN dimension_key text NOT NULL DEFAULT '{}'`);
    await runner.query('ALTER TABLE aggregation.usage_hourly DROP CONSTRAINT usage_hourly_pkey');
    await runner.query('ALTER TABLE aggregation.usage_hourly ADD PRIMARY KEY (customer_id, metric_key, hour, subscription_key, dimension_key)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM aggregation.usage_hourly WHERE dimension_key <> '{}'`);
    await runner.query('ALTER TABLE aggregation.usage_hourly DROP CONSTRAINT usage_hourly_pkey');
    await runner.query('ALTER TABLE aggregation.usage_hourly ADD PRIMARY KEY (customer_id, metric_key, hour, subscription_key)');
    await runner.query('ALTER TABLE aggregation.usage_hourly DROP COLUMN dimension_key');
  }
}
