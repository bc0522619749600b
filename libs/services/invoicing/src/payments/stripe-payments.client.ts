import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import type { PaymentOutcome, RefundOutcome } from './payment-outcome';
import type { CreditNoteReason } from '@abaxus/domain/invoice/credit-note';
import { outcomeOfPaymentIntent, refundOutcomeOf, refundOutcomeOfError, translateStripeError } from './stripe-error.translator';

export interface OffSessionPayment {
  /** Integer in Stripe's minor units, as text (see libs/domain stripe-charge). */
  amountMinor: string;
  currency: string;
  customer: string;
  paymentMethod: string;
  idempotencyKey: string;
  invoiceId: string;
  invoiceNumber: string;
  attempt: number;
}

/** A refund of (part of) a PaymentIntent, asked for by a credit note. */
export interface RefundRequest {
  paymentIntent: string;
  /** Integer in Stripe's minor units, as text. */
  amountMinor: string;
  idempotencyKey: string;
  reason: CreditNoteReason;
  creditNoteId: string;
  creditNoteNumber: string;
  invoiceId: string;
}

export type ReportedPaymentIntent = Pick<Stripe.PaymentIntent, 'id' | 'amount' | 'currency' | 'status' | 'last_payment_error' | 'metadata'>;

export type AttemptPaymentsLookup = { ok: true; intents: ReportedPaymentIntent[] } | { ok: false; outcome: PaymentOutcome };

export class WebhookSignatureError extends Error {}

/** How far a webhook signature's timestamp may be from now, either way (Stripe's default). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Stripe, through its official SDK: the only code that talks to it. */
@Injectable()
export class StripePaymentsClient {
  private readonly stripe: Stripe | undefined;
  // Verifying webhook signatures needs no API key; this instance never calls Stripe.
  private readonly verifier = new Stripe('sk_unused_for_webhook_verification');

  constructor(@Inject(ABAXUS_CONFIG) config: AbaxusConfig) {
    if (config.stripeSecretKey) {
      const api = config.stripeApiUrl ? new URL(config.stripeApiUrl) : undefined;
      this.stripe = new Stripe(config.stripeSecretKey, {
        // Our own retry (same attempt, same idempotency key) handles lost answers; no hidden ones.
        maxNetworkRetries: 0,
        timeout: config.stripeTimeoutMs,
        telemetry: false,
        ...(api
          ? {
              host: api.hostname,
              port: api.port || (api.protocol === 'https:' ? 443 : 80),
              protocol: api.protocol === 'https:' ? 'https' : 'http',
            }
          : {}),
      });
    }
  }

  get configured(): boolean {
    return this.stripe !== undefined;
  }

  async chargeOffSession(payment: OffSessionPayment): Promise<PaymentOutcome> {
    try {
      const intent = await this.client().paymentIntents.create(
        {
          // The SDK sends a JSON number; stripeChargeAmount refused anything beyond a safe integer.
          amount: Number(payment.amountMinor),
          currency: payment.currency.toLowerCase(),
          customer: payment.customer,
          payment_method: payment.paymentMethod,
          off_session: true,
          confirm: true,
          // A saved card charged off-session never redirects; this also spares a return_url.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: `Invoice ${payment.invoiceNumber}`,
          metadata: { invoice_id: payment.invoiceId, invoice_number: payment.invoiceNumber, attempt: String(payment.attempt) },
        },
        { idempotencyKey: payment.idempotencyKey },
      );
      return outcomeOfPaymentIntent(intent);
    } catch (error) {
      return translateStripeError(error);
    }
  }

  async paymentIntent(id: string): Promise<PaymentOutcome> {
    try {
      return outcomeOfPaymentIntent(await this.client().paymentIntents.retrieve(id));
    } catch (error) {
      return translateStripeError(error);
    }
  }

  /**
   * The PaymentIntents carrying the metadata an attempt was created with (invoice id and attempt
   * number): how an attempt is found once Stripe no longer remembers its idempotency key.
   */
  async paymentsOfAttempt(invoiceId: string, attempt: number): Promise<AttemptPaymentsLookup> {
    const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    try {
      const intents: ReportedPaymentIntent[] = [];
      for await (const intent of this.client().paymentIntents.search({
        query: `metadata['invoice_id']:${quoted(invoiceId)} AND metadata['attempt']:${quoted(String(attempt))}`,
        limit: 100,
      })) {
        intents.push(intent);
      }
      return { ok: true, intents };
    } catch (error) {
      return { ok: false, outcome: translateStripeError(error) };
    }
  }

  /** Creates the refund, or replays it: the idempotency key is the credit note's, whatever the number of tries. */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    try {
      const refund = await this.client().refunds.create(
        {
          payment_intent: request.paymentIntent,
          // The SDK sends a JSON number; the credit note refused anything not exact in minor units.
          amount: Number(request.amountMinor),
          // Stripe knows three reasons; ours other than a duplicate are the customer's request.
          reason: request.reason === 'duplicate' ? 'duplicate' : 'requested_by_customer',
          metadata: { credit_note_id: request.creditNoteId, credit_note_number: request.creditNoteNumber, invoice_id: request.invoiceId },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return refundOutcomeOf(refund);
    } catch (error) {
      return refundOutcomeOfError(error);
    }
  }

  /**
   * The Refund a credit note made, found by its metadata among the PaymentIntent's refunds: how it
   * is found once Stripe no longer remembers its idempotency key. `none` when there is none.
   */
  async refundOfCreditNote(paymentIntent: string, creditNoteId: string): Promise<RefundOutcome | 'none'> {
    try {
      for await (const refund of this.client().refunds.list({ payment_intent: paymentIntent, limit: 100 })) {
        if (refund.metadata?.credit_note_id === creditNoteId) return refundOutcomeOf(refund);
      }
      return 'none';
    } catch (error) {
      return refundOutcomeOfError(error);
    }
  }

  /** A refund Stripe already made, read again (one answered `pending` settles later). */
  async refundStatus(refundId: string): Promise<RefundOutcome> {
    try {
      return refundOutcomeOf(await this.client().refunds.retrieve(refundId));
    } catch (error) {
      return refundOutcomeOfError(error);
    }
  }

  /**
   * Checks `Stripe-Signature` over the raw bytes and parses the event. The signed timestamp must
   * lie within the tolerance of `now`, in the past (Stripe's check) and in the future (ours).
   */
  verifyWebhook(rawBody: Buffer, signature: string, secret: string, now: Date): Stripe.Event {
    let event: Stripe.Event;
    try {
      event = this.verifier.webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_SECONDS, undefined, now.getTime());
    } catch (error) {
      throw new WebhookSignatureError((error as Error).message);
    }
    const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
    if (!Number.isFinite(signedAt) || signedAt * 1000 > now.getTime() + WEBHOOK_TOLERANCE_SECONDS * 1000) {
      throw new WebhookSignatureError(`the signature timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s in the future`);
    }
    return event;
  }

  private client(): Stripe {
    if (!this.stripe) throw new Error('Stripe is not configured (STRIPE_SECRET_KEY)');
    return this.stripe;
  }
}
