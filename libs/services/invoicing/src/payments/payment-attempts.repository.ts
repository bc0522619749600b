import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { PaymentAttemptStatus, PaymentAttemptSummary } from '@abaxus/domain/invoice/payment-attempt';
import type { PaymentAttemptRecord } from '../invoices/invoice-json';

export interface PaymentAttemptRow extends PaymentAttemptRecord {
  invoice_id: string;
  idempotency_key: string;
  amount_minor: string;
  currency: string;
  failure_message: string | null;
  /** What the provider request was sent with, so a retry with the same key sends the same request. */
  provider_customer_id: string | null;
  provider_payment_method: string | null;
  claimed_by: string | null;
  claimed_until: Date | null;
}

export interface AttemptKey {
  invoiceId: string;
  number: number;
}

/** What an attempt came to, as stored. */
export interface AttemptResult {
  status: PaymentAttemptStatus;
  payment_intent_id: string | null;
  failure_code: string | null;
  decline_code: string | null;
  failure_message: string | null;
}

export interface Claim {
  claim: string;
  now: Date;
  until: Date;
}

export function summaryOf(row: PaymentAttemptRow): PaymentAttemptSummary {
  return {
    number: row.attempt_number,
    status: row.status,
    paymentIntentId: row.payment_intent_id,
    createdAt: row.created_at,
    claimedUntil: row.claimed_until,
  };
}

/** SET clause writing a result (parameters `first` … `first + 5`) and dropping any claim. */
function setResult(first: number): string {
  const [status, intent, code, decline, message, at] = [0, 1, 2, 3, 4, 5].map((offset) => `$${first + offset}`);
  return `status = ${status}, payment_intent_id = COALESCE(${intent}, payment_intent_id), failure_code = ${code}, decline_code = ${decline},
    failure_message = ${message}, claimed_by = NULL, claimed_until = NULL, updated_at = ${at}`;
}

const resultParams = (result: AttemptResult, at: Date) => [
  result.status,
  result.payment_intent_id,
  result.failure_code,
  result.decline_code,
  result.failure_message,
  at,
];

/**
 * The payment attempts of invoices. Whoever calls the provider for an attempt claims it first;
 * its outcome is written only while the claim and the status it expects still hold.
 */
