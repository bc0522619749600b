import { Inject, Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { matchesAttempt, PaymentMatch } from '@abaxus/domain/invoice/payment-attempt';
import { stripeChargeAmount } from '@abaxus/domain/money/stripe-charge';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { invoiceAmountDue } from '../invoices/invoice-json';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import { PaymentAttemptRow, PaymentAttemptsRepository } from './payment-attempts.repository';
import { PaymentOutcome } from './payment-outcome';
import { PaymentSettlement, resultOf } from './payment-settlement.service';
import { StripeEventsRepository } from './stripe-events.repository';
import { StripePaymentsClient, WebhookSignatureError } from './stripe-payments.client';

export interface WebhookAnswer {
  received: true;
  /**
   * What the event changed: `paid`, `payment_failed`; or why nothing: `duplicate` (seen before),
   * `ignored` (not about a payment of ours), `refused` (names an invoice, but is not the payment
   * the engine asked for: recorded in the invoice's history).
   */
  result: 'paid' | 'payment_failed' | 'duplicate' | 'ignored' | 'refused';
}

type Verdict = { ok: true; attempt: PaymentAttemptRow } | { ok: false; reason: 'no_matching_attempt' | Extract<PaymentMatch, { ok: false }>['reason'] };

/**
 * Stripe's word on PaymentIntents: succeeded → the invoice is paid (after customer authentication,
 * or a charge whose answer was lost); payment_failed → the failure is recorded. Only a
 * PaymentIntent the engine created for one of the invoice's attempts, for the invoice's amount
 * and currency, changes anything; any other is recorded, answered 200 (or Stripe would redeliver
 * it for days) and left in the invoice's history. Event ids are stored with the effect, so a
 * redelivered event changes nothing.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);

  constructor(
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
    private readonly clock: Clock,
    private readonly stripe: StripePaymentsClient,
    private readonly invoices: InvoicesRepository,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly stripeEvents: StripeEventsRepository,
    private readonly settlement: PaymentSettlement,
    private readonly outbox: ServiceOutbox,
  ) {}

  async handle(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookAnswer> {
    const secret = this.config.stripeWebhookSecret;
    if (!secret) throw new ProblemException(503, 'webhooks_not_configured', 'Stripe webhooks need STRIPE_WEBHOOK_SECRET to verify signatures.');
    if (!signature) throw new ProblemException(400, 'invalid_signature', 'The Stripe-Signature header is missing.');
    let event: Stripe.Event;
    try {
      event = this.stripe.verifyWebhook(rawBody ?? Buffer.alloc(0), signature, secret, this.clock.now());
    } catch (error) {
      if (error instanceof WebhookSignatureError)
        throw new ProblemException(400, 'invalid_signature', `The Stripe signature does not verify: ${error.message}`);
      throw error;
    }
    if (event.type !== 'payment_intent.succeeded' && event.type !== 'payment_intent.payment_failed') return { received: true, result: 'ignored' };
    const intent = event.data.object;

    return this.outbox.transaction(async (tx): Promise<WebhookAnswer> => {
      const now = this.clock.now();
      if (!(await this.stripeEvents.receive(tx.manager, { id: event.id, type: event.type, paymentIntentId: intent.id, at: now }))) {
        return { received: true, result: 'duplicate' };
      }
      const known = await this.attempts.byPaymentIntent(tx.manager, intent.id);
      const invoiceId = known?.invoice_id ?? intent.metadata?.invoice_id;
      const invoice = invoiceId ? await this.invoices.lockForRecord(tx.manager, invoiceId) : undefined;
      if (!invoice) {
        this.logger.warn(`Stripe event ${event.id} (${event.type}) names no known invoice (PaymentIntent ${intent.id})`);
        await this.stripeEvents.recordOutcome(tx.manager, event.id, { outcome: 'ignored', invoiceId: null, detail: { reason: 'no_such_invoice' } });
        return { received: true, result: 'ignored' };
      }
      // An attempt whose answer was lost (or whose process died) knows no PaymentIntent yet: the metadata names it.
      const attempt = known ?? (await this.attempts.find({ invoiceId: invoice.id, number: Number(intent.metadata?.attempt) }, tx.manager));
      const verdict = verdictOn(intent, invoice, attempt);
      if (!verdict.ok) {
        const detail = {
          stripe_event: event.id,
          event_type: event.type,
          payment_intent: intent.id,
          amount: String(intent.amount),
          currency: intent.currency,
          reason: verdict.reason,
        };
        this.logger.warn(`Stripe event ${event.id} refused for invoice ${invoice.id}: ${verdict.reason}`);
        await this.stripeEvents.recordOutcome(tx.manager, event.id, { outcome: 'refused', invoiceId: invoice.id, detail });
        await this.invoices.addHistory(tx.manager, {
          invoiceId: invoice.id,
          action: 'payment_event_refused',
          from: invoice.status,
          to: invoice.status,
          at: now,
          detail,
        });
        return { received: true, result: 'refused' };
      }

      const key = { invoiceId: invoice.id, number: verdict.attempt.attempt_number };
      const error = intent.last_payment_error;
      const outcome: PaymentOutcome =
        event.type === 'payment_intent.succeeded'
          ? { kind: 'succeeded', paymentIntentId: intent.id }
          : {
              kind: 'declined',
              paymentIntentId: intent.id,
              providerCode: error?.code ?? 'payment_failed',
              declineCode: error?.decline_code ?? null,
              message: error?.message ?? 'the payment failed',
            };
      // A success is final; a failure reported after it (out of order) changes nothing.
      if (outcome.kind === 'succeeded' || verdict.attempt.status !== 'succeeded') {
        await this.attempts.recordReported(tx.manager, key, resultOf(outcome), now);
      }
      const effect =
        outcome.kind === 'declined' && verdict.attempt.status === 'succeeded'
          ? 'unchanged'
          : await this.settlement.applyToInvoice(tx, invoice, outcome, now, { action: 'mark_paid', detail: { stripe_event: event.id } });
      await this.stripeEvents.recordOutcome(tx.manager, event.id, { outcome: effect === 'unchanged' ? 'ignored' : effect, invoiceId: invoice.id });
      return { received: true, result: effect === 'unchanged' ? 'ignored' : effect };
    });
  }
}

/** Whether a PaymentIntent is the one an attempt of this invoice made, for the invoice's amount and currency. */
function verdictOn(intent: Stripe.PaymentIntent, invoice: InvoiceRow, attempt: PaymentAttemptRow | undefined): Verdict {
  if (!attempt || attempt.invoice_id !== invoice.id) return { ok: false, reason: 'no_matching_attempt' };
  const amount = stripeChargeAmount(invoiceAmountDue(invoice), invoice.currency);
  const match = matchesAttempt(
    { id: intent.id, amountMinor: String(intent.amount), currency: intent.currency },
    { paymentIntentId: attempt.payment_intent_id, amountMinor: amount.ok ? amount.minorUnits : attempt.amount_minor, currency: invoice.currency },
  );
  if (!match.ok) return match;
  if (attempt.amount_minor !== String(intent.amount) || attempt.currency !== invoice.currency) return { ok: false, reason: 'amount_mismatch' };
  return { ok: true, attempt };
}
