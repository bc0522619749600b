import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { createCustomer, createMetric, usageEvent } from '@abaxus/testing/ingestion/usage.factory';
import { PrivateBroker, startPrivateBroker } from '@abaxus/platform/testing/private-kafka-broker';

/** The bound the issue sets for an answer while Kafka cannot take writes. */
const MAX_ANSWER_MS = 2000;

/**
 * Fault test against a real broker of the test's own, stopped and started again: while Kafka is
 * down, ingestion answers 503 with Retry-After within 2 s (never a 202 that is not durable); once
 * it is back, writes and the consumers recover within seconds, and every event is counted once.
 */
describe('ingestion and aggregation through a Kafka outage', () => {
  let broker: PrivateBroker;
  let engine: TestEngine;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    engine = await startTestEngine({ bus: 'kafka', env: { KAFKA_BROKERS: broker.brokers, ABAXUS_STRONG_READ_TIMEOUT_MS: '1000' } });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
    broker?.destroy();
  });

  it('answers 503 + Retry-After fast while the broker is down, recovers within seconds, and loses or doubles nothing', async () => {
    const metric = await createMetric(engine, 'sum');
    const customer = await createCustomer(engine);
    const period = { customer_id: customer, metric_key: metric, period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
    const accepted: Array<Record<string, unknown>> = [];
    const refused: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 20; i++) {
      const event = usageEvent(customer, metric, { value: String(i + 1) });
      expect((await engine.api('POST', '/v1/events', event)).status).toBe(202);
      accepted.push(event);
    }
    expect((await engine.api('POST', '/v1/usage/compute', period)).body.value).toBe('210');

    broker.stop();
    const outageAnswers: number[] = [];
    for (let i = 0; i < 2; i++) {
      const event = usageEvent(customer, metric, { value: '1000' });
      const single = await timed(() => engine.api('POST', '/v1/events', event));
      expect({ status: single.result.status, code: single.result.body.code, retryAfter: single.result.headers.get('retry-after') }).toEqual({
        status: 503,
        code: 'bus_unavailable',
        retryAfter: '2',
      });
      refused.push(event);
      const batchEvents = [usageEvent(customer, metric, { value: '1000' }), usageEvent(customer, metric, { value: '1000' })];
      const batch = await timed(() => engine.api('POST', '/v1/events/batch', { events: batchEvents }));
      expect({ status: batch.result.status, retryAfter: batch.result.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '2' });
      refused.push(...batchEvents);
      outageAnswers.push(single.ms, batch.ms);
    }
    expect(Math.max(...outageAnswers)).toBeLessThanOrEqual(MAX_ANSWER_MS);

    const restartedAt = Date.now();
    broker.start();
    const brokerBackAt = Date.now();
    // The client retries what was refused, as Retry-After says (same idempotency keys).
    let firstAcceptedAt: number | undefined;
    for (const event of refused) {
      for (;;) {
        // A connection left idle while the broker restarted may be closed under the request: retry it too.
        const answer = await engine.api('POST', '/v1/events', event).catch(() => undefined);
        if (answer?.status === 202) break;
        if (answer) expect(answer.status).toBe(503);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      firstAcceptedAt ??= Date.now();
    }
    // A refused event that still reached the topic must not count twice.
    const expected = String(210 + 1000 * refused.length);
    let computed: { status: number; body: { value?: string } };
    for (;;) {
      computed = await engine.api('POST', '/v1/usage/compute', period);
      if (computed.status === 200 || Date.now() - brokerBackAt > 60_000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const caughtUpAt = Date.now();
    expect(computed.body.value).toBe(expected);
    const summary = await engine.api('GET', `/v1/usage/summary?${new URLSearchParams(period)}`);
    expect(summary.body.value).toBe(expected);
    console.log(
      `Kafka outage: slowest 503 ${Math.max(...outageAnswers)} ms (of ${outageAnswers.length}); broker restart ${brokerBackAt - restartedAt} ms; ` +
        `first 202 ${firstAcceptedAt! - brokerBackAt} ms and exact compute ${caughtUpAt - brokerBackAt} ms after the broker answered`,
    );
  }, 120_000);
});

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}
