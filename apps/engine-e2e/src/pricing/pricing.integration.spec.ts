import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { BillingScenario, expectStatus, STRIPE_EXAMPLE_TIERS, uniqueId } from '@abaxus/testing/invoicing/billing-scenario.factory';

/*
 * POST /v1/pricing/calculate through the gateway, on exact usage from real events (Kafka bus).
 * This engine has no Stripe, webhook secret or SMTP configured: it also checks those answer 503.
 */
describe('pricing calculations (kafka)', () => {
  let engine: TestEngine;
  let scenario: BillingScenario;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
    scenario = new BillingScenario(engine);
  });

  afterAll(async () => {
    await engine?.stop();
  });

  const march = { period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };

  async function calculate(setup: { customerId: string; subscriptionId: string }, period: { period_start: string; period_end: string } = march) {
    return engine.api('POST', '/v1/pricing/calculate', { customer_id: setup.customerId, subscription_id: setup.subscriptionId, ...period });
  }

  it.each([
    ['tiered', '6', '41.50'],
    ['tiered', '20', '127.50'],
    ['volume', '6', '39.00'],
    ['volume', '20', '120.00'],
  ])("prices Stripe's tier example, %s at %s units, as %s", async (model, units, total) => {
    const setup = await scenario.customerWithUsage({
      units,
      charge: (metricKey) => ({ metric_key: metricKey, model, properties: { tiers: STRIPE_EXAMPLE_TIERS } }),
    });
    const response = expectStatus(await calculate(setup), 201);
    expect(response.body).toMatchObject({
      calculation_id: expect.stringMatching(/^calc_/),
      currency: 'USD',
      plan_id: setup.planId,
      plan_version: 1,
      total_amount: total,
      line_items: [{ metric_key: setup.metricKey, model, quantity: units, amount: total }],
    });
    for (const tier of response.body.line_items[0].tiers) {
      expect(Object.keys(tier)).toEqual(['from', 'up_to', 'quantity', 'unit_amount', 'flat_amount', 'amount']);
    }
  });

  it('shows every reached tier of a graduated charge with exact tier amounts', async () => {
    const setup = await scenario.customerWithUsage({ units: '20' });
    const response = expectStatus(await calculate(setup), 201);
    expect(response.body.line_items[0].tiers).toEqual([
      { from: '0', up_to: '5', quantity: '5', unit_amount: '7', flat_amount: '0', amount: '35' },
      { from: '5', up_to: '10', quantity: '5', unit_amount: '6.5', flat_amount: '0', amount: '32.5' },
      { from: '10', up_to: null, quantity: '10', unit_amount: '6', flat_amount: '0', amount: '60' },
    ]);
  });

  it.each([
    ['volume', '66.00'],
    ['tiered', '111.00'],
  ])('prices flat-plus-unit tiers at 12 units by %s as %s', async (model, total) => {
    const tiers = [
      { up_to: 5, unit_amount: '7', flat_amount: '20' },
      { up_to: 10, unit_amount: '6', flat_amount: '10' },
      { up_to: null, unit_amount: '5', flat_amount: '6' },
    ];
    const setup = await scenario.customerWithUsage({ units: '12', charge: (metricKey) => ({ metric_key: metricKey, model, properties: { tiers } }) });
    expect(expectStatus(await calculate(setup), 201).body.total_amount).toBe(total);
  });

  it.each([
    ['JPY', '0.5', '3', '2'], // 1.5 yen → 2
    ['JPY', '0.5', '5', '3'], // 2.5 yen → 3 (half-up, not half-even)
    ['KWD', '0.0005', '2469', '1.235'], // 1.2345 → 1.235
    ['KWD', '0.0005', '2467', '1.234'], // 1.2335 → 1.234
  ])('rounds %s once, half-up, to its minor unit (%s × %s → %s)', async (currency, unitAmount, units, total) => {
    const setup = await scenario.customerWithUsage({
      currency,
      units,
      charge: (metricKey) => ({ metric_key: metricKey, model: 'per_unit', properties: { unit_amount: unitAmount } }),
    });
    const response = expectStatus(await calculate(setup), 201);
    expect(response.body).toMatchObject({ currency, total_amount: total, line_items: [{ amount: total }] });
  });

  it('bills a flat fee once per period, beside metered charges, and totals the rounded lines', async () => {
    const metricKey = await scenario.metric();
    const planId = await scenario.plan([
      { model: 'flat_fee', properties: { amount: '49.99' } },
      { metric_key: metricKey, model: 'per_unit', properties: { unit_amount: '0.001' } },
    ]);
    const customerId = await scenario.customer();
    const subscriptionId = await scenario.subscription(customerId, planId);
    await scenario.usage({ customerId, subscriptionId, metricKey }, [
      ['2026-03-02T10:00:00Z', '2000'],
      ['2026-03-20T10:00:00Z', '3005'],
      ['2026-04-02T10:00:00Z', '999999'], // next period: not billed
    ]);
    const response = expectStatus(await calculate({ customerId, subscriptionId }), 201);
    expect(response.body.line_items).toEqual([
      { metric_key: null, model: 'flat_fee', quantity: '1', amount: '49.99' },
      { metric_key: metricKey, model: 'per_unit', quantity: '5005', amount: '5.01' }, // 5.005 → 5.01
    ]);
    expect(response.body.total_amount).toBe('55.00');
  });

  it('stores the calculation and returns it byte for byte', async () => {
    const setup = await scenario.customerWithUsage({ units: '7' });
    const created = expectStatus(await calculate(setup), 201);
    await scenario.usage(setup, [['2026-03-18T00:00:00Z', '100']]); // later usage never changes a stored calculation
    const read = expectStatus(await engine.api('GET', `/v1/pricing/calculations/${created.body.calculation_id}`), 200);
    expect(read.text).toBe(created.text);
    expect(read.headers.get('content-type')).toMatch(/^application\/json/);
    const again = expectStatus(await calculate(setup), 201);
    expect(again.body.line_items[0].quantity).toBe('107');
    expect(again.body.calculation_id).not.toBe(created.body.calculation_id);
  });

  it('counts events accepted just before the request (read-your-writes)', async () => {
    const setup = await scenario.customerWithUsage({ units: '1' });
    for (let round = 2; round <= 4; round += 1) {
      await scenario.usage(setup, [['2026-03-05T00:00:00Z', '1']]);
      expect(expectStatus(await calculate(setup), 201).body.line_items[0].quantity).toBe(String(round));
    }
  });

  it('clips a period overlapping the subscription start, and refuses one entirely before it with 422', async () => {
    const setup = await scenario.customerWithUsage({ startDate: '2026-03-10T00:00:00Z' });
    await scenario.usage(setup, [['2026-03-12T00:00:00Z', '4']]);
    const clipped = expectStatus(await calculate(setup), 201);
    expect(clipped.body.usage_period).toEqual({ start: '2026-03-10T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' });
    expect(clipped.body.line_items[0].quantity).toBe('4');
    const before = await calculate(setup, { period_start: '2026-02-01T00:00:00Z', period_end: '2026-03-10T00:00:00Z' });
    expect(before.status).toBe(422);
    expect(before.body.code).toBe('period_before_subscription_start');
  });

  it('does not bill usage after the cancellation', async () => {
    const setup = await scenario.customerWithUsage();
    await scenario.usage(setup, [
      ['2026-03-05T00:00:00Z', '6'],
      ['2026-03-25T00:00:00Z', '14'],
    ]);
    expectStatus(await engine.api('POST', `/v1/subscriptions/${setup.subscriptionId}/cancel`, { at: '2026-03-20T00:00:00Z' }), 200);
    const response = expectStatus(await calculate(setup), 201);
    expect(response.body.usage_period.end).toBe('2026-03-20T00:00:00.000Z');
    expect(response.body).toMatchObject({ total_amount: '41.50', line_items: [{ quantity: '6' }] });
  });

  it('keeps pricing a subscription with the plan version it was created on', async () => {
    const setup = await scenario.customerWithUsage({ units: '20' });
    await scenario.plan([{ metric_key: setup.metricKey, model: 'per_unit', properties: { unit_amount: '100' } }], 'USD', setup.planId);
    const response = expectStatus(await calculate(setup), 201);
    expect(response.body).toMatchObject({ plan_version: 1, total_amount: '127.50' });
  });

  it('answers problems for bad requests', async () => {
    const setup = await scenario.customerWithUsage();
    const unknownField = await engine.api('POST', '/v1/pricing/calculate', {
      customer_id: setup.customerId,
      subscription_id: setup.subscriptionId,
      ...march,
      extra: 1,
    });
    expect([unknownField.status, unknownField.body.code, unknownField.body.errors]).toEqual([
      400,
      'validation_failed',
      [{ field: 'extra', message: 'is not a known field' }],
    ]);
    const badTime = await calculate(setup, { period_start: '2026-03-01', period_end: march.period_end });
    expect([badTime.status, badTime.body.errors[0].field]).toEqual([400, 'period_start']);
    const inverted = await calculate(setup, { period_start: march.period_end, period_end: march.period_start });
    expect([inverted.status, inverted.body.errors[0].field]).toEqual([400, 'period_end']);
    const unknown = await calculate({ customerId: setup.customerId, subscriptionId: 'sub_missing' });
    expect(unknown.status).toBe(404);
    const otherCustomer = await calculate({ customerId: uniqueId('cust'), subscriptionId: setup.subscriptionId });
    expect([otherCustomer.status, otherCustomer.body.code]).toEqual([422, 'subscription_customer_mismatch']);
    const missing = await engine.api('GET', '/v1/pricing/calculations/calc_missing');
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, expect.stringMatching(/^application\/problem\+json/)]);
  });

  it('answers 503 with a clear message when Stripe, its webhook secret or SMTP is not configured', async () => {
    // A missing invoice is a 404 whatever is configured; the 503s concern an invoice that exists.
    const absent = await engine.api('POST', '/v1/invoices/inv_missing/charge');
    expect([absent.status, absent.body.code]).toEqual([404, 'not_found']);
    const setup = await scenario.customerWithUsage({ units: '20' });
    const invoice = expectStatus(await engine.api('POST', '/v1/invoices', { customer_id: setup.customerId, cutoff_date: '2026-03-31T23:59:59Z' }), 201);
    const charge = await engine.api('POST', `/v1/invoices/${invoice.body.id}/charge`);
    expect([charge.status, charge.body.code, charge.body.detail]).toEqual([503, 'payments_not_configured', expect.stringContaining('STRIPE_SECRET_KEY')]);
    const webhook = await engine.api('POST', '/v1/webhooks/stripe', { id: 'evt_1' }, { 'stripe-signature': 't=1,v1=x' });
    expect([webhook.status, webhook.body.code, webhook.body.detail]).toEqual([
      503,
      'webhooks_not_configured',
      expect.stringContaining('STRIPE_WEBHOOK_SECRET'),
    ]);
    const email = await engine.api('POST', `/v1/invoices/${invoice.body.id}/send-email`);
    expect([email.status, email.body.code, email.body.detail]).toEqual([503, 'email_not_configured', expect.stringContaining('SMTP_URL')]);
  });
});
