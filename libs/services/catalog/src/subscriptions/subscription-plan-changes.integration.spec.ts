import { TOPICS } from '@abaxus/contracts/topics';
import { startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { CatalogAppModule } from '../catalog-app.module';
import { awaitCatalogEvents, catalogEventsOf } from '../testing/catalog-events';
import { customerBody, metricBody, pricePlanBody, subscriptionBody } from '../testing/catalog-requests.factory';

// Single-service tier: the catalog alone on a fresh database; invoicing (how far a subscription
// was invoiced, and test clocks' time) is a stub.
describe('catalog plan changes: POST /v1/subscriptions/{id}/change (service alone, real PostgreSQL)', () => {
  let catalog: ServiceUnderTest;
  let events: TopicRecorder;
  let metricKey: string;
  const invoicedUntil = new Map<string, string>();
  const clockTime = '2026-01-20T00:00:00.000Z';

  beforeAll(async () => {
    catalog = await startServiceUnderTest((runtime) => CatalogAppModule.forRoot(runtime), { stub: ['invoicing'] });
    catalog.stubs.invoicing!.on('GET /internal/subscriptions/:id/invoiced-until', (request) => ({
      status: 200,
      body: { subscription_id: request.params.id, invoiced_until: invoicedUntil.get(request.params.id) ?? null },
    }));
    catalog.stubs.invoicing!.on('GET /v1/test-clocks/:id', (request) =>
      request.params.id === 'clock_jan20' ? { status: 200, body: { id: 'clock_jan20', frozen_time: clockTime } } : { status: 404, body: {} },
    );
    events = await catalog.listen(TOPICS.catalogEvents);
    metricKey = (await catalog.api('POST', '/v1/metrics', metricBody())).body.key;
  });

  afterAll(() => catalog?.stop());

  async function plan(overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await catalog.api('POST', '/v1/price-plans', pricePlanBody(metricKey, { billing_interval: 'month', ...overrides }));
    expect(response.status).toBe(201);
    return response.body.id;
  }

  /** A monthly subscription from Jan 1 on the test clock frozen at Jan 20. */
  async function subscription(planId: string, overrides: Record<string, unknown> = {}) {
    const customer = await catalog.api('POST', '/v1/customers', customerBody());
    const created = await catalog.api('POST', '/v1/subscriptions', subscriptionBody(customer.body.id, planId, { test_clock: 'clock_jan20', ...overrides }));
    expect(created.status).toBe(201);
    return created.body;
  }

  const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((error) => error.field);

  it("changes now by default (the subscription's clock): phases record both plans, the id and cycle stay, subscription.changed is published", async () => {
    const basic = await plan();
    const pro = await plan();
    const created = await subscription(basic);
    const changed = await catalog.api('POST', `/v1/subscriptions/${created.id}/change`, { plan_id: pro });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      id: created.id,
      status: 'active',
      plan_id: pro,
      plan_version: 1,
      start_date: '2026-01-01T00:00:00.000Z',
      current_period_start: '2026-01-01T00:00:00.000Z',
      current_period_end: '2026-02-01T00:00:00.000Z',
      phases: [
        { plan_id: basic, plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: clockTime },
        { plan_id: pro, plan_version: 1, start: clockTime, end: null },
      ],
    });
    expect((await catalog.api('GET', `/v1/subscriptions/${created.id}`)).body).toEqual(changed.body);
    const published = await awaitCatalogEvents(events, created.id, 2);
    expect(published[1].envelope).toMatchObject({ type: 'subscription.changed', data: { id: created.id, plan_id: pro, phases: changed.body.phases } });
  });

  it('schedules a future change: the plan in force stays until then; a later request replaces it; asking for the plan in force cancels it', async () => {
    const basic = await plan();
    const pro = await plan();
    const max = await plan();
    const created = await subscription(basic);
    const scheduled = await catalog.api('POST', `/v1/subscriptions/${created.id}/change`, { plan_id: pro, at: '2026-02-01T00:00:00Z' });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.plan_id).toBe(basic);
    expect(scheduled.body.phases.map((phase: { plan_id: string }) => phase.plan_id)).toEqual([basic, pro]);

    const replaced = await catalog.api('POST', `/v1/subscriptions/${created.id}/change`, { plan_id: max, at: '2026-01-25T00:00:00Z' });
    expect(replaced.body.phases).toEqual([
      { plan_id: basic, plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-01-25T00:00:00.000Z' },
      { plan_id: max, plan_version: 1, start: '2026-01-25T00:00:00.000Z', end: null },
    ]);
    const canceledChange = await catalog.api('POST', `/v1/subscriptions/${created.id}/change`, { plan_id: basic, at: '2026-01-25T00:00:00Z' });
    expect(canceledChange.status).toBe(200);
    expect(canceledChange.body.phases).toEqual([{ plan_id: basic, plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: null }]);
    const unchanged = await catalog.api('POST', `/v1/subscriptions/${created.id}/change`, { plan_id: basic });
    expect(unchanged.status).toBe(422);
    expect([unchanged.body.code, fields(unchanged.body)]).toEqual(['plan_unchanged', ['plan_id']]);
  });

  it('refuses bad changes with the field named, writing and publishing nothing', async () => {
    const basic = await plan();
    const euro = await plan({ currency: 'EUR' });
    const yearly = await plan({ billing_interval: 'year' });
    const created = await subscription(basic);
    invoicedUntil.set(created.id, '2026-01-10T00:00:00.000Z');
    const change = (body: Record<string, unknown>) => catalog.api('POST', `/v1/subscriptions/${created.id}/change`, body);
    const cases: Array<[Record<string, unknown>, number, string, string[]]> = [
      [{ plan_id: 'plan_nope' }, 404, 'not_found', ['plan_id']],
      [{ plan_id: euro }, 422, 'currency_mismatch', ['plan_id']],
      [{ plan_id: yearly }, 422, 'billing_interval_mismatch', ['plan_id']],
      [{ plan_id: await plan(), at: '2026-01-05T00:00:00Z' }, 422, 'period_already_invoiced', ['at']],
      [{ plan_id: await plan(), at: '2025-12-01T00:00:00Z' }, 422, 'period_already_invoiced', ['at']],
      [{ plan_id: await plan(), at: 'yesterday' }, 400, 'validation_failed', ['at']],
      [{ plan_id: '' }, 400, 'validation_failed', ['plan_id']],
      [{ plan_id: basic, extra: 1 }, 400, 'validation_failed', ['extra']],
    ];
    for (const [body, status, code, named] of cases) {
      const refused = await change(body);
      expect([JSON.stringify(body), refused.status, refused.body.code, fields(refused.body)]).toEqual([JSON.stringify(body), status, code, named]);
    }
    invoicedUntil.delete(created.id);
    const beforeStart = await change({ plan_id: await plan(), at: '2025-12-01T00:00:00Z' });
    expect([beforeStart.status, beforeStart.body.code, fields(beforeStart.body)]).toEqual([422, 'change_before_start', ['at']]);

    expect((await catalog.api('GET', `/v1/subscriptions/${created.id}`)).body.phases).toHaveLength(1);
    expect(catalogEventsOf(events, created.id).map((event) => event.envelope.type)).toEqual(['subscription.created']);
    expect((await catalog.api('POST', '/v1/subscriptions/sub_unknown/change', { plan_id: basic })).status).toBe(404);
  });

  it('refuses a change on a canceled subscription (409) or after its scheduled end (422); a cancel drops a change scheduled after it', async () => {
    const basic = await plan();
    const pro = await plan();
    const ended = await subscription(basic);
    await catalog.api('POST', `/v1/subscriptions/${ended.id}/cancel`, { at: '2026-01-15T00:00:00Z' });
    const onCanceled = await catalog.api('POST', `/v1/subscriptions/${ended.id}/change`, { plan_id: pro, at: '2026-01-10T00:00:00Z' });
    expect([onCanceled.status, onCanceled.body.code]).toEqual([409, 'subscription_canceled']);

    const ending = await subscription(basic);
    await catalog.api('POST', `/v1/subscriptions/${ending.id}/cancel`, { at: '2026-03-01T00:00:00Z' });
    const afterEnd = await catalog.api('POST', `/v1/subscriptions/${ending.id}/change`, { plan_id: pro, at: '2026-03-02T00:00:00Z' });
    expect([afterEnd.status, afterEnd.body.code, fields(afterEnd.body)]).toEqual([422, 'change_after_end', ['at']]);
    const beforeEnd = await catalog.api('POST', `/v1/subscriptions/${ending.id}/change`, { plan_id: pro, at: '2026-02-01T00:00:00Z' });
    expect(beforeEnd.body.phases.map((phase: { end: string | null }) => phase.end)).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);

    const scheduled = await subscription(basic);
    await catalog.api('POST', `/v1/subscriptions/${scheduled.id}/change`, { plan_id: pro, at: '2026-02-10T00:00:00Z' });
    const canceled = await catalog.api('POST', `/v1/subscriptions/${scheduled.id}/cancel`, { at: '2026-02-01T00:00:00Z' });
    expect(canceled.body.phases).toEqual([{ plan_id: basic, plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' }]);
  });
});
