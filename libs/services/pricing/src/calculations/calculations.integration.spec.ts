import { Client } from 'pg';
import type { PricePlanVersionRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { PricingAppModule } from '../pricing-app.module';

/*
 * Single-service tier: the pricing module alone on a fresh real PostgreSQL database, the catalog
 * and the aggregation service stubbed over real HTTP at the service directory.
 */
const STRONG = { consistency: 'strong', as_of: '2026-04-01T00:00:05.000Z' };

describe('pricing calculations (service alone, real PostgreSQL, catalog and aggregation stubbed)', () => {
  let pricing: ServiceUnderTest;

  const subscription: SubscriptionRecord = {
    id: 'sub_1',
    customer_id: 'cust_acme',
    plan_id: 'plan_growth',
    plan_version: 2,
    start_date: '2026-03-10T00:00:00.000Z',
    canceled_at: null,
    created_at: '2026-03-10T00:00:00.000Z',
  };
  const plan: PricePlanVersionRecord = {
    id: 'plan_growth',
    version: 2,
    name: 'Growth',
    currency: 'USD',
    charges: [
      {
        metric_key: 'api_calls',
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: '5', unit_amount: '7', flat_amount: '0' },
            { up_to: '10', unit_amount: '6.5', flat_amount: '0' },
            { up_to: null, unit_amount: '6', flat_amount: '2.005' },
          ],
        },
      },
      { model: 'flat_fee', properties: { amount: '10' } },
    ],
    created_at: '2026-01-01T00:00:00.000Z',
  };

  beforeAll(async () => {
    pricing = await startServiceUnderTest((runtime) => PricingAppModule.forRoot(runtime), { stub: ['catalog', 'aggregation'] });
    pricing.stubs
      .catalog!.on('GET /v1/subscriptions/sub_1', { status: 200, body: subscription })
      .on('GET /v1/price-plans/plan_growth/versions/2', { status: 200, body: plan });
    pricing.stubs.aggregation!.on('POST /internal/v1/usage/billable-batch', (request) =>
      request.body.queries.every((query: { metric_key: string }) => query.metric_key === 'api_calls')
        ? { status: 200, body: { answers: request.body.queries.map(() => ({ value: '20.5' })), meta: STRONG } }
        : { status: 404, body: { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found', detail: 'unknown metric' } },
    );
  });
  afterAll(() => pricing?.stop());

  /** The raw answer text: the bytes the service sent. */
  async function send(method: string, path: string, body?: unknown): Promise<{ status: number; contentType: string | null; text: string }> {
    const response = await fetch(`${pricing.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  }

  const march = { customer_id: 'cust_acme', subscription_id: 'sub_1', period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };

  it('prices a tiered charge over the exact usage, shows each reached tier, and reads the stored calculation back byte for byte', async () => {
    const created = await send('POST', '/v1/pricing/calculate', march);
    expect(created.status).toBe(201);
    expect(created.contentType).toContain('application/json');
    const json = JSON.parse(created.text) as CalculationJson;
    expect(json).toEqual({
      calculation_id: expect.stringMatching(/^calc_[0-9a-f]{24}$/),
      customer_id: 'cust_acme',
      subscription_id: 'sub_1',
      plan_id: 'plan_growth',
      plan_version: 2,
      currency: 'USD',
      period_start: '2026-03-01T00:00:00.000Z',
      period_end: '2026-04-01T00:00:00.000Z',
      usage_period: { start: '2026-03-10T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' },
      // 35 + 32.5 + (10.5 × 6 + 2.005) = 132.505 → 132.51 (rounded once, half-up), + 10.00
      total_amount: '142.51',
      line_items: [
        {
          metric_key: 'api_calls',
          model: 'tiered',
          quantity: '20.5',
          amount: '132.51',
          tiers: [
            { from: '0', up_to: '5', quantity: '5', unit_amount: '7', flat_amount: '0', amount: '35' },
            { from: '5', up_to: '10', quantity: '5', unit_amount: '6.5', flat_amount: '0', amount: '32.5' },
            { from: '10', up_to: null, quantity: '10.5', unit_amount: '6', flat_amount: '2.005', amount: '65.005' },
          ],
        },
        { metric_key: null, model: 'flat_fee', quantity: '1', amount: '10.00' },
      ],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    // The usage was asked once, for the metered charge, over the period clipped to the subscription's start.
    expect(pricing.stubs.aggregation!.requests.map((request) => [request.path, request.body])).toEqual([
      [
        '/internal/v1/usage/billable-batch',
        {
          customer_id: 'cust_acme',
          subscription_id: 'sub_1',
          queries: [{ metric_key: 'api_calls', period_start: '2026-03-10T00:00:00.000Z', period_end: '2026-04-01T00:00:00.000Z' }],
        },
      ],
    ]);

    const read = await send('GET', `/v1/pricing/calculations/${json.calculation_id}`);
    expect(read.status).toBe(200);
    expect(read.contentType).toContain('application/json');
    expect(read.text).toBe(created.text);

    const database = new Client({ connectionString: pricing.databaseUrl });
    await database.connect();
    try {
      const { rows } = await database.query('SELECT body, total_amount::text AS total_amount, currency FROM pricing.calculations WHERE id = $1', [
        json.calculation_id,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].body).toBe(created.text);
      expect(rows[0]).toMatchObject({ total_amount: '142.51', currency: 'USD' });
    } finally {
      await database.end();
    }
  });

  it('previews the same price on its internal route without storing a calculation (what usage alerts watch)', async () => {
    const database = new Client({ connectionString: pricing.databaseUrl });
    await database.connect();
    try {
      const count = async () => Number((await database.query('SELECT count(*) AS n FROM pricing.calculations')).rows[0].n);
      const before = await count();
      const preview = await send('POST', '/internal/v1/pricing/preview', march);
      expect(preview.status).toBe(200);
      const stored = JSON.parse((await send('POST', '/v1/pricing/calculate', march)).text) as CalculationJson;
      const { calculation_id: _id, created_at: _created, ...priced } = stored;
      expect(JSON.parse(preview.text)).toEqual(priced);
      expect(await count()).toBe(before + 1);
      expect((await send('POST', '/internal/v1/pricing/preview', { ...march, period_end: 'soon' })).status).toBe(400);
    } finally {
      await database.end();
    }
  });

  it('prices a batch on its internal route as calculate prices each (one catalog look-up, one usage call), refusing an unknown subscription on its own', async () => {
    pricing.stubs.catalog!.on('POST /internal/v1/catalog/subscriptions', (request) => ({
      status: 200,
      body: { data: (request.body as { ids: string[] }).ids.includes('sub_1') ? [subscription] : [] },
    }));
    pricing.stubs.aggregation!.on('POST /internal/v1/usage/billable-batches', (request) => ({
      status: 200,
      body: { results: request.body.batches.map((batch: { queries: unknown[] }) => ({ answers: batch.queries.map(() => ({ value: '20.5' })), meta: STRONG })) },
    }));
    const usageCalls = () => pricing.stubs.aggregation!.requests.filter((request) => request.path === '/internal/v1/usage/billable-batches').length;
    const before = usageCalls();
    const single = JSON.parse((await send('POST', '/v1/pricing/calculate', march)).text) as CalculationJson;
    const answer = await send('POST', '/internal/v1/pricing/calculate-batch', {
      calculations: [march, { ...march, subscription_id: 'sub_nope' }, { ...march, period_start: '2026-03-20T00:00:00Z' }],
    });
    expect(answer.status).toBe(200);
    const { results } = JSON.parse(answer.text) as { results: Array<{ calculation?: CalculationJson; error?: { status: number; code: string } }> };
    const { calculation_id: _id, created_at: _created, ...priced } = single;
    expect(results[0].calculation).toEqual({ ...priced, calculation_id: expect.stringMatching(/^calc_/), created_at: expect.any(String) });
    expect(results[1]).toEqual({ error: expect.objectContaining({ status: 404, code: 'not_found' }) });
    expect(results[2].calculation).toMatchObject({ period_start: '2026-03-20T00:00:00.000Z', usage_period: { start: '2026-03-20T00:00:00.000Z' } });
    expect(usageCalls()).toBe(before + 1);
    // Each stored, readable by its id as the single route's.
    for (const result of [results[0], results[2]]) {
      const read = await send('GET', `/v1/pricing/calculations/${result.calculation!.calculation_id}`);
      expect(JSON.parse(read.text)).toEqual(result.calculation);
    }
    expect((await send('POST', '/internal/v1/pricing/calculate-batch', { calculations: [] })).status).toBe(400);
  });

  it('reads a plan version from the catalog once, however many calculations price it', async () => {
    const planReads = () => pricing.stubs.catalog!.requests.filter((request) => request.path === '/v1/price-plans/plan_growth/versions/2').length;
    for (const period_start of ['2026-03-15T00:00:00Z', '2026-03-20T00:00:00Z']) {
      expect((await send('POST', '/v1/pricing/calculate', { ...march, period_start })).status).toBe(201);
    }
    expect(planReads()).toBe(1);
  });

  it("answers the catalog's 404 for an unknown subscription as problem+json, and 404 for an unknown calculation", async () => {
    const unknown = await send('POST', '/v1/pricing/calculate', { ...march, subscription_id: 'sub_nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toContain('application/problem+json');
    const missing = await send('GET', '/v1/pricing/calculations/calc_000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it("prices a phase's plan version when asked (plan_id + plan_version), and refuses one the subscription never had with 422 naming plan_version", async () => {
    const phased: SubscriptionRecord = {
      ...subscription,
      id: 'sub_phased',
      phases: [
        { plan_id: 'plan_basic', plan_version: 1, start: '2026-03-10T00:00:00.000Z', end: '2026-03-20T00:00:00.000Z' },
        { plan_id: 'plan_growth', plan_version: 2, start: '2026-03-20T00:00:00.000Z', end: null },
      ],
    };
    const basic: PricePlanVersionRecord = {
      ...plan,
      id: 'plan_basic',
      version: 1,
      name: 'Basic',
      charges: [{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '2' } }],
    };
    pricing.stubs
      .catalog!.on('GET /v1/subscriptions/sub_phased', { status: 200, body: phased })
      .on('GET /v1/price-plans/plan_basic/versions/1', { status: 200, body: basic });
    const firstPhase = { customer_id: 'cust_acme', subscription_id: 'sub_phased', period_start: '2026-03-10T00:00:00Z', period_end: '2026-03-20T00:00:00Z' };

    const priced = await send('POST', '/v1/pricing/calculate', { ...firstPhase, plan_id: 'plan_basic', plan_version: 1 });
    expect(priced.status).toBe(201);
    expect(JSON.parse(priced.text)).toMatchObject({
      plan_id: 'plan_basic',
      plan_version: 1,
      total_amount: '41.00',
      line_items: [{ metric_key: 'api_calls', model: 'per_unit', quantity: '20.5', amount: '41.00' }],
    });
    const usageAsked = pricing.stubs.aggregation!.requests.at(-1)!.body.queries[0];
    expect([usageAsked.period_start, usageAsked.period_end]).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-20T00:00:00.000Z']);
    // Without a plan version asked for: the pinned one, as before.
    expect(JSON.parse((await send('POST', '/v1/pricing/calculate', firstPhase)).text)).toMatchObject({ plan_id: 'plan_growth', plan_version: 2 });

    const never = await send('POST', '/v1/pricing/calculate', { ...firstPhase, plan_id: 'plan_basic', plan_version: 2 });
    expect(never.status).toBe(422);
    expect(JSON.parse(never.text)).toMatchObject({ code: 'plan_not_of_subscription', errors: [{ field: 'plan_version' }] });
    const half = await send('POST', '/v1/pricing/calculate', { ...firstPhase, plan_id: 'plan_basic' });
    expect(half.status).toBe(400);
    expect(new Set(JSON.parse(half.text).errors.map((error: { field: string }) => error.field))).toEqual(new Set(['plan_version']));
  });

  it('refuses a malformed request with 400 naming the field, without calling the catalog', async () => {
    const catalogCalls = pricing.stubs.catalog!.requests.length;
    const refused = await send('POST', '/v1/pricing/calculate', { ...march, period_end: 'next tuesday' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(JSON.parse(refused.text).errors)).toContain('period_end');
    expect(pricing.stubs.catalog!.requests).toHaveLength(catalogCalls);
  });

  it("prices a percentage charge event by event from the aggregation service's event values and rounds the line once", async () => {
    const paymentsPlan: PricePlanVersionRecord = {
      id: 'plan_payments',
      version: 1,
      name: 'Payments',
      currency: 'USD',
      charges: [{ metric_key: 'payments', model: 'percentage', properties: { rate: '2.9', fixed_amount: '0.30', min_per_event: null, max_per_event: '2' } }],
      created_at: '2026-01-01T00:00:00.000Z',
    };
    pricing.stubs
      .catalog!.on('GET /v1/subscriptions/sub_pay', { status: 200, body: { ...subscription, id: 'sub_pay', plan_id: 'plan_payments', plan_version: 1 } })
      .on('GET /v1/price-plans/plan_payments/versions/1', { status: 200, body: paymentsPlan });
    pricing.stubs.aggregation!.on('POST /internal/v1/usage/billable-batch', (request) => ({
      status: 200,
      body: {
        answers: request.body.queries.map((query: { metric_key: string }) =>
          query.metric_key === 'payments' ? { value: '110.01', values: ['100', '10.01', '-5'] } : { value: '20.5' },
        ),
        meta: STRONG,
      },
    }));

    const created = await send('POST', '/v1/pricing/calculate', { ...march, subscription_id: 'sub_pay' });
    expect(created.status).toBe(201);
    const json = JSON.parse(created.text) as CalculationJson;
    // 100 → 3.2 capped at 2; 10.01 → 0.59029; −5 priced as 0 → 0.30: 2.89029, rounded once.
    expect(json.line_items).toEqual([{ metric_key: 'payments', model: 'percentage', quantity: '110.01', amount: '2.89' }]);
    expect(json.total_amount).toBe('2.89');
    expect(pricing.stubs.aggregation!.requests.at(-1)!.body).toEqual({
      customer_id: 'cust_acme',
      subscription_id: 'sub_pay',
      queries: [{ metric_key: 'payments', period_start: '2026-03-10T00:00:00.000Z', period_end: '2026-04-01T00:00:00.000Z', values: true }],
    });
  });

  it('asks aggregation once for all the usage of a 20-charge plan, event values included', async () => {
    const charges: PricePlanVersionRecord['charges'] = [
      ...Array.from({ length: 19 }, (_, index) => ({ metric_key: `metric_${index}`, model: 'per_unit' as const, properties: { unit_amount: '1' } })),
      { metric_key: 'payments', model: 'percentage', properties: { rate: '2.9', fixed_amount: '0.30', min_per_event: null, max_per_event: '2' } },
    ];
    pricing.stubs
      .catalog!.on('GET /v1/subscriptions/sub_wide', { status: 200, body: { ...subscription, id: 'sub_wide', plan_id: 'plan_wide', plan_version: 1 } })
      .on('GET /v1/price-plans/plan_wide/versions/1', { status: 200, body: { ...plan, id: 'plan_wide', version: 1, charges } });
    const before = pricing.stubs.aggregation!.requests.length;

    const created = await send('POST', '/v1/pricing/calculate', { ...march, subscription_id: 'sub_wide' });
    expect(created.status).toBe(201);
    // 19 × 20.5 × 1, and the payments as priced event by event above.
    expect((JSON.parse(created.text) as CalculationJson).total_amount).toBe('392.39');
    const asked = pricing.stubs.aggregation!.requests.slice(before);
    expect(asked.map((request) => request.path)).toEqual(['/internal/v1/usage/billable-batch']);
    expect(asked[0].body.queries.map((query: { metric_key: string; values?: boolean }) => [query.metric_key, query.values ?? false])).toEqual([
      ...Array.from({ length: 19 }, (_, index) => [`metric_${index}`, false]),
      ['payments', true],
    ]);
  });
});
