import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { InvoiceStatus } from '@abaxus/domain/invoice/invoice-lifecycle';
import { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import type { InvoiceRecord, PaymentAttemptRecord } from './invoice-json';

export interface InvoiceRow extends InvoiceRecord {
  sequence: string;
}

export interface InvoicePeriodRow {
  subscription_id: string;
  period_start: Date;
  period_end: Date;
  calculation_id: string;
}

export interface PaymentAttemptRow extends PaymentAttemptRecord {
  invoice_id: string;
  idempotency_key: string;
  amount_minor: string;
  currency: string;
  failure_message: string | null;
}

export interface InvoiceListFilter {
  customerId?: string;
  status?: InvoiceStatus;
  /** Only invoices issued before this one (by number): the list runs newest first. */
  beforeSequence?: string;
  limit: number;
}

const LOCK_NOT_AVAILABLE = '55P03';
const UNIQUE_VIOLATION = '23505';

function pgCode(error: unknown): string | undefined {
  const driver = (error as { driverError?: { code?: string }; code?: string }) ?? {};
  return driver.driverError?.code ?? driver.code;
}

const INVOICE_COLUMNS = `id, sequence::text AS sequence, number, customer_id, status, currency, period_start, period_end,
  total_amount::text AS total_amount, snapshot, payment_intent, sent_at, paid_at, archived_at, created_at`;

/**
 * One unit of work of the invoicing service: its queries share a transaction, and the bus
 * messages it emits go to the outbox in that same transaction (published after commit).
 */
export class InvoicingTransaction {
  constructor(
    readonly manager: EntityManager,
    private readonly messages: OutgoingMessage[],
  ) {}

  emit(message: OutgoingMessage): void {
    this.messages.push(message);
  }

  /**
   * One invoice at a time per customer: a second issuer gets 409 instead of waiting. SKIP LOCKED
   * rather than NOWAIT: the row exists (ensureCustomerBilling), so no row means someone holds it,
   * and nothing is raised (an error would abort the transaction and fill the logs).
   */
  async lockCustomer(customerId: string): Promise<void> {
    const rows: unknown[] = await this.manager.query('SELECT customer_id FROM invoicing.customer_billing WHERE customer_id = $1 FOR UPDATE SKIP LOCKED', [
      customerId,
    ]);
    if (rows.length === 0) {
      throw new ProblemException(409, 'invoice_in_progress', `An invoice for customer ${customerId} is being issued right now; retry once it is done.`);
    }
  }

  /**
   * Locks an invoice row for a change; someone else holding it (a charge or an email in progress)
   * → 409 at once, no waiting.
   */
  async lockInvoice(id: string): Promise<InvoiceRow> {
    const rows: InvoiceRow[] = await this.manager.query(`SELECT ${INVOICE_COLUMNS} FROM invoicing.invoices WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
    if (rows.length > 0) return rows[0];
    const exists: unknown[] = await this.manager.query('SELECT 1 FROM invoicing.invoices WHERE id = $1', [id]);
    if (exists.length === 0) throw ProblemException.notFound('Invoice', id);
    throw new ProblemException(
      409,
      'invoice_busy',
      `Invoice ${id} is being changed by another request (a charge or an email in progress); retry once it is done.`,
    );
  }

  /** Locks an invoice row, waiting up to `waitMs` for another holder (then 503: retry later); undefined when there is no such invoice. */
  async lockInvoiceIfExists(id: string, waitMs: number): Promise<InvoiceRow | undefined> {
    try {
      await this.manager.query(`SET LOCAL lock_timeout = '${Math.max(1, Math.floor(waitMs))}ms'`);
      const rows: InvoiceRow[] = await this.manager.query(`SELECT ${INVOICE_COLUMNS} FROM invoicing.invoices WHERE id = $1 FOR UPDATE`, [id]);
      return rows[0];
    } catch (error) {
      if (pgCode(error) === LOCK_NOT_AVAILABLE) throw new ProblemException(503, 'invoice_busy', `Invoice ${id} stayed locked by another request; retry later.`);
      throw error;
    }
  }

  /** Where each subscription's billing reached: the period_end of its latest invoice. */
  async lastPeriodEnds(subscriptionIds: string[]): Promise<Map<string, Date>> {
    if (subscriptionIds.length === 0) return new Map();
    const rows: Array<{ subscription_id: string; period_end: Date }> = await this.manager.query(
      `SELECT subscription_id, max(period_end) AS period_end FROM invoicing.invoice_periods
       WHERE subscription_id = ANY($1::text[]) GROUP BY subscription_id`,
      [subscriptionIds],
    );
    return new Map(rows.map((row) => [row.subscription_id, row.period_end]));
  }

  /** The next invoice number, from a counter row updated in this transaction: no gaps on rollback. */
  async allocateSequence(): Promise<string> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [Array<{ sequence: string }>, number] = await this.manager.query(
      'UPDATE invoicing.invoice_counter SET last_sequence = last_sequence + 1 RETURNING last_sequence::text AS sequence',
    );
    return rows[0].sequence;
  }

  /** The invoice, the period of each subscription it covers and its first history entry, in one statement. */
  async insertInvoice(invoice: InvoiceRow, periods: InvoicePeriodRow[], issueDetail: Record<string, unknown>): Promise<void> {
    try {
      await this.manager.query(
        `WITH invoice AS (
           INSERT INTO invoicing.invoices (id, sequence, number, customer_id, status, currency, period_start, period_end, total_amount, snapshot, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, status
         ), periods AS (
           INSERT INTO invoicing.invoice_periods (invoice_id, subscription_id, period_start, period_end, calculation_id)
           SELECT invoice.id, p.* FROM invoice, unnest($12::text[], $13::timestamptz[], $14::timestamptz[], $15::text[]) AS p
         )
         INSERT INTO invoicing.invoice_history (invoice_id, action, from_status, to_status, detail)
         SELECT id, 'issue', NULL, status, $16::jsonb FROM invoice`,
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
        ],
      );
    } catch (error) {
      if (pgCode(error) === UNIQUE_VIOLATION) {
        throw new ProblemException(409, 'already_invoiced', 'Another invoice already covers this period.');
      }
      throw error;
    }
  }

  async updateInvoice(id: string, changes: Partial<Pick<InvoiceRow, 'status' | 'payment_intent' | 'sent_at' | 'paid_at' | 'archived_at'>>): Promise<void> {
    const columns = Object.keys(changes) as Array<keyof typeof changes>;
    if (columns.length === 0) return;
    await this.manager.query(`UPDATE invoicing.invoices SET ${columns.map((column, index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1`, [
      id,
      ...columns.map((column) => changes[column]),
    ]);
  }

  async addHistory(
    invoiceId: string,
    action: string,
    fromStatus: InvoiceStatus | null,
    toStatus: InvoiceStatus,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    await this.manager.query(`INSERT INTO invoicing.invoice_history (invoice_id, action, from_status, to_status, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
      invoiceId,
      action,
      fromStatus,
      toStatus,
      JSON.stringify(detail),
    ]);
  }

  async attempts(invoiceId: string): Promise<PaymentAttemptRow[]> {
    return this.manager.query(`SELECT * FROM invoicing.payment_attempts WHERE invoice_id = $1 ORDER BY attempt_number`, [invoiceId]);
  }

  async saveAttempt(attempt: Omit<PaymentAttemptRow, 'created_at'>): Promise<void> {
    await this.manager.query(
      `INSERT INTO invoicing.payment_attempts
         (invoice_id, attempt_number, idempotency_key, status, amount_minor, currency, payment_intent_id, failure_code, decline_code, failure_message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (invoice_id, attempt_number) DO UPDATE SET
         status = EXCLUDED.status,
         payment_intent_id = COALESCE(EXCLUDED.payment_intent_id, invoicing.payment_attempts.payment_intent_id),
         failure_code = EXCLUDED.failure_code,
         decline_code = EXCLUDED.decline_code,
         failure_message = EXCLUDED.failure_message,
         updated_at = now()`,
      [
        attempt.invoice_id,
        attempt.attempt_number,
        attempt.idempotency_key,
        attempt.status,
        attempt.amount_minor,
        attempt.currency,
        attempt.payment_intent_id,
        attempt.failure_code,
        attempt.decline_code,
        attempt.failure_message,
      ],
    );
  }

  async attempt(invoiceId: string, number: number): Promise<PaymentAttemptRow | undefined> {
    if (!Number.isSafeInteger(number) || number < 1) return undefined;
    const rows: PaymentAttemptRow[] = await this.manager.query('SELECT * FROM invoicing.payment_attempts WHERE invoice_id = $1 AND attempt_number = $2', [
      invoiceId,
      number,
    ]);
    return rows[0];
  }

  async attemptByPaymentIntent(paymentIntentId: string): Promise<PaymentAttemptRow | undefined> {
    const rows: PaymentAttemptRow[] = await this.manager.query(
      'SELECT * FROM invoicing.payment_attempts WHERE payment_intent_id = $1 ORDER BY attempt_number DESC LIMIT 1',
      [paymentIntentId],
    );
    return rows[0];
  }

  /** False when this Stripe event was handled before (webhooks are delivered at least once). */
  async recordStripeEvent(eventId: string, type: string): Promise<boolean> {
    const rows: unknown[] = await this.manager.query(
      'INSERT INTO invoicing.stripe_events (event_id, type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
      [eventId, type],
    );
    return rows.length === 1;
  }
}

const KNOWN_CUSTOMERS_LIMIT = 100_000;

@Injectable()
export class InvoicesRepository {
  // Customers whose lock row is known to exist: saves a statement per invoice (rows are never deleted).
  private readonly knownCustomers = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: ServiceOutbox,
  ) {}

  async transaction<T>(work: (tx: InvoicingTransaction) => Promise<T>): Promise<T> {
    const messages: OutgoingMessage[] = [];
    const result = await this.dataSource.transaction(async (manager) => {
      messages.length = 0;
      const value = await work(new InvoicingTransaction(manager, messages));
      await this.outbox.append(manager, messages);
      return value;
    });
    if (messages.length > 0) this.outbox.wake();
    return result;
  }

  /**
   * The customer's lock row, created in its own statement before the issuing transaction, so two
   * first invoices of one customer meet on the row lock (SKIP LOCKED → 409) rather than on an insert.
   */
  async ensureCustomerBilling(customerId: string): Promise<void> {
    if (this.knownCustomers.has(customerId)) return;
    await this.dataSource.query('INSERT INTO invoicing.customer_billing (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [customerId]);
    if (this.knownCustomers.size >= KNOWN_CUSTOMERS_LIMIT) this.knownCustomers.clear();
    this.knownCustomers.add(customerId);
  }

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

  async attemptsOf(invoiceIds: string[]): Promise<PaymentAttemptRow[]> {
    if (invoiceIds.length === 0) return [];
    return this.dataSource.query('SELECT * FROM invoicing.payment_attempts WHERE invoice_id = ANY($1::text[]) ORDER BY invoice_id, attempt_number', [
      invoiceIds,
    ]);
  }
}
