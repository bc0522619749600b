import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No network call inside a transaction: what used to be a row lock held across a Stripe, SMTP or
 * pricing call becomes a claim (a token with an expiry) committed before the call, and the outcome
 * is written afterwards in a short transaction guarded by that claim and the state it expects.
 */
export class InvoicingWorkOutsideTransactions1700000006100 implements MigrationInterface {
  name = 'InvoicingWorkOutsideTransactions1700000006100';

  async up(runner: QueryRunner): Promise<void> {
    // `pending`: written and committed before the provider is called; the outcome replaces it.
    // The provider parameters are kept so a retry with the same idempotency key sends the very
    // same request (Stripe refuses a key reused with other parameters), whatever the catalog says now.
    await runner.query('ALTER TABLE invoicing.payment_attempts DROP CONSTRAINT payment_attempts_status_check');
    await runner.query(`
      ALTER TABLE invoicing.payment_attempts
        ADD CONSTRAINT payment_attempts_status_check CHECK (status IN ('pending', 'unknown', 'succeeded', 'failed', 'requires_action', 'processing')),
        ADD COLUMN provider_customer_id text,
        ADD COLUMN provider_payment_method text,
        ADD COLUMN claimed_by text,
        ADD COLUMN claimed_until timestamptz`);
    await runner.query(`CREATE INDEX payment_attempts_unsettled ON invoicing.payment_attempts (claimed_until) WHERE status IN ('pending', 'unknown')`);

    // An invoice of the customer is being priced: others get 409 without pricing anything.
    await runner.query(`
      ALTER TABLE invoicing.customer_billing
        ADD COLUMN issuing_claim text,
        ADD COLUMN issuing_until timestamptz`);

    // The invoice's mail is being rendered and sent: a second send gets 409.
    await runner.query(`
      ALTER TABLE invoicing.invoices
        ADD COLUMN email_claim text,
        ADD COLUMN email_claimed_until timestamptz`);

    // What each Stripe event was taken for (settled, refused and why), kept with the event id.
    await runner.query(`
      ALTER TABLE invoicing.stripe_events
        ADD COLUMN payment_intent_id text,
        ADD COLUMN invoice_id text,
        ADD COLUMN outcome text,
        ADD COLUMN detail jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE invoicing.stripe_events
        DROP COLUMN detail, DROP COLUMN outcome, DROP COLUMN invoice_id, DROP COLUMN payment_intent_id`);
    await runner.query('ALTER TABLE invoicing.invoices DROP COLUMN email_claimed_until, DROP COLUMN email_claim');
    await runner.query('ALTER TABLE invoicing.customer_billing DROP COLUMN issuing_until, DROP COLUMN issuing_claim');
    await runner.query('DROP INDEX invoicing.payment_attempts_unsettled');
    await runner.query(`UPDATE invoicing.payment_attempts SET status = 'unknown' WHERE status = 'pending'`);
    await runner.query(`
      ALTER TABLE invoicing.payment_attempts
        DROP COLUMN claimed_until, DROP COLUMN claimed_by, DROP COLUMN provider_payment_method, DROP COLUMN provider_customer_id,
        DROP CONSTRAINT payment_attempts_status_check,
        ADD CONSTRAINT payment_attempts_status_check CHECK (status IN ('unknown', 'succeeded', 'failed', 'requires_action', 'processing'))`);
  }
}
