import Big from 'big.js';
import type { PricePlanVersionRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { DimensionFilter, DimensionValues, groupOf, groupToJson, isSelected, UsageSelection } from '@abaxus/domain/aggregation/usage-selection';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { PricingAppModule } from '../pricing-app.module';

/*
 * Single-service tier: pricing alone on a real PostgreSQL database; the catalog and the
 * aggregation service stubbed over real HTTP. The aggregation stub answers billable usage from a
 * list of events with the domain's own selection rules, as the aggregation service does.
 */
const EVENTS: Array<{ properties: DimensionValues; value: string }> = [
  { properties: { model: 'gpt-4o', region: 'eu' }, value: '1000' },
  { properties: { model: 'gpt-4o', region: 'us' }, value: '2000' },
  { properties: { model: 'gpt-4o' }, value: '500' },
  { properties: { model: 'gpt-4.1', region: 'eu' }, value: '300' },
  { properties: { model: 'o3', region: 'us' }, value: '700' },
  { properties: { model: 'claude', region: 'eu' }, value: '50' },
  { properties: {}, value: '25' },
];

/** What POST /internal/v1/usage/billable-batch answers for one query (sum metric). */
function billable(body: { filter?: DimensionFilter; exclude?: DimensionFilter[]; group_by?: string[] }) {
  const selection: UsageSelection = { filters: body.filter ?? {}, exclude: body.exclude ?? [], groupBy: body.group_by ?? [] };
  const sums = new Map<string, { group: Array<string | null>; sum: Big }>();
  for (const event of EVENTS.filter((e) => isSelected(selection, e.properties))) {
    const group = groupOf(selection.groupBy, event.properties);
    const entry = sums.get(JSON.stringify(group)) ?? { group, sum: new Big(0) };
    sums.set(JSON.stringify(group), { group, sum: entry.sum.plus(event.value) });
  }
  if (selection.groupBy.length === 0) return { value: [...sums.values()][0]?.sum.toFixed() ?? '0' };
  const sorted = [...sums.values()].sort((a, b) =>
    a.group[0] === b.group[0] ? 0 : a.group[0] === null ? 1 : b.group[0] === null ? -1 : a.group[0] < b.group[0] ? -1 : 1,
  );
  return { groups: sorted.map(({ group, sum }) => ({ dimensions: groupToJson(selection.groupBy, group), value: sum.toFixed() })) };
}

describe('pricing by dimension (service alone, real PostgreSQL, catalog and aggregation stubbed)', () => {
  let pricing: ServiceUnderTest;

  const subscription = (id: string, planId: string): SubscriptionRecord => ({
    id,
    customer_id: 'cust_ai',
    plan_id: planId,
    plan_version: 1,
    start_date: '2026-03-01T00:00:00.000Z',
    canceled_at: null,
    created_at: '2026-03-01T00:00:00.000Z',
  });
  const matrix = [
    { metric_key: 'tokens', model: 'per_unit' as const, filters: { model: ['gpt-4o'] }, group_by: ['region'], properties: { unit_amount: '0.01' } },
    { metric_key: 'tokens', model: 'per_unit' as const, filters: { model: ['gpt-4.1', 'o3'] }, properties: { unit_amount: '0.001' } },
  ];
  const plan = (id: string, charges: PricePlanVersionRecord['charges']): PricePlanVersionRecord => ({
    id,
    version: 1,
    name: id,
    currency: 'USD',
    charges,
    created_at: '2026-01-01T00:00:00.000Z',
  });

  beforeAll(async () => {
    pricing = await startServiceUnderTest((runtime) => PricingAppModule.forRoot(runtime), { stub: ['catalog', 'aggregation'] });
    pricing.stubs
      .catalog!.on('GET /v1/subscriptions/sub_rest', { status: 200, body: subscription('sub_rest', 'plan_rest') })
      .on('GET /v1/subscriptions/sub_matrix', { status: 200, body: subscription('sub_matrix', 'plan_matrix') })
      .on('GET /v1/price-plans/plan_rest/versions/1', {
        status: 200,
        body: plan('plan_rest', [...matrix, { metric_key: 'tokens', model: 'per_unit', properties: { unit_amount: '0.1' } }]),
      })
      .on('GET /v1/price-plans/plan_matrix/versions/1', { status: 200, body: plan('plan_matrix', matrix) });
    pricing.stubs.aggregation!.on('POST /internal/v1/usage/billable-batch', (request) => ({
      status: 200,
      body: { answers: request.body.queries.map(billable), meta: { consistency: 'strong', as_of: '2026-04-01T00:00:05.000Z' } },
    }));
  });
  afterAll(() => pricing?.stop());

  const calculate = (subscriptionId: string) =>
    pricing.api('POST', '/v1/pricing/calculate', {
      customer_id: 'cust_ai',
      subscription_id: subscriptionId,
      period_start: '2026-03-01T00:00:00Z',
      period_end: '2026-04-01T00:00:00Z',
    });

  it('prices a matrix: one line per region of the gpt-4o cell, one for the gpt-4.1/o3 cell, the rest by the charge without filters', async () => {
    const created = await calculate('sub_rest');
    expect(created.status).toBe(201);
    expect(created.body.line_items).toEqual([
      { metric_key: 'tokens', model: 'per_unit', filters: { model: ['gpt-4o'] }, group: { region: 'eu' }, quantity: '1000', amount: '10.00' },
      { metric_key: 'tokens', model: 'per_unit', filters: { model: ['gpt-4o'] }, group: { region: 'us' }, quantity: '2000', amount: '20.00' },
      { metric_key: 'tokens', model: 'per_unit', filters: { model: ['gpt-4o'] }, group: { region: null }, quantity: '500', amount: '5.00' },
      { metric_key: 'tokens', model: 'per_unit', filters: { model: ['gpt-4.1', 'o3'] }, quantity: '1000', amount: '1.00' },
      { metric_key: 'tokens', model: 'per_unit', quantity: '75', amount: '7.50' },
    ]);
    expect(created.body.total_amount).toBe('43.50');
    expect(created.body).not.toHaveProperty('unpriced');
    const stored = await pricing.api('GET', `/v1/pricing/calculations/${created.body.calculation_id}`);
    expect(stored.body).toEqual(created.body);
  });

  it('lists usage that no cell prices as unpriced, by the filtered dimension, and bills only the cells', async () => {
    const batches = pricing.stubs.aggregation!.received('POST /internal/v1/usage/billable-batch').length;
    const created = await calculate('sub_matrix');
    expect(created.status).toBe(201);
    // The two cells and the remainder no cell prices, in one call.
    const asked = pricing.stubs.aggregation!.received('POST /internal/v1/usage/billable-batch').slice(batches);
    expect(asked.map((request) => request.body.queries.length)).toEqual([3]);
    expect(created.body.total_amount).toBe('36.00');
    expect(created.body.unpriced).toEqual([
      { metric_key: 'tokens', dimensions: { model: 'claude' }, quantity: '50' },
      { metric_key: 'tokens', dimensions: { model: null }, quantity: '25' },
    ]);
  });
});
