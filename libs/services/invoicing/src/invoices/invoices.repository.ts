import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { InvoiceStatus } from '@abaxus/domain/invoice/invoice-lifecycle';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { pgCode, PG_LOCK_NOT_AVAILABLE, PG_UNIQUE_VIOLATION } from '../database/pg-errors';
import type { InvoiceRecord } from './invoice-json';

export interface InvoiceRow extends InvoiceRecord {
  sequence: string;
}

export interface InvoicePeriodRow {
  subscription_id: string;
  period_start: Date;
  period_end: Date;
  calculation_id: string;
}

export interface InvoiceListFilter {
  customerId?: string;
  status?: InvoiceStatus;
  /** Only invoices issued before this one (by number): the list runs newest first. */
  beforeSequence?: string;
  limit: number;
}

export type InvoiceChanges = Partial<Pick<InvoiceRow, 'status' | 'payment_intent' | 'sent_at' | 'paid_at' | 'archived_at'>>;

const INVOICE_COLUMNS = `id, sequence::text AS sequence, number, customer_id, status, currency, period_start, period_end,
  total_amount::text AS total_amount, amount_due::text AS amount_due, snapshot, payment_intent, sent_at, paid_at, archived_at, created_at,
  credited_amount::text AS credited_amount, pre_payment_credited_amount::text AS pre_payment_credited_amount`;

/** How long a short recording transaction waits for an invoice row (others hold it for milliseconds). */
const RECORD_LOCK_WAIT_MS = 5_000;

/**
 * The invoices, the periods they cover, their numbering counter and their audit history. A
 * method taking an EntityManager runs in the caller's unit of work (ServiceOutbox.transaction).
 */
