import { randomBytes } from 'node:crypto';
import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { FakeCatalog } from '@abaxus/usage-events/catalog-copy/testing/fake-catalog';
import { AggregationAppModule } from '../aggregation-app.module';

// Single-service tier: aggregation alone (embedded bus, real PostgreSQL); the catalog is a stub.
describe('late periods: which invoiced periods received events after they were priced (service alone)', () => {
  let aggregation: ServiceUnderTest;
  let catalog: FakeCatalog;

  beforeAll(async () => {
    aggregation = await startServiceUnderTest((runtime) => AggregationAppModule.forRoot(runtime), { stub: ['catalog'] });
    catalog = new FakeCatalog(aggregation.stubs.catalog!);
  });

  afterAll(() => aggregation?.stop());

  const uniqueId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;
  const publish = (...events: Array<Record<string, unknown>>) =>
    aggregation.bus.publish(events.map((event) => ({ topic: TOPICS.usageEvents, key: String(event.customer_id), value: JSON.stringify(event) })));
  const late = (customer: string, subscription: string, periods: Array<[string, string, string]>) =>
    aggregation.api('POST', '/internal/v1/usage/late-periods', {
      customer_id: customer,
      subscription_id: subscription,
      periods: periods.map(([period_start, period_end, checked_at]) => ({ period_start, period_end, checked_at })),
    });

  it('names the periods holding an event of the subscription (or of the customer without one) stored after checked_at, strongly; a duplicate is not stored again', async () => {
    const customer = catalog.createCustomer();
    const metric = catalog.createMetric('sum', 'integer');
    const subscription = catalog.createSubscription(customer);
    const other = catalog.createSubscription(customer);
    const january: [string, string] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];
    const february: [string, string] = ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'];
    const march: [string, string] = ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'];
    const event = (timestamp: string, overrides: Record<string, unknown> = {}) => ({
      customer_id: customer,
      metric_key: metric,
      subscription_id: subscription,
      value: '1',
      timestamp,
      idempotency_key: uniqueId('evt'),
      ...overrides,
    });
    const billed = event('2026-01-10T00:00:00Z');
    await publish(billed, event('2026-02-10T00:00:00Z'));
    // The answer waits for the pipeline (strong), as pricing's reads do: once it answered, both events are stored.
    expect((await late(customer, subscription, [[...january, '2025-01-01T00:00:00Z']])).body).toEqual({ late: [0] });
    const pricedAt = new Date().toISOString();
    const before = await late(customer, subscription, [
      [...january, '2025-01-01T00:00:00Z'],
      [...february, pricedAt],
      [...march, '2025-01-01T00:00:00Z'],
    ]);
    expect([before.status, before.body]).toEqual([200, { late: [0] }]);

    // Late: one for February on the subscription, one for March on another subscription (not this one's), a duplicate for January.
    await publish(event('2026-02-20T00:00:00Z'), event('2026-03-05T00:00:00Z', { subscription_id: other }), { ...billed });
    const after = await late(customer, subscription, [
      [...january, pricedAt],
      [...february, pricedAt],
      [...march, pricedAt],
    ]);
    expect(after.body).toEqual({ late: [1] });
    // An event of the customer with no subscription counts for every subscription of it.
    await publish(event('2026-03-06T00:00:00Z', { subscription_id: undefined }));
    expect((await late(customer, subscription, [[...march, pricedAt]])).body).toEqual({ late: [0] });

    // The batch route answers each subscription as the single route does, in order; a malformed query is refused on its own.
    const query = (sub: string, periods: Array<[string, string, string]>) => ({
      customer_id: customer,
      subscription_id: sub,
      periods: periods.map(([period_start, period_end, checked_at]) => ({ period_start, period_end, checked_at })),
    });
    const batch = await aggregation.api('POST', '/internal/v1/usage/late-periods-batch', {
      queries: [
        query(subscription, [
          [...january, pricedAt],
          [...february, pricedAt],
        ]),
        query(other, [
          [...february, pricedAt],
          [...march, pricedAt],
        ]),
        { ...query(other, []), periods: [{ period_start: 'soon' }] },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results).toEqual([{ late: [1] }, { late: [1] }, { error: expect.objectContaining({ status: 400, code: 'validation_failed' }) }]);
  });

  it('refuses a malformed query with 400 naming the field', async () => {
    const refused = await aggregation.api('POST', '/internal/v1/usage/late-periods', {
      customer_id: 'cust_x',
      subscription_id: 'sub_x',
      periods: [{ period_start: '2026-01-01T00:00:00Z', period_end: 'soon', checked_at: '2026-01-01T00:00:00Z' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((error: { field: string }) => error.field)).toEqual(['periods[0].period_end']);
  });
});
