import { MigrationInterface, QueryRunner } from 'typeorm';

/** Metrics may aggregate by `weighted_sum` (API.md Part II §8): the aggregation type check widens. */
export class CatalogWeightedSumMetrics1700000001200 implements MigrationInterface {
  name = 'CatalogWeightedSumMetrics1700000001200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE catalog.metrics
        DROP CONSTRAINT metrics_aggregation_type_check,
        ADD CONSTRAINT metrics_aggregation_type_check
          CHECK (aggregation_type IN ('sum', 'count', 'max', 'min', 'unique_count', 'latest', 'weighted_sum'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE catalog.metrics
        DROP CONSTRAINT metrics_aggregation_type_check,
        ADD CONSTRAINT metrics_aggregation_type_check
          CHECK (aggregation_type IN ('sum', 'count', 'max', 'min', 'unique_count', 'latest'))`);
  }
}
