import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type { CreditNoteEventEnvelope } from '@abaxus/contracts/invoice-events';
import { TOPICS } from '@abaxus/contracts/topics';
import { allocateCredit, amountDue, CreditNoteSettlement, creditNoteSettlement, lineItemId, refundCall } from '@abaxus/domain/invoice/credit-note';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { formatInvoiceNumber } from '@abaxus/domain/invoice/invoice-number';
import { isClaimed, isUnsettled } from '@abaxus/domain/invoice/payment-attempt';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { fromStripeMinorUnits, toStripeMinorUnits } from '@abaxus/domain/money/stripe-amount';
import type { OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { OutboxTransaction, ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { issuedDocumentSnapshot } from '../documents/issued-document-snapshot';
import { invoiceEventMessage } from '../invoices/invoice-event-message';
import { InvoiceSnapshot } from '../invoices/invoice-json';
import { InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import { PaymentAttemptsRepository, summaryOf } from '../payments/payment-attempts.repository';
import type { RefundOutcome } from '../payments/payment-outcome';
import { StripePaymentsClient } from '../payments/stripe-payments.client';
import { SettingsRepository } from '../settings/settings.repository';
import { CreateCreditNoteDto, ListCreditNotesQuery } from './credit-note.dto';
import { CreditNoteJson, CreditNoteLineJson, CreditNoteRow, creditNoteToJson } from './credit-note-json';
import { CreditNotesRepository } from './credit-notes.repository';
import { CustomerCreditBalancePort } from './customer-credit-balance.port';

export const CREDIT_NOTE_NUMBER_PREFIX = 'CN';

/** The key every request to Stripe for a credit note's refund carries: one Refund, however often it is asked. */
export function refundIdempotencyKey(creditNoteId: string): string {
  return `abaxus-${creditNoteId}-refund`;
}

/**
 * Issues credit notes on invoices (API.md Part II §6). The note, its number, the invoice's
 * credited sums (and, once nothing is left to pay, its `paid` status) and the facts are written
 * in one short transaction under the invoice's row lock, so concurrent notes can never together
 * credit more than the invoice's total. A refund to the card is recorded `pending` there, asked
 * of Stripe after commit with the note's own idempotency key, and its outcome recorded after.
 */
@Injectable()
export class CreditNotesService {
  constructor(
    private readonly creditNotes: CreditNotesRepository,
    private readonly invoices: InvoicesRepository,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly settings: SettingsRepository,
    private readonly catalog: CatalogClient,
    private readonly stripe: StripePaymentsClient,
    private readonly balance: CustomerCreditBalancePort,
    private readonly outbox: ServiceOutbox,
    private readonly clock: Clock,
  ) {}

  async create(invoiceId: string, request: CreateCreditNoteDto): Promise<CreditNoteJson> {
    const hasAmount = request.amount !== undefined && request.amount !== null;
    if (hasAmount === (request.line_items !== undefined && request.line_items !== null)) {
      throw ProblemException.validation([
        { field: hasAmount ? 'line_items' : 'amount', message: 'send either amount (for the invoice as a whole) or line_items, not both and not neither' },
      ]);
    }
    const current = await this.invoices.find(invoiceId);
    if (!current) throw ProblemException.notFound('Invoice', invoiceId);
    // The issuer and the customer as they are now go with the note (its document never changes).
    const document = issuedDocumentSnapshot(await this.settings.current(), await this.catalog.customer(current.customer_id));

    const row = await this.outbox.transaction(async (tx) => {
      const invoice = await this.invoices.lockForRecord(tx.manager, invoiceId);
      if (!invoice) throw ProblemException.notFound('Invoice', invoiceId);
      const snapshot = JSON.parse(invoice.snapshot) as InvoiceSnapshot;
      const creditedPerLine = await this.creditNotes.creditedPerLine(tx.manager, invoiceId);
      const allocated = allocateCredit(
        {
          currency: invoice.currency,
          total: new Big(invoice.total_amount),
          credited: new Big(invoice.credited_amount ?? 0),
          lines: snapshot.line_items.map((item, index) => ({ amount: new Big(item.amount), credited: creditedPerLine.get(index) ?? new Big(0) })),
        },
        request.amount !== undefined && request.amount !== null ? { amount: request.amount } : { lineItems: request.line_items! },
      );
      if (!allocated.ok) {
        if (allocated.status === 400) throw ProblemException.validation([{ field: allocated.field, message: allocated.message }]);
        throw new ProblemException(422, allocated.code, `Invoice ${invoice.number}: ${allocated.message}.`, {
          errors: [{ field: allocated.field, message: allocated.message }],
        });
      }
      const { allocation } = allocated;
      // After the amounts: "nothing left to credit" says more than how a credit would be given back.
      const settlement = this.settlementOf(invoice, request.refund);
      const now = this.clock.now();
      if (settlement === 'amount_due') await this.refuseWhilePaymentMayLand(tx, invoice, now);
      const amount = formatAmount(allocation.amount, invoice.currency);
      const refundMinor = settlement === 'refund' ? refundAmountMinor(invoice, allocation.amount) : null;

      const sequence = await this.creditNotes.allocateSequence(tx.manager);
      const id = `cn_${randomBytes(12).toString('hex')}`;
      const lines: CreditNoteLineJson[] = allocation.lines.map((line) => {
        const item = snapshot.line_items[line.index];
        return {
          line_item_id: lineItemId(line.index),
          metric_key: item.metric_key,
          model: item.model,
          line_amount: item.amount,
          amount: formatAmount(line.amount, invoice.currency),
        };
      });
      const note: CreditNoteRow = {
        id,
        sequence,
        number: formatInvoiceNumber(sequence, CREDIT_NOTE_NUMBER_PREFIX),
        invoice_id: invoice.id,
        invoice_number: invoice.number,
        customer_id: invoice.customer_id,
        currency: invoice.currency,
        amount,
        reason: request.reason,
        memo: request.memo ?? null,
        settlement,
        lines,
        document,
        refund_status: refundMinor === null ? null : 'pending',
        refund_idempotency_key: refundMinor === null ? null : refundIdempotencyKey(id),
        refund_amount_minor: refundMinor,
        refund_payment_intent: refundMinor === null ? null : invoice.payment_intent,
        stripe_refund_id: null,
        refund_failure: null,
        sent_at: null,
        created_at: now,
      };
      await this.creditNotes.insert(tx.manager, note);
      await this.invoices.addCredit(tx.manager, invoice.id, amount, settlement === 'amount_due');
      if (settlement === 'credit_balance') {
        await this.balance.grantFromCreditNote(invoice.customer_id, invoice.currency, allocation.amount, id, tx.manager);
      }
      await this.invoices.addHistory(tx.manager, {
        invoiceId: invoice.id,
        action: 'credit_note',
        from: invoice.status,
        to: invoice.status,
        at: now,
        detail: { credit_note_id: id, number: note.number, amount, settlement },
      });
      tx.emit(creditNoteIssuedMessage(note, now));
      if (settlement === 'amount_due') {
        const prePaymentCredited = new Big(invoice.pre_payment_credited_amount ?? 0).plus(allocation.amount);
        if (amountDue(new Big(invoice.total_amount), prePaymentCredited).eq(0)) await this.markPaidByCredit(tx, invoice, note, now);
      }
      return note;
    });

    if (row.refund_status === 'pending') return this.settleRefund(row);
    return creditNoteToJson(row);
  }

  /**
   * Asks Stripe again about a refund left `pending` (its answer was lost, the process stopped
   * before recording it, or Stripe has not settled it yet): with the same idempotency key, so
   * at most one Refund ever exists for the note. A settled refund is answered as it is.
   */
  async retryRefund(id: string): Promise<CreditNoteJson> {
    const row = await this.creditNotes.find(id);
    if (!row) throw ProblemException.notFound('Credit note', id);
    if (row.settlement !== 'refund') {
      throw new ProblemException(409, 'no_refund', `Credit note ${row.number} is not refunded to the card (its settlement is ${row.settlement}).`);
    }
    if (row.refund_status !== 'pending') return creditNoteToJson(row);
    return this.settleRefund(row);
  }

  async get(id: string): Promise<CreditNoteJson> {
    const row = await this.creditNotes.find(id);
    if (!row) throw ProblemException.notFound('Credit note', id);
    return creditNoteToJson(row);
  }

  async list(query: ListCreditNotesQuery, invoiceId?: string): Promise<Page<CreditNoteJson>> {
    if (invoiceId !== undefined && !(await this.invoices.find(invoiceId))) throw ProblemException.notFound('Invoice', invoiceId);
    const limit = listLimit(query);
    let beforeSequence: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSequence = await this.creditNotes.sequenceOf(query.starting_after);
      if (beforeSequence === undefined) throw unknownCursor(query.starting_after);
    }
    const rows = await this.creditNotes.list({ invoiceId, customerId: query.customer_id, beforeSequence, limit });
    const page = toPage(rows, limit, (row) => row.id);
    return { ...page, data: page.data.map(creditNoteToJson) };
  }

  /** How the note would be settled on the invoice as it is; refusals name what is missing. */
  private settlementOf(invoice: InvoiceRow, refund: boolean): CreditNoteSettlement {
    const settled = creditNoteSettlement(invoice.status, refund);
    if (!settled.ok) {
      throw new ProblemException(settled.status, settled.code, `Invoice ${invoice.number}: ${settled.message}.`, {
        ...(settled.field ? { errors: [{ field: settled.field, message: settled.message }] } : {}),
      });
    }
    if (settled.settlement === 'credit_balance' && !this.balance.available) {
      throw new ProblemException(
        422,
        'credit_balance_unavailable',
        `Invoice ${invoice.number} is paid: refund: false would add the credit to the customer's credit balance, and the customer credit balance not available in this engine yet; send refund: true to refund to the card.`,
        { errors: [{ field: 'refund', message: 'customer credit balance not available' }] },
      );
    }
    if (settled.settlement === 'refund') {
      if (!invoice.payment_intent) {
        throw new ProblemException(
          422,
          'no_payment_to_refund',
          `Invoice ${invoice.number} was paid without a Stripe payment (nothing was due, or it was marked paid): there is no payment to refund.`,
          { errors: [{ field: 'refund', message: 'the invoice has no Stripe payment' }] },
        );
      }
      if (!this.stripe.configured) {
        throw new ProblemException(503, 'payments_not_configured', 'Refunds need Stripe: set STRIPE_SECRET_KEY (and STRIPE_API_URL to use another endpoint).');
      }
    }
    return settled.settlement;
  }

  /**
   * A payment that may still land (being made, outcome unknown, awaiting the customer) was asked
   * for the amount due as it is; lowering it now would leave that payment for the wrong amount.
   */
  private async refuseWhilePaymentMayLand(tx: OutboxTransaction, invoice: InvoiceRow, now: Date): Promise<void> {
    const attempts = await this.attempts.ofInvoice(invoice.id, tx.manager);
    if (
      attempts.some(
        (attempt) => isClaimed(summaryOf(attempt), now) || isUnsettled(attempt.status) || ['requires_action', 'processing'].includes(attempt.status),
      )
    ) {
      throw new ProblemException(
        409,
        'payment_in_progress',
        `Invoice ${invoice.number} has a payment that may still succeed; credit it once the payment succeeded (then as a refund) or failed.`,
      );
    }
  }

  /** Nothing is left to pay: the invoice is paid without Stripe (API.md §7), its collection ends by itself. */
  private async markPaidByCredit(tx: OutboxTransaction, invoice: InvoiceRow, note: CreditNoteRow, now: Date): Promise<void> {
    const paid = transition(invoice.status, 'mark_paid');
    if (!paid.ok) return;
    await this.invoices.update(tx.manager, invoice.id, { status: paid.status, paid_at: now });
    await this.invoices.addHistory(tx.manager, {
      invoiceId: invoice.id,
      action: 'mark_paid',
      from: invoice.status,
      to: paid.status,
      at: now,
      detail: { credit_note_id: note.id, amount_due: formatAmount(new Big(0), invoice.currency) },
    });
    tx.emit(invoiceEventMessage('invoice.paid', invoice, paid.status, now));
  }

  /**
   * The Stripe call, with no transaction open (see refundCall: read, the same request again, or a
   * look-up once the key may be forgotten); then its outcome, recorded only while still pending.
   */
  async settleRefund(row: CreditNoteRow): Promise<CreditNoteJson> {
    const send = () =>
      this.stripe.refund({
        paymentIntent: row.refund_payment_intent!,
        amountMinor: row.refund_amount_minor!,
        idempotencyKey: row.refund_idempotency_key!,
        reason: row.reason,
        creditNoteId: row.id,
        creditNoteNumber: row.number,
        invoiceId: row.invoice_id,
      });
    let outcome: RefundOutcome;
    switch (refundCall(row.stripe_refund_id, row.created_at, this.clock.now())) {
      case 'read':
        outcome = await this.stripe.refundStatus(row.stripe_refund_id!);
        break;
      case 'send':
        outcome = await send();
        break;
      case 'look_up': {
        const found = await this.stripe.refundOfCreditNote(row.refund_payment_intent!, row.id);
        outcome = found === 'none' ? await send() : found;
      }
    }
    await this.creditNotes.recordRefund(row.id, outcome);
    return creditNoteToJson((await this.creditNotes.find(row.id))!);
  }
}

/** Stripe takes the refund in its minor units: a credit it could not refund exactly is refused, never rounded. */
function refundAmountMinor(invoice: InvoiceRow, amount: Big): string {
  const minor = toStripeMinorUnits(amount, invoice.currency);
  if (!fromStripeMinorUnits(minor, invoice.currency).eq(amount)) {
    throw new ProblemException(
      422,
      'amount_not_refundable_exactly',
      `Stripe cannot refund ${formatAmount(amount, invoice.currency)} ${invoice.currency} exactly (it would refund ${formatAmount(fromStripeMinorUnits(minor, invoice.currency), invoice.currency)}).`,
      { errors: [{ field: 'amount', message: 'not refundable exactly in Stripe minor units' }] },
    );
  }
  return minor;
}

function creditNoteIssuedMessage(note: CreditNoteRow, occurredAt: Date): OutgoingMessage {
  const envelope: CreditNoteEventEnvelope = {
    event_id: randomUUID(),
    type: 'credit_note.issued',
    occurred_at: occurredAt.toISOString(),
    data: {
      credit_note_id: note.id,
      number: note.number,
      invoice_id: note.invoice_id,
      invoice_number: note.invoice_number,
      customer_id: note.customer_id,
      currency: note.currency,
      amount: note.amount,
      reason: note.reason,
      settlement: note.settlement,
    },
  };
  // Keyed by customer, as the invoice facts are, so one customer's facts stay in order.
  return { topic: TOPICS.invoiceEvents, key: note.customer_id, value: JSON.stringify(envelope) };
}