@Injectable()
export class PaymentAttemptsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ofInvoices(invoiceIds: string[]): Promise<PaymentAttemptRow[]> {
    if (invoiceIds.length === 0) return [];
    return this.dataSource.query('SELECT * FROM invoicing.payment_attempts WHERE invoice_id = ANY($1::text[]) ORDER BY invoice_id, attempt_number', [
      invoiceIds,
    ]);
  }

  async ofInvoice(invoiceId: string, manager: EntityManager = this.dataSource.manager): Promise<PaymentAttemptRow[]> {
    return manager.query('SELECT * FROM invoicing.payment_attempts WHERE invoice_id = $1 ORDER BY attempt_number', [invoiceId]);
  }

  async find(key: AttemptKey, manager: EntityManager = this.dataSource.manager): Promise<PaymentAttemptRow | undefined> {
    if (!Number.isSafeInteger(key.number) || key.number < 1) return undefined;
    const rows: PaymentAttemptRow[] = await manager.query('SELECT * FROM invoicing.payment_attempts WHERE invoice_id = $1 AND attempt_number = $2', [
      key.invoiceId,
      key.number,
    ]);
    return rows[0];
  }

  async byPaymentIntent(manager: EntityManager, paymentIntentId: string): Promise<PaymentAttemptRow | undefined> {
    const rows: PaymentAttemptRow[] = await manager.query(
      'SELECT * FROM invoicing.payment_attempts WHERE payment_intent_id = $1 ORDER BY attempt_number DESC LIMIT 1',
      [paymentIntentId],
    );
    return rows[0];
  }

  /** A new attempt, `pending` and claimed by its creator, committed before the provider is called. */
  async insertPending(
    manager: EntityManager,
    attempt: Pick<
      PaymentAttemptRow,
      'invoice_id' | 'attempt_number' | 'idempotency_key' | 'amount_minor' | 'currency' | 'provider_customer_id' | 'provider_payment_method'
    >,
    claim: Claim,
  ): Promise<PaymentAttemptRow> {
    const rows: PaymentAttemptRow[] = await manager.query(
      `INSERT INTO invoicing.payment_attempts
         (invoice_id, attempt_number, idempotency_key, status, amount_minor, currency, provider_customer_id, provider_payment_method,
          claimed_by, claimed_until, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *`,
      [
        attempt.invoice_id,
        attempt.attempt_number,
        attempt.idempotency_key,
        attempt.amount_minor,
        attempt.currency,
        attempt.provider_customer_id,
        attempt.provider_payment_method,
        claim.claim,
        claim.until,
        claim.now,
      ],
    );
    return rows[0];
  }

  /**
   * Claims an existing attempt that is in `expected` status and claimed by nobody (or by someone
   * whose claim expired: a crashed process). Undefined when someone else got there first.
   * `provider` fills in the request parameters of an attempt recorded before they were kept.
   */
  async claim(
    key: AttemptKey,
    expected: PaymentAttemptStatus,
    claim: Claim,
    provider?: { customer: string; paymentMethod: string },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PaymentAttemptRow | undefined> {
    const [rows]: [PaymentAttemptRow[], number] = await manager.query(
      `UPDATE invoicing.payment_attempts SET claimed_by = $4, claimed_until = $6,
         provider_customer_id = COALESCE(provider_customer_id, $7), provider_payment_method = COALESCE(provider_payment_method, $8)
       WHERE invoice_id = $1 AND attempt_number = $2 AND status = $3 AND (claimed_until IS NULL OR claimed_until <= $5)
       RETURNING *`,
      [key.invoiceId, key.number, expected, claim.claim, claim.now, claim.until, provider?.customer ?? null, provider?.paymentMethod ?? null],
    );
    return rows[0];
  }

  /**
   * Writes the outcome of the provider call made under `claim`, only if the attempt is still in
   * the status the call started from and still this caller's: false when the webhook (or a
   * caller that took an expired claim over) settled it meanwhile.
   */
  async recordOutcome(
    manager: EntityManager,
    key: AttemptKey,
    expected: PaymentAttemptStatus,
    claim: string,
    result: AttemptResult,
    at: Date,
  ): Promise<boolean> {
    const [, affected]: [unknown[], number] = await manager.query(
      `UPDATE invoicing.payment_attempts SET ${setResult(5)} WHERE invoice_id = $1 AND attempt_number = $2 AND status = $3 AND claimed_by = $4`,
      [key.invoiceId, key.number, expected, claim, ...resultParams(result, at)],
    );
    return affected === 1;
  }

  /** Stripe's own word (a verified webhook) on an attempt: written whoever holds a claim on it. */
  async recordReported(manager: EntityManager, key: AttemptKey, result: AttemptResult, at: Date): Promise<void> {
    await manager.query(`UPDATE invoicing.payment_attempts SET ${setResult(3)} WHERE invoice_id = $1 AND attempt_number = $2`, [
      key.invoiceId,
      key.number,
      ...resultParams(result, at),
    ]);
  }

  /** Gives a claim up without an outcome (the call could not be made); the attempt stays as it was. */
  async release(key: AttemptKey, claim: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE invoicing.payment_attempts SET claimed_by = NULL, claimed_until = NULL WHERE invoice_id = $1 AND attempt_number = $2 AND claimed_by = $3',
      [key.invoiceId, key.number, claim],
    );
  }

  /**
   * Attempts left without an outcome that nobody works on: `pending` ones whose claim expired
   * (their process died between recording the attempt and recording the outcome), and `unknown`
   * ones sent before `forgottenBefore` (the provider may no longer know their key).
   */
  async abandoned(now: Date, forgottenBefore: Date, limit: number): Promise<PaymentAttemptRow[]> {
    return this.dataSource.query(
      `SELECT * FROM invoicing.payment_attempts
       WHERE payment_intent_id IS NULL AND (claimed_until IS NULL OR claimed_until <= $1)
         AND (status = 'pending' OR (status = 'unknown' AND created_at <= $2))
       ORDER BY created_at LIMIT $3`,
      [now, forgottenBefore, limit],
    );
  }
}
