import { FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS, nextRetryAt, RETRY_WINDOW_MS, retryDelayMs } from './delivery-retry-schedule';

describe('webhook delivery retry schedule', () => {
  it('doubles from 10 seconds and stops growing at 12 hours', () => {
    expect([1, 2, 3, 4, 5].map(retryDelayMs)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
    expect(retryDelayMs(13)).toBe(FIRST_RETRY_DELAY_MS * 4096);
    expect(retryDelayMs(14)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1000)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => retryDelayMs(0)).toThrow('positive integer');
    expect(() => retryDelayMs(1.5)).toThrow('positive integer');
  });

  it('retries for three days after the first attempt, the last retry at the end of the window, then gives up', () => {
    const first = new Date('2026-03-01T00:00:00Z');
    let now = first;
    const attempts: Date[] = [first];
    for (let failed = 1; ; failed++) {
      const next = nextRetryAt(first, failed, now);
      if (next === null) break;
      expect(next.getTime()).toBeGreaterThan(now.getTime());
      attempts.push(next);
      now = next;
    }
    expect(attempts[attempts.length - 1].getTime() - first.getTime()).toBe(RETRY_WINDOW_MS);
    expect(attempts.slice(0, 4).map((at) => (at.getTime() - first.getTime()) / 1000)).toEqual([0, 10, 30, 70]);
    // 10 s doubling to 12 h fills 3 days with 18 retries, the 18th cut short at the window's end.
    expect(attempts).toHaveLength(19);
  });

  it('gives up at once when a failure is recorded after the window (a claim that outlived it)', () => {
    const first = new Date('2026-03-01T00:00:00Z');
    expect(nextRetryAt(first, 3, new Date(first.getTime() + RETRY_WINDOW_MS))).toBeNull();
    expect(nextRetryAt(first, 3, new Date(first.getTime() + RETRY_WINDOW_MS + 1))).toBeNull();
  });
});
