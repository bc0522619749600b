import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS } from '@abaxus/domain/webhooks/delivery-retry-schedule';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import { NotificationsAppModule } from '../notifications-app.module';
import type { DeliveryDetailJson, DeliveryJson } from './webhook-deliveries.service';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveryRetention } from './webhook-delivery-retention';
import { MAX_IN_FLIGHT_PER_ENDPOINT } from './webhook-dispatcher';
import { deadLetterFact, invoiceFact, subscriptionCanceledFact } from '../testing/bus-facts';
import { WebhookReceiver } from '../testing/webhook-receiver';

const TIMEOUT_MS = 300;

/**
 * The notifications service alone (real PostgreSQL, embedded bus, a TestClock) delivering the
 * facts published on the bus to real HTTP receivers, which check every signature with the
 * `standardwebhooks` package.
 */
describe('webhook deliveries (notifications service)', () => {
  let sut: ServiceUnderTest;
  let receiver: WebhookReceiver;
  let sql: Client;
  const clock = new TestClock();

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => NotificationsAppModule.forRoot(runtime), {
      stub: ['catalog', 'aggregation', 'pricing'],
      env: { ABAXUS_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), ABAXUS_WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64') },
      clock,
    });
    receiver = await WebhookReceiver.start();
    sql = new Client({ connectionString: sut.databaseUrl });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await sut?.stop();
    await receiver?.close();
  });

  beforeEach(() => receiver.answer(() => ({ status: 200 })));

  /** From the start of the last attempt to the next one. */
  const retryGap = (delivery: DeliveryJson) => Date.parse(delivery.next_attempt_at!) - Date.parse(delivery.last_attempt_at!);
  const customer = (name: string) => `${name}_${randomBytes(4).toString('hex')}`;

  async function createEndpoint(events: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string; path: string }> {
    const path = `ep_${randomBytes(4).toString('hex')}`;
    const response = await sut.api('POST', '/v1/webhook-endpoints', { url: receiver.path(path), events, ...extra });
    expect(response.status).toBe(201);
    receiver.useSecret(path, response.body.secret);
    return { id: response.body.id, secret: response.body.secret, path };
  }

  const deliveries = async (endpointId: string) => (await sut.api('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`)).body.data as DeliveryJson[];

  it('signs every delivery so that an independent Standard Webhooks implementation verifies it, and logs it', async () => {
    const endpoint = await createEndpoint(['invoice.issued', 'invoice.paid']);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const cust = customer('sig');
    const { message, envelope } = invoiceFact(cust, 'invoice.paid', { payment_intent: 'pi_123' });
    await sut.bus.publish([message]);

    const request = await pollUntil(async () => {
      const found = receiver.at(endpoint.path).find((r) => r.payload.data.customer_id === cust);
      expect(found).toBeDefined();
      return found!;
    });
    expect(request.verified).toBe(true);
    expect(request.signatureValid).toBe(true);
    expect(request.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(request.payload).toEqual({ type: 'invoice.paid', timestamp: envelope.occurred_at, data: envelope.data });

    const [delivery] = await pollUntil(async () => {
      const list = await deliveries(endpoint.id);
      expect(list[0]?.status).toBe('succeeded');
      return list;
    });
    expect(delivery).toMatchObject({
      event_id: request.id,
      event_type: 'invoice.paid',
      customer_id: cust,
      attempts: 1,
      response_status: 200,
      next_attempt_at: null,
    });
    const detail = await sut.api('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}`);
    expect(detail.body.payload).toEqual(request.payload);
    expect(detail.body.attempt_log).toEqual([expect.objectContaining({ attempt: 1, response_status: 200, error: null })]);
    // The secret was shown once; the endpoint never shows it again, and the database holds it encrypted.
    expect((await sut.api('GET', `/v1/webhook-endpoints/${endpoint.id}`)).body).not.toHaveProperty('secret');
    const stored = await sql.query('SELECT sealed_secret FROM notifications.webhook_endpoints WHERE id = $1', [endpoint.id]);
    expect(stored.rows[0].sealed_secret).toMatch(/^aes256gcm:/);
    expect(stored.rows[0].sealed_secret).not.toContain(endpoint.secret.slice('whsec_'.length));
  });

  it('retries a 500 and a timeout with exponential backoff (the clock moves, nothing sleeps), then delivers', async () => {
    const endpoint = await createEndpoint(['invoice.issued']);
    const cust = customer('retry');
    receiver.answer((request, attempt) => {
      if (request.endpoint !== endpoint.path) return { status: 200 };
      if (attempt === 1) return { status: 500 };
      if (attempt === 2) return { status: 200, delayMs: TIMEOUT_MS * 10 };
      return { status: 204 };
    });
    await sut.bus.publish([invoiceFact(cust).message]);
    const ofCustomer = () => receiver.at(endpoint.path);
    await pollUntil(async () => expect(ofCustomer()).toHaveLength(1));
    const first = await pollUntil(async () => {
      const [delivery] = await deliveries(endpoint.id);
      expect(delivery.attempts).toBe(1);
      return delivery;
    });
    expect(first).toMatchObject({ status: 'pending', attempts: 1, response_status: 500, last_error: 'the endpoint answered 500' });
    // The delay counts from the end of the failed attempt.
    expect(retryGap(first)).toBeGreaterThanOrEqual(FIRST_RETRY_DELAY_MS);
    expect(retryGap(first)).toBeLessThan(FIRST_RETRY_DELAY_MS + 1000);

    // Not due yet: nothing is sent until the clock reaches the retry.
    clock.advance(FIRST_RETRY_DELAY_MS - 1000);
    await pollUntil(async () => expect((await deliveries(endpoint.id))[0].attempts).toBe(1), { timeoutMs: 1500 });
    expect(ofCustomer()).toHaveLength(1);
    clock.advance(1000);
    await pollUntil(async () => expect((await deliveries(endpoint.id))[0].attempts).toBe(2));
    const second = (await deliveries(endpoint.id))[0];
    expect(second).toMatchObject({ status: 'pending', response_status: null, last_error: `no answer within ${TIMEOUT_MS} ms` });
    expect(retryGap(second)).toBeGreaterThanOrEqual(2 * FIRST_RETRY_DELAY_MS + TIMEOUT_MS);
    expect(retryGap(second)).toBeLessThan(2 * FIRST_RETRY_DELAY_MS + TIMEOUT_MS + 1000);

    clock.advance(2 * FIRST_RETRY_DELAY_MS + 1000);
    await pollUntil(async () => expect((await deliveries(endpoint.id))[0].status).toBe('succeeded'));
    const detail = (await sut.api<DeliveryDetailJson>('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${second.id}`)).body;
    expect(detail.attempt_log.map((a) => [a.attempt, a.response_status])).toEqual([
      [1, 500],
      [2, null],
      [3, 204],
    ]);
    expect(detail.attempt_log[1].duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(detail.attempt_log[1].duration_ms).toBeLessThan(TIMEOUT_MS * 5);
    // The same message id on every attempt, each one signed afresh with its own timestamp.
    expect(new Set(ofCustomer().map((r) => r.id)).size).toBe(1);
    expect(ofCustomer().every((r) => r.signatureValid)).toBe(true);
  });

  it('keeps delivering to other endpoints while one receiver hangs, which holds at most 8 requests in flight', async () => {
    const slow = await createEndpoint(['invoice.issued']);
    const fast = await createEndpoint(['invoice.payment_failed']);
    receiver.answer((request) => (request.endpoint === slow.path ? { status: 200, delayMs: 60_000 } : { status: 200 }));
    // Twelve customers: their deliveries could all go at once, but one endpoint gets 8 slots.
    await sut.bus.publish(Array.from({ length: 12 }, (_, i) => invoiceFact(customer(`hang${i}`)).message));
    await pollUntil(async () => expect(receiver.at(slow.path).length).toBeGreaterThanOrEqual(MAX_IN_FLIGHT_PER_ENDPOINT));
    const other = customer('other');
    const started = Date.now();
    await sut.bus.publish([invoiceFact(other, 'invoice.payment_failed', { failure_code: 'card_declined' }).message]);
    await pollUntil(async () => expect((await deliveries(fast.id))[0]?.status).toBe('succeeded'));
    expect(Date.now() - started).toBeLessThan(5000);
    // Each hanging request ends at the timeout, which lets the waiting ones go; never more than 8 at once.
    await pollUntil(async () => expect(receiver.at(slow.path)).toHaveLength(12));
    expect(receiver.mostConcurrent(slow.path)).toBe(MAX_IN_FLIGHT_PER_ENDPOINT);
    await pollUntil(async () =>
      expect((await deliveries(slow.id)).every((d) => d.status === 'pending' && d.attempts === 1 && d.response_status === null)).toBe(true),
    );
  });

  it('delivers one customer’s events in order: a later one waits while an earlier one is retried; other customers do not wait', async () => {
    const endpoint = await createEndpoint(['invoice.issued', 'invoice.paid']);
    const a = customer('ordered');
    const b = customer('bystander');
    const firstOfA = invoiceFact(a, 'invoice.issued', { number: 'A-1' });
    receiver.answer((request, attempt) =>
      request.payload.data.number === 'A-1' && request.payload.type === 'invoice.issued' && attempt < 3 ? { status: 503 } : { status: 200 },
    );
    await sut.bus.publish([
      firstOfA.message,
      invoiceFact(a, 'invoice.paid', { number: 'A-1' }).message,
      invoiceFact(a, 'invoice.issued', { number: 'A-2' }).message,
      invoiceFact(b, 'invoice.issued', { number: 'B-1' }).message,
      invoiceFact(a, 'invoice.paid', { number: 'A-2' }).message,
    ]);
    const acceptedOf = (cust: string) => receiver.acceptedAt(endpoint.path).filter((r) => r.payload.data.customer_id === cust);
    const receivedOf = (cust: string) => receiver.at(endpoint.path).filter((r) => r.payload.data.customer_id === cust);
    await pollUntil(async () => expect(acceptedOf(b)).toHaveLength(1));
    await pollUntil(async () => expect(receivedOf(a)).toHaveLength(1));
    expect(acceptedOf(a)).toHaveLength(0);
    // The clock moves only once each failure is recorded (its retry is timed from the record).
    const attemptsOfA = async () => (await deliveries(endpoint.id)).filter((d) => d.customer_id === a).map((d) => [d.status, d.attempts]);
    await pollUntil(async () =>
      expect(await attemptsOfA()).toEqual([
        ['pending', 0],
        ['pending', 0],
        ['pending', 0],
        ['pending', 1],
      ]),
    );
    clock.advance(FIRST_RETRY_DELAY_MS);
    await pollUntil(async () => expect((await attemptsOfA())[3]).toEqual(['pending', 2]));
    expect(receivedOf(a)).toHaveLength(2);
    clock.advance(2 * FIRST_RETRY_DELAY_MS);
    await pollUntil(async () => expect(acceptedOf(a)).toHaveLength(4));
    expect(acceptedOf(a).map((r) => `${r.payload.type} ${r.payload.data.number}`)).toEqual([
      'invoice.issued A-1',
      'invoice.paid A-1',
      'invoice.issued A-2',
      'invoice.paid A-2',
    ]);
    expect(receivedOf(a).map((r) => r.answeredWith)).toEqual([503, 503, 200, 200, 200, 200]);
  });

  it('records a fact once: published twice, or redelivered, it makes one delivery per endpoint', async () => {
    const first = await createEndpoint(['invoice.issued', 'invoice.paid']);
    const second = await createEndpoint(['invoice.issued']);
    const cust = customer('twice');
    const fact = invoiceFact(cust);
    await sut.bus.publish([fact.message]);
    await sut.bus.publish([fact.message, fact.message]);
    await pollUntil(async () => {
      expect(await deliveries(first.id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
      expect(await deliveries(second.id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    });
    const later = invoiceFact(cust, 'invoice.paid');
    await sut.bus.publish([later.message]);
    await pollUntil(async () => expect(receiver.acceptedAt(first.path).map((r) => r.payload.type)).toEqual(['invoice.issued', 'invoice.paid']));
    expect(receiver.acceptedAt(second.path).map((r) => r.payload.type)).toEqual(['invoice.issued']);
  });

  it('sends subscription cancellations and rejected usage events (events.rejected) to the endpoints that asked for them', async () => {
    const endpoint = await createEndpoint(['subscription.canceled', 'events.rejected']);
    const cust = customer('facts');
    await sut.bus.publish([
      subscriptionCanceledFact({
        id: 'sub_x1',
        customer_id: cust,
        plan_id: 'plan_a',
        plan_version: 1,
        start_date: '2026-01-01T00:00:00.000Z',
        canceled_at: '2026-03-01T00:00:00.000Z',
        created_at: '2026-01-01T00:00:00.000Z',
      }),
      deadLetterFact(JSON.stringify({ customer_id: cust, metric_key: 'nope', idempotency_key: 'k1' }), cust, 'validation_failed: metric_key: unknown metric', {
        partition: 3,
        offset: '17',
      }),
      deadLetterFact('{not json', cust, 'malformed_json: Unexpected token', { partition: 3, offset: '18' }),
      invoiceFact(cust).message,
    ]);
    await pollUntil(async () => expect(receiver.acceptedAt(endpoint.path)).toHaveLength(3));
    const [canceled, rejected, malformed] = receiver.acceptedAt(endpoint.path);
    expect(canceled.payload).toMatchObject({ type: 'subscription.canceled', data: { id: 'sub_x1', canceled_at: '2026-03-01T00:00:00.000Z' } });
    expect(rejected.payload).toMatchObject({
      type: 'events.rejected',
      data: { source: 'dead_letter', reason: 'validation_failed: metric_key: unknown metric', idempotency_key: 'k1', event: { metric_key: 'nope' } },
    });
    expect(malformed.payload.data).toMatchObject({ source: 'dead_letter', raw: '{not json', truncated: false, idempotency_key: null });
    expect((await deliveries(endpoint.id)).map((d) => d.event_type).sort()).toEqual(['events.rejected', 'events.rejected', 'subscription.canceled']);
  });

  it('disables an endpoint whose delivery failed for 3 days, shows it, holds its other deliveries, and delivers again once enabled', async () => {
    const endpoint = await createEndpoint(['invoice.issued']);
    const cust = customer('down');
    receiver.answer((request) => (request.endpoint === endpoint.path ? { status: 500 } : { status: 200 }));
    await sut.bus.publish([invoiceFact(cust).message]);
    let attempts = 1;
    await pollUntil(async () => expect((await deliveries(endpoint.id))[0]?.attempts).toBe(1));
    for (;;) {
      const [delivery] = await deliveries(endpoint.id);
      if (delivery.status !== 'pending') break;
      clock.advance(Date.parse(delivery.next_attempt_at!) - clock.now().getTime());
      attempts += 1;
      await pollUntil(async () => expect((await deliveries(endpoint.id))[0].attempts).toBe(attempts));
    }
    const [failed] = await deliveries(endpoint.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 19, response_status: 500, next_attempt_at: null });
    const log = (await sut.api('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}`)).body.attempt_log;
    const span = Date.parse(log[18].attempted_at) - Date.parse(log[0].attempted_at);
    expect(span).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
    expect(span).toBeLessThan(3 * 24 * 3600 * 1000 + 60_000);
    expect(Date.parse(log[18].attempted_at) - Date.parse(log[17].attempted_at)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);

    const shown = (await sut.api('GET', `/v1/webhook-endpoints/${endpoint.id}`)).body;
    expect(shown).toMatchObject({ status: 'disabled', disabled_reason: 'retries_exhausted' });
    expect(shown.disabled_at).not.toBeNull();
    expect((await sut.api('GET', '/v1/webhook-endpoints?status=disabled')).body.data.map((e: { id: string }) => e.id)).toContain(endpoint.id);

    // While disabled: new events are kept, not sent; a manual retry must wait for it to be enabled.
    receiver.answer(() => ({ status: 200 }));
    await sut.bus.publish([invoiceFact(cust, 'invoice.issued', { number: 'AFTER' }).message]);
    await pollUntil(async () => expect(await deliveries(endpoint.id)).toHaveLength(2));
    const retryWhileDisabled = await sut.api('POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}/retry`);
    expect(retryWhileDisabled.status).toBe(409);
    expect(retryWhileDisabled.body.code).toBe('endpoint_disabled');
    clock.advance(60_000);
    expect(receiver.at(endpoint.path).filter((r) => r.payload.data.number === 'AFTER')).toHaveLength(0);

    const enabled = await sut.api('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { status: 'enabled' });
    expect(enabled.body).toMatchObject({ status: 'enabled', disabled_reason: null, disabled_at: null });
    await pollUntil(async () => expect(receiver.acceptedAt(endpoint.path).filter((r) => r.payload.data.number === 'AFTER')).toHaveLength(1));
    const retried = await sut.api('POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    await pollUntil(async () =>
      expect((await sut.api('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}`)).body).toMatchObject({ status: 'succeeded', attempts: 20 }),
    );
  });

  it('manages endpoints: validation by field, the secret shown once, list, update, delete', async () => {
    const invalid = await sut.api('POST', '/v1/webhook-endpoints', {
      url: 'ftp://example.test/hook',
      events: ['invoice.issued', 'invoice.exploded'],
      color: 'red',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['color', 'events']);
    const badUrl = await sut.api('POST', '/v1/webhook-endpoints', { url: 'ftp://example.test/hook', events: ['invoice.issued'] });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.errors).toEqual([{ field: 'url', message: 'must be an http or https URL' }]);
    const credentials = await sut.api('POST', '/v1/webhook-endpoints', { url: 'https://user:pw@example.test/hook', events: ['invoice.issued'] });
    expect(credentials.body.errors[0].field).toBe('url');
    expect((await sut.api('POST', '/v1/webhook-endpoints', { url: 'https://example.test/hook', events: [] })).body.errors[0].field).toBe('events');
    // Only loopback is allowed here (ABAXUS_WEBHOOK_ALLOWED_NETWORKS): the metadata service and private networks are not.
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.7/hook', 'http://[fd00::1]/hook']) {
      const internal = await sut.api('POST', '/v1/webhook-endpoints', { url, events: ['invoice.issued'] });
      expect(internal.status).toBe(400);
      expect(internal.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(/^must be a public address: .* is not a public address/) }]);
    }

    const created = await sut.api('POST', '/v1/webhook-endpoints', { url: 'https://example.test/hook', events: ['usage.alert_triggered'], description: 'ops' });
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^we_/), status: 'enabled', description: 'ops', events: ['usage.alert_triggered'] });
    const id = created.body.id;
    const updated = await sut.api('PATCH', `/v1/webhook-endpoints/${id}`, {
      events: ['invoice.paid', 'credits.balance_low'],
      description: null,
      status: 'disabled',
    });
    expect(updated.body).toMatchObject({
      events: ['invoice.paid', 'credits.balance_low'],
      description: null,
      status: 'disabled',
      disabled_reason: 'requested',
    });
    expect((await sut.api('PATCH', `/v1/webhook-endpoints/${id}`, { status: 'paused' })).body.errors[0].field).toBe('status');
    expect((await sut.api('PATCH', `/v1/webhook-endpoints/${id}`, { url: 'http://192.168.0.10/hook' })).body.errors[0].field).toBe('url');

    const page = await sut.api('GET', '/v1/webhook-endpoints?limit=1');
    expect(page.body).toMatchObject({ has_more: true, data: [expect.objectContaining({ id: expect.stringMatching(/^we_/) })] });
    const next = await sut.api('GET', `/v1/webhook-endpoints?limit=1&starting_after=${page.body.next_cursor}`);
    expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
    expect((await sut.api('GET', '/v1/webhook-endpoints?starting_after=we_nope')).status).toBe(400);

    expect((await sut.api('DELETE', `/v1/webhook-endpoints/${id}`)).body).toEqual({ id, deleted: true });
    expect((await sut.api('GET', `/v1/webhook-endpoints/${id}`)).status).toBe(404);
    expect((await sut.api('GET', `/v1/webhook-endpoints/${id}/deliveries`)).status).toBe(404);
    expect((await sut.api('DELETE', `/v1/webhook-endpoints/${id}`)).status).toBe(404);
  });

  it('deletes finished deliveries past the retention with their attempts and events, and never a pending one', async () => {
    const endpoint = await createEndpoint(['invoice.issued', 'invoice.paid']);
    const cust = customer('retention');
    await sut.bus.publish([invoiceFact(cust, 'invoice.issued').message, invoiceFact(cust, 'invoice.paid').message]);
    const [newer, older] = await pollUntil(async () => {
      const list = await deliveries(endpoint.id);
      expect(list.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
      return list;
    });
    receiver.answer(() => ({ status: 500 }));
    await sut.bus.publish([invoiceFact(customer('retention-pending'), 'invoice.issued').message]);
    const pending = await pollUntil(async () => {
      const list = await deliveries(endpoint.id);
      expect(list).toHaveLength(3);
      expect(list[0].attempts).toBeGreaterThan(0);
      return list[0];
    });
    expect(pending.status).toBe('pending');
    const now = clock.now().getTime();
    await sql.query(`UPDATE notifications.webhook_deliveries SET completed_at = $2, created_at = $2 WHERE id = $1`, [
      older.id,
      new Date(now - 31 * 86_400_000),
    ]);
    await sql.query(`UPDATE notifications.webhook_deliveries SET created_at = $2 WHERE id = $1`, [pending.id, new Date(now - 40 * 86_400_000)]);
    await sql.query(
      `UPDATE notifications.webhook_events SET recorded_at = $2 WHERE id IN (SELECT event_id FROM notifications.webhook_deliveries WHERE id = ANY($1))`,
      [[older.id, pending.id], new Date(now - 40 * 86_400_000)],
    );

    const dataSource = await new DataSource({ type: 'postgres', url: sut.databaseUrl }).initialize();
    try {
      const retention = new WebhookDeliveryRetention(new WebhookDeliveriesRepository(dataSource), clock, 30);
      expect(await retention.prune()).toBe(1);
      expect(await retention.prune()).toBe(0);
    } finally {
      await dataSource.destroy();
    }
    expect((await deliveries(endpoint.id)).map((d) => d.id)).toEqual([pending.id, newer.id]);
    const attempts = await sql.query('SELECT count(*)::int AS n FROM notifications.webhook_delivery_attempts WHERE delivery_id = $1', [older.id]);
    expect(attempts.rows[0].n).toBe(0);
    // Old events go once no delivery (of any endpoint) names them; the pending delivery's event stays.
    const orphans = await sql.query(
      `SELECT count(*)::int AS n FROM notifications.webhook_events e WHERE recorded_at < now() - interval '35 days'
       AND NOT EXISTS (SELECT 1 FROM notifications.webhook_deliveries d WHERE d.event_id = e.id)`,
    );
    expect(orphans.rows[0].n).toBe(0);
    const kept = await sql.query(
      'SELECT count(*)::int AS n FROM notifications.webhook_events e JOIN notifications.webhook_deliveries d ON d.event_id = e.id WHERE d.id = $1',
      [pending.id],
    );
    expect(kept.rows[0].n).toBe(1);
  });
});
