import type { PaymentAttemptStatus } from '@abaxus/domain/invoice/payment-attempt';

/** What a payment request to the provider came to, in our terms (see stripe-error.translator.ts). */
export type PaymentOutcome =
  | { kind: 'succeeded'; paymentIntentId: string }
  /** The customer must authenticate; the webhook reports the end of it. */
  | { kind: 'requires_action'; paymentIntentId: string; providerCode: string | null }
  | { kind: 'processing'; paymentIntentId: string }
  | { kind: 'declined'; paymentIntentId: string | null; providerCode: string; declineCode: string | null; message: string }
  /** No answer (network error, timeout): the charge may or may not exist. Retry with the same key. */
  | { kind: 'unknown'; message: string }
  /** The provider refused the request itself (bad key, invalid parameters, rate limit). */
  | { kind: 'rejected'; providerStatus: number | null; providerCode: string; message: string }
  /** A look-up found no payment for the attempt: nothing was charged, a new attempt may be made. */
  | { kind: 'not_found'; message: string };

/**
 * What a refund request came to: `pending` while Stripe has not settled it or its answer was
 * lost (ask again with the same key), `failed` when Stripe refused it or the refund failed.
 */
export type RefundOutcome =
  | { kind: 'succeeded'; refundId: string }
  | { kind: 'pending'; refundId: string | null; message: string }
  | { kind: 'failed'; refundId: string | null; message: string };

export function attemptStatusOf(outcome: PaymentOutcome): PaymentAttemptStatus {
  switch (outcome.kind) {
    case 'succeeded':
      return 'succeeded';
    case 'requires_action':
      return 'requires_action';
    case 'processing':
      return 'processing';
    case 'unknown':
      return 'unknown';
    case 'declined':
    case 'rejected':
    case 'not_found':
      return 'failed';
  }
}
