import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import type { RefundOutcome } from '../payments/payment-outcome';
import type { CreditNoteRow } from './credit-note-json';

const COLUMNS = `cn.id, cn.sequence::text AS sequence, cn.number, cn.invoice_id, i.number AS invoice_number, cn.customer_id, cn.currency,
  cn.amount::text AS amount, cn.reason, cn.memo, cn.settlement, cn.lines, cn.document, cn.refund_status, cn.refund_idempotency_key,
  cn.refund_amount_minor, cn.refund_payment_intent, cn.stripe_refund_id, cn.refund_failure, cn.sent_at, cn.created_at`;
const FROM = 'invoicing.credit_notes cn JOIN invoicing.invoices i ON i.id = cn.invoice_id';

export type NewCreditNote = Omit<CreditNoteRow, 'invoice_number' | 'sent_at' | 'stripe_refund_id' | 'refund_failure'>;

export interface CreditNoteListFilter {
  invoiceId?: string;
  customerId?: string;
  /** Only credit notes issued before this one (by number): lists run newest first. */
  beforeSequence?: string;
  limit: number;
}

/** Credit notes and their numbering counter. A method taking an EntityManager runs in the caller's transaction. */
@Injectable()
export class CreditNotesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The next credit note number, from its own counter row, in the caller's transaction: no gaps on rollback. */
  async allocateSequence(manager: EntityManager): Promise<string> {
    const [rows]: [Array<{ sequence: string }>, number] = await manager.query(
      'UPDATE invoicing.credit_note_counter SET last_sequence = last_sequence + 1 RETURNING last_sequence::text AS sequence',
    );
    return rows[0].sequence;
  }

  async insert(manager: EntityManager, note: NewCreditNote): Promise<void> {
    await manager.query(
      `INSERT INTO invoicing.credit_notes (id, sequence, number, invoice_id, customer_id, currency, amount, reason, memo, settlement, lines, document,
         refund_status, refund_idempotency_key, refund_amount_minor, refund_payment_intent, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16, $17)`,
      [
        note.id,
        note.sequence,
        note.number,
        note.invoice_id,
        note.customer_id,
        note.currency,
        note.amount,
        note.reason,
        note.memo,
        note.settlement,
        JSON.stringify(note.lines),
        JSON.stringify(note.document),
        note.refund_status,
        note.refund_idempotency_key,
        note.refund_amount_minor,
        note.refund_payment_intent,
        note.created_at,
      ],
    );
  }

  /** What earlier credit notes credited on each line of an invoice, by line position (read under the invoice's lock). */
  async creditedPerLine(manager: EntityManager, invoiceId: string): Promise<Map<number, Big>> {
    const rows: Array<{ line_item_id: string; credited: string }> = await manager.query(
      `SELECT line->>'line_item_id' AS line_item_id, sum((line->>'amount')::numeric)::text AS credited
       FROM invoicing.credit_notes, jsonb_array_elements(lines) AS line WHERE invoice_id = $1 GROUP BY 1`,
      [invoiceId],
    );
    return new Map(rows.map((row) => [Number(row.line_item_id.slice('li_'.length)), new Big(row.credited)]));
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<CreditNoteRow | undefined> {
    const rows: CreditNoteRow[] = await manager.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE cn.id = $1`, [id]);
    return rows[0];
  }

  async sequenceOf(id: string): Promise<string | undefined> {
    const rows: Array<{ sequence: string }> = await this.dataSource.query('SELECT sequence::text AS sequence FROM invoicing.credit_notes WHERE id = $1', [id]);
    return rows[0]?.sequence;
  }

  /** Newest first; limit + 1 rows so the caller knows whether more exist. */
  async list(filter: CreditNoteListFilter): Promise<CreditNoteRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${FROM}
       WHERE ($1::text IS NULL OR cn.invoice_id = $1) AND ($2::text IS NULL OR cn.customer_id = $2) AND ($3::bigint IS NULL OR cn.sequence < $3)
       ORDER BY cn.sequence DESC LIMIT $4`,
      [filter.invoiceId ?? null, filter.customerId ?? null, filter.beforeSequence ?? null, filter.limit + 1],
    );
  }

  /** Refunds still pending that were recorded before `before` (their first request is over by then), oldest first. */
  async pendingRefunds(before: Date, limit: number): Promise<CreditNoteRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE cn.refund_status = 'pending' AND cn.created_at < $1 ORDER BY cn.created_at LIMIT $2`, [
      before,
      limit,
    ]);
  }

  /**
   * Records what Stripe answered about a pending refund, only while it is still pending (the first
   * settled answer wins); false when another request settled it first.
   */
  async recordRefund(id: string, outcome: RefundOutcome): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE invoicing.credit_notes SET refund_status = $2, stripe_refund_id = COALESCE($3, stripe_refund_id), refund_failure = $4
       WHERE id = $1 AND refund_status = 'pending'`,
      [id, outcome.kind, outcome.refundId, outcome.kind === 'succeeded' ? null : outcome.message],
    );
    return affected === 1;
  }

  /**
   * Claims the sending of a credit note's email until `until`: false when another send holds an
   * unexpired claim. Committed at once; no lock is held while the mail goes out.
   */
  async claimEmail(id: string, claim: string, now: Date, until: Date): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE invoicing.credit_notes SET email_claim = $2, email_claimed_until = $4
       WHERE id = $1 AND (email_claimed_until IS NULL OR email_claimed_until <= $3)`,
      [id, claim, now, until],
    );
    return affected === 1;
  }

  /** Records a sent email (the mail is gone, whoever holds the claim now) and drops this send's claim. */
  async recordEmailSent(id: string, claim: string, sentAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE invoicing.credit_notes SET sent_at = $3,
         email_claim = CASE WHEN email_claim = $2 THEN NULL ELSE email_claim END,
         email_claimed_until = CASE WHEN email_claim = $2 THEN NULL ELSE email_claimed_until END
       WHERE id = $1`,
      [id, claim, sentAt],
    );
  }

  async releaseEmail(id: string, claim: string): Promise<void> {
    await this.dataSource.query('UPDATE invoicing.credit_notes SET email_claim = NULL, email_claimed_until = NULL WHERE id = $1 AND email_claim = $2', [
      id,
      claim,
    ]);
  }
}
