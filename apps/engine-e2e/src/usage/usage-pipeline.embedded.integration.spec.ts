import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { sendBatch, sendEvent } from '@abaxus/testing/ingestion/send-events';
import { createCustomer, createMetric, createSubscription, usageEvent } from '@abaxus/testing/ingestion/usage.factory';
import { computeThenSummary, histogram, UsageApi } from '@abaxus/services/aggregation/testing/usage-queries';

/**
 * The main usage flow on the embedded bus (PostgreSQL log), as `npm start` runs it: events and a
 * backfill through the gateway and ingestion, counted by aggregation. Aggregation's own rules are
 * tested on it alone (libs/services/aggregation, single-service tier).
 */
describe('usage pipeline (whole engine, embedded bus)', () => {
  let engine: TestEngine;
  let gateway: UsageApi;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'embedded' });
    gateway = (method, path, body) => engine.api(method, path, body);
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('streams, backfills and answers histograms for a subscription', async () => {
    const customer = await createCustomer(engine);
    const subscription = await createSubscription(engine, customer);
    const metric = await createMetric(engine, 'sum');
    await sendBatch(engine, [
      usageEvent(customer, metric, { value: '1', timestamp: '2026-03-17T09:30:00Z' }),
      usageEvent(customer, metric, { value: '2', timestamp: '2026-03-17T10:30:00Z', subscription_id: subscription }),
    ]);
    const backfilled = usageEvent(customer, metric, { value: '4', timestamp: '2026-03-17T09:45:00Z', subscription_id: subscription });
    await sendBatch(engine, [backfilled], '/v1/events/backfill');
    await sendEvent(engine, { ...backfilled, value: '400' });
    const period = {
      customer_id: customer,
      metric_key: metric,
      subscription_id: subscription,
      period_start: '2026-03-17T09:00:00Z',
      period_end: '2026-03-17T11:00:00Z',
    };
    expect(await computeThenSummary(gateway, period)).toEqual({ compute: '7', summary: '7' });
    expect(await histogram(gateway, { ...period, granularity: 'hour' })).toEqual([
      { start: '2026-03-17T09:00:00.000Z', end: '2026-03-17T10:00:00.000Z', value: '5' },
      { start: '2026-03-17T10:00:00.000Z', end: '2026-03-17T11:00:00.000Z', value: '2' },
    ]);
  });
});
