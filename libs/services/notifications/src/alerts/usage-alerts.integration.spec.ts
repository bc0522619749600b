import { randomBytes } from 'node:crypto';
import { TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest, StubRequest } from '@abaxus/platform/testing/service-under-test';
import { NotificationsAppModule } from '../notifications-app.module';
import { WebhookReceiver } from '../testing/webhook-receiver';
import type { UsageAlertJson } from './usage-alert-json';

/**
 * Usage alerts in the notifications service alone: usage messages published on the (embedded)
 * bus, the catalog, aggregation and pricing stubbed over HTTP, the firing sent to a real receiver.
 */
describe('usage alerts (notifications service)', () => {
  let sut: ServiceUnderTest;
  let receiver: WebhookReceiver;
  let endpointPath: string;
  /** What the aggregation stub answers for a customer's metric in a month (key: customer/metric/period_start). */
  const usage = new Map<string, number>();
  let aggregationDown = false;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => NotificationsAppModule.forRoot(runtime), { stub: ['catalog', 'aggregation', 'pricing'] });
    receiver = await WebhookReceiver.start();
    sut.stubs.aggregation!.on('POST /v1/usage/compute', (request: StubRequest) => {
      if (aggregationDown) return { status: 503, body: { code: 'usage_not_caught_up' } };
      const value = usage.get(`${request.body.customer_id}/${request.body.metric_key}/${request.body.period_start}`) ?? 0;
      return { status: 200, body: { value: String(value), meta: { consistency: 'strong' } } };
    });
    endpointPath = 'alerts';
    const endpoint = await sut.api('POST', '/v1/webhook-endpoints', { url: receiver.path(endpointPath), events: ['usage.alert_triggered'] });
    receiver.useSecret(endpointPath, endpoint.body.secret);
  });

  afterAll(async () => {
    await sut?.stop();
    await receiver?.close();
  });

  function knownCustomer(): string {
    const id = `cust_${randomBytes(4).toString('hex')}`;
    sut.stubs.catalog!.on(`GET /v1/customers/${id}`, { status: 200, body: { id } });
    return id;
  }
  sutMetric('calls');
  function sutMetric(key: string): void {
    beforeAll(() => sut.stubs.catalog!.on(`GET /v1/metrics/${key}`, { status: 200, body: { key } }));
  }

  const usageMessage = (customer: string, metric: string, timestamp: string) => ({
    topic: TOPICS.usageEvents,
    key: customer,
    value: JSON.stringify({ customer_id: customer, metric_key: metric, value: '1', timestamp, idempotency_key: randomBytes(8).toString('hex') }),
  });
  /** The start of the calendar month `offset` months from now (alerts look at periods that have not ended before they existed). */
  const month = (offset: number) => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString();
  };
  /** An instant in that month: its `day` at `time`. */
  const inMonth = (offset: number, day: number, time = '10:00:00') => `${month(offset).slice(0, 8)}${String(day).padStart(2, '0')}T${time}Z`;
  const firingsOf = (customer: string) => receiver.acceptedAt(endpointPath).filter((request) => request.payload.data.customer_id === customer);

  it('fires once per period while many batches of usage cross the threshold concurrently, and again in the next period', async () => {
    const customer = knownCustomer();
    const created = await sut.api<UsageAlertJson>('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: '100' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^alert_/), threshold: { usage: '100' }, metric_key: 'calls', triggers: [] });

    const thisMonth = `${customer}/calls/${month(0)}`;
    // 40 producers publish 5 events each at once; aggregation (stubbed) counts what was published.
    let published = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, producer) => {
        const batch = Array.from({ length: 5 }, (_, i) => usageMessage(customer, 'calls', inMonth(0, (producer % 28) + 1, `10:0${i}:00`)));
        published += batch.length;
        usage.set(thisMonth, published);
        await sut.bus.publish(batch);
      }),
    );
    await pollUntil(async () => expect(firingsOf(customer)).toHaveLength(1));
    const [firing] = firingsOf(customer);
    expect(firing.verified).toBe(true);
    expect(firing.payload).toMatchObject({
      type: 'usage.alert_triggered',
      data: {
        alert_id: created.body.id,
        customer_id: customer,
        metric_key: 'calls',
        threshold: { usage: '100' },
        period_start: month(0),
        period_end: month(1),
      },
    });
    expect(Number(firing.payload.data.value)).toBeGreaterThanOrEqual(100);

    // More usage this month fires nothing more; next month is a new period.
    usage.set(thisMonth, 500);
    usage.set(`${customer}/calls/${month(1)}`, 120);
    await sut.bus.publish([usageMessage(customer, 'calls', inMonth(0, 28)), usageMessage(customer, 'calls', inMonth(1, 2))]);
    await pollUntil(async () => expect(firingsOf(customer)).toHaveLength(2));
    expect(firingsOf(customer)[1].payload.data).toMatchObject({ period_start: month(1), value: '120' });
    await sut.bus.publish([usageMessage(customer, 'calls', inMonth(1, 3))]);
    const alert = await pollUntil(async () => {
      const shown = (await sut.api<UsageAlertJson>('GET', `/v1/alerts/${created.body.id}`)).body;
      expect(shown.triggers.map((trigger) => trigger.period_start)).toEqual([month(1), month(0)]);
      return shown;
    });
    expect(alert.triggers[1].event_id).toBe(firing.id);
    expect(firingsOf(customer)).toHaveLength(2);
  });

  it('does not fire below the threshold, for another metric, or for a period that ended before the alert existed', async () => {
    const customer = knownCustomer();
    const created = await sut.api<UsageAlertJson>('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: '10' } });
    usage.set(`${customer}/calls/2020-01-01T00:00:00.000Z`, 1000);
    usage.set(`${customer}/calls/${month(0)}`, 9);
    usage.set(`${customer}/storage/${month(0)}`, 1000);
    await sut.bus.publish([
      usageMessage(customer, 'calls', '2020-01-15T00:00:00Z'),
      usageMessage(customer, 'calls', inMonth(0, 15)),
      usageMessage(customer, 'storage', inMonth(0, 15)),
    ]);
    // Measured at 9: below the threshold.
    await pollUntil(async () => expect(sut.stubs.aggregation!.requests.some((request) => request.body.customer_id === customer)).toBe(true));
    usage.set(`${customer}/calls/${month(0)}`, 10);
    await sut.bus.publish([usageMessage(customer, 'calls', inMonth(0, 16))]);
    await pollUntil(async () => expect(firingsOf(customer)).toHaveLength(1));
    expect(firingsOf(customer)[0].payload.data).toMatchObject({ alert_id: created.body.id, value: '10', period_start: month(0) });
  });

  it('watches an amount: what the customer’s subscriptions in the period cost so far, priced by pricing (nothing stored)', async () => {
    const customer = knownCustomer();
    sut.stubs.catalog!.on('GET /v1/subscriptions', (request) => ({
      status: 200,
      body: {
        data:
          request.query.get('customer_id') === customer
            ? [
                { id: 'sub_live', customer_id: customer, plan_id: 'p', plan_version: 1, start_date: '2026-01-01T00:00:00Z', canceled_at: null },
                {
                  id: 'sub_old',
                  customer_id: customer,
                  plan_id: 'p',
                  plan_version: 1,
                  start_date: '2025-01-01T00:00:00Z',
                  canceled_at: '2025-06-01T00:00:00Z',
                },
              ]
            : [],
        has_more: false,
        next_cursor: null,
      },
    }));
    let total = '30.00';
    sut.stubs.pricing!.on('POST /internal/v1/pricing/preview', (request) => ({
      status: 200,
      body: {
        customer_id: customer,
        subscription_id: request.body.subscription_id,
        currency: 'EUR',
        total_amount: total,
        line_items: [
          { metric_key: null, model: 'flat_fee', quantity: '1', amount: '10.00' },
          { metric_key: 'calls', model: 'per_unit', quantity: '5', amount: String(Number(total) - 10) },
        ],
      },
    }));
    const created = await sut.api<UsageAlertJson>('POST', '/v1/alerts', { customer_id: customer, threshold: { amount: '50.00', currency: 'EUR' } });
    expect(created.body.threshold).toEqual({ amount: '50', currency: 'EUR' });
    await sut.bus.publish([usageMessage(customer, 'calls', inMonth(0, 2))]);
    await pollUntil(async () => expect(sut.stubs.pricing!.requests.some((request) => request.body.customer_id === customer)).toBe(true));
    total = '50.10';
    await sut.bus.publish([usageMessage(customer, 'calls', inMonth(0, 3))]);
    await pollUntil(async () => expect(firingsOf(customer)).toHaveLength(1));
    expect(firingsOf(customer)[0].payload.data).toMatchObject({ value: '50.1', currency: 'EUR', threshold: { amount: '50', currency: 'EUR' } });
    // Only the subscription running this month was priced, for this month.
    const previews = sut.stubs.pricing!.requests.filter((request) => request.body.customer_id === customer);
    expect(new Set(previews.map((request) => request.body.subscription_id))).toEqual(new Set(['sub_live']));
    expect(previews[0].body).toMatchObject({ period_start: month(0), period_end: month(1) });
  });

  it('tries a batch again while aggregation cannot answer, and fires once it can', async () => {
    const customer = knownCustomer();
    await sut.api('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: '1' } });
    usage.set(`${customer}/calls/${month(0)}`, 1);
    aggregationDown = true;
    await sut.bus.publish([usageMessage(customer, 'calls', inMonth(0, 4))]);
    await pollUntil(async () =>
      expect(sut.stubs.aggregation!.requests.filter((request) => request.body.customer_id === customer).length).toBeGreaterThanOrEqual(2),
    );
    expect(firingsOf(customer)).toHaveLength(0);
    aggregationDown = false;
    await pollUntil(async () => expect(firingsOf(customer)).toHaveLength(1));
  });

  it('validates alerts by field, refuses filters and unknown customers or metrics, lists and deletes', async () => {
    const customer = knownCustomer();
    const noMetric = await sut.api('POST', '/v1/alerts', { customer_id: customer, threshold: { usage: '5' } });
    expect([noMetric.status, noMetric.body.errors]).toEqual([400, [{ field: 'metric_key', message: expect.stringContaining('required') }]]);
    const badThreshold = await sut.api('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: 0.1 + 0.2 }, colour: 1 });
    expect(badThreshold.status).toBe(400);
    expect(badThreshold.body.errors.map((e: { field: string }) => e.field)).toEqual(['colour']);
    const badValue = await sut.api('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: 0.1 + 0.2 } });
    expect(badValue.body.errors.map((e: { field: string }) => e.field)).toEqual(['threshold.usage']);
    const filters = await sut.api('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: '5' }, filters: { region: ['eu'] } });
    expect([filters.status, filters.body.code]).toEqual([422, 'alert_filters_not_supported']);
    const unknownCustomer = await sut.api('POST', '/v1/alerts', { customer_id: 'cust_nobody', metric_key: 'calls', threshold: { usage: '5' } });
    expect([unknownCustomer.status, unknownCustomer.body.errors[0].field]).toEqual([404, 'customer_id']);
    const unknownMetric = await sut.api('POST', '/v1/alerts', { customer_id: customer, metric_key: 'nothing', threshold: { usage: '5' } });
    expect([unknownMetric.status, unknownMetric.body.errors[0].field]).toEqual([404, 'metric_key']);

    const first = (await sut.api('POST', '/v1/alerts', { customer_id: customer, metric_key: 'calls', threshold: { usage: '5' } })).body;
    const second = (await sut.api('POST', '/v1/alerts', { customer_id: customer, threshold: { amount: '9.99' } })).body;
    const page = await sut.api('GET', `/v1/alerts?customer_id=${customer}&limit=1`);
    // Newest first.
    expect(page.body).toMatchObject({ has_more: true, data: [{ id: second.id }] });
    expect((await sut.api('GET', `/v1/alerts?customer_id=${customer}&starting_after=${second.id}`)).body.data.map((a: { id: string }) => a.id)).toEqual([
      first.id,
    ]);
    expect((await sut.api('DELETE', `/v1/alerts/${first.id}`)).body).toEqual({ id: first.id, deleted: true });
    expect((await sut.api('GET', `/v1/alerts/${first.id}`)).status).toBe(404);
  });
});
