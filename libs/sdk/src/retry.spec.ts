import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableAnswer } from './retry';

describe('backoffDelay', () => {
  const policy = { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles from the initial delay and never exceeds the cap', () => {
    const highest = [1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, policy, () => 1));
    expect(highest).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitters between half and all of the exponential delay', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(4, policy);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });

  it('bounds the total wait of the default policy to a few seconds', () => {
    let total = 0;
    for (let retry = 1; retry < DEFAULT_RETRY_POLICY.maxAttempts; retry++) total += backoffDelay(retry, DEFAULT_RETRY_POLICY, () => 1);
    expect(total).toBe(200 + 400 + 800 + 1_600);
  });
});

describe('isRetryableAnswer', () => {
  it('retries a 5xx and a 409 telling the first attempt is still running, nothing else', () => {
    expect(isRetryableAnswer(500, 'internal_error')).toBe(true);
    expect(isRetryableAnswer(503, 'usage_not_caught_up')).toBe(true);
    expect(isRetryableAnswer(502, undefined)).toBe(true);
    expect(isRetryableAnswer(409, 'idempotency_request_in_progress')).toBe(true);
    expect(isRetryableAnswer(409, 'already_invoiced')).toBe(false);
    expect(isRetryableAnswer(400, 'validation_failed')).toBe(false);
    expect(isRetryableAnswer(404, 'not_found')).toBe(false);
    expect(isRetryableAnswer(402, 'card_declined')).toBe(false);
    // Missing configuration is not cured by waiting.
    expect(isRetryableAnswer(503, 'email_not_configured')).toBe(false);
    expect(isRetryableAnswer(503, 'payments_not_configured')).toBe(false);
  });
});
