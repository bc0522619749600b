import Big from 'big.js';
import type { CatalogClient, PlanVersion } from '@abaxus/catalog-client/catalog.client';
import type { ChargeRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { parsePricePlanCharges } from '@abaxus/domain/pricing/price-plan-validation';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import type { UsageSelection } from '@abaxus/domain/aggregation/usage-selection';
import type { GroupUsage, UsageRead } from '@abaxus/domain/pricing/plan-calculation';
import type { UsageClient, UsageScope } from '../usage/usage.client';
import type { CalculationsRepository } from './calculations.repository';
import { CalculationsService } from './calculations.service';

/*
 * Unit spec: the service with small in-memory fakes of what it calls (the catalog and usage HTTP
 * clients, the repository). Each fake keeps the signature of the real one (`implements Pick<…>`)
 * and answers only for what it holds, with the catalog's 404 otherwise, so asking for the wrong
 * subscription, plan version or metric fails here as it would against the real services. The
 * pricing itself is the real libs/domain code; plans are given in the catalog's wire JSON and
 * read by the real parser. The real HTTP, database and bytes are covered by
 * calculations.integration.spec.ts.
 */

const STRIPE_TIERS = [
  { up_to: '5', unit_amount: '7', flat_amount: '0' },
  { up_to: '10', unit_amount: '6.5', flat_amount: '0' },
  { up_to: null, unit_amount: '6', flat_amount: '0' },
];

function planVersion(id: string, version: number, currency: string, charges: ChargeRecord[]): PlanVersion {
  const parsed = parsePricePlanCharges(charges);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { id, version, currency, charges: parsed.charges };
}

class FakeCatalog implements Pick<CatalogClient, 'subscription' | 'planVersion'> {
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly plans = new Map<string, PlanVersion>();

  async subscription(id: string): Promise<SubscriptionRecord> {
    const found = this.subscriptions.get(id);
    if (!found) throw ProblemException.notFound('Subscription', id);
    return found;
  }

  async planVersion(planId: string, version: number): Promise<PlanVersion> {
    const found = this.plans.get(`${planId} v${version}`);
    if (!found) throw new ProblemException(404, 'not_found', `Price plan "${planId}" has no version "${version}".`);
    return found;
  }

  addPlan(plan: PlanVersion): void {
    this.plans.set(`${plan.id} v${plan.version}`, plan);
  }
}

/** What the fake was asked: each read with its scope, as the batch sends it. */
interface AskedUsage extends Omit<UsageScope, 'weightPeriod'> {
  metricKey: string;
  selection: UsageSelection;
}

class FakeUsage implements Pick<UsageClient, 'exactUsage'> {
  readonly queries: AskedUsage[] = [];
  calls = 0;
  constructor(private readonly quantities: Record<string, string>) {}

  async exactUsage(scope: UsageScope, reads: readonly UsageRead[]): Promise<GroupUsage[][]> {
    this.calls += 1;
    return reads.map(({ metricKey, selection }) => {
      this.queries.push({ ...scope, metricKey, selection });
      const quantity = this.quantities[metricKey];
      if (quantity === undefined) throw new ProblemException(404, 'not_found', `Metric "${metricKey}" was not found.`);
      return [{ group: {}, quantity: new Big(quantity) }];
    });
  }
}

class FakeCalculations implements Pick<CalculationsRepository, 'insert' | 'findBody'> {
  readonly bodies = new Map<string, string>();

  async insert(calculation: CalculationJson, body: string): Promise<void> {
    if (this.bodies.has(calculation.calculation_id)) throw new Error(`duplicate calculation id ${calculation.calculation_id}`);
    this.bodies.set(calculation.calculation_id, body);
  }

  async findBody(id: string): Promise<string | undefined> {
    return this.bodies.get(id);
  }
}

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

interface HarnessOptions {
  subscription?: SubscriptionRecord;
  charges?: ChargeRecord[];
  currency?: string;
  usage?: Record<string, string>;
}

function harness(options: HarnessOptions = {}) {
  const catalog = new FakeCatalog();
  const sub = options.subscription ?? subscription();
  catalog.subscriptions.set(sub.id, sub);
  const charges: ChargeRecord[] = options.charges ?? [
    { metric_key: 'api_calls', model: 'tiered', properties: { tiers: STRIPE_TIERS } },
    { model: 'flat_fee', properties: { amount: '10' } },
  ];
  catalog.addPlan(planVersion(sub.plan_id, sub.plan_version, options.currency ?? 'USD', charges));
  const usage = new FakeUsage(options.usage ?? { api_calls: '20' });
  const calculations = new FakeCalculations();
  const service = new CalculationsService(
    catalog as unknown as CatalogClient,
    usage as unknown as UsageClient,
    calculations as unknown as CalculationsRepository,
  );
  return { service, catalog, usage, calculations };
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

async function calculate(service: CalculationsService, overrides: Record<string, string> = {}): Promise<CalculationJson> {
  return JSON.parse((await service.calculate(request(overrides))).body) as CalculationJson;
}

describe('CalculationsService', () => {
  it('prices the pinned plan with the exact usage, stores the answer and reads back the same text', async () => {
    const { service, usage, calculations } = harness();
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
    expect(usage.queries).toEqual([
      {
        customerId: 'cust_acme',
        subscriptionId: 'sub_1',
        metricKey: 'api_calls',
        start: new Date('2026-03-01T00:00:00Z'),
        end: new Date('2026-04-01T00:00:00Z'),
        selection: { filters: {}, exclude: [], groupBy: [] },
      },
    ]);
    expect(calculations.bodies.get(json.calculation_id)).toBe(result.body);
    expect((await service.find(json.calculation_id)).body).toBe(result.body);
  });

  it('prices the version the subscription is pinned to, not a newer one', async () => {
    const { service, catalog } = harness();
    catalog.addPlan(planVersion('plan_growth', 3, 'USD', [{ model: 'flat_fee', properties: { amount: '999' } }]));
    const json = await calculate(service);
    expect(json.plan_version).toBe(2);
    expect(json.total_amount).toBe('137.50');
  });

  it('asks for the usage of every metered charge in one call, and lists a tier breakdown only for tiered and volume', async () => {
    const { service, usage } = harness({
      charges: [
        { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.5' } },
        { metric_key: 'storage', model: 'volume', properties: { tiers: STRIPE_TIERS } },
        { metric_key: 'seats', model: 'package', properties: { package_size: '10', package_amount: '25', free_units: '0' } },
        { model: 'flat_fee', properties: { amount: '5' } },
      ],
      usage: { api_calls: '3', storage: '6', seats: '11' },
    });
    const json = await calculate(service);
    expect(usage.queries.map((query) => query.metricKey)).toEqual(['api_calls', 'storage', 'seats']);
    expect(usage.calls).toBe(1);
    expect(json.line_items.map((item) => [item.model, item.amount, 'tiers' in item])).toEqual([
      ['per_unit', '1.50', false],
      ['volume', '39.00', true],
      ['package', '50.00', false],
      ['flat_fee', '5.00', false],
    ]);
    expect(json.total_amount).toBe('95.50');
  });

  it('shows a negative usage as measured and prices it as zero units', async () => {
    const { service } = harness({ charges: [{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '2' } }], usage: { api_calls: '-4.5' } });
    const json = await calculate(service);
    expect(json.line_items[0]).toMatchObject({ quantity: '-4.5', amount: '0.00' });
  });

  it('clips the usage period to the subscription start and its cancellation', async () => {
    const { service, usage } = harness({
      subscription: subscription({ start_date: '2026-03-10T00:00:00Z', canceled_at: '2026-03-20T00:00:00Z' }),
    });
    const json = await calculate(service);
    expect(usage.queries[0]).toMatchObject({ start: new Date('2026-03-10T00:00:00Z'), end: new Date('2026-03-20T00:00:00Z') });
    expect(json.usage_period).toEqual({ start: '2026-03-10T00:00:00.000Z', end: '2026-03-20T00:00:00.000Z' });
    expect([json.period_start, json.period_end]).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
  });

  it('bills nothing, without asking for usage, when the subscription was cancelled before the period', async () => {
    const { service, usage } = harness({ subscription: subscription({ canceled_at: '2026-02-01T00:00:00Z' }) });
    const json = await calculate(service);
    expect(usage.calls).toBe(0);
    expect(json.total_amount).toBe('0.00');
    expect(json.line_items.map((item) => item.amount)).toEqual(['0.00', '0.00']);
  });

  it('refuses a period entirely before the subscription start with 422, storing nothing', async () => {
    const { service, calculations } = harness({ subscription: subscription({ start_date: '2026-05-01T00:00:00Z' }) });
    expect(await refusal(service.calculate(request()))).toMatchObject({ status: 422, code: 'period_before_subscription_start' });
    expect(calculations.bodies.size).toBe(0);
  });

  it('refuses an empty period with 400 on period_end', async () => {
    const { service } = harness();
    expect(await refusal(service.calculate(request({ period_end: '2026-03-01T00:00:00Z' })))).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('refuses a subscription of another customer with 422', async () => {
    const { service } = harness();
    expect(await refusal(service.calculate(request({ customer_id: 'cust_other' })))).toMatchObject({ status: 422, code: 'subscription_customer_mismatch' });
  });

  it("passes on the catalog's 404 for an unknown subscription, storing nothing", async () => {
    const { service, calculations } = harness();
    expect(await refusal(service.calculate(request({ subscription_id: 'sub_nope' })))).toMatchObject({ status: 404, code: 'not_found' });
    expect(calculations.bodies.size).toBe(0);
  });

  it('rounds in the plan currency: JPY to whole yen, KWD to fils', async () => {
    const perUnit = (unitAmount: string): ChargeRecord[] => [{ metric_key: 'm', model: 'per_unit', properties: { unit_amount: unitAmount } }];
    const jpy = harness({ charges: perUnit('0.5'), currency: 'JPY', usage: { m: '3' } });
    expect((await calculate(jpy.service)).total_amount).toBe('2');
    const kwd = harness({ charges: perUnit('0.0005'), currency: 'KWD', usage: { m: '2469' } });
    expect((await calculate(kwd.service)).total_amount).toBe('1.235');
  });

  it('answers 404 for an unknown calculation', async () => {
    const { service } = harness();
    expect(await refusal(service.find('calc_nope'))).toMatchObject({ status: 404, code: 'not_found' });
  });
});
