/*
 * Charging an invoice is a series of attempts, each with its own idempotency key at the payment
 * provider. An attempt is recorded `pending` (and committed) before the provider is called, and
 * its outcome replaces that afterwards. An attempt whose outcome is not known (`pending` after a
 * crash, `unknown` after a timeout) is sent again with the SAME key, so the provider answers the
 * first request again instead of charging twice — but only while the provider still remembers
 * the key; after that it is looked up instead. An attempt waiting for the customer
 * (requires_action) or still processing is looked up, not repeated. Whoever calls the provider
 * for an attempt first claims it until a deadline, so two callers never work on one attempt.
 */
export type PaymentAttemptStatus = 'pending' | 'unknown' | 'succeeded' | 'failed' | 'requires_action' | 'processing';

export const PAYMENT_ATTEMPT_STATUSES: readonly PaymentAttemptStatus[] = ['pending', 'unknown', 'succeeded', 'failed', 'requires_action', 'processing'];

/** Stripe keeps an idempotency key for at least 24 hours; an hour of margin for clocks and latency. */
export const IDEMPOTENCY_KEY_TRUSTED_MS = 23 * 60 * 60 * 1000;

export interface PaymentAttemptSummary {
  number: number;
  status: PaymentAttemptStatus;
  paymentIntentId: string | null;
  /** When the attempt was first sent: how old its idempotency key is at the provider. */
  createdAt: Date;
  /** Someone works on this attempt (is calling the provider) until then; null when nobody. */
  claimedUntil: Date | null;
}

export type NextCharge =
  /** Call the provider with this attempt's key: a fresh attempt, or (retry) one whose outcome is not known. */
  | { kind: 'attempt'; number: number; idempotencyKey: string; retry: boolean }
  /** The outcome is not known and the provider may have forgotten the key: find the payment by its metadata. */
  | { kind: 'look_up'; number: number }
  /** Ask the provider where this attempt's payment stands before doing anything else. */
  | { kind: 'check'; number: number; paymentIntentId: string }
  /** Another caller is working on this attempt right now. */
  | { kind: 'busy'; number: number };

export function paymentIdempotencyKey(invoiceId: string, attemptNumber: number): string {
  return `abaxus-${invoiceId}-charge-${attemptNumber}`;
}

export function isClaimed(attempt: Pick<PaymentAttemptSummary, 'claimedUntil'>, now: Date): boolean {
  return attempt.claimedUntil !== null && attempt.claimedUntil.getTime() > now.getTime();
}

/** True while the outcome of this attempt is still to be learnt from the provider. */
export function isUnsettled(status: PaymentAttemptStatus): boolean {
  return status === 'pending' || status === 'unknown';
}

/** What to do with the latest attempt (`attempts` in any order; the highest number decides). */
export function nextCharge(invoiceId: string, attempts: readonly PaymentAttemptSummary[], now: Date): NextCharge {
  const last = attempts.reduce<PaymentAttemptSummary | undefined>(
    (latest, attempt) => (!latest || attempt.number > latest.number ? attempt : latest),
    undefined,
  );
  if (!last) return fresh(invoiceId, 1);
  if (isClaimed(last, now)) return { kind: 'busy', number: last.number };
  if (isUnsettled(last.status) && !last.paymentIntentId) return settleUnknown(invoiceId, last, now);
  if (last.status !== 'failed' && last.paymentIntentId) return { kind: 'check', number: last.number, paymentIntentId: last.paymentIntentId };
  return fresh(invoiceId, last.number + 1);
}

/** An attempt whose outcome is not known: the same request again while the key holds, else a look-up. */
export function settleUnknown(invoiceId: string, attempt: Pick<PaymentAttemptSummary, 'number' | 'createdAt'>, now: Date): NextCharge {
  if (now.getTime() - attempt.createdAt.getTime() >= IDEMPOTENCY_KEY_TRUSTED_MS) return { kind: 'look_up', number: attempt.number };
  return { kind: 'attempt', number: attempt.number, idempotencyKey: paymentIdempotencyKey(invoiceId, attempt.number), retry: true };
}

function fresh(invoiceId: string, number: number): NextCharge {
  return { kind: 'attempt', number, idempotencyKey: paymentIdempotencyKey(invoiceId, number), retry: false };
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

/** A payment as the provider reports it (a PaymentIntent in a webhook or a look-up). */
export interface ReportedPayment {
  id: string;
  /** Integer minor units, as text. */
  amountMinor: string;
  /** ISO 4217, any case. */
  currency: string;
}

/** What the engine sent for an attempt: only a payment that matches it may settle the invoice. */
export interface SentPayment {
  /** The PaymentIntent the attempt is known to have created; null while its answer is not known. */
  paymentIntentId: string | null;
  amountMinor: string;
  currency: string;
}

export type PaymentMatch = { ok: true } | { ok: false; reason: 'payment_intent_mismatch' | 'amount_mismatch' | 'currency_mismatch' };

/**
 * Whether a reported payment is the one this attempt made: the same PaymentIntent when the attempt
 * knows it, and the amount and currency it was sent for (the invoice's, fixed at the attempt).
 */
export function matchesAttempt(payment: ReportedPayment, attempt: SentPayment): PaymentMatch {
  if (attempt.paymentIntentId !== null && attempt.paymentIntentId !== payment.id) return { ok: false, reason: 'payment_intent_mismatch' };
  if (payment.currency.toUpperCase() !== attempt.currency.toUpperCase()) return { ok: false, reason: 'currency_mismatch' };
  if (payment.amountMinor !== attempt.amountMinor) return { ok: false, reason: 'amount_mismatch' };
  return { ok: true };
}
