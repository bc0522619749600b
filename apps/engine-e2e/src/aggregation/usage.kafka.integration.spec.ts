import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { DEAD_LETTER_REASON_HEADER, TOPICS } from '@abaxus/contracts/topics';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { sendBatch, sendEvent } from '@abaxus/testing/ingestion/send-events';
import { createCustomer, createMetric, createSubscription, uniqueId, usageEvent } from '@abaxus/testing/ingestion/usage.factory';
import { AGGREGATION_CASES, DUPLICATES, EVENT_TIMES, PERIODS, PeriodName, SEND_ORDER } from '@abaxus/testing/aggregation/aggregation-cases';
import { billableUsage, computeThenSummary, computeUsage, histogram, UsagePeriod } from '@abaxus/testing/aggregation/usage-queries';

const MARCH = ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] as const;

describe('usage aggregation (Kafka bus)', () => {
  let engine: TestEngine;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
    kafka = new Kafka({ clientId: 'usage-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await engine?.stop();
  });

  const period = (customer: string, metric: string, [start, end]: readonly [string, string], subscription?: string): UsagePeriod => ({
    customer_id: customer,
    metric_key: metric,
    period_start: start,
    period_end: end,
    ...(subscription ? { subscription_id: subscription } : {}),
  });

  describe.each(AGGREGATION_CASES)('$type', (scenario) => {
    it('counts every event once, out of order and with duplicates, and summary equals compute on any period', async () => {
      const customer = await createCustomer(engine);
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
        const figures = await computeThenSummary(engine, period(customer, metric, PERIODS[name]));
        const billable = await billableUsage(engine, period(customer, metric, PERIODS[name]));
        expect({ period: name, ...figures, billable }).toEqual({
          period: name,
          compute: scenario.expected[name],
          summary: scenario.expected[name],
          billable: scenario.expected[name],
        });
      }
    });
  });

  it('scopes usage to a subscription: its events plus the customer events without one', async () => {
    const customer = await createCustomer(engine);
    const [subA, subB] = [await createSubscription(engine, customer), await createSubscription(engine, customer)];
    const metric = await createMetric(engine, 'sum');
    await sendBatch(engine, [
      usageEvent(customer, metric, { value: '1' }),
      usageEvent(customer, metric, { value: '10', subscription_id: subA }),
      usageEvent(customer, metric, { value: '100', subscription_id: subB }),
      usageEvent(customer, metric, { value: '1000', subscription_id: subB, timestamp: '2026-03-17T14:30:00Z' }),
    ]);
    const inner = ['2026-03-17T14:00:00Z', '2026-03-17T14:15:00Z'] as const;
    expect(await computeThenSummary(engine, period(customer, metric, MARCH, subA))).toEqual({ compute: '11', summary: '11' });
    expect(await computeThenSummary(engine, period(customer, metric, MARCH, subB))).toEqual({ compute: '1101', summary: '1101' });
    expect(await computeThenSummary(engine, period(customer, metric, MARCH))).toEqual({ compute: '1111', summary: '1111' });
    expect(await computeThenSummary(engine, period(customer, metric, inner, subB))).toEqual({ compute: '101', summary: '101' });
  });

  it('answers a histogram per hour and per day with empty buckets holding the empty value', async () => {
    const customer = await createCustomer(engine);
    const sum = await createMetric(engine, 'sum');
    const max = await createMetric(engine, 'max');
    const at = (timestamp: string, value: string) => [usageEvent(customer, sum, { timestamp, value }), usageEvent(customer, max, { timestamp, value })];
    await sendBatch(engine, [...at('2026-03-16T23:30:00Z', '4'), ...at('2026-03-17T01:10:00Z', '5'), ...at('2026-03-17T01:50:00Z', '6')]);
    await computeUsage(engine, period(customer, sum, ['2026-03-16T00:00:00Z', '2026-03-18T00:00:00Z']));

    const hours = await histogram(engine, { ...period(customer, sum, ['2026-03-16T23:00:00Z', '2026-03-17T02:30:00Z']), granularity: 'hour' });
    expect(hours).toEqual([
      { start: '2026-03-16T23:00:00.000Z', end: '2026-03-17T00:00:00.000Z', value: '4' },
      { start: '2026-03-17T00:00:00.000Z', end: '2026-03-17T01:00:00.000Z', value: '0' },
      { start: '2026-03-17T01:00:00.000Z', end: '2026-03-17T02:00:00.000Z', value: '11' },
      { start: '2026-03-17T02:00:00.000Z', end: '2026-03-17T02:30:00.000Z', value: '0' },
    ]);
    const days = await histogram(engine, { ...period(customer, max, ['2026-03-16T12:00:00Z', '2026-03-19T00:00:00Z']), granularity: 'day' });
    expect(days).toEqual([
      { start: '2026-03-16T12:00:00.000Z', end: '2026-03-17T00:00:00.000Z', value: '4' },
      { start: '2026-03-17T00:00:00.000Z', end: '2026-03-18T00:00:00.000Z', value: '6' },
      { start: '2026-03-18T00:00:00.000Z', end: '2026-03-19T00:00:00.000Z', value: null },
    ]);
  });

  it('backfills straight into the store, first key winning against the stream, and rebuilds the buckets it touches', async () => {
    const customer = await createCustomer(engine);
    const sum = await createMetric(engine, 'sum');
    const latest = await createMetric(engine, 'latest', 'decimal');
    const streamed = usageEvent(customer, sum, { value: '5', timestamp: '2026-03-17T10:20:00Z' });
    await sendBatch(engine, [streamed, usageEvent(customer, latest, { value: '1', timestamp: '2026-03-17T10:20:00Z' })]);
    await computeUsage(engine, period(customer, sum, PERIODS.aligned));

    const backfill = await engine.api('POST', '/v1/events/backfill', {
      events: [
        usageEvent(customer, sum, { value: '7', timestamp: '2026-03-17T10:45:00Z' }),
        { ...streamed, value: '500' },
        usageEvent(customer, sum, { value: '11', timestamp: '2025-01-31T23:59:59Z' }),
        usageEvent(customer, sum, { value: 'not a number' }),
        usageEvent(customer, latest, { value: '2', timestamp: '2026-03-17T10:10:00Z' }),
        usageEvent(customer, latest, { value: '3', timestamp: '2026-03-17T10:50:00Z' }),
      ],
    });
    expect(backfill.status).toBe(207);
    expect(backfill.body.results.map((result: { status: number }) => result.status)).toEqual([202, 202, 202, 400, 202, 202]);
    expect(backfill.body.results[3].error).toMatchObject({ code: 'validation_failed', errors: [{ field: 'events[3].value', message: expect.any(String) }] });

    // A backfilled key wins against a later streamed event too.
    const backfilledKey = usageEvent(customer, sum, { value: '13', timestamp: '2026-03-17T10:30:00Z' });
    expect((await engine.api('POST', '/v1/events/backfill', { events: [backfilledKey] })).status).toBe(207);
    await sendEvent(engine, { ...backfilledKey, value: '999' });

    const hour = ['2026-03-17T10:00:00Z', '2026-03-17T11:00:00Z'] as const;
    expect(await computeThenSummary(engine, period(customer, sum, hour))).toEqual({ compute: '25', summary: '25' });
    expect(await computeThenSummary(engine, period(customer, sum, ['2025-01-01T00:00:00Z', '2026-04-01T00:00:00Z']))).toEqual({ compute: '36', summary: '36' });
    expect(await computeThenSummary(engine, period(customer, sum, ['2025-01-31T23:00:00Z', '2025-02-01T00:00:00Z']))).toEqual({ compute: '11', summary: '11' });
    expect(await computeThenSummary(engine, period(customer, latest, hour))).toEqual({ compute: '3', summary: '3' });
  });

  it('answers compute with every event acknowledged before it, without waiting in the test', async () => {
    const customer = await createCustomer(engine);
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
    expect(await computeUsage(engine, period(customer, metric, MARCH))).toBe('3020');
  });

  it('counts events published straight to Kafka like HTTP ones, and dead-letters invalid messages without stalling', async () => {
    const customer = await createCustomer(engine);
    const metric = await createMetric(engine, 'sum');
    const topic = `${engine.topicPrefix}${TOPICS.usageEvents}`;
    const direct = (overrides: Record<string, unknown> = {}) => ({ key: customer, value: JSON.stringify(usageEvent(customer, metric, overrides)) });
    const duplicateKey = uniqueId('evt');
    await producer.send({
      topic,
      acks: -1,
      messages: [
        direct({ value: 1 }),
        { key: customer, value: '{"customer_id": "not json' },
        direct({ value: 2, surprise: true }),
        direct({ value: 4, customer_id: 'cust_nobody' }),
        direct({ value: '8', idempotency_key: duplicateKey }),
        direct({ value: '8000', idempotency_key: duplicateKey }),
        direct({ value: '16' }),
        // A JSON number a double cannot hold: read exactly, so accepted as this integer.
        { key: customer, value: direct({ value: 'BIG' }).value.replace('"BIG"', '12345678901234567890') },
      ],
    });
    await sendEvent(engine, usageEvent(customer, metric, { value: '32' }));
    await sendEvent(engine, usageEvent(customer, metric, { value: '64', idempotency_key: duplicateKey }));

    expect(await computeThenSummary(engine, period(customer, metric, MARCH))).toEqual({
      compute: '12345678901234567947',
      summary: '12345678901234567947',
    });

    const consumer = kafka.consumer({ groupId: uniqueId('dlq-reader') });
    const dead: Array<{ value: string; reason: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${engine.topicPrefix}${TOPICS.usageEventsDeadLetter}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push({ value: message.value?.toString() ?? '', reason: message.headers?.[DEAD_LETTER_REASON_HEADER]?.toString() ?? '' });
      },
    });
    try {
      const mine = await pollUntil(async () => {
        const found = dead.filter((message) => message.value.includes(metric) || message.value.includes('not json'));
        expect(found).toHaveLength(3);
        return found;
      });
      expect(mine.map((message) => message.reason).sort()).toEqual([
        expect.stringMatching(/^malformed_json/),
        expect.stringMatching(/^validation_failed: customer_id: no customer "cust_nobody" exists/),
        expect.stringMatching(/^validation_failed: surprise: is not a known field/),
      ]);
    } finally {
      await consumer.disconnect();
    }
  });

  it('names the missing fields when the summary query string is lost, as a pasted multi-line curl does', async () => {
    const response = await engine.api('GET', '/v1/usage/summary');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['customer_id', 'metric_key', 'period_start', 'period_end']);
  });

  it('refuses invalid usage queries with field paths, and unknown metrics or customers with 404', async () => {
    const customer = await createCustomer(engine);
    const metric = await createMetric(engine, 'sum');
    const bad = await engine.api('POST', '/v1/usage/compute', {
      customer_id: customer,
      metric_key: metric,
      period_start: '2026-03-02T00:00:00Z',
      period_end: '2026-03-01T00:00:00',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'extra', message: 'is not a known field' },
        { field: 'period_end', message: expect.stringContaining('RFC 3339') },
      ]),
    );
    const reversed = await engine.api(
      'GET',
      `/v1/usage/summary?customer_id=${customer}&metric_key=${metric}&period_start=2026-03-02T00:00:00Z&period_end=2026-03-01T00:00:00Z`,
    );
    expect(reversed.body.errors).toEqual([{ field: 'period_end', message: 'must be after period_start' }]);
    const histogramWithoutGranularity = await engine.api(
      'GET',
      `/v1/usage/histogram?customer_id=${customer}&metric_key=${metric}&period_start=2026-03-01T00:00:00Z&period_end=2026-03-02T00:00:00Z`,
    );
    expect(histogramWithoutGranularity.body.errors).toEqual([{ field: 'granularity', message: 'is required' }]);
    const unknownMetric = await summaryStatus(engine, period(customer, 'no_such_metric', PERIODS.aligned));
    const unknownCustomer = await summaryStatus(engine, period('cust_nobody', metric, PERIODS.aligned));
    expect([unknownMetric, unknownCustomer]).toEqual([404, 404]);
  });
});

async function summaryStatus(engine: TestEngine, period: UsagePeriod): Promise<number> {
  const response = await engine.api('GET', `/v1/usage/summary?${new URLSearchParams(period as unknown as Record<string, string>)}`);
  return response.status;
}
