import { EventBatcher } from './event-batcher';
import type { EventItemResult, UsageEvent } from './types';

const event = (i: number, extra: Partial<UsageEvent> = {}) => ({
  customer_id: 'cust_a',
  metric_key: 'api_calls',
  value: String(i),
  timestamp: '2026-03-17T14:00:00Z',
  ...extra,
});

/** A stand-in for the batch endpoint: records each batch, answers 400 for a negative value. */
function fakeEndpoint(delayMs = 0) {
  const batches: UsageEvent[][] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const send = async (events: UsageEvent[]): Promise<EventItemResult[]> => {
    batches.push(events);
    concurrent += 1;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    concurrent -= 1;
    return events.map((item, index) =>
      String(item.value).startsWith('-')
        ? {
            index,
            idempotency_key: item.idempotency_key,
            status: 400,
            error: {
              type: 't',
              title: 'Bad Request',
              status: 400,
              code: 'validation_failed',
              detail: 'no',
              errors: [{ field: `events[${index}].value`, message: 'bad' }],
            },
          }
        : { index, idempotency_key: item.idempotency_key, status: 202 },
    );
  };
  return { send, batches, maxConcurrent: () => maxConcurrent };
}

describe('EventBatcher', () => {
  it('sends full batches of maxBatchSize at once and the rest after the flush interval', async () => {
    const endpoint = fakeEndpoint();
    const batcher = new EventBatcher(endpoint.send, { maxBatchSize: 500, flushIntervalMs: 50 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 1_234 }, (_, i) => batcher.add(event(i + 1))));
    expect(endpoint.batches.map((batch) => batch.length)).toEqual([500, 500, 234]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(results.every((result) => result.status === 202)).toBe(true);
    expect(new Set(results.map((result) => result.idempotency_key)).size).toBe(1_234);
    await batcher.close();
  });

  it("resolves each event with its own result and keeps the caller's idempotency key", async () => {
    const endpoint = fakeEndpoint();
    const batcher = new EventBatcher(endpoint.send, { flushIntervalMs: 10 });
    const [good, bad] = await Promise.all([batcher.add(event(1, { idempotency_key: 'mine_1' })), batcher.add(event(-1, { idempotency_key: 'mine_2' }))]);
    expect(good).toEqual({ idempotency_key: 'mine_1', status: 202 });
    expect(bad).toMatchObject({ idempotency_key: 'mine_2', status: 400, error: { code: 'validation_failed' } });
    expect(endpoint.batches).toHaveLength(1);
    expect(endpoint.batches[0].map((item) => item.idempotency_key)).toEqual(['mine_1', 'mine_2']);
  });

  it('keeps at most maxConcurrentBatches in flight and loses nothing', async () => {
    const endpoint = fakeEndpoint(20);
    const batcher = new EventBatcher(endpoint.send, { maxBatchSize: 10, flushIntervalMs: 1_000, maxConcurrentBatches: 2 });
    const pending = Array.from({ length: 95 }, (_, i) => batcher.add(event(i)));
    await batcher.flush();
    const results = await Promise.all(pending);
    expect(results).toHaveLength(95);
    expect(endpoint.maxConcurrent()).toBe(2);
    expect(endpoint.batches.flat()).toHaveLength(95);
    expect(endpoint.batches.map((batch) => batch.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
  });

  it('rejects the events of a batch whose request failed, and refuses events after close', async () => {
    const failure = new Error('engine down');
    const batcher = new EventBatcher(() => Promise.reject(failure), { flushIntervalMs: 1 });
    await expect(batcher.add(event(1))).rejects.toBe(failure);
    await batcher.close();
    await expect(batcher.add(event(2))).rejects.toThrow('EventBatcher is closed');
  });

  it('refuses a batch size the endpoint would refuse', () => {
    expect(() => new EventBatcher(fakeEndpoint().send, { maxBatchSize: 501 })).toThrow(RangeError);
  });
});