@Injectable()
export class InvoicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(id: string): Promise<InvoiceRow | undefined> {
    const rows: InvoiceRow[] = await this.dataSource.query(`SELECT ${INVOICE_COLUMNS} FROM invoicing.invoices WHERE id = $1`, [id]);
    return rows[0];
  }

  async sequenceOf(id: string): Promise<string | undefined> {
    const rows: Array<{ sequence: string }> = await this.dataSource.query('SELECT sequence::text AS sequence FROM invoicing.invoices WHERE id = $1', [id]);
    return rows[0]?.sequence;
  }

  /** Newest first; limit + 1 rows so the caller knows whether more exist. */
  async list(filter: InvoiceListFilter): Promise<InvoiceRow[]> {
    return this.dataSource.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoicing.invoices
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR sequence < $3)
       ORDER BY invoices.sequence DESC LIMIT $4`,
      [filter.customerId ?? null, filter.status ?? null, filter.beforeSequence ?? null, filter.limit + 1],
    );
  }

  /**
   * Locks an invoice row for a change asked by a request; someone else holding it → 409 at once,
   * no waiting (every holder keeps it for one short transaction, never across a network call).
   */
  async lockForChange(manager: EntityManager, id: string): Promise<InvoiceRow> {
    const rows: InvoiceRow[] = await manager.query(`SELECT ${INVOICE_COLUMNS} FROM invoicing.invoices WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
    if (rows.length > 0) return rows[0];
    const exists: unknown[] = await manager.query('SELECT 1 FROM invoicing.invoices WHERE id = $1', [id]);
    if (exists.length === 0) throw ProblemException.notFound('Invoice', id);
    throw new ProblemException(409, 'invoice_busy', `Invoice ${id} is being changed by another request; retry in a moment.`);
  }

  /**
   * Locks an invoice row to record something that already happened (a payment, a webhook), waiting
   * a little for another short holder (then 503: retry later); undefined when there is no such invoice.
   */
  async lockForRecord(manager: EntityManager, id: string): Promise<InvoiceRow | undefined> {
    try {
      await manager.query(`SET LOCAL lock_timeout = '${RECORD_LOCK_WAIT_MS}ms'`);
      const rows: InvoiceRow[] = await manager.query(`SELECT ${INVOICE_COLUMNS} FROM invoicing.invoices WHERE id = $1 FOR UPDATE`, [id]);
      await manager.query('SET LOCAL lock_timeout = 0');
      return rows[0];
    } catch (error) {
      if (pgCode(error) === PG_LOCK_NOT_AVAILABLE)
        throw new ProblemException(503, 'invoice_busy', `Invoice ${id} stayed locked by another request; retry later.`);
      throw error;
    }
  }

  /** Where each subscription's billing reached: the period_end of its latest invoice that is not voided. */
  async lastPeriodEnds(subscriptionIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, Date>> {
    if (subscriptionIds.length === 0) return new Map();
    const rows: Array<{ subscription_id: string; period_end: Date }> = await manager.query(
      `SELECT subscription_id, max(period_end) AS period_end FROM invoicing.invoice_periods
       WHERE subscription_id = ANY($1::text[]) AND voided_at IS NULL GROUP BY subscription_id`,
      [subscriptionIds],
    );
    return new Map(rows.map((row) => [row.subscription_id, row.period_end]));
  }

  /**
   * In a void's transaction: the invoice's periods stop counting as billed. Refused (409) when a
   * later invoice that still counts covers one of its subscriptions: periods stay back to back.
   */
  async voidPeriods(manager: EntityManager, invoiceId: string, at: Date): Promise<InvoicePeriodRow[]> {
    const later: Array<{ number: string }> = await manager.query(
      `SELECT DISTINCT i.number FROM invoicing.invoice_periods mine
       JOIN invoicing.invoice_periods p ON p.subscription_id = mine.subscription_id AND p.period_start >= mine.period_end AND p.voided_at IS NULL
       JOIN invoicing.invoices i ON i.id = p.invoice_id
       WHERE mine.invoice_id = $1 ORDER BY i.number`,
      [invoiceId],
    );
    if (later.length > 0) {
      throw new ProblemException(
        409,
        'later_invoice_exists',
        `Invoice ${invoiceId} cannot be voided: ${later.map((row) => row.number).join(', ')} already bill the time after it; only a subscription's latest invoice can be voided.`,
      );
    }
    const [rows]: [InvoicePeriodRow[], number] = await manager.query(
      `UPDATE invoicing.invoice_periods SET voided_at = $2 WHERE invoice_id = $1 AND voided_at IS NULL
       RETURNING subscription_id, period_start, period_end, calculation_id`,
      [invoiceId, at],
    );
    return rows;
  }

  /** The next invoice number, from a counter row updated in the caller's transaction: no gaps on rollback. */
  async allocateSequence(manager: EntityManager): Promise<string> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [Array<{ sequence: string }>, number] = await manager.query(
      'UPDATE invoicing.invoice_counter SET last_sequence = last_sequence + 1 RETURNING last_sequence::text AS sequence',
    );
    return rows[0].sequence;
  }

  /** `count` consecutive sequences in one update (a group of invoices issued together): the first of them. */
  async allocateSequences(manager: EntityManager, count: number): Promise<bigint> {
    const [rows]: [Array<{ sequence: string }>, number] = await manager.query(
      'UPDATE invoicing.invoice_counter SET last_sequence = last_sequence + $1 RETURNING last_sequence::text AS sequence',
      [count],
    );
    return BigInt(rows[0].sequence) - BigInt(count) + 1n;
  }

  /** The invoice, the period of each subscription it covers and its first history entry, in one statement. */
  async insert(
    manager: EntityManager,
    invoice: InvoiceRow,
    periods: InvoicePeriodRow[],
    issueDetail: Record<string, unknown>,
    billingReason: 'manual' | 'subscription_cycle' = 'manual',
  ): Promise<void> {
    try {
      await manager.query(
        `WITH invoice AS (
           INSERT INTO invoicing.invoices (id, sequence, number, customer_id, status, currency, period_start, period_end, total_amount, snapshot, created_at, billing_reason, paid_at, amount_due)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $17, $18, $19) RETURNING id, status
         ), periods AS (
           INSERT INTO invoicing.invoice_periods (invoice_id, subscription_id, period_start, period_end, calculation_id)
           SELECT invoice.id, p.* FROM invoice, unnest($12::text[], $13::timestamptz[], $14::timestamptz[], $15::text[]) AS p
         )
         INSERT INTO invoicing.invoice_history (invoice_id, action, from_status, to_status, detail, occurred_at)
         SELECT id, 'issue', NULL, status, $16::jsonb, $11 FROM invoice`,
        [
          invoice.id,
          invoice.sequence,
          invoice.number,
          invoice.customer_id,
          invoice.status,
          invoice.currency,
          invoice.period_start,
          invoice.period_end,
          invoice.total_amount,
          invoice.snapshot,
          invoice.created_at,
          periods.map((period) => period.subscription_id),
          periods.map((period) => period.period_start),
          periods.map((period) => period.period_end),
          periods.map((period) => period.calculation_id),
          JSON.stringify(issueDetail),
          billingReason,
          invoice.paid_at,
          invoice.amount_due ?? null,
        ],
      );
    } catch (error) {
      if (pgCode(error) === PG_UNIQUE_VIOLATION) {
        throw new ProblemException(409, 'already_invoiced', 'Another invoice already covers this period.');
      }
      throw error;
    }
  }

  /**
   * Several invoices with their periods and first history entries in one statement (a group
   * issued in one transaction); one alone as insert does.
   */
  async insertMany(
    manager: EntityManager,
    written: ReadonlyArray<{ invoice: InvoiceRow; periods: InvoicePeriodRow[]; issueDetail: Record<string, unknown>; reason: 'manual' | 'subscription_cycle' }>,
  ): Promise<void> {
    if (written.length === 1) return this.insert(manager, written[0].invoice, written[0].periods, written[0].issueDetail, written[0].reason);
    if (written.length === 0) return;
    const invoices = written.map(({ invoice }) => invoice);
    const periods = written.flatMap(({ invoice, periods: rows }) => rows.map((period) => ({ invoiceId: invoice.id, ...period })));
    try {
      await manager.query(
        `WITH invoice AS (
           INSERT INTO invoicing.invoices (id, sequence, number, customer_id, status, currency, period_start, period_end, total_amount, snapshot, created_at, billing_reason, paid_at, amount_due)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::numeric[],
                                $10::text[], $11::timestamptz[], $12::text[], $13::timestamptz[], $14::numeric[])
           RETURNING id, status, created_at
         ), periods AS (
           INSERT INTO invoicing.invoice_periods (invoice_id, subscription_id, period_start, period_end, calculation_id)
           SELECT * FROM unnest($15::text[], $16::text[], $17::timestamptz[], $18::timestamptz[], $19::text[])
         )
         INSERT INTO invoicing.invoice_history (invoice_id, action, from_status, to_status, detail, occurred_at)
         SELECT invoice.id, 'issue', NULL, invoice.status, d.detail::jsonb, invoice.created_at
         FROM invoice JOIN unnest($1::text[], $20::text[]) AS d(id, detail) ON d.id = invoice.id`,
        [
          invoices.map((invoice) => invoice.id),
          invoices.map((invoice) => invoice.sequence),
          invoices.map((invoice) => invoice.number),
          invoices.map((invoice) => invoice.customer_id),
          invoices.map((invoice) => invoice.status),
          invoices.map((invoice) => invoice.currency),
          invoices.map((invoice) => invoice.period_start),
          invoices.map((invoice) => invoice.period_end),
          invoices.map((invoice) => invoice.total_amount),
          invoices.map((invoice) => invoice.snapshot),
          invoices.map((invoice) => invoice.created_at),
          written.map(({ reason }) => reason),
          invoices.map((invoice) => invoice.paid_at),
          invoices.map((invoice) => invoice.amount_due ?? null),
          periods.map((period) => period.invoiceId),
          periods.map((period) => period.subscription_id),
          periods.map((period) => period.period_start),
          periods.map((period) => period.period_end),
          periods.map((period) => period.calculation_id),
          written.map(({ issueDetail }) => JSON.stringify(issueDetail)),
        ],
      );
    } catch (error) {
      if (pgCode(error) === PG_UNIQUE_VIOLATION) {
        throw new ProblemException(409, 'already_invoiced', 'Another invoice already covers one of these periods.');
      }
      throw error;
    }
  }

  /** A credit note's amount, in its transaction under the invoice's lock; before payment it lowers the amount due too. */
  async addCredit(manager: EntityManager, id: string, amount: string, beforePayment: boolean): Promise<void> {
    await manager.query(
      `UPDATE invoicing.invoices SET credited_amount = credited_amount + $2, pre_payment_credited_amount = pre_payment_credited_amount + $3 WHERE id = $1`,
      [id, amount, beforePayment ? amount : '0'],
    );
  }

  async update(manager: EntityManager, id: string, changes: InvoiceChanges): Promise<void> {
    const columns = Object.keys(changes) as Array<keyof InvoiceChanges>;
    if (columns.length === 0) return;
    await manager.query(`UPDATE invoicing.invoices SET ${columns.map((column, index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1`, [
      id,
      ...columns.map((column) => changes[column]),
    ]);
  }

  async addHistory(
    manager: EntityManager,
    entry: { invoiceId: string; action: string; from: InvoiceStatus | null; to: InvoiceStatus; at: Date; detail?: Record<string, unknown> },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO invoicing.invoice_history (invoice_id, action, from_status, to_status, detail, occurred_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      [entry.invoiceId, entry.action, entry.from, entry.to, JSON.stringify(entry.detail ?? {}), entry.at],
    );
  }

  /**
   * Claims the sending of an issued invoice's email until `until`: false when it is not issued or
   * another send holds an unexpired claim. Committed at once; no lock is held while the mail goes out.
   */
  async claimEmail(id: string, claim: string, now: Date, until: Date): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE invoicing.invoices SET email_claim = $2, email_claimed_until = $4
       WHERE id = $1 AND status = 'issued' AND (email_claimed_until IS NULL OR email_claimed_until <= $3)`,
      [id, claim, now, until],
    );
    return affected === 1;
  }

  /** Records a sent email (whoever holds the claim now: the mail is gone) and drops this send's claim. */
  async recordEmailSent(manager: EntityManager, id: string, claim: string, sentAt: Date): Promise<InvoiceRow> {
    const [rows]: [InvoiceRow[], number] = await manager.query(
      `UPDATE invoicing.invoices SET sent_at = $3,
         email_claim = CASE WHEN email_claim = $2 THEN NULL ELSE email_claim END,
         email_claimed_until = CASE WHEN email_claim = $2 THEN NULL ELSE email_claimed_until END
       WHERE id = $1 RETURNING ${INVOICE_COLUMNS}`,
      [id, claim, sentAt],
    );
    return rows[0];
  }

  async releaseEmail(id: string, claim: string): Promise<void> {
    await this.dataSource.query('UPDATE invoicing.invoices SET email_claim = NULL, email_claimed_until = NULL WHERE id = $1 AND email_claim = $2', [id, claim]);
  }
}
