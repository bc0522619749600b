import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The metrics' dimensions in the catalog read copy (API.md Part II §8). Rows copied before had no
 * dimensions to copy: they are dropped, and the copy refills itself from the catalog on the next
 * lookup (metrics are immutable, so nothing else is lost).
 */
export function catalogCopyDimensionsMigration(schema: 'ingestion' | 'aggregation'): new () => MigrationInterface {
  return class CatalogCopyDimensions1710000000700 implements MigrationInterface {
    name = 'CatalogCopyDimensions1710000000700';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`DELETE FROM ${schema}.catalog_metrics`);
      await runner.query(`ALTER TABLE ${schema}.catalog_metrics ADD COLUMN dimensions text[] NOT NULL DEFAULT '{}'`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${schema}.catalog_metrics DROP COLUMN dimensions`);
    }
  };
}
