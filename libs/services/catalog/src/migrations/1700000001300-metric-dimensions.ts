import { MigrationInterface, QueryRunner } from 'typeorm';

/** Metric dimensions (API.md Part II §8), additive: the event property names a metric's aggregates are kept per value of. */
export class CatalogMetricDimensions1700000001300 implements MigrationInterface {
  name = 'CatalogMetricDimensions1700000001300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE catalog.metrics ADD COLUMN dimensions text[] NOT NULL DEFAULT '{}' CHECK (cardinality(dimensions) <= 5)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.metrics DROP COLUMN dimensions');
  }
}
