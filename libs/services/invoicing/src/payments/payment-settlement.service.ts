import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { matchesAttempt, PaymentAttemptStatus } from '@abaxus/domain/invoice/payment-attempt';
import type { OutboxTransaction } from '@abaxus/platform/bus/service-outbox';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { invoiceEventMessage } from '../invoices/invoice-event-message';
import { InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import { AttemptKey, AttemptResult, Claim, PaymentAttemptRow, PaymentAttemptsRepository } from './payment-attempts.repository';
import { attemptStatusOf, PaymentOutcome } from './payment-outcome';
import { outcomeOfPaymentIntent } from './stripe-error.translator';
import { StripePaymentsClient } from './stripe-payments.client';

/** What to ask Stripe about a claimed attempt. */
export type ProviderCall =
  /** Create the PaymentIntent with the attempt's idempotency key (a first send, or the same request again). */
  | 'send'
  /** Read the attempt's known PaymentIntent. */
  | 'check'
  /** Find the attempt's PaymentIntent by its metadata (its key may be forgotten). */
  | 'look_up';

export interface ClaimedAttempt {
  invoice: Pick<InvoiceRow, 'id' | 'number'>;
  /** The attempt as it was claimed: its status is what the outcome write expects to replace. */
  attempt: PaymentAttemptRow;
  claim: string;
  call: ProviderCall;
}

// Past the Stripe call's own timeout, the time to record its outcome; after that a claim is
// taken as abandoned (its process died) and another caller may take the attempt over.
const CLAIM_MARGIN_MS = 60_000;

/**
 * Settles a payment attempt without holding a lock across the network: the attempt was claimed
 * (and committed) before; Stripe is called with no transaction open; the outcome is written in a
 * short transaction, only if the attempt is still as claimed. Whoever settled it first wins — a
 * verified webhook, or a caller that took an abandoned claim over — and the others answer from it.
 */
@Injectable()
export class PaymentSettlement {
  constructor(
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
    private readonly clock: Clock,
    private readonly stripe: StripePaymentsClient,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly outbox: ServiceOutbox,
  ) {}

  newClaim(now: Date = this.clock.now()): Claim {
    return { claim: randomUUID(), now, until: new Date(now.getTime() + this.config.stripeTimeoutMs + CLAIM_MARGIN_MS) };
  }

  async settle(claimed: ClaimedAttempt): Promise<PaymentOutcome> {
    const key: AttemptKey = { invoiceId: claimed.invoice.id, number: claimed.attempt.attempt_number };
    let outcome: PaymentOutcome;
    try {
      outcome = await this.callProvider(claimed);
    } catch (error) {
      await this.attempts.release(key, claimed.claim);
      throw error;
    }
    const recorded = await this.outbox.transaction(async (tx) => {
      const invoice = await this.invoices.lockForRecord(tx.manager, key.invoiceId);
      const now = this.clock.now();
      if (!invoice || !(await this.attempts.recordOutcome(tx.manager, key, claimed.attempt.status, claimed.claim, resultOf(outcome), now))) return false;
      await this.applyToInvoice(tx, invoice, outcome, now, { action: 'charge', detail: { attempt: key.number } });
      return true;
    });
    if (recorded) return outcome;
    const stored = await this.attempts.find(key);
    return stored ? outcomeOfStoredAttempt(stored) : outcome;
  }

  /**
   * What an attempt's outcome does to its invoice, in the recording transaction (the invoice row
   * locked): a success pays it (or, on an invoice archived meanwhile, is kept on it), a decline
   * is announced.
   */
  async applyToInvoice(
    tx: OutboxTransaction,
    invoice: InvoiceRow,
    outcome: PaymentOutcome,
    now: Date,
    source: { action: 'charge' | 'mark_paid'; detail: Record<string, unknown> },
  ): Promise<'paid' | 'payment_failed' | 'unchanged'> {
    if (outcome.kind === 'succeeded') {
      const paid = transition(invoice.status, source.action);
      if (paid.ok) {
        await this.invoices.update(tx.manager, invoice.id, { status: paid.status, paid_at: now, payment_intent: outcome.paymentIntentId });
        await this.invoices.addHistory(tx.manager, {
          invoiceId: invoice.id,
          action: source.action,
          from: invoice.status,
          to: paid.status,
          at: now,
          detail: { ...source.detail, payment_intent: outcome.paymentIntentId },
        });
        tx.emit(invoiceEventMessage('invoice.paid', invoice, paid.status, now, { payment_intent: outcome.paymentIntentId }));
        return 'paid';
      }
      // Archived while the payment went through: keep the record, change nothing else.
      if (invoice.status === 'archived' && !invoice.payment_intent) {
        await this.invoices.update(tx.manager, invoice.id, { payment_intent: outcome.paymentIntentId, paid_at: now });
      }
      return 'unchanged';
    }
    if (outcome.kind === 'declined' && invoice.status === 'issued') {
      tx.emit(
        invoiceEventMessage('invoice.payment_failed', invoice, invoice.status, now, {
          ...(outcome.paymentIntentId ? { payment_intent: outcome.paymentIntentId } : {}),
          failure_code: outcome.declineCode ?? outcome.providerCode,
        }),
      );
      return 'payment_failed';
    }
    return 'unchanged';
  }

  private callProvider({ invoice, attempt, call }: ClaimedAttempt): Promise<PaymentOutcome> {
    switch (call) {
      case 'send':
        if (!attempt.provider_customer_id || !attempt.provider_payment_method) {
          return Promise.resolve({ kind: 'unknown', message: `attempt ${attempt.attempt_number} lacks the parameters it was sent with` });
        }
        return this.stripe.chargeOffSession({
          amountMinor: attempt.amount_minor,
          currency: attempt.currency,
          customer: attempt.provider_customer_id,
          paymentMethod: attempt.provider_payment_method,
          idempotencyKey: attempt.idempotency_key,
          invoiceId: invoice.id,
          invoiceNumber: invoice.number,
          attempt: attempt.attempt_number,
        });
      case 'check':
        return this.stripe.paymentIntent(attempt.payment_intent_id!);
      case 'look_up':
        return this.lookUp(invoice.id, attempt);
    }
  }

  /** The attempt's PaymentIntent found by the metadata it was created with; none → nothing was charged. */
  private async lookUp(invoiceId: string, attempt: PaymentAttemptRow): Promise<PaymentOutcome> {
    const found = await this.stripe.paymentsOfAttempt(invoiceId, attempt.attempt_number);
    // A look-up that failed proves nothing: the outcome stays unknown, never "failed".
    if (!found.ok)
      return { kind: 'unknown', message: `looking the payment up failed: ${'message' in found.outcome ? found.outcome.message : found.outcome.kind}` };
    const ours = found.intents.filter(
      (intent) =>
        matchesAttempt(
          { id: intent.id, amountMinor: String(intent.amount), currency: intent.currency },
          { paymentIntentId: null, amountMinor: attempt.amount_minor, currency: attempt.currency },
        ).ok,
    );
    const best = ours.find((intent) => intent.status === 'succeeded') ?? ours.find((intent) => intent.status !== 'canceled') ?? ours[0];
    if (!best)
      return { kind: 'not_found', message: `Stripe has no PaymentIntent for attempt ${attempt.attempt_number} of invoice ${invoiceId}: nothing was charged` };
    return outcomeOfPaymentIntent(best);
  }
}

/** An outcome as its attempt row stores it. */
export function resultOf(outcome: PaymentOutcome): AttemptResult {
  return {
    status: attemptStatusOf(outcome),
    payment_intent_id: 'paymentIntentId' in outcome ? outcome.paymentIntentId : null,
    failure_code:
      outcome.kind === 'declined' || outcome.kind === 'rejected' || outcome.kind === 'requires_action'
        ? outcome.providerCode
        : outcome.kind === 'not_found'
          ? 'payment_not_found'
          : null,
    decline_code: outcome.kind === 'declined' ? outcome.declineCode : null,
    failure_message:
      outcome.kind === 'declined' || outcome.kind === 'rejected' || outcome.kind === 'unknown' || outcome.kind === 'not_found' ? outcome.message : null,
  };
}

/** The outcome a stored attempt stands for (to answer a caller whose own write lost the race). */
export function outcomeOfStoredAttempt(
  attempt: Pick<PaymentAttemptRow, 'status' | 'payment_intent_id' | 'failure_code' | 'decline_code' | 'failure_message'>,
): PaymentOutcome {
  const status: PaymentAttemptStatus = attempt.status;
  const message = attempt.failure_message ?? '';
  switch (status) {
    case 'succeeded':
      return { kind: 'succeeded', paymentIntentId: attempt.payment_intent_id! };
    case 'requires_action':
      return { kind: 'requires_action', paymentIntentId: attempt.payment_intent_id!, providerCode: attempt.failure_code };
    case 'processing':
      return { kind: 'processing', paymentIntentId: attempt.payment_intent_id! };
    case 'failed':
      if (attempt.failure_code === 'payment_not_found') return { kind: 'not_found', message };
      return {
        kind: 'declined',
        paymentIntentId: attempt.payment_intent_id,
        providerCode: attempt.failure_code ?? 'payment_failed',
        declineCode: attempt.decline_code,
        message,
      };
    case 'pending':
    case 'unknown':
      return { kind: 'unknown', message: message || 'the outcome of this payment is not known yet' };
  }
}
