import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DEAD_LETTER_REASON_HEADER, REJECTION_ID_HEADER, TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { AggregationAppModule } from '../aggregation-app.module';
import { AGGREGATION_CASES, DUPLICATES, EVENT_TIMES, PERIODS, PeriodName, SEND_ORDER } from '../testing/aggregation-cases';
import { billableBatchOf, billableUsage, computeThenSummary, computeUsage, histogram, UsageApi, UsagePeriod } from '../testing/usage-queries';

// Single-service tier: aggregation alone on a fresh database and the embedded bus. Usage events
// are published on the usage topic as ingestion (or any producer) publishes them; the catalog,
// asked about what the read copy lacks, is a stub answering for what each test created.
const MARCH = ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] as const;
const BACKFILL_PATH = '/internal/v1/events/backfill';

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function usageEvent(customerId: string, metricKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { customer_id: customerId, metric_key: metricKey, value: '1', timestamp: '2026-03-17T14:00:00Z', idempotency_key: uniqueId('evt'), ...overrides };
}

const period = (customer: string, metric: string, [start, end]: readonly [string, string], subscription?: string): UsagePeriod => ({
  customer_id: customer,
  metric_key: metric,
  period_start: start,
  period_end: end,
  ...(subscription ? { subscription_id: subscription } : {}),
});

