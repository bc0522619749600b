import { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableDdl } from '@abaxus/platform/bus/outbox-relay';

export class InvoicingSchema1700000006000 implements MigrationInterface {
  name = 'InvoicingSchema1700000006000';

  async up(runner: QueryRunner): Promise<void> {
    // One row: invoice numbers come from it inside the issuing transaction, so a rolled-back
    // invoice never consumes a number (a sequence would leave gaps).
    await runner.query(`
      CREATE TABLE invoicing.invoice_counter (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_sequence bigint NOT NULL
      )`);
    await runner.query('INSERT INTO invoicing.invoice_counter (singleton, last_sequence) VALUES (true, 0)');

    // One row per invoiced customer, locked (NOWAIT) while an invoice of theirs is being issued.
    await runner.query(`
      CREATE TABLE invoicing.customer_billing (
        customer_id text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await runner.query(`
      CREATE TABLE invoicing.invoices (
        id text PRIMARY KEY,
        sequence bigint NOT NULL UNIQUE,
        number text NOT NULL UNIQUE,
        customer_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('issued', 'paid', 'archived')),
        currency text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        total_amount numeric NOT NULL CHECK (total_amount > 0),
        snapshot text NOT NULL,
        payment_intent text,
        sent_at timestamptz,
        paid_at timestamptz,
        archived_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX invoices_customer ON invoicing.invoices (customer_id, sequence)');
    await runner.query('CREATE INDEX invoices_status ON invoicing.invoices (status, sequence)');
    // The issued snapshot never changes: only the status and payment/email records may.
    await runner.query(`
      CREATE FUNCTION invoicing.keep_invoice_snapshot() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'invoices are never deleted';
        END IF;
        IF (NEW.id, NEW.sequence, NEW.number, NEW.customer_id, NEW.currency, NEW.period_start, NEW.period_end,
            NEW.total_amount, NEW.snapshot, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.sequence, OLD.number, OLD.customer_id, OLD.currency, OLD.period_start, OLD.period_end,
            OLD.total_amount, OLD.snapshot, OLD.created_at) THEN
          RAISE EXCEPTION 'an issued invoice is immutable (invoice %)', OLD.id;
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`
      CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoicing.invoices
      FOR EACH ROW EXECUTE FUNCTION invoicing.keep_invoice_snapshot()`);

    // The period each subscription was billed for: where its next invoice starts. The unique
    // start is the last guard against two invoices covering the same period.
    await runner.query(`
      CREATE TABLE invoicing.invoice_periods (
        invoice_id text NOT NULL REFERENCES invoicing.invoices (id),
        subscription_id text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end > period_start),
        calculation_id text NOT NULL,
        PRIMARY KEY (invoice_id, subscription_id),
        UNIQUE (subscription_id, period_start)
      )`);
    await runner.query('CREATE INDEX invoice_periods_end ON invoicing.invoice_periods (subscription_id, period_end DESC)');

    // Audit trail: every transition (issue, send_email, charge/mark_paid, archive).
    await runner.query(`
      CREATE TABLE invoicing.invoice_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        invoice_id text NOT NULL REFERENCES invoicing.invoices (id),
        action text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX invoice_history_invoice ON invoicing.invoice_history (invoice_id, id)');

    await runner.query(`
      CREATE TABLE invoicing.payment_attempts (
        invoice_id text NOT NULL REFERENCES invoicing.invoices (id),
        attempt_number integer NOT NULL CHECK (attempt_number > 0),
        idempotency_key text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('unknown', 'succeeded', 'failed', 'requires_action', 'processing')),
        amount_minor text NOT NULL,
        currency text NOT NULL,
        payment_intent_id text,
        failure_code text,
        decline_code text,
        failure_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (invoice_id, attempt_number)
      )`);
    await runner.query('CREATE INDEX payment_attempts_intent ON invoicing.payment_attempts (payment_intent_id)');

    // Stripe delivers webhooks at least once: an event id seen before changes nothing.
    await runner.query(`
      CREATE TABLE invoicing.stripe_events (
        event_id text PRIMARY KEY,
        type text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);

    await runner.query(outboxTableDdl('invoicing.outbox'));
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'outbox',
      'stripe_events',
      'payment_attempts',
      'invoice_history',
      'invoice_periods',
      'invoices',
      'customer_billing',
      'invoice_counter',
    ]) {
      await runner.query(`DROP TABLE invoicing.${table}`);
    }
    await runner.query('DROP FUNCTION invoicing.keep_invoice_snapshot()');
  }
}
