import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TOPICS } from '@abaxus/contracts/topics';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceStub, startServiceUnderTest, ServiceUnderTest, TopicRecorder } from '@abaxus/platform/testing/service-under-test';
import { catalogEventMessages, customerCreated, metricCreated, subscriptionCreated } from '@abaxus/usage-events/catalog-copy/testing/catalog-event-messages';
import { IngestionAppModule } from '../ingestion-app.module';

/** Aggregation's internal endpoint for backfills (it owns the events store). */
const BACKFILL_INTERNAL_PATH = '/internal/v1/events/backfill';

// Single-service tier: ingestion alone on a fresh database. Its catalog read copy is seeded with
// catalog events on the bus; the catalog (asked for what the copy lacks) and aggregation (which
// owns backfills) are stubs.

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function usageEvent(customerId: string, metricKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { customer_id: customerId, metric_key: metricKey, value: '1', timestamp: '2026-03-17T14:00:00Z', idempotency_key: uniqueId('evt'), ...overrides };
}

interface PublishedUsage {
  key: string | null;
  event: Record<string, unknown>;
}

describe('event ingestion (service alone, catalog copy from the bus, real PostgreSQL)', () => {
  let ingestion: ServiceUnderTest;
  let catalog: ServiceStub;
  let usage: TopicRecorder;
  const customer = uniqueId('cust');
  const otherCustomer = uniqueId('cust');
  const otherSubscription = uniqueId('sub');
  const counted = uniqueId('m_sum');
  const decimal = uniqueId('m_max');
  /** The idempotency keys of every event answered 202, to compare with what reached the topic. */
  const accepted: string[] = [];

  const published = (): PublishedUsage[] =>
    usage.messages.map((message) => ({ key: message.key, event: JSON.parse(message.value) as Record<string, unknown> }));

  /** Waits until the events with these keys are on the usage topic, and returns them in that order. */
  const awaitPublished = (keys: string[]): Promise<PublishedUsage[]> =>
    pollUntil(async () => {
      const found = keys.map((key) => published().find((message) => message.event.idempotency_key === key));
      expect(found.every(Boolean)).toBe(true);
      return found as PublishedUsage[];
    });

  const post = async (path: string, body: unknown, headers?: Record<string, string>) => {
    const response = await ingestion.api('POST', path, body, headers);
    if (response.status === 202) accepted.push(response.body.idempotency_key);
    if (response.status === 207) for (const result of response.body.results) if (result.status === 202) accepted.push(result.idempotency_key);
    return response;
  };

  /** Reads ingestion's own tables. */
  const query = async (text: string, values: unknown[]): Promise<Array<Record<string, unknown>>> => {
    const sql = new Client({ connectionString: ingestion.databaseUrl });
    await sql.connect();
    try {
      return (await sql.query(text, values)).rows;
    } finally {
      await sql.end();
    }
  };

  beforeAll(async () => {
    ingestion = await startServiceUnderTest((runtime) => IngestionAppModule.forRoot(runtime), { stub: ['catalog', 'aggregation'] });
    catalog = ingestion.stubs.catalog!;
    usage = await ingestion.listen(TOPICS.usageEvents);
    await ingestion.bus.publish(
      catalogEventMessages(
        metricCreated(counted, 'sum'),
        metricCreated(decimal, 'max', 'decimal'),
        customerCreated(customer),
        customerCreated(otherCustomer),
        subscriptionCreated(otherSubscription, otherCustomer),
      ),
    );
    await pollUntil(async () => {
      const [copy] = await query(
        `SELECT (SELECT count(*) FROM ingestion.catalog_metrics) AS metrics, (SELECT count(*) FROM ingestion.catalog_customers) AS customers,
                (SELECT customer_id FROM ingestion.catalog_subscriptions WHERE id = $1) AS owner`,
        [otherSubscription],
      );
      expect(copy).toEqual({ metrics: '2', customers: '2', owner: otherCustomer });
    });
  });

  afterAll(() => ingestion?.stop());

  it('accepts an event posted the way `curl -d` sends it (form content type) with 202, and publishes it keyed by customer', async () => {
    const key = uniqueId('evt');
    const body = `{
    "customer_id":     "${customer}",
    "metric_key":      "${counted}",
    "value":           "1",
    "timestamp":       "2026-03-17T14:00:00Z",
    "idempotency_key": "${key}",
    "properties": { "region": "us-east-1" }
  }`;
    const response = await post('/v1/events', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ idempotency_key: key, status: 'accepted' });
    expect(await awaitPublished([key])).toEqual([
      {
        key: customer,
        event: {
          customer_id: customer,
          metric_key: counted,
          value: '1',
          timestamp: '2026-03-17T14:00:00.000Z',
          idempotency_key: key,
          properties: { region: 'us-east-1' },
        },
      },
    ]);
    // Validated from the read copy the catalog events fed: the catalog was never asked.
    expect(catalog.requests).toEqual([]);
  });

  it.each([
    ['a missing idempotency key', { idempotency_key: undefined }, 'idempotency_key', 'is required'],
    ['an empty idempotency key', { idempotency_key: '' }, 'idempotency_key', 'must be 1 to 255 characters long'],
    ['a 256-character idempotency key', { idempotency_key: 'k'.repeat(256) }, 'idempotency_key', 'must be 1 to 255 characters long'],
    ['an unknown field', { region: 'eu' }, 'region', 'is not a known field'],
    ['a timestamp without offset', { timestamp: '2026-03-17T14:00:00' }, 'timestamp', expect.stringContaining('RFC 3339')],
    [
      'a timestamp 6 minutes ahead',
      { timestamp: new Date(Date.now() + 6 * 60_000).toISOString() },
      'timestamp',
      'must not be more than 5 minutes in the future',
    ],
    ['an unknown metric', { metric_key: 'no_such_metric' }, 'metric_key', 'no metric "no_such_metric" exists'],
    ['an unknown customer', { customer_id: 'cust_nobody' }, 'customer_id', 'no customer "cust_nobody" exists'],
    ['a value that is not an integer', { value: '1.5' }, 'value', expect.stringContaining('integer')],
    ['a missing value', { value: undefined }, 'value', 'is required'],
  ])('refuses %s with 400 and the field path', async (_name, overrides, field, message) => {
    const event = Object.fromEntries(Object.entries(usageEvent(customer, counted, overrides)).filter(([, value]) => value !== undefined));
    const response = await post('/v1/events', event);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field, message }] });
  });

  it('asks the catalog about what the copy lacks: unknown there is refused, known there is accepted and kept in the copy', async () => {
    // The two "unknown" cases above were asked of the catalog (whose stub answers 404 to anything unrouted).
    expect(catalog.received('GET /v1/metrics/:key').map((request) => request.params.key)).toEqual(['no_such_metric']);
    expect(catalog.received('GET /v1/customers/:id').map((request) => request.params.id)).toEqual(['cust_nobody']);

    const freshCustomer = uniqueId('cust');
    const freshMetric = uniqueId('m_count');
    catalog.on(`GET /v1/customers/${freshCustomer}`, { status: 200, body: customerCreated(freshCustomer).data });
    catalog.on(`GET /v1/metrics/${freshMetric}`, { status: 200, body: metricCreated(freshMetric, 'count').data });
    const asked = catalog.requests.length;
    expect((await post('/v1/events', usageEvent(freshCustomer, freshMetric))).status).toBe(202);
    expect(catalog.requests.length).toBe(asked + 2);
    expect((await post('/v1/events', usageEvent(freshCustomer, freshMetric))).status).toBe(202);
    expect(catalog.requests.length).toBe(asked + 2);
    const [copy] = await query(
      `SELECT (SELECT aggregation_type FROM ingestion.catalog_metrics WHERE key = $1) AS metric,
              (SELECT count(*) FROM ingestion.catalog_customers WHERE id = $2) AS customers`,
      [freshMetric, freshCustomer],
    );
    expect(copy).toEqual({ metric: 'count', customers: '1' });
  });

  it('answers 503 catalog_unavailable when the catalog cannot answer about what the copy lacks', async () => {
    catalog.on('GET /v1/metrics/:key', { status: 500, body: { status: 500, code: 'internal_error', detail: 'boom' } });
    try {
      const response = await post('/v1/events', usageEvent(customer, uniqueId('m_unknown')));
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'catalog_unavailable' });
    } finally {
      catalog.on('GET /v1/metrics/:key', { status: 404, body: { status: 404, code: 'not_found', detail: 'no such metric' } });
    }
  });

  it('refuses a subscription that belongs to another customer, and accepts one of the customer', async () => {
    const foreign = await post('/v1/events', usageEvent(customer, counted, { subscription_id: otherSubscription }));
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ field: 'subscription_id', message: expect.stringContaining('does not belong') }]);
    const own = await post('/v1/events', usageEvent(otherCustomer, counted, { subscription_id: otherSubscription }));
    expect(own.status).toBe(202);
    const [message] = await awaitPublished([own.body.idempotency_key]);
    expect(message).toMatchObject({ key: otherCustomer, event: { customer_id: otherCustomer, subscription_id: otherSubscription } });
  });

  it('answers a batch with 207 and one result per item; invalid items never block the valid ones, which are published in order', async () => {
    const duplicate = usageEvent(customer, counted, { value: '10' });
    const events = [
      usageEvent(customer, counted, { value: '1' }),
      usageEvent(customer, counted, { value: 'two' }),
      duplicate,
      { ...duplicate, value: '1000' },
      usageEvent(customer, counted, { value: '100', extra: true }),
      'not an event',
      usageEvent(customer, counted, { value: '10000' }),
    ];
    const response = await post('/v1/events/batch', { events });
    expect(response.status).toBe(207);
    const results = response.body.results as Array<{ index: number; idempotency_key: string | null; status: number; error?: { errors: unknown[] } }>;
    expect(results.map((result) => [result.index, result.status])).toEqual([
      [0, 202],
      [1, 400],
      [2, 202],
      [3, 202],
      [4, 400],
      [5, 400],
      [6, 202],
    ]);
    expect(results[1]).toMatchObject({ idempotency_key: expect.any(String), error: { code: 'validation_failed', errors: [{ field: 'events[1].value' }] } });
    expect(results[4].error?.errors).toEqual([{ field: 'events[4].extra', message: 'is not a known field' }]);
    expect(results[5]).toMatchObject({ idempotency_key: null, error: { errors: [{ field: 'events[5]', message: 'must be a JSON object' }] } });
    // Ingestion publishes every valid item, a repeated key too: the first event of a key wins where events are stored (aggregation).
    const batchKeys = new Set([0, 2, 6].map((index) => (events[index] as Record<string, unknown>).idempotency_key));
    await awaitPublished([...batchKeys] as string[]);
    const fromBatch = published().filter((message) => batchKeys.has(message.event.idempotency_key));
    expect(fromBatch.map((message) => [message.key, message.event.value])).toEqual([
      [customer, '1'],
      [customer, '10'],
      [customer, '1000'],
      [customer, '10000'],
    ]);
  });

  it('refuses a batch of more than 500 events with 413, and an empty one or one that is not a list with 400', async () => {
    const tooMany = await post('/v1/events/batch', { events: Array.from({ length: 501 }, () => usageEvent(customer, counted)) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.headers.get('content-type')).toContain('application/problem+json');
    expect(tooMany.body).toMatchObject({ code: 'too_many_events', errors: [{ field: 'events', message: 'must hold 1 to 500 events' }] });
    const empty = await post('/v1/events/batch', { events: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ field: 'events', message: 'must hold 1 to 500 events' }]);
    const notAList = await post('/v1/events/batch', { events: {}, other: 1 });
    expect(notAList.status).toBe(400);
  });

  it("hands a backfill to aggregation unchanged and answers with aggregation's answer", async () => {
    const aggregation = ingestion.stubs.aggregation!;
    const events = [usageEvent(customer, counted)];
    aggregation.on(`POST ${BACKFILL_INTERNAL_PATH}`, (request) => ({
      status: 207,
      body: { results: request.body.events.map((_: unknown, index: number) => ({ index, status: 202 })) },
    }));
    const ok = await ingestion.api('POST', '/v1/events/backfill', { events });
    expect(ok.status).toBe(207);
    expect(ok.body).toEqual({ results: [{ index: 0, status: 202 }] });
    expect(aggregation.received(`POST ${BACKFILL_INTERNAL_PATH}`).map((request) => request.body)).toEqual([{ events }]);

    const refusal = {
      type: 'https://abaxus.dev/problems/too-many-events',
      title: 'Content Too Large',
      status: 413,
      code: 'too_many_events',
      detail: 'split it',
    };
    aggregation.on(`POST ${BACKFILL_INTERNAL_PATH}`, { status: 413, body: refusal });
    const tooMany = await ingestion.api('POST', '/v1/events/backfill', { events });
    expect(tooMany.status).toBe(413);
    expect(tooMany.headers.get('content-type')).toContain('application/problem+json');
    expect(tooMany.body).toEqual(refusal);
  });

  it('accepts decimal values given as strings or exact JSON numbers, publishing them as decimal strings, and refuses inexact ones', async () => {
    const exact = [usageEvent(customer, decimal, { value: '0.000000000001' }), usageEvent(customer, decimal, { value: 2.5 })];
    const response = await post('/v1/events/batch', { events: exact });
    expect(response.body.results.map((result: { status: number }) => result.status)).toEqual([202, 202]);
    const messages = await awaitPublished(exact.map((event) => event.idempotency_key as string));
    expect(messages.map((message) => message.event.value)).toEqual(['0.000000000001', '2.5']);
    const inexact = await post(
      '/v1/events',
      `{"customer_id":"${customer}","metric_key":"${decimal}","value":0.30000000000000004,"timestamp":"2026-03-17T14:00:00Z","idempotency_key":"${uniqueId('evt')}"}`,
    );
    expect(inexact.status).toBe(400);
    expect(inexact.body.errors[0].field).toBe('value');
  });

  it("answers the embedded engine's in-process calls (no HTTP stack) exactly as over HTTP: status, content type and body", async () => {
    const valid = JSON.stringify(usageEvent(customer, counted, { value: '7' }));
    const cases: Array<[string, string]> = [
      ['/v1/events', valid],
      // The same event again: accepted again (aggregation keeps the first of a key).
      ['/v1/events', valid],
      ['/v1/events', JSON.stringify(usageEvent(customer, counted, { value: 'seven' }))],
      ['/v1/events', JSON.stringify(usageEvent(uniqueId('nobody'), counted))],
      ['/v1/events', '{"customer_id": '],
      ['/v1/events', ''],
      ['/v1/events/batch', JSON.stringify({ events: [usageEvent(customer, counted, { value: '3' }), usageEvent(customer, counted, { valu: '3' })] })],
      ['/v1/events/batch', JSON.stringify({ events: 'none' })],
    ];
    for (const [path, body] of cases) {
      const overHttp = await fetch(`${ingestion.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const httpText = await overHttp.text();
      const inProcess = await ingestion.callInProcess('POST', path, body);
      expect({ path, body, status: inProcess.status, type: inProcess.headers['content-type'], answer: JSON.parse(inProcess.body.toString('utf8')) }).toEqual({
        path,
        body,
        status: overHttp.status,
        type: overHttp.headers.get('content-type'),
        answer: JSON.parse(httpText),
      });
      // Both were accepted: recorded twice, in the order they were published.
      for (const answer of [JSON.parse(httpText), JSON.parse(inProcess.body.toString('utf8'))]) {
        if (overHttp.status === 202) accepted.push(answer.idempotency_key);
        if (overHttp.status === 207) for (const result of answer.results) if (result.status === 202) accepted.push(result.idempotency_key);
      }
    }
  });

  it('has published exactly the accepted events, nothing of a refused request or item', async () => {
    const last = await post('/v1/events', usageEvent(customer, counted));
    await awaitPublished([last.body.idempotency_key]);
    expect(published().map((message) => message.event.idempotency_key)).toEqual(accepted);
  });
});
