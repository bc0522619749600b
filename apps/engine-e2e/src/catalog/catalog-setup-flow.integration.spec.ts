import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { CatalogEventListener, listenToCatalogEvents } from '@abaxus/testing/catalog/catalog-event-listener';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';

/* The overview's setup.sh (OVERVIEW.txt, "1 Setup"), body by body as curl -d sends it. */
const CURL_FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const SETUP_METRIC = `{
    "key": "api_calls",
    "aggregation_type": "sum",
    "value_type": "integer"
  }`;

const SETUP_PLAN = `{
    "id": "plan_growth", "currency": "USD",
    "charges": [{
      "metric_key": "api_calls",
      "model": "tiered",
      "properties": {
        "tiers": [
          {"up_to":10000,"unit_amount":"0.001"},
          {"up_to":null, "unit_amount":"0.0005"}
        ]
      }
    }]
  }`;

// The overview elides the rest of "billing" with "..."; filled in, it is {"provider":"stripe"}.
const SETUP_CUSTOMER = `{
    "id": "cust_acme",
    "billing": {"provider":"stripe"},
    "payment_method": {
      "provider_customer_id": "cus_xxx",
      "provider_payment_method": "pm_xxx"
    }
  }`;

const SETUP_SUBSCRIPTION = `{
    "customer_id": "cust_acme",
    "plan_id": "plan_growth",
    "start_date": "2026-01-01T00:00:00Z"
  }`;

const API_KEY = 'sk_test_catalog_key_0001';

/*
 * The catalog's main flow as a user meets it: the overview's script through the gateway with an
 * API key, on Kafka, every change reaching another service's consumer in order. What the catalog
 * does alone is tested beside it (libs/services/catalog, single-service tier), the gateway's auth,
 * routing and Idempotency-Key on the gateway alone (libs/services/api-gateway).
 */
describe('catalog setup flow (whole engine, Kafka bus, API key)', () => {
  let engine: TestEngine;
  let listener: CatalogEventListener;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka', apiKeys: [API_KEY] });
    listener = await listenToCatalogEvents(engine, 'kafka');
  });

  afterAll(async () => {
    await listener?.stop();
    await engine?.stop();
  });

  it('refuses catalog calls without a valid API key', async () => {
    const missing = await engine.api('POST', '/v1/metrics', SETUP_METRIC, { ...CURL_FORM, authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'unauthorized' });
    const wrong = await engine.api('GET', '/v1/customers', undefined, { authorization: 'Bearer sk_wrong_key_000000000' });
    expect(wrong.status).toBe(401);
    expect((await engine.api('GET', '/v1/metrics')).status).toBe(200);
  });

  it('runs the overview setup script (curl -d form bodies) and publishes every change on the bus, in order per entity', async () => {
    const metric = await engine.api('POST', '/v1/metrics', SETUP_METRIC, CURL_FORM);
    expect(metric.status).toBe(201);
    expect(metric.body).toEqual({
      key: 'api_calls',
      name: 'api_calls',
      aggregation_type: 'sum',
      value_type: 'integer',
      dimensions: [],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const plan = await engine.api('POST', '/v1/price-plans', SETUP_PLAN, CURL_FORM);
    expect(plan.status).toBe(201);
    expect(plan.body).toMatchObject({ id: 'plan_growth', version: 1, name: null, currency: 'USD' });
    expect(plan.body.charges).toEqual([
      {
        metric_key: 'api_calls',
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: '10000', unit_amount: '0.001', flat_amount: '0' },
            { up_to: null, unit_amount: '0.0005', flat_amount: '0' },
          ],
        },
      },
    ]);

    const customer = await engine.api('POST', '/v1/customers', SETUP_CUSTOMER, CURL_FORM);
    expect(customer.status).toBe(201);
    expect(customer.body).toMatchObject({
      id: 'cust_acme',
      billing: { provider: 'stripe' },
      payment_method: { provider_customer_id: 'cus_xxx', provider_payment_method: 'pm_xxx' },
    });

    const subscription = await engine.api('POST', '/v1/subscriptions', SETUP_SUBSCRIPTION, CURL_FORM);
    expect(subscription.status).toBe(201);
    expect(subscription.body).toEqual({
      id: expect.stringMatching(/^sub_[A-Za-z0-9_-]{16}$/),
      status: 'active',
      customer_id: 'cust_acme',
      plan_id: 'plan_growth',
      plan_version: 1,
      start_date: '2026-01-01T00:00:00.000Z',
      canceled_at: null,
      billing_interval: null,
      trial_end: null,
      test_clock: null,
      phases: [{ plan_id: 'plan_growth', plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: null }],
      created_at: expect.any(String),
      current_period_start: null,
      current_period_end: null,
    });

    expect((await engine.api('GET', `/v1/subscriptions/${subscription.body.id}`)).body).toEqual(subscription.body);
    expect((await engine.api('GET', '/v1/price-plans/plan_growth')).body).toEqual(plan.body);
    expect((await engine.api('GET', '/v1/customers/cust_acme')).body).toEqual(customer.body);
    expect((await engine.api('GET', '/v1/metrics/api_calls')).body).toEqual(metric.body);

    const updated = await engine.api('PATCH', '/v1/customers/cust_acme', '{"email": "billing@acme.test"}', CURL_FORM);
    expect(updated.status).toBe(200);
    const canceled = await engine.api('POST', `/v1/subscriptions/${subscription.body.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');

    // The events carry the stored record: no status or current period (both computed when read).
    const { status: _created, current_period_start: _s1, current_period_end: _e1, ...subscriptionRecord } = subscription.body;
    const { status: _canceled, current_period_start: _s2, current_period_end: _e2, ...canceledRecord } = canceled.body;
    const expected = [
      { key: 'api_calls', type: 'metric.created', data: metric.body },
      { key: 'plan_growth', type: 'price_plan_version.created', data: plan.body },
      { key: 'cust_acme', type: 'customer.created', data: customer.body },
      { key: subscription.body.id, type: 'subscription.created', data: subscriptionRecord },
      { key: 'cust_acme', type: 'customer.updated', data: updated.body },
      { key: subscription.body.id, type: 'subscription.canceled', data: canceledRecord },
    ];
    const received = await pollUntil(async () => {
      expect(listener.events).toHaveLength(expected.length);
      return listener.events;
    });
    for (const want of expected) {
      const event = received.find((candidate) => candidate.envelope.type === want.type);
      expect(event).toEqual({
        key: want.key,
        envelope: { event_id: expect.stringMatching(/^[0-9a-f-]{36}$/), occurred_at: expect.any(String), type: want.type, data: want.data },
      });
    }
    expect(new Set(received.map((event) => event.envelope.event_id)).size).toBe(expected.length);
    // One entity's events arrive in the order they happened (same key, same partition).
    const typesOf = (key: string) => received.filter((event) => event.key === key).map((event) => event.envelope.type);
    expect(typesOf('cust_acme')).toEqual(['customer.created', 'customer.updated']);
    expect(typesOf(subscription.body.id)).toEqual(['subscription.created', 'subscription.canceled']);
  });

  it('reads a malformed JSON body as a 400 problem, not a 500', async () => {
    const response = await engine.api('POST', '/v1/customers', '{"id": "cust_broken",', CURL_FORM);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'malformed_json' });
  });
});
