import { Client } from 'pg';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { sendBatch, sendEvent } from '@abaxus/testing/ingestion/send-events';
import { createCustomer, createMetric, createSubscription, uniqueId, usageEvent } from '@abaxus/testing/ingestion/usage.factory';
import { AGGREGATION_CASES, DUPLICATES, EVENT_TIMES, PERIODS, PeriodName, SEND_ORDER } from '@abaxus/services/aggregation/testing/aggregation-cases';
import { billableUsage, computeThenSummary, computeUsage, UsageApi, UsagePeriod } from '@abaxus/services/aggregation/testing/usage-queries';

const MARCH = ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] as const;
const YEAR = ['2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z'] as const;

/*
 * The usage pipeline of the whole engine on Kafka, what only every service together shows: events
 * through the gateway and ingestion, onto the topic, counted once by aggregation (first key wins)
 * and billed to pricing; entities the catalog created a moment ago accepted; both catalog read
 * copies fed by the real catalog's events. Each service's own rules are tested on it alone
 * (libs/services/{ingestion,aggregation}, single-service tier).
 */
describe('usage pipeline (whole engine, Kafka bus)', () => {
  let engine: TestEngine;
  let customer: string;
  let gateway: UsageApi;
  let aggregation: UsageApi;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
    customer = await createCustomer(engine);
    gateway = (method, path, body) => engine.api(method, path, body);
    aggregation = async (method, path, body) => {
      const response = await fetch(`${engine.serviceUrl('aggregation')}${path}`, {
        method,
        headers: { ...engine.serviceHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text), text };
    };
  });

  afterAll(async () => {
    await engine?.stop();
  });

  const period = (customerId: string, metric: string, [start, end]: readonly [string, string]): UsagePeriod => ({
    customer_id: customerId,
    metric_key: metric,
    period_start: start,
    period_end: end,
  });

  it('counts every event sent through the gateway once, out of order and with duplicates, and summary and billable equal compute', async () => {
    const scenario = AGGREGATION_CASES.find((candidate) => candidate.type === 'sum')!;
    const metric = await createMetric(engine, scenario.type, scenario.valueType);
    const keys = EVENT_TIMES.map(() => uniqueId('evt'));
    const eventAt = (index: number) =>
      usageEvent(customer, metric, { idempotency_key: keys[index], timestamp: EVENT_TIMES[index], value: scenario.values[index] });
    for (const group of SEND_ORDER) {
      if (group.length === 1) await sendEvent(engine, eventAt(group[0]));
      else await sendBatch(engine, group.map(eventAt));
    }
    await sendBatch(
      engine,
      DUPLICATES.map((duplicate) =>
        usageEvent(customer, metric, { idempotency_key: keys[duplicate.of], timestamp: duplicate.timestamp, value: scenario.duplicateValue }),
      ),
    );
    await sendEvent(engine, { ...eventAt(2), value: scenario.duplicateValue });

    for (const name of Object.keys(PERIODS) as PeriodName[]) {
      const figures = await computeThenSummary(gateway, period(customer, metric, PERIODS[name]));
      const billable = await billableUsage(aggregation, period(customer, metric, PERIODS[name]));
      expect({ period: name, ...figures, billable }).toEqual({
        period: name,
        compute: scenario.expected[name],
        summary: scenario.expected[name],
        billable: scenario.expected[name],
      });
    }
  });

  it('answers compute with every event ingestion acknowledged before it, without waiting in the test', async () => {
    const metric = await createMetric(engine, 'count');
    await Promise.all(
      Array.from({ length: 6 }, () =>
        sendBatch(
          engine,
          Array.from({ length: 500 }, () => usageEvent(customer, metric, { value: undefined })),
        ),
      ),
    );
    await Promise.all(Array.from({ length: 20 }, () => sendEvent(engine, usageEvent(customer, metric))));
    expect(await computeUsage(gateway, period(customer, metric, MARCH))).toBe('3020');
  });

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
    expect(await computeUsage(gateway, period(customer, metric, YEAR))).toBe('10011');
  });

  it('keeps the first event of a key for ever, whatever the payload or timestamp of later ones', async () => {
    const metric = await createMetric(engine, 'sum');
    const first = usageEvent(customer, metric, { value: '3', timestamp: '2026-02-10T00:00:00Z' });
    expect((await engine.api('POST', '/v1/events', first)).status).toBe(202);
    expect((await engine.api('POST', '/v1/events', { ...first, value: '300', timestamp: '2026-05-10T00:00:00Z' })).status).toBe(202);
    const batch = await engine.api('POST', '/v1/events/batch', { events: [{ ...first, value: '30' }] });
    expect(batch.body.results[0].status).toBe(202);
    expect(await computeUsage(gateway, period(customer, metric, YEAR))).toBe('3');
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
