import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import type { PaymentOutcome } from './payment-outcome';
import { outcomeOfPaymentIntent, translateStripeError } from './stripe-error.translator';

export interface OffSessionPayment {
  /** Integer in Stripe's minor units (see libs/domain stripe-amount). */
  amountMinor: number;
  currency: string;
  customer: string;
  paymentMethod: string;
  idempotencyKey: string;
  invoiceId: string;
  invoiceNumber: string;
  attempt: number;
}

export class WebhookSignatureError extends Error {}

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
          amount: payment.amountMinor,
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

  /** Checks `Stripe-Signature` over the raw bytes (5 minutes tolerance) and parses the event. */
  verifyWebhook(rawBody: Buffer, signature: string, secret: string): Stripe.Event {
    try {
      return this.verifier.webhooks.constructEvent(rawBody, signature, secret);
    } catch (error) {
      throw new WebhookSignatureError((error as Error).message);
    }
  }

  private client(): Stripe {
    if (!this.stripe) throw new Error('Stripe is not configured (STRIPE_SECRET_KEY)');
    return this.stripe;
  }
}
