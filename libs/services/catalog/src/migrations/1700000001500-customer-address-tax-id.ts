import { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers gain an optional postal address and tax id ("Billed to" on invoices). Additive: existing rows get null. */
export class CustomerAddressTaxId1700000001500 implements MigrationInterface {
  name = 'CustomerAddressTaxId1700000001500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.customers ADD COLUMN address json, ADD COLUMN tax_id text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE catalog.customers DROP COLUMN tax_id, DROP COLUMN address');
  }
}
