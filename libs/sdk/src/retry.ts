/** How the SDK retries a request that got no answer, a 5xx, or `409 idempotency_request_in_progress`. */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = never retry). Default 5. */
  maxAttempts: number;
  /** Delay before the first retry, doubled for each further one. Default 200 ms. */
  initialDelayMs: number;
  /** Upper bound of any one delay. Default 5,000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * The wait before retry number `retry` (1 for the first): exponential, capped at `maxDelayMs`,
 * with "equal jitter" (between half and all of it) so many clients do not retry in lockstep.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** 5xx answers that waiting does not cure: a feature the deployment has not configured. */
const PERMANENT_SERVER_CODES = new Set(['email_not_configured', 'payments_not_configured', 'webhooks_not_configured']);

/**
 * Whether an answer may be retried with the same idempotency key: a 5xx (nothing was stored, the
 * engine acts again) unless it reports missing configuration, and a 409 telling that the same
 * key's first attempt is still running (an attempt that timed out on our side may still be working
 * on the engine's).
 */
export function isRetryableAnswer(status: number, code: string | undefined): boolean {
  if (status >= 500) return code === undefined || !PERMANENT_SERVER_CODES.has(code);
  return status === 409 && code === 'idempotency_request_in_progress';
}
