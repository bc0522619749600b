import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing cycles (API.md Part II §4–5), additive: a plan version may carry a billing interval;
 * a subscription keeps the interval of its plan (its cycles are anchored at start_date), an
 * optional trial end and the test clock it lives on.
 */
export class CatalogBillingCycles1700000001100 implements MigrationInterface {
  name = 'CatalogBillingCycles1700000001100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE catalog.price_plan_versions
        ADD COLUMN billing_interval text CHECK (billing_interval IN ('day', 'week', 'month', 'year'))`);
    await runner.query(`
      ALTER TABLE catalog.subscriptions
        ADD COLUMN billing_interval text CHECK (billing_interval IN ('day', 'week', 'month', 'year')),
        ADD COLUMN trial_end timestamptz,
        ADD COLUMN test_clock text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.subscriptions DROP COLUMN test_clock, DROP COLUMN trial_end, DROP COLUMN billing_interval');
    await runner.query('ALTER TABLE catalog.price_plan_versions DROP COLUMN billing_interval');
  }
}
