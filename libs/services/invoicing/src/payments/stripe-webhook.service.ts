import { Inject, Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { invoiceEventMessage } from '../invoices/invoice-event-message';
import { InvoicesRepository } from '../invoices/invoices.repository';
import { StripePaymentsClient, WebhookSignatureError } from './stripe-payments.client';

export interface WebhookAnswer {
  received: true;
  /** What the event changed: `paid`, `payment_failed`, or why nothing (`duplicate`, `ignored`). */
  result: 'paid' | 'payment_failed' | 'duplicate' | 'ignored';
}

// A charge holds the invoice lock during its Stripe call; wait a little, then let Stripe retry.
const LOCK_WAIT_MS = 10_000;

/**
 * Stripe's word on PaymentIntents: succeeded → the invoice is paid (after customer authentication,
 * or a charge whose answer was lost); payment_failed → the failure is recorded. Event ids are
 * stored with the effect, so a redelivered event changes nothing.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);

  constructor(
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
    private readonly stripe: StripePaymentsClient,
    private readonly invoices: InvoicesRepository,
  ) {}

  async handle(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookAnswer> {
    const secret = this.config.stripeWebhookSecret;
    if (!secret) throw new ProblemException(503, 'webhooks_not_configured', 'Stripe webhooks need STRIPE_WEBHOOK_SECRET to verify signatures.');
    if (!signature) throw new ProblemException(400, 'invalid_signature', 'The Stripe-Signature header is missing.');
    let event: Stripe.Event;
    try {
      event = this.stripe.verifyWebhook(rawBody ?? Buffer.alloc(0), signature, secret);
    } catch (error) {
      if (error instanceof WebhookSignatureError)
        throw new ProblemException(400, 'invalid_signature', `The Stripe signature does not verify: ${error.message}`);
      throw error;
    }
    if (event.type !== 'payment_intent.succeeded' && event.type !== 'payment_intent.payment_failed') return { received: true, result: 'ignored' };
    const intent = event.data.object;

    return this.invoices.transaction(async (tx): Promise<WebhookAnswer> => {
      if (!(await tx.recordStripeEvent(event.id, event.type))) return { received: true, result: 'duplicate' };
      let attempt = await tx.attemptByPaymentIntent(intent.id);
      const invoiceId = attempt?.invoice_id ?? intent.metadata?.invoice_id;
      const invoice = invoiceId ? await tx.lockInvoiceIfExists(invoiceId, LOCK_WAIT_MS) : undefined;
      if (!invoice) {
        // Acknowledged (and remembered), or Stripe would redeliver it for days.
        this.logger.warn(`Stripe event ${event.id} (${event.type}) names no known invoice (PaymentIntent ${intent.id})`);
        return { received: true, result: 'ignored' };
      }
      // An attempt whose answer was lost knows no PaymentIntent yet: the metadata names it.
      attempt ??= await tx.attempt(invoice.id, Number(intent.metadata?.attempt));

      if (event.type === 'payment_intent.succeeded') {
        if (attempt)
          await tx.saveAttempt({
            ...attempt,
            status: 'succeeded',
            payment_intent_id: intent.id,
            failure_code: null,
            decline_code: null,
            failure_message: null,
          });
        const paid = transition(invoice.status, 'mark_paid');
        if (!paid.ok) {
          // Already paid (this charge answered first) or archived: keep the record, change nothing.
          if (invoice.status === 'archived' && !invoice.payment_intent) await tx.updateInvoice(invoice.id, { payment_intent: intent.id, paid_at: new Date() });
          return { received: true, result: 'ignored' };
        }
        await tx.updateInvoice(invoice.id, { status: paid.status, paid_at: new Date(), payment_intent: intent.id });
        await tx.addHistory(invoice.id, 'mark_paid', invoice.status, paid.status, { payment_intent: intent.id, stripe_event: event.id });
        tx.emit(invoiceEventMessage('invoice.paid', invoice, paid.status, { payment_intent: intent.id }));
        return { received: true, result: 'paid' };
      }

      const error = intent.last_payment_error;
      if (attempt && attempt.status !== 'succeeded') {
        await tx.saveAttempt({
          ...attempt,
          status: 'failed',
          failure_code: error?.code ?? 'payment_failed',
          decline_code: error?.decline_code ?? null,
          failure_message: error?.message ?? null,
        });
      }
      if (invoice.status !== 'issued') return { received: true, result: 'ignored' };
      tx.emit(
        invoiceEventMessage('invoice.payment_failed', invoice, invoice.status, {
          payment_intent: intent.id,
          failure_code: error?.decline_code ?? error?.code ?? 'payment_failed',
        }),
      );
      return { received: true, result: 'payment_failed' };
    });
  }
}
