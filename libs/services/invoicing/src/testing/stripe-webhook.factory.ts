import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import type { FakePaymentIntent } from './fake-stripe-server';

const signer = new Stripe('sk_test_signing_only');

/** A Stripe event about a PaymentIntent, as Stripe would POST it to the webhook. */
export function paymentIntentEvent(
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed',
  intent: FakePaymentIntent,
  id = `evt_${randomBytes(12).toString('hex')}`,
) {
  return {
    id,
    object: 'event',
    api_version: '2025-01-01',
    created: Math.floor(Date.now() / 1000),
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: intent },
  };
}

/** The body and Stripe-Signature header of a webhook delivery signed with `secret` (at `signedAt`, default now). */
export function signedDelivery(event: object, secret: string, signedAt?: Date): { body: string; signature: string } {
  const body = JSON.stringify(event);
  const timestamp = signedAt ? Math.floor(signedAt.getTime() / 1000) : undefined;
  return { body, signature: signer.webhooks.generateTestHeaderString({ payload: body, secret, ...(timestamp !== undefined ? { timestamp } : {}) }) };
}
