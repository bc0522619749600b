import Stripe from 'stripe';
import { attemptStatusOfPaymentIntent } from '@abaxus/domain/invoice/payment-attempt';
import type { PaymentOutcome, RefundOutcome } from './payment-outcome';

/** A PaymentIntent as Stripe answered it, in our terms. */
export function outcomeOfPaymentIntent(intent: Pick<Stripe.PaymentIntent, 'id' | 'status' | 'last_payment_error'>): PaymentOutcome {
  switch (attemptStatusOfPaymentIntent(intent.status)) {
    case 'succeeded':
      return { kind: 'succeeded', paymentIntentId: intent.id };
    case 'requires_action':
      return { kind: 'requires_action', paymentIntentId: intent.id, providerCode: intent.last_payment_error?.code ?? null };
    case 'processing':
      return { kind: 'processing', paymentIntentId: intent.id };
    case 'failed':
      return {
        kind: 'declined',
        paymentIntentId: intent.id,
        providerCode: intent.last_payment_error?.code ?? intent.status,
        declineCode: intent.last_payment_error?.decline_code ?? null,
        message: intent.last_payment_error?.message ?? `the payment is ${intent.status}`,
      };
    default:
      return { kind: 'unknown', message: `Stripe answered an unexpected PaymentIntent status "${intent.status}"` };
  }
}

/**
 * The one place Stripe errors become our outcomes. Card errors are declines, except
 * authentication_required (the customer must act); no answer or a Stripe server error leaves the
 * outcome unknown (retried with the same idempotency key); anything else is a refused request.
 */
export function translateStripeError(error: unknown): PaymentOutcome {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    const intent = error.payment_intent;
    if (error.code === 'authentication_required' && intent?.id) {
      return { kind: 'requires_action', paymentIntentId: intent.id, providerCode: error.code };
    }
    return {
      kind: 'declined',
      paymentIntentId: intent?.id ?? null,
      providerCode: error.code ?? 'card_declined',
      declineCode: error.decline_code ?? null,
      message: error.message,
    };
  }
  // A key reused with other parameters means a first request with it exists: its outcome is
  // not known here, and a new attempt (new key) could charge twice.
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeIdempotencyError ||
    (error instanceof Stripe.errors.StripeAPIError && (error.statusCode ?? 500) >= 500)
  ) {
    return { kind: 'unknown', message: error.message };
  }
  return { kind: 'rejected', providerStatus: error.statusCode ?? null, providerCode: error.code ?? error.type, message: error.message };
}

/** A Refund as Stripe answered it: `succeeded`, else settled later (`pending`, `requires_action`) or `failed`/`canceled`. */
export function refundOutcomeOf(refund: Pick<Stripe.Refund, 'id' | 'status' | 'failure_reason'>): RefundOutcome {
  switch (refund.status) {
    case 'succeeded':
      return { kind: 'succeeded', refundId: refund.id };
    case 'failed':
    case 'canceled':
      return { kind: 'failed', refundId: refund.id, message: `the refund ${refund.status}${refund.failure_reason ? ` (${refund.failure_reason})` : ''}` };
    default:
      return { kind: 'pending', refundId: refund.id, message: `Stripe reports the refund ${refund.status ?? 'without a status'}` };
  }
}

/**
 * A refund request Stripe answered with an error. Only a request it refused for good (invalid,
 * e.g. more than is left to refund, or a charge disputed) fails the refund; no answer, a server
 * error, a rate limit, a bad key or a key still in flight leave it pending for a retry with the same key.
 */
export function refundOutcomeOfError(error: unknown): RefundOutcome {
  const outcome = translateStripeError(error);
  if (outcome.kind === 'rejected' && outcome.providerStatus !== null && ![401, 403, 409, 429].includes(outcome.providerStatus)) {
    return { kind: 'failed', refundId: null, message: `Stripe refused the refund (${outcome.providerCode}): ${outcome.message}` };
  }
  return {
    kind: 'pending',
    refundId: null,
    message: `Stripe did not settle the refund: ${outcome.kind === 'rejected' || outcome.kind === 'unknown' ? outcome.message : outcome.kind}`,
  };
}
