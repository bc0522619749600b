import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invoices that issue themselves (API.md Part II §4): the durable schedule of cycled
 * subscriptions (kept from the catalog's events), the automatic billing runs, test clocks, and
 * the automatic collection (email, charge, dunning) of issued invoices. The schedule is the
 * only source of truth for what is due: instances find due rows by query and claim them, never
 * by a timer's memory.
 */
export class InvoicingBillingCycles1700000006200 implements MigrationInterface {
  name = 'InvoicingBillingCycles1700000006200';

  async up(runner: QueryRunner): Promise<void> {
    // One row per subscription on a plan with a billing interval. `billed_until` is where its next
    // invoice starts (moved by every invoice, automatic or requested, in the issuing transaction);
    // `next_cycle_end` where that invoice ends (null: nothing left to bill).
    await runner.query(`
      CREATE TABLE invoicing.billing_subscriptions (
        subscription_id text PRIMARY KEY,
        customer_id text NOT NULL,
        billing_interval text NOT NULL CHECK (billing_interval IN ('day', 'week', 'month', 'year')),
        anchor timestamptz NOT NULL,
        ends_at timestamptz,
        test_clock text,
        billed_until timestamptz NOT NULL,
        next_cycle_end timestamptz,
        record jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX billing_subscriptions_due ON invoicing.billing_subscriptions (test_clock, next_cycle_end) WHERE next_cycle_end IS NOT NULL',
    );
    await runner.query('CREATE INDEX billing_subscriptions_customer ON invoicing.billing_subscriptions (customer_id)');
    // Where the catalog-events consumer stands, written with the rows it changed: a test clock's
    // advance first waits for it to pass every catalog event published before.
    await runner.query(`
      CREATE TABLE invoicing.catalog_positions (
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
    // What each automatic run did, per cycle end: kept for GET /v1/billing-runs.
    await runner.query(`
      CREATE TABLE invoicing.billing_runs (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        cycle_end timestamptz NOT NULL,
        test_clock text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        invoices_issued integer NOT NULL DEFAULT 0,
        failures jsonb NOT NULL DEFAULT '[]'::jsonb
      )`);
    await runner.query(`
      CREATE TABLE invoicing.test_clocks (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        name text,
        frozen_time timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('ready', 'advancing')),
        created_at timestamptz NOT NULL
      )`);
    // Automatic runs issue zero-total invoices too (a cycle with nothing to charge still closes);
    // requested ones keep refusing them (422 zero_amount_invoice) in the service.
    await runner.query('ALTER TABLE invoicing.invoices DROP CONSTRAINT invoices_total_amount_check');
    await runner.query('ALTER TABLE invoicing.invoices ADD CONSTRAINT invoices_total_amount_check CHECK (total_amount >= 0)');
    await runner.query(`ALTER TABLE invoicing.invoices ADD COLUMN billing_reason text NOT NULL DEFAULT 'manual'
      CHECK (billing_reason IN ('manual', 'subscription_cycle'))`);
    // Automatic collection: what the customer asked for, and each invoice's email/charge state
    // with its dunning schedule (claimed like everything else that calls out).
    await runner.query(`
      ALTER TABLE invoicing.customer_billing
        ADD COLUMN auto_email boolean NOT NULL DEFAULT false,
        ADD COLUMN auto_charge boolean NOT NULL DEFAULT false`);
    await runner.query(`
      CREATE TABLE invoicing.invoice_collection (
        invoice_id text PRIMARY KEY REFERENCES invoicing.invoices (id),
        test_clock text,
        email_pending boolean NOT NULL,
        charge_pending boolean NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        first_failed_at timestamptz,
        next_attempt_at timestamptz,
        state text NOT NULL CHECK (state IN ('pending', 'retrying', 'succeeded', 'exhausted')),
        last_failure text,
        claim text,
        claimed_until timestamptz
      )`);
    await runner.query(`CREATE INDEX invoice_collection_due ON invoicing.invoice_collection (test_clock, next_attempt_at) WHERE next_attempt_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE invoicing.invoice_collection');
    await runner.query('ALTER TABLE invoicing.customer_billing DROP COLUMN auto_charge, DROP COLUMN auto_email');
    await runner.query('ALTER TABLE invoicing.invoices DROP COLUMN billing_reason');
    await runner.query('ALTER TABLE invoicing.invoices DROP CONSTRAINT invoices_total_amount_check');
    await runner.query('ALTER TABLE invoicing.invoices ADD CONSTRAINT invoices_total_amount_check CHECK (total_amount > 0)');
    for (const table of ['test_clocks', 'billing_runs', 'catalog_positions', 'billing_subscriptions']) await runner.query(`DROP TABLE invoicing.${table}`);
  }
}
