import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface CollectionRow {
  invoice_id: string;
  test_clock: string | null;
  email_pending: boolean;
  charge_pending: boolean;
  attempts: number;
  first_failed_at: Date | null;
  next_attempt_at: Date | null;
  state: 'pending' | 'retrying' | 'succeeded' | 'exhausted' | 'canceled';
  last_failure: string | null;
}

const COLUMNS = 'invoice_id, test_clock, email_pending, charge_pending, attempts, first_failed_at, next_attempt_at, state, last_failure';

/** Automatic collection of issued invoices: what is still to email or charge, and the dunning schedule. */
@Injectable()
export class CollectionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async setAutoCollection(customerId: string, email: boolean, charge: boolean): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO invoicing.customer_billing (customer_id, auto_email, auto_charge) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET auto_email = $2, auto_charge = $3`,
      [customerId, email, charge],
    );
  }

  async autoCollection(customerId: string): Promise<{ email: boolean; charge: boolean }> {
    const rows: Array<{ auto_email: boolean; auto_charge: boolean }> = await this.dataSource.query(
      'SELECT auto_email, auto_charge FROM invoicing.customer_billing WHERE customer_id = $1',
      [customerId],
    );
    return { email: rows[0]?.auto_email ?? false, charge: rows[0]?.auto_charge ?? false };
  }

  /** In the issuing transaction: an invoice of a customer with automatic collection is due for it at once. */
  async scheduleIfAutomatic(manager: EntityManager, invoice: { id: string; customer_id: string }, testClock: string | null, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO invoicing.invoice_collection (invoice_id, test_clock, email_pending, charge_pending, next_attempt_at, state)
       SELECT $1, $3, auto_email, auto_charge, $4, 'pending' FROM invoicing.customer_billing
       WHERE customer_id = $2 AND (auto_email OR auto_charge)`,
      [invoice.id, invoice.customer_id, testClock, now],
    );
  }

  /** scheduleIfAutomatic for several invoices in one statement (a group issued together). */
  async scheduleIfAutomaticMany(
    manager: EntityManager,
    invoices: ReadonlyArray<{ id: string; customer_id: string; test_clock: string | null }>,
    now: Date,
  ): Promise<void> {
    if (invoices.length === 0) return;
    await manager.query(
      `INSERT INTO invoicing.invoice_collection (invoice_id, test_clock, email_pending, charge_pending, next_attempt_at, state)
       SELECT i.invoice_id, i.test_clock, cb.auto_email, cb.auto_charge, $4, 'pending'
       FROM unnest($1::text[], $2::text[], $3::text[]) AS i(invoice_id, customer_id, test_clock)
       JOIN invoicing.customer_billing cb ON cb.customer_id = i.customer_id
       WHERE cb.auto_email OR cb.auto_charge`,
      [invoices.map((invoice) => invoice.id), invoices.map((invoice) => invoice.customer_id), invoices.map((invoice) => invoice.test_clock), now],
    );
  }

  /**
   * In a void's transaction: nothing more is collected. The claim is dropped too, so a worker in
   * the middle of this collection records nothing when it finishes (its charge is refused: voided).
   */
  async cancel(manager: EntityManager, invoiceId: string): Promise<void> {
    await manager.query(
      `UPDATE invoicing.invoice_collection SET state = 'canceled', next_attempt_at = NULL, email_pending = false, charge_pending = false, claim = NULL, claimed_until = NULL
       WHERE invoice_id = $1 AND state <> 'succeeded'`,
      [invoiceId],
    );
  }

  /** Claims up to `limit` collections due by `dueBy` on a clock (SKIP LOCKED, then a token until `until`). */
  async claimDue(testClock: string | null, dueBy: Date, realNow: Date, claim: string, until: Date, limit: number): Promise<CollectionRow[]> {
    const [rows]: [CollectionRow[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT invoice_id FROM invoicing.invoice_collection
         WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $2 AND test_clock IS NOT DISTINCT FROM $1
           AND (claimed_until IS NULL OR claimed_until <= $3)
         ORDER BY next_attempt_at LIMIT $6 FOR UPDATE SKIP LOCKED
       )
       UPDATE invoicing.invoice_collection c SET claim = $4, claimed_until = $5 FROM due WHERE c.invoice_id = due.invoice_id
       RETURNING ${COLUMNS.split(', ')
         .map((column) => `c.${column}`)
         .join(', ')}`,
      [testClock, dueBy, realNow, claim, until, limit],
    );
    return rows;
  }

  /** Records an outcome if the claim is still this one's, and gives the claim up. */
  async record(invoiceId: string, claim: string, changes: Partial<Omit<CollectionRow, 'invoice_id' | 'test_clock'>>): Promise<void> {
    const columns = Object.keys(changes) as Array<keyof typeof changes>;
    await this.dataSource.query(
      `UPDATE invoicing.invoice_collection SET ${columns.map((column, index) => `${column} = $${index + 3}`).join(', ')}${columns.length ? ', ' : ''}
         claim = NULL, claimed_until = NULL
       WHERE invoice_id = $1 AND claim = $2`,
      [invoiceId, claim, ...columns.map((column) => changes[column])],
    );
  }

  async ofInvoices(ids: string[]): Promise<CollectionRow[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query(`SELECT ${COLUMNS} FROM invoicing.invoice_collection WHERE invoice_id = ANY($1::text[])`, [ids]);
  }
}
