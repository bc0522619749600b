import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hourly buckets per combination of the metric's dimension values (API.md Part II §8):
 * `dimension_key` is a JSON object of the values (`{}` without dimensions), part of the key.
 * Existing buckets keep `{}`, which is right for every metric without dimensions. The hourly
 * rollups of metrics with dimensions (`*`) get their own index, so reading them never walks the
 * hour's combinations.
 */
export class UsageHourlyDimensions1710000000710 implements MigrationInterface {
  name = 'UsageHourlyDimensions1710000000710';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE aggregation.usage_hourly ADD COLUMN dimension_key text NOT NULL DEFAULT '{}'`);
    await runner.query('ALTER TABLE aggregation.usage_hourly DROP CONSTRAINT usage_hourly_pkey');
    await runner.query('ALTER TABLE aggregation.usage_hourly ADD PRIMARY KEY (customer_id, metric_key, hour, subscription_key, dimension_key)');
    await runner.query(`CREATE INDEX usage_hourly_rollups ON aggregation.usage_hourly (customer_id, metric_key, hour) WHERE dimension_key = '*'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX aggregation.usage_hourly_rollups');
    await runner.query(`DELETE FROM aggregation.usage_hourly WHERE dimension_key <> '{}'`);
    await runner.query('ALTER TABLE aggregation.usage_hourly DROP CONSTRAINT usage_hourly_pkey');
    await runner.query('ALTER TABLE aggregation.usage_hourly ADD PRIMARY KEY (customer_id, metric_key, hour, subscription_key)');
    await runner.query('ALTER TABLE aggregation.usage_hourly DROP COLUMN dimension_key');
  }
}
