import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invoice documents: the issuer and invoice options (one row, GET/PUT /v1/settings) and the
 * issuer logos by content. Invoices keep what they were issued with in their snapshot (the
 * issuer with its logo's SHA-256, the customer billed, the payment terms), so a logo is never
 * deleted. Additive: existing invoices have no such snapshot and print with the current settings.
 */
export class InvoicingDocumentSettings1700000006500 implements MigrationInterface {
  name = 'InvoicingDocumentSettings1700000006500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE invoicing.issuer_logos (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        png bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE invoicing.document_settings (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        issuer jsonb,
        invoice jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE invoicing.document_settings');
    await runner.query('DROP TABLE invoicing.issuer_logos');
  }
}