describe('usage aggregation (service alone, embedded bus, real PostgreSQL)', () => {
  let aggregation: ServiceUnderTest;
  let catalog: FakeCatalog;
  let deadLetters: TopicRecorder;
  let api: UsageApi;

  beforeAll(async () => {
    aggregation = await startServiceUnderTest((runtime) => AggregationAppModule.forRoot(runtime), { stub: ['catalog'] });
    catalog = new FakeCatalog(aggregation.stubs.catalog!);
    deadLetters = await aggregation.listen(TOPICS.usageEventsDeadLetter);
    api = (method, path, body) => aggregation.api(method, path, body);
  });

  afterAll(() => aggregation?.stop());

  /** Publishes on the usage topic, keyed by customer, resolving once the bus holds them. */
  const publish = (...events: Array<Record<string, unknown>>) =>
    aggregation.bus.publish(events.map((event) => ({ topic: TOPICS.usageEvents, key: String(event.customer_id), value: JSON.stringify(event) })));

  describe.each(AGGREGATION_CASES)('$type', (scenario) => {
    it('counts every event once, out of order and with duplicates, and summary and billable equal compute on any period', async () => {
      const customer = catalog.createCustomer();
      const metric = catalog.createMetric(scenario.type, scenario.valueType);
      const keys = EVENT_TIMES.map(() => uniqueId('evt'));
      const eventAt = (index: number) =>
        usageEvent(customer, metric, { idempotency_key: keys[index], timestamp: EVENT_TIMES[index], value: scenario.values[index] });
      for (const group of SEND_ORDER) await publish(...group.map(eventAt));
      await publish(
        ...DUPLICATES.map((duplicate) =>
          usageEvent(customer, metric, { idempotency_key: keys[duplicate.of], timestamp: duplicate.timestamp, value: scenario.duplicateValue }),
        ),
      );
      await publish({ ...eventAt(2), value: scenario.duplicateValue });

      for (const name of Object.keys(PERIODS) as PeriodName[]) {
        const figures = await computeThenSummary(api, period(customer, metric, PERIODS[name]));
        const billable = await billableUsage(api, period(customer, metric, PERIODS[name]));
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
    const customer = catalog.createCustomer();
    const [subA, subB] = [catalog.createSubscription(customer), catalog.createSubscription(customer)];
    const metric = catalog.createMetric('sum');
    await publish(
      usageEvent(customer, metric, { value: '1' }),
      usageEvent(customer, metric, { value: '10', subscription_id: subA }),
      usageEvent(customer, metric, { value: '100', subscription_id: subB }),
      usageEvent(customer, metric, { value: '1000', subscription_id: subB, timestamp: '2026-03-17T14:30:00Z' }),
    );
    const inner = ['2026-03-17T14:00:00Z', '2026-03-17T14:15:00Z'] as const;
    expect(await computeThenSummary(api, period(customer, metric, MARCH, subA))).toEqual({ compute: '11', summary: '11' });
    expect(await computeThenSummary(api, period(customer, metric, MARCH, subB))).toEqual({ compute: '1101', summary: '1101' });
    expect(await computeThenSummary(api, period(customer, metric, MARCH))).toEqual({ compute: '1111', summary: '1111' });
    expect(await computeThenSummary(api, period(customer, metric, inner, subB))).toEqual({ compute: '101', summary: '101' });
  });

  it('lists each billable event value of a subscription in the period once caught up, for per-event pricing', async () => {
    const customer = catalog.createCustomer();
    const [subA, subB] = [catalog.createSubscription(customer), catalog.createSubscription(customer)];
    const metric = catalog.createMetric('sum', 'decimal');
    await publish(
      usageEvent(customer, metric, { value: '100' }),
      usageEvent(customer, metric, { value: '10.01', subscription_id: subA }),
      usageEvent(customer, metric, { value: '7', subscription_id: subB }),
      usageEvent(customer, metric, { value: '3', subscription_id: subA, timestamp: '2026-04-01T00:00:00Z' }),
    );
    const response = await api('POST', '/internal/v1/usage/billable-batch', billableBatchOf({ ...period(customer, metric, MARCH, subA), values: true }));
    expect(response.status).toBe(200);
    expect(response.body.answers[0].value).toBe('110.01');
    expect([...response.body.answers[0].values].sort()).toEqual(['10.01', '100']);
    expect(response.body.meta.consistency).toBe('strong');
    const unknown = await api('POST', '/internal/v1/usage/billable-batch', billableBatchOf({ ...period(customer, 'no_such_metric', MARCH), values: true }));
    expect(unknown.status).toBe(404);
  });

  it('weighted_sum holds each value until the next event, from the level before the period, alike in summary, billable, compute and histogram', async () => {
    const customer = catalog.createCustomer();
    const seats = catalog.createMetric('weighted_sum');
    // Out of order: the latest change first, the level held into March last.
    await publish(usageEvent(customer, seats, { value: '20', timestamp: '2026-03-16T00:00:00Z' }));
    await publish(
      usageEvent(customer, seats, { value: '8', timestamp: '2026-03-01T06:00:00Z' }),
      usageEvent(customer, seats, { value: '4', timestamp: '2026-02-20T00:00:00Z' }),
    );

    // (4 × 6 h + 8 × 354 h + 20 × 384 h) / 744 h = 14.16129032258064516…
    expect(await computeThenSummary(api, period(customer, seats, MARCH))).toEqual({ compute: '14.161290322581', summary: '14.161290322581' });
    expect(await billableUsage(api, period(customer, seats, MARCH))).toBe('14.161290322581');
    // A plan change on the 11th splits the month: each phase weighed over the whole month, the two add up.
    const weighedOverMarch = { weight_period_start: MARCH[0], weight_period_end: MARCH[1] };
    const firstPhase = await billableUsage(api, { ...period(customer, seats, [MARCH[0], '2026-03-11T00:00:00Z']), ...weighedOverMarch });
    const secondPhase = await billableUsage(api, { ...period(customer, seats, ['2026-03-11T00:00:00Z', MARCH[1]]), ...weighedOverMarch });
    expect(Number(firstPhase) + Number(secondPhase)).toBeCloseTo(14.161290322581, 11);
    expect([firstPhase, secondPhase]).toEqual(['2.548387096774', '11.612903225806']);
    const outside = await api(
      'POST',
      '/internal/v1/usage/billable-batch',
      billableBatchOf({ ...period(customer, seats, MARCH), weight_period_start: '2026-03-02T00:00:00Z', weight_period_end: MARCH[1] }),
    );
    expect([outside.status, outside.body.errors?.[0]?.field]).toEqual([400, 'queries[0].weight_period_start']);
    // Partial hours only: 4 for 2.5 h, 8 for 3.25 h over 5.75 h = 6.2608695652173913…
    const morning = ['2026-03-01T03:30:00Z', '2026-03-01T09:15:00Z'] as const;
    expect(await computeThenSummary(api, period(customer, seats, morning))).toEqual({ compute: '6.260869565217', summary: '6.260869565217' });

    const days = await histogram(api, { ...period(customer, seats, ['2026-03-01T00:00:00Z', '2026-03-03T12:00:00Z']), granularity: 'day' });
    expect(days).toEqual([
      { start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T00:00:00.000Z', value: '7' },
      { start: '2026-03-02T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z', value: '8' },
      { start: '2026-03-03T00:00:00.000Z', end: '2026-03-03T12:00:00.000Z', value: '8' },
    ]);
  });

  it('answers a histogram per hour and per day with empty buckets holding the empty value', async () => {
    const customer = catalog.createCustomer();
    const sum = catalog.createMetric('sum');
    const max = catalog.createMetric('max');
    const at = (timestamp: string, value: string) => [usageEvent(customer, sum, { timestamp, value }), usageEvent(customer, max, { timestamp, value })];
    await publish(...at('2026-03-16T23:30:00Z', '4'), ...at('2026-03-17T01:10:00Z', '5'), ...at('2026-03-17T01:50:00Z', '6'));
    await computeUsage(api, period(customer, sum, ['2026-03-16T00:00:00Z', '2026-03-18T00:00:00Z']));

    const hours = await histogram(api, { ...period(customer, sum, ['2026-03-16T23:00:00Z', '2026-03-17T02:30:00Z']), granularity: 'hour' });
    expect(hours).toEqual([
      { start: '2026-03-16T23:00:00.000Z', end: '2026-03-17T00:00:00.000Z', value: '4' },
      { start: '2026-03-17T00:00:00.000Z', end: '2026-03-17T01:00:00.000Z', value: '0' },
      { start: '2026-03-17T01:00:00.000Z', end: '2026-03-17T02:00:00.000Z', value: '11' },
      { start: '2026-03-17T02:00:00.000Z', end: '2026-03-17T02:30:00.000Z', value: '0' },
    ]);
    const days = await histogram(api, { ...period(customer, max, ['2026-03-16T12:00:00Z', '2026-03-19T00:00:00Z']), granularity: 'day' });
    expect(days).toEqual([
      { start: '2026-03-16T12:00:00.000Z', end: '2026-03-17T00:00:00.000Z', value: '4' },
      { start: '2026-03-17T00:00:00.000Z', end: '2026-03-18T00:00:00.000Z', value: '6' },
      { start: '2026-03-18T00:00:00.000Z', end: '2026-03-19T00:00:00.000Z', value: null },
    ]);
  });

  it('backfills straight into the store, first key winning against the stream, and rebuilds the buckets it touches', async () => {
    const customer = catalog.createCustomer();
    const sum = catalog.createMetric('sum');
    const latest = catalog.createMetric('latest', 'decimal');
    const streamed = usageEvent(customer, sum, { value: '5', timestamp: '2026-03-17T10:20:00Z' });
    await publish(streamed, usageEvent(customer, latest, { value: '1', timestamp: '2026-03-17T10:20:00Z' }));
    await computeUsage(api, period(customer, sum, PERIODS.aligned));

    const backfill = await aggregation.api('POST', BACKFILL_PATH, {
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
    // The refused item goes to the dead-letter topic (so producers hear of it), once, with the reason.
    const refused = await pollUntil(async () => {
      const found = deadLetters.messages.filter((dead) => dead.value.includes('not a number') && dead.value.includes(customer));
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(refused.headers[DEAD_LETTER_REASON_HEADER]).toMatch(/^validation_failed: events\[3\]\.value: /);
    expect(refused.headers[REJECTION_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);

    // A backfilled key wins against a later streamed event too.
    const backfilledKey = usageEvent(customer, sum, { value: '13', timestamp: '2026-03-17T10:30:00Z' });
    expect((await aggregation.api('POST', BACKFILL_PATH, { events: [backfilledKey] })).status).toBe(207);
    await publish({ ...backfilledKey, value: '999' });

    const hour = ['2026-03-17T10:00:00Z', '2026-03-17T11:00:00Z'] as const;
    expect(await computeThenSummary(api, period(customer, sum, hour))).toEqual({ compute: '25', summary: '25' });
    expect(await computeThenSummary(api, period(customer, sum, ['2025-01-01T00:00:00Z', '2026-04-01T00:00:00Z']))).toEqual({ compute: '36', summary: '36' });
    expect(await computeThenSummary(api, period(customer, sum, ['2025-01-31T23:00:00Z', '2025-02-01T00:00:00Z']))).toEqual({ compute: '11', summary: '11' });
    expect(await computeThenSummary(api, period(customer, latest, hour))).toEqual({ compute: '3', summary: '3' });
  });

  it('reads whole UTC days from daily rollups that always equal their hours: summary and billable equal compute over days, hours and partial hours', async () => {
    const customer = catalog.createCustomer();
    const subscription = catalog.createSubscription(customer);
    // 16 events 6 h 13 min apart from 2026-03-14T22:40Z (five UTC days), every other one backfilled
    // (the buckets rebuilt from the events), some of them under a subscription.
    const times = Array.from({ length: 16 }, (_, i) => new Date(Date.parse('2026-03-14T22:40:00Z') + i * 22_380_000).toISOString());
    const periods = [
      MARCH,
      ['2026-03-15T00:00:00Z', '2026-03-17T00:00:00Z'], // whole days only
      ['2026-03-14T22:50:00Z', '2026-03-17T05:15:00Z'], // partial hour, hours, whole days, hours, partial hour
      ['2026-03-15T03:00:00Z', '2026-03-16T02:00:00Z'], // 23 hours: no whole day
    ] as const;
    for (const [type, valueType] of [
      ['sum', 'decimal'],
      ['count', 'integer'],
      ['max', 'decimal'],
      ['min', 'decimal'],
    ] as const) {
      const metric = catalog.createMetric(type, valueType);
      const events = times.map((timestamp, i) =>
        usageEvent(customer, metric, {
          timestamp,
          value: type === 'count' ? undefined : `${((i * 37) % 23) - 7}.25`,
          ...(i % 3 === 0 ? { subscription_id: subscription } : {}),
        }),
      );
      await publish(...events.filter((_, i) => i % 2 === 0));
      const backfill = await aggregation.api('POST', BACKFILL_PATH, { events: events.filter((_, i) => i % 2 === 1) });
      expect(backfill.body.results.map((result: { status: number }) => result.status)).toEqual(Array(8).fill(202));
      for (const [start, end] of periods) {
        for (const scoped of [period(customer, metric, [start, end]), period(customer, metric, [start, end], subscription)]) {
          const { compute, summary } = await computeThenSummary(api, scoped);
          expect({ type, start, end, summary, billable: await billableUsage(api, scoped) }).toEqual({ type, start, end, summary: compute, billable: compute });
        }
      }
      if (type === 'sum')
        expect(await computeUsage(api, period(customer, metric, MARCH))).toBe(String(events.reduce((total, e) => total + Number(e.value), 0)));
    }

    const sql = new Client({ connectionString: aggregation.databaseUrl });
    await sql.connect();
    try {
      // Compared as numbers: the database's merge keeps the scale of its operands (-7.50 = -7.5).
      const days: Array<{ metric_key: string; daily: string; hourly: string; same: boolean }> = (
        await sql.query(
          `SELECT metric_key, daily::text, hourly::text, daily = hourly AS same FROM (
             SELECT d.metric_key, (d.state ->> (d.state ->> 'type'))::numeric AS daily,
                    (SELECT CASE d.state ->> 'type' WHEN 'max' THEN max(n) WHEN 'min' THEN min(n) ELSE sum(n) END
                     FROM (SELECT (h.state ->> (h.state ->> 'type'))::numeric AS n FROM aggregation.usage_hourly h
                           WHERE h.customer_id = d.customer_id AND h.metric_key = d.metric_key AND h.subscription_key = d.subscription_key
                             AND h.dimension_key = d.dimension_key AND h.hour >= d.day AND h.hour < d.day + interval '1 day') hours) AS hourly
             FROM aggregation.usage_daily d WHERE d.customer_id = $1) rollups`,
          [customer],
        )
      ).rows;
      // One rollup per metric, UTC day and subscription key holding events.
      const keys = new Set(times.map((timestamp, i) => `${timestamp.slice(0, 10)} ${i % 3 === 0}`));
      expect(days).toHaveLength(4 * keys.size);
      expect(days.filter((day) => !day.same)).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it('refuses a backfill of more than 5,000 events with 413, storing none of them', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('count');
    const response = await aggregation.api('POST', BACKFILL_PATH, {
      events: Array.from({ length: 5001 }, () => usageEvent(customer, metric, { value: undefined })),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'too_many_events', errors: [{ field: 'events', message: 'must hold 1 to 5000 events' }] });
    expect(await computeUsage(api, period(customer, metric, MARCH))).toBe('0');
  });

  it('answers compute with every event the bus acknowledged before it, without waiting in the test', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('count');
    await Promise.all(Array.from({ length: 6 }, () => publish(...Array.from({ length: 500 }, () => usageEvent(customer, metric, { value: undefined })))));
    await Promise.all(Array.from({ length: 20 }, () => publish(usageEvent(customer, metric))));
    expect(await computeUsage(api, period(customer, metric, MARCH))).toBe('3020');
  });

  it('counts every valid message of the topic, and dead-letters invalid ones with the reason without stalling', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum');
    const message = (overrides: Record<string, unknown> = {}) => JSON.stringify(usageEvent(customer, metric, overrides));
    const duplicateKey = uniqueId('evt');
    await aggregation.bus.publish(
      [
        message({ value: 1 }),
        '{"customer_id": "not json',
        message({ value: 2, surprise: true }),
        message({ value: 4, customer_id: 'cust_nobody' }),
        message({ value: '8', idempotency_key: duplicateKey }),
        message({ value: '8000', idempotency_key: duplicateKey }),
        message({ value: '16' }),
        // A JSON number a double cannot hold: read exactly, so accepted as this integer.
        message({ value: 'BIG' }).replace('"BIG"', '12345678901234567890'),
      ].map((value) => ({ topic: TOPICS.usageEvents, key: customer, value })),
    );
    await publish(usageEvent(customer, metric, { value: '32' }));
    await publish(usageEvent(customer, metric, { value: '64', idempotency_key: duplicateKey }));

    expect(await computeThenSummary(api, period(customer, metric, MARCH))).toEqual({
      compute: '12345678901234567947',
      summary: '12345678901234567947',
    });
    const mine = await pollUntil(async () => {
      const found = deadLetters.messages.filter((dead) => dead.value.includes(metric) || dead.value.includes('not json'));
      expect(found).toHaveLength(3);
      return found;
    });
    expect(mine.map((dead) => dead.headers[DEAD_LETTER_REASON_HEADER]).sort()).toEqual([
      expect.stringMatching(/^malformed_json/),
      expect.stringMatching(/^validation_failed: customer_id: no customer "cust_nobody" exists/),
      expect.stringMatching(/^validation_failed: surprise: is not a known field/),
    ]);
    expect(mine.map((dead) => dead.headers['abaxus-source-topic'])).toEqual([TOPICS.usageEvents, TOPICS.usageEvents, TOPICS.usageEvents]);
  });

  it("answers the embedded engine's in-process summary reads (no HTTP stack) exactly as over HTTP: status, content type and body", async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum');
    await publish(usageEvent(customer, metric, { value: '5', timestamp: '2026-03-01T10:15:00Z' }), usageEvent(customer, metric, { value: '7' }));
    const month = `customer_id=${customer}&metric_key=${metric}&period_start=2026-03-01T00:00:00Z&period_end=2026-04-01T00:00:00Z`;
    await pollUntil(async () => expect((await aggregation.api('GET', `/v1/usage/summary?${month}`)).body.value).toBe('12'));
    const queries = [
      month,
      `${month}&subscription_id=nope`,
      `${month}&group_by=region&filter%5Bmodel%5D=gpt`,
      `${month}&customer_id=${customer}`,
      `customer_id=${customer}&metric_key=${metric}&period_start=2026-03-02T00:00:00Z&period_end=2026-03-01T00:00:00Z`,
      `customer_id=${customer}&metric_key=unknown_metric&period_start=2026-03-01T00:00:00Z&period_end=2026-04-01T00:00:00Z`,
      `${month}&extra=1`,
      '',
    ];
    for (const query of queries) {
      const path = `/v1/usage/summary${query ? `?${query}` : ''}`;
      const overHttp = await fetch(`${aggregation.url}${path}`);
      const inProcess = await aggregation.callInProcess('GET', path);
      expect({ query, status: inProcess.status, type: inProcess.headers['content-type'], answer: JSON.parse(inProcess.body.toString('utf8')) }).toEqual({
        query,
        status: overHttp.status,
        type: overHttp.headers.get('content-type'),
        answer: await overHttp.json(),
      });
    }
  });

  it('names the missing fields when the summary query string is lost, as a pasted multi-line curl does', async () => {
    const response = await aggregation.api('GET', '/v1/usage/summary');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['customer_id', 'metric_key', 'period_start', 'period_end']);
  });

  it('refuses invalid usage queries with field paths, and unknown metrics or customers with 404', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum');
    const bad = await aggregation.api('POST', '/v1/usage/compute', {
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
    const reversed = await aggregation.api(
      'GET',
      `/v1/usage/summary?customer_id=${customer}&metric_key=${metric}&period_start=2026-03-02T00:00:00Z&period_end=2026-03-01T00:00:00Z`,
    );
    expect(reversed.body.errors).toEqual([{ field: 'period_end', message: 'must be after period_start' }]);
    const histogramWithoutGranularity = await aggregation.api(
      'GET',
      `/v1/usage/histogram?customer_id=${customer}&metric_key=${metric}&period_start=2026-03-01T00:00:00Z&period_end=2026-03-02T00:00:00Z`,
    );
    expect(histogramWithoutGranularity.body.errors).toEqual([{ field: 'granularity', message: 'is required' }]);
    const summaryStatus = async (query: UsagePeriod) =>
      (await aggregation.api('GET', `/v1/usage/summary?${new URLSearchParams(query as unknown as Record<string, string>)}`)).status;
    expect([
      await summaryStatus(period(customer, 'no_such_metric', PERIODS.aligned)),
      await summaryStatus(period('cust_nobody', metric, PERIODS.aligned)),
    ]).toEqual([404, 404]);
  });
});
