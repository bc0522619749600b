import { Client } from 'pg';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { createCustomer, createMetric, createSubscription, uniqueId, usageEvent } from '@abaxus/testing/ingestion/usage.factory';

describe('event ingestion through the gateway (Kafka bus)', () => {
  let engine: TestEngine;
  let customer: string;
  let otherCustomer: string;
  let otherSubscription: string;
  let counted: string;
  let decimal: string;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
    customer = await createCustomer(engine);
    otherCustomer = await createCustomer(engine);
    otherSubscription = await createSubscription(engine, otherCustomer);
    counted = await createMetric(engine, 'sum');
    decimal = await createMetric(engine, 'max', 'decimal');
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

  it('accepts an event posted the way `curl -d` sends it (form content type), with 202', async () => {
    const key = uniqueId('evt');
    const body = `{
    "customer_id":     "${customer}",
    "metric_key":      "${counted}",
    "value":           "1",
    "timestamp":       "2026-03-17T14:00:00Z",
    "idempotency_key": "${key}",
    "properties": { "region": "us-east-1" }
  }`;
    const response = await engine.api('POST', '/v1/events', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ idempotency_key: key, status: 'accepted' });
  });

  it.each([
    ['a missing idempotency key', { idempotency_key: undefined }, 'idempotency_key', 'is required'],
    ['an empty idempotency key', { idempotency_key: '' }, 'idempotency_key', 'must be 1 to 255 characters long'],
    ['a 256-character idempotency key', { idempotency_key: 'k'.repeat(256) }, 'idempotency_key', 'must be 1 to 255 characters long'],
    ['an unknown field', { region: 'eu' }, 'region', 'is not a known field'],
    ['a timestamp without offset', { timestamp: '2026-03-17T14:00:00' }, 'timestamp', expect.stringContaining('RFC 3339')],
    [
      'a timestamp 6 minutes ahead',
      { timestamp: new Date(Date.now() + 6 * 60_000).toISOString() },
      'timestamp',
      'must not be more than 5 minutes in the future',
    ],
    ['an unknown metric', { metric_key: 'no_such_metric' }, 'metric_key', 'no metric "no_such_metric" exists'],
    ['an unknown customer', { customer_id: 'cust_nobody' }, 'customer_id', 'no customer "cust_nobody" exists'],
    ['a value that is not an integer', { value: '1.5' }, 'value', expect.stringContaining('integer')],
    ['a missing value', { value: undefined }, 'value', 'is required'],
  ])('refuses %s with 400 and the field path', async (_name, overrides, field, message) => {
    const event = Object.fromEntries(Object.entries(usageEvent(customer, counted, overrides)).filter(([, value]) => value !== undefined));
    const response = await engine.api('POST', '/v1/events', event);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field, message }] });
  });

  it('refuses a subscription that belongs to another customer, and accepts one of the customer', async () => {
    const foreign = await engine.api('POST', '/v1/events', usageEvent(customer, counted, { subscription_id: otherSubscription }));
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ field: 'subscription_id', message: expect.stringContaining('does not belong') }]);
    const own = await engine.api('POST', '/v1/events', usageEvent(otherCustomer, counted, { subscription_id: otherSubscription }));
    expect(own.status).toBe(202);
  });

  it('accepts events for a customer and a metric created a moment ago', async () => {
    for (let round = 0; round < 3; round++) {
      const freshCustomer = await createCustomer(engine);
      const freshMetric = await createMetric(engine, 'count');
      const response = await engine.api('POST', '/v1/events', usageEvent(freshCustomer, freshMetric));
      expect(response.status).toBe(202);
    }
  });

  it('answers a batch with 207 and one result per item; invalid items never block the valid ones', async () => {
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

  it('refuses a batch of more than 500 events with 413, and an empty one with 400', async () => {
    const many = Array.from({ length: 501 }, () => usageEvent(customer, counted));
    const tooMany = await engine.api('POST', '/v1/events/batch', { events: many });
    expect(tooMany.status).toBe(413);
    const empty = await engine.api('POST', '/v1/events/batch', { events: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ field: 'events', message: 'must hold 1 to 500 events' }]);
    const notAList = await engine.api('POST', '/v1/events/batch', { events: {}, other: 1 });
    expect(notAList.status).toBe(400);
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

  it('accepts decimal values given as strings or exact JSON numbers, and refuses inexact ones', async () => {
    const exact = await engine.api('POST', '/v1/events/batch', {
      events: [usageEvent(customer, decimal, { value: '0.000000000001' }), usageEvent(customer, decimal, { value: 2.5 })],
    });
    expect(exact.body.results.map((result: { status: number }) => result.status)).toEqual([202, 202]);
    const inexact = await engine.api(
      'POST',
      '/v1/events',
      `{"customer_id":"${customer}","metric_key":"${decimal}","value":0.30000000000000004,"timestamp":"2026-03-17T14:00:00Z","idempotency_key":"${uniqueId('evt')}"}`,
    );
    expect(inexact.status).toBe(400);
    expect(inexact.body.errors[0].field).toBe('value');
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
