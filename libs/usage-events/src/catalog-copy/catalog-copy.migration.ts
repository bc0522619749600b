import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog read copy used to validate events (see catalog-copy.module), created in the schema
 * of each service that keeps one (ingestion and aggregation): the same tables, never shared.
 */
export function catalogCopyMigration(schema: 'ingestion' | 'aggregation'): new () => MigrationInterface {
  return class CatalogCopy1710000000200 implements MigrationInterface {
    name = 'CatalogCopy1710000000200';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE ${schema}.catalog_metrics (
          key text PRIMARY KEY,
          aggregation_type text NOT NULL,
          value_type text NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
      await runner.query(`
        CREATE TABLE ${schema}.catalog_customers (
          id text PRIMARY KEY,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
      await runner.query(`
        CREATE TABLE ${schema}.catalog_subscriptions (
          id text PRIMARY KEY,
          customer_id text NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE ${schema}.catalog_subscriptions`);
      await runner.query(`DROP TABLE ${schema}.catalog_customers`);
      await runner.query(`DROP TABLE ${schema}.catalog_metrics`);
    }
  };
}
