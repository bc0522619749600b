import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan version may carry a minimum commitment per billing interval (API.md Part II §7): the
 * invoice adds a true-up when its subtotal after discounts is below it. Existing versions have none.
 */
export class PlanMinimumAmount1700000001710 implements MigrationInterface {
  name = 'PlanMinimumAmount1700000001710';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.price_plan_versions ADD COLUMN minimum_amount numeric CHECK (minimum_amount >= 0)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.price_plan_versions DROP COLUMN minimum_amount');
  }
}
