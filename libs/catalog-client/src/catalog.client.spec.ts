import type { PricePlanVersionRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { ServiceName } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { CatalogClient, PLAN_VERSION_CACHE_SIZE } from './catalog.client';

/** The catalog's answers, by path (query included); unknown paths answer 404 like the catalog does. */
class FakeCatalogHttp extends ServiceHttpClient {
  readonly requests: string[] = [];
  readonly answers = new Map<string, () => unknown>();

  constructor() {
    super(new ServiceDirectory());
  }

  override async expectOk<T>(service: ServiceName, method: string, path: string): Promise<T> {
    this.requests.push(`${service} ${method} ${path}`);
    await Promise.resolve(); // answer later, as over HTTP
    const answer = this.answers.get(path);
    if (!answer) throw new ProblemException(404, 'not_found', `no ${path}`);
    return answer() as T;
  }
}

const planRecord = (id: string, version: number, overrides: Partial<PricePlanVersionRecord> = {}): PricePlanVersionRecord => ({
  id,
  version,
  name: null,
  currency: 'EUR',
  charges: [
    { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.25' } },
    { model: 'flat_fee', properties: { amount: '10' } },
  ],
  created_at: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const subscriptionRecord = (id: string): SubscriptionRecord => ({
  id,
  customer_id: 'cust 1',
  plan_id: 'plan_a',
  plan_version: 1,
  start_date: '2026-01-01T00:00:00.000Z',
  canceled_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
});

function setup() {
  const http = new FakeCatalogHttp();
  return { http, catalog: new CatalogClient(http) };
}

describe('CatalogClient', () => {
  it('reads a plan version once, with its charges parsed, for every later and concurrent caller', async () => {
    const { http, catalog } = setup();
    http.answers.set('/v1/price-plans/plan%2Fa/versions/3', () => planRecord('plan/a', 3));
    const [plan, again, currency] = await Promise.all([catalog.planVersion('plan/a', 3), catalog.planVersion('plan/a', 3), catalog.planCurrency('plan/a', 3)]);
    expect(plan).toBe(again);
    expect(currency).toBe('EUR');
    expect(plan.charges.map((charge) => charge.model)).toEqual(['per_unit', 'flat_fee']);
    expect(plan.charges[0].model === 'per_unit' && plan.charges[0].properties.unitAmount.toFixed()).toBe('0.25');
    expect(await catalog.planCurrency('plan/a', 3)).toBe('EUR');
    expect(http.requests).toEqual(['catalog GET /v1/price-plans/plan%2Fa/versions/3']);
  });

  it('keeps a failed read out of the cache: the next call asks again', async () => {
    const { http, catalog } = setup();
    await expect(catalog.planVersion('plan_a', 1)).rejects.toMatchObject({ problem: { status: 404, code: 'not_found' } });
    http.answers.set('/v1/price-plans/plan_a/versions/1', () => planRecord('plan_a', 1));
    expect((await catalog.planVersion('plan_a', 1)).version).toBe(1);
    expect(http.requests).toHaveLength(2);
  });

  it('refuses a plan record whose charges are invalid, naming the plan, and does not keep it', async () => {
    const { http, catalog } = setup();
    const broken = planRecord('plan_a', 2, { charges: [{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '-1' } }] });
    http.answers.set('/v1/price-plans/plan_a/versions/2', () => broken);
    await expect(catalog.planVersion('plan_a', 2)).rejects.toThrow('price plan plan_a v2 from the catalog is invalid');
    await expect(catalog.planVersion('plan_a', 2)).rejects.toThrow('charges[0].properties.unit_amount');
    expect(http.requests).toHaveLength(2);
  });

  it(`holds at most ${PLAN_VERSION_CACHE_SIZE} plan versions, dropping the oldest first`, async () => {
    const { http, catalog } = setup();
    for (let version = 1; version <= PLAN_VERSION_CACHE_SIZE + 1; version++) {
      http.answers.set(`/v1/price-plans/plan_a/versions/${version}`, () => planRecord('plan_a', version));
      await catalog.planVersion('plan_a', version);
    }
    expect(http.requests).toHaveLength(PLAN_VERSION_CACHE_SIZE + 1);
    await catalog.planVersion('plan_a', PLAN_VERSION_CACHE_SIZE + 1);
    await catalog.planVersion('plan_a', 2);
    expect(http.requests).toHaveLength(PLAN_VERSION_CACHE_SIZE + 1);
    await catalog.planVersion('plan_a', 1);
    expect(http.requests.at(-1)).toBe('catalog GET /v1/price-plans/plan_a/versions/1');
    expect(http.requests).toHaveLength(PLAN_VERSION_CACHE_SIZE + 2);
  });

  it('reads a metric once for every later caller (metrics never change), but asks again after a failure', async () => {
    const { http, catalog } = setup();
    await expect(catalog.metric('api calls')).rejects.toMatchObject({ problem: { status: 404 } });
    const record = { key: 'api calls', name: 'API calls', aggregation_type: 'sum', value_type: 'integer', created_at: '2026-01-01T00:00:00.000Z' };
    http.answers.set('/v1/metrics/api%20calls', () => record);
    const [metric, again] = await Promise.all([catalog.metric('api calls'), catalog.metric('api calls')]);
    expect([metric.name, again]).toEqual(['API calls', metric]);
    expect(await catalog.metric('api calls')).toBe(metric);
    expect(http.requests).toEqual(['catalog GET /v1/metrics/api%20calls', 'catalog GET /v1/metrics/api%20calls']);
  });

  it('follows the subscription pages of a customer to the last one', async () => {
    const { http, catalog } = setup();
    http.answers.set('/v1/subscriptions?customer_id=cust%201&limit=500', () => ({
      data: [subscriptionRecord('sub_1'), subscriptionRecord('sub_2')],
      has_more: true,
      next_cursor: 'sub_2',
    }));
    http.answers.set('/v1/subscriptions?customer_id=cust%201&limit=500&starting_after=sub_2', () => ({
      data: [subscriptionRecord('sub_3')],
      has_more: false,
      next_cursor: null,
    }));
    expect((await catalog.subscriptionsOf('cust 1')).map((subscription) => subscription.id)).toEqual(['sub_1', 'sub_2', 'sub_3']);
  });

  it('asks for customers and subscriptions afresh every time (they change)', async () => {
    const { http, catalog } = setup();
    let canceledAt: string | null = null;
    http.answers.set('/v1/subscriptions/sub%231', () => ({ ...subscriptionRecord('sub#1'), canceled_at: canceledAt }));
    http.answers.set('/v1/customers/cust%201', () => ({ id: 'cust 1' }));
    expect((await catalog.subscription('sub#1')).canceled_at).toBeNull();
    canceledAt = '2026-03-01T00:00:00.000Z';
    expect((await catalog.subscription('sub#1')).canceled_at).toBe(canceledAt);
    await catalog.customer('cust 1');
    await catalog.customer('cust 1');
    expect(http.requests).toEqual([
      'catalog GET /v1/subscriptions/sub%231',
      'catalog GET /v1/subscriptions/sub%231',
      'catalog GET /v1/customers/cust%201',
      'catalog GET /v1/customers/cust%201',
    ]);
  });
});
