import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';
import { awaitCatalogEvents, catalogEvent } from '../testing/catalog-events';
import { customerBody, metricBody, pricePlanBody, subscriptionBody } from '../testing/catalog-requests.factory';

// Single-service tier: the catalog alone on a fresh database; invoicing (asked how far a
// subscription was invoiced before a cancel) is a stub.
describe('catalog subscriptions (service alone, real PostgreSQL)', () => {
  let catalog: ServiceUnderTest;
  let events: TopicRecorder;
  let metricKey: string;
  /** What the invoicing stub answers: where invoices of each subscription reach (absent: never invoiced). */
  const invoicedUntil = new Map<string, string>();

  beforeAll(async () => {
    catalog = await startServiceUnderTest((runtime) => CatalogAppModule.forRoot(runtime), { stub: ['invoicing'] });
    catalog.stubs.invoicing!.on('GET /internal/subscriptions/:id/invoiced-until', (request) => ({
      status: 200,
      body: { subscription_id: request.params.id, invoiced_until: invoicedUntil.get(request.params.id) ?? null },
    }));
    events = await catalog.listen(TOPICS.catalogEvents);
    const metric = await catalog.api('POST', '/v1/metrics', metricBody());
    metricKey = metric.body.key;
  });

  afterAll(() => catalog?.stop());

  async function createCustomer(): Promise<string> {
    const response = await catalog.api('POST', '/v1/customers', customerBody());
    expect(response.status).toBe(201);
    return response.body.id;
  }

  async function createPlan(id?: string): Promise<{ id: string; version: number }> {
    const response = await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, id ? { id } : {}));
    expect(response.status).toBe(201);
    return response.body;
  }

  function fieldsOf(body: { errors?: Array<{ field: string }> }): string[] {
    return (body.errors ?? []).map((error) => error.field);
  }

  it('creates an active subscription pinned to the latest plan version', async () => {
    const customerId = await createCustomer();
    const plan = await createPlan();
    await createPlan(plan.id);
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^sub_[A-Za-z0-9_-]+$/),
      status: 'active',
      customer_id: customerId,
      plan_id: plan.id,
      plan_version: 2,
      start_date: '2026-01-01T00:00:00.000Z',
      canceled_at: null,
      billing_interval: null,
      trial_end: null,
      test_clock: null,
      phases: [{ plan_id: plan.id, plan_version: 2, start: '2026-01-01T00:00:00.000Z', end: null }],
      created_at: expect.stringMatching(/Z$/),
      current_period_start: null,
      current_period_end: null,
    });
    expect((await catalog.api('GET', `/v1/subscriptions/${created.body.id}`)).body).toEqual(created.body);
  });

  it('keeps a subscription on its version after a new plan version is posted', async () => {
    const customerId = await createCustomer();
    const plan = await createPlan();
    const pinned = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id));
    expect(pinned.body.plan_version).toBe(1);
    const next = await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { id: plan.id, currency: 'EUR' }));
    expect(next.body.version).toBe(2);

    expect((await catalog.api('GET', `/v1/subscriptions/${pinned.body.id}`)).body.plan_version).toBe(1);
    expect((await catalog.api('GET', `/v1/price-plans/${plan.id}/versions/1`)).body).toMatchObject({ version: 1, currency: 'USD' });
    const later = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id));
    expect(later.body.plan_version).toBe(2);
  });

  it('is pending until a future start date, and starts now when none is given', async () => {
    const customerId = await createCustomer();
    const plan = await createPlan();
    const future = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const pending = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id, { start_date: future }));
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ status: 'pending', start_date: future });
    expect((await catalog.api('GET', `/v1/subscriptions/${pending.body.id}`)).body.status).toBe('pending');

    const before = Date.now();
    const now = await catalog.api('POST', '/v1/subscriptions', { customer_id: customerId, plan_id: plan.id });
    expect(now.status).toBe(201);
    expect(now.body.status).toBe('active');
    expect(Date.parse(now.body.start_date)).toBeGreaterThanOrEqual(before - 5000);
    expect(Date.parse(now.body.start_date)).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it('answers timestamps in UTC whatever offset they were given with', async () => {
    const created = await catalog.api(
      'POST',
      '/v1/subscriptions',
      subscriptionBody(await createCustomer(), (await createPlan()).id, { start_date: '2026-01-01T02:00:00+02:00' }),
    );
    expect(created.body.start_date).toBe('2026-01-01T00:00:00.000Z');
  });

  it('answers 404 for an unknown customer or plan', async () => {
    const customerId = await createCustomer();
    const plan = await createPlan();
    const noCustomer = await catalog.api('POST', '/v1/subscriptions', subscriptionBody('no_such_customer', plan.id));
    expect(noCustomer.status).toBe(404);
    expect(fieldsOf(noCustomer.body)).toEqual(['customer_id']);
    const noPlan = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, 'no_such_plan'));
    expect(noPlan.status).toBe(404);
    expect(fieldsOf(noPlan.body)).toEqual(['plan_id']);
    expect((await catalog.api('GET', '/v1/subscriptions/sub_nothing')).status).toBe(404);
  });

  it.each([
    ['a start date without an offset', { start_date: '2026-01-01T00:00:00' }, ['start_date']],
    ['a date without a time', { start_date: '2026-01-01' }, ['start_date']],
    ['an impossible date', { start_date: '2026-02-30T00:00:00Z' }, ['start_date']],
    ['a year PostgreSQL cannot store', { start_date: '0000-01-01T00:00:00Z' }, ['start_date']],
    ['a start date of the wrong type', { start_date: 1767225600 }, ['start_date']],
    ['a missing customer_id', { customer_id: undefined }, ['customer_id']],
    ['a plan_id of the wrong type', { plan_id: ['plan'] }, ['plan_id']],
    ['an unknown field', { coupon: 'FREE' }, ['coupon']],
  ])('refuses %s with a 400 naming the field', async (_case, overrides, fields) => {
    const response = await catalog.api('POST', '/v1/subscriptions', subscriptionBody('cust_x', 'plan_x', overrides));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(new Set(fieldsOf(response.body))).toEqual(new Set(fields));
  });

  it('keeps a trial_end after the start date, and refuses one at or before it with a 400 naming trial_end, writing nothing', async () => {
    const customerId = await createCustomer();
    const plan = await createPlan();
    const trial = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id, { trial_end: '2026-01-15T00:00:00+01:00' }));
    expect(trial.status).toBe(201);
    expect(trial.body).toMatchObject({ start_date: '2026-01-01T00:00:00.000Z', trial_end: '2026-01-14T23:00:00.000Z' });
    for (const trialEnd of ['2026-01-01T00:00:00Z', '2025-12-31T00:00:00Z']) {
      const refused = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id, { trial_end: trialEnd }));
      expect(refused.status).toBe(400);
      expect(fieldsOf(refused.body)).toEqual(['trial_end']);
    }
    expect((await catalog.api('GET', `/v1/subscriptions?customer_id=${customerId}`)).body.data.map((sub: { id: string }) => sub.id)).toEqual([trial.body.id]);
  });

  it('cancels now by default, publishes created then canceled, and refuses a second cancel with 409', async () => {
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), (await createPlan()).id));
    const before = Date.now();
    const canceled = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toEqual({
      ...created.body,
      status: 'canceled',
      canceled_at: expect.stringMatching(/Z$/),
      phases: [{ ...created.body.phases[0], end: canceled.body.canceled_at }],
    });
    expect(Date.parse(canceled.body.canceled_at)).toBeGreaterThanOrEqual(before - 5000);
    expect((await catalog.api('GET', `/v1/subscriptions/${created.body.id}`)).body).toEqual(canceled.body);

    const again = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'subscription_already_canceled' });

    // Events carry the stored record: the status and current period are computed when read, so they are not in them.
    const { status: _active, current_period_start: _s1, current_period_end: _e1, ...createdRecord } = created.body;
    const { status: _canceled, current_period_start: _s2, current_period_end: _e2, ...canceledRecord } = canceled.body;
    expect(await awaitCatalogEvents(events, created.body.id, 2)).toEqual([
      catalogEvent(created.body.id, 'subscription.created', createdRecord),
      catalogEvent(created.body.id, 'subscription.canceled', canceledRecord),
    ]);
  });

  it('cancels at a given time: still active until then', async () => {
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), (await createPlan()).id));
    const at = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const scheduled = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, { at });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ status: 'active', canceled_at: at });

    const past = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), (await createPlan()).id));
    const ended = await catalog.api('POST', `/v1/subscriptions/${past.body.id}/cancel`, { at: '2026-03-01T00:00:00Z' });
    expect(ended.body).toMatchObject({ status: 'canceled', canceled_at: '2026-03-01T00:00:00.000Z' });
  });

  it('refuses a cancel back-dated into an invoiced period with 422 naming `at`, writing and publishing nothing', async () => {
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), (await createPlan()).id));
    invoicedUntil.set(created.body.id, '2026-02-01T00:00:00.000Z');
    const backDated = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, { at: '2026-01-15T00:00:00Z' });
    expect(backDated.status).toBe(422);
    expect(backDated.body).toMatchObject({ code: 'period_already_invoiced' });
    expect(fieldsOf(backDated.body)).toEqual(['at']);
    expect((await catalog.api('GET', `/v1/subscriptions/${created.body.id}`)).body.canceled_at).toBeNull();
    expect(catalog.stubs.invoicing!.received('GET /internal/subscriptions/:id/invoiced-until').map((request) => request.params.id)).toContain(created.body.id);

    const atTheEnd = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, { at: '2026-02-01T00:00:00Z' });
    expect(atTheEnd.body).toMatchObject({ status: 'canceled', canceled_at: '2026-02-01T00:00:00.000Z' });
    const { status: _active, current_period_start: _s1, current_period_end: _e1, ...createdRecord } = created.body;
    const { status: _canceled, current_period_start: _s2, current_period_end: _e2, ...canceledRecord } = atTheEnd.body;
    expect(await awaitCatalogEvents(events, created.body.id, 2)).toEqual([
      catalogEvent(created.body.id, 'subscription.created', createdRecord),
      catalogEvent(created.body.id, 'subscription.canceled', canceledRecord),
    ]);
  });

  it('answers 503 and cancels nothing when invoicing cannot say how far the subscription was invoiced', async () => {
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), (await createPlan()).id));
    catalog.stubs.invoicing!.on(`GET /internal/subscriptions/${created.body.id}/invoiced-until`, { status: 500, body: {} });
    const refused = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, {});
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'invoicing_unavailable' });
    expect((await catalog.api('GET', `/v1/subscriptions/${created.body.id}`)).body.canceled_at).toBeNull();
  });

  it('validates the cancel body and answers 404 for an unknown subscription', async () => {
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), (await createPlan()).id));
    const badAt = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, { at: 'tomorrow' });
    expect(badAt.status).toBe(400);
    expect(fieldsOf(badAt.body)).toEqual(['at']);
    const unknownField = await catalog.api('POST', `/v1/subscriptions/${created.body.id}/cancel`, { reason: 'too expensive' });
    expect(fieldsOf(unknownField.body)).toEqual(['reason']);
    expect((await catalog.api('GET', `/v1/subscriptions/${created.body.id}`)).body.canceled_at).toBeNull();
    expect((await catalog.api('POST', '/v1/subscriptions/sub_nothing/cancel')).status).toBe(404);
  });

  it('lists subscriptions newest first, filtered by customer, with cursor pagination', async () => {
    const customerId = await createCustomer();
    const plan = await createPlan();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customerId, plan.id))).body.id);
    await catalog.api('POST', '/v1/subscriptions', subscriptionBody(await createCustomer(), plan.id));

    const first = await catalog.api('GET', `/v1/subscriptions?customer_id=${customerId}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((subscription: { id: string }) => subscription.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.data[0]).toMatchObject({ status: 'active', customer_id: customerId });
    expect(first.body).toMatchObject({ has_more: true, next_cursor: ids[1] });
    const second = await catalog.api('GET', `/v1/subscriptions?customer_id=${customerId}&limit=2&starting_after=${first.body.next_cursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], has_more: false, next_cursor: null });

    const all = await catalog.api('GET', '/v1/subscriptions?limit=500');
    expect(all.body.data.length).toBeGreaterThan(4);
    expect(new Set(all.body.data.map((subscription: { customer_id: string }) => subscription.customer_id)).size).toBeGreaterThan(1);
    expect((await catalog.api('GET', '/v1/subscriptions?customer_id=no_such_customer')).body).toEqual({ data: [], has_more: false, next_cursor: null });
    expect((await catalog.api('GET', '/v1/subscriptions?status=active')).status).toBe(400);
  });
});
