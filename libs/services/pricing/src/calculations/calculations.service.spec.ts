import Big from 'big.js';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { Charge } from '@abaxus/domain/pricing/models/registry';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { STRIPE_DOCS_TIERS } from '@abaxus/domain/testing/price-tiers';
import type { CatalogClient, PlanVersion } from '@abaxus/catalog-client/catalog.client';
import type { UsageClient, UsageQuery } from '../usage/usage.client';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import type { CalculationsRepository } from './calculations.repository';
import { CalculationsService } from './calculations.service';

const subscription = (overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  id: 'sub_1',
  customer_id: 'cust_acme',
  plan_id: 'plan_growth',
  plan_version: 2,
  start_date: '2026-01-01T00:00:00Z',
  canceled_at: null,
  created_at: '2026-01-01T00:00:00Z',
  ...overrides,
});

function harness(options: { subscription?: SubscriptionRecord; charges?: Charge[]; currency?: string; usage?: Record<string, string> } = {}) {
  const charges: Charge[] = options.charges ?? [
    { model: 'tiered', metricKey: 'api_calls', properties: { tiers: STRIPE_DOCS_TIERS() } },
    { model: 'flat_fee', properties: { amount: new Big('10') } },
  ];
  const plan: PlanVersion = { id: 'plan_growth', version: 2, currency: options.currency ?? 'USD', charges };
  const queries: UsageQuery[] = [];
  const stored = new Map<string, string>();
  const catalog = { subscription: async () => options.subscription ?? subscription(), planVersion: async () => plan } as unknown as CatalogClient;
  const usage = {
    exactUsage: async (query: UsageQuery) => {
      queries.push(query);
      return new Big(options.usage?.[query.metricKey] ?? '20');
    },
  } as unknown as UsageClient;
  const repository = {
    insert: async (json: CalculationJson, body: string) => void stored.set(json.calculation_id, body),
    findBody: async (id: string) => stored.get(id),
  } as unknown as CalculationsRepository;
  return { service: new CalculationsService(catalog, usage, repository), queries, stored };
}

const request = (overrides: Record<string, string> = {}) => ({
  customer_id: 'cust_acme',
  subscription_id: 'sub_1',
  period_start: '2026-03-01T00:00:00Z',
  period_end: '2026-04-01T00:00:00Z',
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; detail: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemException) return error.problem;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('CalculationsService', () => {
  it('prices the pinned plan with the exact usage, stores the answer and reads back the same text', async () => {
    const { service, queries, stored } = harness();
    const result = await service.calculate(request());
    const json = JSON.parse(result.body) as CalculationJson;
    expect(json).toMatchObject({
      calculation_id: expect.stringMatching(/^calc_[0-9a-f]{24}$/),
      plan_id: 'plan_growth',
      plan_version: 2,
      currency: 'USD',
      total_amount: '137.50',
      line_items: [
        { metric_key: 'api_calls', model: 'tiered', quantity: '20', amount: '127.50' },
        { metric_key: null, model: 'flat_fee', quantity: '1', amount: '10.00' },
      ],
    });
    expect(json.line_items[0].tiers).toEqual([
      { from: '0', up_to: '5', quantity: '5', unit_amount: '7', flat_amount: '0', amount: '35' },
      { from: '5', up_to: '10', quantity: '5', unit_amount: '6.5', flat_amount: '0', amount: '32.5' },
      { from: '10', up_to: null, quantity: '10', unit_amount: '6', flat_amount: '0', amount: '60' },
    ]);
    expect(json.line_items[1]).not.toHaveProperty('tiers');
    expect(queries).toEqual([
      {
        customerId: 'cust_acme',
        subscriptionId: 'sub_1',
        metricKey: 'api_calls',
        start: new Date('2026-03-01T00:00:00Z'),
        end: new Date('2026-04-01T00:00:00Z'),
      },
    ]);
    expect(stored.get(json.calculation_id)).toBe(result.body);
    expect((await service.find(json.calculation_id)).body).toBe(result.body);
  });

  it('clips the usage period to the subscription start and its cancellation', async () => {
    const { service, queries } = harness({
      subscription: subscription({ start_date: '2026-03-10T00:00:00Z', canceled_at: '2026-03-20T00:00:00Z' }),
    });
    const json = JSON.parse((await service.calculate(request())).body) as CalculationJson;
    expect(queries[0]).toMatchObject({ start: new Date('2026-03-10T00:00:00Z'), end: new Date('2026-03-20T00:00:00Z') });
    expect(json.usage_period).toEqual({ start: '2026-03-10T00:00:00.000Z', end: '2026-03-20T00:00:00.000Z' });
    expect([json.period_start, json.period_end]).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
  });

  it('bills nothing, without asking for usage, when the subscription was cancelled before the period', async () => {
    const { service, queries } = harness({ subscription: subscription({ canceled_at: '2026-02-01T00:00:00Z' }) });
    const json = JSON.parse((await service.calculate(request())).body) as CalculationJson;
    expect(queries).toEqual([]);
    expect(json.total_amount).toBe('0.00');
  });

  it('refuses a period entirely before the subscription start with 422', async () => {
    const { service } = harness({ subscription: subscription({ start_date: '2026-05-01T00:00:00Z' }) });
    expect(await refusal(service.calculate(request()))).toMatchObject({ status: 422, code: 'period_before_subscription_start' });
  });

  it('refuses an empty period with 400 on period_end', async () => {
    const { service } = harness();
    expect(await refusal(service.calculate(request({ period_end: '2026-03-01T00:00:00Z' })))).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('refuses a subscription of another customer with 422', async () => {
    const { service } = harness();
    expect(await refusal(service.calculate(request({ customer_id: 'cust_other' })))).toMatchObject({ status: 422, code: 'subscription_customer_mismatch' });
  });

  it('rounds in the plan currency: JPY to whole yen, KWD to fils', async () => {
    const perUnit: Charge[] = [{ model: 'per_unit', metricKey: 'm', properties: { unitAmount: new Big('0.0005') } }];
    const jpy = harness({ charges: [{ model: 'per_unit', metricKey: 'm', properties: { unitAmount: new Big('0.5') } }], currency: 'JPY', usage: { m: '3' } });
    expect(JSON.parse((await jpy.service.calculate(request())).body).total_amount).toBe('2');
    const kwd = harness({ charges: perUnit, currency: 'KWD', usage: { m: '2469' } });
    expect(JSON.parse((await kwd.service.calculate(request())).body).total_amount).toBe('1.235');
  });

  it('answers 404 for an unknown calculation', async () => {
    const { service } = harness();
    expect(await refusal(service.find('calc_nope'))).toMatchObject({ status: 404, code: 'not_found' });
  });
});
