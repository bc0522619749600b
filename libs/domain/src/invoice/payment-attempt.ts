/*
 * Charging an invoice is a series of attempts, each with its own idempotency key at the payment
 * provider. An attempt whose outcome is unknown (network error, timeout) is retried with the SAME
 * key, so the provider answers the first request again instead of charging twice. An attempt
 * waiting for the customer (requires_action) or still processing is looked up, not repeated.
 */
export type PaymentAttemptStatus = 'unknown' | 'succeeded' | 'failed' | 'requires_action' | 'processing';

export interface PaymentAttemptSummary {
  number: number;
  status: PaymentAttemptStatus;
  paymentIntentId: string | null;
}

export type NextCharge =
  /** Call the provider with this attempt's key (a fresh attempt, or a retry of an unknown one). */
  | { kind: 'attempt'; number: number; idempotencyKey: string; retry: boolean }
  /** Ask the provider where this attempt's payment stands before doing anything else. */
  | { kind: 'check'; number: number; paymentIntentId: string };

export function paymentIdempotencyKey(invoiceId: string, attemptNumber: number): string {
  return `abaxus-${invoiceId}-charge-${attemptNumber}`;
}

/** `attempts` in any order; the latest (highest number) decides. */
export function nextCharge(invoiceId: string, attempts: readonly PaymentAttemptSummary[]): NextCharge {
  const last = attempts.reduce<PaymentAttemptSummary | undefined>(
    (latest, attempt) => (!latest || attempt.number > latest.number ? attempt : latest),
    undefined,
  );
  if (!last) return { kind: 'attempt', number: 1, idempotencyKey: paymentIdempotencyKey(invoiceId, 1), retry: false };
  if (last.status === 'unknown') return { kind: 'attempt', number: last.number, idempotencyKey: paymentIdempotencyKey(invoiceId, last.number), retry: true };
  if (last.status !== 'failed' && last.paymentIntentId) return { kind: 'check', number: last.number, paymentIntentId: last.paymentIntentId };
  return { kind: 'attempt', number: last.number + 1, idempotencyKey: paymentIdempotencyKey(invoiceId, last.number + 1), retry: false };
}

/** Our attempt status for a Stripe PaymentIntent status. */
export function attemptStatusOfPaymentIntent(status: string): PaymentAttemptStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'requires_action':
    case 'requires_confirmation':
      return 'requires_action';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'requires_payment_method':
    case 'canceled':
      return 'failed';
    default:
      return 'unknown';
  }
}
