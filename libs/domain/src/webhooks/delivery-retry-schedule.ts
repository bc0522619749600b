/**
 * When a webhook delivery is tried again (Standard Webhooks: at least once, exponential backoff).
 * The first retry comes FIRST_RETRY_DELAY_MS after the first failure, each next one twice as
 * late, at most MAX_RETRY_DELAY_MS apart, for RETRY_WINDOW_MS after the first attempt; the last
 * retry falls exactly at the end of the window. No jitter: deliveries of one endpoint and
 * customer go one at a time anyway (in order), so retries of many deliveries do not come in a herd.
 */
export const FIRST_RETRY_DELAY_MS = 10_000;
export const MAX_RETRY_DELAY_MS = 12 * 60 * 60 * 1000;
export const RETRY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

/** The delay after the n-th failed attempt (n ≥ 1): 10 s, 20 s, 40 s, … capped at 12 h. */
export function retryDelayMs(failedAttempts: number): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new Error(`failedAttempts must be a positive integer, got ${failedAttempts}`);
  // 2^32 × 10 s is far past the cap; keeps the power finite.
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** Math.min(failedAttempts - 1, 32), MAX_RETRY_DELAY_MS);
}

/**
 * After a failed attempt at `now` (the `failedAttempts`-th since the schedule started at
 * `firstAttemptAt`): when to try next, or null when the window is over (the delivery has failed
 * for good).
 */
export function nextRetryAt(firstAttemptAt: Date, failedAttempts: number, now: Date): Date | null {
  const deadline = firstAttemptAt.getTime() + RETRY_WINDOW_MS;
  if (now.getTime() >= deadline) return null;
  return new Date(Math.min(now.getTime() + retryDelayMs(failedAttempts), deadline));
}
