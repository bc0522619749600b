import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { sendBatch, sendEvent } from '@abaxus/testing/ingestion/send-events';
import { createCustomer, createMetric, createSubscription, usageEvent } from '@abaxus/testing/ingestion/usage.factory';
import { AGGREGATION_CASES, DUPLICATES, EVENT_TIMES, PERIODS, PeriodName, SEND_ORDER } from '@abaxus/testing/aggregation/aggregation-cases';
import { computeThenSummary, histogram } from '@abaxus/testing/aggregation/usage-queries';

/** The main usage flow on the embedded bus (PostgreSQL log), as `npm start` runs it. */
describe('usage aggregation (embedded bus)', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'embedded' });
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it.each(AGGREGATION_CASES)('$type: counts every event once and summary equals compute on any period', async (scenario) => {
    const customer = await createCustomer(engine);
    const metric = await createMetric(engine, scenario.type, scenario.valueType);
    const events = EVENT_TIMES.map((timestamp, index) => usageEvent(customer, metric, { timestamp, value: scenario.values[index] }));
    for (const group of SEND_ORDER) {
      if (group.length === 1) await sendEvent(engine, events[group[0]]);
      else
        await sendBatch(
          engine,
          group.map((index) => events[index]),
        );
    }
    await sendBatch(
      engine,
      DUPLICATES.map((duplicate) => ({ ...events[duplicate.of], timestamp: duplicate.timestamp, value: scenario.duplicateValue })),
    );
    for (const name of Object.keys(PERIODS) as PeriodName[]) {
      const figures = await computeThenSummary(engine, {
        customer_id: customer,
        metric_key: metric,
        period_start: PERIODS[name][0],
        period_end: PERIODS[name][1],
      });
      expect({ period: name, ...figures }).toEqual({ period: name, compute: scenario.expected[name], summary: scenario.expected[name] });
    }
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
    expect(await computeThenSummary(engine, period)).toEqual({ compute: '7', summary: '7' });
    expect(await histogram(engine, { ...period, granularity: 'hour' })).toEqual([
      { start: '2026-03-17T09:00:00.000Z', end: '2026-03-17T10:00:00.000Z', value: '5' },
      { start: '2026-03-17T10:00:00.000Z', end: '2026-03-17T11:00:00.000Z', value: '2' },
    ]);
  });
});
