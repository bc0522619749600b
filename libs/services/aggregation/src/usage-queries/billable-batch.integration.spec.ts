import { randomBytes } from 'node:crypto';
import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { AggregationAppModule } from '../aggregation-app.module';
import { computeUsage } from '../testing/usage-queries';
import { UsageQueryRepository } from './usage-query.repository';

// Single-service tier on Kafka: aggregation alone (the catalog a stub), usage published on the
// broker as ingestion publishes it. POST /internal/v1/usage/billable-batch answers every usage
// figure of one pricing calculation in one call.
const PATH = '/internal/v1/usage/billable-batch';
const MARCH = { period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

describe('billable usage in batches (aggregation alone, Kafka, real PostgreSQL)', () => {
  let aggregation: ServiceUnderTest;
  let catalog: FakeCatalog;

  beforeAll(async () => {
    aggregation = await startServiceUnderTest((runtime) => AggregationAppModule.forRoot(runtime), { stub: ['catalog'], bus: 'kafka' });
    catalog = new FakeCatalog(aggregation.stubs.catalog!);
  });

  afterAll(() => aggregation?.stop());

  afterEach(() => jest.restoreAllMocks());

  const publish = (...events: Array<Record<string, unknown>>) =>
    aggregation.bus.publish(events.map((event) => ({ topic: TOPICS.usageEvents, key: String(event.customer_id), value: JSON.stringify(event) })));

  const event = (customer: string, metric: string, value: string | undefined, timestamp: string, more: Record<string, unknown> = {}) => ({
    customer_id: customer,
    metric_key: metric,
    ...(value === undefined ? {} : { value }),
    timestamp,
    idempotency_key: uniqueId('evt'),
    ...more,
  });

  const batch = (customer: string, subscription: string | undefined, queries: unknown) =>
    aggregation.api('POST', PATH, { customer_id: customer, ...(subscription ? { subscription_id: subscription } : {}), queries });

  it('answers each query in order as a batch of one (and compute) answers it, values where asked', async () => {
    const customer = catalog.createCustomer();
    const subscription = catalog.createSubscription(customer);
    const tokens = catalog.createMetric('sum', 'integer', ['model']);
    const payments = catalog.createMetric('sum', 'decimal');
    const seats = catalog.createMetric('weighted_sum');
    const peak = catalog.createMetric('max');
    await publish(
      event(customer, tokens, '100', '2026-03-02T10:15:00Z', { properties: { model: 'gpt-4o' } }),
      event(customer, tokens, '20', '2026-03-05T00:00:00Z', { properties: { model: 'o3' }, subscription_id: subscription }),
      event(customer, tokens, '3', '2026-03-31T23:59:59Z'),
      event(customer, tokens, '4000', '2026-04-01T00:00:00Z', { properties: { model: 'o3' } }), // after the period
      event(customer, payments, '100', '2026-03-10T12:00:00Z'),
      event(customer, payments, '10.01', '2026-03-11T12:30:00Z', { subscription_id: subscription }),
      event(customer, seats, '4', '2026-02-20T00:00:00Z'),
      event(customer, seats, '8', '2026-03-16T00:00:00Z'),
      event(customer, peak, '7', '2026-03-03T03:03:00Z'),
    );
    const queries = [
      { metric_key: tokens, ...MARCH },
      { metric_key: tokens, ...MARCH, filter: { model: ['gpt-4o', 'o3'] }, group_by: ['model'], values: true },
      { metric_key: payments, ...MARCH, values: true },
      { metric_key: seats, ...MARCH },
      {
        metric_key: seats,
        period_start: '2026-03-16T00:00:00Z',
        period_end: MARCH.period_end,
        weight_period_start: MARCH.period_start,
        weight_period_end: MARCH.period_end,
      },
      { metric_key: peak, period_start: '2026-03-03T03:30:00Z', period_end: '2026-03-04T00:00:00Z' },
      { metric_key: tokens, ...MARCH, exclude: [{ model: ['gpt-4o'] }] },
    ];
    const response = await batch(customer, subscription, queries);
    expect(response.status).toBe(200);
    expect(response.body.meta).toEqual({ consistency: 'strong', as_of: expect.stringMatching(/Z$/) });
    const sorted = (answer: { values?: string[] }) => ({ ...answer, ...(answer.values ? { values: [...answer.values].sort() } : {}) });
    expect(response.body.answers.map(sorted)).toEqual([
      { value: '123' },
      {
        groups: [
          { dimensions: { model: 'gpt-4o' }, value: '100', values: ['100'] },
          { dimensions: { model: 'o3' }, value: '20', values: ['20'] },
        ],
      },
      { value: '110.01', values: ['10.01', '100'] },
      // (4 × 360 h + 8 × 384 h) / 744 h; then 8 over the last 384 h, weighed over March's 744 h.
      { value: '6.064516129032' },
      { value: '4.129032258065' },
      { value: null },
      { value: '23' },
    ]);
    for (const [index, query] of queries.entries()) {
      const alone = await batch(customer, subscription, [query]);
      expect(alone.body.answers.map(sorted)).toEqual([sorted(response.body.answers[index])]);
    }
    // Ungrouped, unweighted: compute reads the same figure from the events table.
    for (const index of [0, 2, 3, 5]) {
      const { metric_key, period_start, period_end } = queries[index];
      const computed = await computeUsage(aggregation.api, { customer_id: customer, subscription_id: subscription, metric_key, period_start, period_end });
      expect(computed).toBe(response.body.answers[index].value);
    }
  });

  it('answers many subscriptions on billable-batches as billable-batch answers each, their like bucket reads in one statement, a bad batch refused alone', async () => {
    const metric = catalog.createMetric('sum', 'integer', ['region']);
    const customers = [catalog.createCustomer(), catalog.createCustomer(), catalog.createCustomer()];
    const subscriptions = customers.map((customer) => catalog.createSubscription(customer));
    await publish(
      ...customers.flatMap((customer, index) => [
        event(customer, metric, String(10 + index), '2026-03-09T09:00:00Z', { properties: { region: 'eu' }, subscription_id: subscriptions[index] }),
        event(customer, metric, '1', '2026-03-20T09:30:00Z', { properties: { region: 'us' } }),
      ]),
    );
    const queries = [
      { metric_key: metric, ...MARCH },
      { metric_key: metric, ...MARCH, group_by: ['region'] },
      { metric_key: metric, period_start: '2026-03-09T09:30:00Z', period_end: MARCH.period_end },
    ];
    const many = jest.spyOn(UsageQueryRepository.prototype, 'bucketTotalsMany');
    const response = await aggregation.api('POST', '/internal/v1/usage/billable-batches', {
      batches: [
        ...customers.map((customer, index) => ({ customer_id: customer, subscription_id: subscriptions[index], queries })),
        { customer_id: customers[0], queries: [{ metric_key: 'no_such_metric', ...MARCH }] },
      ],
    });
    expect(response.status).toBe(200);
    // One statement per distinct read (the plain and the grouped selection; the third's whole hours), for the three subscriptions.
    expect(many).toHaveBeenCalledTimes(3);
    many.mockRestore();
    for (const [index, customer] of customers.entries()) {
      const alone = await batch(customer, subscriptions[index], queries);
      expect(response.body.results[index]).toEqual({ answers: alone.body.answers, meta: { consistency: 'strong', as_of: expect.any(String) } });
    }
    expect(response.body.results[0].answers[0]).toEqual({ value: '11' });
    expect(response.body.results[3]).toEqual({ error: expect.objectContaining({ status: 404, code: 'not_found' }) });
  });

  it('reads identical queries once per batch', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum', 'integer', ['region']);
    await publish(event(customer, metric, '5', '2026-03-09T09:00:00Z', { properties: { region: 'eu' } }));
    const buckets = jest.spyOn(UsageQueryRepository.prototype, 'bucketTotals');
    const eventValues = jest.spyOn(UsageQueryRepository.prototype, 'eventValues');
    const query = { metric_key: metric, ...MARCH, filter: { region: ['eu'] } };
    const response = await batch(customer, undefined, [query, { ...query, values: true }, { ...query, values: true }, { ...query, group_by: 'region' }]);
    expect(response.status).toBe(200);
    expect(response.body.answers).toEqual([
      { value: '5' },
      { value: '5', values: ['5'] },
      { value: '5', values: ['5'] },
      { groups: [{ dimensions: { region: 'eu' }, value: '5' }] },
    ]);
    // The plain selection once, the grouped one once; the event values once.
    expect(buckets).toHaveBeenCalledTimes(2);
    expect(eventValues).toHaveBeenCalledTimes(1);
  });

  it('answers with every event the bus acknowledged before the call, without waiting in the test', async () => {
    const customer = catalog.createCustomer();
    const [calls, bytes] = [catalog.createMetric('count'), catalog.createMetric('sum')];
    await Promise.all(
      Array.from({ length: 4 }, () =>
        publish(...Array.from({ length: 250 }, (_, i) => event(customer, i % 2 === 0 ? calls : bytes, '2', '2026-03-17T14:00:00Z'))),
      ),
    );
    const response = await batch(customer, undefined, [
      { metric_key: calls, ...MARCH },
      { metric_key: bytes, ...MARCH, values: true },
    ]);
    expect(response.status).toBe(200);
    expect(response.body.answers[0]).toEqual({ value: '500' });
    expect(response.body.answers[1].value).toBe('1000');
    expect(response.body.answers[1].values).toHaveLength(500);
  });

  it('refuses bad queries with 400 naming each field under its index, and unknown metrics or customers with 404', async () => {
    const customer = catalog.createCustomer();
    const other = catalog.createCustomer();
    const subscription = catalog.createSubscription(other);
    const metric = catalog.createMetric('sum', 'integer', ['region']);
    const good = { metric_key: metric, ...MARCH };
    const bad = await batch(customer, undefined, [
      { ...good, customer_id: customer },
      good,
      { ...MARCH },
      { ...good, period_end: '2026-02-01T00:00:00Z' },
      'api_calls',
      { ...good, values: 'yes', group_by: ['region', 'region'] },
      { ...good, weight_period_start: '2026-03-02T00:00:00Z', weight_period_end: MARCH.period_end },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ code: 'validation_failed' });
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual([
      'queries[0].customer_id',
      'queries[2].metric_key',
      'queries[3].period_end',
      'queries[4]',
      'queries[5].values',
      'queries[5].group_by',
      'queries[6].weight_period_start',
    ]);

    const envelope = await aggregation.api('POST', PATH, { subscription_id: 'x'.repeat(256), queries: {}, extra: true });
    expect(envelope.body.errors.map((error: { field: string }) => error.field)).toEqual(['extra', 'customer_id', 'subscription_id', 'queries']);

    const dimensions = await batch(customer, undefined, [good, { ...good, filter: { zone: ['a'] } }, { ...good, group_by: ['region', 'zone'] }]);
    expect(dimensions.status).toBe(400);
    expect(dimensions.body.errors.map((error: { field: string }) => error.field)).toEqual(['queries[1].filter[zone]', 'queries[2].group_by[1]']);

    const notTheirs = await batch(customer, subscription, [good]);
    expect([notTheirs.status, notTheirs.body.errors?.[0]?.field]).toEqual([400, 'subscription_id']);
    expect((await batch(customer, undefined, [good, { ...good, metric_key: 'no_such_metric' }])).status).toBe(404);
    expect((await batch('cust_nobody', undefined, [good])).status).toBe(404);
  });

  it('takes 1 to 200 queries', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('count');
    await publish(event(customer, metric, undefined, '2026-03-17T14:00:00Z'));
    const query = { metric_key: metric, ...MARCH };
    const most = await batch(
      customer,
      undefined,
      Array.from({ length: 200 }, () => query),
    );
    expect(most.status).toBe(200);
    expect(most.body.answers).toHaveLength(200);
    expect(new Set(most.body.answers.map((answer: { value: string }) => answer.value))).toEqual(new Set(['1']));
    for (const queries of [Array.from({ length: 201 }, () => query), []]) {
      const refused = await batch(customer, undefined, queries);
      expect([refused.status, refused.body.errors]).toEqual([400, [{ field: 'queries', message: 'must be an array of 1 to 200 queries' }]]);
    }
  });
});
