import { Client } from 'pg';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { createCustomer, createMetric, createSubscription, usageEvent } from '@abaxus/testing/ingestion/usage.factory';

// What only the whole engine shows: events accepted by ingestion are counted by aggregation
// (exactly once, first key wins), backfills meet aggregation's limit, and both services keep
// their catalog copies from the real catalog's events. Validation and the usage topic are
// tested on ingestion alone (libs/services/ingestion/src/events/events.integration.spec.ts).
describe('event ingestion through the gateway (Kafka bus)', () => {
  let engine: TestEngine;
  let customer: string;
  let counted: string;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
    customer = await createCustomer(engine);
    counted = await createMetric(engine, 'sum');
  });

  afterAll(async () => {
    await engine?.stop();
  });

  const exactSum = async (metric: string): Promise<string> => {
    const response = await engine.api('POST', '/v1/usage/compute', {
      customer_id: customer,
      metric_key: metric,
      period_start: '2026-01-01T00:00:00Z',
      period_end: '2026-12-31T00:00:00Z',
    });
    expect(response.status).toBe(200);
    return response.body.value;
  };

  it('accepts events for a customer and a metric created a moment ago', async () => {
    for (let round = 0; round < 3; round++) {
      const freshCustomer = await createCustomer(engine);
      const freshMetric = await createMetric(engine, 'count');
      const response = await engine.api('POST', '/v1/events', usageEvent(freshCustomer, freshMetric));
      expect(response.status).toBe(202);
    }
  });

  it('counts the valid items of a batch once: invalid items and a repeated key add nothing', async () => {
    const metric = await createMetric(engine, 'sum');
    const duplicate = usageEvent(customer, metric, { value: '10' });
    const response = await engine.api('POST', '/v1/events/batch', {
      events: [
        usageEvent(customer, metric, { value: '1' }),
        usageEvent(customer, metric, { value: 'two' }),
        duplicate,
        { ...duplicate, value: '1000' },
        usageEvent(customer, metric, { value: '100', extra: true }),
        'not an event',
        usageEvent(customer, metric, { value: '10000' }),
      ],
    });
    expect(response.status).toBe(207);
    const results = response.body.results as Array<{ index: number; idempotency_key: string | null; status: number; error?: { errors: unknown[] } }>;
    expect(results.map((result) => [result.index, result.status])).toEqual([
      [0, 202],
      [1, 400],
      [2, 202],
      [3, 202],
      [4, 400],
      [5, 400],
      [6, 202],
    ]);
    expect(results[1]).toMatchObject({ idempotency_key: expect.any(String), error: { code: 'validation_failed', errors: [{ field: 'events[1].value' }] } });
    expect(results[4].error?.errors).toEqual([{ field: 'events[4].extra', message: 'is not a known field' }]);
    expect(results[5]).toMatchObject({ idempotency_key: null, error: { errors: [{ field: 'events[5]', message: 'must be a JSON object' }] } });
    expect(await exactSum(metric)).toBe('10011');
  });

  it('refuses a backfill of more than 5,000 events with 413', async () => {
    const response = await engine.api('POST', '/v1/events/backfill', { events: Array.from({ length: 5001 }, () => usageEvent(customer, counted)) });
    expect(response.status).toBe(413);
  });

  it('keeps the first event of a key for ever, whatever the payload or timestamp of later ones', async () => {
    const metric = await createMetric(engine, 'sum');
    const first = usageEvent(customer, metric, { value: '3', timestamp: '2026-02-10T00:00:00Z' });
    expect((await engine.api('POST', '/v1/events', first)).status).toBe(202);
    expect((await engine.api('POST', '/v1/events', { ...first, value: '300', timestamp: '2026-05-10T00:00:00Z' })).status).toBe(202);
    const batch = await engine.api('POST', '/v1/events/batch', { events: [{ ...first, value: '30' }] });
    expect(batch.body.results[0].status).toBe(202);
    expect(await exactSum(metric)).toBe('3');
  });

  it('keeps read copies of the catalog from its events, in ingestion and in aggregation', async () => {
    const freshCustomer = await createCustomer(engine);
    const subscription = await createSubscription(engine, freshCustomer);
    const freshMetric = await createMetric(engine, 'unique_count', 'string');
    const sql = new Client({ connectionString: engine.databaseUrl });
    await sql.connect();
    try {
      for (const schema of ['ingestion', 'aggregation']) {
        await pollUntil(async () => {
          const copy = await sql.query(
            `SELECT (SELECT count(*) FROM ${schema}.catalog_customers WHERE id = $1) AS customers,
                    (SELECT customer_id FROM ${schema}.catalog_subscriptions WHERE id = $2) AS owner,
                    (SELECT aggregation_type || '/' || value_type FROM ${schema}.catalog_metrics WHERE key = $3) AS metric`,
            [freshCustomer, subscription, freshMetric],
          );
          expect(copy.rows[0]).toEqual({ customers: '1', owner: freshCustomer, metric: 'unique_count/string' });
        });
      }
    } finally {
      await sql.end();
    }
  });
});
