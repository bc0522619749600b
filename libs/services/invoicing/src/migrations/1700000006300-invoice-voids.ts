import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Voided invoices (API.md Part II §6): an issued, unpaid invoice may become `voided`; its number
 * stays used and its periods are billed again. A voided invoice's periods stay recorded (marked
 * `voided_at`) but no longer count as billed, so the unique start of a subscription's period
 * holds among the periods that still count. Its automatic collection is `canceled`.
 */
export class InvoicingInvoiceVoids1700000006300 implements MigrationInterface {
  name = 'InvoicingInvoiceVoids1700000006300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE invoicing.invoices DROP CONSTRAINT invoices_status_check,
      ADD CONSTRAINT invoices_status_check CHECK (status IN ('issued', 'paid', 'archived', 'voided'))`);
    await runner.query('ALTER TABLE invoicing.invoice_periods ADD COLUMN voided_at timestamptz');
    await runner.query('ALTER TABLE invoicing.invoice_periods DROP CONSTRAINT invoice_periods_subscription_id_period_start_key');
    await runner.query('CREATE UNIQUE INDEX invoice_periods_billed_start ON invoicing.invoice_periods (subscription_id, period_start) WHERE voided_at IS NULL');
    await runner.query(`ALTER TABLE invoicing.invoice_collection DROP CONSTRAINT invoice_collection_state_check,
      ADD CONSTRAINT invoice_collection_state_check CHECK (state IN ('pending', 'retrying', 'succeeded', 'exhausted', 'canceled'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE invoicing.invoice_collection DROP CONSTRAINT invoice_collection_state_check,
      ADD CONSTRAINT invoice_collection_state_check CHECK (state IN ('pending', 'retrying', 'succeeded', 'exhausted'))`);
    await runner.query('DROP INDEX invoicing.invoice_periods_billed_start');
    await runner.query(
      'ALTER TABLE invoicing.invoice_periods ADD CONSTRAINT invoice_periods_subscription_id_period_start_key UNIQUE (subscription_id, period_start)',
    );
    await runner.query('ALTER TABLE invoicing.invoice_periods DROP COLUMN voided_at');
    await runner.query(`ALTER TABLE invoicing.invoices DROP CONSTRAINT invoices_status_check,
      ADD CONSTRAINT invoices_status_check CHECK (status IN ('issued', 'paid', 'archived'))`);
  }
}
