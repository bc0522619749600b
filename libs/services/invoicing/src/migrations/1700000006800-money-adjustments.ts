import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money adjustments (API.md Part II §7): prepaid credit grants on an append-only double-entry
 * ledger, coupons and the discounts that attach them, tax rates, and the amount an invoice still
 * asks for once credits were applied.
 *
 * The ledger's guarantees are the database's, not the application's: entries are never updated or
 * deleted; every movement's entries sum to zero (checked at commit); a grant's or an invoice's
 * account never goes negative (checked on every insert, under the customer's credit lock).
 */
export class InvoicingMoneyAdjustments1700000006800 implements MigrationInterface {
  name = 'InvoicingMoneyAdjustments1700000006800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE invoicing.credit_grants (
        id text PRIMARY KEY,
        seq bigserial UNIQUE,
        customer_id text NOT NULL,
        currency text NOT NULL,
        amount numeric NOT NULL CHECK (amount > 0),
        category text NOT NULL CHECK (category IN ('paid', 'promotional')),
        priority integer NOT NULL CHECK (priority BETWEEN 0 AND 100),
        expires_at timestamptz,
        reason text,
        source text NOT NULL,
        voided_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX credit_grants_customer ON invoicing.credit_grants (customer_id, currency)');
    // Locked FOR UPDATE by whatever moves a customer's credit in a currency: one mover at a time.
    await runner.query(`
      CREATE TABLE invoicing.credit_accounts (
        customer_id text NOT NULL,
        currency text NOT NULL,
        low_balance_notified boolean NOT NULL DEFAULT false,
        PRIMARY KEY (customer_id, currency)
      )`);
    await runner.query(`
      CREATE TABLE invoicing.credit_entries (
        id bigserial PRIMARY KEY,
        movement_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('grant', 'grant_void', 'consumption', 'consumption_return')),
        account text NOT NULL,
        customer_id text NOT NULL,
        currency text NOT NULL,
        grant_id text NOT NULL REFERENCES invoicing.credit_grants (id),
        invoice_id text,
        amount numeric NOT NULL CHECK (amount <> 0),
        created_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX credit_entries_account ON invoicing.credit_entries (account)');
    await runner.query('CREATE INDEX credit_entries_movement ON invoicing.credit_entries (movement_id)');
    await runner.query('CREATE INDEX credit_entries_invoice ON invoicing.credit_entries (invoice_id) WHERE invoice_id IS NOT NULL');
    await runner.query(`
      CREATE FUNCTION invoicing.credit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the credit ledger is append-only';
      END $$`);
    await runner.query(`
      CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON invoicing.credit_entries
      FOR EACH ROW EXECUTE FUNCTION invoicing.credit_entries_append_only()`);
    await runner.query(`
      CREATE FUNCTION invoicing.credit_account_not_negative() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.account LIKE 'grant:%' OR NEW.account LIKE 'invoice:%')
           AND (SELECT sum(amount) FROM invoicing.credit_entries WHERE account = NEW.account) < 0 THEN
          RAISE EXCEPTION 'credit account % would go negative', NEW.account USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER credit_account_not_negative AFTER INSERT ON invoicing.credit_entries
      FOR EACH ROW EXECUTE FUNCTION invoicing.credit_account_not_negative()`);
    await runner.query(`
      CREATE FUNCTION invoicing.credit_movement_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT sum(amount) FROM invoicing.credit_entries WHERE movement_id = NEW.movement_id) <> 0 THEN
          RAISE EXCEPTION 'credit movement % does not sum to zero', NEW.movement_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE CONSTRAINT TRIGGER credit_movement_balanced AFTER INSERT ON invoicing.credit_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoicing.credit_movement_balanced()`);

    await runner.query(`
      CREATE TABLE invoicing.coupons (
        id text PRIMARY KEY,
        seq bigserial UNIQUE,
        percent_off numeric CHECK (percent_off > 0 AND percent_off <= 100),
        amount_off numeric CHECK (amount_off > 0),
        currency text,
        duration text NOT NULL CHECK (duration IN ('once', 'repeating', 'forever')),
        duration_in_cycles integer CHECK (duration_in_cycles > 0),
        max_redemptions integer CHECK (max_redemptions > 0),
        redeem_by timestamptz,
        times_redeemed integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
        CHECK ((amount_off IS NULL) = (currency IS NULL)),
        CHECK (max_redemptions IS NULL OR times_redeemed <= max_redemptions)
      )`);
    await runner.query(`
      CREATE TABLE invoicing.discounts (
        id text PRIMARY KEY,
        seq bigserial UNIQUE,
        customer_id text NOT NULL,
        subscription_id text,
        coupon_id text NOT NULL REFERENCES invoicing.coupons (id),
        created_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX discounts_customer ON invoicing.discounts (customer_id, seq)');
    // One row per invoice a discount reduced: its cycles used are the rows of invoices not voided.
    await runner.query(`
      CREATE TABLE invoicing.discount_applications (
        discount_id text NOT NULL REFERENCES invoicing.discounts (id),
        invoice_id text NOT NULL,
        amount numeric NOT NULL CHECK (amount >= 0),
        voided_at timestamptz,
        PRIMARY KEY (discount_id, invoice_id)
      )`);

    await runner.query(`
      CREATE TABLE invoicing.tax_rates (
        id text PRIMARY KEY,
        seq bigserial UNIQUE,
        display_name text NOT NULL,
        percentage numeric NOT NULL CHECK (percentage >= 0 AND percentage <= 100),
        inclusive boolean NOT NULL,
        jurisdiction text,
        created_at timestamptz NOT NULL
      )`);

    // Null on invoices issued before adjustments existed: their amount due is their total.
    await runner.query('ALTER TABLE invoicing.invoices ADD COLUMN amount_due numeric CHECK (amount_due >= 0)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE invoicing.invoices DROP COLUMN amount_due');
    await runner.query('DROP TABLE invoicing.tax_rates');
    await runner.query('DROP TABLE invoicing.discount_applications');
    await runner.query('DROP TABLE invoicing.discounts');
    await runner.query('DROP TABLE invoicing.coupons');
    await runner.query('DROP TABLE invoicing.credit_entries');
    await runner.query('DROP FUNCTION invoicing.credit_movement_balanced()');
    await runner.query('DROP FUNCTION invoicing.credit_account_not_negative()');
    await runner.query('DROP FUNCTION invoicing.credit_entries_append_only()');
    await runner.query('DROP TABLE invoicing.credit_accounts');
    await runner.query('DROP TABLE invoicing.credit_grants');
  }
}
