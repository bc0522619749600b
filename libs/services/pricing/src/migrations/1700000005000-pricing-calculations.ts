import { MigrationInterface, QueryRunner } from 'typeorm';

export class PricingCalculations1700000005000 implements MigrationInterface {
  name = 'PricingCalculations1700000005000';

  async up(runner: QueryRunner): Promise<void> {
    // `body` is the answer exactly as first sent: GET returns these bytes, never a re-rendering.
    await runner.query(`
      CREATE TABLE pricing.calculations (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        subscription_id text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        currency text NOT NULL,
        total_amount numeric NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX calculations_subscription ON pricing.calculations (subscription_id, created_at)');
    // Calculations are immutable: a stored answer may be read, never changed.
    await runner.query(`
      CREATE FUNCTION pricing.refuse_calculation_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'pricing calculations are immutable';
      END $$`);
    await runner.query(`
      CREATE TRIGGER calculations_immutable BEFORE UPDATE ON pricing.calculations
      FOR EACH ROW EXECUTE FUNCTION pricing.refuse_calculation_update()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE pricing.calculations');
    await runner.query('DROP FUNCTION pricing.refuse_calculation_update()');
  }
}
