import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plan changes (API.md Part II §5), additive: the phases a subscription has had, oldest first, as
 * one JSON array written under the row lock with the rest of the row. NULL: never changed (its one
 * phase is its plan_id/plan_version from start_date).
 */
export class CatalogSubscriptionPhases1700000001600 implements MigrationInterface {
  name = 'CatalogSubscriptionPhases1700000001600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE catalog.subscriptions ADD COLUMN phases jsonb CHECK (phases IS NULL OR jsonb_typeof(phases) = 'array')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.subscriptions DROP COLUMN phases');
  }
}
