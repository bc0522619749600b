import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { BillingScenario, expectStatus, uniqueId } from '@abaxus/testing/invoicing/billing-scenario.factory';

/*
 * The README's AI-tokens example through the gateway, in both run modes: a metric with
 * dimensions model and region, a plan priced per model and grouped by region (a price matrix with
 * a charge for every other model), events ingested over HTTP, then usage by filter and group and
 * the priced lines, the upcoming figures equal to the exact ones.
 */
describe.each(['embedded', 'kafka'] as const)('pricing by dimension, AI tokens (%s)', (bus) => {
  let engine: TestEngine;
  let scenario: BillingScenario;

  beforeAll(async () => {
    engine = await startTestEngine({ bus });
    scenario = new BillingScenario(engine);
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('prices tokens per model, one line per region, lists the rest, and answers usage by filter and group', async () => {
    const tokens = await scenario.metric({ name: 'Tokens', dimensions: ['model', 'region'] });
    const planId = await scenario.plan([
      { metric_key: tokens, model: 'per_unit', filters: { model: ['gpt-4o'] }, group_by: ['region'], properties: { unit_amount: '0.00001' } },
      { metric_key: tokens, model: 'per_unit', filters: { model: ['gpt-4o-mini'] }, group_by: ['region'], properties: { unit_amount: '0.000001' } },
      { metric_key: tokens, model: 'per_unit', properties: { unit_amount: '0.000005' } },
    ]);
    const customerId = await scenario.customer();
    const subscriptionId = await scenario.subscription(customerId, planId, '2026-03-01T00:00:00Z');
    const events = [
      ['gpt-4o', 'eu-west-1', '120000', '2026-03-02T10:15:00Z'],
      ['gpt-4o', 'us-east-1', '300000', '2026-03-02T11:00:00Z'],
      ['gpt-4o', 'eu-west-1', '80000', '2026-03-20T23:59:59Z'],
      ['gpt-4o-mini', 'eu-west-1', '2000000', '2026-03-05T08:00:00Z'],
      ['o3', 'us-east-1', '40000', '2026-03-06T12:30:00Z'],
    ].map(([model, region, value, timestamp]) => ({
      customer_id: customerId,
      subscription_id: subscriptionId,
      metric_key: tokens,
      value,
      timestamp,
      idempotency_key: uniqueId('evt'),
      properties: { model, region },
    }));
    const accepted = expectStatus(await engine.api('POST', '/v1/events/batch', { events }), 207);
    expect(accepted.body.results.map((result: { status: number }) => result.status)).toEqual([202, 202, 202, 202, 202]);

    const period = { customer_id: customerId, metric_key: tokens, period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
    const compute = expectStatus(await engine.api('POST', '/v1/usage/compute', { ...period, filter: { model: ['gpt-4o'] }, group_by: 'region' }), 200);
    const byRegion = [
      { dimensions: { region: 'eu-west-1' }, value: '200000' },
      { dimensions: { region: 'us-east-1' }, value: '300000' },
    ];
    expect(compute.body.groups).toEqual(byRegion);
    const query = new URLSearchParams({ ...period, 'filter[model]': 'gpt-4o', group_by: 'region' });
    expect(expectStatus(await engine.api('GET', `/v1/usage/summary?${query.toString()}`), 200).body.groups).toEqual(byRegion);
    const twoModels = new URLSearchParams({ ...period, 'filter[region]': 'us-east-1' });
    expect(expectStatus(await engine.api('GET', `/v1/usage/summary?${twoModels.toString()}`), 200).body.value).toBe('340000');
    const undeclared = await engine.api('GET', `/v1/usage/summary?${new URLSearchParams({ ...period, group_by: 'customer_tier' }).toString()}`);
    expect(undeclared.status).toBe(400);
    expect(undeclared.body.errors).toEqual([{ field: 'group_by', message: expect.stringContaining('is not a dimension of metric') }]);

    const calculation = expectStatus(
      await engine.api('POST', '/v1/pricing/calculate', {
        customer_id: customerId,
        subscription_id: subscriptionId,
        period_start: period.period_start,
        period_end: period.period_end,
      }),
      201,
    );
    expect(calculation.body.line_items).toEqual([
      { metric_key: tokens, model: 'per_unit', filters: { model: ['gpt-4o'] }, group: { region: 'eu-west-1' }, quantity: '200000', amount: '2.00' },
      { metric_key: tokens, model: 'per_unit', filters: { model: ['gpt-4o'] }, group: { region: 'us-east-1' }, quantity: '300000', amount: '3.00' },
      { metric_key: tokens, model: 'per_unit', filters: { model: ['gpt-4o-mini'] }, group: { region: 'eu-west-1' }, quantity: '2000000', amount: '2.00' },
      { metric_key: tokens, model: 'per_unit', quantity: '40000', amount: '0.20' },
    ]);
    expect(calculation.body.total_amount).toBe('7.20');
  });

  it('lists as unpriced the usage of a price matrix without a charge for the rest, and refuses a filter on an undeclared dimension', async () => {
    const tokens = await scenario.metric({ name: 'Tokens', dimensions: ['model'] });
    const refused = await engine.api('POST', '/v1/price-plans', {
      id: uniqueId('plan'),
      name: 'Plan',
      currency: 'USD',
      charges: [{ metric_key: tokens, model: 'per_unit', filters: { region: ['eu'] }, properties: { unit_amount: '1' } }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'charges[0].filters.region', message: expect.stringContaining('its dimensions are model') }]);
    const planId = await scenario.plan([{ metric_key: tokens, model: 'per_unit', filters: { model: ['gpt-4o'] }, properties: { unit_amount: '0.00001' } }]);
    const customerId = await scenario.customer();
    const subscriptionId = await scenario.subscription(customerId, planId, '2026-03-01T00:00:00Z');
    const events = [
      ['gpt-4o', '100000'],
      ['claude', '7000'],
    ].map(([model, value]) => ({
      customer_id: customerId,
      metric_key: tokens,
      value,
      timestamp: '2026-03-03T00:00:00Z',
      idempotency_key: uniqueId('evt'),
      properties: { model },
    }));
    expectStatus(await engine.api('POST', '/v1/events/batch', { events }), 207);
    const calculation = expectStatus(
      await engine.api('POST', '/v1/pricing/calculate', {
        customer_id: customerId,
        subscription_id: subscriptionId,
        period_start: '2026-03-01T00:00:00Z',
        period_end: '2026-04-01T00:00:00Z',
      }),
      201,
    );
    expect(calculation.body.total_amount).toBe('1.00');
    expect(calculation.body.unpriced).toEqual([{ metric_key: tokens, dimensions: { model: 'claude' }, quantity: '7000' }]);
  });
});
