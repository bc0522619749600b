import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers carry the tax rates their invoices are taxed with (API.md Part II §7). The ids name
 * invoicing's tax rates: the catalog keeps them as given and invoicing refuses to issue an invoice
 * naming an unknown one (the catalog does not call invoicing). Existing rows get none.
 */
export class CustomerTaxRateIds1700000001700 implements MigrationInterface {
  name = 'CustomerTaxRateIds1700000001700';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query("ALTER TABLE catalog.customers ADD COLUMN tax_rate_ids text[] NOT NULL DEFAULT '{}'");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.customers DROP COLUMN tax_rate_ids');
  }
}
