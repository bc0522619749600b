import { randomBytes } from 'node:crypto';
import { AbaxusApiError, AbaxusClient, AbaxusConnectionError, RetryNotice } from '@abaxus/sdk';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';
import { SmtpTestServer } from '@abaxus/services/invoicing/testing/smtp-test-server';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { FaultProxy } from './fault-proxy';

/*
 * @abaxus/sdk against the whole engine (embedded bus), with API keys, a Stripe-shaped server and a
 * real SMTP server; a fault-injecting proxy between the SDK and the gateway drops answers, answers
 * 503 or answers late, so the retries meet real failures.
 */
describe('@abaxus/sdk against a real engine', () => {
  const apiKey = 'sk_test_sdk_0123456789abcdef';
  const march = { period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
  let stripe: FakeStripeServer;
  let smtp: SmtpTestServer;
  let engine: TestEngine;
  let proxy: FaultProxy;
  let abaxus: AbaxusClient;
  let flaky: AbaxusClient;
  let retries: RetryNotice[];

  const id = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    smtp = await new SmtpTestServer().start();
    engine = await startTestEngine({
      bus: 'embedded',
      apiKeys: [apiKey],
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, SMTP_URL: smtp.url },
    });
    proxy = await new FaultProxy(engine.url).start();
    abaxus = new AbaxusClient({ baseUrl: engine.url, apiKey });
    flaky = new AbaxusClient({
      baseUrl: proxy.url,
      apiKey,
      timeoutMs: 2_000,
      retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 200 },
      onRetry: (notice) => retries.push(notice),
    });
  });

  beforeEach(() => {
    retries = [];
  });

  afterAll(async () => {
    await proxy?.stop();
    await engine?.stop();
    await smtp?.stop();
    await stripe?.stop();
  });

  /** A metric, the README's tiered plan, a customer with a card and an email, and a subscription from January. */
  async function subscribedCustomer(client = abaxus) {
    const metric = await client.metrics.create({ key: id('api_calls'), aggregation_type: 'sum', value_type: 'integer' });
    const plan = await client.pricePlans.create({
      id: id('plan_growth'),
      currency: 'USD',
      charges: [
        {
          metric_key: metric.key,
          model: 'tiered',
          properties: {
            tiers: [
              { up_to: 10000, unit_amount: '0.001' },
              { up_to: null, unit_amount: '0.0005' },
            ],
          },
        },
      ],
    });
    const customer = await client.customers.create({
      id: id('cust_acme'),
      email: 'billing@acme.test',
      billing: { provider: 'stripe' },
      payment_method: { provider_customer_id: 'cus_acme', provider_payment_method: 'pm_card_visa' },
    });
    const subscription = await client.subscriptions.create({ customer_id: customer.id, plan_id: plan.id, start_date: '2026-01-01T00:00:00Z' });
    return { metric: metric.key, plan, customer: customer.id, subscription: subscription.id };
  }

  const usageOf = (setup: { customer: string; metric: string }) => ({ customer_id: setup.customer, metric_key: setup.metric, ...march });

  it("runs the README's walk-through with typed methods: setup, events, usage, pricing, invoice, email, charge", async () => {
    const setup = await subscribedCustomer();
    expect(setup.plan).toMatchObject({ version: 1, currency: 'USD' });
    expect(await abaxus.subscriptions.get(setup.subscription)).toMatchObject({ status: 'active', plan_version: 1 });

    const event = { customer_id: setup.customer, subscription_id: setup.subscription, metric_key: setup.metric, timestamp: '2026-03-17T14:00:00Z' };
    expect(await abaxus.events.send({ ...event, value: '80000', idempotency_key: 'evt_req_abc123' })).toEqual({
      idempotency_key: 'evt_req_abc123',
      status: 'accepted',
    });
    const results = await abaxus.events.sendBatch([
      { ...event, value: '3000' },
      { ...event, value: 'three' },
    ]);
    expect(results.map((result) => result.status)).toEqual([202, 400]);
    expect(results[0].idempotency_key).toMatch(/^evt_/);
    expect(results[1].error).toMatchObject({ code: 'validation_failed', errors: [{ field: 'events[1].value' }] });
    expect((await abaxus.events.backfill([{ ...event, value: '2000', timestamp: '2026-03-02T08:15:00Z' }]))[0].status).toBe(202);

    expect(await abaxus.usage.compute(usageOf(setup))).toMatchObject({ value: '85000', meta: { consistency: 'strong' } });
    await pollUntil(async () => expect((await abaxus.usage.summary(usageOf(setup))).value).toBe('85000'));

    const calculation = await abaxus.pricing.calculate({ customer_id: setup.customer, subscription_id: setup.subscription, ...march });
    expect(calculation).toMatchObject({ currency: 'USD', total_amount: '47.50' });
    expect(await abaxus.pricing.getCalculation(calculation.calculation_id)).toEqual(calculation);

    const invoice = await abaxus.invoices.issue({ customer_id: setup.customer, cutoff_date: '2026-03-31T23:59:59Z' });
    expect(invoice).toMatchObject({ status: 'issued', total_amount: '47.50', currency: 'USD', customer_id: setup.customer });
    expect(await abaxus.invoices.get(invoice.id)).toEqual(invoice);
    expect((await abaxus.invoices.list({ customer_id: setup.customer })).data.map((listed) => listed.id)).toEqual([invoice.id]);

    const sent = await abaxus.invoices.sendEmail(invoice.id);
    expect(sent.sent_at).not.toBeNull();
    expect(smtp.messages.some((mail) => mail.subject?.includes(invoice.number))).toBe(true);
    expect(await abaxus.invoices.charge(invoice.id)).toEqual({ status: 'paid', invoice_id: invoice.id, payment_intent: expect.stringMatching(/^pi_/) });
    expect((await abaxus.invoices.get(invoice.id)).status).toBe('paid');
  });

  it('drives billing cycles, documents and integrations with typed methods: test clock, upcoming, void, PDF, settings, webhooks, alerts', async () => {
    const settings = await abaxus.settings.replace({
      issuer: { name: 'Abaxus SDK Ltd', address: { line1: '1 Main St', city: 'Dublin', postal_code: 'D01', country: 'IE' } },
      invoice: { payment_terms_days: 14, number_prefix: 'INV' },
    });
    expect(settings.issuer).toMatchObject({ name: 'Abaxus SDK Ltd' });
    expect((await abaxus.settings.get()).invoice).toMatchObject({ payment_terms_days: 14 });

    const clock = await abaxus.testClocks.create({ frozen_time: '2026-01-01T00:00:00Z', name: 'sdk' });
    expect(clock).toMatchObject({ id: expect.stringMatching(/^clock_/), status: 'ready' });
    const plan = await abaxus.pricePlans.create({
      id: id('plan_monthly'),
      currency: 'USD',
      billing_interval: 'month',
      charges: [{ model: 'flat_fee', properties: { amount: '29.00' } }],
    });
    expect((await abaxus.pricePlans.listVersions(plan.id)).data.map((version) => version.version)).toEqual([1]);
    const customer = await abaxus.customers.create({ id: id('cust_clock') });
    await abaxus.subscriptions.create({ customer_id: customer.id, plan_id: plan.id, start_date: '2026-01-01T00:00:00Z', test_clock: clock.id });
    expect(await abaxus.autoCollection.get(customer.id)).toEqual({ customer_id: customer.id, auto_collection: { email: false, charge: false } });
    expect((await abaxus.autoCollection.set(customer.id, { email: false, charge: false })).auto_collection).toEqual({ email: false, charge: false });
    await abaxus.testClocks.advance(clock.id, { frozen_time: '2026-01-16T00:00:00Z' });
    await pollUntil(async () => expect((await abaxus.testClocks.get(clock.id)).status).toBe('ready'));
    expect(await abaxus.invoices.upcoming(customer.id)).toMatchObject({ currency: 'USD', period_end: '2026-01-16T00:00:00.000Z' });

    await abaxus.testClocks.advance(clock.id, { frozen_time: '2026-02-01T01:00:00Z' });
    await pollUntil(async () => expect((await abaxus.testClocks.get(clock.id)).status).toBe('ready'));
    expect((await abaxus.testClocks.list()).data.map((listed) => listed.id)).toContain(clock.id);
    const [invoice] = (await abaxus.invoices.list({ customer_id: customer.id })).data;
    expect(invoice).toMatchObject({ status: 'issued', total_amount: '29.00' });
    expect((await abaxus.billingRuns.list({ test_clock: clock.id })).data.length).toBeGreaterThan(0);
    const pdf = await abaxus.invoices.pdf(invoice.id);
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect((await abaxus.invoices.void(invoice.id)).status).toBe('voided');

    const endpoint = await abaxus.webhookEndpoints.create({ url: 'https://hooks.example.test/abaxus', events: ['invoice.issued'] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(await abaxus.webhookEndpoints.update(endpoint.id, { description: 'finance' })).toMatchObject({ id: endpoint.id, description: 'finance' });
    expect((await abaxus.webhookEndpoints.get(endpoint.id)).events).toEqual(['invoice.issued']);
    expect((await abaxus.webhookEndpoints.list()).data.map((listed) => listed.id)).toContain(endpoint.id);
    expect((await abaxus.webhookEndpoints.deliveries(endpoint.id)).data).toEqual([]);
    await expect(abaxus.webhookEndpoints.delivery(endpoint.id, 'whd_nope')).rejects.toMatchObject({ status: 404 });
    expect(await abaxus.webhookEndpoints.delete(endpoint.id)).toEqual({ id: endpoint.id, deleted: true });

    const alert = await abaxus.alerts.create({ customer_id: customer.id, threshold: { amount: '100.00' } });
    expect(await abaxus.alerts.get(alert.id)).toEqual(alert);
    expect((await abaxus.alerts.list({ customer_id: customer.id })).data.map((listed) => listed.id)).toEqual([alert.id]);
    expect(await abaxus.alerts.delete(alert.id)).toEqual({ id: alert.id, deleted: true });
  });

  it('pages through a list with listAll', async () => {
    const prefix = id('page');
    for (let i = 0; i < 5; i++) await abaxus.customers.create({ id: `${prefix}_${i}` });
    const seen: string[] = [];
    for await (const customer of abaxus.customers.listAll({ limit: 2 })) if (customer.id.startsWith(prefix)) seen.push(customer.id);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}_${i}`));
  });

  describe('typed errors', () => {
    it('throws an AbaxusApiError with the problem document and its field errors, without retrying a 4xx', async () => {
      const before = proxy.requestsTo('POST /v1/metrics').length;
      const error = await flaky.metrics.create({ key: id('bad'), aggregation_type: 'median' as 'sum', value_type: 'integer' }).catch((caught) => caught);
      expect(error).toBeInstanceOf(AbaxusApiError);
      expect(error).toMatchObject({
        status: 400,
        code: 'validation_failed',
        type: 'https://abaxus.dev/problems/validation-failed',
        title: 'Bad Request',
        operation: 'createMetric',
        attempts: 1,
      });
      expect(error.fieldError('aggregation_type')).toEqual(expect.any(String));
      expect(proxy.requestsTo('POST /v1/metrics').length).toBe(before + 1);
      expect(retries).toEqual([]);
    });

    it('reports 404, 409 and 422 by status and stable code', async () => {
      await expect(abaxus.customers.get(id('nobody'))).rejects.toMatchObject({ name: 'AbaxusApiError', status: 404, code: 'not_found' });
      const key = id('twice');
      await abaxus.metrics.create({ key, aggregation_type: 'count' });
      await expect(abaxus.metrics.create({ key, aggregation_type: 'count' })).rejects.toMatchObject({ status: 409, code: 'metric_exists' });
      const lonely = await abaxus.customers.create({ id: id('lonely') });
      await expect(abaxus.invoices.issue({ customer_id: lonely.id, cutoff_date: '2026-03-31T23:59:59Z' })).rejects.toMatchObject({
        status: 422,
        code: 'no_active_subscription',
      });
    });

    it('reports a wrong API key as 401 unauthorized', async () => {
      const stranger = new AbaxusClient({ baseUrl: engine.url, apiKey: 'sk_test_not_a_known_key_000' });
      await expect(stranger.metrics.list()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    });
  });

  describe('retries', () => {
    it('retries an invoice whose answer was lost with the same Idempotency-Key: one invoice, the first answer replayed', async () => {
      const setup = await subscribedCustomer();
      await abaxus.events.send({ customer_id: setup.customer, metric_key: setup.metric, value: '20000', timestamp: '2026-03-17T14:00:00Z' });
      proxy.failNext('POST /v1/invoices', { kind: 'drop-response' });
      const invoice = await flaky.invoices.issue({ customer_id: setup.customer, cutoff_date: '2026-03-31T23:59:59Z' });

      const attempts = proxy.requestsTo('POST /v1/invoices').filter((request) => request.body.includes(setup.customer));
      expect(attempts.map((request) => request.outcome)).toEqual(['drop-response', 201]);
      expect(attempts[0].idempotencyKey).toEqual(expect.any(String));
      expect(attempts[1].idempotencyKey).toBe(attempts[0].idempotencyKey);
      expect(retries).toEqual([expect.objectContaining({ operation: 'issueInvoice', attempt: 2, reason: expect.any(AbaxusConnectionError) })]);
      // The engine acted once: the retry got the stored answer, not a second invoice.
      expect(invoice).toMatchObject({ total_amount: '15.00' });
      expect((await abaxus.invoices.list({ customer_id: setup.customer })).data.map((listed) => listed.id)).toEqual([invoice.id]);
    });

    it('retries an event whose answer was lost with the same idempotency_key, and counts it once', async () => {
      const setup = await subscribedCustomer();
      proxy.failNext('POST /v1/events', { kind: 'drop-response' });
      const accepted = await flaky.events.send({ customer_id: setup.customer, metric_key: setup.metric, value: '7', timestamp: '2026-03-17T14:00:00Z' });
      const attempts = proxy.requestsTo('POST /v1/events').filter((request) => request.body.includes(setup.customer));
      expect(attempts).toHaveLength(2);
      const keys = attempts.map((request) => JSON.parse(request.body).idempotency_key);
      expect(keys).toEqual([accepted.idempotency_key, accepted.idempotency_key]);
      expect((await abaxus.usage.compute(usageOf(setup))).value).toBe('7');
    });

    it('retries a batch answered 503 and a customer answered too late, acting once each', async () => {
      const setup = await subscribedCustomer();
      proxy.failNext('POST /v1/events/batch', { kind: 'answer-503' });
      proxy.failNext('POST /v1/events/batch', { kind: 'answer-503' });
      const events = [1, 2, 3].map((value) => ({
        customer_id: setup.customer,
        metric_key: setup.metric,
        value: String(value),
        timestamp: '2026-03-17T14:00:00Z',
      }));
      const results = await flaky.events.sendBatch(events);
      expect(results.map((result) => result.status)).toEqual([202, 202, 202]);
      const attempts = proxy.requestsTo('POST /v1/events/batch').filter((request) => request.body.includes(setup.customer));
      expect(attempts.map((request) => request.outcome)).toEqual(['answer-503', 'answer-503', 207]);
      expect(new Set(attempts.map((request) => request.body)).size).toBe(1);
      expect(retries.map((notice) => (notice.reason as AbaxusApiError).status)).toEqual([503, 503]);
      expect((await abaxus.usage.compute(usageOf(setup))).value).toBe('6');

      retries = [];
      proxy.failNext('POST /v1/customers', { kind: 'delay-response', delayMs: 3_000 });
      const customerId = id('slow');
      const customer = await flaky.customers.create({ id: customerId, name: 'Slow Answer Ltd' });
      expect(customer).toMatchObject({ id: customerId, name: 'Slow Answer Ltd' });
      expect(retries).toEqual([expect.objectContaining({ operation: 'createCustomer', reason: expect.objectContaining({ timedOut: true }) })]);
      const attemptsForCustomer = proxy.requestsTo('POST /v1/customers').filter((request) => request.body.includes(customerId));
      expect(attemptsForCustomer).toHaveLength(2);
      expect(attemptsForCustomer[1].idempotencyKey).toBe(attemptsForCustomer[0].idempotencyKey);
    });

    it('gives up after maxAttempts with an AbaxusConnectionError', async () => {
      const key = id('never');
      for (let i = 0; i < 4; i++) proxy.failNext(`GET /v1/metrics/${key}`, { kind: 'drop-response' });
      const error = await flaky.metrics.get(key).catch((caught) => caught);
      expect(error).toBeInstanceOf(AbaxusConnectionError);
      expect(error).toMatchObject({ operation: 'getMetric', attempts: 4, timedOut: false });
      expect(proxy.requestsTo(`GET /v1/metrics/${key}`)).toHaveLength(4);
      expect(retries.map((notice) => notice.attempt)).toEqual([2, 3, 4]);
    });
  });

  describe('event batcher', () => {
    it('batches single events by 500, answers each with its own result, and counts exactly', async () => {
      const setup = await subscribedCustomer();
      const batcher = flaky.events.batcher({ flushIntervalMs: 100 });
      const event = (value: string) => ({ customer_id: setup.customer, metric_key: setup.metric, value, timestamp: '2026-03-17T14:00:00Z' });
      const values = Array.from({ length: 1_234 }, (_, i) => (i === 700 || i === 1_200 ? '-x' : String((i % 9) + 1)));
      const results = await Promise.all(values.map((value) => batcher.add(event(value))));
      await batcher.close();

      const batches = proxy.requestsTo('POST /v1/events/batch').filter((request) => request.body.includes(setup.customer));
      expect(batches.map((request) => JSON.parse(request.body).events.length)).toEqual([500, 500, 234]);
      expect(results.filter((result) => result.status === 400).map((result) => result.error?.errors?.[0]?.field)).toEqual([
        'events[200].value',
        'events[200].value',
      ]);
      expect(results.filter((result) => result.status === 202)).toHaveLength(1_232);
      const expected = values.filter((value) => value !== '-x').reduce((sum, value) => sum + Number(value), 0);
      expect((await abaxus.usage.compute(usageOf(setup))).value).toBe(String(expected));
    });

    it('sends a few events after the flush interval, in one batch', async () => {
      const setup = await subscribedCustomer();
      const batcher = flaky.events.batcher({ flushIntervalMs: 150 });
      const started = Date.now();
      const results = await Promise.all(
        ['1', '2', '3'].map((value) => batcher.add({ customer_id: setup.customer, metric_key: setup.metric, value, timestamp: '2026-03-17T14:00:00Z' })),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(results.map((result) => result.status)).toEqual([202, 202, 202]);
      const batches = proxy.requestsTo('POST /v1/events/batch').filter((request) => request.body.includes(setup.customer));
      expect(batches.map((request) => JSON.parse(request.body).events.length)).toEqual([3]);
      await batcher.close();
      expect((await abaxus.usage.compute(usageOf(setup))).value).toBe('6');
    });
  });
});
