import { randomBytes } from 'node:crypto';
import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { AggregationAppModule } from '../aggregation-app.module';
import { billableBatchOf } from '../testing/usage-queries';

// Single-service tier: aggregation alone, embedded bus, real PostgreSQL. Buckets are kept per
// combination of a metric's dimension values; every selection must read the same from the buckets
// (summary, billable) as from the events table (compute), on periods not aligned to hours.
const PERIOD = { period_start: '2026-03-01T10:30:00Z', period_end: '2026-03-01T14:15:00Z' };

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

describe('usage by dimension (service alone, embedded bus, real PostgreSQL)', () => {
  let aggregation: ServiceUnderTest;
  let catalog: FakeCatalog;

  beforeAll(async () => {
    aggregation = await startServiceUnderTest((runtime) => AggregationAppModule.forRoot(runtime), { stub: ['catalog'] });
    catalog = new FakeCatalog(aggregation.stubs.catalog!);
  });

  afterAll(() => aggregation?.stop());

  const publish = (...events: Array<Record<string, unknown>>) =>
    aggregation.bus.publish(events.map((event) => ({ topic: TOPICS.usageEvents, key: String(event.customer_id), value: JSON.stringify(event) })));

  const event = (customer: string, metric: string, value: string, timestamp: string, properties?: Record<string, unknown>) => ({
    customer_id: customer,
    metric_key: metric,
    value,
    timestamp,
    idempotency_key: uniqueId('evt'),
    ...(properties ? { properties } : {}),
  });

  /** compute (strong), then summary and billable: the three must agree on every selection. */
  async function figures(customer: string, metric: string, selection: { filter?: Record<string, string[]>; group_by?: string }) {
    const body = { customer_id: customer, metric_key: metric, ...PERIOD, ...selection };
    const compute = await aggregation.api('POST', '/v1/usage/compute', body);
    expect(compute.status).toBe(200);
    const query = new URLSearchParams({ customer_id: customer, metric_key: metric, ...PERIOD });
    for (const [property, values] of Object.entries(selection.filter ?? {})) for (const value of values) query.append(`filter[${property}]`, value);
    if (selection.group_by) query.append('group_by', selection.group_by);
    const summary = await aggregation.api('GET', `/v1/usage/summary?${query.toString()}`);
    expect(summary.status).toBe(200);
    const billable = await aggregation.api('POST', '/internal/v1/usage/billable-batch', billableBatchOf(body));
    expect(billable.status).toBe(200);
    const strip = (answer: { value?: unknown; groups?: unknown }) => ('groups' in answer ? { groups: answer.groups } : { value: answer.value });
    expect(strip(summary.body)).toEqual(strip(compute.body));
    expect(strip(billable.body.answers[0])).toEqual(strip(compute.body));
    return strip(compute.body);
  }

  it('filters (OR within a property, AND across) and groups, from buckets and events alike, streamed and backfilled', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum', 'integer', ['model', 'region']);
    await publish(
      event(customer, metric, '100', '2026-03-01T10:00:00Z', { model: 'gpt-4o', region: 'eu' }), // before the period
      event(customer, metric, '1', '2026-03-01T10:45:00Z', { model: 'gpt-4o', region: 'eu' }), // partial first hour
      event(customer, metric, '2', '2026-03-01T11:10:00Z', { model: 'gpt-4o', region: 'us' }),
      event(customer, metric, '4', '2026-03-01T12:00:00Z', { model: 'gpt-4.1', region: 'eu', other: 'x' }),
      event(customer, metric, '8', '2026-03-01T12:30:00Z', { model: 'o3' }), // no region: the null group
      event(customer, metric, '16', '2026-03-01T13:59:59Z', { model: 'gpt-4o', region: 7 }), // not a string: no region
      event(customer, metric, '32', '2026-03-01T14:10:00Z', { model: 'o3', region: 'us' }), // partial last hour
      event(customer, metric, '64', '2026-03-01T14:20:00Z', { model: 'o3', region: 'us' }), // after the period
    );
    const backfill = await aggregation.api('POST', '/internal/v1/events/backfill', {
      events: [
        event(customer, metric, '128', '2026-03-01T12:05:00Z', { model: 'gpt-4.1', region: 'us' }),
        event(customer, metric, '256', '2026-03-01T11:00:00Z'),
      ],
    });
    expect(backfill.status).toBe(207);

    expect(await figures(customer, metric, {})).toEqual({ value: '447' });
    expect(await figures(customer, metric, { filter: { model: ['gpt-4o'] } })).toEqual({ value: '19' });
    expect(await figures(customer, metric, { filter: { model: ['gpt-4o', 'gpt-4.1'] } })).toEqual({ value: '151' });
    expect(await figures(customer, metric, { filter: { model: ['gpt-4o', 'o3'], region: ['us'] } })).toEqual({ value: '34' });
    expect(await figures(customer, metric, { filter: { model: ['claude'] } })).toEqual({ value: '0' });
    expect(await figures(customer, metric, { group_by: 'region' })).toEqual({
      groups: [
        { dimensions: { region: 'eu' }, value: '5' },
        { dimensions: { region: 'us' }, value: '162' },
        { dimensions: { region: null }, value: '280' },
      ],
    });
    expect(await figures(customer, metric, { filter: { model: ['o3', 'gpt-4.1'] }, group_by: 'region' })).toEqual({
      groups: [
        { dimensions: { region: 'eu' }, value: '4' },
        { dimensions: { region: 'us' }, value: '160' },
        { dimensions: { region: null }, value: '8' },
      ],
    });

    const histogram = await aggregation.api(
      'GET',
      `/v1/usage/histogram?customer_id=${customer}&metric_key=${metric}&period_start=2026-03-01T11:00:00Z&period_end=2026-03-01T13:00:00Z&granularity=hour&group_by=region&filter[model]=gpt-4o&filter[model]=gpt-4.1`,
    );
    expect(histogram.status).toBe(200);
    expect(histogram.body.buckets).toEqual([
      {
        start: '2026-03-01T11:00:00.000Z',
        end: '2026-03-01T12:00:00.000Z',
        groups: [
          { dimensions: { region: 'eu' }, value: '0' },
          { dimensions: { region: 'us' }, value: '2' },
        ],
      },
      {
        start: '2026-03-01T12:00:00.000Z',
        end: '2026-03-01T13:00:00.000Z',
        groups: [
          { dimensions: { region: 'eu' }, value: '4' },
          { dimensions: { region: 'us' }, value: '128' },
        ],
      },
    ]);
  });

  it('keeps non-additive aggregations exact per group (max, unique_count, latest, weighted_sum)', async () => {
    const customer = catalog.createCustomer();
    const cases = [
      { type: 'max' as const, valueType: 'integer' as const },
      { type: 'unique_count' as const, valueType: 'string' as const },
      { type: 'latest' as const, valueType: 'integer' as const },
      { type: 'weighted_sum' as const, valueType: 'integer' as const },
    ];
    for (const { type, valueType } of cases) {
      const metric = catalog.createMetric(type, valueType, ['region']);
      await publish(
        event(customer, metric, '5', '2026-03-01T09:00:00Z', { region: 'eu' }),
        event(customer, metric, '3', '2026-03-01T10:40:00Z', { region: 'eu' }),
        event(customer, metric, '9', '2026-03-01T11:20:00Z', { region: 'us' }),
        event(customer, metric, '3', '2026-03-01T12:20:00Z', { region: 'us' }),
        event(customer, metric, '7', '2026-03-01T14:05:00Z'),
      );
      const grouped = await figures(customer, metric, { group_by: 'region' });
      expect(grouped.groups).toHaveLength(3);
      const filtered = await figures(customer, metric, { filter: { region: ['us'] } });
      expect(filtered.value).toEqual((grouped.groups as Array<{ value: string }>)[1].value);
    }
  });

  it('matches filter values literally, whatever characters they hold (LIKE wildcards, quotes, backslashes)', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('count', 'integer', ['model']);
    const models = ['gpt_4o%', 'gptX4oAB', 'say "hi"\\', 'say "hi"'];
    await publish(...models.map((model) => event(customer, metric, '1', '2026-03-01T11:00:00Z', { model })));
    for (const model of models) expect(await figures(customer, metric, { filter: { model: [model] } })).toEqual({ value: '1' });
  });

  it('refuses a filter or group_by on a property that is not a dimension of the metric, naming the field', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum', 'integer', ['model']);
    const plain = catalog.createMetric('sum');
    const summary = await aggregation.api(
      'GET',
      `/v1/usage/summary?customer_id=${customer}&metric_key=${metric}&period_start=2026-03-01T00:00:00Z&period_end=2026-03-02T00:00:00Z&filter[region]=eu&group_by=tier`,
    );
    expect(summary.status).toBe(400);
    expect(summary.body.errors).toEqual([
      { field: 'filter[region]', message: expect.stringContaining('not a dimension of metric') },
      { field: 'group_by', message: expect.stringContaining('its dimensions are model') },
    ]);
    const compute = await aggregation.api('POST', '/v1/usage/compute', {
      customer_id: customer,
      metric_key: plain,
      period_start: '2026-03-01T00:00:00Z',
      period_end: '2026-03-02T00:00:00Z',
      filter: { model: 'gpt-4o' },
    });
    expect(compute.status).toBe(400);
    expect(compute.body.errors).toEqual([{ field: 'filter[model]', message: expect.stringContaining('it has none') }]);
  });
});
