import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Late usage (API.md Part II §6): what each adjustment billed for a charge of an invoiced period,
 * on which later invoice, and when the period was re-priced. What was invoiced for a charge is the
 * original invoice's lines plus the adjustments carried by invoices that are not voided; a row
 * with charge_key '*' records a re-pricing that found nothing to adjust (the period was checked).
 */
export class InvoicingUsageAdjustments1700000006600 implements MigrationInterface {
  name = 'InvoicingUsageAdjustments1700000006600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE invoicing.usage_adjustments (
        invoice_id text NOT NULL REFERENCES invoicing.invoices (id),
        original_invoice_id text NOT NULL REFERENCES invoicing.invoices (id),
        subscription_id text NOT NULL,
        period_start timestamptz NOT NULL,
        charge_key text NOT NULL,
        quantity numeric NOT NULL,
        amount numeric NOT NULL,
        repriced_at timestamptz NOT NULL,
        PRIMARY KEY (invoice_id, original_invoice_id, subscription_id, charge_key)
      )`);
    await runner.query('CREATE INDEX usage_adjustments_original ON invoicing.usage_adjustments (original_invoice_id, subscription_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE invoicing.usage_adjustments');
  }
}
