import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit notes (API.md Part II §6): numbered without gaps from their own counter (CN-000001),
 * each correcting one invoice, never changed once issued except for the outcome of its refund.
 * The invoice keeps the running sums the rules need under its row lock: everything credited
 * (never above its total) and what was credited before it was paid (lowers its amount due).
 */
export class InvoicingCreditNotes1700000006700 implements MigrationInterface {
  name = 'InvoicingCreditNotes1700000006700';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE invoicing.credit_note_counter (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_sequence bigint NOT NULL
      )`);
    await runner.query('INSERT INTO invoicing.credit_note_counter (singleton, last_sequence) VALUES (true, 0)');
    await runner.query(`
      ALTER TABLE invoicing.invoices
        ADD COLUMN credited_amount numeric NOT NULL DEFAULT 0 CHECK (credited_amount >= 0),
        ADD COLUMN pre_payment_credited_amount numeric NOT NULL DEFAULT 0 CHECK (pre_payment_credited_amount >= 0),
        ADD CONSTRAINT invoices_credited_within_total CHECK (credited_amount <= total_amount AND pre_payment_credited_amount <= credited_amount)`);
    await runner.query(`
      CREATE TABLE invoicing.credit_notes (
        id text PRIMARY KEY,
        sequence bigint NOT NULL UNIQUE,
        number text NOT NULL UNIQUE,
        invoice_id text NOT NULL REFERENCES invoicing.invoices (id),
        customer_id text NOT NULL,
        currency text NOT NULL,
        amount numeric NOT NULL CHECK (amount > 0),
        reason text NOT NULL CHECK (reason IN ('duplicate', 'product_unsatisfactory', 'order_change', 'other')),
        memo text,
        settlement text NOT NULL CHECK (settlement IN ('amount_due', 'refund', 'credit_balance')),
        lines jsonb NOT NULL,
        document jsonb NOT NULL,
        refund_status text CHECK (refund_status IN ('pending', 'succeeded', 'failed')),
        refund_idempotency_key text UNIQUE,
        refund_amount_minor text,
        refund_payment_intent text,
        stripe_refund_id text,
        refund_failure text,
        email_claim text,
        email_claimed_until timestamptz,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        CHECK ((settlement = 'refund') = (refund_status IS NOT NULL AND refund_idempotency_key IS NOT NULL))
      )`);
    await runner.query('CREATE INDEX credit_notes_invoice ON invoicing.credit_notes (invoice_id, sequence)');
    await runner.query('CREATE INDEX credit_notes_customer ON invoicing.credit_notes (customer_id, sequence)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE invoicing.credit_notes');
    await runner.query(`ALTER TABLE invoicing.invoices DROP CONSTRAINT invoices_credited_within_total,
      DROP COLUMN pre_payment_credited_amount, DROP COLUMN credited_amount`);
    await runner.query('DROP TABLE invoicing.credit_note_counter');
  }
}
